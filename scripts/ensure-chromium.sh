#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "chromium is missing and we are not root: browser tests will skip" >&2
  exit 0
fi
echo "==> installing Debian's chromium"
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
  || echo "could not install chromium: browser tests will skip" >&2

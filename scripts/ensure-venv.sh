#!/usr/bin/env bash
# Build or refresh a virtual environment from a pinned requirements file.
# A no-op when the requirements files (and the interpreter) did not change: the venv keeps a
# stamp with the hash of them. Usage:
#   scripts/ensure-venv.sh <venv dir> <python> <requirements> [<requirements installed --no-deps>]
set -euo pipefail
venv=$1 python=$2 requirements=$3 no_deps=${4:-}
want="$(cat "$requirements" $no_deps | sha256sum | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
stamp="$venv/.requirements.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/python" ]]; then
  exit 0
fi
echo "==> building $venv from $requirements"
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
if [[ -n "$no_deps" ]]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$no_deps"
fi
echo "$want" > "$stamp"

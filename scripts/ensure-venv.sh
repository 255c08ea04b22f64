#!/usr/bin/env bash
# Build or refresh a virtual environment from a pinned requirements file.
# A no-op when the requirements file (and the interpreter) did not change: the venv keeps a
# stamp with the hash of both. Usage: scripts/ensure-venv.sh <venv dir> <python> <requirements>
set -euo pipefail
venv=$1 python=$2 requirements=$3
want="$(sha256sum "$requirements" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
stamp="$venv/.requirements.sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/python" ]]; then
  exit 0
fi
echo "==> building $venv from $requirements"
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# torch first and alone: pinned to the CPU build that lies on this machine's disk.
if grep -q '^torch==' "$requirements"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$(grep '^torch==' "$requirements")"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"

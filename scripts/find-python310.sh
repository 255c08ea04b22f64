#!/usr/bin/env bash
# Print a Python 3.10 interpreter (Rasa 3.6 needs it): python3.10 on PATH, or pyenv's.
for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do
  [[ -n "$candidate" ]] || continue
  if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate" || echo "$candidate"
    exit 0
  fi
done
echo "no Python 3.10 found (Rasa 3.6.21 needs it); set PYTHON310=/path/to/python3.10" >&2
exit 1

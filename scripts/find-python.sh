#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter, or explain what to install.
for candidate in "$PYTHON" python3.12 python3.13 python3 \
    "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 \
    /usr/local/bin/python3.12 /usr/bin/python3.12; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    echo "$path"
    exit 0
  fi
done
echo "salesim needs Python 3.12 or newer (e.g. 'apt-get install python3.12 python3.12-venv')" >&2
exit 1

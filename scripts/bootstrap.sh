#!/usr/bin/env bash
# Create .venv with gonogo and its test tools installed. On a fresh Debian/Ubuntu machine
# as root, installs what Python needs to make a venv first.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing python3 and python3-venv" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >&2
  else
    echo "bootstrap: need python3 (>= 3.11) with the venv module (apt-get install python3-venv)" >&2
    exit 2
  fi
fi
"$PYTHON" - <<'PY' || { echo "bootstrap: gonogo needs Python >= 3.11" >&2; exit 2; }
import sys
raise SystemExit(0 if sys.version_info >= (3, 11) else 1)
PY

stamp="$VENV/.gonogo-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -e '.[dev]' >&2
  touch "$stamp"
fi

#!/usr/bin/env bash
# `make test`: set up the venv, start the real services the tests need (as root; installs
# them from Debian packages when missing), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ "$(id -u)" = 0 ]; then
  eval "$(scripts/services.sh start)"
else
  echo "test: not root — services are not installed or started; tests needing them are skipped" >&2
  eval "$(scripts/services.sh env 2>/dev/null || true)"
fi
# Node tools for the JS/TS quality-gate tests (typescript, eslint, pnpm), cached between runs
if command -v npm >/dev/null 2>&1; then
  eval "$(scripts/node-tools.sh)"
fi
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Install the Node tools the JS/TS quality-gate tests use (typescript, eslint,
# typescript-eslint, pnpm) from the npm registry into a cache directory, once; then print
#   export GONOGO_TEST_NODE_BIN=DIR/node_modules/.bin
# Used by scripts/test.sh (and so by `make test` and .ci/run). Re-running reuses the cache
# while the pinned versions below are unchanged.
#
#   scripts/node-tools.sh            install if needed, print the export line
#   GONOGO_NODE_TOOLS_DIR=DIR ...    where to install (default: $GONOGO_SERVICES_DIR/node,
#                                    else /tmp/gonogo-services/node)
set -euo pipefail

PACKAGES=(typescript@5.9.3 eslint@9.39.1 typescript-eslint@8.46.2 pnpm@10.20.0)
DIR=${GONOGO_NODE_TOOLS_DIR:-${GONOGO_SERVICES_DIR:-/tmp/gonogo-services}/node}

log() { echo "node-tools: $*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
  log "npm not found; the JS/TS quality-gate tests will be skipped outside CI"
  exit 0
fi
mkdir -p "$DIR"
stamp="$DIR/.installed"
want="${PACKAGES[*]}"
if [ ! -x "$DIR/node_modules/.bin/tsc" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing ${PACKAGES[*]} into $DIR"
  [ -f "$DIR/package.json" ] || echo '{"name": "gonogo-node-tools", "private": true}' > "$DIR/package.json"
  # no lifecycle scripts: none of these packages needs one, and the cache stays inert
  npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "${PACKAGES[@]}" >&2
  echo "$want" > "$stamp"
fi
echo "export GONOGO_TEST_NODE_BIN=$DIR/node_modules/.bin"

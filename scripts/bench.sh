#!/usr/bin/env bash
# `make bench`: every benchmark script, each printing its figures against its target.
# The ones that need a real service start it the way `make test` does (as root).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ "$(id -u)" = 0 ]; then eval "$(scripts/services.sh start)"; else eval "$(scripts/services.sh env)"; fi
status=0
for script in startup gate backup rollback watch lock markdown serve; do
  echo "== bench/$script.py"
  .venv/bin/python "bench/$script.py" "$@" || status=1
done
exit "$status"

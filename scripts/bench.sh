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
# the v-edfinance stack (make stack-demo) when it runs: failed requests and the longest gap
# through nginx while gonogo redeploys the live release (a full release cycle: make stack-demo)
if [ -f examples/v-edfinance/out/runs.txt ] && curl -sf http://127.0.0.1:18480/nginx-health >/dev/null 2>&1; then
  live=$(tail -n 1 examples/v-edfinance/out/runs.txt | grep -o 'v[0-9]*' | head -n 1)
  echo "== bench/stack.py (redeploy $live of the running v-edfinance stack)"
  .venv/bin/python bench/stack.py --phase "redeploy $live" -- examples/v-edfinance/scripts/stack.sh deploy "$live" 0 || status=1
else
  echo "== bench/stack.py: skipped (the v-edfinance stack is not running: make stack-demo runs it)"
fi
exit "$status"

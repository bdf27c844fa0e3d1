#!/bin/sh
# The API's health gate (gonogo.yml, services[api].health.command), next to its /health URL:
# sign-in holds under a little concurrency — what users do first after a release. Four
# simultaneous logins of the smoke user (.env.production) must all answer 200; a 5xx from
# any fails the probe, so a release that breaks under load (v3: a pool of one connection)
# is rolled back by its own health gate, before the web and nginx are touched.
# The password goes to curl on stdin (printf is a shell builtin): never on a command line.
set -u
url=${API_LOGIN_URL:-http://127.0.0.1:13000/auth/login}
: "${SMOKE_EMAIL:?SMOKE_EMAIL is not set (.env.production)}" "${SMOKE_PASSWORD:?SMOKE_PASSWORD is not set (.env.production)}"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
for i in 1 2 3 4; do
  printf '{"email":"%s","password":"%s"}' "$SMOKE_EMAIL" "$SMOKE_PASSWORD" |
    curl -s -o /dev/null -m 5 -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary @- "$url" >"$dir/$i" 2>/dev/null &
done
wait
codes=$(for i in 1 2 3 4; do printf '%s ' "$(cat "$dir/$i")"; done)
[ "$codes" = "200 200 200 200 " ] && exit 0
echo "4 simultaneous sign-ins answered: ${codes% } (want 200 each)"; exit 1

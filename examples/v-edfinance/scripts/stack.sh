#!/usr/bin/env bash
# The v-edfinance stack, released by gonogo from the reference checklist, end to end.
#
#   scripts/stack.sh demo     install what is missing (root), start the stack's surroundings,
#                             release v1 (GO), v2 with a migration (GO), v3 whose login fails
#                             under load (rolled back to v2); the stack keeps running
#   scripts/stack.sh up       only the surroundings: registry, SSH "VPS", database, Prometheus,
#                             webhook receiver, the team's repository in out/work
#   scripts/stack.sh prepare V                   the team's commit of release V, built and pushed by CI
#   scripts/stack.sh release V [EXPECTED_EXIT]   prepare V, then `gonogo deploy`
#   scripts/stack.sh down     remove everything this script created (never leaves the swarm)
#
# Everything it creates is named vedfinance-* (swarm services, images, ports below) or lives
# in examples/v-edfinance/out/. The machine's Docker engine is reached the way a team
# reaches its VPS from CI: DOCKER_HOST=ssh://root@127.0.0.1:19222, a real OpenSSH server.
set -euo pipefail

EX=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$EX/../.." && pwd)
OUT=$EX/out
ST=$OUT/stack          # the surroundings' state: registry, keys, database files, Prometheus
WORK=$OUT/work         # the team's repository, one commit per release
GONOGO=${GONOGO:-$REPO/.venv/bin/gonogo}
DOCKER=/usr/bin/docker
REGISTRY=127.0.0.1:15000
SSH_PORT=19222
PROM_PORT=19090
WEBHOOK_PORT=18499
PG_PORT=15432
SSH_CONF=/etc/ssh/ssh_config.d/vedfinance-stack.conf
SSH_MUX=/run/vedfinance-ssh-%C   # the multiplexed connection's socket (ControlPath)
SERVICES=(vedfinance-nginx vedfinance-web vedfinance-api vedfinance-db)
export GONOGO_DOCKER=$DOCKER COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export npm_config_store_dir=$ST/pnpm-store   # pnpm's store stays in out/, not in ~

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
log() { echo "stack: $*" >&2; }
secret() { python3 -c 'import secrets,sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"; }
wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local n=$(( $1 * 4 )) what=$2; shift 2
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  log "$what did not come up"; return 1
}

# ---- install ----------------------------------------------------------------------------

install() {
  local want=()
  [ -x /usr/sbin/nginx ] || want+=(nginx-light)
  [ -x /usr/sbin/sshd ] || want+=(openssh-server openssh-client)
  command -v htpasswd >/dev/null || want+=(apache2-utils)
  command -v docker-registry >/dev/null || want+=(docker-registry)
  command -v prometheus >/dev/null || want+=(prometheus)
  [ -x /usr/bin/docker ] || want+=(docker.io)
  [ -x /bin/busybox ] || want+=(busybox-static)
  [ -x /usr/lib/postgresql/15/bin/postgres ] || want+=(postgresql-15)
  command -v node >/dev/null || want+=(nodejs npm)
  # docker-compose over ssh://; asked of its own interpreter (a pyenv python3 on PATH never
  # sees Debian's package, and asking it would apt-get update on every run)
  /usr/bin/python3 -c 'import paramiko' 2>/dev/null || want+=(python3-paramiko)
  if [ ${#want[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { log "needs root to install ${want[*]}"; exit 1; }
    say "Installing ${want[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  fi
  if ! command -v pnpm >/dev/null; then
    if [ ! -x "$ST/tools/node_modules/.bin/pnpm" ]; then
      say "Installing pnpm 10.20.0 from the npm registry"
      mkdir -p "$ST/tools"
      npm install --prefix "$ST/tools" --no-audit --no-fund --loglevel=error pnpm@10.20.0 >/dev/null
    fi
  fi
  export PATH=$ST/tools/node_modules/.bin:$PATH
  [ -x "$GONOGO" ] || make -C "$REPO" setup >/dev/null
  $DOCKER info >/dev/null 2>&1 || { log "no Docker engine answers (start dockerd)"; exit 1; }
  if [ "$($DOCKER info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    $DOCKER swarm init --advertise-addr 127.0.0.1 >/dev/null
    touch "$ST/swarm-created-by-stack"   # recorded; stack-down still never leaves the swarm
  fi
}

# ---- the surroundings ---------------------------------------------------------------------

registry() {  # a registry with htpasswd auth, standing in for Docker Hub
  local d=$ST/registry
  mkdir -p "$d/data"; chmod 700 "$d"
  [ -s "$ST/ci.env" ] || (umask 077; printf 'DOCKERHUB_USERNAME=vedfinance-ci\nDOCKERHUB_TOKEN=%s\n' "$(secret 24)" >"$ST/ci.env")
  # shellcheck disable=SC1091
  . "$ST/ci.env"
  if ! curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/" 2>/dev/null | grep -q 401; then
    htpasswd -Bbn "$DOCKERHUB_USERNAME" "$DOCKERHUB_TOKEN" >"$d/htpasswd"
    cat >"$d/config.yml" <<CFG
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $d/data}, delete: {enabled: true}}
http: {addr: $REGISTRY}
auth: {htpasswd: {realm: vedfinance, path: $d/htpasswd}}
CFG
    docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
    echo $! >"$ST/registry.pid"
    wait_for 10 "the registry" sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -q 401"
  fi
  # CI's own login, in a private Docker config (never ~/.docker)
  export DOCKER_CONFIG=$ST/docker-config
  mkdir -p "$DOCKER_CONFIG"; chmod 700 "$DOCKER_CONFIG"
  printf '%s' "$DOCKERHUB_TOKEN" | $DOCKER login -u "$DOCKERHUB_USERNAME" --password-stdin "$REGISTRY" >/dev/null 2>&1
}

sshd() {  # the "VPS": a real OpenSSH server on loopback, key auth only, its own port
  local d=$ST/ssh
  mkdir -p "$d" /run/sshd; chmod 700 "$d"
  [ -f "$d/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
  [ -f "$d/deploykey" ] || ssh-keygen -q -t ed25519 -N '' -C vedfinance-deploy -f "$d/deploykey"
  cp "$d/deploykey.pub" "$d/authorized_keys"
  cat >"$d/sshd_config" <<CFG
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $d/hostkey
AuthorizedKeysFile $d/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile $d/sshd.pid
CFG
  # the client side: a drop-in for this port only (the deploy key = the VPS_SSH_KEY secret).
  # Every Docker call over ssh:// is an `ssh … docker system dial-stdio`: one multiplexed
  # connection (ControlMaster) spares a handshake per call, as Docker's docs advise for
  # ssh:// engines. The socket lives in root's /run: a unix socket path must stay short.
  cat >"$SSH_CONF" <<CFG
# written by examples/v-edfinance/scripts/stack.sh (removed by \`make stack-down\`)
Match host 127.0.0.1 exec "test %p = $SSH_PORT"
  IdentityFile $d/deploykey
  UserKnownHostsFile $d/known_hosts
  StrictHostKeyChecking yes
  ControlMaster auto
  ControlPath $SSH_MUX
  ControlPersist 60s
CFG
  if ! ssh -o BatchMode=yes -p $SSH_PORT root@127.0.0.1 true 2>/dev/null; then
    [ -f "$d/sshd.pid" ] && kill "$(cat "$d/sshd.pid")" 2>/dev/null || true
    /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
    wait_for 10 sshd sh -c "ssh-keyscan -p $SSH_PORT 127.0.0.1 2>/dev/null >'$d/known_hosts' && test -s '$d/known_hosts'"
  fi
  ssh -o BatchMode=yes -p $SSH_PORT root@127.0.0.1 "$DOCKER version --format '{{.Server.Version}}'" >/dev/null
}

prometheus_() {  # scrapes the API every second
  local d=$ST/prometheus
  mkdir -p "$d/data"
  cat >"$d/prometheus.yml" <<CFG
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: vedfinance-api
    static_configs: [{targets: ["127.0.0.1:13000"]}]
CFG
  if ! curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1; then
    prometheus --config.file="$d/prometheus.yml" --web.listen-address=127.0.0.1:$PROM_PORT \
      --storage.tsdb.path="$d/data" >"$d/log" 2>&1 &
    echo $! >"$ST/prometheus.pid"
    wait_for 30 Prometheus curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"
  fi
}

webhook() {  # the team's chat
  if ! curl -s -o /dev/null -X POST "http://127.0.0.1:$WEBHOOK_PORT/" 2>/dev/null; then
    python3 "$EX/scripts/webhook.py" $WEBHOOK_PORT "$ST/notifications.jsonl" >"$ST/webhook.log" 2>&1 &
    echo $! >"$ST/webhook.pid"
    wait_for 10 "the webhook receiver" curl -s -o /dev/null -X POST "http://127.0.0.1:$WEBHOOK_PORT/"
    : >"$ST/notifications.jsonl"
  fi
}

secrets_file() {  # .env.production, as on the VPS: generated once, private, never printed
  [ -s "$ST/env.production" ] && return 0
  local pw; pw=$(secret 24)
  (umask 077; cat >"$ST/env.production" <<ENV
NODE_ENV=production
POSTGRES_PASSWORD=$pw
DATABASE_URL=postgresql://postgres:$pw@127.0.0.1:$PG_PORT/v_edfinance
JWT_SECRET=$(secret 36)
JWT_REFRESH_SECRET=$(secret 36)
ALLOWED_ORIGINS=https://v-edfinance.com,https://www.v-edfinance.com
SMOKE_EMAIL=smoke@v-edfinance.com
SMOKE_PASSWORD=$(secret 18)
ENV
  )
}

database() {  # PostgreSQL as a swarm service: infrastructure, created once, data on the host
  secrets_file
  if ! $DOCKER service inspect vedfinance-db >/dev/null 2>&1; then
    say "Database: vedfinance-db (PostgreSQL 15 from the machine's binaries)"
    "$EX/scripts/base-images.sh"
    $DOCKER build -q -t $REGISTRY/luahoa/v-edfinance-db:15 "$EX/db" >/dev/null
    $DOCKER push -q $REGISTRY/luahoa/v-edfinance-db:15 >/dev/null
    mkdir -p "$ST/pgdata"; chown 999:999 "$ST/pgdata"; chmod 700 "$ST/pgdata"
    (umask 077; grep '^POSTGRES_PASSWORD=' "$ST/env.production" >"$ST/db.env")
    timeout 120 $DOCKER service create --detach=false -q --name vedfinance-db --network host \
      --with-registry-auth --env-file "$ST/db.env" \
      --mount "type=bind,src=$ST/pgdata,dst=/var/lib/postgresql/data" \
      --stop-signal SIGINT --stop-grace-period 30s \
      $REGISTRY/luahoa/v-edfinance-db:15 >/dev/null
  fi
  wait_for 60 "PostgreSQL" /usr/lib/postgresql/15/bin/pg_isready -q -h 127.0.0.1 -p $PG_PORT
  # the CI database the quality gates apply the release's migrations to
  local pw; pw=$(sed -n 's/^POSTGRES_PASSWORD=//p' "$ST/env.production")
  PGPASSWORD=$pw psql -q -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname = 'v_edfinance_ci'" | grep -q 1 ||
    PGPASSWORD=$pw psql -q -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -c 'CREATE DATABASE v_edfinance_ci'
}

workspace() {  # the team's repository: the example's files, one commit per release
  if [ ! -d "$WORK/.git" ]; then
    mkdir -p "$WORK"
    git -C "$WORK" init -q -b main
    git -C "$WORK" config user.email ci@v-edfinance.com
    git -C "$WORK" config user.name "v-edfinance CI"
    cp "$EX/production-deployment-checklist.md" "$WORK/"
    git -C "$WORK" add -A && git -C "$WORK" commit -qm "Import the production deployment checklist"
  fi
  ln -sf "$ST/env.production" "$WORK/.env.production"
  mkdir -p "$WORK/docs/devops"
  [ -f "$WORK/docs/devops/deployment-status.md" ] || cat >"$WORK/docs/devops/deployment-status.md" <<'MD'
# Deployment status

| Time (UTC) | Environment | Version | Services | Verdict | By | Run | Report |
|---|---|---|---|---|---|---|---|
MD
}

up() {
  mkdir -p "$ST"; chmod 700 "$ST"
  install
  say "Surroundings: registry :15000 (htpasswd), sshd :$SSH_PORT, Prometheus :$PROM_PORT, webhook :$WEBHOOK_PORT"
  registry; sshd; prometheus_; webhook
  database
  workspace
}

# ---- a release -----------------------------------------------------------------------------

checkout() {  # the team's code as of release V
  local v=$1
  # what git tracks: no build output, nor tsc's build info (`tsc -b` would take a project
  # whose dist/ is missing for up to date, packages/handover included)
  tar -C "$EX" --exclude=./node_modules --exclude='*/node_modules' --exclude='*/dist' \
    --exclude='*.tsbuildinfo' --exclude='*.tsbuildinfo-*' --exclude=./out --exclude=./releases \
    --exclude=./.env.production --exclude=./.gonogo --exclude=./backups --exclude=./docs \
    -c . | tar -C "$WORK" -x
  case $v in
    v1) rm -rf "$WORK/apps/api/prisma/migrations/20261201080000_lesson_progress"   # v2 adds it
        patch -s -p1 -d "$WORK" <"$EX/releases/v1.patch" ;;
    v3) patch -s -p1 -d "$WORK" <"$EX/releases/v3.patch" ;;
  esac
  git -C "$WORK" add -A
  git -C "$WORK" commit -qm "Release $v" --allow-empty
  git -C "$WORK" tag -f "$v" >/dev/null
}

ci() {  # what CI does before the deploy: build the release images and push them
  local v=$1
  say "CI: build and push $v"
  (cd "$WORK" && pnpm install --frozen-lockfile --reporter=silent \
    && pnpm -r --reporter=silent build >/dev/null)
  (cd "$WORK" && REGISTRY=$REGISTRY GONOGO_VERSION=$v docker-compose -f docker-compose.production.yml build -q api web nginx 2>&1 | grep -v -E 'DEPRECATED|buildx|BuildKit|^$' || true)
  for s in api web nginx; do $DOCKER push -q $REGISTRY/luahoa/v-edfinance-$s:"$v" >/dev/null; done
}

deploy() {  # gonogo deploy, from the checklist, through the SSH engine; outputs to out/
  local v=$1 want=${2:-0} code=0
  say "gonogo deploy -c production-deployment-checklist.md --env production --version $v"
  set -a; . "$ST/ci.env"; set +a
  export CI_DATABASE_URL; CI_DATABASE_URL="$(sed -n 's/^DATABASE_URL=//p' "$ST/env.production")_ci"
  (cd "$WORK" && env -u DOCKER_CONFIG "$GONOGO" deploy -c production-deployment-checklist.md \
    --env production --version "$v" --yes) || code=$?
  local run
  run=$(cd "$WORK" && "$GONOGO" runs -c production-deployment-checklist.md --format json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["run_id"])')
  (cd "$WORK" && for f in checklist:ticked-$v.md html:report-$v.html json:run-$v.json; do
    "$GONOGO" report -c production-deployment-checklist.md "$run" --format "${f%%:*}" -o "$OUT/${f#*:}"; done)
  echo "$v exit=$code run=$run" >>"$OUT/runs.txt"
  cp "$OUT/ticked-$v.md" "$OUT/ticked.md"; cp "$OUT/report-$v.html" "$OUT/report.html"
  echo "stack: $v → exit $code (expected $want), run $run"
  [ "$code" = "$want" ]
}

release() {
  local v=$1 want=${2:-0}
  checkout "$v"
  ci "$v"
  deploy "$v" "$want"
}

proven_healthy() {  # what a user sees after the rollback: v2 serves, login works
  say "After the rollback"
  curl -sf http://127.0.0.1:18480/api/health; echo
  curl -sf http://127.0.0.1:18480/ | grep -o 'release v[0-9]*'
  (cd "$WORK" && "$GONOGO" releases -c production-deployment-checklist.md --env production)
}

demo() {
  local started=$SECONDS
  rm -f "$OUT/runs.txt"
  up
  checkout v1 >/dev/null; ci v1; deploy v1 0
  checkout v2 >/dev/null; ci v2
  python3 "$REPO/bench/stack.py" --phase "v2 deploy" --out "$OUT/bench-v2.json" -- "$0" deploy v2 0
  checkout v3 >/dev/null; ci v3
  python3 "$REPO/bench/stack.py" --phase "v3 rollback" --logins 2 --out "$OUT/bench-v3.json" -- "$0" deploy v3 5
  proven_healthy
  say "Done in $(( SECONDS - started ))s: $OUT/ticked.md, $OUT/report.html, $OUT/runs.txt"
  cat "$OUT/runs.txt"
}

# ---- down ----------------------------------------------------------------------------------

down() {
  for s in "${SERVICES[@]}"; do $DOCKER service rm "$s" >/dev/null 2>&1 || true; done
  for p in registry prometheus webhook; do
    [ -f "$ST/$p.pid" ] && kill "$(cat "$ST/$p.pid")" 2>/dev/null || true
    rm -f "$ST/$p.pid"
  done
  # the multiplexed connection first (it outlives sshd's listener), while the config names it
  [ -f "$SSH_CONF" ] && ssh -o BatchMode=yes -O exit -p $SSH_PORT root@127.0.0.1 2>/dev/null || true
  [ -f "$ST/ssh/sshd.pid" ] && kill "$(cat "$ST/ssh/sshd.pid")" 2>/dev/null || true
  rm -f "$SSH_CONF"
  # images this script built (vedfinance-* only), once their containers are gone
  for _ in $(seq 1 40); do [ -z "$($DOCKER ps -aq --filter name=vedfinance-)" ] && break; sleep 0.5; done
  $DOCKER images --format '{{.Repository}}:{{.Tag}}' |
    grep -E '^(127\.0\.0\.1:15000/luahoa/v-edfinance-|vedfinance-base/)' | xargs -r $DOCKER rmi -f >/dev/null 2>&1 || true
  rm -rf "$OUT"
  echo "stack: removed the vedfinance-* services, images, processes and $OUT"
}

case ${1:-} in
  demo) demo ;;
  up) up ;;
  prepare) export PATH=$ST/tools/node_modules/.bin:$PATH; registry; checkout "$2"; ci "$2" ;;
  release) export PATH=$ST/tools/node_modules/.bin:$PATH; registry; release "$2" "${3:-0}" ;;
  deploy) export PATH=$ST/tools/node_modules/.bin:$PATH; deploy "$2" "${3:-0}" ;;
  down) down ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac

#!/usr/bin/env bash
# Install (as root, from Debian packages) and start the real services gonogo's tests use,
# on loopback only. Used by `make test` and by .ci/run. Idempotent: a running service is reused.
#
#   scripts/services.sh start [postgres ...]   install if missing, start, print `export` lines
#   scripts/services.sh stop                   stop what this script started
#   scripts/services.sh env                    print the `export` lines for running services
#
# The export lines go to stdout and into $GONOGO_SERVICES_DIR/env (source it).
set -euo pipefail

DIR=${GONOGO_SERVICES_DIR:-/tmp/gonogo-services}
PG_PORT=${GONOGO_PG_PORT:-55432}
ALL_SERVICES=(postgres docker registry registry_auth ssh prometheus alertmanager)
PROM_ADDR=${GONOGO_PROM_ADDR:-127.0.0.1:9090}
AM_ADDR=${GONOGO_AM_ADDR:-127.0.0.1:9093}
REGISTRY_ADDR=${GONOGO_REGISTRY_ADDR:-127.0.0.1:5000}
REGISTRY_AUTH_ADDR=${GONOGO_REGISTRY_AUTH_ADDR:-127.0.0.1:5001}
SSH_PORT=${GONOGO_SSH_PORT:-19022}
SSH_CLIENT_CONF=/etc/ssh/ssh_config.d/gonogo-test.conf

log() { echo "services: $*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need root to install $*; skipping (tests needing it will be skipped outside CI)"
    return 1
  fi
  if [ ! -f "$DIR/.apt-updated" ]; then
    apt-get update -qq >&2 && touch "$DIR/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  echo "$bin"
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt_install postgresql postgresql-client || return 0
    bin=$(pg_bin)
  fi
  local data="$DIR/pg/data"
  if [ "$(id -u)" = 0 ]; then
    install -d -o postgres "$DIR/pg"
    run_pg() { su postgres -s /bin/sh -c "$*"; }
  else
    mkdir -p "$DIR/pg"
    run_pg() { sh -c "$*"; }
  fi
  if ! "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
    if [ ! -f "$data/PG_VERSION" ]; then
      run_pg "'$bin/initdb' -D '$data' -A trust -U postgres >/dev/null"
    fi
    run_pg "'$bin/pg_ctl' -D '$data' -l '$DIR/pg/log' -w -t 60 \
      -o \"-p $PG_PORT -k '$DIR/pg' -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null"
  fi
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break
    sleep 0.5
  done
  "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q || { log "postgres did not start; see $DIR/pg/log"; return 1; }
  echo "export GONOGO_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "export GONOGO_TEST_PG_BIN=$bin"
}

stop_postgres() {
  local bin
  bin=$(pg_bin)
  [ -n "$bin" ] && [ -f "$DIR/pg/data/postmaster.pid" ] || return 0
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$DIR/pg/data' -m fast stop" >/dev/null 2>&1 || true
  else
    "$bin/pg_ctl" -D "$DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
}

docker_bin() {
  if [ -n "${GONOGO_DOCKER:-}" ]; then echo "$GONOGO_DOCKER"; return; fi
  # Debian's client matches Debian's engine; another `docker` earlier on PATH may not
  if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker || true; fi
}

start_docker() {
  local docker
  docker=$(docker_bin)
  if [ -z "$docker" ] || ! command -v dockerd >/dev/null || ! command -v busybox >/dev/null \
      || ! command -v docker-compose >/dev/null; then
    apt_install docker.io busybox-static docker-compose docker-registry || return 0
    docker=$(docker_bin)
  fi
  if ! "$docker" info >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then log "docker engine not running and not root"; return 1; fi
    dockerd >"$DIR/dockerd.log" 2>&1 &
    echo $! > "$DIR/dockerd.pid"
    for _ in $(seq 1 60); do "$docker" info >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  "$docker" info >/dev/null 2>&1 || { log "docker did not start; see $DIR/dockerd.log"; return 1; }
  echo "export GONOGO_TEST_DOCKER=$docker"
}

stop_docker() {
  [ -f "$DIR/dockerd.pid" ] || return 0
  kill "$(cat "$DIR/dockerd.pid")" 2>/dev/null || true
  rm -f "$DIR/dockerd.pid"
}

registry_up() {
  # the Registry HTTP API v2 answers /v2/ with 200 (or 401 with auth)
  python3 - "$REGISTRY_ADDR" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}/v2/", timeout=2)
PY
}

start_registry() {
  command -v docker-registry >/dev/null || apt_install docker-registry || return 0
  if ! registry_up; then
    mkdir -p "$DIR/registry/data"
    cat > "$DIR/registry/config.yml" <<CFG
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $DIR/registry/data}, delete: {enabled: true}}
http: {addr: $REGISTRY_ADDR}
CFG
    docker-registry serve "$DIR/registry/config.yml" >"$DIR/registry/log" 2>&1 &
    echo $! > "$DIR/registry.pid"
    for _ in $(seq 1 40); do registry_up && break; sleep 0.25; done
  fi
  registry_up || { log "registry did not start; see $DIR/registry/log"; return 1; }
  echo "export GONOGO_TEST_REGISTRY=$REGISTRY_ADDR"
}

stop_registry() {
  [ -f "$DIR/registry.pid" ] || return 0
  kill "$(cat "$DIR/registry.pid")" 2>/dev/null || true
  rm -f "$DIR/registry.pid"
}

registry_auth_up() {
  # with htpasswd auth on, /v2/ answers 401 to a request without credentials
  python3 - "$REGISTRY_AUTH_ADDR" <<'PY' >/dev/null 2>&1
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://{sys.argv[1]}/v2/", timeout=2)
except urllib.error.HTTPError as exc:
    sys.exit(0 if exc.code == 401 else 1)
sys.exit(1)  # 200 without credentials: not the registry with auth
PY
}

start_registry_auth() {
  # a second registry, with htpasswd authentication (as every real registry has one)
  command -v docker-registry >/dev/null || apt_install docker-registry || return 0
  command -v htpasswd >/dev/null || apt_install apache2-utils || return 0
  local d="$DIR/registry-auth" user=gonogo-ci
  mkdir -p "$d/data"
  chmod 700 "$d"
  if [ ! -s "$d/password" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$d/password")
  fi
  if ! registry_auth_up; then
    htpasswd -Bbn "$user" "$(cat "$d/password")" > "$d/htpasswd"
    cat > "$d/config.yml" <<CFG
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $d/data}, delete: {enabled: true}}
http: {addr: $REGISTRY_AUTH_ADDR}
auth: {htpasswd: {realm: gonogo-test, path: $d/htpasswd}}
CFG
    docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
    echo $! > "$DIR/registry_auth.pid"
    for _ in $(seq 1 40); do registry_auth_up && break; sleep 0.25; done
  fi
  registry_auth_up || { log "registry with auth did not start; see $d/log"; return 1; }
  echo "export GONOGO_TEST_REGISTRY_AUTH=$REGISTRY_AUTH_ADDR"
  echo "export GONOGO_TEST_REGISTRY_USER=$user"
  echo "export GONOGO_TEST_REGISTRY_PASSWORD=$(cat "$d/password")"
}

stop_registry_auth() {
  [ -f "$DIR/registry_auth.pid" ] || return 0
  kill "$(cat "$DIR/registry_auth.pid")" 2>/dev/null || true
  rm -f "$DIR/registry_auth.pid"
}

ssh_up() {
  ssh -o BatchMode=yes -o ConnectTimeout=5 -p "$SSH_PORT" root@127.0.0.1 true >/dev/null 2>&1
}

start_ssh() {
  # a real OpenSSH server on loopback: the "VPS" a remote Docker engine is reached through
  # (DOCKER_HOST=ssh://root@127.0.0.1:PORT). Its own keys; the client side is a system-wide
  # ssh_config drop-in, so the ssh binary (which Docker's CLI and SDK run) needs no prompt
  # and no one's home directory is touched.
  [ -x /usr/sbin/sshd ] || apt_install openssh-server openssh-client || return 0
  [ "$(id -u)" = 0 ] || { log "sshd needs root"; return 1; }
  local d="$DIR/ssh"
  mkdir -p "$d" /run/sshd
  chmod 700 "$d"
  [ -f "$d/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
  [ -f "$d/userkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/userkey"
  cp "$d/userkey.pub" "$d/authorized_keys"
  cat > "$d/sshd_config" <<CFG
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
  if [ -d /etc/ssh/ssh_config.d ]; then
    cat > "$SSH_CLIENT_CONF" <<CFG
# written by gonogo's scripts/services.sh (removed by \`services.sh stop\`)
Match host 127.0.0.1 exec "test %p = $SSH_PORT"
  IdentityFile $d/userkey
  UserKnownHostsFile $d/known_hosts
  StrictHostKeyChecking yes
CFG
  fi
  if ! ssh_up; then
    if [ -f "$d/sshd.pid" ]; then kill "$(cat "$d/sshd.pid")" 2>/dev/null || true; fi
    /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
    for _ in $(seq 1 20); do
      ssh-keyscan -p "$SSH_PORT" 127.0.0.1 >"$d/known_hosts" 2>/dev/null && [ -s "$d/known_hosts" ] && break
      sleep 0.25
    done
  fi
  [ -s "$d/known_hosts" ] || ssh-keyscan -p "$SSH_PORT" 127.0.0.1 >"$d/known_hosts" 2>/dev/null
  ssh_up || { log "sshd did not start or refuses the key; see $d/sshd.log"; return 1; }
  echo "export GONOGO_TEST_SSH_DOCKER_HOST=ssh://root@127.0.0.1:$SSH_PORT"
}

stop_ssh() {
  rm -f "$SSH_CLIENT_CONF"
  [ -f "$DIR/ssh/sshd.pid" ] || return 0
  kill "$(cat "$DIR/ssh/sshd.pid")" 2>/dev/null || true
  rm -f "$DIR/ssh/sshd.pid"
}

http_up() {
  python3 - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
}

start_prometheus() {
  # scrapes every target in $DIR/prometheus/targets/*.json (file_sd): a test writes its own
  # file with its fixture app's 127.0.0.1:PORT and a unique `test` label, and removes it after
  command -v prometheus >/dev/null || apt_install prometheus || return 0
  local d="$DIR/prometheus"
  mkdir -p "$d/targets" "$d/data"
  if ! http_up "http://$PROM_ADDR/-/ready"; then
    cat > "$d/prometheus.yml" <<CFG
global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: gonogo-test
    file_sd_configs: [{files: ["$d/targets/*.json"], refresh_interval: 1s}]
CFG
    prometheus --config.file="$d/prometheus.yml" --web.listen-address="$PROM_ADDR" \
      --storage.tsdb.path="$d/data" --storage.tsdb.retention.time=2h --web.enable-lifecycle \
      >"$d/log" 2>&1 &
    echo $! > "$DIR/prometheus.pid"
    for _ in $(seq 1 60); do http_up "http://$PROM_ADDR/-/ready" && break; sleep 0.5; done
  fi
  http_up "http://$PROM_ADDR/-/ready" || { log "prometheus did not start; see $d/log"; return 1; }
  echo "export GONOGO_TEST_PROMETHEUS=http://$PROM_ADDR"
  echo "export GONOGO_TEST_PROM_SD=$d/targets"
}

stop_prometheus() {
  [ -f "$DIR/prometheus.pid" ] || return 0
  kill "$(cat "$DIR/prometheus.pid")" 2>/dev/null || true
  rm -f "$DIR/prometheus.pid"
}

start_alertmanager() {
  command -v prometheus-alertmanager >/dev/null || apt_install prometheus-alertmanager || return 0
  local d="$DIR/alertmanager"
  mkdir -p "$d/data"
  if ! http_up "http://$AM_ADDR/-/ready"; then
    cat > "$d/alertmanager.yml" <<CFG
route: {receiver: none, group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: none}]
CFG
    prometheus-alertmanager --config.file="$d/alertmanager.yml" --web.listen-address="$AM_ADDR" \
      --storage.path="$d/data" --cluster.listen-address= >"$d/log" 2>&1 &
    echo $! > "$DIR/alertmanager.pid"
    for _ in $(seq 1 60); do http_up "http://$AM_ADDR/-/ready" && break; sleep 0.5; done
  fi
  http_up "http://$AM_ADDR/-/ready" || { log "alertmanager did not start; see $d/log"; return 1; }
  echo "export GONOGO_TEST_ALERTMANAGER=http://$AM_ADDR"
}

stop_alertmanager() {
  [ -f "$DIR/alertmanager.pid" ] || return 0
  kill "$(cat "$DIR/alertmanager.pid")" 2>/dev/null || true
  rm -f "$DIR/alertmanager.pid"
}

cmd=${1:-start}
shift || true
mkdir -p "$DIR"
case "$cmd" in
  start)
    services=("$@")
    [ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")
    mkdir -p "$DIR/env.d"
    for s in "${services[@]}"; do
      # each service keeps its own lines, so starting a few never forgets the others
      "start_$s" > "$DIR/env.d/$s.new" || true
      mv "$DIR/env.d/$s.new" "$DIR/env.d/$s"
    done
    cat "$DIR"/env.d/* 2>/dev/null | tee "$DIR/env"
    ;;
  stop)
    for s in "${ALL_SERVICES[@]}"; do "stop_$s" || true; done
    rm -rf "$DIR/env" "$DIR/env.d"
    ;;
  env)
    cat "$DIR"/env.d/* 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start [service ...] | stop | env" >&2
    exit 2
    ;;
esac

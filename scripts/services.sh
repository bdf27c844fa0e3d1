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
ALL_SERVICES=(postgres)

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

cmd=${1:-start}
shift || true
mkdir -p "$DIR"
case "$cmd" in
  start)
    services=("$@")
    [ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")
    : > "$DIR/env.new"
    for s in "${services[@]}"; do
      "start_$s" >> "$DIR/env.new" || true
    done
    mv "$DIR/env.new" "$DIR/env"
    cat "$DIR/env"
    ;;
  stop)
    for s in "${ALL_SERVICES[@]}"; do "stop_$s" || true; done
    rm -f "$DIR/env"
    ;;
  env)
    [ -f "$DIR/env" ] && cat "$DIR/env"
    ;;
  *)
    echo "usage: $0 start [service ...] | stop | env" >&2
    exit 2
    ;;
esac

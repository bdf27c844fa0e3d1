#!/bin/sh
# PostgreSQL 15 on 127.0.0.1:${PGPORT}: the first start creates the cluster (password from
# POSTGRES_PASSWORD, never on a command line) and the v_edfinance database.
set -eu
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  umask 077
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
  initdb -D "$PGDATA" -U postgres --pwfile=/tmp/pwfile -A scram-sha-256 --auth-local=trust -E UTF8 --locale=C >/dev/null
  rm -f /tmp/pwfile
  echo "CREATE DATABASE v_edfinance;" | postgres --single -D "$PGDATA" postgres >/dev/null
  echo "initialized $PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -p "${PGPORT:-15432}" -k /tmp

#!/bin/sh
# Build the example's three releases of IMAGE (default gonogo-example/web) from scratch:
#   v1 healthy · v2 without /health (unhealthy) · v3 crashes at start · v4 healthy.
# Usage: ./build-images.sh [IMAGE] [VERSION ...]      (DOCKER=/usr/bin/docker to pick a client)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
image=${1:-gonogo-example/web}
[ $# -gt 0 ] && shift
versions=${*:-v1 v2 v3 v4}
docker=${DOCKER:-${GONOGO_DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}}
busybox=$(command -v busybox || echo /bin/busybox)
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$here/start.sh" "$ctx/"
cp "$busybox" "$ctx/busybox"
for v in $versions; do
  rm -rf "$ctx/www" && mkdir -p "$ctx/www"
  echo "$v" > "$ctx/www/version"
  echo "<h1>gonogo example</h1><p>release $v</p>" > "$ctx/www/index.html"
  case "$v" in
    v2) ;;                                   # no /health: the release is unhealthy
    v3) echo ok > "$ctx/www/health"; touch "$ctx/www/crash" ;;   # crashes at start
    *) echo ok > "$ctx/www/health" ;;
  esac
  "$docker" build -q -t "$image:$v" "$ctx" >/dev/null
  echo "built $image:$v"
done

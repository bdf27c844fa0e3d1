#!/bin/sh
# Base images of real programs without pulling anything: the machine's own Debian binaries
# (Node, nginx, PostgreSQL 15) and the libraries `ldd` names, packed with `docker import`.
# The release images (apps/*/Dockerfile, nginx/, db/) build FROM these.
#   scripts/base-images.sh            (DOCKER=/usr/bin/docker to pick a client)
set -eu
umask 022   # the images' files must be readable by the users the programs run as
docker=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pack() {  # pack ROOT BINARY...: each binary and the libraries it links
  root=$1; shift
  for b in "$@"; do
    mkdir -p "$root$(dirname "$b")"; cp -L "$b" "$root$b"
    for l in $(ldd "$b" 2>/dev/null | grep -oE '/[^ ]+'); do
      mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"
    done
  done
}
skeleton() {  # a root with busybox as /bin/sh, /tmp and the users the programs run as
  root=$1
  pack "$root" /bin/busybox
  ln -s busybox "$root/bin/sh"
  mkdir -p "$root/tmp" "$root/etc"; chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\nnode:x:1000:1000:node:/app:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\npostgres:x:999:\nnode:x:1000:\n' >"$root/etc/group"
}

# Node (the API and the web app)
skeleton "$work/node"
pack "$work/node" "$(readlink -f /usr/bin/node)"
[ -e "$work/node/usr/bin/node" ] || cp -L /usr/bin/node "$work/node/usr/bin/node"
tar -C "$work/node" -c . | "$docker" import -c 'ENTRYPOINT ["/usr/bin/node"]' - vedfinance-base/node:local >/dev/null
echo "built vedfinance-base/node:local ($(/usr/bin/node --version))"

# nginx
skeleton "$work/nginx"
pack "$work/nginx" /usr/sbin/nginx
mkdir -p "$work/nginx/etc/nginx" "$work/nginx/var/lib/nginx/body" "$work/nginx/var/log/nginx" "$work/nginx/run"
cp /etc/nginx/mime.types "$work/nginx/etc/nginx/"
tar -C "$work/nginx" -c . | "$docker" import -c 'ENTRYPOINT ["/usr/sbin/nginx"]' - vedfinance-base/nginx:local >/dev/null
echo "built vedfinance-base/nginx:local ($(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //'))"

# PostgreSQL 15
pg=/usr/lib/postgresql/15
skeleton "$work/pg"
pack "$work/pg" $pg/bin/postgres $pg/bin/initdb $pg/bin/pg_ctl $pg/bin/pg_isready
mkdir -p "$work/pg/usr/share/postgresql" "$work/pg$pg"
cp -a /usr/share/postgresql/15 "$work/pg/usr/share/postgresql/"
cp -a $pg/lib "$work/pg$pg/"
for so in $pg/lib/*.so; do
  for l in $(ldd "$so" 2>/dev/null | grep -oE '/[^ ]+'); do
    [ -e "$work/pg$l" ] || { mkdir -p "$work/pg$(dirname "$l")"; cp -L "$l" "$work/pg$l"; }
  done
done
mkdir -p "$work/pg/var/lib/postgresql/data" "$work/pg/var/run/postgresql"
chown -R 999:999 "$work/pg/var/lib/postgresql" "$work/pg/var/run/postgresql"
tar -C "$work/pg" -c . | "$docker" import -c 'USER 999' -c "ENV PATH=$pg/bin:/bin" - vedfinance-base/postgres:local >/dev/null
echo "built vedfinance-base/postgres:local (PostgreSQL $($pg/bin/postgres --version | awk '{print $3}'))"

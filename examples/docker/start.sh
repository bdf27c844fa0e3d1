if [ -f /www/crash ]; then
  echo "fatal: this release cannot start (v3 is broken on purpose)" >&2
  exit 1
fi
exec /bin/busybox httpd -f -p "127.0.0.1:${PORT}" -h /www

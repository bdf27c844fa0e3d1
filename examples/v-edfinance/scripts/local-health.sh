#!/bin/sh
# "Health checks pass locally": start the freshly built API and web images on spare ports
# against the CI database, wait for their health endpoints, stop them. Without their
# HEALTHCHECK (it verifies a release before it takes the live port, docker-stack.yml): the
# apps stay on their preview ports, where this looks at them.
set -eu
docker=${GONOGO_DOCKER:-/usr/bin/docker}
reg=${REGISTRY:-127.0.0.1:15000}; v=${GONOGO_VERSION:-latest}
name=vedfinance-localcheck-$$
trap '$docker rm -f $name-api $name-web >/dev/null 2>&1 || true' EXIT
$docker run -d --name $name-api --network host --no-healthcheck --env-file .env.production \
  -e DATABASE_URL="$CI_DATABASE_URL" -e PORT=23000 -e PREVIEW_PORT=23010 \
  "$reg/luahoa/v-edfinance-api:$v" >/dev/null
$docker run -d --name $name-web --network host --no-healthcheck -e PORT=23001 -e PREVIEW_PORT=23011 \
  -e API_URL=http://127.0.0.1:23010 -e API_PREVIEW_URL= "$reg/luahoa/v-edfinance-web:$v" >/dev/null
for i in $(seq 1 60); do
  if wget -q -O /dev/null http://127.0.0.1:23010/health 2>/dev/null && wget -q -O - http://127.0.0.1:23011/ 2>/dev/null | grep -q "release $v"; then
    echo "api and web $v healthy locally"; exit 0
  fi
  sleep 0.5
done
echo "api or web $v not healthy locally within 30s"; $docker logs --tail 5 $name-api 2>&1; exit 1

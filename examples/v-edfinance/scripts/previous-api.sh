#!/bin/sh
# The document's quick rollback, `docker service update --image …:previous vedfinance-api`,
# when the API does not already run that image. Right after gonogo's own rollback it does
# (the same content: `:previous` is the tag gonogo pushed for the release it returned to),
# and updating it again would only restart the API once more under load.
set -eu
docker=${GONOGO_DOCKER:-docker}
ref=127.0.0.1:15000/luahoa/v-edfinance-api:previous
running=$($docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' vedfinance-api)
digest=${running##*@}
if [ "$digest" != "$running" ] && $docker image inspect --format '{{join .RepoDigests "\n"}}' "$ref" 2>/dev/null |
    grep -qx "127.0.0.1:15000/luahoa/v-edfinance-api@$digest"; then
  echo "vedfinance-api already runs $ref ($digest): nothing to update"
  exit 0
fi
exec $docker service update --with-registry-auth --detach=false --image "$ref" vedfinance-api

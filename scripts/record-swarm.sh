#!/usr/bin/env bash
# Build a small swarm topology on the 3-node lab (scripts/swarmlab.sh), record each node's raw
# API answers into tests/data/swarm-node{1,2,3}-raw.json for the unit tests, and remove it again.
#
# Node 1 is the manager: its capture holds /nodes, /services and /tasks. The topology: an
# attachable overlay `nvs-app`, an encrypted overlay `nvs-sec`, a dnsrr service `nvs-web`
# (3 tasks, one per node, port published in host mode), a VIP service `nvs-api` (2 tasks, port
# published on the ingress mesh), standalone containers on the overlay on nodes 2 and 3, a
# host-network container on node 2 and a default-bridge container on node 3.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
OUT=${1:-tests/data}

scripts/engine.sh up >/dev/null
eval "$(SWARMLAB_IMAGE=$IMAGE SWARMLAB_NODES=3 scripts/swarmlab.sh up)"
M=$SWARMLAB_NODE1_HOST N2=$SWARMLAB_NODE2_HOST N3=$SWARMLAB_NODE3_HOST
cleanup() {
  docker -H "$M" service rm nvs-web nvs-api >/dev/null 2>&1 || true
  docker -H "$N2" rm -f nvs-c2 nvs-h2 >/dev/null 2>&1 || true
  docker -H "$N3" rm -f nvs-c3 nvs-b3 >/dev/null 2>&1 || true
  sleep 2
  docker -H "$M" network rm nvs-app nvs-sec >/dev/null 2>&1 || true
}
trap cleanup EXIT

docker -H "$M" network create -d overlay --attachable nvs-app >/dev/null
docker -H "$M" network create -d overlay --opt encrypted nvs-sec >/dev/null
docker -H "$M" service create -d --no-resolve-image --name nvs-web --replicas 3 \
  --replicas-max-per-node 1 --endpoint-mode dnsrr --network nvs-app \
  --publish mode=host,published=18081,target=80 "$IMAGE" httpd -f -p 80 -h /www >/dev/null
docker -H "$M" service create -d --no-resolve-image --name nvs-api --replicas 2 \
  --network nvs-app --network nvs-sec --publish 18080:80 "$IMAGE" httpd -f -p 80 -h /www >/dev/null
docker -H "$N2" run -d --name nvs-c2 --network nvs-app "$IMAGE" sleep 1d >/dev/null
docker -H "$N3" run -d --name nvs-c3 --network nvs-app "$IMAGE" sleep 1d >/dev/null
docker -H "$N2" run -d --name nvs-h2 --network host "$IMAGE" sleep 1d >/dev/null
docker -H "$N3" run -d --name nvs-b3 "$IMAGE" sleep 1d >/dev/null
for _ in $(seq 120); do
  [ "$(docker -H "$M" service ls --filter name=nvs- --format '{{.Replicas}}' | awk '{print $1}' | sort | tr '\n' ' ')" = "2/2 3/3 " ] && break
  sleep 0.5
done
for i in 1 2 3; do
  host_var=SWARMLAB_NODE${i}_HOST
  DOCKER_HOST=${!host_var} python3 scripts/record_raw.py "$OUT/swarm-node$i-raw.json"
done
echo "recorded $OUT/swarm-node{1,2,3}-raw.json" >&2

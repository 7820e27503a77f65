#!/usr/bin/env bash
# Record two independent swarms for the unit tests: tests/data/swarm-{a,b}-raw.json.
#
# On the 3-node lab (scripts/swarmlab.sh), node 3 leaves the lab's swarm and starts its own, so
# node 1 manages swarm A (nodes 1 and 2) and node 3 manages swarm B. Both get what one stack
# deployed twice (prod and staging) gives: an overlay `nvs-app` and a service `nvs-web` on it.
# A's service is dnsrr with its port published in host mode; B's is a VIP service with two
# tasks published on the ingress mesh. The lab is taken down at the end (it is not the 3-node lab any more).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
OUT=${1:-tests/data}

scripts/engine.sh up >/dev/null
eval "$(SWARMLAB_IMAGE=$IMAGE SWARMLAB_NODES=3 scripts/swarmlab.sh up)"
A=$SWARMLAB_NODE1_HOST B=$SWARMLAB_NODE3_HOST
trap 'scripts/swarmlab.sh down >/dev/null' EXIT

node3=$(docker -H "$B" info --format '{{.Swarm.NodeID}}')
docker -H "$B" swarm leave --force >/dev/null
for _ in $(seq 60); do
  [ "$(docker -H "$A" node inspect -f '{{.Status.State}}' "$node3")" = down ] && break
  sleep 0.5
done
docker -H "$A" node rm --force "$node3" >/dev/null
docker -H "$B" swarm init --advertise-addr 10.231.0.3 --listen-addr 10.231.0.3:2377 \
  --default-addr-pool 10.233.0.0/16 --default-addr-pool-mask-length 24 >/dev/null

for h in "$A" "$B"; do
  docker -H "$h" network create -d overlay --attachable nvs-app >/dev/null
done
docker -H "$A" service create -d --no-resolve-image --name nvs-web --replicas 2 \
  --replicas-max-per-node 1 --endpoint-mode dnsrr --network nvs-app \
  --publish mode=host,published=18081,target=80 "$IMAGE" httpd -f -p 80 -h /www >/dev/null
docker -H "$B" service create -d --no-resolve-image --name nvs-web --replicas 2 \
  --network nvs-app --publish 18080:80 "$IMAGE" httpd -f -p 80 -h /www >/dev/null
for _ in $(seq 120); do
  [ "$(docker -H "$A" service ls --format '{{.Replicas}}')" = 2/2 ] &&
    [ "$(docker -H "$B" service ls --format '{{.Replicas}}')" = 2/2 ] && break
  sleep 0.5
done
DOCKER_HOST=$A python3 scripts/record_raw.py "$OUT/swarm-a-raw.json"
DOCKER_HOST=$B python3 scripts/record_raw.py "$OUT/swarm-b-raw.json"
echo "recorded $OUT/swarm-{a,b}-raw.json" >&2

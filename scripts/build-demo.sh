#!/usr/bin/env bash
# Build the demo topology on a real, otherwise empty engine, capture it into
# visualizer/data/demo.json (and the raw API answers it was parsed from into
# tests/data/demo-raw.json), and remove it again.
#
# The demo shows every case the diagram and the analysis must handle: the classic
# user-defined bridge `user-network` with container1 and container2, the default bridge
# (with a legacy link), a host-network and a `none` container, an internal network, an
# icc-disabled network, a container on two networks, a `container:` sidecar, a stopped
# container, ports published on all interfaces and on 127.0.0.1, a compose project and a
# dual-stack IPv6 network. Besides the network: the compose services web and api share the
# named volume uploads (api writes, web reads), web serves a bind-mounted host directory
# (/srv/netviz-demo/site, read-only), the isolated tenants share the volume scratch
# (tenant-a writes, tenant-b reads: a channel the network does not have), and host-agent
# mounts the engine socket read-only (it is equivalent to the host).
#
# Record it on a private engine (the machine's engine is shared): scripts/demo-engine.sh record
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
OUT=${1:-visualizer/data/demo.json}
RAW=${2:-tests/data/demo-raw.json}

scripts/engine.sh up
if [ -n "$(docker ps -aq)" ] || [ "$(docker network ls -q | wc -l)" -gt 3 ]; then
  echo "build-demo.sh: the engine must be empty (no containers, only bridge/host/none); use DOCKER_HOST to pick another" >&2
  exit 1
fi

cleanup() {
  docker-compose -p shop -f scripts/demo/compose.yaml down -v -t 0 >/dev/null 2>&1 || true
  docker rm -f container1 container2 metrics-sidecar old-worker legacy-app legacy-client \
    host-agent offline-job tenant-a tenant-b ipv6-app >/dev/null 2>&1 || true
  docker network rm user-network tenants dualstack >/dev/null 2>&1 || true
  docker volume rm scratch >/dev/null 2>&1 || true
  rm -rf /srv/netviz-demo
}
[ -n "${NETVIZ_DEMO_KEEP:-}" ] || trap cleanup EXIT   # NETVIZ_DEMO_KEEP=1 leaves it running (e.g. for netviz probe)
run() { docker run -d --restart=no "$@" >/dev/null; }

docker network create user-network >/dev/null
docker network create -o com.docker.network.bridge.enable_icc=false --label team=sandbox tenants >/dev/null
docker network create --ipv6 --subnet 10.30.0.0/24 --subnet fd00:5eed::/64 dualstack >/dev/null

run --name container1 --network user-network "$IMAGE" httpd -f -p 80 -h /www
run --name container2 --network user-network --network-alias backup "$IMAGE" sleep 1d
run --name metrics-sidecar --network container:container1 "$IMAGE" sleep 1d
run --name old-worker --network user-network "$IMAGE" sleep 1d
docker stop -t 0 old-worker >/dev/null
run --name legacy-app "$IMAGE" httpd -f -p 80 -h /www
run --name legacy-client --link legacy-app:legacy "$IMAGE" sleep 1d
run --name host-agent --network host -v /var/run/docker.sock:/var/run/docker.sock:ro "$IMAGE" sleep 1d
run --name offline-job --network none "$IMAGE" sleep 1d
docker volume create scratch >/dev/null
run --name tenant-a --network tenants --label team=sandbox -v scratch:/scratch "$IMAGE" httpd -f -p 80 -h /www
run --name tenant-b --network tenants --label team=sandbox -v scratch:/scratch:ro "$IMAGE" httpd -f -p 80 -h /www
run --name ipv6-app --network dualstack -p 127.0.0.1:8443:443 "$IMAGE" httpd -f -p 443 -h /www
mkdir -p /srv/netviz-demo/site
echo '<h1>shop</h1>' >/srv/netviz-demo/site/index.html
docker-compose -p shop -f scripts/demo/compose.yaml up -d >/dev/null 2>&1

# the classic example and the shared data must hold before they are recorded
docker exec container1 ping -c1 -W2 container2 >/dev/null
docker exec shop_api_1 sh -c 'echo order-1 >/uploads/order-1.txt'
docker exec shop_web_1 cat /uploads/order-1.txt >/dev/null
docker exec tenant-a sh -c 'echo note >/scratch/note.txt'
docker exec tenant-b cat /scratch/note.txt >/dev/null

python3 scripts/record_raw.py "$RAW" "$OUT"
echo "build-demo.sh: wrote $OUT" >&2

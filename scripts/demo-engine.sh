#!/usr/bin/env bash
# demo-engine.sh - a private, empty Docker engine to record the demo on (scripts/build-demo.sh
# needs an empty engine; the machine's own engine is shared with other work).
#
# One extra dockerd (with its own containerd) in its own network namespace `netviz-demo`
# (loopback only: nothing is created in the host's network namespace), its own mount
# namespace (slave propagation: its mounts die with it) and UTS namespace (host name `vm`),
# its own --data-root, --exec-root, pidfile and socket. The test image is loaded from the
# machine's engine with `docker save` (read-only use of that engine).
#
#   scripts/demo-engine.sh up      start it; prints the DOCKER_HOST line to use
#   scripts/demo-engine.sh down    stop it and remove everything it made
#   scripts/demo-engine.sh record  up, scripts/build-demo.sh against it, down
set -Eeuo pipefail
cd "$(dirname "$0")/.."
readonly NS=netviz-demo
readonly RUN=/run/netviz-demo
readonly LAB=/tmp/netviz-demo
readonly SOCK=unix://$RUN/docker.sock
IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

pid() { [ -f "$RUN/dockerd.pid" ] && cat "$RUN/dockerd.pid" || true; }

up() {
  [ "$(id -u)" = 0 ] || { echo "demo-engine.sh: needs root" >&2; exit 1; }
  [ -z "$(pid)" ] || { echo "demo-engine.sh: already up (DOCKER_HOST=$SOCK)" >&2; return 0; }
  mkdir -p "$RUN" "$LAB/data"
  ip netns add "$NS"
  ip netns exec "$NS" ip link set lo up
  printf '{"deprecated-key-path": "%s"}\n' "$LAB/key.json" >"$LAB/daemon.json"
  setsid nsenter --net="/run/netns/$NS" -- \
    unshare --mount --uts --propagation slave -- \
    env -i PATH="$PATH" HOME=/root \
    sh -c 'hostname vm && exec "$@"' sh \
    dockerd \
      --data-root "$LAB/data" \
      --exec-root "$RUN/exec" \
      --pidfile "$RUN/dockerd.pid" \
      -H "$SOCK" \
      --config-file "$LAB/daemon.json" \
      --cgroup-parent /netviz-demo \
      --exec-opt native.cgroupdriver=cgroupfs \
      --shutdown-timeout 1 \
    </dev/null >>"$LAB/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    DOCKER_HOST=$SOCK docker version >/dev/null 2>&1 && break
    sleep 0.25
  done
  DOCKER_HOST=$SOCK docker version >/dev/null 2>&1 || {
    tail -n 20 "$LAB/dockerd.log" >&2; echo "demo-engine.sh: dockerd did not start" >&2; exit 1; }
  docker save "$IMAGE" | DOCKER_HOST=$SOCK docker load >/dev/null
  echo "export DOCKER_HOST=$SOCK"
}

down() {
  local p
  p=$(pid)
  if [ -n "$p" ] && grep -q "$RUN/docker.sock" "/proc/$p/cmdline" 2>/dev/null; then
    DOCKER_HOST=$SOCK docker rm -f $(DOCKER_HOST=$SOCK docker ps -aq) >/dev/null 2>&1 || true
    kill "$p"
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$RUN" "$LAB"
  rmdir /sys/fs/cgroup/*/netviz-demo 2>/dev/null || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  record)
    trap down EXIT
    up >/dev/null
    DOCKER_HOST=$SOCK scripts/build-demo.sh
    ;;
  *) echo "usage: $0 up|down|record" >&2; exit 2 ;;
esac

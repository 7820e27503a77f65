#!/usr/bin/env bash
# Podman's Docker-compatible API on a unix socket, for netviz's Podman tests
# (tests/test_podman.py starts and stops it).
#   scripts/podman-lab.sh up     install podman, netavark, aardvark-dns if missing; start
#                                `podman system service` on the lab socket; import the test image
#   scripts/podman-lab.sh env    print the environment of a running lab
#   scripts/podman-lab.sh down   stop the service (images and the tests' objects are left to them)
# This machine refuses the rlimits Podman sets by default and runs hybrid cgroups that crun
# refuses: the lab's containers.conf (named by CONTAINERS_CONF) sets `default_ulimits = []`,
# runc and the cgroupfs manager.
set -euo pipefail

LAB=${NETVIZ_PODMAN_LAB:-/tmp/netviz-podman}
IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
export CONTAINERS_CONF=$LAB/containers.conf

log() { printf 'podman-lab.sh: %s\n' "$*" >&2; }

install() {
  if command -v podman >/dev/null && { [ -x /usr/lib/podman/netavark ] || command -v netavark >/dev/null; }; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || { log "podman is missing and not root: install it first"; return 1; }
  log "installing podman, netavark, aardvark-dns"
  local pkgs=(podman netavark aardvark-dns runc)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/tmp/netviz-apt.log 2>&1 || {
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/tmp/netviz-apt.log 2>&1
  }
}

running() { [ -S "$LAB/podman.sock" ] && [ -s "$LAB/service.pid" ] && kill -0 "$(cat "$LAB/service.pid")" 2>/dev/null; }

print_env() {
  echo "export CONTAINERS_CONF='$LAB/containers.conf' NETVIZ_PODMAN_HOST='unix://$LAB/podman.sock'"
}

image() {
  podman image exists "localhost/$IMAGE" && return 0
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/www"
  cp /bin/busybox "$dir/bin/busybox"
  for tool in sh ping nc wget nslookup ip sleep hostname httpd cat echo ls; do
    ln -s busybox "$dir/bin/$tool"
  done
  tar -C "$dir" -c . | podman import -q -c 'ENV PATH=/bin' -c 'CMD ["sleep","86400"]' - "localhost/$IMAGE" >/dev/null
  rm -rf "$dir"
}

up() {
  install
  mkdir -p "$LAB"
  cat >"$LAB/containers.conf" <<CONF
[containers]
default_ulimits = []
[network]
network_backend = "netavark"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  if ! running; then
    rm -f "$LAB/podman.sock"
    setsid podman system service --time=0 "unix://$LAB/podman.sock" >"$LAB/service.log" 2>&1 </dev/null &
    echo $! >"$LAB/service.pid"
    for _ in $(seq 1 50); do [ -S "$LAB/podman.sock" ] && break; sleep 0.2; done
    [ -S "$LAB/podman.sock" ] || { tail -n 20 "$LAB/service.log" >&2; log "the service did not start"; return 1; }
  fi
  image
  print_env
}

down() {
  if running; then kill "$(cat "$LAB/service.pid")" 2>/dev/null || true; fi
  rm -rf "$LAB"
}

case "${1:-up}" in
  up) up ;;
  env) running && print_env ;;
  down) down ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac

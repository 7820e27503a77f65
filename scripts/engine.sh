#!/usr/bin/env bash
# Make a Docker engine, the tiny local test image and the test tools (Graphviz, Chromium,
# docker-compose) available on this machine.
#   scripts/engine.sh up      install what is missing, start dockerd if no engine answers, build the image
#   scripts/engine.sh start   start dockerd if no engine answers (root only)
#   scripts/engine.sh image   build the image if it is missing
#   scripts/engine.sh graphviz  install Graphviz if `dot` is missing (the README's first command)
# No registry is needed: the image is busybox-static imported from a folder.
set -euo pipefail

IMAGE=${NETVIZ_TEST_IMAGE:-netviz/busybox:1}
LOG=${NETVIZ_DOCKERD_LOG:-/tmp/netviz-dockerd.log}

log() { printf 'engine.sh: %s\n' "$*" >&2; }
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

apt_install() {  # install Debian packages, refreshing the package lists when that is needed
  [ "$(id -u)" = 0 ] || { log "missing $* and not root: install them first"; return 1; }
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/tmp/netviz-apt.log 2>&1 || {
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/tmp/netviz-apt.log 2>&1
  }
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v dot >/dev/null || missing+=(graphviz)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v chromium >/dev/null || missing+=(chromium)   # the HTML output's browser tests
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

start_engine() {
  engine_up && return 0
  [ "$(id -u)" = 0 ] || { log "no engine answers and not root: start dockerd yourself"; return 1; }
  command -v dockerd >/dev/null || { log "dockerd is not installed (run: $0 up)"; return 1; }
  # A killed dockerd leaves its pid file behind and the next start refuses.
  if [ -e /var/run/docker.pid ] && ! pgrep -x dockerd >/dev/null; then rm -f /var/run/docker.pid; fi
  log "starting dockerd (log: $LOG)"
  setsid dockerd >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do engine_up && return 0; sleep 0.5; done
  tail -n 20 "$LOG" >&2 || true
  log "dockerd did not answer within 60 s"
  return 1
}

build_image() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/www"
  cp /bin/busybox "$dir/bin/busybox"
  for tool in sh ping nc wget nslookup ip sleep hostname httpd cat echo ls; do
    ln -s busybox "$dir/bin/$tool"
  done
  echo netviz >"$dir/www/index.html"
  tar -C "$dir" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sleep","86400"]' - "$IMAGE" >/dev/null
  rm -rf "$dir"
  log "built $IMAGE"
}

case "${1:-up}" in
  up) install_packages; start_engine; build_image ;;
  start) start_engine ;;
  image) build_image ;;
  graphviz) command -v dot >/dev/null || apt_install graphviz ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac

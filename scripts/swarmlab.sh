#!/usr/bin/env bash
# swarmlab.sh - a throw-away multi-node Docker Swarm on ONE Linux host, for netviz's swarm
# tests (tests/test_swarm.py starts and stops it). Adapted from the workplace's reference lab
# (shared/labs/swarmlab.sh): same design, the project's own copy so CI needs nothing else;
# the image defaults to netviz's test image (scripts/engine.sh image).
#
# Each "node" is an extra dockerd (with its own containerd, spawned by
# dockerd) running in
#   * its own network namespace  swarmlab-nodeN  (IP 10.231.0.N/24),
#   * its own mount namespace    (private, slave propagation: all overlay and
#                                 netns mounts die with the daemon),
#   * its own UTS namespace      (hostname swarmlab-nodeN, so swarm node
#                                 hostnames / constraints are distinct).
# The nodes are wired with veth pairs into a Linux bridge swarmlab-br0 that
# lives in a separate namespace swarmlab-hub.  NOTHING is created in the root
# network namespace: no links, no addresses, no routes, no iptables rules,
# no sysctls.  The host's main dockerd (/var/run/docker.sock) is only used
# read-only, once, to `docker save` the test image.
#
# Usage:
#   swarmlab.sh up       create (or reuse a healthy) lab, print DOCKER_HOST lines
#   swarmlab.sh down     tear everything down (idempotent), verify nothing is left
#   swarmlab.sh env      print the DOCKER_HOST lines of a running lab
#   swarmlab.sh status   nodes, daemons, memory
#   swarmlab.sh check    smoke test: API topology, spread service, cross-node
#                        ping over the overlay, dnsrr service, VIP/ingress probe
#
#   eval "$(../shared/labs/swarmlab.sh up)"   # exports DOCKER_HOST (= manager)
#
# Environment (read by `up`):
#   SWARMLAB_NODES=3        number of nodes (1..9; `check` needs >= 2)
#   SWARMLAB_MANAGERS=1     how many of them are managers (1..NODES; use 1 or 3)
#   SWARMLAB_IMAGE=netviz/busybox:1  image loaded into every node
#   SWARMLAB_IMAGE_TAR=...  use this tarball instead of `docker save` from the
#                           host daemon
#   SWARMLAB_POOL=10.232.0.0/16    swarm default address pool for overlays
# Environment (read by `down`):
#   SWARMLAB_LOGS_DIR=dir   copy the dockerd logs there before deleting the lab
#   SWARMLAB_DOWN_GRACE=10  seconds to wait for dockerd after SIGTERM; 0 = SIGKILL
#                           everything at once (fastest; safe, nothing persists)
# Both: SWARMLAB_NOLOCK=1 skips the flock on this script (recovery only)
#
# Everything the script creates is named/prefixed "swarmlab":
#   netns      swarmlab-hub, swarmlab-node1..N
#   links      swarmlab-br0, swarmlab-nN (in swarmlab-hub), swarmlab-eth0 (in nodes)
#   dirs       /run/swarmlab (exec-roots, sockets, pidfiles, state)
#              /tmp/swarmlab (data-roots, logs, daemon.json, key.json, image tar)
#   cgroups    /sys/fs/cgroup/<controller>/swarmlab-nodeN (cgroup parent)
#   swarm objs swarmlab-net (attachable overlay), swarmlab-check-* (check only)
# Plus, only if it did not exist before: /run/netns (created by `ip netns add`);
# it is removed again by `down` if it is empty then.

set -Eeuo pipefail
umask 022

readonly LAB=/tmp/swarmlab
readonly RUN=/run/swarmlab
readonly STATE=$RUN/state
readonly NET_PREFIX=10.231.0
readonly HUB_NS=swarmlab-hub
readonly BR=swarmlab-br0
readonly OVERLAY=swarmlab-net
readonly HOST_DOCKER=unix:///var/run/docker.sock
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

NODES=${SWARMLAB_NODES:-3}
MANAGERS=${SWARMLAB_MANAGERS:-1}
IMAGE=${SWARMLAB_IMAGE:-netviz/busybox:1}
IMAGE_TAR=${SWARMLAB_IMAGE_TAR:-}
POOL=${SWARMLAB_POOL:-10.232.0.0/16}

# docker CLI: never let the caller's environment redirect us to another daemon
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_CLI_HINTS=false

log()  { printf '[swarmlab %s] %s\n' "$(date +%T)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
now()  { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

sock()  { echo "$RUN/node$1.sock"; }
dh()    { echo "unix://$RUN/node$1.sock"; }
dk()    { local n=$1; shift; docker -H "$(dh "$n")" "$@"; }
nodeip() { echo "$NET_PREFIX.$1"; }

# Serialise concurrent invocations (lock on this script file; fd 9 is closed
# for every long-lived child so daemons never inherit the lock).
lock() {
  [ "${SWARMLAB_NOLOCK:-0}" = 1 ] && return 0
  exec 9<"$0"
  flock -w 120 9 || die "another swarmlab.sh run holds the lock (override: SWARMLAB_NOLOCK=1)"
}

# ---------------------------------------------------------------- discovery --
# Node numbers that have any trace on this machine (pidfile, dirs, netns, cgroup).
known_nodes() {
  {
    for f in "$RUN"/node*.pid "$RUN"/node* "$LAB"/node* /sys/fs/cgroup/*/swarmlab-node*; do
      [ -e "$f" ] || continue
      f=${f##*/}; f=${f#swarmlab-}; f=${f%.pid}; f=${f%.sock}
      [[ $f =~ ^node([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}"
    done
    ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^swarmlab-node\([0-9]\+\)$/\1/p'
  } | sort -nu
}

# One pass over /proc (bash builtins only, no fork per process).
# Prints "PID NODE SRC" for every process that belongs to the lab:
#   SRC=ns   lives in netns swarmlab-nodeN / swarmlab-hub (dockerd, containerd,
#            shims, docker-proxy, host-network containers, `ip netns exec` jobs)
#   SRC=arg  argv holds one of our unique paths (dockerd -H, containerd
#            --config, shim -address) - catches them even without the netns
#   SRC=cg   member of cgroup parent swarmlab-nodeN (container processes)
scan_lab_pids() {
  local p a n arg
  local -a args nsfiles=()
  for n in $(known_nodes); do
    [ -e "/run/netns/swarmlab-node$n" ] && nsfiles+=("$n:/run/netns/swarmlab-node$n")
  done
  [ -e "/run/netns/$HUB_NS" ] && nsfiles+=("hub:/run/netns/$HUB_NS")
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
    for a in "${nsfiles[@]}"; do
      if [ "/proc/$p/ns/net" -ef "${a#*:}" ]; then echo "$p ${a%%:*} ns"; continue 2; fi
    done
    mapfile -d '' -t args 2>/dev/null <"/proc/$p/cmdline" || continue
    for arg in "${args[@]}"; do
      case $arg in
        "unix://$RUN/node"*.sock|"$RUN/node"*/containerd/containerd.toml|"$RUN/node"*/containerd/containerd.sock)
          n=${arg#"unix://"}; n=${n#"$RUN/node"}; n=${n%%[!0-9]*}
          echo "$p $n arg"; continue 2 ;;
      esac
    done
  done
  for n in $(known_nodes); do
    pids_in_cgroup "$n" | sed "s/\$/ $n cg/"
  done
  return 0
}

# PIDs inside cgroup parent swarmlab-nodeN (container processes).
pids_in_cgroup() {
  local d
  for d in /sys/fs/cgroup/*/swarmlab-node"$1" /sys/fs/cgroup/swarmlab-node"$1"; do
    [ -d "$d" ] || continue
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done | sort -nu
}

# dockerd PID of node N from its pidfile, validated against its argv
# (guards against PID reuse): only a process whose argv contains
# "unix:///run/swarmlab/nodeN.sock" is ever signalled as node N's dockerd.
dockerd_pid() {
  local n=$1 p arg
  local -a args
  p=$(cat "$RUN/node$n.pid" 2>/dev/null || true)
  [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] || return 0
  mapfile -d '' -t args 2>/dev/null <"/proc/$p/cmdline" || return 0
  for arg in "${args[@]}"; do
    [ "$arg" = "unix://$RUN/node$n.sock" ] && { echo "$p"; return 0; }
  done
}

ping_node() { curl -sf -m 2 --unix-socket "$(sock "$1")" http://swarmlab/_ping >/dev/null 2>&1; }

# ------------------------------------------------------------------ memory ---
pss_kb() {  # sum of PSS (kB) of the given PIDs
  local p t=0 v
  for p in "$@"; do
    v=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

mem_report() {
  local scan n total=0 cg k pid node src comm d=0 c=0 s=0 o=0 ns=0
  scan=$(scan_lab_pids | sort -k1,1n -u)
  for n in $(known_nodes) hub; do
    d=0; c=0; s=0; o=0; ns=0
    while read -r pid node src; do
      [ "$node" = "$n" ] && [ "$src" != cg ] || continue
      comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
      k=$(pss_kb "$pid")
      case $comm in
        dockerd) d=$((d + k)) ;;
        containerd) c=$((c + k)) ;;
        containerd-shim*) s=$((s + k)); ns=$((ns + 1)) ;;
        *) o=$((o + k)) ;;
      esac
    done <<<"$scan"
    cg=0
    if [ "$n" != hub ]; then   # cgroup v1, else v2
      cg=$(cat /sys/fs/cgroup/memory/swarmlab-node"$n"/memory.usage_in_bytes 2>/dev/null ||
           cat /sys/fs/cgroup/swarmlab-node"$n"/memory.current 2>/dev/null || echo 0)
      cg=$((cg / 1024))
    fi
    k=$((d + c + s + o + cg)); total=$((total + k))
    [ "$n" = hub ] && [ "$k" = 0 ] && continue
    printf '  node%-3s dockerd %6d kB  containerd %6d kB  %2d shims %6d kB  other %5d kB  containers(memcg) %6d kB  = %6d kB\n' \
      "$n" "$d" "$c" "$ns" "$s" "$o" "$cg" "$k" >&2
  done
  printf '  lab total (PSS of daemons + container memcg usage): %d MiB\n' $((total / 1024)) >&2
}

# -------------------------------------------------------------------- env ----
print_env() {
  local n mgr=1
  for n in $(known_nodes); do
    echo "export SWARMLAB_NODE${n}_HOST=$(dh "$n")"
  done
  echo "export DOCKER_HOST=$(dh $mgr)   # manager (swarmlab-node$mgr)"
}

# ---------------------------------------------------------------- health -----
lab_healthy() {
  [ -r "$STATE" ] || return 1
  local want n ready
  want=$(sed -n 's/^nodes=//p' "$STATE")
  [ -n "$want" ] || return 1
  for n in $(seq 1 "$want"); do ping_node "$n" || return 1; done
  [ "$(dk 1 info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ] || return 1
  ready=$(dk 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true)
  [ "$ready" = "$want" ] || return 1
  dk 1 network inspect "$OVERLAY" >/dev/null 2>&1 || return 1
}

# ------------------------------------------------------------------- up ------
preflight() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local b
  for b in dockerd containerd runc docker ip nsenter unshare curl hostname awk; do
    command -v "$b" >/dev/null || die "missing binary: $b"
  done
  [[ $NODES =~ ^[0-9]+$ ]] && [ "$NODES" -ge 1 ] && [ "$NODES" -le 9 ] || die "SWARMLAB_NODES must be 1..9"
  [[ $MANAGERS =~ ^[0-9]+$ ]] && [ "$MANAGERS" -ge 1 ] && [ "$MANAGERS" -le "$NODES" ] || die "SWARMLAB_MANAGERS must be 1..NODES"
  # vxlan is auto-loaded by the kernel on first `ip link add type vxlan` if it is a module
  if [ -d /sys/module/vxlan ] || zgrep -qs '^CONFIG_VXLAN=[ym]' /proc/config.gz || \
     [ -n "$(find /lib/modules/"$(uname -r)" -name 'vxlan.ko*' 2>/dev/null | head -n1)" ]; then :; else
    log "WARNING: no vxlan support visible; overlay networking will fail"
  fi
  if [ -r /proc/config.gz ] && ! zgrep -qs '^CONFIG_IP_VS=[ym]' /proc/config.gz; then
    log "NOTE: kernel has no IPVS: service VIPs and the ingress routing mesh will not work (use --endpoint-mode dnsrr and mode=host published ports)"
  fi
}

prepare_image() {
  mkdir -p "$LAB"
  if [ -n "$IMAGE_TAR" ]; then
    [ -r "$IMAGE_TAR" ] || die "SWARMLAB_IMAGE_TAR=$IMAGE_TAR not readable"
    return
  fi
  IMAGE_TAR=$LAB/image.tar
  if [ ! -s "$IMAGE_TAR" ]; then
    log "exporting $IMAGE from the host daemon (read-only: docker save)"
    docker -H "$HOST_DOCKER" save "$IMAGE" -o "$IMAGE_TAR.tmp" || die "docker save $IMAGE failed"
    mv "$IMAGE_TAR.tmp" "$IMAGE_TAR"
  fi
}

create_network() {
  local n
  # remember whether /run/netns pre-existed (ip netns add creates + bind-mounts it)
  {
    echo "nodes=$NODES"
    echo "managers=$MANAGERS"
    if [ -d /run/netns ]; then echo "created_run_netns_dir=0"; else echo "created_run_netns_dir=1"; fi
    if mountpoint -q /run/netns 2>/dev/null; then echo "created_run_netns_mount=0"; else echo "created_run_netns_mount=1"; fi
  } >"$STATE"

  ip netns add "$HUB_NS"
  ip -n "$HUB_NS" link set lo up
  ip -n "$HUB_NS" link add "$BR" type bridge
  ip -n "$HUB_NS" link set "$BR" up
  for n in $(seq 1 "$NODES"); do
    ip netns add "swarmlab-node$n"
    ip -n "swarmlab-node$n" link set lo up
    # veth created directly inside the hub ns, peer moved straight into the node ns:
    # it never appears in the root namespace.
    ip -n "$HUB_NS" link add "swarmlab-n$n" type veth peer name swarmlab-eth0 netns "swarmlab-node$n"
    ip -n "$HUB_NS" link set "swarmlab-n$n" master "$BR" up
    ip -n "swarmlab-node$n" addr add "$(nodeip "$n")/24" dev swarmlab-eth0
    ip -n "swarmlab-node$n" link set swarmlab-eth0 up
  done
}

start_daemon() {
  local n=$1 dir=$LAB/node$1
  mkdir -p "$dir/data" "$RUN/node$n"
  # own config file: never read /etc/docker/daemon.json; own trust key (engine
  # ID) instead of sharing/creating /etc/docker/key.json (config-file-only key)
  printf '{"deprecated-key-path": "%s"}\n' "$dir/key.json" >"$dir/daemon.json"
  # Run in: node netns (nsenter) + new mount ns (slave) + new UTS ns.
  setsid nsenter --net="/run/netns/swarmlab-node$n" -- \
    unshare --mount --uts --propagation slave -- \
    env -i PATH="$PATH" HOME=/root DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 \
    sh -c 'hostname "$1" && shift && exec "$@"' sh "swarmlab-node$n" \
    dockerd \
      --data-root "$dir/data" \
      --exec-root "$RUN/node$n" \
      --pidfile "$RUN/node$n.pid" \
      -H "$(dh "$n")" \
      --config-file "$dir/daemon.json" \
      --cgroup-parent "/swarmlab-node$n" \
      --exec-opt native.cgroupdriver=cgroupfs \
      --shutdown-timeout 1 \
    </dev/null >>"$dir/dockerd.log" 2>&1 9<&- &   # 9<&-: do not leak the lock fd
}

wait_daemon() {
  local n=$1 i
  for i in $(seq 1 120); do
    ping_node "$n" && return 0
    if [ "$i" -gt 8 ] && [ -z "$(dockerd_pid "$n")" ]; then
      tail -n 20 "$LAB/node$n/dockerd.log" >&2 || true
      die "dockerd of node$n exited during startup (log: $LAB/node$n/dockerd.log)"
    fi
    sleep 0.25
  done
  tail -n 20 "$LAB/node$n/dockerd.log" >&2 || true
  die "dockerd of node$n did not answer within 30s"
}

cmd_up() {
  lock
  trap 'rc=$?; [ $rc -eq 0 ] || log "up FAILED (rc=$rc) - logs: $LAB/node*/dockerd.log ; clean up with: $0 down"' EXIT
  preflight
  if lab_healthy; then
    log "lab already up and healthy - reusing it"
    print_env; return 0
  fi
  if [ -n "$(known_nodes)" ] || ip netns list 2>/dev/null | grep -q "^$HUB_NS\b" || [ -e "$RUN" ]; then
    log "stale/partial lab found - cleaning it first"
    do_down
  fi
  local t0 t n pids=() mgr_tok wrk_tok
  t0=$(now)
  prepare_image
  mkdir -p "$RUN" "$LAB"
  create_network
  log "network namespaces ready ($(since "$t0")s)"

  for n in $(seq 1 "$NODES"); do start_daemon "$n"; done
  for n in $(seq 1 "$NODES"); do wait_daemon "$n"; done
  log "$NODES dockerd up ($(since "$t0")s)"

  for n in $(seq 1 "$NODES"); do dk "$n" load -q -i "$IMAGE_TAR" >/dev/null 9<&- & pids+=($!); done
  for t in "${pids[@]}"; do wait "$t" || die "docker load failed"; done
  log "image loaded on all nodes ($(since "$t0")s)"

  dk 1 swarm init --advertise-addr "$(nodeip 1)" --listen-addr "$(nodeip 1):2377" \
      --default-addr-pool "$POOL" --default-addr-pool-mask-length 24 >/dev/null
  mgr_tok=$(dk 1 swarm join-token -q manager)
  wrk_tok=$(dk 1 swarm join-token -q worker)
  for n in $(seq 2 "$NODES"); do
    if [ "$n" -le "$MANAGERS" ]; then t=$mgr_tok; else t=$wrk_tok; fi
    dk "$n" swarm join --token "$t" --advertise-addr "$(nodeip "$n")" \
        --listen-addr "$(nodeip "$n"):2377" "$(nodeip 1):2377" >/dev/null
  done
  # label nodes (hostname constraints also work: node.hostname==swarmlab-nodeN)
  for n in $(seq 1 "$NODES"); do
    dk 1 node update --label-add "swarmlab.node=node$n" \
       "$(dk "$n" info --format '{{.Swarm.NodeID}}')" >/dev/null
  done
  dk 1 network create -d overlay --attachable "$OVERLAY" >/dev/null
  for t in $(seq 1 120); do
    [ "$(dk 1 node ls --format '{{.Status}}' | grep -c '^Ready$' || true)" = "$NODES" ] && break
    sleep 0.25
  done
  [ "$(dk 1 node ls --format '{{.Status}}' | grep -c '^Ready$' || true)" = "$NODES" ] || die "not all nodes Ready"
  log "swarm ready: $NODES nodes ($MANAGERS manager(s)), overlay '$OVERLAY' - up took $(since "$t0")s"
  dk 1 node ls >&2
  mem_report
  print_env
}

# ------------------------------------------------------------------ down -----
kill_list() {  # signal, pids...
  local sig=$1 p; shift
  for p in "$@"; do kill "-$sig" "$p" 2>/dev/null || true; done
}

do_down() {
  local t0 n nodes p left i d created_dir=0 created_mnt=0
  t0=$(now)
  if [ -r "$STATE" ]; then
    created_dir=$(sed -n 's/^created_run_netns_dir=//p' "$STATE")
    created_mnt=$(sed -n 's/^created_run_netns_mount=//p' "$STATE")
  fi
  nodes=$(known_nodes)

  # 1. container processes are disposable: SIGKILL them first (found via the
  #    swarmlab-nodeN cgroup parent), so dockerd does not sit out stop grace
  #    periods (10 s per swarm task whose PID 1 ignores SIGTERM).
  local cpids=()
  mapfile -t cpids < <(for n in $nodes; do pids_in_cgroup "$n"; done)
  if [ ${#cpids[@]} -gt 0 ]; then
    log "SIGKILL ${#cpids[@]} container processes"
    kill_list KILL "${cpids[@]}"
  fi

  # 2. SIGTERM each (validated) dockerd; it cleans up its (now dead)
  #    containers and stops its own containerd.  Wait at most
  #    SWARMLAB_DOWN_GRACE seconds (default 10; 0 = go straight to SIGKILL,
  #    which is safe: all mounts live in the daemons' private mount ns and
  #    every data dir is deleted anyway).
  local dpids=() grace=${SWARMLAB_DOWN_GRACE:-10}
  for n in $nodes; do
    p=$(dockerd_pid "$n" || true)
    [ -n "$p" ] && dpids+=("$p")
  done
  if [ ${#dpids[@]} -gt 0 ] && [ "$grace" != 0 ]; then
    log "SIGTERM dockerd pids: ${dpids[*]}"
    kill_list TERM "${dpids[@]}"
    for i in $(seq 1 $((grace * 4))); do
      left=0; for p in "${dpids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
      [ $left = 0 ] && break; sleep 0.25
    done
    log "dockerd stopped after $(since "$t0")s"
  fi

  # 3. hard: anything still belonging to a node (identified by exact argv
  #    paths, node netns membership, or swarmlab cgroup membership) -> SIGKILL.
  for i in 1 2 3 4 5 6 7 8 9 10; do
    local all=()
    mapfile -t all < <(scan_lab_pids | awk '{print $1}' | sort -nu)
    [ ${#all[@]} -eq 0 ] && break
    log "SIGKILL leftover lab pids: ${all[*]}"
    kill_list KILL "${all[@]}"
    sleep 0.3
  done

  # 4. cgroups (cgroup v1 controllers + unified/systemd hierarchies)
  for d in /sys/fs/cgroup/*/swarmlab-node* /sys/fs/cgroup/swarmlab-node*; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done

  # 5. network namespaces (deleting a netns destroys its links, bridge,
  #    iptables tables and sysctls)
  for d in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^swarmlab-' || true); do
    ip netns del "$d" 2>/dev/null || true
  done

  # 6. /run/netns: only if we created it and nobody else uses it now.
  #    Non-lazy umount/rmdir fail safely if someone added a netns meanwhile.
  if [ -d /run/netns ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
    [ "$created_mnt" = 1 ] && mountpoint -q /run/netns && umount /run/netns 2>/dev/null || true
    [ "$created_dir" = 1 ] && rmdir /run/netns 2>/dev/null || true
  elif [ "$created_dir" = 1 ] && [ -d /run/netns ]; then
    log "note: /run/netns was created by swarmlab but now holds other namespaces ($(ls /run/netns | tr '\n' ' ')) - left in place"
  fi

  # optional: keep daemon logs (incl. shutdown) for CI post-mortems
  if [ -n "${SWARMLAB_LOGS_DIR:-}" ]; then
    mkdir -p "$SWARMLAB_LOGS_DIR"
    for n in $nodes; do
      [ -f "$LAB/node$n/dockerd.log" ] && cp "$LAB/node$n/dockerd.log" "$SWARMLAB_LOGS_DIR/swarmlab-node$n-dockerd.log"
    done
  fi

  # 7. stray mounts under our dirs (only possible if a daemon ran outside its
  #    private mount ns), then the directories themselves.
  { awk '{print $5}' /proc/self/mountinfo | grep -E "^($RUN|$LAB)(/|\$)" || true; } | sort -r |
    while read -r d; do log "unmounting stray $d"; umount -l "$d" 2>/dev/null || true; done
  rm -rf --one-file-system "$RUN" "$LAB" || true

  # 8. verify
  local problems=()
  ip netns list 2>/dev/null | grep -q '^swarmlab-' && problems+=("netns: $(ip netns list | grep '^swarmlab-' | tr '\n' ' ')")
  ip -br link 2>/dev/null | grep -q swarmlab && problems+=("links in root ns")
  ls -d /sys/fs/cgroup/*/swarmlab-node* >/dev/null 2>&1 && problems+=("cgroups: $(ls -d /sys/fs/cgroup/*/swarmlab-node* | tr '\n' ' ')")
  [ -e "$RUN" ] && problems+=("$RUN exists")
  [ -e "$LAB" ] && problems+=("$LAB exists")
  left=$(scan_lab_pids | awk '{print $1}' | sort -nu | tr '\n' ' ')
  [ -n "$left" ] && problems+=("pids: $left")
  if [ ${#problems[@]} -gt 0 ]; then
    log "down finished with leftovers: ${problems[*]}"
    return 1
  fi
  log "down complete in $(since "$t0")s - nothing left"
}

cmd_down() { [ "$(id -u)" = 0 ] || die "must run as root"; lock; do_down; }

# ---------------------------------------------------------------- status -----
cmd_status() {
  local n
  if [ -z "$(known_nodes)" ]; then log "no lab"; return 1; fi
  for n in $(known_nodes); do
    if ping_node "$n"; then
      printf '  node%s  pid=%s  %s  swarm=%s\n' "$n" "$(dockerd_pid "$n")" "$(dh "$n")" \
        "$(dk "$n" info --format '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}' 2>/dev/null)" >&2
    else
      printf '  node%s  NOT RESPONDING\n' "$n" >&2
    fi
  done
  ping_node 1 && dk 1 node ls >&2
  mem_report
}

# ----------------------------------------------------------------- check -----
cmd_check() {
  lab_healthy || die "lab is not up (run: $0 up)"
  local nodes a b t0 rc=0 api
  nodes=$(sed -n 's/^nodes=//p' "$STATE")
  [ "$nodes" -ge 2 ] || die "check needs >= 2 nodes"
  api=$(dk 1 version --format '{{.Server.APIVersion}}')
  g() { curl -sf --unix-socket "$(sock 1)" "http://swarmlab/v$api$1"; }
  t0=$(now)

  # cleanup leftovers of an earlier check
  dk 1 service rm swarmlab-check-spread swarmlab-check-pinned swarmlab-check-vip >/dev/null 2>&1 || true
  for n in $(seq 1 "$nodes"); do dk "$n" rm -f "swarmlab-check-c$n" >/dev/null 2>&1 || true; done

  log "deploying services"
  dk 1 service create -d --no-resolve-image --name swarmlab-check-spread \
     --replicas "$nodes" --replicas-max-per-node 1 --endpoint-mode dnsrr --network "$OVERLAY" \
     "$IMAGE" busybox httpd -f -p 8080 -h /etc >/dev/null
  dk 1 service create -d --no-resolve-image --name swarmlab-check-pinned \
     --replicas 2 --constraint "node.hostname==swarmlab-node2" --network "$OVERLAY" \
     "$IMAGE" busybox sleep 1d >/dev/null
  dk 1 service create -d --no-resolve-image --name swarmlab-check-vip \
     --replicas 2 --network "$OVERLAY" "$IMAGE" busybox httpd -f -p 8080 -h /etc >/dev/null

  # attachable-overlay containers on the last two nodes
  a=$((nodes - 1)); b=$nodes
  dk "$a" run -d --name "swarmlab-check-c$a" --network "$OVERLAY" "$IMAGE" busybox sleep 1d >/dev/null
  dk "$b" run -d --name "swarmlab-check-c$b" --network "$OVERLAY" "$IMAGE" busybox sleep 1d >/dev/null

  local i conv=""
  for i in $(seq 1 120); do
    conv=$(dk 1 service ls --filter name=swarmlab-check- --format '{{.Name}}={{.Replicas}}' | sort | tr '\n' ' ')
    [ "$(echo "$conv" | grep -o '=\([0-9]*\)/\1\b' | wc -l)" = 3 ] && break
    sleep 0.5
  done
  log "services: $conv(converged after $(since "$t0")s)"

  echo "== GET /nodes"
  g /nodes | jq -r '.[] | "  \(.Description.Hostname)  \(.Spec.Role)  \(.Status.State)  \(.Status.Addr)  labels=\(.Spec.Labels|tostring)  leader=\(.ManagerStatus.Leader // false)"'
  echo "== GET /services"
  g /services | jq -r '.[] | "  \(.Spec.Name)  replicas=\(.Spec.Mode.Replicated.Replicas // "global")  endpoint=\(.Spec.EndpointSpec.Mode)  vips=\([.Endpoint.VirtualIPs[]?.Addr]|join(","))"'
  echo "== GET /tasks (running)"
  local idmap
  idmap=$(g /nodes | jq -c 'map({(.ID): .Description.Hostname}) | add')
  g /services | jq -c 'map({(.ID): .Spec.Name}) | add' >"$RUN/.svcmap"
  g /tasks | jq -r --argjson nodes "$idmap" --slurpfile s "$RUN/.svcmap" \
    '.[] | select(.Status.State=="running" and $s[0][.ServiceID] != null) | "  \($s[0][.ServiceID]).\(.Slot // "g")  on \($nodes[.NodeID])  \([.NetworksAttachments[]?.Addresses[]]|join(","))"' | sort
  echo "== GET /networks (swarm scope)"
  g /networks | jq -r '.[] | select(.Scope=="swarm") | "  \(.Name)  \(.Driver)  attachable=\(.Attachable)  \([.IPAM.Config[]?.Subnet]|join(","))"'
  echo "== overlay peers of $OVERLAY"
  g "/networks/$OVERLAY?verbose=true" | jq -r '.Peers[]? | "  \(.Name) \(.IP)"'

  echo "== spread check (one replica per node)"
  g /tasks | jq -r --argjson nodes "$idmap" --slurpfile s "$RUN/.svcmap" \
    '[.[] | select(.Status.State=="running" and $s[0][.ServiceID]=="swarmlab-check-spread") | $nodes[.NodeID]] | sort | unique | "  distinct nodes: \(length) -> \(join(","))"'

  echo "== ping over overlay: swarmlab-check-c$a (node$a) -> swarmlab-check-c$b (node$b)"
  local ipb
  ipb=$(dk "$b" inspect -f "{{(index .NetworkSettings.Networks \"$OVERLAY\").IPAddress}}" "swarmlab-check-c$b")
  if dk "$a" exec "swarmlab-check-c$a" ping -c 3 -W 2 "swarmlab-check-c$b"; then
    echo "  PASS (by name, resolved via swarm DNS to $ipb)"
  else echo "  FAIL"; rc=1; fi

  echo "== dnsrr service reachable from node$a over the overlay (HTTP via nc; busybox wget segfaults in this image)"
  local ips hits=0 ip
  ips=$({ dk "$a" exec "swarmlab-check-c$a" nslookup tasks.swarmlab-check-spread 127.0.0.11 2>/dev/null || true; } | awk '/^Address/ && !/127\.0\.0\.11/ {print $NF}')
  for ip in $ips; do
    if out=$(dk "$a" exec "swarmlab-check-c$a" sh -c "printf 'GET /hostname HTTP/1.0\r\n\r\n' | nc -w 3 $ip 8080" 2>/dev/null) && [ -n "$out" ]; then
      hits=$((hits + 1)); echo "  $ip -> container $(echo "$out" | tail -n1)"
    else echo "  $ip -> no answer"; fi
  done
  [ "$hits" -ge "$nodes" ] && echo "  PASS ($hits/$nodes task IPs answered)" || { echo "  FAIL ($hits/$nodes)"; rc=1; }

  echo "== VIP (IPVS) service: swarmlab-check-vip"
  if dk "$a" exec "swarmlab-check-c$a" sh -c "printf 'GET /hostname HTTP/1.0\r\n\r\n' | nc -w 3 swarmlab-check-vip 8080" 2>/dev/null | grep -q 200; then
    echo "  VIP works"
  else
    echo "  VIP does NOT answer (expected when the kernel lacks CONFIG_IP_VS)"
  fi

  log "check finished in $(since "$t0")s; removing check objects"
  dk 1 service rm swarmlab-check-spread swarmlab-check-pinned swarmlab-check-vip >/dev/null 2>&1 || true
  dk "$a" rm -f "swarmlab-check-c$a" >/dev/null 2>&1 || true
  dk "$b" rm -f "swarmlab-check-c$b" >/dev/null 2>&1 || true
  rm -f "$RUN/.svcmap"
  return $rc
}

case "${1:-}" in
  up)     cmd_up ;;
  down)   cmd_down ;;
  env)    lab_healthy || die "lab is not up"; print_env ;;
  status) cmd_status ;;
  check)  cmd_check ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac

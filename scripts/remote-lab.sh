#!/usr/bin/env bash
# A real OpenSSH server on loopback in front of this machine's dockerd, for netviz's ssh://
# tests (tests/test_remote.py starts and stops it). Nothing of the user's own ssh setup is
# touched: the lab has its own host key, client keys, known_hosts and an ssh_config with Host
# aliases on non-22 ports, and a bin/ssh wrapper that runs the system ssh with that config
# (`ssh -F`), so a process whose PATH starts with the lab's bin/ uses the aliases exactly as a
# user's ~/.ssh/config would be used.
#   scripts/remote-lab.sh up     install openssh-server if missing, start sshd, print the env
#   scripts/remote-lab.sh env    print `export PATH=...` for a running lab
#   scripts/remote-lab.sh down   stop sshd and remove the lab
# Aliases (ssh_config):
#   nvt-remote     127.0.0.1:$PORT, root, the authorised key, known host key
#   nvt-nodocker   the same server on PORT+1, where PATH has no docker (as on a host without it)
#   nvt-swarm1     PORT+2, where DOCKER_HOST is the swarm lab's node1 (scripts/swarmlab.sh)
#   nvt-stranger   PORT with a key the server does not accept
#   nvt-unknown    PORT with an empty known_hosts (StrictHostKeyChecking yes)
#   nvt-down       PORT+7, where nothing listens
set -euo pipefail

LAB=${NETVIZ_REMOTE_LAB:-/tmp/netviz-remote-lab}
PORT=${NETVIZ_REMOTE_PORT:-42222}

log() { printf 'remote-lab.sh: %s\n' "$*" >&2; }

install_sshd() {
  [ -x /usr/sbin/sshd ] && return 0
  [ "$(id -u)" = 0 ] || { log "openssh-server is missing and not root: install it first"; return 1; }
  log "installing openssh-server"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/tmp/netviz-apt.log 2>&1 || {
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/tmp/netviz-apt.log 2>&1
  }
}

running() { [ -s "$LAB/sshd.pid" ] && kill -0 "$(cat "$LAB/sshd.pid")" 2>/dev/null; }

print_env() {
  echo "export PATH='$LAB/bin':\"\$PATH\""
  echo "export NETVIZ_REMOTE_LAB='$LAB' NETVIZ_REMOTE_PORT='$PORT'"
}

up() {
  [ "$(id -u)" = 0 ] || { log "the lab logs in as root: run it as root"; return 1; }
  install_sshd
  if running; then print_env; return 0; fi
  rm -rf "$LAB"
  mkdir -p "$LAB/bin" /run/sshd
  chmod 700 "$LAB"
  ssh-keygen -q -t ed25519 -N '' -C netviz-lab-host -f "$LAB/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C netviz-lab-client -f "$LAB/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C netviz-lab-stranger -f "$LAB/stranger"
  cp "$LAB/id_ed25519.pub" "$LAB/authorized_keys"
  : >"$LAB/empty_known_hosts"
  local key
  key=$(cut -d' ' -f1,2 "$LAB/host_ed25519.pub")
  for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
    echo "[127.0.0.1]:$p $key" >>"$LAB/known_hosts"
  done
  cat >"$LAB/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
ListenAddress 127.0.0.1:$((PORT + 1))
ListenAddress 127.0.0.1:$((PORT + 2))
HostKey $LAB/host_ed25519
PidFile $LAB/sshd.pid
AuthorizedKeysFile $LAB/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel VERBOSE
Match LocalPort $((PORT + 1))
  SetEnv PATH=/var/empty
Match LocalPort $((PORT + 2))
  SetEnv DOCKER_HOST=unix:///run/swarmlab/node1.sock
EOF
  local common="HostName 127.0.0.1
  User root
  IdentitiesOnly yes
  UserKnownHostsFile $LAB/known_hosts
  StrictHostKeyChecking yes
  ControlMaster no"
  cat >"$LAB/ssh_config" <<EOF
Host nvt-remote
  Port $PORT
  IdentityFile $LAB/id_ed25519
  $common
Host nvt-nodocker
  Port $((PORT + 1))
  IdentityFile $LAB/id_ed25519
  $common
Host nvt-swarm1
  Port $((PORT + 2))
  IdentityFile $LAB/id_ed25519
  $common
Host nvt-stranger
  Port $PORT
  IdentityFile $LAB/stranger
  $common
Host nvt-unknown
  Port $PORT
  IdentityFile $LAB/id_ed25519
  HostName 127.0.0.1
  User root
  IdentitiesOnly yes
  UserKnownHostsFile $LAB/empty_known_hosts
  StrictHostKeyChecking yes
Host nvt-down
  Port $((PORT + 7))
  IdentityFile $LAB/id_ed25519
  $common
Host 127.0.0.1
  IdentityFile $LAB/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $LAB/known_hosts
  StrictHostKeyChecking yes
EOF
  cat >"$LAB/bin/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -F '$LAB/ssh_config' "\$@"
EOF
  chmod 755 "$LAB/bin/ssh"
  chmod 600 "$LAB"/ssh_config "$LAB"/id_ed25519 "$LAB"/stranger
  /usr/sbin/sshd -f "$LAB/sshd_config" -E "$LAB/sshd.log"
  for _ in $(seq 1 50); do
    if PATH="$LAB/bin:$PATH" ssh -o BatchMode=yes nvt-remote true 2>/dev/null; then
      print_env
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$LAB/sshd.log" >&2 || true
  log "sshd did not accept the lab's login"
  return 1
}

down() {
  if running; then
    kill "$(cat "$LAB/sshd.pid")" 2>/dev/null || true
  fi
  rm -rf "$LAB"
}

case "${1:-up}" in
  up) up ;;
  env) running && print_env ;;
  down) down ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac

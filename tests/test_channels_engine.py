"""Channels besides the network, proved on the real engine.

For every channel netviz reports between the lab's containers, the test does what the channel
claims (writes a file one side and reads it on the other, enters the other's processes, runs
`docker ps` and `docker exec` through a mounted socket), and where netviz reports none it
checks the same act fails. `--privileged` containers cannot start on this machine: the
privileged one is created, reported, and shown to control nothing while stopped.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.analysis.channels import ChannelKind, Channels
from visualizer.analysis.findings import audit_findings
from visualizer.analysis.policy import evaluate, parse_policy
from visualizer.analysis.reachability import Reachability
from visualizer.graph import containers

pytestmark = pytest.mark.docker

SOCKET = "/var/run/docker.sock"


def marker(name):
    """A `sleep` whose argument says which container runs it, to find its process."""
    return ("sleep", str(86400 + sum(map(ord, name)) * 7))


@pytest.fixture(scope="module")
def world(module_lab, tmp_path_factory):
    lab = module_lab
    share = tmp_path_factory.mktemp("share")
    (share / "inner").mkdir()
    volume = lab.name("vol")
    lab.docker("volume", "create", "--label", lab.label, volume)
    try:
        lab.network("left")
        lab.network("right")
        left, right = ("--network", lab.name("left")), ("--network", lab.name("right"))
        run = {
            "writer": (*left, "-v", f"{volume}:/data", "-v", f"{share}:/host"),
            "reader": (*right, "-v", f"{volume}:/data:ro", "-v", f"{share}/inner:/inner:ro"),
            "stranger": (*left,),
            "heir": (*right, "--volumes-from", lab.name("writer")),
            "ipc-owner": ("--ipc", "shareable"),
            "ipc-guest": ("--ipc", f"container:{lab.name('ipc-owner')}"),
            "pid-owner": (),
            "pid-guest": ("--pid", f"container:{lab.name('pid-owner')}"),
            "pid-host": ("--pid", "host"),
            "sock": ("-v", f"{SOCKET}:{SOCKET}:ro"),
        }
        for short, opts in run.items():
            lab.run(short, *opts, cmd=marker(lab.name(short)))
        lab.docker(
            "create", "--name", lab.name("priv"), "--label", lab.label, "--privileged",
            "netviz/busybox:1", "sleep", "1d",
        )  # fmt: skip
        _docker_client_into(lab, lab.name("sock"))
        snap = nv.load(nv.SourceSpec(), inspect=True)  # what audit reads
        g = nv.build_graph(snap)
        yield lab, g, share
    finally:
        lab.cleanup()
        lab.docker("volume", "rm", "-f", volume, check=False)


def _docker_client_into(lab, container):
    """Copy the machine's docker CLI and the libraries it links into the container."""
    binary = shutil.which("docker")
    assert binary is not None
    linked = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False)
    # a static binary links nothing (and ldd exits 1)
    libs = [p for line in linked.stdout.splitlines() for p in line.split() if p.startswith("/")]
    for path in libs:
        lab.docker("exec", container, "mkdir", "-p", path.rsplit("/", 1)[0])
        lab.docker("cp", "-L", path, f"{container}:{path}")
    lab.docker("cp", "-L", binary, f"{container}:/bin/docker")


def keys(lab, g):
    return {
        c.name.removeprefix(lab.prefix): k
        for k, c in containers(g)
        if c.name.startswith(lab.prefix)
    }


def kinds(channels, a, b):
    return {(ch.kind, ch.direction) for ch in channels.between(a, b)}


def sh(lab, short, script):
    return lab.docker("exec", lab.name(short), "sh", "-c", script, check=False)


def pid_of(lab, short, seen_from):
    """The PID of a lab container's marker process, as `seen_from` sees it (or None)."""
    want = " ".join(marker(lab.name(short))) + " "
    found = sh(
        lab,
        seen_from,
        f'for d in /proc/[0-9]*; do [ "$(tr "\\0" " " < $d/cmdline 2>/dev/null)" = "{want}" ]'
        ' && echo "${d#/proc/}"; done',
    ).stdout.split()
    return found[0] if found else None


def test_a_shared_volume_and_host_path_carry_data_one_way(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    writer, reader, stranger = k["writer"], k["reader"], k["stranger"]
    there = {(c.kind, c.resource, c.direction) for c in ch.between(writer, reader)}
    assert (ChannelKind.VOLUME, lab.name("vol"), "one-way") in there
    assert any(kind is ChannelKind.BIND and d == "one-way" for kind, _, d in there)
    assert not ch.between(reader, writer)  # read-only: nothing flows back
    assert not ch.between(writer, stranger) and not ch.between(stranger, writer)
    # what the channels claim
    assert sh(lab, "writer", "echo v1 > /data/f && echo b1 > /host/inner/g").returncode == 0
    assert sh(lab, "reader", "cat /data/f").stdout.strip() == "v1"
    assert sh(lab, "reader", "cat /inner/g").stdout.strip() == "b1"
    # where netviz says there is none
    assert sh(lab, "reader", "echo back > /data/back").returncode != 0
    assert sh(lab, "reader", "echo back > /inner/back").returncode != 0
    assert sh(lab, "stranger", "cat /data/f").returncode != 0
    # the network keeps them apart, so the volume crosses an isolation boundary: A29
    assert not lab.ping("writer", lab.name("reader"))
    reach = Reachability(g)
    assert not reach.verdict(writer, reader).reachable
    pair = {lab.name("writer"), lab.name("reader")}
    crossing = {
        f.detail
        for f in nv.analyse(g).findings
        if f.id == "A29" and pair <= {s.name for s in f.subjects}
    }
    assert f"volume {lab.name('vol')}" in crossing


def test_volumes_from_shares_every_mount_both_ways(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    assert (ChannelKind.VOLUMES_FROM, "two-way") in kinds(ch, k["writer"], k["heir"])
    assert (ChannelKind.VOLUMES_FROM, "two-way") in kinds(ch, k["heir"], k["writer"])
    heir = nv.build_graph(nv.load(nv.SourceSpec())).graph["snapshot"]
    mounts = next(c for c in heir.containers if c.name == lab.name("heir")).mounts
    assert {m.destination for m in mounts} == {"/data", "/host"}  # the list shows them
    assert sh(lab, "heir", "echo h1 > /data/from-heir").returncode == 0
    assert sh(lab, "writer", "cat /data/from-heir").stdout.strip() == "h1"


def test_a_shared_ipc_namespace_is_a_channel_and_a_private_one_is_not(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    assert (ChannelKind.IPC, "two-way") in kinds(ch, k["ipc-owner"], k["ipc-guest"])
    assert (ChannelKind.IPC, "two-way") in kinds(ch, k["ipc-guest"], k["ipc-owner"])
    assert not {kd for kd, _ in kinds(ch, k["ipc-owner"], k["stranger"])} & {ChannelKind.IPC}
    ns = {
        s: sh(lab, s, "readlink /proc/self/ns/ipc").stdout
        for s in ("ipc-owner", "ipc-guest", "stranger")
    }
    assert ns["ipc-owner"] == ns["ipc-guest"] != ns["stranger"]
    assert sh(lab, "ipc-owner", "echo shm > /dev/shm/x").returncode == 0
    assert sh(lab, "ipc-guest", "cat /dev/shm/x").stdout.strip() == "shm"
    assert sh(lab, "stranger", "cat /dev/shm/x").returncode != 0


def test_a_shared_pid_namespace_shows_and_enters_the_other_processes(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    assert (ChannelKind.PID, "two-way") in kinds(ch, k["pid-owner"], k["pid-guest"])
    assert (ChannelKind.PID, "two-way") in kinds(ch, k["pid-guest"], k["pid-owner"])
    assert not ch.between(k["stranger"], k["pid-owner"])
    owner_pid = pid_of(lab, "pid-owner", "pid-guest")
    assert owner_pid is not None  # the guest sees the owner's process
    assert pid_of(lab, "pid-guest", "pid-owner") is not None  # and the other way round
    assert sh(lab, "pid-guest", f"echo in > /proc/{owner_pid}/root/tmp/from-guest").returncode == 0
    assert sh(lab, "pid-owner", "cat /tmp/from-guest").stdout.strip() == "in"
    assert pid_of(lab, "pid-owner", "stranger") is None  # not from a private namespace


def test_the_host_pid_namespace_has_power_over_every_container(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    assert "the host's PID namespace (pid=host)" in ch.powers(k["pid-host"])
    assert (ChannelKind.HOST, "one-way") in kinds(ch, k["pid-host"], k["stranger"])
    assert not kinds(ch, k["stranger"], k["pid-host"])
    target = pid_of(lab, "stranger", "pid-host")
    assert target is not None
    assert sh(lab, "pid-host", f"echo owned > /proc/{target}/root/tmp/by-pid-host").returncode == 0
    assert sh(lab, "stranger", "cat /tmp/by-pid-host").stdout.strip() == "owned"
    assert pid_of(lab, "pid-host", "stranger") is None


def test_a_mounted_socket_runs_docker_on_the_engine_even_read_only(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    assert ch.powers(k["sock"]) == (f"the engine socket ({SOCKET})",)
    assert (ChannelKind.HOST, "one-way") in kinds(ch, k["sock"], k["stranger"])
    assert (ChannelKind.HOST, "one-way") in kinds(ch, k["sock"], k["priv"])  # stopped ones too
    listed = sh(lab, "sock", "docker ps -a --format '{{.Names}}'")
    assert listed.returncode == 0, listed.stderr
    assert lab.name("stranger") in listed.stdout.split()
    done = sh(lab, "sock", f"docker exec {lab.name('stranger')} sh -c 'echo x > /tmp/by-socket'")
    assert done.returncode == 0, done.stderr
    assert sh(lab, "stranger", "ls /tmp/by-socket").returncode == 0
    assert not kinds(ch, k["stranger"], k["sock"])
    assert sh(lab, "stranger", f"test -S {SOCKET}").returncode != 0


def test_findings_and_the_stopped_privileged_container(world):
    lab, g, _ = world
    k, ch = keys(lab, g), Channels(g)
    found = {
        (f.id, f.detail)
        for f in audit_findings(nv.build_graph(g.graph["snapshot"]).graph["snapshot"])
        for s in f.subjects
        if s.name.startswith(lab.prefix)
    }
    assert ("A21", f"{SOCKET}:{SOCKET}") in found
    assert ("A23", "") in found
    assert ("A24", "PID") in found
    # --privileged cannot start here: it is reported, and while stopped it controls nothing
    assert "privileged mode" in ch.powers(k["priv"])
    assert not ch.between(k["priv"], k["stranger"])
    state = lab.docker("inspect", "-f", "{{.State.Status}}", lab.name("priv")).stdout.strip()
    assert state == "created"
    grouped = {h.container: h for h in ch.grouped().host_equivalent}
    assert grouped[lab.name("priv")].running is False
    assert grouped[lab.name("sock")].running is True


def test_policy_forbids_channels_and_reach_reports_them(world):
    lab, g, _ = world
    policy = parse_policy(
        "version: 1\nrules:\n  - name: no data from writer\n    forbid:\n"
        f"      from: {{container: {lab.name('writer')}}}\n"
        f"      to: {{container: {lab.name('reader')}}}\n"
        "      channels: [volume]\n"
    )
    violations = evaluate(policy, Reachability(g), Channels(g))
    assert [v.channel for v in violations] == [f"volume:{lab.name('vol')}"]
    done = run_cli("reach", lab.name("writer"), lab.name("reader"), "--inspect", "--json")
    assert done.returncode == 1  # no network path
    body = json.loads(done.stdout)
    assert not body["reachable"]
    assert {(c["kind"], c["direction"]) for c in body["channels"]} >= {("volume", "one-way")}
    text = run_cli("reach", lab.name("stranger"), lab.name("writer")).stdout
    assert "no channel besides the network" in text

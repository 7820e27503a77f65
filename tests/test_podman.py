"""Podman's Docker-compatible API, on a real `podman system service` (scripts/podman-lab.sh).

Podman differs from Docker where netviz's verdicts depend on it: DNS is a per-network setting
(`dns_enabled`; the default `podman` network has none), its `/networks` calls the default
network `bridge` while containers call it `podman`, and netavark routes between networks.
Each verdict is checked against ping inside the containers.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from conftest import IMAGE, ROOT, run_cli

import visualizer as nv

pytestmark = pytest.mark.docker

SCRIPT = ROOT / "scripts" / "podman-lab.sh"


@pytest.fixture(scope="module")
def podman():
    if os.geteuid() != 0:
        pytest.skip("the Podman lab needs root")
    up = subprocess.run(
        [str(SCRIPT), "up"], capture_output=True, text=True, timeout=600, check=False
    )
    if up.returncode != 0:
        pytest.fail(f"the Podman lab did not start: {up.stderr[-2000:]}")
    env = {}
    for word in up.stdout.replace("export ", "").split():
        key, _, value = word.partition("=")
        env[key] = value.strip("'\"")
    prefix = f"nvp{uuid.uuid4().hex[:6]}-"
    lab = PodmanLab(prefix, env)
    yield lab
    lab.cleanup()
    subprocess.run([str(SCRIPT), "down"], capture_output=True, timeout=120, check=False)


class PodmanLab:
    def __init__(self, prefix, env):
        self.prefix = prefix
        self.env = {**os.environ, **env}
        self.host = env["NETVIZ_PODMAN_HOST"]

    def name(self, short):
        return self.prefix + short

    def podman(self, *args, check=True):
        done = subprocess.run(
            ["podman", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )
        if check and done.returncode != 0:
            msg = f"podman {' '.join(args)} failed: {done.stderr.strip()[-500:]}"
            raise RuntimeError(msg)
        return done

    def run(self, short, *opts):
        self.podman(
            "run", "-d", "--name", self.name(short), *opts, f"localhost/{IMAGE}", "sleep", "1d"
        )

    def ping(self, src, dst):
        return (
            self.podman("exec", self.name(src), "ping", "-c1", "-W1", dst, check=False).returncode
            == 0
        )

    def cleanup(self):
        ids = self.podman(
            "ps", "-aq", "--filter", f"name={self.prefix}", check=False
        ).stdout.split()
        if ids:
            self.podman("rm", "-f", *ids, check=False)
        nets = [
            n
            for n in self.podman(
                "network", "ls", "--format", "{{.Name}}", check=False
            ).stdout.split()
            if n.startswith(self.prefix)
        ]
        if nets:
            self.podman("network", "rm", "-f", *nets, check=False)


@pytest.fixture(scope="module")
def topo(podman):
    podman.podman("network", "create", podman.name("dns"))
    podman.podman("network", "create", "--disable-dns", podman.name("nodns"))
    podman.podman("network", "create", "--internal", podman.name("int"))
    podman.run("a", "--network", podman.name("dns"))
    podman.run("b", "--network", podman.name("dns"))
    podman.run("c")  # the default network, `podman`
    podman.run("d")
    podman.run("e", "--network", podman.name("nodns"))
    podman.run("f", "--network", podman.name("nodns"))
    podman.run("i", "--network", podman.name("int"))
    return podman


@pytest.fixture(scope="module")
def graph(topo):
    snap = nv.load(nv.SourceSpec(hosts=(topo.host,)), inspect=True)
    return snap, nv.build_graph(snap)


def ip_of(snap, name):
    c = next(c for c in snap.containers if c.name == name)
    return c.endpoints[0].ipv4


def test_default_network_is_podman_and_attachments_kept(topo, graph):
    snap, _ = graph
    assert not [w for w in snap.warnings if "attachment skipped" in w]
    nets = {n.name: n for n in snap.networks}
    assert "podman" in nets
    assert "bridge" not in nets
    assert nets["podman"].dns_enabled is False
    assert nets[topo.name("dns")].dns_enabled is True
    assert nets[topo.name("nodns")].dns_enabled is False
    c = next(c for c in snap.containers if c.name == topo.name("c"))
    assert [e.network_name for e in c.endpoints] == ["podman"]


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("a", "b"),
        ("c", "d"),
        ("e", "f"),
        ("a", "c"),
        ("c", "e"),
        ("e", "a"),
        ("i", "a"),
        ("a", "i"),
    ],
)
def test_verdicts_agree_with_ping(topo, graph, src, dst):
    snap, g = graph
    verdict = nv.reach(g, topo.name(src), topo.name(dst)).value.verdict
    by_ip = topo.ping(src, ip_of(snap, topo.name(dst)))
    by_name = topo.ping(src, topo.name(dst))
    assert verdict.reachable == by_ip, verdict
    assert (verdict.reachable and verdict.by_name) == by_name, verdict


def test_rules_name_podman_semantics(topo, graph):
    _, g = graph
    assert nv.reach(g, topo.name("a"), topo.name("b")).value.verdict.rules == ("R1",)
    assert nv.reach(g, topo.name("c"), topo.name("d")).value.verdict.rules == ("R21",)
    assert nv.reach(g, topo.name("a"), topo.name("c")).value.verdict.rules == ("R22",)


def test_cli_render_and_audit_a_podman_engine(topo, tmp_path):
    dot = run_cli("render", "-H", topo.host, "-f", "dot")
    assert dot.returncode == 0, dot.stderr
    assert topo.name("a") in dot.stdout
    assert "warning" not in dot.stderr
    audit = run_cli(
        "audit", "-H", topo.host, "-f", "json", "--exit-zero", "-o", str(tmp_path / "a.json")
    )
    assert audit.returncode == 0, audit.stderr
    text = (tmp_path / "a.json").read_text()
    assert "Podman networks are judged by their own DNS setting" in text

"""Against the real engine: every topology case, checked in the graph and in reality."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_cli
from proxy import DockerProxy

import visualizer as nv
from visualizer.analysis.peering import Peering, peering
from visualizer.graph import container_key, network_key
from visualizer.selection import Selection, parse_filters, select

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def topo(module_lab):
    lab = module_lab
    lab.network("user")
    lab.network("int", "--internal")
    lab.network("noicc", "-o", "com.docker.network.bridge.enable_icc=false")
    lab.network("v6", "--ipv6", "--subnet", "fd00:7e57::/64")
    lab.run(
        "c1",
        "--network",
        lab.name("user"),
        "-p",
        "80",
        "-p",
        "127.0.0.1::81",
        cmd=("httpd", "-f", "-p", "80", "-h", "/www"),
    )
    lab.run("c2", "--network", lab.name("user"))
    lab.docker("network", "connect", "--alias", "c2-int", lab.name("int"), lab.name("c2"))
    lab.run("i1", "--network", lab.name("int"))
    lab.run("t1", "--network", lab.name("noicc"))
    lab.run("t2", "--network", lab.name("noicc"))
    lab.run("h", "--network", "host")
    lab.run("z", "--network", "none")
    lab.run("side", "--network", f"container:{lab.name('c1')}")
    lab.run("d1")
    lab.run("six", "--network", lab.name("v6"))
    lab.run("stopped", "--network", lab.name("user"))
    lab.docker("stop", "-t", "0", lab.name("stopped"))
    return lab


@pytest.fixture(scope="module")
def snap(topo):
    return nv.load(nv.SourceSpec(), inspect=True)


@pytest.fixture(scope="module")
def g(snap):
    return nv.build_graph(snap)


def cnode(snap, lab, short):
    return container_key(next(c.id for c in snap.containers if c.name == lab.name(short)))


def nnode(snap, name):
    return network_key(next(n.id for n in snap.networks if n.name == name))


def record(g, key):
    return g.nodes[key]["record"]


def test_classic_example_in_graph_and_in_reality(topo, snap, g):
    user = nnode(snap, topo.name("user"))
    assert g.has_edge(user, cnode(snap, topo, "c1"))
    assert g.has_edge(user, cnode(snap, topo, "c2"))
    assert peering(record(g, user), snap.engine) is Peering.BY_NAME
    assert topo.ping("c1", topo.name("c2"))


def test_host_mode(topo, snap, g):
    h = cnode(snap, topo, "h")
    assert record(g, h).is_host_mode
    (net,) = g[h]
    assert record(g, net).driver == "host"


def test_none_mode(topo, snap, g):
    z = cnode(snap, topo, "z")
    (net,) = g[z]
    assert record(g, net).driver == "null"
    links = topo.docker("exec", topo.name("z"), "ip", "-o", "link").stdout.splitlines()
    assert [line.split(": ")[1] for line in links] == ["lo"]
    c1 = next(c for c in snap.containers if c.name == topo.name("c1"))
    assert not topo.ping("z", c1.endpoints[0].ipv4)


def test_internal_network(topo, snap, g):
    net = record(g, nnode(snap, topo.name("int")))
    assert net.internal
    assert g.has_edge(nnode(snap, topo.name("int")), cnode(snap, topo, "i1"))
    assert topo.ping("i1", topo.name("c2"))  # members still reach each other


def test_icc_disabled_network_blocks_members(topo, snap, g):
    net = record(g, nnode(snap, topo.name("noicc")))
    assert not net.icc
    assert peering(net, snap.engine) is Peering.ISOLATED
    t2 = next(c for c in snap.containers if c.name == topo.name("t2"))
    assert not topo.ping("t1", t2.endpoints[0].ipv4)


def test_sidecar_shares_its_owner_stack(topo, snap, g):
    side, c1 = cnode(snap, topo, "side"), cnode(snap, topo, "c1")
    assert g.nodes[side]["netns_of"] == c1
    assert set(g[side]) == set(g[c1])
    ip = topo.docker("exec", topo.name("side"), "ip", "-4", "-o", "addr").stdout
    c1_ip = g.edges[nnode(snap, topo.name("user")), c1]["endpoint"].ipv4
    assert c1_ip in ip  # really the same interfaces


def test_multi_homed(topo, snap, g):
    c2 = cnode(snap, topo, "c2")
    assert set(g[c2]) == {nnode(snap, topo.name("user")), nnode(snap, topo.name("int"))}
    ep = g.edges[nnode(snap, topo.name("int")), c2]["endpoint"]
    assert "c2-int" in ep.aliases


def test_stopped_container_is_shown_as_such(topo, snap, g):
    stopped = cnode(snap, topo, "stopped")
    assert record(g, stopped).state == "exited"
    ep = g.edges[nnode(snap, topo.name("user")), stopped]["endpoint"]
    assert ep.addresses == ()


def test_ports_keep_host_address(topo, snap):
    c1 = next(c for c in snap.containers if c.name == topo.name("c1"))
    published = {(p.host_ip, p.container_port) for p in c1.ports if p.published}
    assert {("0.0.0.0", 80), ("127.0.0.1", 81)} <= published


def test_ipv6_endpoint(topo, snap):
    six = next(c for c in snap.containers if c.name == topo.name("six"))
    assert six.endpoints[0].ipv6.startswith("fd00:7e57::")


def test_default_bridge(topo, snap, g):
    d1 = cnode(snap, topo, "d1")
    (net,) = g[d1]
    assert record(g, net).is_default_bridge
    assert peering(record(g, net), snap.engine) is Peering.BY_IP


def test_cli_render_of_the_live_engine(topo, tmp_path):
    out = tmp_path / "t.svg"
    done = run_cli("render", "--filter", f"network={topo.name('user')}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    texts = "".join(ET.parse(out).getroot().itertext())
    for short in ("c1", "c2", "side", "stopped"):
        assert topo.name(short) in texts
    assert topo.name("t1") not in texts


def test_constant_number_of_requests(topo, tmp_path):
    with DockerProxy(tmp_path / "p.sock") as proxy:
        done = run_cli("render", "-H", proxy.url, "-f", "dot")
        assert done.returncode == 0, done.stderr
        paths = sorted(path.split("?")[0].split("/", 2)[-1] for _, path in proxy.requests)
    assert paths == ["containers/json", "info", "networks", "version"]
    assert all(method == "GET" for method, _ in proxy.requests)


def test_inspect_adds_one_read_per_container(topo, tmp_path):
    with DockerProxy(tmp_path / "p.sock") as proxy:
        snap = nv.load(nv.SourceSpec(hosts=(proxy.url,)), inspect=True)
        reqs = list(proxy.requests)
    inspects = [
        p
        for m, p in reqs
        if p.split("?")[0].endswith("/json")
        and "/containers/" in p
        and not p.split("?")[0].endswith("containers/json")
    ]
    assert len(inspects) == len(snap.containers)
    assert len(reqs) == 4 + len(snap.containers)
    assert {m for m, _ in reqs} == {"GET"}


def test_container_removed_between_list_and_inspect(lab, tmp_path):
    lab.network("race")
    lab.run("keep", "--network", lab.name("race"))
    victim = lab.run("victim", "--network", lab.name("race"))
    victim_id = lab.docker("inspect", "-f", "{{.Id}}", victim).stdout.strip()

    def hook(method, path):
        if method == "GET" and f"/containers/{victim_id}/json" in path:
            subprocess.run(["docker", "rm", "-f", victim], capture_output=True, check=True)

    with DockerProxy(tmp_path / "p.sock", hook=hook) as proxy:
        done = run_cli("snapshot", "-H", proxy.url, "-o", str(tmp_path / "s.json"))
    assert done.returncode == 0, done.stderr
    assert f"container {victim_id[:12]} was removed during the capture; skipped" in done.stderr
    snap = nv.load_snapshot(tmp_path / "s.json")
    names = {c.name for c in snap.containers}
    assert lab.name("keep") in names
    assert victim not in names


def test_docker_host_and_contexts_are_honoured(topo, tmp_path):
    config = tmp_path / "docker-config"
    with DockerProxy(tmp_path / "p.sock") as proxy:
        subprocess.run(
            [
                "docker",
                "--config",
                str(config),
                "context",
                "create",
                "nvt-ctx",
                "--docker",
                f"host={proxy.url}",
            ],
            check=True,
            capture_output=True,
        )
        env = {"DOCKER_CONFIG": str(config)}
        for args, extra in [
            (["-c", "nvt-ctx"], {}),
            ([], {"DOCKER_CONTEXT": "nvt-ctx"}),
            ([], {"DOCKER_HOST": proxy.url}),
        ]:
            before = len(proxy.requests)
            done = run_cli("render", *args, "-f", "dot", env={**env, **extra})
            assert done.returncode == 0, done.stderr
            assert len(proxy.requests) - before == 4, (args, extra)


def test_hostile_engine_strings_render_literally(lab, tmp_path):
    hostile = lab.name('q"<b>end&x') + "-\u202e-é"
    lab.docker("network", "create", "--label", "note=<script>alert(1)</script>", hostile)
    lab.run("web", "--network", hostile, "--label", "x=<img src=x onerror=alert(1)>")
    out = tmp_path / "h.svg"
    done = run_cli("render", "--filter", f"network={hostile}", "-o", str(out))
    assert done.returncode == 0, done.stderr
    texts = "".join(ET.parse(out).getroot().itertext())
    assert lab.name('q"<b>end&x') + "-\\u202e-é" in texts
    assert "\u202e" not in Path(out).read_text()


def test_snapshot_is_what_the_library_sees(topo, tmp_path):
    path = tmp_path / "snap.json"
    assert run_cli("snapshot", "-o", str(path)).returncode == 0
    snap = nv.load_snapshot(path)
    assert snap.inspected
    assert snap.engine.api_version
    g = nv.build_graph(snap)
    view = select(g, Selection(filters=parse_filters([f"network={topo.name('noicc')}"])))
    assert {
        r.name for _, r in ((k, g.nodes[k]["record"]) for k in view) if hasattr(r, "image")
    } == {topo.name("t1"), topo.name("t2")}

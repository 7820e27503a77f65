"""A real 3-node swarm and independent engines, each drawn and audited as one picture."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from conftest import IMAGE, run_cli
from proxy import DockerProxy

import visualizer as nv
from visualizer.analysis.reachability import Reachability

pytestmark = [pytest.mark.docker, pytest.mark.swarm]


def dk(host, *args, check=True):
    done = subprocess.run(
        ["docker", "-H", host, *args], capture_output=True, text=True, timeout=120, check=False
    )
    if check and done.returncode != 0:
        msg = f"docker {' '.join(args)}: {done.stderr}"
        raise RuntimeError(msg)
    return done


ATTACH_TIMEOUT = "attaching to network failed"


def run_attached(host, name, network, attempts=3):
    """`docker run` a container on an attachable overlay from a worker.

    The worker asks the manager for the attachment and gives up after the daemon's fixed
    20-second swarm request timeout ("context deadline exceeded"), which a busy CI machine
    can hit; the container is then left created but not started. Remove it and try again.
    """
    for attempt in range(attempts):
        done = dk(
            host,
            "run",
            "-d",
            "--name",
            name,
            "--network",
            network,
            IMAGE,
            "sleep",
            "1d",
            check=False,
        )
        if done.returncode == 0:
            return
        dk(host, "rm", "-f", name, check=False)
        if ATTACH_TIMEOUT not in done.stderr or attempt == attempts - 1:
            msg = f"docker run {name} on {network}: {done.stderr}{lab_errors(host)}"
            raise RuntimeError(msg)


def lab_errors(host):
    """The last error lines of the manager's and this node's dockerd logs, for a CI post-mortem."""
    node = host.rsplit("/", 1)[-1].removesuffix(".sock")
    lines = []
    for name in dict.fromkeys(("node1", node)):
        log = Path("/tmp/swarmlab") / name / "dockerd.log"
        if log.is_file():
            text = log.read_text(errors="replace")
            errors = [  # the kernel has no IPVS: dockerd complains about it all the time
                ln for ln in text.splitlines() if "level=error" in ln and "net.ipv4.vs." not in ln
            ]
            lines += [f"{name}: {ln}" for ln in errors[-8:]]
    return "\n" + "\n".join(lines) if lines else ""


@pytest.fixture(scope="module")
def cluster(swarm_lab):
    """Services and standalone containers spread over the nodes, under a unique prefix."""
    p = f"nvs{uuid.uuid4().hex[:5]}-"
    m, n2, n3 = swarm_lab[1], swarm_lab[2], swarm_lab[3]
    dk(m, "network", "create", "-d", "overlay", "--attachable", f"{p}app")
    dk(m, "network", "create", "-d", "overlay", "--opt", "encrypted", f"{p}sec")
    # Standalone containers on the attachable overlay first, while the manager is idle.
    run_attached(n2, f"{p}c2", f"{p}app")
    run_attached(n3, f"{p}c3", f"{p}app")
    dk(
        m,
        "service",
        "create",
        "-d",
        "--no-resolve-image",
        "--name",
        f"{p}web",
        "--replicas",
        "3",
        "--replicas-max-per-node",
        "1",
        "--endpoint-mode",
        "dnsrr",
        "--network",
        f"{p}app",
        "--publish",
        "mode=host,published=18081,target=80",
        IMAGE,
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/www",
    )
    dk(
        m,
        "service",
        "create",
        "-d",
        "--no-resolve-image",
        "--name",
        f"{p}api",
        "--replicas",
        "2",
        "--network",
        f"{p}app",
        "--network",
        f"{p}sec",
        "--publish",
        "18080:80",
        IMAGE,
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/www",
    )
    dk(n2, "run", "-d", "--name", f"{p}h2", "--network", "host", IMAGE, "sleep", "1d")
    dk(n3, "run", "-d", "--name", f"{p}b3", IMAGE, "sleep", "1d")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = dk(m, "service", "ls", "--filter", f"name={p}", "--format", "{{.Replicas}}").stdout
        ls = [line.split()[0] for line in out.splitlines() if line.strip()]
        if sorted(ls) == ["2/2", "3/3"]:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"services did not converge: {ls}")
    yield p, swarm_lab
    dk(m, "service", "rm", f"{p}web", f"{p}api", check=False)
    for node, names in ((n2, ("c2", "h2")), (n3, ("c3", "b3"))):
        dk(node, "rm", "-f", *(p + n for n in names), check=False)
    time.sleep(2)
    dk(m, "network", "rm", f"{p}app", f"{p}sec", check=False)


def by_prefix(snap, p):
    return {c.name: c for c in snap.containers if c.name.startswith(p)}


def test_a_manager_alone_shows_the_whole_swarm(cluster):
    p, lab = cluster
    snap = nv.load(nv.SourceSpec(hosts=(lab[1],)))
    assert [n.hostname for n in snap.nodes] == [
        "swarmlab-node1",
        "swarmlab-node2",
        "swarmlab-node3",
    ]
    assert {s.name: s.endpoint_mode for s in snap.services if s.name.startswith(p)} == {
        f"{p}web": "dnsrr",
        f"{p}api": "vip",
    }
    tasks = [c for c in snap.containers if c.name.startswith((f"{p}web.", f"{p}api."))]
    assert len(tasks) == 5
    assert {c.host for c in tasks if c.name.startswith(f"{p}web.")} == {
        "swarmlab-node1",
        "swarmlab-node2",
        "swarmlab-node3",
    }
    app = next(n for n in snap.networks if n.name == f"{p}app")
    assert app.scope == "swarm" and app.host == ""


def test_requests_stay_constant_per_host(cluster, tmp_path):
    _, lab = cluster
    counts = []
    for i in (1, 2):
        with DockerProxy(tmp_path / f"p{i}.sock", upstream=lab[i].removeprefix("unix://")) as proxy:
            assert run_cli("render", "-H", proxy.url, "-f", "dot").returncode == 0
            counts.append(
                sorted(path.split("?")[0].rsplit("/", 1)[-1] for _, path in proxy.requests)
            )
    assert counts[0] == [
        "info",
        "json",
        "networks",
        "nodes",
        "services",
        "tasks",
        "version",
    ]  # manager
    assert counts[1] == ["info", "json", "networks", "version"]  # worker


def test_all_nodes_in_one_picture(cluster, tmp_path):
    p, lab = cluster
    snap = nv.load(nv.SourceSpec(hosts=tuple(lab[i] for i in (1, 2, 3))), inspect=True)
    mine = by_prefix(snap, p)
    assert mine[f"{p}c2"].host == "swarmlab-node2"
    assert mine[f"{p}c3"].host == "swarmlab-node3"
    web_tasks = [c for n, c in mine.items() if n.startswith(f"{p}web.")]
    assert len(web_tasks) == 3
    assert all(c.hostname is not None for c in web_tasks)  # the nodes' own (inspected) containers
    bridges = [n for n in snap.networks if n.name == "bridge"]
    assert sorted(n.host for n in bridges) == ["swarmlab-node1", "swarmlab-node2", "swarmlab-node3"]
    assert len({n.id for n in bridges}) == 3
    assert sum(1 for n in snap.networks if n.name == f"{p}app") == 1  # one overlay, seen thrice
    dot = run_cli("render", *(a for i in (1, 2, 3) for a in ("-H", lab[i])), "-f", "dot").stdout
    assert dot.count("subgraph cluster_h") == 3
    assert f"service {p}web" in dot
    assert "3 swarm nodes: " in dot


def test_reachability_across_nodes_matches_ping(cluster):
    p, lab = cluster
    snap = nv.load(nv.SourceSpec(hosts=tuple(lab[i] for i in (1, 2, 3))), inspect=True)
    model = Reachability(nv.build_graph(snap))

    def verdict(a, b):
        return model.verdict(model.find(a), model.find(b))

    def ping(node, src, target):
        return dk(node, "exec", p + src, "ping", "-c1", "-W2", target, check=False).returncode == 0

    over = verdict(f"{p}c2", f"{p}c3")
    assert over.reachable and over.by_name and over.via == (f"{p}app",) and "R19" in over.rules
    assert ping(lab[2], "c2", f"{p}c3")  # across nodes, by name
    web3 = next(
        c for c in snap.containers if c.name.startswith(f"{p}web.") and c.host == "swarmlab-node3"
    )
    to_task = verdict(f"{p}c2", web3.name)
    assert to_task.reachable and f"{p}web" in to_task.names and f"tasks.{p}web" in to_task.names
    assert ping(lab[2], "c2", f"{p}web")  # dnsrr: the service name lists the tasks
    assert ping(lab[2], "c2", f"tasks.{p}web")
    # a host-network container is its own host: it reaches its node's containers, not another's
    b3 = by_prefix(snap, p)[f"{p}b3"]
    far = verdict(f"{p}h2", f"{p}b3")
    assert not far.reachable and "runs on swarmlab-node2" in far.reason
    assert not ping(lab[2], "h2", b3.endpoints[0].ipv4)
    # ...but it reaches an overlay-only task on its own node, through the task's hidden
    # docker_gwbridge leg (absent from the task's NetworkSettings.Networks)
    web2 = next(
        c for c in snap.containers if c.name.startswith(f"{p}web.") and c.host == "swarmlab-node2"
    )
    near = verdict(f"{p}h2", web2.name)
    assert near.reachable and "docker_gwbridge" in near.reason
    gw = json.loads(dk(lab[2], "network", "inspect", "docker_gwbridge").stdout)[0]["Containers"]
    leg = gw[web2.id]["IPv4Address"].split("/")[0]
    probe = dk(lab[2], "exec", f"{p}h2", "nc", "-w", "2", leg, "80", check=False)
    assert probe.returncode == 0, probe.stderr


def test_swarm_findings(cluster):
    p, lab = cluster
    done = run_cli("audit", "-H", lab[1], "-f", "json", "--exit-zero")
    body = json.loads(done.stdout)
    got = {
        (f["id"], s["name"])
        for f in body["findings"]
        if f["status"] == "open"
        for s in f["subjects"]
    }
    assert ("A16", f"{p}api") in got  # ingress-published: every node, all interfaces
    assert ("A16", f"{p}web") not in got  # host mode
    assert ("A15", f"{p}app") in got
    assert ("A15", f"{p}sec") not in got  # encrypted
    assert ("A18", f"{p}app") in got  # attachable
    assert ("A17", "swarmlab-node1") in got


def test_one_unreachable_host_is_reported_and_the_rest_drawn(cluster, tmp_path):
    _, lab = cluster
    out = tmp_path / "t.json"
    done = run_cli(
        "render",
        "-H",
        lab[2],
        "-H",
        "unix:///nonexistent/docker.sock",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "unix:///nonexistent/docker.sock: could not be captured" in done.stderr
    assert json.loads(out.read_text())["nodes"]
    dead = run_cli("render", "-H", "unix:///nope1.sock", "-H", "unix:///nope2.sock", "-f", "dot")
    assert dead.returncode == 3


def test_same_name_on_two_engines_is_told_apart(cluster, tmp_path):
    p, lab = cluster
    for node in (lab[2], lab[3]):
        dk(
            node,
            "run",
            "-d",
            "--name",
            f"{p}twin",
            "-p",
            "18090:80",
            IMAGE,
            "httpd",
            "-f",
            "-p",
            "80",
        )
    try:
        hosts = ["-H", lab[2], "-H", lab[3]]
        body = json.loads(run_cli("audit", *hosts, "-f", "json", "--exit-zero").stdout)
        a3 = {s["name"] for f in body["findings"] if f["id"] == "A3" for s in f["subjects"]}
        assert {f"swarmlab-node2/{p}twin", f"swarmlab-node3/{p}twin"} <= a3
        assert len({f["fingerprint"] for f in body["findings"] if f["id"] == "A3"}) >= 2
        bridges = {n for pair in body["reachability"] for n in pair["via"] if n.endswith("/bridge")}
        assert bridges <= {"swarmlab-node2/bridge", "swarmlab-node3/bridge"}
        plain = run_cli("reach", *hosts, f"{p}twin", f"{p}c3")
        assert plain.returncode == 2
        assert "runs on several hosts" in plain.stderr
        assert f"swarmlab-node3/{p}twin" in plain.stderr
        qualified = run_cli("reach", *hosts, f"swarmlab-node3/{p}twin", f"swarmlab-node3/{p}b3")
        assert qualified.returncode == 0, (
            qualified.stdout + qualified.stderr
        )  # both on node 3's bridge
        assert (
            dk(
                lab[3],
                "exec",
                f"{p}twin",
                "ping",
                "-c1",
                "-W2",
                by_prefix(nv.load(nv.SourceSpec(hosts=(lab[3],))), p)[f"{p}b3"].endpoints[0].ipv4,
                check=False,
            ).returncode
            == 0
        )
        far = run_cli("reach", *hosts, f"swarmlab-node2/{p}twin", f"swarmlab-node3/{p}b3")
        assert far.returncode == 1
    finally:
        for node in (lab[2], lab[3]):
            dk(node, "rm", "-f", f"{p}twin", check=False)


def test_two_independent_engines_and_contexts(cluster, tmp_path):
    p, lab = cluster
    config = tmp_path / "cfg"
    for name, host in (("main", "unix:///var/run/docker.sock"), ("node3", lab[3])):
        subprocess.run(
            [
                "docker",
                "--config",
                str(config),
                "context",
                "create",
                name,
                "--docker",
                f"host={host}",
            ],
            check=True,
            capture_output=True,
        )
    env = {"DOCKER_CONFIG": str(config)}
    for args in (["-c", "main", "-c", "node3"], ["--all-contexts"]):
        done = run_cli("render", *args, "-f", "json", env=env)
        assert done.returncode == 0, done.stderr
        nodes = json.loads(done.stdout)["nodes"]
        hosts = {n["id"] for n in nodes if n["kind"] == "network" and n["name"] == "bridge"}
        assert len(hosts) >= 2  # each engine's own default bridge, never confused
        assert f"{p}b3" in {n["name"] for n in nodes}
    assert run_cli("render", "-H", lab[1], "-c", "main", env=env).returncode == 2

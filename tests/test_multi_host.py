"""Several engines and a swarm, from captures recorded on a real 3-node swarm (no engine needed).

tests/data/swarm-node{1,2,3}-raw.json come from scripts/record-swarm.sh: node 1 is the manager,
`nvs-web` is a dnsrr service with one task per node publishing 18081 in host mode, `nvs-api` a
VIP service with two tasks publishing 18080 on the ingress mesh, `nvs-c2`/`nvs-c3` standalone
containers on the attachable overlay `nvs-app` (nodes 2 and 3), `nvs-h2` a host-network container
on node 2 and `nvs-b3` a default-bridge container on node 3.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import load_raw, run_cli, swarm_snapshot

import visualizer as nv
from visualizer.analysis.audit import build_report
from visualizer.analysis.findings import audit_findings
from visualizer.analysis.reachability import Reachability
from visualizer.renderers import render as draw
from visualizer.renderers import render_report
from visualizer.sources.merge import merge
from visualizer.sources.parse import parse_capture
from visualizer.sources.snapshot import dumps, loads

NODES = ["swarmlab-node1", "swarmlab-node2", "swarmlab-node3"]


@pytest.fixture(scope="module")
def snap():
    return swarm_snapshot()


@pytest.fixture(scope="module")
def model(snap):
    return Reachability(nv.build_graph(snap))


def task(snap, service, host):
    return next(c for c in snap.containers if c.name.startswith(f"{service}.") and c.host == host)


def verdict(model, a, b):
    return model.verdict(model.find(a), model.find(b))


def test_a_manager_alone_sees_nodes_services_and_every_task():
    manager = parse_capture(load_raw("swarm-node1-raw.json"))
    assert [(n.hostname, n.role) for n in manager.nodes] == [
        ("swarmlab-node1", "manager"),
        ("swarmlab-node2", "worker"),
        ("swarmlab-node3", "worker"),
    ]
    services = {s.name: s for s in manager.services}
    assert services["nvs-web"].endpoint_mode == "dnsrr"
    assert [(p.published, p.mode) for p in services["nvs-web"].ports] == [(18081, "host")]
    assert services["nvs-api"].endpoint_mode == "vip"
    assert [(p.published, p.mode) for p in services["nvs-api"].ports] == [(18080, "ingress")]
    tasks = sorted(
        (c.labels["com.docker.swarm.service.name"], c.host)
        for c in manager.containers
        if "com.docker.swarm.service.name" in c.labels
    )
    assert tasks == sorted(
        [("nvs-web", h) for h in NODES]
        + [("nvs-api", "swarmlab-node1"), ("nvs-api", "swarmlab-node3")]
    )
    # a task on another node is known from /tasks only: its overlay address, no inspect facts
    remote = task(manager, "nvs-web", "swarmlab-node2")
    assert [ep.network_name for ep in remote.endpoints] == ["nvs-app"]
    assert remote.endpoints[0].ipv4


def test_a_worker_alone_has_no_swarm_view():
    worker = parse_capture(load_raw("swarm-node2-raw.json"))
    assert worker.nodes == () and worker.services == ()
    assert {c.name for c in worker.containers if c.name.startswith("nvs-")} >= {"nvs-c2", "nvs-h2"}


def test_merge_keeps_each_hosts_local_networks_and_one_overlay(snap):
    assert [h.name for h in snap.hosts] == NODES
    bridges = [n for n in snap.networks if n.name == "bridge"]
    assert sorted(n.host for n in bridges) == NODES
    assert len({n.id for n in bridges}) == 3
    app = [n for n in snap.networks if n.name == "nvs-app"]
    assert len(app) == 1 and app[0].host == "" and app[0].scope == "swarm"
    hosts = {c.name: c.host for c in snap.containers if not c.name.startswith("nvs-web.")}
    assert hosts["nvs-c2"] == "swarmlab-node2" and hosts["nvs-b3"] == "swarmlab-node3"
    assert len([c for c in snap.containers if c.name.startswith("nvs-")]) == 9


def test_a_nodes_own_view_of_a_task_replaces_the_managers(snap):
    manager_only = swarm_snapshot(nodes=(1,))
    seen_by_manager = task(manager_only, "nvs-web", "swarmlab-node2")
    own = task(snap, "nvs-web", "swarmlab-node2")
    assert own.id == seen_by_manager.id
    assert seen_by_manager.hostname is None  # the manager knows it from /tasks only
    assert own.hostname is not None  # inspected on node 2
    # the host-mode port: from the service's spec for the manager, from port data on the node
    assert {(p.host_port, p.container_port) for p in seen_by_manager.ports} == {(18081, 80)}
    assert {(p.host_port, p.container_port) for p in own.ports} == {(18081, 80)}


def test_one_engine_named_twice_is_counted_once():
    one = parse_capture(load_raw("swarm-node2-raw.json"))
    merged = merge([("context a", one, None), ("context b", one, None)])
    assert [h.name for h in merged.hosts] == ["swarmlab-node2"]
    assert "context b: the same engine as context a, counted once" in merged.warnings
    assert len(merged.networks) == len(one.networks)


def test_an_unreachable_engine_is_a_host_with_its_error():
    one = parse_capture(load_raw("swarm-node3-raw.json"))
    merged = merge([("unix:///gone.sock", None, "no such socket"), ("n3", one, None)])
    assert [(h.name, h.error) for h in merged.hosts] == [  # the model keeps hosts by name
        ("swarmlab-node3", None),
        ("unix:///gone.sock", "no such socket"),
    ]
    assert "unix:///gone.sock: could not be captured: no such socket" in merged.warnings
    with pytest.raises(ValueError, match="no engine could be captured"):
        merge([("x", None, "down")])


def test_overlay_members_reach_each_other_across_nodes(snap, model):
    v = verdict(model, "nvs-c2", "nvs-c3")
    assert v.reachable and v.by_name and v.via == ("nvs-app",) and v.rules == ("R19",)


def test_service_names_follow_the_endpoint_mode(snap, model):
    web = verdict(model, "nvs-c2", task(snap, "nvs-web", "swarmlab-node3").name)
    assert {"nvs-web", "tasks.nvs-web"} <= set(web.names)  # dnsrr: the name lists the tasks
    api = verdict(model, "nvs-c2", task(snap, "nvs-api", "swarmlab-node1").name)
    assert "tasks.nvs-api" in api.names
    assert "nvs-api" not in api.names  # vip: the name is the virtual IP, not this task


def test_a_host_stack_reaches_only_its_own_hosts_containers(snap, model):
    far = verdict(model, "nvs-h2", "nvs-b3")
    assert not far.reachable and far.rules == ("R9",)
    assert "nvs-h2 runs on swarmlab-node2 and nvs-b3 on swarmlab-node3" in far.reason
    near = verdict(model, "nvs-h2", task(snap, "nvs-web", "swarmlab-node2").name)
    assert near.reachable and near.rules == ("R9", "R10")
    assert "docker_gwbridge" in near.reason  # an overlay-only task: through its hidden leg
    assert not verdict(model, "nvs-h2", task(snap, "nvs-web", "swarmlab-node3").name).reachable


def test_published_ports_are_reached_on_the_same_host_only(snap, model):
    paths = {(p.source, p.target) for p in model.port_paths()}
    assert ("nvs-b3", task(snap, "nvs-web", "swarmlab-node3").name) in paths
    assert ("nvs-b3", task(snap, "nvs-web", "swarmlab-node2").name) not in paths


def test_grouped_audit_has_one_host_stack_per_host(snap):
    grouped = build_report(nv.build_graph(snap), grouped=True).grouped
    assert grouped is not None
    stacks = {s.host: s for s in grouped.hosts}
    assert set(stacks) == set(NODES)
    assert stacks["swarmlab-node2"].containers == ("nvs-h2",)
    assert stacks["swarmlab-node3"].containers == ()


def test_swarm_findings(snap):
    found = audit_findings(snap)
    opened = {(f.id, s.name) for f in found if f.status == "open" for s in f.subjects}
    assert ("A16", "nvs-api") in opened and ("A16", "nvs-web") not in opened
    assert ("A15", "nvs-app") in opened and ("A15", "nvs-sec") not in opened
    assert ("A18", "nvs-app") in opened
    assert {name for fid, name in opened if fid == "A17"} == set(NODES)
    a9 = [f for f in found if f.id == "A9"]
    assert [s.name for f in a9 for s in f.subjects] == ["nvs-b3"]  # node 3's default bridge


def test_a_worker_alone_cannot_see_ingress_ports():
    worker = parse_capture(load_raw("swarm-node3-raw.json"))
    a16 = [f for f in audit_findings(worker) if f.id == "A16"]
    assert [f.status for f in a16] == ["unknown"]


def test_each_host_is_judged_by_its_own_engine(snap):
    """icc=false is enforced per kernel: one host without bridge-nf changes only its networks."""
    node2 = next(h for h in snap.hosts if h.name == "swarmlab-node2")
    weak = replace(node2.engine, bridge_nf_iptables=False)
    changed = replace(
        snap, hosts=tuple(replace(h, engine=weak) if h is node2 else h for h in snap.hosts)
    )
    policy = {
        n["host"]: n["policy"]
        for n in json.loads(draw(nv.build_graph(changed), nv.Format.JSON).text)["nodes"]
        if n["kind"] == "network" and n["name"] == "docker_gwbridge"
    }
    assert policy == {
        "swarmlab-node1": "isolated",
        "swarmlab-node2": "by-name",
        "swarmlab-node3": "isolated",
    }


def test_snapshot_file_keeps_hosts_nodes_and_services(snap, tmp_path):
    assert loads(dumps(snap)) == snap
    path = tmp_path / "swarm.json"
    path.write_text(dumps(snap))
    done = run_cli("render", "--from", str(path), "-f", "dot")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("subgraph cluster_h") == 3
    assert "3 swarm nodes: " in done.stdout
    assert "service nvs-web" in done.stdout and "service nvs-api" in done.stdout
    assert done.stdout.count('label="task"') == 5
    assert done.stdout.count("ENCRYPTED") == 1  # nvs-sec


def test_graph_json_names_each_hosts_objects(snap):
    body = json.loads(draw(nv.build_graph(snap), nv.Format.JSON).text)
    assert [h["name"] for h in body["graph"]["hosts"]] == NODES
    assert {s["name"]: s["endpoint_mode"] for s in body["graph"]["services"]} == {
        "nvs-api": "vip",
        "nvs-web": "dnsrr",
    }
    c2 = next(n for n in body["nodes"] if n["name"] == "nvs-c2")
    assert c2["host"] == "swarmlab-node2"
    assert next(n for n in body["nodes"] if n["name"] == "nvs-app")["host"] is None


def test_report_lists_every_engine_and_the_services(snap, tmp_path):
    path = tmp_path / "swarm.json"
    path.write_text(dumps(snap))
    text = run_cli("report", "--from", str(path)).stdout
    assert text.startswith("# Docker networks of 3 swarm nodes")
    for node in NODES:
        assert f"| {node} | 20.10.24+dfsg1 |" in text
        assert f'subgraph h{NODES.index(node)}["host {node}"]' in text
    assert "### bridge on swarmlab-node3" in text
    assert "## Swarm services" in text
    assert "| nvs-api | replicated (2) | vip | 18080→80/tcp (ingress) |" in text


def test_names_used_on_several_hosts_are_qualified(snap):
    """Every host has a `bridge`; two engines may each run a container of the same name."""
    c3 = next(c for c in snap.containers if c.name == "nvs-c3")
    twins = replace(
        snap, containers=tuple(replace(c, name="nvs-c2") if c is c3 else c for c in snap.containers)
    )
    model = Reachability(nv.build_graph(twins))
    with pytest.raises(
        nv.VisualizerError,
        match="runs on several hosts: say swarmlab-node2/nvs-c2 or swarmlab-node3/nvs-c2",
    ):
        model.find("nvs-c2")
    v = verdict(model, "swarmlab-node2/nvs-c2", "swarmlab-node3/nvs-c2")
    assert (v.source, v.target, v.via) == (
        "swarmlab-node2/nvs-c2",
        "swarmlab-node3/nvs-c2",
        ("nvs-app",),
    )
    assert verdict(model, "swarmlab-node2/nvs-h2", "nvs-b3").source == "nvs-h2"  # unique: plain
    a10 = sorted(s.name for f in audit_findings(twins) if f.id == "A10" for s in f.subjects)
    assert a10 == [f"{h}/bridge" for h in NODES]
    b3 = verdict(model, "nvs-b3", task(snap, "nvs-web", "swarmlab-node3").name)
    assert not b3.reachable  # different networks on the same host: only the published port
    paths = [p for p in model.port_paths() if p.source == "nvs-b3"]
    assert [p.target for p in paths] == [task(snap, "nvs-web", "swarmlab-node3").name]


def test_diff_of_two_estates_keeps_hosts_apart(snap):
    from visualizer.analysis.diff import diff_graphs

    g = nv.build_graph(snap)
    assert diff_graphs(g, g).equal
    b3 = next(c for c in snap.containers if c.name == "nvs-b3")
    node2_bridge = next(
        n for n in snap.networks if n.name == "bridge" and n.host == "swarmlab-node2"
    )
    moved = replace(
        b3,
        host="swarmlab-node2",
        endpoints=tuple(replace(ep, network_id=node2_bridge.id) for ep in b3.endpoints),
    )
    later = replace(snap, containers=tuple(moved if c is b3 else c for c in snap.containers))
    changes = {(c.kind, c.change, c.subject) for c in diff_graphs(g, nv.build_graph(later)).changes}
    assert ("endpoint", "removed", "nvs-b3@swarmlab-node3/bridge") in changes
    assert ("endpoint", "added", "nvs-b3@swarmlab-node2/bridge") in changes


def test_nodes_not_captured_are_still_hosts_of_the_picture():
    partial = swarm_snapshot(nodes=(1, 2))
    assert [h.name for h in partial.hosts] == NODES
    node3 = next(h for h in partial.hosts if h.name == "swarmlab-node3")
    assert node3.source == "swarm node (seen from a manager)" and node3.engine.server_version
    assert task(partial, "nvs-web", "swarmlab-node3").hostname is None  # known from /tasks only
    assert task(partial, "nvs-web", "swarmlab-node2").hostname is not None  # node 2's own view


@pytest.fixture(scope="module")
def two_swarms():
    """Swarm A (nodes 1 and 2) and swarm B (node 3), each running the same stack.

    tests/data/swarm-{a,b}-raw.json come from scripts/record-two-swarms.sh: each swarm has an
    overlay `nvs-app` and a service `nvs-web` on it; A's is dnsrr with 2 tasks published in
    host mode, B's a VIP service with two tasks published on the ingress mesh.
    """
    return merge(
        [(f"swarm-{x}", parse_capture(load_raw(f"swarm-{x}-raw.json")), None) for x in "ab"]
    )


def test_two_swarms_keep_each_ones_nodes_and_services(two_swarms):
    assert sorted(n.hostname for n in two_swarms.nodes) == NODES
    assert sorted((s.name, s.endpoint_mode) for s in two_swarms.services) == [
        ("nvs-web", "dnsrr"),
        ("nvs-web", "vip"),
    ]
    assert sorted(h.name for h in two_swarms.hosts) == NODES


def test_two_swarms_same_named_overlays_are_two_networks(two_swarms):
    apps = {n.id for n in two_swarms.networks if n.name == "nvs-app" and n.host == ""}
    assert len(apps) == 2
    model = Reachability(nv.build_graph(two_swarms))
    a1, a2 = (task(two_swarms, "nvs-web", h) for h in ("swarmlab-node1", "swarmlab-node2"))
    b1, b2 = sorted(c.name for c in two_swarms.containers if c.host == "swarmlab-node3")
    (a_app,) = {ep.network_id for ep in a1.endpoints} & apps
    (b_app,) = apps - {a_app}
    in_a = verdict(model, a1.name, a2.name)
    assert in_a.reachable and in_a.via == (f"nvs-app@{a_app[:12]}",)
    assert "nvs-web" in in_a.names  # A's service is dnsrr: its name lists A's tasks
    in_b = verdict(model, b1, b2)
    assert in_b.reachable and f"nvs-app@{b_app[:12]}" in in_b.via
    assert any(via.startswith("ingress@") for via in in_b.via)  # each swarm has an `ingress`
    assert "tasks.nvs-web" in in_b.names
    assert "nvs-web" not in in_b.names  # B's service of the same name is VIP
    assert not verdict(model, a1.name, b1).reachable  # another swarm's overlay, same name


def test_two_swarms_graph_json_joins_tasks_to_their_own_service(two_swarms):
    body = json.loads(draw(nv.build_graph(two_swarms), nv.Format.JSON).text)
    hosts = {n["id"]: n["host"] for n in body["nodes"]}
    tasks = {s["endpoint_mode"]: {hosts[t] for t in s["tasks"]} for s in body["graph"]["services"]}
    assert tasks == {"dnsrr": {"swarmlab-node1", "swarmlab-node2"}, "vip": {"swarmlab-node3"}}
    assert all(len(s["tasks"]) == 2 for s in body["graph"]["services"])


def test_two_swarms_findings_and_report_name_each_service(two_swarms):
    web = {s.endpoint_mode: f"nvs-web@{s.id[:12]}" for s in two_swarms.services}
    apps = [f"nvs-app@{n.id[:12]}" for n in two_swarms.networks if n.name == "nvs-app"]
    found = audit_findings(two_swarms)
    a16 = [s.name for f in found if f.id == "A16" and f.status == "open" for s in f.subjects]
    assert a16 == [web["vip"]]  # B's ingress port; A publishes in host mode
    a18 = sorted(s.name for f in found if f.id == "A18" for s in f.subjects)
    assert a18 == sorted([*apps, "swarmlab-net"])  # the lab's own attachable overlay in A
    g = nv.build_graph(two_swarms)
    dot = draw(g, nv.Format.DOT).text
    assert all(f"service {name}" in dot for name in web.values())
    report = render_report(g, nv.RenderOptions(), nv.analyse(g)).text
    assert f"| {web['dnsrr']} | replicated (2) | dnsrr | 18081→80/tcp (host) |" in report
    assert f"| {web['vip']} | replicated (2) | vip | 18080→80/tcp (ingress) |" in report

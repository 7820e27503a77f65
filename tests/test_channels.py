"""Mounts, namespaces and privileges: parsing, compose prediction, channels, findings, drawing.

Snapshots come from the recorded demo (a real engine's answers) and the compose source;
variants change one container's recorded facts with `replace`.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace

import pytest
from conftest import load_raw, run_cli

import visualizer as nv
from visualizer.analysis.channels import ChannelKind, Channels
from visualizer.analysis.findings import audit_findings
from visualizer.analysis.policy import parse_policy
from visualizer.errors import InputError
from visualizer.graph import containers, data_nodes
from visualizer.model import Device, Mount
from visualizer.renderers import Format, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.sources.parse import parse_capture
from visualizer.sources.snapshot import dumps, loads

SOCKET = "/var/run/docker.sock"


def demo_with(**changes):
    """The demo with some containers changed: name -> dict of fields."""
    demo = nv.load_demo()
    ctrs = tuple(replace(c, **changes[c.name]) if c.name in changes else c for c in demo.containers)
    return replace(demo, containers=ctrs)


def key(g, name):
    return next(k for k, c in containers(g) if c.name == name)


def channels_of(snap):
    g = nv.build_graph(snap)
    return g, Channels(g)


# ---- the snapshot ------------------------------------------------------------------------


def test_the_recorded_capture_gives_mounts_and_isolation_facts():
    snap = parse_capture(load_raw("demo-raw.json"))
    by = {c.name: c for c in snap.containers}
    (sock,) = by["host-agent"].mounts
    assert (sock.type, sock.source, sock.destination, sock.rw) == ("bind", SOCKET, SOCKET, False)
    assert sock.propagation == "rprivate"
    web = {m.destination: m for m in by["shop_web_1"].mounts}
    assert web["/uploads"].name == "shop_uploads" and not web["/uploads"].rw
    # recorded on a private engine whose data root is not /var/lib/docker
    assert web["/uploads"].source.endswith("/volumes/shop_uploads/_data")
    assert web["/www"].host_path == "/srv/netviz-demo/site"
    assert {m.rw for m in by["shop_api_1"].mounts} == {True}
    for c in snap.containers:  # inspected: every fact known, none of them risky here
        assert c.pid_mode == "" and c.ipc_mode == "private" and c.uts_mode == ""
        assert c.devices == () and c.security_opt == () and c.volumes_from == ()
        assert c.read_only_rootfs is False and c.privileged is False


def test_snapshot_file_keeps_every_new_field():
    snap = demo_with(
        **{
            "tenant-a": {
                "devices": (Device(host_path="/dev/fuse", container_path="/dev/fuse"),),
                "volumes_from": ("tenant-b:ro",),
                "pid_mode": "host",
                "cap_drop": ("NET_RAW",),
                "security_opt": ("seccomp=unconfined",),
                "read_only_rootfs": True,
            }
        },
    )
    again = loads(dumps(snap))
    assert again == snap
    a = next(c for c in again.containers if c.name == "tenant-a")
    assert a.devices == (Device(host_path="/dev/fuse", container_path="/dev/fuse"),)


def test_host_paths_are_canonical():
    assert Mount(type="bind", destination="/x", source="//srv/./a/").host_path == "/srv/a"
    assert Mount(type="bind", destination="/x", source="/").host_path == "/"
    assert Mount(type="volume", destination="/x", name="v").host_path == ""


# ---- compose ---------------------------------------------------------------------------------


COMPOSE = """
services:
  web:
    image: nginx
    volumes:
      - shared:/srv
      - ./site:/site:ro
      - /cache
      - type: tmpfs
        target: /tmp
      - type: bind
        source: /
        target: /host
        read_only: true
        bind: {propagation: rshared}
    pid: host
    ipc: shareable
    cap_drop: [ALL]
    devices: ["/dev/fuse", {source: /dev/sda, target: /dev/xda, permissions: r}]
    security_opt: ["seccomp:unconfined"]
    read_only: true
  worker:
    image: busybox
    volumes_from: ["web:ro"]
    ipc: "service:web"
    uts: host
    userns_mode: host
  reader:
    image: busybox
    volumes: [{type: volume, source: ext, target: /e}]
    volumes_from: ["worker"]
volumes:
  shared: {}
  ext: {external: true}
"""


def compose_snapshot(tmp_path, text=COMPOSE):
    (tmp_path / "compose.yml").write_text(textwrap.dedent(text))
    return nv.load_compose([tmp_path / "compose.yml"], project_name="p")


def test_compose_predicts_mounts_namespaces_and_privileges(tmp_path):
    snap = compose_snapshot(tmp_path)
    by = {c.name: c for c in snap.containers}
    web = {m.destination: m for m in by["p-web-1"].mounts}
    assert web["/srv"].name == "p_shared" and web["/srv"].rw
    assert web["/site"].source == str(tmp_path / "site") and not web["/site"].rw
    assert web["/cache"].anonymous and web["/tmp"].type == "tmpfs"
    assert web["/host"].propagation == "rshared" and web["/host"].host_path == "/"
    web_c = by["p-web-1"]
    assert (web_c.pid_mode, web_c.ipc_mode, web_c.cap_drop) == ("host", "shareable", ("ALL",))
    assert web_c.devices == (
        Device(host_path="/dev/fuse", container_path="/dev/fuse", permissions="rwm"),
        Device(host_path="/dev/sda", container_path="/dev/xda", permissions="r"),
    )
    # the engine adds label=disable to a container in the host's PID namespace
    assert web_c.security_opt == ("label=disable", "seccomp:unconfined")
    assert web_c.read_only_rootfs
    worker = by["p-worker-1"]
    assert worker.ipc_mode == f"container:{web_c.id}"
    assert (worker.uts_mode, worker.userns_mode) == ("host", "host")
    assert worker.volumes_from == ("p-web-1:ro",)
    inherited = {m.destination: m.rw for m in worker.mounts}
    assert inherited == {"/srv": False, "/site": False, "/cache": False, "/host": False}
    reader = {m.destination: m for m in by["p-reader-1"].mounts}  # through worker, transitively
    assert set(reader) == {"/e", "/srv", "/site", "/cache", "/host"}
    assert reader["/e"].name == "ext"
    assert any("volume 'ext' is external" in w for w in snap.warnings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services:\n  a:\n    image: x\n    volumes: [nope:/x]\n", "undefined volume 'nope'"),
        ("services:\n  a:\n    image: x\n    volumes: ['/a:/b:rx']\n", "unknown mode 'rx'"),
        ("services:\n  a:\n    image: x\n    volumes: ['v:rel']\n", "cannot read volume"),
        ("services:\n  a:\n    image: x\n    volumes_from: [b]\n", "unknown or disabled service"),
        ("services:\n  a:\n    image: x\n    pid: 'service:b'\n", "unknown or disabled service"),
    ],
)
def test_compose_mistakes_are_one_line_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        compose_snapshot(tmp_path, text)


# ---- channels --------------------------------------------------------------------------------


def test_nested_host_paths_and_a_volume_inside_a_bind_are_shared_data():
    web = next(c for c in nv.load_demo().containers if c.name == "shop_web_1")
    root = next(m.source for m in web.mounts if m.name).split("/volumes/")[0]  # the data root
    snap = demo_with(
        **{
            "container1": {"mounts": (Mount(type="bind", destination="/s", source="/srv"),)},
            "container2": {
                "mounts": (Mount(type="bind", destination="/x", source="/srv/x/", rw=False),)
            },
            "old-worker": {"mounts": (Mount(type="bind", destination="/d", source=root),)},
            "offline-job": {
                "mounts": (Mount(type="bind", destination="/d", source="/var/lib/docker"),)
            },
        }
    )
    g, ch = channels_of(snap)
    (bind,) = ch.between(key(g, "container1"), key(g, "container2"))
    assert (bind.kind, bind.resource, bind.direction) == (ChannelKind.BIND, "/srv/x", "one-way")
    assert not ch.between(key(g, "container2"), key(g, "container1"))
    # a bind of the data root holds every volume: shared data with every volume's users
    old = key(g, "old-worker")
    data = [c for c in ch.between(key(g, "shop_api_1"), old) if c.kind is ChannelKind.VOLUME]
    assert [(c.resource, c.direction) for c in data] == [("shop_uploads", "two-way")]
    # and a writable bind of the default data root is power over every container
    assert ch.powers(key(g, "offline-job")) == ("a read-write bind of /var/lib/docker",)


def test_host_namespaces_and_stopped_containers():
    snap = demo_with(
        **{
            "container1": {"ipc_mode": "host"},
            "container2": {"ipc_mode": "host", "uts_mode": "host"},
            "tenant-a": {"pid_mode": "shareable"},
            "tenant-b": {"pid_mode": "container:tenant-a"},
            "old-worker": {"pid_mode": "container:tenant-a"},  # stopped
        }
    )
    g, ch = channels_of(snap)
    c1, c2 = key(g, "container1"), key(g, "container2")
    assert [(c.kind, c.resource) for c in ch.between(c1, c2)] == [(ChannelKind.IPC, "host")]
    assert not ch.powers(c1)  # --ipc=host is a finding, not host equivalence
    ta, tb = key(g, "tenant-a"), key(g, "tenant-b")
    assert ChannelKind.PID in {c.kind for c in ch.between(tb, ta)}
    assert not ch.between(key(g, "old-worker"), ta)
    found = {(f.id, f.detail): f for f in audit_findings(snap)}
    assert found[("A24", "UTS")].severity.label == "low" and found[("A24", "UTS")].cis == "5.21"
    assert found[("A24", "IPC")].cis == "5.17"


def test_a_socket_directory_even_read_only_makes_a_container_host_equivalent():
    snap = demo_with(
        container1={"mounts": (Mount(type="bind", destination="/r", source="/run", rw=False),)}
    )
    g, ch = channels_of(snap)
    c1 = key(g, "container1")
    assert ch.powers(c1) == ("the engine socket, through a bind of /run",)
    assert len(ch.targets(c1)) == len(snap.containers) - 1
    found = [f for f in audit_findings(snap) if f.id == "A21" and f.detail == "/run:/r"]
    assert [f.severity.label for f in found] == ["critical"]


def test_the_grouped_form_stays_linear_with_host_equivalent_containers():
    demo = nv.load_demo()
    base = next(c for c in demo.containers if c.name == "container2")
    many = tuple(replace(base, id=f"{i:064x}", name=f"c{i:05d}") for i in range(3000))
    agent = next(c for c in demo.containers if c.name == "host-agent")
    snap = replace(demo, containers=(*many, agent))
    g, ch = channels_of(snap)
    grouped = ch.grouped()
    assert [h.container for h in grouped.host_equivalent] == ["host-agent"]
    assert grouped.data == () and grouped.namespaces == ()
    assert ch.targets(key(g, "c00000")) == []  # no pair looked at for the others
    report = nv.audit(g, grouped=True, fmt=nv.AuditFormat.JSON, fail_on=nv.FailOn.NEVER)
    body = json.loads(report.output.text)
    assert "channels" not in body and len(json.dumps(body["channels_grouped"])) < 500
    assert sum(1 for c in ch.pairs() if c.kind is ChannelKind.HOST) == 3000


def test_the_demo_channels_are_the_studied_ones():
    g = nv.build_graph(nv.load_demo())
    report = nv.audit(g, fail_on=nv.FailOn.NEVER).value
    assert report.channels is not None
    got = {(c.source, c.target, c.kind.value, c.resource, c.direction) for c in report.channels}
    assert ("shop_api_1", "shop_web_1", "volume", "shop_uploads", "one-way") in got
    assert ("tenant-a", "tenant-b", "volume", "scratch", "one-way") in got
    assert not any(c[0] == "shop_web_1" and c[2] == "volume" for c in got)
    host = {c[1] for c in got if c[0] == "host-agent" and c[2] == "host"}
    assert len(host) == 13  # every other container of the engine
    a29 = [f for f in report.findings if f.id == "A29"]
    assert [{s.name for s in f.subjects} for f in a29] == [{"tenant-a", "tenant-b"}]
    text = nv.audit(g, fmt=nv.AuditFormat.MARKDOWN, fail_on=nv.FailOn.NEVER).output.text
    assert "| volume | scratch | written by tenant-a; read-only: tenant-b |" in text


# ---- findings ---------------------------------------------------------------------------------


def test_isolation_findings_and_their_severities():
    snap = demo_with(
        container1={
            "mounts": (
                Mount(type="bind", destination="/h", source="/"),
                Mount(type="bind", destination="/e", source="/etc", rw=False),
                Mount(type="bind", destination="/p", source="/mnt", propagation="rshared"),
            ),
            "cap_add": ("CAP_SYS_ADMIN", "NET_ADMIN"),
        },
        container2={
            "cap_add": ("ALL",),
            "devices": (Device(host_path="/dev/sda", container_path="/dev/sda"),),
            "security_opt": ("seccomp:unconfined", "apparmor=unconfined", "label=disable"),
        },
        shop_api_1={"privileged": True},
    )
    found = {(f.id, f.detail): f for f in audit_findings(snap)}
    assert found[("A22", "/:/h")].severity.label == "critical"
    assert found[("A22", "/etc:/e")].severity.label == "medium"
    assert found[("A28", "/mnt:/p")].cis == "5.20"
    assert found[("A25", "SYS_ADMIN,NET_ADMIN")].severity.label == "high"
    assert found[("A25", "ALL")].severity.label == "critical"
    assert found[("A26", "/dev/sda")].severity.label == "high"
    assert {found[("A27", o)].cis for o in ("seccomp=unconfined", "apparmor=unconfined")} == {
        "5.22",
        "5.2",
    }
    assert found[("A27", "label=disable")].cis == "5.3"
    assert found[("A23", "")].severity.label == "critical" and found[("A23", "")].cis == "5.5"
    a12 = next(
        f for f in audit_findings(snap) if f.id == "A12" and f.subjects[0].name == "shop_api_1"
    )
    assert a12.cis == "5.5" and a12.severity.label == "high"


def test_an_uninspected_capture_says_which_checks_were_not_made():
    snap = demo_with(
        **{c.name: {"pid_mode": None, "privileged": None} for c in nv.load_demo().containers}
    )
    snap = replace(snap, inspected=False)
    caveats = " ".join(nv.audit(nv.build_graph(snap)).value.caveats)
    assert "A23–A27 and the namespace and host channels were not checked" in caveats


# ---- policy and reach --------------------------------------------------------------------------


def test_policies_forbid_channels(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - name: tenants share nothing\n    forbid:\n"
        "      from: {network: tenants}\n      to: {network: tenants}\n"
        "      published_ports: false\n      channels: true\n"
    )
    done = run_cli("audit", "--demo", "--policy", str(policy), "-f", "json")
    violations = json.loads(done.stdout)["policy"]["violations"]
    assert [(v["from"], v["to"], v["channel"]) for v in violations] == [
        ("tenant-a", "tenant-b", "volume:scratch")
    ]
    with pytest.raises(InputError, match="channels applies to forbid rules only"):
        parse_policy(
            "version: 1\nrules:\n  - require: {from: {container: a}, to: {container: b},"
            " channels: true}\n"
        )
    with pytest.raises(InputError, match="must be true, false or a list of volume"):
        parse_policy(
            "version: 1\nrules:\n  - forbid: {from: {container: a}, to: {container: b},"
            " channels: [disk]}\n"
        )


def test_reach_reports_channels_beside_the_network():
    done = run_cli("reach", "--demo", "tenant-a", "tenant-b")
    assert done.returncode == 1  # icc off: no network path
    assert "volume (one-way): tenant-a writes volume scratch, which tenant-b mounts" in done.stdout
    back = run_cli("reach", "--demo", "tenant-b", "tenant-a")
    assert "no channel besides the network from tenant-b to tenant-a" in back.stdout
    assert "not inspected" not in back.stderr  # the demo was recorded with inspect


def test_no_data_hides_the_data_layer_and_channels():
    g = nv.build_graph(nv.load_demo())
    analysis = nv.analyse(g)
    with_data = draw(g, Format.DOT, RenderOptions(), analysis).text
    without = draw(g, Format.DOT, RenderOptions(data=False), analysis).text
    assert 'shape="cylinder"' in with_data and "equivalent to the host" in with_data
    assert "cylinder" not in without and "equivalent to the host" not in without
    reach = draw(g, Format.DOT, RenderOptions(view=View.REACHABILITY), analysis).text
    assert 'arrowhead="diamond"' in reach and "volume scratch" in reach
    plain = draw(g, Format.DOT, RenderOptions(view=View.REACHABILITY, data=False), analysis).text
    assert "diamond" not in plain
    cli = run_cli("render", "--demo", "-f", "dot", "--no-data")
    assert cli.returncode == 0 and "cylinder" not in cli.stdout


def test_a_filtered_view_keeps_only_the_data_of_its_containers():
    g = nv.build_graph(nv.load_demo())
    shop = nv.select(g, nv.Selection(filters=(("project", "shop"),)))
    names = {d.label for _, d in data_nodes(shop)}
    assert names == {"shop_uploads", "/srv/netviz-demo/site"}
    assert {d.label for _, d in data_nodes(g)} >= names | {"scratch", SOCKET}


def test_graph_json_carries_the_data_layer_as_its_own_bipartite_graph():
    import networkx as nx

    body = json.loads(run_cli("render", "--demo", "-f", "json").stdout)
    layer = nx.node_link_graph(
        {"directed": False, "multigraph": False, "graph": {}, **body["data_layer"]},
        edges="links",
    )
    volume = "data:volume::scratch"
    assert {layer.nodes[n]["kind"] for n in layer[volume]} == {"container"}
    assert nx.is_bipartite(layer)
    assert {n["kind"] for n in body["nodes"]} == {"network", "container"}  # untouched
    (agent,) = body["data_layer"]["host_equivalent"]
    assert agent["powers"] == ["the engine socket (/var/run/docker.sock)"]


def test_a_volume_shared_by_thousands_is_one_a29_found_in_linear_time():
    demo = nv.load_demo()
    base = next(c for c in demo.containers if c.name == "tenant-a")  # writes scratch, icc off
    many = tuple(replace(base, id=f"{i:064x}", name=f"r{i:05d}") for i in range(3000))
    g = nv.build_graph(replace(demo, containers=(*demo.containers, *many)))
    (a29,) = [f for f in nv.analyse(g).findings if f.id == "A29"]  # seconds, not hours
    assert len(a29.subjects) == 3002 and a29.detail == "volume scratch"

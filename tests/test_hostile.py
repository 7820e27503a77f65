"""Hostile data in every output: from the real engine, and from random snapshots (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

import visualizer as nv
from visualizer.analysis.audit import build_report
from visualizer.model import (
    SWARM_SERVICE_LABEL,
    Container,
    Endpoint,
    Engine,
    Host,
    Mount,
    Network,
    Port,
    Service,
    ServicePort,
    Snapshot,
    Subnet,
)
from visualizer.renderers import render as draw
from visualizer.renderers import render_audit, render_report
from visualizer.sources.snapshot import dumps, loads

needs_dot = pytest.mark.usefixtures("dot")
SVG = "{http://www.w3.org/2000/svg}"


def svg_text(svg: bytes | str) -> str:
    root = ET.fromstring(svg)
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.docker
def test_hostile_engine_data_in_every_format(lab, tmp_path):
    nets = {
        "html": lab.name('"q"<script>alert(1)</script>'),
        "newline": lab.name("line\nbreak"),
        "rtl": lab.name("\u202eevil"),
        "formula": lab.name("=cmd|x!A0"),
        "long": lab.name("L" * 300),
    }
    for name in nets.values():
        lab.docker("network", "create", "--label", "note=<b>bold</b>\nline", name)
    lab.run(
        "web",
        "--network",
        nets["html"],
        "--network-alias",
        'a"<b>|*x*',
        "--label",
        'k=v\nnew"<i>',
        "-p",
        "127.0.0.1::80",
    )
    lab.run("peer", "--network", nets["html"])
    lab.run("nl", "--network", nets["newline"])
    lab.run("rtl", "--network", nets["rtl"])
    lab.run("long", "--network", nets["long"])
    sel = ["--filter", f"label={lab.label}"]

    # snapshot: exact text round-trips
    done = run_cli("snapshot", "-o", str(tmp_path / "s.json"))
    assert done.returncode == 0, done.stderr
    snap = nv.load_snapshot(tmp_path / "s.json")
    assert set(nets.values()) <= {n.name for n in snap.networks}
    web = next(c for c in snap.containers if c.name == lab.name("web"))
    assert web.endpoints[0].aliases is not None
    assert 'a"<b>|*x*' in web.endpoints[0].aliases
    assert loads(dumps(snap)) == snap

    # DOT / SVG: accepted by Graphviz, text literal, nothing injected
    for view in ("topology", "reachability"):
        out = tmp_path / f"{view}.svg"
        done = run_cli("render", *sel, "--view", view, "-o", str(out))
        assert done.returncode == 0, done.stderr
        text = svg_text(out.read_bytes())
        if view == "topology":
            assert nets["html"] in text
            assert lab.name("line") + "\\x0abreak" in text
            assert lab.name("\\u202eevil") in text
        assert "\u202e" not in out.read_text()
        assert "<script>" not in out.read_text()  # escaped as &lt;script&gt; in the SVG source

    # audit in every format
    body = json.loads(
        run_cli("audit", "--from", str(tmp_path / "s.json"), "-f", "json", "--exit-zero").stdout
    )
    pair = next(
        p
        for p in body["reachability"]
        if p["from"] == lab.name("peer") and p["to"] == lab.name("web")
    )
    assert pair["via"] == [nets["html"]]  # JSON keeps the exact text
    md = run_cli(
        "audit", "--from", str(tmp_path / "s.json"), "-f", "markdown", "--exit-zero"
    ).stdout
    assert "<script>" not in md
    assert "\u202e" not in md
    sarif = json.loads(
        run_cli("audit", "--from", str(tmp_path / "s.json"), "-f", "sarif", "--exit-zero").stdout
    )
    assert sarif["version"] == "2.1.0"
    table = run_cli("audit", "--from", str(tmp_path / "s.json"), "--exit-zero").stdout
    assert "\u202e" not in table
    assert "\x1b" not in table  # not a terminal: no escape sequences at all

    # matrix CSV and reach
    rows = list(
        csv.reader(
            io.StringIO(
                run_cli("matrix", "--from", str(tmp_path / "s.json"), *sel, "-f", "csv").stdout
            )
        )
    )
    assert rows[0][0] == "from\\to"
    assert all(len(r) == len(rows[0]) for r in rows)
    reach = json.loads(
        run_cli(
            "reach",
            "--from",
            str(tmp_path / "s.json"),
            lab.name("peer"),
            lab.name("web"),
            "--json",
            "--inspect",
        ).stdout
    )
    assert reach["via"] == [nets["html"]]
    assert 'a"<b>|*x*' in reach["names"]


MARKUP = "<img src=x onerror=alert(1)>"  # distinctive: no output has it unless a name leaks raw
names = st.one_of(
    st.text(min_size=1, max_size=40),
    st.text(max_size=20).map(lambda s: s + MARKUP),
    st.sampled_from(["", "]" * 20_000, "é" * 17_000]),  # empty, and over Graphviz's 16 KiB
)
labels = st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=3)
# the data layer carries engine text too: volume names, host paths, mount points (hostile but
# short: the huge names above already reach every label, and Hypothesis refuses huge reprs)
short = st.one_of(st.text(min_size=1, max_size=30), st.text(max_size=12).map(lambda s: s + MARKUP))
mounts = st.one_of(
    st.builds(
        Mount,
        type=st.just("volume"),
        name=st.sampled_from(["shared", "logs"]) | short,
        destination=short.map(lambda s: "/" + s),
        driver=st.sampled_from(["local", "", "<b>plugin</b>"]),
        rw=st.booleans(),
    ),
    st.builds(
        Mount,
        type=st.just("bind"),
        source=st.sampled_from(["/srv/x", "/var/run/docker.sock", "/"])
        | short.map(lambda s: "/" + s),
        destination=short.map(lambda s: "/" + s),
        rw=st.booleans(),
    ),
)


@st.composite
def snapshots(draw):
    n_nets = draw(st.integers(min_value=1, max_value=5))
    drivers = st.sampled_from(["bridge", "overlay", "macvlan", "host", "null", draw(names)])
    hosts = draw(st.lists(names, max_size=3, unique=True))  # several engines, hostile names
    on_a_host = st.sampled_from(hosts) if hosts else st.just("")
    services = [
        Service(
            id=f"s{i}",
            name=name,
            endpoint_mode=draw(st.sampled_from(["vip", "dnsrr"])),
            ports=(
                ServicePort(
                    target=80, published=8080 + i, mode=draw(st.sampled_from(["ingress", "host"]))
                ),
            ),
        )
        for i, name in enumerate(draw(st.lists(names, max_size=2, unique=True)))
    ]
    networks = [
        Network(
            id=f"{i:064x}",
            name=draw(names),
            host=draw(on_a_host),
            driver=draw(drivers),
            internal=draw(st.booleans()),
            labels=draw(labels),
            options=draw(st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=2)),
            subnets=(Subnet(cidr=f"10.{i}.0.0/24", gateway=f"10.{i}.0.1"),),
        )
        for i in range(n_nets)
    ]
    containers = []
    for j in range(draw(st.integers(min_value=0, max_value=6))):
        attached = draw(st.lists(st.sampled_from(networks), max_size=2, unique_by=lambda n: n.id))
        running = draw(st.booleans())
        containers.append(
            Container(
                id=f"{j + 100:064x}",
                name=draw(names),
                host=draw(on_a_host),
                image=draw(names),
                state="running" if running else "exited",
                network_mode=draw(st.sampled_from(["default", "host", "none", draw(names)])),
                labels=draw(labels)
                | ({SWARM_SERVICE_LABEL: draw(st.sampled_from(services)).name} if services else {}),
                ports=tuple(
                    Port(
                        container_port=draw(st.integers(1, 65535)),
                        host_ip=draw(st.sampled_from(["0.0.0.0", "::", "127.0.0.1", "192.0.2.5"])),
                        host_port=draw(st.integers(1, 65535)),
                    )
                    for _ in range(draw(st.integers(0, 2)))
                ),
                endpoints=tuple(
                    Endpoint(
                        network_id=n.id,
                        network_name=n.name,
                        ipv4=f"10.{k}.0.{j + 2}" if running else None,
                        aliases=tuple(draw(st.lists(names, max_size=2))),
                    )
                    for k, n in enumerate(attached)
                ),
                mounts=tuple(draw(st.lists(mounts, max_size=3, unique_by=lambda m: m.destination))),
                privileged=draw(st.sampled_from([None, False, True])),
                ipc_mode=draw(st.sampled_from([None, "private", "shareable", "host"])),
            )
        )
    engine = Engine(
        name=draw(names), server_version=draw(st.sampled_from(["20.10.24", "28.2.2", "", "x"]))
    )
    return Snapshot(
        engine=engine,
        networks=tuple(networks),
        containers=tuple(containers),
        source=draw(names),
        captured_at=draw(names),
        hosts=tuple(
            Host(name=h, engine=replace(engine, name=h), source=draw(names)) for h in hosts
        ),
        services=tuple(services),
    )


@given(snapshots())
def test_random_snapshots_round_trip_and_render(snap):
    assert loads(dumps(snap)) == snap
    g = nv.build_graph(snap)
    analysis = nv.analyse(g)
    for view in ("topology", "reachability"):
        draw(g, nv.Format.DOT, nv.RenderOptions(view=nv.View(view)), analysis)
    markup = [draw(g, fmt, None, analysis).text for fmt in (nv.Format.MERMAID, nv.Format.HTML)]
    markup.append(render_report(g, nv.RenderOptions(), analysis).text)
    assert len(json.loads(draw(g, nv.Format.JSON).text)["graph"]["hosts"]) == len(snap.hosts)
    report = build_report(g, fail_on=None)
    body = json.loads(render_audit(report, nv.AuditFormat.JSON).text)
    assert body["summary"]["containers"] == len(snap.containers)
    markup.append(render_audit(report, nv.AuditFormat.MARKDOWN).text)
    for text in markup:
        assert MARKUP not in text
    json.loads(render_audit(report, nv.AuditFormat.SARIF).text)
    assert render_audit(report, nv.AuditFormat.TABLE).text
    rows = list(csv.reader(io.StringIO(nv.matrix(g, fmt=nv.MatrixFormat.CSV).output.text)))
    assert len(rows) == len(snap.containers) + 1


@needs_dot
@given(snapshots())
def test_random_snapshots_are_accepted_by_graphviz(snap):
    g = nv.build_graph(snap)
    analysis = nv.analyse(g)
    for view in (nv.View.TOPOLOGY, nv.View.REACHABILITY):
        dot = draw(g, nv.Format.DOT, nv.RenderOptions(view=view), analysis).content
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
        svg_text(done.stdout)  # well-formed XML


@needs_dot
@given(snapshots())
def test_random_snapshots_at_every_level_of_detail(snap):
    """Groups carry engine text too (service, project and fold names, ports, findings)."""
    g = nv.build_graph(snap)
    analysis = nv.analyse(g)
    for detail in (nv.Detail.SERVICE, nv.Detail.PROJECT, nv.Detail.NETWORK):
        for view in (nv.View.TOPOLOGY, nv.View.REACHABILITY):
            opts = nv.RenderOptions(view=view, detail=detail)
            assert MARKUP not in draw(g, nv.Format.MERMAID, opts, analysis).text
            svg = draw(g, nv.Format.SVG, opts, analysis).content  # laid out block by block
            svg_text(svg)  # well-formed XML
    for view in (nv.View.TOPOLOGY, nv.View.REACHABILITY):
        opts = nv.RenderOptions(detail=nv.Detail.PROJECT, view=view)
        assert MARKUP not in draw(g, nv.Format.HTML, opts, analysis).text


def test_very_long_strings_are_shortened_in_labels_kept_in_data():
    demo = nv.load_demo()
    long = "x" * 5000
    c = demo.containers[0]
    snap = replace(demo, containers=(replace(c, name=long), *demo.containers[1:]))
    g = nv.build_graph(snap)
    dot = draw(g, nv.Format.DOT).text
    assert long not in dot.split("tooltip")[0]
    assert "x" * 47 + "…" in dot
    assert any(
        v["from"] == long or v["to"] == long
        for v in json.loads(render_audit(build_report(g), nv.AuditFormat.JSON).text)["reachability"]
    )


@needs_dot
def test_empty_names_are_shown_as_such():
    demo = nv.load_demo()
    net = demo.networks[0]
    snap = replace(
        demo,
        networks=(replace(net, name=""), *demo.networks[1:]),
        containers=(replace(demo.containers[0], name=""), *demo.containers[1:]),
    )
    g = nv.build_graph(snap)
    dot = draw(g, nv.Format.DOT).content
    assert dot.count(b"<B>(empty name)</B>") == 2
    assert "(empty name)" in svg_text(draw(g, nv.Format.SVG).content)
    assert draw(g, nv.Format.MERMAID).text.count("<b>#40;empty name#41;</b>") == 2


@needs_dot
def test_a_container_on_many_networks_is_a_bounded_table():
    demo = nv.load_demo()
    c = demo.containers[0]
    many = tuple(replace(demo.networks[1], id=f"{i:064x}", name=f"net{i:03}") for i in range(200))
    wide = replace(
        c,
        endpoints=tuple(
            replace(c.endpoints[0], network_id=n.id, network_name=n.name, ipv4=None) for n in many
        ),
    )
    snap = replace(demo, networks=demo.networks + many, containers=(wide,))
    per_container = nv.RenderOptions(detail=nv.Detail.CONTAINER)
    dot = draw(nv.build_graph(snap), nv.Format.DOT, per_container).text
    (node,) = [line for line in dot.splitlines() if line.startswith("  c0 [")]
    assert "net036: " in node.split("tooltip")[0]
    assert "net037: " not in node.split("tooltip")[0]
    assert "… 163 more rows" in node


@pytest.mark.docker
@needs_dot
def test_a_network_name_over_16_kib_does_not_break_the_picture(lab, tmp_path):
    net = lab.network("x" * 17_000)  # the engine accepts it
    lab.run("on-it", "--network", net)
    svg = tmp_path / "long.svg"
    done = run_cli("render", "--filter", f"network={net}", "-o", str(svg), "-q")
    assert done.returncode == 0, done.stderr
    assert lab.prefix in svg_text(svg.read_bytes())
    graph = json.loads(
        run_cli("render", "--filter", f"network={net}", "-f", "json", "-o", "-").stdout
    )
    assert net in {n.get("name") for n in graph["nodes"]}  # the full name stays in the data

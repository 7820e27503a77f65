"""The topology diagram: golden DOT, determinism, escaping checked by Graphviz itself."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import visualizer as nv
from visualizer.errors import RendererError
from visualizer.renderers import Direction, Format, Layout, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.selection import Selection, parse_filters, select

GOLDEN = Path(__file__).parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.usefixtures("dot")


def dot_of(snap, options=None, selection=None, *, findings=True):
    g = nv.build_graph(snap)
    view = select(g, selection or Selection())
    analysis = nv.analyse(g) if findings else None
    return draw(view, Format.DOT, options, analysis).text


def check_golden(name, text, update):
    path = GOLDEN / name
    if update:
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs; rerun with --update-golden if intended"


def test_golden_demo(update_golden):
    check_golden("demo.dot", dot_of(nv.load_demo()), update_golden)


def test_golden_reachability_view(update_golden):
    text = dot_of(nv.load_demo(), RenderOptions(view=View.REACHABILITY))
    check_golden("demo-reachability.dot", text, update_golden)


def test_golden_without_findings(update_golden):
    check_golden("demo-plain.dot", dot_of(nv.load_demo(), findings=False), update_golden)


def test_golden_filtered_top_to_bottom(update_golden):
    text = dot_of(
        nv.load_demo(),
        RenderOptions(direction=Direction.TB, legend=False),
        Selection(filters=parse_filters(["project=shop"]), hide_unused_builtin=True),
    )
    check_golden("demo-shop-tb.dot", text, update_golden)


def shuffled(snap, seed):
    rng = random.Random(seed)

    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    return replace(
        snap,
        networks=mix(snap.networks),
        containers=mix(
            replace(c, endpoints=mix(c.endpoints), ports=mix(c.ports)) for c in snap.containers
        ),
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("view", ["topology", "reachability"])
def test_same_input_any_order_same_bytes(seed, view):
    demo = nv.load_demo()
    options = RenderOptions(view=View(view))
    assert dot_of(shuffled(demo, seed), options) == dot_of(demo, options)


def test_synthetic_ids_only():
    text = dot_of(nv.load_demo())
    demo = nv.load_demo()
    for c in demo.containers:
        assert f"{c.id}" not in text  # only short IDs in tooltips, never as node IDs
    assert " n0 [" in text and " c0 [" in text


def test_drawing_marks_what_matters():
    text = dot_of(nv.load_demo())
    assert "INTERNAL" in text and 'peripheries="2"' in text  # shop_backend
    assert "ICC OFF" in text and 'arrowhead="tee"' in text  # tenants
    assert "NO DNS" in text  # default bridge
    assert "shares network stack" in text  # metrics-sidecar → container1
    assert "0.0.0.0:8080, [::&#93;:8080 → 80/tcp" in text  # `]` escaped for Graphviz
    assert "127.0.0.1:9000 → 9000/tcp" in text
    assert "fd00:5eed::/64  gw fd00:5eed::1" in text
    assert "cluster_p0" in text and "compose project <B>shop</B>" in text
    assert "legacy link: legacy → legacy-app" in text
    assert 'style="rounded,filled,dashed"' in text  # old-worker, stopped


HOSTILE = [
    "end",
    "a:b",
    '"q"',
    "<b>",
    "café-日本-🐳",
    'x" -> evil [label="pwn"]; //',
    "back\\slash\\n",
    "rtl-\u202eevil",
    "new\nline",
    "]]>&amp;<!--",
    "subgraph",
    "-",
]


def hostile_snapshot(names):
    demo = nv.load_demo()
    ctrs = list(demo.containers)
    nets = list(demo.networks)
    for i, name in enumerate(names):
        ctrs[i] = replace(
            ctrs[i], name=name, image=name, labels={"com.docker.compose.project": name}
        )
    renamed = {}
    for i, name in enumerate(names[: len(nets)]):
        renamed[nets[i].id] = name
        nets[i] = replace(nets[i], name=name, driver=name if i % 3 == 0 else nets[i].driver)
    ctrs = [
        replace(
            c,
            endpoints=tuple(
                replace(e, network_name=renamed.get(e.network_id, e.network_name))
                for e in c.endpoints
            ),
            mounts=tuple(  # volume names and host paths are engine text too
                replace(m, name=names[i % len(names)])
                if m.type == "volume"
                else replace(
                    m,
                    source=f"/{names[i % len(names)]}/{m.source.rsplit('/', 1)[-1]}",
                    destination=names[-1],
                )
                for m in c.mounts
            ),
        )
        for i, c in enumerate(ctrs)
    ]
    engine = replace(demo.engine, name=names[0], server_version=names[-1])
    return replace(demo, engine=engine, networks=tuple(nets), containers=tuple(ctrs))


def data_drawn(g):
    """Data nodes, mount edges and host-equivalent containers the topology view draws."""
    from visualizer.analysis.powers import host_powers
    from visualizer.graph import container_record, data_layer, mounts
    from visualizer.renderers.dot_data import drawn_data

    shown = drawn_data(g)
    edges = sum(len(mounts(g, c, d)) for d, _ in shown for c in data_layer(g).adj[d])
    powered = sum(
        1 for k in g if k.startswith("container:") and host_powers(container_record(g, k))
    )
    return len(shown), edges, powered


def svg_texts(svg: bytes) -> tuple[list[str], int, int]:
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    nodes = sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node")
    edges = sum(1 for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge")
    return texts, nodes, edges


@needs_dot
def test_hostile_names_are_text_in_the_svg():
    snap = hostile_snapshot(HOSTILE)
    g = nv.build_graph(snap)
    svg = draw(g, Format.SVG, RenderOptions(detail=nv.Detail.CONTAINER)).content
    texts, nodes, edges = svg_texts(svg)
    expected_edges = sum(1 for _, _, d in g.edges(data=True) if d["shared_from"] is None) + 1
    data, mounts, powered = data_drawn(g)
    assert data and mounts and powered  # the hostile names reach the data layer too
    # + the legend, the data legend and the host's octagon
    assert nodes == len(snap.networks) + len(snap.containers) + data + 3
    assert edges == expected_edges + mounts + powered  # nothing injected
    joined = "\n".join(texts)
    for name in ["end", "a:b", '"q"', "<b>", "café-日本-🐳", "back\\slash\\n", "subgraph"]:
        assert name in joined, name
    assert "rtl-\\u202eevil" in joined and "\u202e" not in joined
    assert "new\\x0aline" in joined


@needs_dot
@given(st.lists(st.text(min_size=1, max_size=30), min_size=3, max_size=6))
def test_any_text_renders(names):
    snap = hostile_snapshot(names)
    per_container = RenderOptions(detail=nv.Detail.CONTAINER)  # what is counted below
    svg = draw(nv.build_graph(snap), Format.SVG, per_container).content
    _, nodes, _ = svg_texts(svg)
    data, _, powered = data_drawn(nv.build_graph(snap))
    extra = data + (2 if powered else 1 if data else 0)  # the host's octagon, the data legend
    assert nodes == len(snap.networks) + len(snap.containers) + 1 + extra


@needs_dot
@pytest.mark.parametrize(
    ("fmt", "magic"), [(Format.SVG, b"<?xml"), (Format.PNG, b"\x89PNG"), (Format.PDF, b"%PDF")]
)
def test_image_formats(fmt, magic):
    out = draw(nv.build_graph(nv.load_demo()), fmt)
    assert out.content.startswith(magic)
    assert out.format is fmt


def test_missing_graphviz_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    g = nv.build_graph(nv.load_demo())
    assert draw(g, Format.DOT).text.startswith("digraph")  # dot needs no executable
    with pytest.raises(RendererError, match="apt-get install graphviz"):
        draw(g, Format.SVG)


@needs_dot
@pytest.mark.parametrize("layout", ["dot", "neato", "fdp", "sfdp", "circo", "twopi", "osage"])
def test_every_layout_engine_renders(layout):
    options = RenderOptions(layout=Layout(layout))
    out = draw(nv.build_graph(nv.load_demo()), Format.SVG, options)
    assert out.content.startswith(b"<?xml")


@needs_dot
@pytest.mark.parametrize("name", ["]", "]]", "x]", "&#93;", "]]>"])
def test_brackets_graphviz_chokes_on(name):
    snap = hostile_snapshot([name, name + "2", name + "3"])
    svg = draw(nv.build_graph(snap), Format.SVG).content
    assert name in "\n".join(svg_texts(svg)[0])

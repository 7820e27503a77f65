"""Pictures in a sane shape with readable text, measured on the SVG Graphviz drew."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, run_cli

import visualizer as nv
from visualizer.renderers import Detail, Direction, Format, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.renderers.fit import estimate
from visualizer.renderers.shape import BLOCK_COMMENT, blocks, parse, wrap

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import estate

SVG_NS = "{http://www.w3.org/2000/svg}"
SCREEN = (1920, 1080)
needs_dot = pytest.mark.usefixtures("dot")


def measure(svg: bytes) -> tuple[float, float, float]:
    """Width / height of the viewBox, and the smallest text in px once fitted on the screen."""
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    fonts = [float(t.attrib["font-size"]) for t in root.iter(f"{SVG_NS}text")]
    return width / height, min(fonts) * min(SCREEN[0] / width, SCREEN[1] / height), min(fonts)


def texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]


SIZES = {"demo": nv.load_demo, "30": lambda: estate(30), "300": lambda: estate(300)}


@needs_dot
@pytest.mark.parametrize("view", ["topology", "reachability"])
@pytest.mark.parametrize("size", list(SIZES))
def test_default_picture_is_screen_shaped_and_readable(size, view, tmp_path):
    snap = SIZES[size]()
    g = nv.build_graph(snap)
    out = draw(g, Format.SVG, RenderOptions(view=view), nv.analyse(g))
    (tmp_path / f"{size}-{view}.svg").write_bytes(out.content)
    aspect, px, font = measure(out.content)
    assert 1 / 3 <= aspect <= 3, aspect
    assert px >= 8, (px, out.notes)
    assert font >= 9


@needs_dot
def test_default_picture_of_1000_containers(tmp_path):
    path = tmp_path / "e1000.json"
    path.write_text(nv.dumps_snapshot(estate(1000)))
    done = run_cli("render", "--from", str(path), "-o", str(tmp_path / "e.svg"))
    assert done.returncode == 0, done.stderr
    aspect, px, _ = measure((tmp_path / "e.svg").read_bytes())
    assert 1 / 3 <= aspect <= 3 and px >= 8
    assert "one node per" in done.stderr


@needs_dot
@pytest.mark.parametrize(("detail", "direction"), [("container", "LR"), ("service", "TB")])
def test_a_level_asked_for_keeps_a_sane_shape_even_when_it_cannot_be_read(detail, direction):
    g = nv.build_graph(estate(300))
    opts = RenderOptions(detail=Detail(detail), direction=Direction(direction))
    out = draw(g, Format.SVG, opts, nv.analyse(g))
    aspect, px, _ = measure(out.content)
    assert 1 / 3 <= aspect <= 3, aspect
    assert px < 8  # hundreds of nodes: the reason the default is coarser


@needs_dot
def test_the_strip_of_the_issue_is_gone():
    """300 containers per container used to be 854 x 21,341 pt: a hairline on a screen."""
    g = nv.build_graph(estate(300))
    out = draw(g, Format.SVG, RenderOptions(detail=Detail.CONTAINER), nv.analyse(g))
    aspect, _, _ = measure(out.content)
    assert 1 / 2.5 <= aspect <= 2.5


def test_estimate_is_close_to_the_drawing(dot):
    g = nv.build_graph(estate(300))
    for detail in ("container", "project"):
        out = draw(g, Format.SVG, RenderOptions(detail=Detail(detail)), nv.analyse(g))
        width = float(ET.fromstring(out.content).attrib["viewBox"].split()[2])
        guess = estimate(_source(g, detail))
        assert 0.6 <= guess.width / width <= 1.6, (detail, guess.width, width)


def _source(g, detail):
    from visualizer.analysis.aggregate import Detail, aggregate
    from visualizer.renderers.diagram import _Index, source

    analysis = nv.analyse(g)
    agg = None if detail == "container" else aggregate(g, analysis, Detail(detail))
    return source(g, RenderOptions(detail=Detail(detail)), analysis, agg, index=_Index())


def test_blocks_and_wrapped_fans():
    g = nv.build_graph(estate(300))
    text = _source(g, "container")
    assert BLOCK_COMMENT in text  # the renderer names the blocks
    dot_out = draw(g, Format.DOT, RenderOptions(detail=Detail.CONTAINER), nv.analyse(g)).text
    assert BLOCK_COMMENT not in dot_out  # not in the DOT a user gets
    parsed = parse(text)
    assert parsed.min_font == 9
    block_of = blocks(parsed)
    assert all(block_of[n] == name for name, c in parsed.clusters.items() if name for n in c.nodes)
    # a network's standalone containers are in its block; a wide fan is spread over ranks
    fans = wrap(parsed, block_of)
    assert fans and max(fans.values()) >= 2
    wrapped = {parsed.edges[i].tail for i in fans}
    assert all(block_of[parsed.edges[i].head] == block_of[parsed.edges[i].tail] for i in fans)
    assert wrapped


# ---- the legend lists what is drawn ---------------------------------------------------------


@needs_dot
def test_legend_lists_only_what_is_drawn():
    g = nv.build_graph(nv.load_demo())
    shown = texts(draw(g, Format.SVG, RenderOptions(), nv.analyse(g)).content)
    assert "bridge network" in shown and "host network" in shown
    for absent in (
        "overlay network",
        "macvlan network",
        "ipvlan network",
        "port on one host address",
    ):
        assert absent not in shown, absent
    assert "⚠ severity: IDs of audit findings (netviz audit)" in shown
    plain = texts(draw(g, Format.SVG, RenderOptions(), None).content)
    assert not any("⚠" in t for t in plain)


@needs_dot
def test_reachability_legend_lists_only_what_is_drawn():
    g = nv.build_graph(nv.load_demo())
    shop = nv.select(g, nv.Selection(filters=(("project", "shop"),)))
    shown = " ".join(
        texts(draw(shop, Format.SVG, RenderOptions(view=View.REACHABILITY), nv.analyse(g)).content)
    )
    assert "reach each other by IP and by name" in shown
    assert "shares the network stack" not in shown  # no sidecar in shop
    assert "host-network container" not in shown


def test_cli_shape_note_for_another_layout(dot, tmp_path):
    done = run_cli("render", "--demo", "--layout", "neato", "-o", str(tmp_path / "n.svg"))
    assert done.returncode == 0, done.stderr
    aspect, _, _ = measure((tmp_path / "n.svg").read_bytes())
    sane = 1 / 3 <= aspect <= 3
    assert sane or "outside 1:3–3:1" in done.stderr

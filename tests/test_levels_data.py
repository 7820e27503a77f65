"""Levels of detail and the data layer together: volumes, host paths, host equivalence and
channels at every level, in DOT, Mermaid and the HTML page, counted and never hidden silently.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest
from conftest import ROOT, run_cli
from test_doc_outputs import mermaid_page, parse_mermaid  # noqa: F401 - the fixture is used
from test_html_levels import open_page, page_file, shot

import visualizer as nv
from visualizer.analysis.aggregate import Detail, aggregate
from visualizer.analysis.channels import ChannelKind
from visualizer.analysis.group_data import group_data
from visualizer.analysis.reachability import Reachability
from visualizer.model import Port
from visualizer.renderers import Format, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.renderers.group_text import port_text
from visualizer.renderers.pack import lay_out_blocks
from visualizer.renderers.shape import parse

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import estate

needs_dot = pytest.mark.usefixtures("dot")


def demo():
    g = nv.build_graph(nv.load_demo())
    return g, nv.analyse(g)


def group_of(agg, name):
    return next(grp for grp in agg.groups if grp.name == name)


# ---- what a level draws ------------------------------------------------------------------------


def test_service_level_draws_the_volumes_services_share_and_counts_the_rest():
    g, analysis = demo()
    out = draw(g, Format.DOT, RenderOptions(detail=Detail.SERVICE), analysis)
    agg = aggregate(g, analysis, Detail.SERVICE)
    api, web = group_of(agg, "api").id, group_of(agg, "web").id
    assert 'shape="cylinder"' in out.text and "<B>shop_uploads</B>" in out.text
    assert "<B>scratch</B>" in out.text  # tenant-a writes, tenant-b reads: two nodes
    lines = {
        (m.group(1), m.group(2)): m.group(3)
        for m in re.finditer(r'  (g\d+) -> (d\d+) \[.*?label="([^"]*)"', out.text)
    }
    uploads = next(d for (_, d), text in lines.items() if text.startswith("/uploads"))
    assert lines[(api, uploads)] == "/uploads"
    assert lines[(web, uploads)] == "/uploads · read-only"
    # web's own bind mount and host-agent's socket join nothing else at this level
    assert "/srv/netviz-demo/site" not in out.text.split("tooltip")[0]
    assert "<B>/var/run/docker.sock</B>" not in out.text
    (note,) = [n for n in out.notes if "not drawn" in n]
    assert note.startswith("one node per service: 2 volumes and host paths that only")
    agent = group_of(agg, "host-agent").id
    assert re.search(rf'  {agent} -> hx0 \[.*label="equivalent to the host"', out.text)
    assert f'  {agent} [color="#b91c1c" fillcolor="#fee2e2" penwidth="3"];' in out.text


def test_project_level_keeps_a_projects_volumes_inside_it_and_says_so():
    g, analysis = demo()
    out = draw(g, Format.DOT, RenderOptions(detail=Detail.PROJECT), analysis)
    assert 'shape="cylinder"' not in out.text  # shop_uploads is shop's, scratch the tenants'
    (note,) = out.notes
    assert "4 volumes and host paths that only the containers of one node mount (in 3 nodes)" in (
        note
    )
    assert "equivalent to the host" in out.text  # host-agent's node, still red
    plain = draw(g, Format.DOT, RenderOptions(detail=Detail.PROJECT, data=False), analysis)
    assert plain.notes == ()
    assert "equivalent to the host" not in plain.text and "hx0" not in plain.text


def test_channels_between_groups_in_the_reachability_view():
    g, analysis = demo()
    reach = RenderOptions(detail=Detail.SERVICE, view=View.REACHABILITY)
    out = draw(g, Format.DOT, reach, analysis)
    agg = aggregate(g, analysis, Detail.SERVICE)
    api, web = group_of(agg, "api").id, group_of(agg, "web").id
    a, b = group_of(agg, "tenant-a").id, group_of(agg, "tenant-b").id
    assert re.search(
        rf'  {api} -> {web} \[dir="forward" arrowhead="diamond".*shop_uploads', out.text
    )
    assert re.search(rf'  {a} -> {b} \[dir="forward" arrowhead="diamond".*volume scratch', out.text)
    assert "Channels besides the network" in out.text
    project = draw(g, Format.DOT, replace(reach, detail=Detail.PROJECT), analysis)
    assert 'arrowhead="diamond"' not in project.text  # both channels stay inside one node
    (note,) = project.notes
    assert "channels among the containers of one node (2 shared resources, in 2 nodes)" in note
    assert "equivalent to the host" in project.text
    off = draw(g, Format.DOT, replace(reach, data=False), analysis)
    assert "diamond" not in off.text and off.notes == ()


@pytest.mark.parametrize("detail", [Detail.SERVICE, Detail.PROJECT, Detail.NETWORK])
def test_group_channels_are_exactly_those_of_their_members(detail):
    """A line between two groups iff some member of one can affect a member of the other."""
    g = nv.build_graph(estate(300))
    analysis = nv.analyse(g)
    agg = aggregate(g, analysis, detail)
    found = group_data(g, agg, analysis.channels)
    drawn = {(ch.source, ch.target) for ch in found.channels}
    channels, of = analysis.channels, agg.group_of
    want = set()
    inside = set()
    for a in of:
        for b in channels.targets(a):
            kinds = {ch.kind for ch in channels.between(a, b)} - {ChannelKind.HOST}
            if kinds and b in of:
                (inside.add(of[a]) if of[a] == of[b] else want.add((of[a], of[b])))
    assert drawn == want
    assert set(found.inside) == inside
    assert want or inside  # the estate has channels to find


def test_group_mounts_count_members_and_writers():
    g = nv.build_graph(estate(300))
    analysis = nv.analyse(g)
    agg = aggregate(g, analysis, Detail.SERVICE)
    found = group_data(g, agg)
    by_id = {grp.id: grp for grp in agg.groups}
    uploads = [m for m in found.mounts if m.data.endswith("_uploads")]
    assert uploads
    for m in uploads:
        grp = by_id[m.group]
        assert m.members == grp.size  # every replica of api and web mounts it
        assert m.writers == (grp.size if grp.name == "api" else 0)
    reports = next(k for k, node in found.shared if node.name == "reports")
    assert sum(m.members for m in found.mounts if m.data == reports) == sum(
        1 for _, c in nv.graph.containers(g) if any(x.name == "reports" for x in c.mounts)
    )
    powered = sum(p.members for p in found.host_equivalent.values())
    assert powered == sum(
        1 for _, c in nv.graph.containers(g) if c.name.startswith("node-exporter")
    )


def test_port_ranges_stay_one_entry_per_group():
    demo_snap = nv.load_demo()
    c = next(c for c in demo_snap.containers if c.name == "shop_web_1")
    ports = tuple(Port(container_port=p, host_port=p, host_ip="0.0.0.0") for p in range(1, 65536))
    snap = replace(
        demo_snap,
        containers=tuple(replace(x, ports=ports) if x is c else x for x in demo_snap.containers),
    )
    g = nv.build_graph(snap)
    analysis = nv.analyse(g)
    web = group_of(aggregate(g, analysis, Detail.SERVICE), "web")
    (run,) = web.ports
    assert port_text(run, web.size) == "0.0.0.0:1-65535 → 1-65535/tcp"
    for detail in (Detail.SERVICE, Detail.PROJECT, Detail.NETWORK):
        for view in (View.TOPOLOGY, View.REACHABILITY):
            opts = RenderOptions(detail=detail, view=view)
            for fmt in (Format.DOT, Format.MERMAID):
                assert len(draw(g, fmt, opts, analysis).content) < 40_000, (detail, view, fmt)


# ---- packing ------------------------------------------------------------------------------------


@needs_dot
def test_packed_edges_keep_their_own_ends():
    """Graphviz lists a block's edges by tail node: each must be matched to its own ends."""
    g, analysis = demo()
    # the packing reads the renderer's own text (-f dot strips the packing's hints)
    from visualizer.renderers.diagram import _Index, level_data, source

    opts = RenderOptions(detail=Detail.SERVICE, view=View.REACHABILITY)
    agg = aggregate(g, analysis, Detail.SERVICE)
    text = source(g, opts, analysis, agg, index=_Index(), data=level_data(g, opts, analysis, agg))
    parsed = parse(text)
    _, laid = lay_out_blocks(parsed)
    checked = 0
    for block in laid.values():
        for i, spot in block.edges.items():
            edge = parsed.edges[i]
            spline = [  # the curve itself, without the arrowheads' `s,` / `e,` points
                tuple(float(v) for v in p.split(","))
                for p in spot["pos"].split()
                if not p.startswith(("s,", "e,"))
            ]
            tail, head = block.nodes[edge.tail], block.nodes[edge.head]
            for end, node in ((spline[0], tail), (spline[-1], head)):
                x, y = (float(v) for v in node["pos"].split(","))
                w, h = float(node["width"]) * 72, float(node["height"]) * 72
                # an end lies on or near its own node's border (an arrowhead takes ~10 points)
                assert abs(end[0] - x) <= w / 2 + 15, (edge.tail, edge.head)
                assert abs(end[1] - y) <= h / 2 + 15, (edge.tail, edge.head)
            checked += 1
    assert checked > 10


# ---- Mermaid ------------------------------------------------------------------------------------


def test_mermaid_draws_the_data_layer_at_every_level(mermaid_page):  # noqa: F811
    g, analysis = demo()
    service = draw(g, Format.MERMAID, RenderOptions(detail=Detail.SERVICE), analysis).text
    assert '[["shop_uploads<br/>volume"]]' in service
    assert re.search(r'-\.-\|"/uploads · read-only"\| d\d', service)
    assert "class " in service and " hosteq" in service
    reach = draw(
        g, Format.MERMAID, RenderOptions(detail=Detail.CONTAINER, view=View.REACHABILITY), analysis
    ).text
    assert re.search(r'c\d+ -\.->\|"volume scratch"\| c\d+', reach)
    assert '==>|"equivalent to the host"| host0' in reach
    for detail in (Detail.CONTAINER, Detail.SERVICE, Detail.PROJECT, Detail.NETWORK):
        for view in (View.TOPOLOGY, View.REACHABILITY):
            out = draw(g, Format.MERMAID, RenderOptions(detail=detail, view=view), analysis)
            result = parse_mermaid(mermaid_page, out.text)
            assert "equivalent to the host" in result["text"], (detail, view)
    off = draw(g, Format.MERMAID, RenderOptions(detail=Detail.SERVICE, data=False), analysis)
    assert "shop_uploads" not in off.text and "hosteq" not in off.text


def test_report_says_what_its_diagram_leaves_out():
    done = run_cli("report", "--demo", "--detail", "project")
    assert done.returncode == 0, done.stderr
    assert "volumes and host paths that only the containers of one node mount" in done.stdout
    assert "## Data and channels besides the network" in done.stdout  # listed in full


# ---- the HTML page ------------------------------------------------------------------------------


def visible_of(page, kind):
    return page.evaluate(
        "(kind) => netviz.cy.elements(`[kind = '${kind}']`).filter(e => !e.hasClass('hidden'))"
        ".map(e => e.isNode() ? e.data('name') : e.data('source') + '>' + e.data('target'))"
        ".sort()",
        kind,
    )


def test_html_draws_the_data_layer_at_every_level(browser, tmp_path):
    path, _, _ = page_file(tmp_path, nv.load_demo(), "demo-data")
    page, errors, _ = open_page(browser, path)
    assert set(visible_of(page, "data")) == {
        "/srv/netviz-demo/site",
        "/var/run/docker.sock",
        "scratch",
        "shop_uploads",
    }
    assert len(visible_of(page, "mount")) == 6
    page.evaluate("netviz.show('service', null)")
    assert visible_of(page, "data") == ["scratch", "shop_uploads"]
    mounts = page.evaluate(
        "netviz.cy.edges('[kind = \"mount\"]').filter(e => !e.hasClass('hidden'))"
        ".map(e => e.data('label')).sort()"
    )
    assert mounts == ["/scratch", "/scratch · read-only", "/uploads", "/uploads · read-only"]
    agent = page.evaluate(
        "netviz.cy.nodes('[kind = \"group\"][name = \"host-agent\"]')[0].data('hosteq')"
    )
    assert agent == 1
    shot(page, "demo-service-data")
    page.evaluate("netviz.show('project', null)")
    assert visible_of(page, "data") == []
    page.evaluate("netviz.select('shop')")
    assert "DATA KEPT INSIDE" in page.inner_text("#details").upper()
    assert "own data: 1 volume, 1 host path" in page.inner_text("#details")
    assert errors == []
    page.close()


def test_html_reachability_view_draws_channels(browser, tmp_path):
    path, _, _ = page_file(tmp_path, nv.load_demo(), "demo-channels", view="reachability")
    page, errors, _ = open_page(browser, path)
    names = page.evaluate(
        "netviz.cy.edges('[kind = \"channel\"]').filter(e => !e.hasClass('hidden'))"
        ".map(e => [e.source().data('name'), e.target().data('name'), e.data('family')])"
    )
    assert ["tenant-a", "tenant-b", "data"] in names
    assert ["shop_api_1", "shop_web_1", "data"] in names
    assert ["host-agent", "host", "host"] in names
    assert page.evaluate("netviz.select('tenant-a')")
    assert "writes volume scratch → tenant-b" in page.inner_text("#details")
    assert page.evaluate("netviz.select('host-agent')")
    assert "every container on its host: equivalent to the host" in page.inner_text("#details")
    page.evaluate("netviz.show('project', null)")
    families = page.evaluate(
        "netviz.cy.edges('[kind = \"channel\"]').filter(e => !e.hasClass('hidden'))"
        ".map(e => e.data('family'))"
    )
    assert families == ["host"]  # the data channels stay inside shop and the tenants' node
    shot(page, "demo-project-channels")
    assert errors == []
    page.close()
    off, _, _ = page_file(tmp_path, nv.load_demo(), "demo-nodata", data=False)
    page, errors, _ = open_page(browser, off)
    assert visible_of(page, "data") == []
    assert "hidden (--no-data)" in page.inner_text("#legend")
    assert errors == []
    page.close()


def test_a_filtered_page_opens_with_what_it_shows(browser, tmp_path):
    """The analysis is the whole estate's; the page of one project shows its part of it."""
    g = nv.build_graph(nv.load_demo())
    shop = nv.select(g, nv.Selection(filters=(("project", "shop"),)))
    path = tmp_path / "shop.html"
    path.write_bytes(draw(shop, Format.HTML, RenderOptions(), nv.analyse(g)).content)
    page, errors, _ = open_page(browser, path)
    assert set(visible_of(page, "data")) == {"/srv/netviz-demo/site", "shop_uploads"}
    assert page.evaluate("netviz.select('shop_api_1')")
    shown = {c.name for _, c in nv.graph.containers(shop)}
    want = sorted(
        v.target for v in Reachability(g).pairs() if v.source == "shop_api_1" and v.target in shown
    )
    assert page.evaluate("netviz.highlighted()")["reaches"] == want
    assert "writes volume shop_uploads → shop_web_1" in page.inner_text("#details")
    assert errors == []
    page.close()

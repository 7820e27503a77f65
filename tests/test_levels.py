"""Levels of detail: what a group says is true of its members, and the level chosen."""

from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from dataclasses import replace
from itertools import permutations

import pytest
from conftest import ROOT, run_cli, swarm_snapshot

import visualizer as nv
from visualizer.analysis.aggregate import LEVELS, Detail, aggregate
from visualizer.analysis.group_reach import group_reach
from visualizer.analysis.reach_classes import reach_index
from visualizer.analysis.reachability import Reachability
from visualizer.errors import UsageError
from visualizer.graph import containers, network_record
from visualizer.renderers import Format, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.renderers.group_text import (
    differs_text,
    findings_lines,
    findings_text,
    link_text,
    port_text,
)
from visualizer.renderers.mermaid import label
from visualizer.selection import Selection, parse_filters, select

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import estate, synthetic


def replicas():
    """The demo, with `web` scaled to 3 replicas that do not all agree.

    web-2 is also on shop_backend and publishes another host port; web-3 has exited (so it
    has no address and publishes nothing), as the engine reports a stopped replica.
    """
    demo = nv.load_demo()
    web = next(c for c in demo.containers if c.name == "shop_web_1")
    backend = next(c for c in demo.containers if c.name == "shop_db_1").endpoints[0]
    two = replace(
        web,
        id="2" * 64,
        name="shop_web_2",
        endpoints=(*web.endpoints, replace(backend, ipv4="192.168.64.9")),
        ports=tuple(replace(p, host_port=8081) for p in web.ports),
    )
    three = replace(
        web,
        id="3" * 64,
        name="shop_web_3",
        state="exited",
        ports=(),
        endpoints=tuple(replace(e, ipv4=None, gateway=None) for e in web.endpoints),
    )
    return replace(demo, containers=(*demo.containers, two, three))


def graph_of(snap):
    g = nv.build_graph(snap)
    return g, nv.analyse(g)


# ---- aggregation ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS[1:])
@pytest.mark.parametrize("source", ["demo", "swarm", "estate"])
def test_every_container_is_in_exactly_one_group(level, source):
    snap = {"demo": nv.load_demo, "swarm": swarm_snapshot, "estate": lambda: estate(300)}[source]()
    g, analysis = graph_of(snap)
    agg = aggregate(g, analysis, level)
    members = [k for grp in agg.groups for k in grp.members]
    assert sorted(members) == sorted(k for k in g.nodes if k.startswith("container:"))
    assert set(agg.group_of) == set(members)
    assert all(agg.group_of[k] == grp.id for grp in agg.groups for k in grp.members)


def test_service_level_collapses_the_replicas_and_says_where_they_differ():
    g, analysis = graph_of(replicas())
    agg = aggregate(g, analysis, Detail.SERVICE)
    web = next(grp for grp in agg.groups if grp.name == "web")
    assert web.size == 3
    assert web.kind == "service"
    assert web.project == "shop"
    assert dict(web.states) == {"running": 2, "exited": 1}
    assert web.running == 2
    assert set(web.differs) == {"state", "networks", "ports", "findings"}
    # a published port says on how many replicas it is, never that all publish it
    ports = {p.host_ip: p for p in web.ports}
    assert ports["0.0.0.0"].host_ports == (8080, 8081)
    assert ports["0.0.0.0"].members == 2
    assert port_text(ports["0.0.0.0"], web.size) == "0.0.0.0:8080–8081 → 80/tcp · 2 of 3"
    # the line to shop_backend: one replica of three; to shop_frontend: all, one stopped
    links = {network_record(g, lk.network).name: lk for lk in agg.links if lk.group == web.id}
    assert (links["shop_backend"].members, links["shop_backend"].running) == (1, 1)
    assert (links["shop_frontend"].members, links["shop_frontend"].running) == (3, 2)
    assert link_text(links["shop_backend"], web, Detail.SERVICE) == "1 of 3"
    assert link_text(links["shop_frontend"], web, Detail.SERVICE) == "1 stopped"
    # findings: the worst of the members, and on how many of them
    assert web.findings is not None
    assert web.findings.members == 2
    assert "A3" in web.findings.ids


def test_identical_replicas_differ_in_nothing():
    snap = estate(300)
    g, analysis = graph_of(snap)
    agg = aggregate(g, analysis, Detail.SERVICE)
    for grp in agg.groups:
        if grp.kind != "service" or grp.size < 2:
            continue
        same_state = len({g.nodes[k]["record"].state for k in grp.members}) == 1
        assert ("state" in grp.differs) != same_state, grp.name
        nets = {tuple(sorted(g.adj[k])) for k in grp.members}
        assert ("networks" in grp.differs) == (len(nets) > 1), grp.name


def with_caps(snap, replicas):
    """The synthetic estate with SYS_ADMIN added to `replicas` of the first service of 3+."""
    names = [c.name for c in snap.containers if c.compose_service == "api"]
    service = next(n.rsplit("-", 1)[0] for n in names if n.endswith("-3"))
    chosen = {f"{service}-{i}" for i in range(1, replicas + 1)}
    containers = tuple(
        replace(c, cap_add=("SYS_ADMIN",)) if c.name in chosen else c for c in snap.containers
    )
    return replace(snap, containers=containers), service


def api_group(snap, service):
    g, analysis = graph_of(snap)
    agg = aggregate(g, analysis, Detail.SERVICE)
    grp = next(grp for grp in agg.groups if grp.names[0].startswith(f"{service}-"))
    return g, analysis, grp


def test_a_finding_only_some_replicas_have_is_counted_and_marks_them_as_differing():
    snap, service = with_caps(estate(30), 1)
    g, analysis, api = api_group(snap, service)
    size = api.size
    assert size >= 3
    assert api.findings is not None
    counts = {(c.id, c.severity): c.members for c in api.findings.counts}
    assert counts[("A25", "high")] == 1
    assert counts[("A12", "medium")] == size
    assert api.findings.worst == "high"
    assert "findings" in api.differs
    text = findings_text(api)
    assert text == f"⚠ high: A25 (1 of {size}) · medium: A12"
    assert findings_lines(api) == [
        ("high", f"⚠ high: A25 (1 of {size})"),
        ("medium", "medium: A12"),
    ]
    assert differs_text(api) == "≠ members differ: findings"
    # every format says it: Mermaid, DOT and the HTML page
    opts = RenderOptions(detail=Detail.SERVICE)
    mermaid = draw(g, Format.MERMAID, opts, analysis).text
    assert label(f"⚠ high: A25 (1 of {size})") in mermaid
    assert "≠ members differ: findings" in mermaid
    dot = draw(g, Format.DOT, opts, analysis).text
    assert f"⚠ high: A25 (1 of {size})</B>" in dot
    assert "≠ members differ: findings" in dot
    page = draw(g, Format.HTML, RenderOptions(), analysis).text
    body = re.search(r'id="netviz-data">(.*?)</script>', page, re.DOTALL)
    assert body is not None
    rows = json.loads(body.group(1))["groups"].values()
    row = next(
        r for r in rows if r["level"] == "service" and r["name"] == "api" and r["size"] == size
    )
    assert row["findings"] == text
    assert row["worst"] == "high"
    assert row["differs"] == "≠ members differ: findings"
    # the members' order does not change what the node says
    shuffled = replace(snap, containers=snap.containers[::-1])
    assert api_group(shuffled, service)[2].findings == api.findings


def test_replicas_with_the_same_findings_are_not_marked_and_not_counted():
    for replicas in (0, 3):
        snap, service = with_caps(estate(30), replicas)
        _, _, api = api_group(snap, service)
        assert api.size == 3
        assert api.findings is not None
        assert all(c.members == api.size for c in api.findings.counts)
        assert "findings" not in api.differs
        assert " of " not in findings_text(api)
        expected = "⚠ high: A25 · medium: A12" if replicas else "⚠ medium: A12"
        assert findings_text(api) == expected, replicas


def test_project_level_folds_a_project_s_own_networks_and_keeps_shared_ones():
    g, analysis = graph_of(estate(300))
    agg = aggregate(g, analysis, Detail.PROJECT)
    drawn = {network_record(g, n).name for n in agg.networks}
    assert "edge-proxy" in drawn and "bridge" in drawn
    assert not any(name.endswith(("_default", "_backend", "_frontend")) for name in drawn)
    shop = next(grp for grp in agg.groups if grp.name == "shop" and grp.kind == "project")
    assert {network_record(g, n).name for n in shop.networks} >= {"shop_default"}
    # a folded network is used by this project's containers only
    for n in shop.networks:
        assert {agg.group_of[c] for c in g.adj[n]} <= {shop.id}
    # the line to a shared network names the services that cross it, with counts
    for link in (lk for lk in agg.links if lk.group == shop.id):
        crossing = [c for c in g.adj[link.network] if agg.group_of.get(c) == shop.id]
        assert link.members == len(crossing)
        assert sum(n for _, n in link.parts) == len(crossing)


def test_network_level_keeps_only_networks_between_nodes():
    g, analysis = graph_of(estate(3000))
    agg = aggregate(g, analysis, Detail.NETWORK)
    assert len(agg.groups) + len(agg.networks) < 40
    for n in agg.networks:
        net = network_record(g, n)
        joined = {agg.group_of[c] for c in g.adj[n]}
        assert net.is_builtin or len(joined) != 1, net.name  # one node would hold it
    for grp in agg.groups:
        if grp.kind == "fold":
            assert sum(n for _, n in grp.parts) == grp.size
            assert re.fullmatch(
                r"\d+ projects?(, \d+ other containers?)?|\d+ other containers?", grp.name
            )


def test_swarm_services_are_one_node_across_hosts():
    g, analysis = graph_of(swarm_snapshot())
    agg = aggregate(g, analysis, Detail.SERVICE)
    web = next(grp for grp in agg.groups if grp.name == "nvs-web")
    assert web.kind == "swarm-service"
    assert web.size == 3
    assert web.host == ""  # its tasks run on three nodes
    hosts = {g.nodes[k]["record"].host for k in web.members}
    assert len(hosts) == 3


# ---- reachability, compact and counted -------------------------------------------------------


def every_verdict(reach):
    keys = reach.container_keys()
    found = set()
    for a, b in permutations(keys, 2):
        v = reach.verdict(a, b)
        if v.reachable:
            found.add((a, b, v.by_name))
    return found


@pytest.mark.parametrize(
    "make",
    [nv.load_demo, swarm_snapshot, replicas, lambda: estate(300), lambda: synthetic(200, 20)],
)
def test_reach_index_is_exactly_every_verdict(make):
    reach = Reachability(nv.build_graph(make()))
    index = reach_index(reach)
    want = every_verdict(reach)
    assert set(index.pairs()) == want
    some = set(sorted(k for unit in index.units for k in unit)[::2])
    assert set(index.pairs(within=some)) == {(a, b, n) for a, b, n in want if {a, b} <= some}


@pytest.mark.parametrize("level", LEVELS[1:])
@pytest.mark.parametrize("make", [nv.load_demo, replicas, lambda: estate(300)])
def test_group_reach_counts_every_member_pair(level, make):
    g, analysis = graph_of(make())
    agg = aggregate(g, analysis, level)
    found = group_reach(g, agg, analysis.reach, reach_index(analysis.reach))
    want: dict[tuple[str, str], list[int]] = {}
    for a, b, by_name in every_verdict(analysis.reach):
        spot = want.setdefault((agg.group_of[a], agg.group_of[b]), [0, 0])
        spot[0] += 1
        spot[1] += by_name
    got = {(p.source, p.target): [p.pairs, p.by_name] for p in found.pairs}
    got |= {(gid, gid): [p.pairs, p.by_name] for gid, p in found.within.items()}
    assert got == want
    size = {grp.id: grp.size for grp in agg.groups}
    for p in found.pairs:
        assert p.possible == size[p.source] * size[p.target]
        assert p.pairs <= p.possible


def test_a_partly_reachable_pair_of_groups_is_counted_not_averaged():
    g, analysis = graph_of(replicas())
    agg = aggregate(g, analysis, Detail.SERVICE)
    found = group_reach(g, agg, analysis.reach, reach_index(analysis.reach))
    ids = {grp.name: grp.id for grp in agg.groups}
    web_db = next(p for p in found.pairs if (p.source, p.target) == (ids["web"], ids["db"]))
    assert (web_db.pairs, web_db.possible) == (1, 3)  # only web-2 is on shop_backend
    text = draw(
        g, Format.DOT, RenderOptions(view=View.REACHABILITY, detail=Detail.SERVICE), analysis
    ).text
    assert "1 of 3 pairs" in text


# ---- the level chosen --------------------------------------------------------------------------


def test_demo_is_drawn_per_container_without_a_note():
    g, analysis = graph_of(nv.load_demo())
    out = draw(g, Format.DOT, RenderOptions(), analysis)
    assert out.notes == ()
    assert "container1" in out.text and "drawn per" not in out.text


def test_a_large_estate_is_drawn_at_a_coarser_level_and_says_how_to_see_more():
    g, analysis = graph_of(estate(300))
    out = draw(g, Format.DOT, RenderOptions(), analysis)
    assert "drawn per project" in out.text
    assert len(out.notes) == 2  # the level chosen, and what of the data layer it does not draw
    note, data = out.notes
    assert "one node per project" in note
    assert "--detail service" in note and "--filter project=NAME" in note
    assert "volumes and host paths that only the containers of one node mount" in data
    assert "are not drawn; --detail container draws each" in data


def test_auto_tries_the_levels_from_the_most_detailed():
    g, analysis = graph_of(estate(3000))
    out = draw(g, Format.DOT, RenderOptions(), analysis)
    assert "drawn per shared network" in out.text
    # the project level, one step more detailed, was not readable: its estimate says so
    from visualizer.renderers.diagram import _Index, source
    from visualizer.renderers.fit import estimate

    finer = aggregate(g, analysis, Detail.PROJECT)
    text = source(g, RenderOptions(), analysis, finer, index=_Index())
    assert not estimate(text).readable


def test_filtering_a_project_drills_down_to_its_containers():
    g, analysis = graph_of(estate(3000))
    shown = select(g, Selection(filters=parse_filters(["project=shop"])))
    out = draw(shown, Format.DOT, RenderOptions(), analysis)
    assert out.notes == ()
    assert "shop-web-1" in out.text


def test_the_biggest_project_is_drawn_per_container_and_says_how_small_its_text_is():
    g, analysis = graph_of(estate(3000))
    sizes = Counter(c.compose_project for _, c in containers(g) if c.compose_project)
    biggest, size = sizes.most_common(1)[0]
    shown = select(g, Selection(filters=parse_filters([f"project={biggest}"])))
    for fmt in (Format.SVG, Format.MERMAID):
        out = draw(shown, fmt, RenderOptions(), analysis)
        assert not any("drew one node per" in n for n in out.notes), out.notes
        assert all(c.name in html.unescape(out.text) for _, c in containers(shown))
    svg = draw(shown, Format.SVG, RenderOptions(), analysis)
    assert svg.text.count('class="node"') >= size
    unreadable = [n for n in svg.notes if "one project is drawn per container" in n]
    assert len(unreadable) <= 1
    if unreadable:  # said with the way to a smaller picture, never a hint to filter again
        assert "--detail service" in unreadable[0] and "--filter" not in unreadable[0]
    page = draw(shown, Format.HTML, RenderOptions(), analysis)
    assert '"level":"container"' in page.text  # the page opens per container too
    assert not any("opens with one node per" in n for n in page.notes)


def test_an_explicit_level_is_drawn_as_asked():
    g, analysis = graph_of(nv.load_demo())
    out = draw(g, Format.DOT, RenderOptions(detail=Detail.PROJECT), analysis)
    assert not any("drew one node per" in n for n in out.notes)  # asked for: nothing to explain
    plain = draw(g, Format.DOT, RenderOptions(detail=Detail.PROJECT, data=False), analysis)
    assert plain.notes == ()  # and with --no-data nothing is counted instead of drawn
    assert "drawn per project" in out.text
    assert "shop_web_1" not in out.text  # inside the project's node


def test_json_is_per_container_and_refuses_other_levels_and_views():
    g, analysis = graph_of(nv.load_demo())
    assert draw(g, Format.JSON, RenderOptions(detail=Detail.AUTO), analysis).text.startswith("{")
    with pytest.raises(UsageError, match="always per container"):
        draw(g, Format.JSON, RenderOptions(detail=Detail.PROJECT), analysis)
    with pytest.raises(UsageError, match="reachability view"):
        draw(g, Format.JSON, RenderOptions(view=View.REACHABILITY), analysis)


def test_a_change_diagram_stays_per_container():
    done = run_cli("diff", "demo", "demo", "--diagram", "/dev/null")
    assert done.returncode == 0, done.stderr


def test_cli_detail_and_the_level_note_on_stderr(tmp_path):
    path = tmp_path / "estate.json"
    path.write_text(nv.dumps_snapshot(estate(300)))
    done = run_cli("render", "--from", str(path), "-f", "dot")
    assert done.returncode == 0, done.stderr
    assert "netviz: warning: drew one node per project" in done.stderr
    asked = run_cli("render", "--from", str(path), "-f", "dot", "--detail", "service")
    assert asked.returncode == 0
    assert "drawn per service" in asked.stdout and "drew one node per" not in asked.stderr
    assert "netviz: warning: one node per service: 27 volumes" in asked.stderr  # data not drawn
    quiet = run_cli("render", "--from", str(path), "-f", "dot", "--detail", "service", "--no-data")
    assert "warning" not in quiet.stderr
    bad = run_cli("render", "--demo", "-f", "json", "--detail", "network")
    assert bad.returncode == 2
    assert "always per container" in bad.stderr
    unknown = run_cli("render", "--demo", "--detail", "everything")
    assert unknown.returncode == 2


def test_library_render_takes_a_level():
    out = nv.render(nv.SourceSpec(demo=True), nv.Format.DOT, detail=nv.Detail.SERVICE)
    assert "drawn per service" in out.output.text
    auto = nv.render(nv.SourceSpec(demo=True), nv.Format.DOT)
    assert "drawn per" not in auto.output.text and auto.warnings == ()


def test_no_findings_means_no_finding_marks_and_no_legend_line_at_any_level():
    for detail in ("container", "project"):
        out = nv.render(nv.SourceSpec(demo=True), nv.Format.DOT, detail=detail, findings=False)
        assert "⚠" not in out.output.text, detail
        marked = nv.render(nv.SourceSpec(demo=True), nv.Format.DOT, detail=detail)
        assert "⚠ severity" in marked.output.text, detail


def test_groups_do_not_depend_on_input_order():
    import random

    snap = estate(300)
    rng = random.Random(3)

    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    shuffled = replace(
        snap,
        networks=mix(snap.networks),
        containers=mix(replace(c, endpoints=mix(c.endpoints)) for c in snap.containers),
    )
    for detail in (Detail.SERVICE, Detail.PROJECT, Detail.NETWORK):
        for view in (View.TOPOLOGY, View.REACHABILITY):
            opts = RenderOptions(detail=detail, view=view)
            texts = []
            for one in (snap, shuffled):
                g, analysis = graph_of(one)
                texts.append(
                    [draw(g, fmt, opts, analysis).text for fmt in (Format.DOT, Format.MERMAID)]
                )
            assert texts[0] == texts[1], (detail, view)
    pages = []
    for one in (snap, shuffled):
        g, analysis = graph_of(one)
        pages.append(draw(g, Format.HTML, RenderOptions(), analysis).text)
    assert pages[0] == pages[1]


def test_no_findings_in_the_page_either():
    page = nv.render(nv.SourceSpec(demo=True), nv.Format.HTML, findings=False).output.text
    body = re.search(r'id="netviz-data">(.*?)</script>', page, re.DOTALL)
    assert body is not None
    data = json.loads(body.group(1))
    assert data["findings"] == []
    assert all(c["findings"] == [] for c in data["containers"])
    assert all(g["findings"] == "" for g in data["groups"].values())
    marked = nv.render(nv.SourceSpec(demo=True), nv.Format.HTML).output.text
    assert '"A1"' in marked


def test_an_empty_picture_has_no_shape_to_keep():
    empty = replace(nv.load_demo(), networks=(), containers=())
    g, analysis = graph_of(empty)
    out = draw(g, Format.SVG, RenderOptions(), analysis)
    assert out.notes == ()  # a legend alone is not a picture out of shape
    with_layout = draw(g, Format.SVG, RenderOptions(layout=nv.Layout.NEATO), analysis)
    assert with_layout.notes == ()


@pytest.mark.parametrize("level", [Detail.SERVICE, Detail.PROJECT, Detail.NETWORK])
def test_groups_across_hosts_draw_only_the_real_hosts(level):
    """A swarm service's tasks span nodes: no nameless fourth host beside the three."""
    g, analysis = graph_of(swarm_snapshot())
    hosts = {c.host for _, c in containers(g)}
    assert len(hosts) == 3
    options = RenderOptions(detail=level, view=View.REACHABILITY)
    dot = draw(g, Format.DOT, options, analysis).text
    nodes = re.findall(r"^  host\d+ \[.*?<B>(host[^<]*)</B>", dot, re.MULTILINE)
    assert sorted(nodes) == sorted(f"host {h}" for h in hosts)
    mermaid = draw(g, Format.MERMAID, options, analysis).text
    nodes = re.findall(r'^  host\d+\{\{"<b>(host[^<]*)</b>', mermaid, re.MULTILINE)
    assert sorted(nodes) == sorted(f"host {h}" for h in hosts)

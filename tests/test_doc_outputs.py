"""Mermaid, HTML, JSON graph and the Markdown report, each checked by a real parser."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from conftest import ROOT, run_cli, swarm_snapshot

import visualizer as nv
from visualizer.analysis.reachability import Reachability
from visualizer.renderers import Detail, Format, RenderOptions, View
from visualizer.renderers import render as draw
from visualizer.renderers.html import script_json
from visualizer.renderers.mermaid import MAX_CHARS, MAX_EDGES, label

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = [
    "end",
    "o",
    "x",
    'say "hi"',
    "<script>alert(1)</script>",
    "`code` **bold** _em_",
    "a;b#c%d",
    "graph",
    "subgraph",
    "click",
    "日本-é",
    "\u202eevil",
    "new\nline",
    "%%comment",
    "-->",
    "[x]",
    "{y}",
    "(z)",
    "|pipe|",
    "&amp;",
]


def check_golden(name, text, update):
    path = GOLDEN / name
    if update:
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs; rerun with --update-golden if intended"


def hostile(names):
    demo = nv.load_demo()
    ctrs = list(demo.containers)
    nets = list(demo.networks)
    for i, name in enumerate(names[: len(ctrs)]):
        ctrs[i] = replace(
            ctrs[i], name=name, image=name, labels={"com.docker.compose.project": name}
        )
    renamed = {}
    for i, name in enumerate(names[: len(nets)]):
        renamed[nets[i].id] = name + "-net"
        nets[i] = replace(nets[i], name=name + "-net")
    ctrs = [
        replace(
            c,
            endpoints=tuple(
                replace(e, network_name=renamed.get(e.network_id, e.network_name))
                for e in c.endpoints
            ),
        )
        for c in ctrs
    ]
    return replace(
        demo,
        networks=tuple(nets),
        containers=tuple(ctrs),
        engine=replace(demo.engine, name=names[3]),
    )


def mermaid_of(snap, **kw):
    g = nv.build_graph(snap)
    return draw(g, Format.MERMAID, RenderOptions(**kw), nv.analyse(g))


@pytest.fixture(scope="module")
def mermaid_page(browser, mermaid_js):
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=mermaid_js)
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield page
    page.close()


def parse_mermaid(page, text):
    """Real Mermaid: parse, then render to SVG; returns the rendered text or raises."""
    result = page.evaluate(
        """async (t) => {
            try {
                await mermaid.parse(t);
                const {svg} = await mermaid.render('d' + Math.floor(Math.random() * 1e9), t);
                const box = document.createElement('div');
                box.innerHTML = svg;
                return {ok: true, text: box.textContent, links: box.querySelectorAll('.flowchart-link').length};
            } catch (e) { return {ok: false, error: String(e)}; }
        }""",
        text,
    )
    assert result["ok"], result["error"] + "\n" + text[:2000]
    return result


# ---- Mermaid -----------------------------------------------------------------------------


def test_golden_mermaid(update_golden):
    check_golden("demo.mmd", mermaid_of(nv.load_demo()).text, update_golden)


def test_mermaid_demo_parses_and_shows_everything(mermaid_page):
    out = mermaid_of(nv.load_demo())
    assert out.notes == ()
    result = parse_mermaid(mermaid_page, out.text)
    for name in (
        "container1",
        "user-network",
        "shop_backend",
        "compose project shop",
        "ICC OFF",
        "NO DNS",
        "shop_uploads",
        "/srv/netviz-demo/site",
        "equivalent to the host",
    ):
        assert name in result["text"], name
    # 14 endpoints shown + the sidecar arrow + 6 mounts + host-agent's arrow to the host
    assert result["links"] == 22


def test_mermaid_groups_a_swarm_by_host(mermaid_page):
    out = mermaid_of(swarm_snapshot())
    result = parse_mermaid(mermaid_page, out.text)
    for node in ("swarmlab-node1", "swarmlab-node2", "swarmlab-node3"):
        assert f"host {node}" in result["text"]
    # overlays span the hosts, so they sit outside every host box
    head = out.text.split("subgraph h0")[0]
    assert "<b>nvs-app</b>" in head and "<b>bridge</b>" not in head


def test_mermaid_hostile_names_are_literal(mermaid_page):
    snap = hostile(HOSTILE)
    result = parse_mermaid(mermaid_page, mermaid_of(snap).text)
    text = result["text"]
    used = HOSTILE[:14]  # the demo has 14 containers to rename
    for name in used:
        if name not in {"new\nline", "\u202eevil"}:
            assert name in text, name
    assert "new\\x0aline" in text
    assert "\\u202eevil" in text
    assert "\u202e" not in text


def test_mermaid_coarse_view_past_github_limits(mermaid_page):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import synthetic

    snap = synthetic(800, 60)
    out = mermaid_of(snap, detail="container")
    assert out.notes and "exceeds GitHub's limits" in out.notes[0]
    assert len(out.text) <= MAX_CHARS
    result = parse_mermaid(mermaid_page, out.text)
    assert result["links"] <= MAX_EDGES
    assert "containers" in result["text"]


def test_mermaid_note_reaches_stderr(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write

    path = write(tmp_path / "s.json", 800, 60)
    done = run_cli("render", "--from", str(path), "-f", "mermaid", "--detail", "container")
    assert done.returncode == 0
    assert "exceeds GitHub's limits" in done.stderr
    assert done.stdout.startswith("%% netviz")


def test_mermaid_reachability_view_parses(mermaid_page):
    out = mermaid_of(nv.load_demo(), view=View.REACHABILITY)
    assert out.notes == ()
    result = parse_mermaid(mermaid_page, out.text)
    assert "outside" in result["text"] and "its own network stack" in result["text"]
    pairs = {
        frozenset((v.source, v.target))
        for v in Reachability(nv.build_graph(nv.load_demo())).pairs()
    }
    exposures = out.text.count("outside -->") + out.text.count("host0 -->")
    assert result["links"] - exposures - out.text.count("shares network stack") >= len(pairs) - 1
    assert "container1" in result["text"]


def test_mermaid_at_every_level_parses_and_stays_literal(mermaid_page):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import estate

    for view in (View.TOPOLOGY, View.REACHABILITY):
        out = mermaid_of(estate(300), view=view)
        assert "one node per project" in out.notes[0]
        result = parse_mermaid(mermaid_page, out.text)
        assert "shop" in result["text"]
        assert "pairs" in result["text"] or view is View.TOPOLOGY
    for detail in (Detail.SERVICE, Detail.PROJECT, Detail.NETWORK):
        hostile_out = mermaid_of(hostile(HOSTILE), detail=detail)
        text = parse_mermaid(mermaid_page, hostile_out.text)["text"]
        assert "<script>" not in hostile_out.text
        assert detail is Detail.NETWORK or "<script>alert(1)</script>" in text


def test_label_escapes_everything_but_plain_text():
    assert label('a"b<c>') == "a#34;b#60;c#62;"
    assert label("end") == "end"
    assert label("x" * 100, 10) == "x" * 9 + "…"


# ---- JSON graph --------------------------------------------------------------------------


def test_golden_graph_json(update_golden):
    g = nv.build_graph(nv.load_demo())
    check_golden("demo-graph.json", draw(g, Format.JSON, None, nv.analyse(g)).text, update_golden)


def test_graph_json_round_trips_through_networkx():
    g = nv.build_graph(nv.load_demo())
    body = json.loads(draw(g, Format.JSON).text)
    assert body["schema"] == "netviz-graph"
    assert body["schema_version"] == 1
    back = nx.node_link_graph(body, edges="links")
    assert set(back.nodes) == set(g.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in g.edges}
    assert nx.bipartite.is_bipartite_node_set(
        back, {n for n, d in back.nodes(data=True) if d["bipartite"] == 0}
    )
    hostile_body = json.loads(draw(nv.build_graph(hostile(HOSTILE)), Format.JSON).text)
    assert {n["name"] for n in hostile_body["nodes"]} >= set(HOSTILE[:14])


# ---- HTML --------------------------------------------------------------------------------


def html_file(tmp_path, snap, name="page.html", **options):
    g = nv.build_graph(snap)
    path = tmp_path / name
    path.write_bytes(draw(g, Format.HTML, RenderOptions(**options), nv.analyse(g)).content)
    return path, g


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    events: dict[str, list[str]] = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))

    def on_dialog(dialog):
        events["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri())
    page.wait_for_function("window.netviz && window.netviz.ready", timeout=30000)
    return page, events


def click_node(page, name):
    pos = page.evaluate(
        """(name) => {
            const n = netviz.cy.nodes('[name]').filter(x => x.data('name') === name)[0];
            const p = n.renderedPosition(), r = document.getElementById('graph').getBoundingClientRect();
            return {x: p.x + r.left, y: p.y + r.top};
        }""",
        name,
    )
    page.mouse.click(pos["x"], pos["y"])


def test_golden_html_data(update_golden):
    """The page's data and its maps (every position, every level) are deterministic."""
    g = nv.build_graph(nv.load_demo())
    text = draw(g, Format.HTML, None, nv.analyse(g)).text
    blocks = dict(
        re.findall(
            r'<script type="application/json" id="netviz-([\w-]+)">(.*?)</script>', text, re.DOTALL
        )
    )
    assert set(blocks) == {"data", "map-container", "map-service", "map-project", "map-network"}
    data = {name: json.loads(body) for name, body in sorted(blocks.items())}
    check_golden("demo-html-data.json", json.dumps(data, indent=1) + "\n", update_golden)
    assert "cdn" not in text.lower()
    assert (
        "http://" not in text.split("<script>")[0] and "https://" not in text.split("<script>")[0]
    )


def test_html_works_offline_and_highlights_reachability(browser, tmp_path):
    path, g = html_file(tmp_path, nv.load_demo())
    page, events = open_page(browser, path)
    shot = page.screenshot()
    assert len(shot) > 20000  # a drawing, not a blank page
    model = Reachability(g)
    for name in ("container1", "shop_api_1", "host-agent", "tenant-a", "old-worker"):
        click_node(page, name)
        got = page.evaluate("netviz.highlighted()")
        want_out = sorted(v.target for v in model.pairs() if v.source == name)
        want_in = sorted(v.source for v in model.pairs() if v.target == name)
        assert got["selected"] == name
        assert got["reaches"] == want_out, name
        assert got["reachedBy"] == want_in, name
    assert page.evaluate("netviz.search('shop')") == [
        "shop_api_1",
        "shop_backend",
        "shop_db_1",
        "shop_frontend",
        "shop_uploads",
        "shop_web_1",
    ]
    assert page.evaluate("netviz.select('shop_uploads')") is False  # a volume: no panel
    page.evaluate("netviz.select('host-agent')")
    panel = page.inner_text("#details")
    assert "EQUIVALENT TO THE HOST THROUGH" in panel.upper()
    assert "the engine socket (/var/run/docker.sock)" in panel
    assert "/var/run/docker.sock at /var/run/docker.sock (read-only)" in panel
    assert (
        page.evaluate(
            "netviz.cy.getElementById(netviz.cy.nodes('[name = \"host-agent\"]')[0].id())"
            ".data('hosteq')"
        )
        == 1
    )
    page.select_option("#filter-project", "shop")
    visible = page.evaluate(
        "netviz.cy.nodes('[name]').filter(n => !n.hasClass('hidden')).map(n => n.data('name')).sort()"
    )
    assert visible == [  # the project's containers, its networks, and the data they mount
        "/srv/netviz-demo/site",
        "shop_api_1",
        "shop_backend",
        "shop_db_1",
        "shop_frontend",
        "shop_uploads",
        "shop_web_1",
    ]
    assert page.inner_text("#findings").count("A1 Container uses the host") == 1
    assert "members reach each other by IP and name" in page.inner_text("#legend")
    assert events["errors"] == []
    assert events["requests"] == [path.as_uri()]
    page.close()


def test_html_boxes_each_host_and_keeps_cross_host_reachability(browser, tmp_path):
    path, g = html_file(tmp_path, swarm_snapshot(), detail="container")
    page, events = open_page(browser, path)
    frames = "netviz.cy.nodes('[kind = \"frame\"]').map(n => n.data('label'))"
    hosts = sorted(label for label in page.evaluate(frames) if label.startswith("host "))
    assert hosts == ["host swarmlab-node1", "host swarmlab-node2", "host swarmlab-node3"]
    assert "host swarmlab-node2" in page.evaluate("netviz.frameOf('nvs-c2')")
    assert "host swarmlab-node1" not in page.evaluate("netviz.frameOf('nvs-c2')")
    model = Reachability(g)
    click_node(page, "nvs-h2")
    got = page.evaluate("netviz.highlighted()")
    assert got["reaches"] == sorted(v.target for v in model.pairs() if v.source == "nvs-h2")
    assert "nvs-b3" not in got["reaches"]  # another host's container
    assert "on swarmlab-node2" in page.inner_text("#details")
    assert events["errors"] == []
    page.close()


def test_html_shows_hostile_text_as_text(browser, tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    path, _ = html_file(tmp_path, hostile([evil, "</script><script>alert(2)</script>", *HOSTILE]))
    text = path.read_text()
    assert "<img src=x" not in text
    assert "</script><script>alert(2)" not in text
    page, events = open_page(browser, path)
    assert page.evaluate("(name) => netviz.select(name)", evil)
    details = page.inner_text("#details")
    assert evil in details
    assert page.evaluate("document.querySelectorAll('#details img').length") == 0
    assert events["dialogs"] == []
    assert events["errors"] == []
    page.close()


def test_script_json_cannot_close_the_script():
    text = script_json({"a": "</script><!--\u2028&"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!--\u2028&"}


def test_html_cli_default_file(tmp_path):
    done = run_cli("render", "--demo", "-f", "html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "topology.html").read_text().startswith("<!DOCTYPE html>")


# ---- report ------------------------------------------------------------------------------


def test_golden_report(update_golden):
    done = run_cli("report", "--demo")
    assert done.returncode == 0, done.stderr
    check_golden("demo-report.md", done.stdout, update_golden)


def test_report_diagram_parses_and_escapes(mermaid_page, tmp_path):
    snap = hostile(HOSTILE)
    path = tmp_path / "s.json"
    path.write_text(nv.dumps_snapshot(snap))
    done = run_cli("report", "--from", str(path))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    block = re.search(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert block is not None
    parse_mermaid(mermaid_page, block.group(1))
    outside = text.replace(block.group(0), "")
    assert "<script>" not in outside
    assert "\u202e" not in outside
    assert "## Networks" in text and "## Reachability" in text and "## Findings" in text


@pytest.mark.docker
def test_live_engine_outputs_parse(lab, browser, mermaid_page, tmp_path):
    lab.network("doc")
    lab.run("a", "--network", lab.name("doc"), "--label", "note=<b>x</b>")
    lab.run("b", "--network", lab.name("doc"))
    sel = ["--filter", f"label={lab.label}"]
    mmd = run_cli("render", *sel, "-f", "mermaid")
    assert mmd.returncode == 0
    parse_mermaid(mermaid_page, mmd.stdout)
    out = tmp_path / "live.html"
    assert run_cli("render", *sel, "-f", "html", "-o", str(out)).returncode == 0
    page, events = open_page(browser, out)
    click_node(page, lab.name("a"))
    assert page.evaluate("netviz.highlighted()")["reaches"] == [lab.name("b")]
    assert events["errors"] == []
    page.close()
    body = json.loads(run_cli("render", *sel, "-f", "json").stdout)
    assert {n["name"] for n in body["nodes"] if n["kind"] == "container"} == {
        lab.name("a"),
        lab.name("b"),
    }

"""The HTML page at scale, in a real browser: opening level, click, drill-down, filter, fit,
search, the highlight of a container inside a project, the reachability view.

Screenshots of each step are written under `output/test-screenshots/` (or
`$NETVIZ_TEST_OUTPUT`) for a person to look at; they are not committed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import visualizer as nv
from visualizer.analysis.aggregate import Detail, aggregate
from visualizer.analysis.reachability import Reachability
from visualizer.renderers import Format, RenderOptions
from visualizer.renderers import render as draw

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import estate

SHOTS = Path(os.environ.get("NETVIZ_TEST_OUTPUT", ROOT / "output" / "test-screenshots"))


def page_file(tmp_path, snap, name, **options):
    g = nv.build_graph(snap)
    out = draw(g, Format.HTML, RenderOptions(**options), nv.analyse(g))
    path = tmp_path / f"{name}.html"
    path.write_bytes(out.content)
    return path, g, out


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("window.netviz && window.netviz.ready", timeout=60000)
    return page, errors, requests


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def centre(page, ref):
    """Where a node (by its data reference) is on the screen."""
    return page.evaluate(
        """(ref) => {
            const s = netviz.state();
            const n = netviz.cy.getElementById(s.level + '|' + ref);
            const p = n.renderedPosition(), r = document.getElementById('graph').getBoundingClientRect();
            return {x: p.x + r.left, y: p.y + r.top};
        }""",
        ref,
    )


def click(page, ref):
    spot = centre(page, ref)
    page.mouse.click(spot["x"], spot["y"])


def fitted(page, which="netviz.cy.nodes().filter(n => !n.hasClass('hidden'))"):
    """Whether every shown node (or those `which` says) lies inside the drawing area."""
    return page.evaluate(
        """(which) => {
            const r = document.getElementById('graph').getBoundingClientRect();
            const shown = eval(which);
            return shown.length > 0 && shown.every(n => {
                const b = n.renderedBoundingBox();
                return b.x1 >= -2 && b.y1 >= -2 && b.x2 <= r.width + 2 && b.y2 <= r.height + 2;
            });
        }""",
        which,
    )


def shown_refs(page, kind):
    return page.evaluate(
        "(kind) => netviz.cy.nodes(`[kind = '${kind}']`).filter(n => !n.hasClass('hidden')).map(n => n.data('ref'))",
        kind,
    )


@pytest.fixture(scope="module")
def estate_page(tmp_path_factory, browser):
    path, g, out = page_file(tmp_path_factory.mktemp("html"), estate(300), "estate300")
    page, errors, requests = open_page(browser, path)
    yield page, g, out, errors, requests, path
    page.close()


def test_opens_at_the_readable_level_with_positions_computed_before(estate_page):
    page, _, out, errors, requests, path = estate_page
    assert page.evaluate("netviz.state()")["level"] == "project"
    assert "the page opens with one node per project" in out.notes[0]
    html = path.read_text()
    assert 'layout: { name: "preset" }' in html  # no layout runs in the page
    assert "Loading 300 containers" in html  # shown while the data is read
    assert page.evaluate("getComputedStyle(document.getElementById('status')).display") == "none"
    # every node stands where the data put it (the map of the project level)
    block = re.search(r'id="netviz-map-project">(.*?)</script>', html, re.DOTALL)
    assert block is not None
    want = {n[0]: (n[1], n[2]) for n in json.loads(block.group(1))["nodes"]}
    got = page.evaluate(
        "netviz.cy.nodes('[kind = \"group\"]').map(n => [n.data('ref'), n.position('x'), n.position('y')])"
    )
    assert {ref: (x, y) for ref, x, y in got} == want
    assert fitted(page)
    assert errors == []
    assert requests == [path.as_uri()]
    shot(page, "estate300-01-opens-per-project")


def test_drill_down_from_project_to_service_to_container_and_back(estate_page):
    page, g, _, errors, _, _ = estate_page
    page.evaluate("netviz.show('project', null)")
    projects = shown_refs(page, "group")
    shop = next(
        ref
        for ref in projects
        if page.evaluate(f"netviz.cy.getElementById('project|{ref}').data('name')") == "shop"
    )
    click(page, shop)
    state = page.evaluate("netviz.state()")
    assert state == {"level": "service", "focus": shop, "hubs": False}
    services = shown_refs(page, "group")
    names = sorted(
        page.evaluate(f"netviz.cy.getElementById('service|{s}').data('name')") for s in services
    )
    want = sorted(
        {c.compose_service or "" for _, c in nv.graph.containers(g) if c.compose_project == "shop"}
    )
    assert names == want
    assert "shop" in page.inner_text("#crumbs")
    assert fitted(page)
    shot(page, "estate300-02-shop-per-service")
    web = next(
        s
        for s in services
        if page.evaluate(f"netviz.cy.getElementById('service|{s}').data('name')") == "web"
    )
    click(page, web)
    assert page.evaluate("netviz.state()")["level"] == "container"
    shown = sorted(page.evaluate("netviz.visible()"))
    replicas = sorted(
        c.name
        for _, c in nv.graph.containers(g)
        if c.compose_project == "shop" and c.compose_service == "web"
    )
    assert [n for n in shown if n.startswith("shop-web")] == replicas
    assert fitted(page)
    shot(page, "estate300-03-shop-web-per-container")
    page.click("#crumbs >> text=whole estate")
    assert page.evaluate("netviz.state()") == {"level": "project", "focus": None, "hubs": False}
    assert errors == []


def test_project_filter_drills_down_and_fits(estate_page):
    page, g, _, errors, _, _ = estate_page
    page.evaluate("netviz.show('project', null)")
    zoom_all = page.evaluate("netviz.cy.zoom()")
    page.select_option("#filter-project", label="billing")
    state = page.evaluate("netviz.state()")
    assert state["level"] == "container"
    want = sorted(c.name for _, c in nv.graph.containers(g) if c.compose_project == "billing")
    shown = page.evaluate("netviz.visible()")
    assert sorted(n for n in shown if n.startswith("billing-")) == want
    # its containers and networks, the shared ones they join, the data they mount
    assert all(
        n.startswith(("billing", "/srv/billing/")) or n in {"edge-proxy", "bridge"} for n in shown
    )
    assert {"billing_uploads", "/srv/billing/config"} <= set(shown)
    assert fitted(page)
    assert page.evaluate("netviz.cy.zoom()") > zoom_all
    shot(page, "estate300-04-filter-project-billing")
    page.select_option("#filter-project", "")
    assert errors == []


def test_network_filter_shows_its_members_and_fits(estate_page):
    page, g, _, errors, _, _ = estate_page
    page.evaluate("netviz.show('project', null)")
    page.select_option("#filter-network", label="edge-proxy")
    shown = set(page.evaluate("netviz.visible()"))
    assert "edge-proxy" in shown
    holders = shown_refs(page, "group")
    agg = aggregate(g, nv.analyse(g), Detail.PROJECT)
    proxy = next(k for k, n in nv.graph.networks(g) if n.name == "edge-proxy")
    want = {f"P{grp.id[1:]}" for grp in agg.groups if any(k in g.adj[proxy] for k in grp.members)}
    assert set(holders) == want
    assert fitted(page)
    assert "members" in page.inner_text("#details").lower()
    shot(page, "estate300-05-filter-network-edge-proxy")
    page.select_option("#filter-network", "")
    assert errors == []


def test_search_selects_what_it_finds_even_inside_a_group(estate_page):
    page, _, _, errors, _, _ = estate_page
    page.evaluate("netviz.show('project', null)")
    page.fill("#search", "mail-worker-7")
    page.wait_for_function(
        "netviz.cy.$(':selected').map(n => n.data('name')).includes('mail-worker-7')"
    )
    assert page.evaluate("netviz.state()")["level"] == "container"
    selected = page.evaluate("netviz.cy.$(':selected').map(n => n.data('name'))")
    assert selected == ["mail-worker-7"]
    assert "mail-worker-7" in page.inner_text("#details")
    assert fitted(page, "netviz.cy.$(':selected')")
    assert page.evaluate("netviz.cy.zoom()") > 0.5  # zoomed onto it, readable
    shot(page, "estate300-06-search-selects")
    # several hits in this view: all selected, the view fitted to them
    page.evaluate("netviz.show('project', null)")
    names = page.evaluate("netviz.search('edge')")
    assert "edge-proxy" in names
    assert page.evaluate("netviz.cy.$(':selected').length") >= 1
    page.fill("#search", "")
    assert errors == []


def test_a_selected_container_inside_a_project_is_not_washed_out(estate_page):
    page, g, _, errors, _, _ = estate_page
    page.select_option("#filter-project", label="shop")
    target = next(
        page.evaluate(f"netviz.cy.getElementById('container|{ref}').data('name')") == "shop-api-1"
        and ref
        for ref in shown_refs(page, "container")
        if page.evaluate(f"netviz.cy.getElementById('container|{ref}').data('name')")
        == "shop-api-1"
    )
    click(page, target)
    got = page.evaluate("netviz.highlighted()")
    model = Reachability(g)
    assert got["selected"] == "shop-api-1"
    assert got["reaches"] == sorted(v.target for v in model.pairs() if v.source == "shop-api-1")
    opacity = page.evaluate(
        """() => {
            const h = netviz.highlighted();
            const on = new Set([h.selected, ...h.reaches, ...h.reachedBy]);
            return netviz.cy.nodes('[name]').filter(n => !n.hasClass('hidden') && on.has(n.data('name')))
                .map(n => n.effectiveOpacity());
        }"""
    )
    assert opacity and min(opacity) == 1  # no faded parent dims them
    frames = page.evaluate(
        "netviz.cy.nodes('[kind = \"frame\"]').filter(n => !n.hasClass('hidden')).map(n => n.effectiveOpacity())"
    )
    assert frames and min(frames) == 1
    shot(page, "estate300-07-highlight-inside-project")
    page.select_option("#filter-project", "")
    assert errors == []


def test_level_selector_shows_progress_for_a_big_level(browser, tmp_path):
    path, _, _ = page_file(tmp_path, estate(3000), "estate3000")
    page, errors, _ = open_page(browser, path)
    assert page.evaluate("netviz.state()")["level"] == "network"
    shot(page, "estate3000-01-opens-per-network")
    said = page.evaluate(
        """() => {
            const s = document.getElementById('level');
            s.value = 'container';
            s.dispatchEvent(new Event('change'));
            return document.getElementById('status').textContent;
        }"""
    )
    assert said.startswith("Drawing the container level of 3,000 containers")
    page.wait_for_function("netviz.state().level === 'container'", timeout=120000)
    page.wait_for_function("getComputedStyle(document.getElementById('status')).display === 'none'")
    assert len(page.evaluate("netviz.visible()")) > 3000
    shot(page, "estate3000-02-every-container")
    assert errors == []
    page.close()


def test_reachability_view_in_html(browser, tmp_path):
    path, g, _ = page_file(tmp_path, nv.load_demo(), "demo-reach", view="reachability")
    page, errors, _ = open_page(browser, path)
    lines = page.evaluate(
        "netviz.cy.edges('[kind = \"reach\"]').filter(e => !e.hasClass('hidden')).length"
    )
    ordered = list(Reachability(g).pairs())
    both_ways = {frozenset((v.source, v.target)) for v in ordered}
    assert len(both_ways) <= lines <= len(ordered)  # one line, or two when the ways differ
    assert (
        page.evaluate(
            "netviz.cy.nodes('[kind = \"network\"]').filter(n => !n.hasClass('hidden')).length"
        )
        == 0
    )
    assert page.evaluate("netviz.select('container1')")
    assert page.evaluate("netviz.highlighted()")["reaches"] == sorted(
        v.target for v in Reachability(g).pairs() if v.source == "container1"
    )
    shot(page, "demo-reachability")
    assert errors == []
    page.close()
    big, _, _ = page_file(tmp_path, estate(300), "estate-reach", view="reachability")
    page, errors, _ = open_page(browser, big)
    labels = page.evaluate("netviz.cy.edges('[kind = \"reach\"]').map(e => e.data('label'))")
    assert any(re.fullmatch(r"\d+ of \d+ pairs.*", label) for label in labels)
    shot(page, "estate300-reachability-per-project")
    assert errors == []
    page.close()

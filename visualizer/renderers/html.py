r"""`-f html`: one self-contained, interactive page that works offline from `file://`.

The page inlines the vendored cytoscape.js (MIT, licence kept in its header and shipped in
`visualizer/data/vendor/`), our stylesheet and script, and the data as a JSON block. No
CDN, font or other request. Engine text is escaped for HTML where it appears in markup (the
title) and for the JSON block (`<`, `>`, `&`, U+2028/2029 as `\\u` escapes, so nothing closes
the script element); the script only ever sets `textContent`.

Every position is computed here (`html_layout.py`, one map per level of detail) and drawn
with cytoscape's `preset` layout: the page is interactive as soon as it has parsed its data.
It opens at the level asked for, or the most detailed one readable on a 1920 × 1080 screen,
and drills down from a group to what it holds. `data.js` draws the data layer (volumes, host
paths, mounts, host equivalence, channels) at every level.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from visualizer.analysis.aggregate import Detail, one_project
from visualizer.renderers.html_levels import opening_level, page_data
from visualizer.text import json_text, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.renderers.options import RenderOptions


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@@generator@@">
<link rel="icon" href="data:,">
<title>@@title@@</title>
<style>
@@css@@
</style>
</head>
<body>
<header>
  <h1>@@title@@</h1>
  <span class="muted">@@summary@@</span>
  <label>detail <select id="level">
    <option value="network">network</option><option value="project">project</option>
    <option value="service">service</option><option value="container">container</option>
  </select></label>
  <label>search <input id="search" type="search" placeholder="container, network, project"
    autocomplete="off"></label>
  <label>network <select id="filter-network"><option value="">all</option></select></label>
  <label>project <select id="filter-project"><option value="">all</option></select></label>
  <button id="fit" type="button">fit</button>
  <nav id="crumbs" aria-label="where you are"></nav>
</header>
<div id="graph"><div id="status" role="status">Loading @@count@@…</div></div>
<aside>
  <div id="details"></div>
  <h2>Findings</h2>
  <ul id="findings" class="plain"></ul>
  <h2>Legend</h2>
  <ul id="legend" class="plain"></ul>
  <p class="caveat">Configured isolation from the Engine API, not a packet test (netviz probe runs
  one). Reachability is directed and not transitive.</p>
</aside>
<script type="application/json" id="netviz-data">@@data@@</script>
@@maps@@
<script>
@@library@@
</script>
<script>
@@data_app@@
</script>
<script>
@@app@@
</script>
</body>
</html>
"""
"""The page; `@@name@@` marks where `render_html` puts each part."""


def _asset(name: str) -> str:
    return resources.files("visualizer").joinpath(f"data/{name}").read_text(encoding="utf-8")


def script_json(value: Any) -> str:  # noqa: ANN401 - any JSON value
    """JSON that cannot end the `<script>` element it sits in, whatever the strings hold."""
    text = json_text(value, indent=None)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def render_html(
    g: nx.Graph[str], analysis: Analysis, options: RenderOptions
) -> tuple[str, tuple[str, ...]]:
    """The interactive page, and what the reader should know (the level it opens at)."""
    from visualizer.renderers.diagram import WORD  # noqa: PLC0415

    data = page_data(g, analysis, data=options.data)
    level = opening_level(data, options.detail, whole=one_project(g))
    data["level"] = level.value
    data["view"] = options.view.value
    maps = data.pop("levels")  # each map in its own block, parsed when first shown
    data["levels"] = {
        name: {"size": m["size"], "readable": m["readable"]} for name, m in maps.items()
    }
    engine = data["engine"]
    title = f"netviz: {engine['name'] or 'snapshot'}"
    summary = f"{len(data['networks'])} networks · {len(data['containers'])} containers"
    if engine["version"]:
        summary = f"Docker {engine['version']} · " + summary
    notes: tuple[str, ...] = ()
    if options.detail is Detail.AUTO and level is not Detail.CONTAINER:
        notes = (
            (
                f"the page opens with one node per {WORD[level]}: the most detailed level whose "
                "text stays at least 8 px tall when it fits a 1920×1080 screen; click a node to "
                "drill down, or choose the level at the top of the page"
            ),
        )
    if any(grp.get("data_rows") for grp in data["groups"].values() if grp["level"] == level.value):
        notes += (
            (
                f"at the page's opening level (one node per {WORD[level]}), volumes and host "
                "paths that only one node's containers mount, and channels among them, are not "
                "drawn: a node's side panel lists them; drill down or choose the container level"
            ),
        )

    def esc(text: str) -> str:
        return html.escape(visible(text), quote=True)

    fields = {
        "generator": esc(data["generator"]),
        "title": esc(title),
        "summary": esc(summary),
        "count": f"{len(data['containers']):,} containers",
        "css": _asset("html/app.css"),
        "data": script_json(data),
        "maps": "\n".join(
            f'<script type="application/json" id="netviz-map-{name}">{script_json(m)}</script>'
            for name, m in maps.items()
        ),
        "library": _asset("vendor/cytoscape.min.js"),
        "data_app": _asset("html/data.js"),
        "app": _asset("html/app.js"),
    }
    # one pass: what is put in is never scanned again
    return re.sub(r"@@(\w+)@@", lambda m: fields[m.group(1)], PAGE), notes

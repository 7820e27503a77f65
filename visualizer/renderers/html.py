r"""`-f html`: one self-contained, interactive page that works offline from `file://`.

The page inlines the vendored cytoscape.js (MIT, licence kept in its header and shipped in
`visualizer/data/vendor/`), our stylesheet and script, and the data as a JSON block. No
CDN, font or other request. Engine text is escaped for HTML where it appears in markup (the
title) and for the JSON block (`<`, `>`, `&`, U+2028/2029 as `\\u` escapes, so nothing closes
the script element); the script only ever sets `textContent`.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from visualizer.analysis.peering import PEERING_TEXT, peering
from visualizer.graph import (
    container_record,
    containers,
    engine_of,
    labels,
    netns_of,
    networks,
    shared_from,
    snapshot_of,
)
from visualizer.text import visible
from visualizer.version import __version__

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.renderers.options import RenderOptions

REACH_LIMIT = 200_000
"""Reachable pairs embedded for highlighting; beyond, the page says it is incomplete."""


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
  <label>search <input id="search" type="search" placeholder="container or network"
    autocomplete="off"></label>
  <label>network <select id="filter-network"><option value="">all</option></select></label>
  <label>project <select id="filter-project"><option value="">all</option></select></label>
  <button id="fit" type="button">fit</button>
</header>
<div id="graph"></div>
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
<script>
@@library@@
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


def page_data(g: nx.Graph[str], analysis: Analysis) -> dict[str, Any]:
    """What the page draws: synthetic IDs, engine text as plain strings."""
    engine = snapshot_of(g).engine
    nets = networks(g)
    ctrs = containers(g)
    ids = {k: f"n{i}" for i, (k, _) in enumerate(nets)}
    ids |= {k: f"c{i}" for i, (k, _) in enumerate(ctrs)}
    marks = analysis.marks()
    names = labels(g)
    index = {k: i for i, (k, _) in enumerate(ctrs)}
    links = []
    for nkey, net in nets:
        policy = peering(net, engine_of(g, net.host)).value
        for ckey in g.adj[nkey]:
            if shared_from(g, nkey, ckey) is None:
                running = container_record(g, ckey).is_running
                links.append([ids[nkey], ids[ckey], policy if running else "stopped"])
    reach: list[list[int]] = []
    complete = True
    for a, b, v in analysis.reach.reachable([k for k, _ in ctrs]):
        if len(reach) >= REACH_LIMIT:
            complete = False
            break
        reach.append([index[a], index[b], 1 if v.by_name else 0])
    return {
        "generator": f"netviz {__version__}",
        "engine": {
            "name": engine.name if engine else "",
            "version": engine.server_version if engine else "",
        },
        "networks": [
            {
                "id": ids[k],
                "name": n.name,
                "driver": n.driver,
                "scope": n.scope,
                "internal": n.internal,
                "policy": peering(n, engine_of(g, n.host)).value,
                "policy_text": PEERING_TEXT[peering(n, engine_of(g, n.host))],
                "project": n.compose_project,
                "host": n.host,
                "subnets": [
                    f"{s.cidr}" + (f" gw {s.gateway}" if s.gateway else "") for s in n.subnets
                ],
                "findings": sorted({f.id for f in marks.get(("network", names[n.id]), [])}),
            }
            for k, n in nets
        ],
        "containers": [
            {
                "id": ids[k],
                "name": c.name,
                "image": c.image,
                "state": c.state,
                "running": c.is_running,
                "mode": c.network_mode if c.network_mode in {"host", "none"} else "",
                "project": c.compose_project,
                "host": c.host,
                "netns_of": ids.get(netns_of(g, k) or ""),
                "ports": [p.text(" → ") for p in c.ports if p.published],
                "endpoints": [
                    {"net": ids[f"network:{ep.network_id}"], "ips": list(ep.addresses)}
                    for ep in c.endpoints
                    if f"network:{ep.network_id}" in ids
                ],
                "findings": sorted(
                    {f.id for f in marks.get(("container", names[c.id]), [])},
                    key=lambda i: int(i.lstrip("A") or 0),
                ),
            }
            for k, c in ctrs
        ],
        "links": links,
        "reach": reach,
        "reach_complete": complete,
        "findings": [
            {
                "id": f.id,
                "severity": f.severity.label,
                "title": f.title,
                "subjects": [s.name for s in f.subjects],
                "explanation": f.explanation,
            }
            for f in analysis.findings
            if f.is_open
        ],
    }


def script_json(value: Any) -> str:  # noqa: ANN401 - any JSON value
    """JSON that cannot end the `<script>` element it sits in, whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
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
    """The interactive page, and what the reader should know about it."""
    data = page_data(g, analysis)
    engine = data["engine"]
    title = f"netviz: {engine['name'] or 'snapshot'}"
    summary = f"{len(data['networks'])} networks · {len(data['containers'])} containers"
    if engine["version"]:
        summary = f"Docker {engine['version']} · " + summary

    def esc(text: str) -> str:
        return html.escape(visible(text), quote=True)

    fields = {
        "generator": esc(data["generator"]),
        "title": esc(title),
        "summary": esc(summary),
        "css": _asset("html/app.css"),
        "data": script_json(data),
        "library": _asset("vendor/cytoscape.min.js"),
        "app": _asset("html/app.js"),
    }
    # one pass: what is put in is never scanned again
    del options
    return re.sub(r"@@(\w+)@@", lambda m: fields[m.group(1)], PAGE), ()

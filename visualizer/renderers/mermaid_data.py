"""Mermaid and Markdown for what containers share besides the network.

Kept apart from `mermaid.py` and `report.py`, which call it:
- Mermaid (topology): volumes as subroutine boxes `[["…"]]`, host paths as parallelograms
  `[/"…"/]`, mount links labelled with the mount point (solid read-write, dotted read-only),
  host-equivalent containers in a red class with a thick link to a `host` hexagon;
- the report's "Data and channels" section: what each container mounts, the channels in
  grouped form (linear), and the host-equivalent containers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, mounts
from visualizer.renderers.dot_data import drawn_data
from visualizer.text import markdown as md

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from visualizer.analysis.audit import Analysis

DATA_STROKE = "#92400e"
HOST_STROKE = "#b91c1c"


def mermaid_data(
    g: nx.Graph[str], ids: dict[str, str], label: Callable[[str, int], str]
) -> tuple[list[str], list[str], list[str]]:
    """Node and link lines, their link styles, and class lines (after the others)."""
    lines: list[str] = []
    styles: list[str] = []
    classes: list[str] = []
    shown = drawn_data(g)
    layer = data_layer(g)
    for i, (dkey, node) in enumerate(shown):
        text = label(node.label, 60)
        if node.kind == "volume":
            lines.append(f'  d{i}[["{text}<br/>volume"]]')
        else:
            lines.append(f'  d{i}[/"{text}<br/>host path"/]')
        for ckey in layer.adj[dkey]:
            if ckey not in ids:
                continue
            for m in mounts(g, ckey, dkey):
                where = label(m.destination, 40)
                if m.rw:
                    lines.append(f'  {ids[ckey]} ---|"{where}"| d{i}')
                    styles.append(f"stroke:{DATA_STROKE}")
                else:
                    lines.append(f'  {ids[ckey]} -.-|"{where} ro"| d{i}')
                    styles.append(f"stroke:{DATA_STROKE},stroke-dasharray:4")
    if shown:
        classes.append(f"  classDef data fill:#fef3c7,stroke:{DATA_STROKE}")
        classes.append(f"  class {','.join(f'd{i}' for i in range(len(shown)))} data")
    hosts: dict[str, str] = {}
    powered = []
    for ckey, cid in ids.items():
        if not ckey.startswith("container:"):
            continue
        c = container_record(g, ckey)
        if not host_powers(c):
            continue
        if c.host not in hosts:
            hosts[c.host] = f"hx{len(hosts)}"
            title = f"host {label(c.host, 40)}" if c.host else "the host"
            lines.append(f'  {hosts[c.host]}{{{{"{title}<br/>and every container on it"}}}}')
        lines.append(f'  {cid} ==>|"equivalent to the host"| {hosts[c.host]}')
        styles.append(f"stroke:{HOST_STROKE},stroke-width:3px")
        powered.append(cid)
    if powered:
        classes.append(f"  classDef hosteq fill:#fee2e2,stroke:{HOST_STROKE},stroke-width:3px")
        classes.append(f"  class {','.join(powered)},{','.join(hosts.values())} hosteq")
    return lines, styles, classes


def report_channels(g: nx.Graph[str], analysis: Analysis, keys: list[str]) -> list[str]:
    """The report's section on mounts, channels and host equivalence (grouped, linear)."""
    out = ["## Data and channels besides the network", ""]
    rows = []
    for k in keys:
        c = container_record(g, k)
        held = [m.text for m in c.mounts if m.is_data]
        if held:
            rows.append(f"| {md(c.name)} | {', '.join(md(t) for t in held)} |")
    if rows:
        out += ["| container | mounts |", "|---|---|", *rows, ""]
    else:
        out += ["No container mounts a volume or host path.", ""]
    shown = {analysis.reach.label(k) for k in keys}
    grouped = analysis.channels.grouped()
    items = []
    for d in grouped.data:
        if shown & {*d.writers, *d.readers}:
            readers = f"; read-only: {', '.join(md(r) for r in d.readers)}" if d.readers else ""
            nested = (
                f" (also seen through {', '.join(md(o) for o in d.overlaps)})" if d.overlaps else ""
            )
            items.append(
                f"- {d.kind.value} **{md(d.resource)}**{nested}: written by "
                f"{', '.join(md(w) for w in d.writers) or 'nobody'}{readers}"
            )
    items += [
        f"- {n.kind.value.upper()} namespace of **{md(n.owner)}** shared by "
        + ", ".join(md(m) for m in n.members)
        for n in grouped.namespaces
        if shown & set(n.members)
    ]
    items += [
        f"- {md(dst)} was created with --volumes-from {md(src)}{':ro' if ro else ''}"
        for src, dst, ro in grouped.volumes_from
        if shown & {src, dst}
    ]
    items += [
        f"- **{md(h.container)} is equivalent to the host** ({'; '.join(md(p) for p in h.powers)})"
        f": power over every container{' once it runs' if not h.running else ''}"
        for h in grouped.host_equivalent
        if h.container in shown
    ]
    out += (
        ["Ways containers can affect each other without the network:", "", *items, ""]
        if items
        else ["No channel between containers besides the network.", ""]
    )
    return out

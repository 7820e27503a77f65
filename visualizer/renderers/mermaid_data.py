"""Mermaid and Markdown for what containers share besides the network.

Kept apart from `mermaid.py` and `report.py`, which call it:
- Mermaid (topology): volumes as subroutine boxes `[["…"]]`, host paths as parallelograms
  `[/"…"/]`, mount links labelled with the mount point (solid read-write, dotted read-only),
  host-equivalent containers in a red class with a thick link to a `host` hexagon;
- the report's "Data and channels" section: what each container mounts, the channels in
  grouped form (linear), and the host-equivalent containers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, mounts
from visualizer.renderers import group_text
from visualizer.renderers.dot_data import NAMESPACE_COLOR, drawn_data, merged_channels
from visualizer.text import markdown as md

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.group_data import GroupData
    from visualizer.graph import DataNode

DATA_STROKE = "#92400e"
HOST_STROKE = "#b91c1c"
DATA_CLASS = f"  classDef data fill:#fef3c7,stroke:{DATA_STROKE}"
HOSTEQ_CLASS = f"  classDef hosteq fill:#fee2e2,stroke:{HOST_STROKE},stroke-width:3px"


class Links(Protocol):
    """Where the levels' Mermaid writes: node lines, and links with their colours."""

    lines: list[str]

    def link(self, a: str, arrow: str, b: str, text: str, color: str) -> None:
        """Add a link `a arrow b` labelled `text`."""


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
        lines.append(data_node(f"d{i}", node, label))
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
        classes.append(DATA_CLASS)
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
            lines.append(host_node(hosts[c.host], c.host, label))
        lines.append(f'  {cid} ==>|"equivalent to the host"| {hosts[c.host]}')
        styles.append(f"stroke:{HOST_STROKE},stroke-width:3px")
        powered.append(cid)
    if powered:
        classes.append(HOSTEQ_CLASS)
        classes.append(f"  class {','.join(powered)},{','.join(hosts.values())} hosteq")
    return lines, styles, classes


def data_node(mid: str, node: DataNode, label: Callable[[str, int], str]) -> str:
    """A volume (subroutine box) or host path (parallelogram)."""
    text = label(node.label, 60)
    if node.kind == "volume":
        return f'  {mid}[["{text}<br/>volume"]]'
    return f'  {mid}[/"{text}<br/>host path"/]'


def host_node(hid: str, host: str, label: Callable[[str, int], str]) -> str:
    """The hexagon standing for a host and every container on it."""
    title = f"host {label(host, 40)}" if host else "the host"
    return f'  {hid}{{{{"{title}<br/>and every container on it"}}}}'


def container_channels(
    g: nx.Graph[str],
    analysis: Analysis,
    ids: dict[str, str],
    host_ids: dict[str, str],
    out: Links,
) -> list[str]:
    """Channel links among the shown containers and arrows of host equivalence; class lines."""
    edges, powered = merged_channels(g, analysis, list(ids))
    for (_, _, family), what, flows in edges:
        src, dst = min(flows)
        arrow = "<-.->" if len(flows) > 1 else "-.->"
        color = NAMESPACE_COLOR if family == "ns" else DATA_STROKE
        out.link(ids[src], arrow, ids[dst], ", ".join(sorted(what)), color)
    for key in powered:
        host = host_ids.get(container_record(g, key).host)
        if host is not None:
            out.link(ids[key], "==>", host, "equivalent to the host", HOST_STROKE)
    marked = [ids[k] for k in powered if container_record(g, k).host in host_ids]
    return [HOSTEQ_CLASS, f"  class {','.join(marked)} hosteq"] if marked else []


def group_data_links(
    agg: Aggregate,
    data: GroupData,
    label: Callable[[str, int], str],
    out: Links,
    host_ids: dict[str, str] | None = None,
) -> list[str]:
    """The data layer of a collapsed level; class lines.

    Topology (`host_ids` `None`): shared volumes and paths, group–data links, host
    equivalence to a host hexagon. Reachability: channels between groups, host equivalence
    to the view's host nodes.
    """
    size = {grp.id: grp.size for grp in agg.groups}
    classes: list[str] = []
    if host_ids is None:
        ids = {dkey: f"d{i}" for i, (dkey, _) in enumerate(data.shared)}
        out.lines.extend(data_node(ids[k], node, label) for k, node in data.shared)
        for m in data.mounts:
            arrow = "---" if m.writers else "-.-"
            out.link(
                m.group, arrow, ids[m.data], group_text.mount_text(m, size[m.group]), DATA_STROKE
            )
        if ids:
            classes += [DATA_CLASS, f"  class {','.join(ids.values())} data"]
    else:
        for src, dst, family, text, both in data.channel_lines():
            color = NAMESPACE_COLOR if family == "ns" else DATA_STROKE
            out.link(src, "<-.->" if both else "-.->", dst, text, color)
    hosts = dict(host_ids or {})
    marked = []
    for grp in agg.groups:
        power = data.host_equivalent.get(grp.id)
        if power is None or (host_ids is not None and not power.running):
            continue
        count = power.running if host_ids is not None else power.members
        text = "equivalent to the host" + group_text.of(count, grp.size)
        for host in grp.hosts:  # each member is its own host's equal
            if host not in hosts:
                hosts[host] = f"hx{len(hosts)}"
                out.lines.append(host_node(hosts[host], host, label))
                marked.append(hosts[host])
            out.link(grp.id, "==>", hosts[host], text, HOST_STROKE)
        marked.append(grp.id)
    if marked:
        classes += [HOSTEQ_CLASS, f"  class {','.join(marked)} hosteq"]
    return classes


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

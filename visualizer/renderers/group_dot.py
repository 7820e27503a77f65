"""Graphviz DOT for the topology view of a collapsed graph: groups of containers, networks.

The same visual language as the container level (`dot.py`): networks filled by driver,
lines styled by what members may do on the network. A group's node says what holds for all
its members and counts what holds for some (`group_text.py`); a line that only some members
make says `3 of 12`; at the project and network levels it names what crosses it. Services
are drawn inside their compose project, groups inside their host when there are several.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.peering import PEERING_TEXT, Peering, peering
from visualizer.graph import engine_of, labels, network_record, networks
from visualizer.renderers import group_text
from visualizer.renderers.dot import clustered, network_node, title_label, topology_header
from visualizer.renderers.dot_style import (
    BLOCKED,
    EXPOSED_SOME,
    FINDING_COLORS,
    INACTIVE,
    SIDECAR_EDGE,
    driver_colors,
    driver_mark,
    exposure_color,
    legend,
    line_mark,
    port_marks,
)
from visualizer.renderers.dotlib import attrs, h, table
from visualizer.renderers.group_data_dot import DATA_NOTES, group_topology_data
from visualizer.renderers.shape import BLOCK_COMMENT
from visualizer.text import shorten, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate, Group, Link
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.group_data import GroupData
    from visualizer.model import Network
    from visualizer.renderers.options import RenderOptions

NAME_LIMIT = 48
GROUP_NOTES = (
    ("group:service", "api ×12: the replicas of one service, drawn once"),
    ("group:project", "a compose project or swarm stack, drawn once; its own networks inside"),
    ("group:standalone", "containers outside any project, grouped by the networks they are on"),
    ("group:fold", "projects that join the same shared networks, folded into one node"),
    ("partial", "3 of 12 on a line: only some members are on that network"),
    ("differs", "≠ members differ: what the replicas do not all share"),
)
_GROUP_KEY = {"swarm-service": "service", "stack": "project"}
_LEVEL_WORD = {"service": "service", "project": "project", "network": "shared network"}


def render_group_dot(
    g: nx.Graph[str],
    agg: Aggregate,
    options: RenderOptions,
    analysis: Analysis | None,
    data: GroupData | None = None,
) -> str:
    """The topology of a collapsed graph as DOT source (`data`: its data layer, drawn)."""
    marks = analysis.marks() if analysis is not None else {}
    names = labels(g)
    nets = dict(networks(g))
    ids = {k: f"n{i}" for i, k in enumerate(agg.networks)}
    by_id = {grp.id: grp for grp in agg.groups}
    drawn: set[str] = set()
    extra = f" · drawn per {_LEVEL_WORD[agg.level.value]}: {len(agg.groups)} nodes"
    out = topology_header(options, title_label(g, len(nets), agg.containers, extra))
    placed: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for nkey in agg.networks:
        net = nets[nkey]
        drawn.add(driver_mark(net.driver))
        if net.internal:
            drawn.add("internal")
        found = marks.get(("network", names[net.id]), [])
        drawn |= {"findings"} if found else set()
        stmt = network_node(ids[nkey], net, engine_of(g, net.host), found)
        project = net.compose_project if agg.level.value == "service" else None
        placed[net.host][project or ""].append(stmt)
    for grp in agg.groups:
        stmt, used = _group_node(g, grp)
        drawn |= used
        project = (grp.project or "") if agg.level.value == "service" else ""
        placed[grp.host][project].append(stmt)
    out.extend(clustered(g, placed))
    primary: dict[str, list[str]] = defaultdict(list)
    for link in agg.links:
        grp = by_id[link.group]
        style, used = _link_style(g, link, grp, nets[link.network], agg)
        drawn |= used
        out.append(f"  {ids[link.network]} -> {grp.id} [{style}];")
        if grp.id not in {m for ms in primary.values() for m in ms}:
            primary[link.network].append(grp.id)
    for sidecar, owner in agg.stacks:
        drawn.add("sidecar")
        out.append(f"  {sidecar} -> {owner} [" + attrs(**SIDECAR_EDGE) + "];")
    out.extend(f"  {BLOCK_COMMENT} {ids[n]} {' '.join(ms)}" for n, ms in primary.items())
    if data is not None:
        out.extend(group_topology_data(agg, data, drawn))
    if options.legend:
        out.extend(legend(drawn, GROUP_NOTES + DATA_NOTES))
    out.append("}")
    return "\n".join(out) + "\n"


def _group_node(g: nx.Graph[str], grp: Group) -> tuple[str, set[str]]:
    """A group's node statement, and the legend keys it uses."""
    used: set[str] = set()
    head = f"<B>{h(shorten(group_text.title(grp), NAME_LIMIT + 8))}</B>"
    if grp.size > 1:
        used.add(f"group:{_GROUP_KEY.get(grp.kind, grp.kind)}")
        if grp.kind in {"project", "stack", "fold"}:
            head += f"  <FONT COLOR='#475569'>{grp.size} containers</FONT>"
    rows = [head, _row(group_text.detail(grp), "#475569")]
    if grp.size > 1:
        rows.append(_row(group_text.states(grp), "#475569" if grp.running else INACTIVE))
    folded = [network_record(g, n).name for n in grp.networks]
    if folded:
        rows.append(_row(group_text.own_networks(folded), "#1d4ed8"))
    for port in grp.ports:
        color = exposure_color([port.host_ip])
        used |= port_marks([port.host_ip])
        rows.append(_row(group_text.port_text(port, grp.size), color))
    for severity, line in group_text.findings_lines(grp):
        used.add("findings")
        color = FINDING_COLORS.get(severity, BLOCKED)
        rows.append(f"<FONT POINT-SIZE='9' COLOR='{color}'><B>{h(line)}</B></FONT>")
    differs = group_text.differs_text(grp)
    if differs:
        used.add("differs")
        rows.append(_row(differs, EXPOSED_SOME))
    running = grp.running > 0
    if not running:
        used.add("stopped")
    shape = "component" if grp.kind == "swarm-service" else "box"
    fill = "#fefce8" if grp.kind == "swarm-service" else "#ffffff"
    tip = f"{group_text.KIND_TEXT[grp.kind]} {visible(grp.name)}: {grp.size} containers"
    node = attrs(
        shape=shape,
        style=("rounded,filled" if shape == "box" else "filled") + ("" if running else ",dashed"),
        fillcolor=fill if running else "#f1f5f9",
        color="#334155" if running else INACTIVE,
        fontcolor="#0f172a" if running else "#64748b",
        penwidth="2" if grp.size > 1 else "1",
        label=table([r for r in rows if r]),
        tooltip=tip,
    )
    return f"{grp.id} [{node}];", used


def _row(text: str, color: str) -> str:
    if not text:
        return ""
    return f"<FONT POINT-SIZE='9' COLOR='{color}'>{h(shorten(text, 72))}</FONT>"


def _link_style(
    g: nx.Graph[str], link: Link, grp: Group, net: Network, agg: Aggregate
) -> tuple[str, set[str]]:
    """A group–network line: styled by the network's policy, labelled with what crosses it."""
    policy = peering(net, engine_of(g, net.host))
    running = link.running > 0
    used = {line_mark(policy, running=running)}
    label = group_text.link_text(link, grp, agg.level)
    if link.members < grp.size:
        used.add("partial")
    _, line = driver_colors(net.driver)
    styles = {
        Peering.BY_NAME: {"style": "solid", "penwidth": "2", "color": line},
        Peering.BY_IP: {"style": "dashed", "penwidth": "1.5", "color": line},
        Peering.ISOLATED: {"style": "dotted", "penwidth": "2", "color": BLOCKED},
        Peering.HOST: {"style": "bold", "penwidth": "3", "color": line},
        Peering.NONE: {"style": "dotted", "penwidth": "1.5", "color": line},
        Peering.UNKNOWN: {"style": "solid", "penwidth": "1.5", "color": line},
    }
    chosen = (
        styles[policy] if running else {"style": "dotted", "color": INACTIVE, "penwidth": "1.5"}
    )
    tip = (
        f"{link.members} of {grp.size} in {visible(grp.name)} on {visible(net.name)}: "
        f"{PEERING_TEXT[policy]}"
    )
    extra = {"label": shorten(label, 60), "fontcolor": "#334155"} if label else {}
    return attrs(**chosen, **extra, tooltip=tip), used

"""Graphviz DOT for the reachability view of a collapsed graph: who reaches whom, per group.

The language of the container-level view (`reach_dot.py`), counted: a line between two
groups says over which networks their members reach each other and, when not every pair
does, how many do (`4 of 12 pairs`); solid when every reachable pair resolves by name, dashed
when none does, `partly by name` otherwise; an arrow when only one direction holds (or the
two differ). A group's node says whether its members reach each other. The host and the
outside are drawn as in the container view, their lines counted per group.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.group_reach import drawn_hosts
from visualizer.analysis.peering import Peering, peering
from visualizer.graph import engine_of, network_record
from visualizer.renderers import group_text
from visualizer.renderers.dot_style import (
    EXPOSED_ALL,
    EXPOSED_SOME,
    INACTIVE,
    SIDECAR,
    exposure_color,
)
from visualizer.renderers.dotlib import Html, attrs, h, table
from visualizer.renderers.group_data_dot import group_reach_data
from visualizer.renderers.reach_dot import (
    BY_NAME_COLOR,
    HOST_COLOR,
    HUB_COLOR,
    legend_statement,
    reach_header,
)
from visualizer.renderers.shape import BLOCK_COMMENT, component_blocks
from visualizer.text import shorten, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate, Group, Link
    from visualizer.analysis.group_data import GroupData
    from visualizer.analysis.group_reach import GroupPair, GroupReach
    from visualizer.renderers.options import RenderOptions

HUB_FACTOR = 2
"""More lines between groups than this many per group: networks are drawn as hubs instead."""
_PACKED = re.compile(r"g\d+")


def render_group_reach_dot(
    g: nx.Graph[str],
    agg: Aggregate,
    found: GroupReach,
    options: RenderOptions,
    data: GroupData | None = None,
) -> str:
    """Render who reaches whom among the groups (`data`: with the channels between them)."""
    merged = _merge(found.pairs)
    hubs = len(merged) > max(HUB_FACTOR * len(agg.groups), 12)
    title = (
        f"Reachability · {agg.containers} containers as {len(agg.groups)} groups · "
        f"{found.total} reachable ordered pairs"
    )
    if hubs:
        title += " · drawn per network (too many lines between groups to draw one by one)"
    out = reach_header(options, title)
    drawn: set[str] = set()
    for grp in agg.groups:
        out.append(f"  {grp.id} [{_node(grp, found.within.get(grp.id))}];")
        if not grp.running:
            drawn.add("stopped")
    if hubs:
        out.extend(_hubs(g, agg, drawn))
    else:
        for (a, b), (pair, both) in sorted(merged.items(), key=lambda kv: _order(kv[0])):
            out.append(f"  {a} -> {b} [{_pair_style(pair, both=both, drawn=drawn)}];")
    host_ids = {name: f"host{i}" for i, name in enumerate(drawn_hosts(agg, found))}
    out.extend(_host_lines(agg, found, host_ids, drawn, quiet=hubs))
    out.extend(_exposure_lines(agg, host_ids, drawn))
    for sidecar, owner in agg.stacks:
        drawn.add("sidecar")
        style = attrs(style="dashed", color=SIDECAR, penwidth="2", label="shares network stack")
        out.append(f"  {sidecar} -> {owner} [{style}];")
    if data is not None:
        out.extend(group_reach_data(agg, data, host_ids, legend=options.legend))
    if not hubs:  # groups joined by a line or a channel are packed together
        out.extend(component_blocks(out, _PACKED))
    if options.legend:
        out.append(legend_statement(drawn))
    out.append("}")
    return "\n".join(out) + "\n"


def _hubs(g: nx.Graph[str], agg: Aggregate, drawn: set[str]) -> list[str]:
    """Each drawn network whose members reach each other as a hub, joined to its groups."""
    out = []
    size = {grp.id: grp.size for grp in agg.groups}
    by_net: dict[str, list[Link]] = defaultdict(list)
    for link in agg.links:
        by_net[link.network].append(link)
    packed: set[str] = set()
    for i, nkey in enumerate(agg.networks):
        net = network_record(g, nkey)
        policy = peering(net, engine_of(g, net.host))
        links = [lk for lk in by_net[nkey] if lk.running]
        if policy in {Peering.ISOLATED, Peering.HOST, Peering.NONE} or len(links) < 2:  # noqa: PLR2004
            continue
        drawn.add("hub")
        by_name = policy is Peering.BY_NAME and not net.is_default_bridge
        drawn.add("pair:name" if by_name else "pair:ip")
        tip = f"network {visible(net.name)}: its members reach each other"
        out.append(
            f"  hub{i} ["
            + attrs(
                shape="point",
                width="0.15",
                color=HUB_COLOR,
                xlabel=shorten(net.name, 24),
                tooltip=tip,
            )
            + "];"
        )
        for link in links:
            text = (
                f"{link.running} of {size[link.group]}" if link.running < size[link.group] else ""
            )
            style = attrs(
                dir="none", style="solid" if by_name else "dashed", color=BY_NAME_COLOR, label=text
            )
            out.append(f"  hub{i} -> {link.group} [{style}];")
        own = [lk.group for lk in links if lk.group not in packed]
        packed.update(own)
        out.append(f"  {BLOCK_COMMENT} hub{i} {' '.join(own)}")
    return out


def _order(pair: tuple[str, str]) -> tuple[int, int]:
    return int(pair[0][1:]), int(pair[1][1:])


def _merge(pairs: tuple[GroupPair, ...]) -> dict[tuple[str, str], tuple[GroupPair, bool]]:
    """One line per two groups when both directions say the same, else one per direction."""
    seen = {(p.source, p.target): p for p in pairs}
    merged: dict[tuple[str, str], tuple[GroupPair, bool]] = {}
    for (a, b), p in seen.items():
        back = seen.get((b, a))
        same = back is not None and (back.pairs, back.by_name, back.possible, back.via) == (
            p.pairs,
            p.by_name,
            p.possible,
            p.via,
        )
        if same and _order((a, b)) < _order((b, a)):
            merged[(a, b)] = (p, True)
        elif not same:
            merged[(a, b)] = (p, False)
    return merged


def _pair_style(pair: GroupPair, *, both: bool, drawn: set[str]) -> str:
    if pair.by_name == pair.pairs:
        style, how = "solid", "by name"
        drawn.add("pair:name")
    elif pair.by_name == 0:
        style, how = "dashed", "by IP only"
        drawn.add("pair:ip")
    else:
        style, how = "solid", f"{pair.by_name} of them by name"
        drawn.add("pair:partly")
    if not both:
        drawn.add("pair:oneway")
    words = [", ".join(shorten(n, 24) for n in pair.via[:3]) + (" …" if len(pair.via) > 3 else "")]  # noqa: PLR2004
    if pair.pairs < pair.possible:
        words.append(f"{pair.pairs} of {pair.possible} pairs")
        drawn.add("pair:some")
    if 0 < pair.by_name < pair.pairs:
        words.append("partly by name")
    label = " · ".join(w for w in words if w)
    return attrs(
        dir="both" if both else "forward",
        arrowhead="none" if both else "normal",
        arrowtail="none",
        style=style,
        penwidth="1.8" if style == "solid" else "1.3",
        color=BY_NAME_COLOR,
        label=label,
        tooltip=f"{pair.pairs} of {pair.possible} ordered pairs reach, {how}",
    )


def _node(grp: Group, within: GroupPair | None) -> str:
    rows = [f"<B>{h(shorten(group_text.title(grp), 56))}</B>"]
    if grp.size > 1 and grp.kind not in {"service", "swarm-service", "standalone"}:
        rows[0] += f"  <FONT COLOR='#475569'>{grp.size} containers</FONT>"
    states = group_text.states(grp) if grp.size > 1 else grp.states[0][0]
    rows.append(f"<FONT POINT-SIZE='9' COLOR='#475569'>{h(states)}</FONT>")
    if grp.size > 1:
        rows.append(f"<FONT POINT-SIZE='9'>{h(_within(grp, within))}</FONT>")
    if not grp.running:
        rows.append("<FONT POINT-SIZE='9'>not running: reaches nothing</FONT>")
    running = grp.running > 0
    return attrs(
        shape="box",
        style="rounded,filled" if running else "rounded,filled,dashed",
        fillcolor="#ffffff" if running else "#f1f5f9",
        color="#334155" if running else INACTIVE,
        fontcolor="#0f172a" if running else "#64748b",
        penwidth="2" if grp.size > 1 else "1",
        label=table(rows),
        tooltip=f"{visible(grp.name)}: {grp.size} containers",
    )


def _within(grp: Group, within: GroupPair | None) -> str:
    if within is None:
        return group_text.within_text(grp.size, 0, 0, 0)
    return group_text.within_text(grp.size, within.pairs, within.by_name, within.possible)


def _host_lines(
    agg: Aggregate, found: GroupReach, ids: dict[str, str], drawn: set[str], *, quiet: bool
) -> list[str]:
    """The host's nodes and the groups' lines to them (`quiet`: only the red ones)."""
    out = []
    for name, hid in ids.items():
        label = f"<B>{h('host ' + shorten(name, 40) if name else 'host')}</B><BR/>"
        label += "<FONT POINT-SIZE='9'>its own network stack</FONT>"
        out.append(
            f"  {hid} ["
            + attrs(
                shape="doubleoctagon",
                style="filled",
                fillcolor="#fee2e2",
                color=HOST_COLOR,
                label=Html(label),
            )
            + "];"
        )
    size = {grp.id: grp.size for grp in agg.groups}
    for i, share in enumerate(found.hosts):
        gid, hid = found.host_of[i], ids[share.host]
        if share.is_host:
            drawn.add("is-host")
            text = "is the host" + group_text.of(share.is_host, size[gid])
            style = attrs(dir="none", penwidth="3", color=HOST_COLOR, label=text)
            out.append(f"  {gid} -> {hid} [{style}];")
        if share.reaches_host or share.reached_by_host:
            red = share.internal > 0
            if quiet and not red:
                continue  # every group on a bridge does; the legend says so
            drawn.add("host-internal" if red else "host-path")
            words = []
            if share.reaches_host:
                words.append(f"{share.reaches_host} reach it")
            if share.reached_by_host:
                words.append(f"{share.reached_by_host} reached")
            style = attrs(
                dir="none",
                style="dotted",
                color=HOST_COLOR if red else "#94a3b8",
                label=" · ".join(words) if size[gid] > 1 else "",
                fontcolor="#64748b",
            )
            out.append(f"  {gid} -> {hid} [{style}];")
    return out


def _exposure_lines(agg: Aggregate, host_ids: dict[str, str], drawn: set[str]) -> list[str]:
    out: list[str] = []
    for grp in agg.groups:
        if not grp.ports or not grp.running:
            continue
        for port in grp.ports:
            color = exposure_color([port.host_ip])
            key = {EXPOSED_ALL: "port:all", EXPOSED_SOME: "port:some"}.get(color, "port:local")
            drawn.add(key)
            text = group_text.port_text(port, grp.size)
            style = attrs(color=color, fontcolor=color, penwidth="1.5", label=shorten(text, 60))
            # on loopback, a port is open on each member's own host
            sources = ["outside"] if key != "port:local" else [host_ids[h] for h in grp.hosts]
            out.extend(f"  {source} -> {grp.id} [{style}];" for source in sources)
    if any(line.startswith("  outside ->") for line in out):
        label = "<B>outside</B><BR/><FONT POINT-SIZE='9'>anything that reaches the host</FONT>"
        out.insert(
            0,
            "  outside ["
            + attrs(
                shape="ellipse",
                style="filled",
                fillcolor="#f1f5f9",
                color="#64748b",
                label=Html(label),
            )
            + "];",
        )
    return out

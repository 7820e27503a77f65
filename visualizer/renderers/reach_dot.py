"""Graphviz DOT for the reachability view: containers only, one line per reachable pair.

- a line between two containers: they reach each other, labelled with the shared networks;
  solid when names resolve, dashed when by IP only; an arrow when only one direction holds
  (or names resolve only one way);
- the `host` node stands for the host's network stack: host-mode containers are joined to
  it by a thick red line; a dotted line marks a container that reaches the host's services
  (red when it does so from an internal network), an arrow from the host a container the
  host reaches but that cannot reach back (none here on bridges: both directions hold);
- the `outside` node stands for anything that can reach the host's addresses: arrows to the
  containers whose ports are published on all interfaces or a specific address; loopback-only
  ports hang off the `host` node;
- a purple dashed arrow joins a sidecar to the container whose stack it shares;
- stopped containers are grey and unconnected: they reach nothing.

When the pair lines would be too many to read, each network whose members all reach each
other is drawn as a hub instead (and the drawing says so).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.peering import Peering
from visualizer.graph import containers, netns_of
from visualizer.model import port_texts
from visualizer.renderers.dot_data import reach_channels
from visualizer.renderers.dot_style import (
    EXPOSED_ALL,
    EXPOSED_LOCAL,
    EXPOSED_SOME,
    INACTIVE,
    SIDECAR,
)
from visualizer.renderers.dotlib import FONT, Html, attrs, h, table
from visualizer.renderers.shape import BLOCK_COMMENT, component_blocks
from visualizer.text import display, short_id, shorten, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.grouped import HostStack
    from visualizer.analysis.reachability import Reachability, Verdict
    from visualizer.model import Container, Port
    from visualizer.renderers.options import RenderOptions

PAIR_EDGE_LIMIT = 300
BY_NAME_COLOR = "#1d4ed8"
HOST_COLOR = "#b91c1c"
HUB_COLOR = "#475569"
_PACKED = re.compile(r"c\d+|hub\d+")
"""Containers and network hubs: the parts they make are packed as blocks."""


def render_reachability_dot(g: nx.Graph[str], options: RenderOptions, analysis: Analysis) -> str:
    """Render who reaches whom among the containers of a (possibly filtered) graph."""
    reach = analysis.reach
    shown = containers(g)
    keys = [k for k, _ in shown]
    ids = {k: f"c{i}" for i, k in enumerate(keys)}
    names = {reach.label(k): k for k in keys}
    pairs = list(reach.pairs(keys))
    edges = _merge(pairs)
    hub_mode = len(edges) > PAIR_EDGE_LIMIT
    title = f"Reachability · {len(keys)} containers · {len(pairs)} reachable ordered pairs"
    if hub_mode:
        title += " · drawn per network (too many pairs to draw one by one)"
    out = reach_header(options, title)
    hosts = sorted({c.host for _, c in shown} | {h.host for h in reach.grouped().hosts}) or [""]
    host_ids = {h: f"host{i}" for i, h in enumerate(hosts)}
    for name, hid in host_ids.items():
        title = f"host {shorten(name, 40)}" if name else "host"
        out.append(
            f"  {hid} ["
            + attrs(
                shape="doubleoctagon",
                style="filled",
                fillcolor="#fee2e2",
                color=HOST_COLOR,
                label=Html(
                    f"<B>{h(title)}</B><BR/><FONT POINT-SIZE='9'>its own network stack</FONT>"
                ),
                tooltip=f"the network stack of {visible(name) or 'the Docker host'}",
            )
            + "];"
        )
    out.append(
        "  outside ["
        + attrs(
            shape="ellipse",
            style="filled",
            fillcolor="#f1f5f9",
            color="#64748b",
            label=Html(
                "<B>outside</B><BR/><FONT POINT-SIZE='9'>anything that reaches the host</FONT>"
            ),
        )
        + "];"
    )
    for key, c in shown:
        out.append(f"  {ids[key]} [{_node(c, running=reach.is_running(key))}];")

    if hub_mode:
        out.extend(_hubs(reach, keys, ids))
    else:
        for (a, b), (via, by_name, both) in sorted(edges.items()):
            style = _pair_style(via, by_name=by_name, both=both)
            out.append(f"  {ids[names[a]]} -> {ids[names[b]]} [{style}];")

    out.extend(_host_edges(reach, keys, ids, host_ids, hub_mode=hub_mode))
    out.extend(_exposure_edges(reach, shown, ids, host_ids))
    for key, c in shown:
        owner = netns_of(g, key)
        if owner is not None and owner in ids:
            out.append(
                f"  {ids[key]} -> {ids[owner]} ["
                + attrs(
                    style="dashed",
                    color=SIDECAR,
                    fontcolor=SIDECAR,
                    penwidth="2",
                    label="shares network stack",
                    tooltip=f"{visible(c.name)} shares this stack",
                )
                + "];"
            )
    if options.data:
        out.extend(reach_channels(g, analysis, ids, host_ids, legend=options.legend))
    if not hub_mode:  # containers joined by a line or a channel are packed together
        out.extend(component_blocks(out, _PACKED))
    if options.legend:
        out.append(legend_statement(_drawn(out)))
    out.append("}")
    return "\n".join(out) + "\n"


def _merge(pairs: list[Verdict]) -> dict[tuple[str, str], tuple[tuple[str, ...], bool, bool]]:
    """One entry per unordered pair when both directions agree, else one per direction."""
    seen = {(v.source, v.target): v for v in pairs if v.via}
    merged: dict[tuple[str, str], tuple[tuple[str, ...], bool, bool]] = {}
    for (a, b), v in seen.items():
        back = seen.get((b, a))
        if back is not None and back.by_name == v.by_name and back.via == v.via:
            if a < b:
                merged[(a, b)] = (v.via, v.by_name, True)
        else:
            merged[(a, b)] = (v.via, v.by_name, False)
    return merged


def _pair_style(via: tuple[str, ...], *, by_name: bool, both: bool) -> str:
    label = ", ".join(shorten(n, 24) for n in via)
    return attrs(
        dir="both" if both else "forward",
        arrowhead="none" if both else "normal",
        arrowtail="none",
        style="solid" if by_name else "dashed",
        penwidth="1.8" if by_name else "1.3",
        color=BY_NAME_COLOR,
        label=label,
        tooltip=("by name" if by_name else "by IP only") + f" over {label}",
    )


def _node(c: Container, *, running: bool) -> str:
    rows = [f"<B>{h(display(c.name, 40))}</B>"]
    if not running:
        rows.append(f"<FONT POINT-SIZE='9'>{h(c.state)}: reaches nothing</FONT>")
    elif c.is_host_mode:
        rows.append("<FONT POINT-SIZE='9'>host network</FONT>")
    elif c.is_none_mode:
        rows.append("<FONT POINT-SIZE='9'>no network</FONT>")
    return attrs(
        shape="box",
        style="rounded,filled" if running else "rounded,filled,dashed",
        fillcolor="#ffffff" if running else "#f1f5f9",
        color="#334155" if running else INACTIVE,
        fontcolor="#0f172a" if running else "#64748b",
        label=table(rows),
        tooltip=f"{visible(c.name)} ({short_id(c.id)})",
    )


def _hubs(reach: Reachability, keys: list[str], ids: dict[str, str]) -> list[str]:
    out = []
    shown = {reach.label(k): k for k in keys}
    packed: set[str] = set()  # a container is packed with the first network it is drawn on
    for i, seg in enumerate(reach.grouped().segments):
        members = [shown[m] for m in seg.members if m in shown]
        if len(members) < 2 or seg.policy is Peering.ISOLATED:  # noqa: PLR2004
            continue
        out.append(
            f"  hub{i} ["
            + attrs(
                shape="point",
                width="0.15",
                color=HUB_COLOR,
                xlabel=shorten(seg.network, 24),
                tooltip=f"network {visible(seg.network)}",
            )
            + "];"
        )
        style = "solid" if seg.by_name else "dashed"
        out.extend(
            f"  hub{i} -> {ids[m]} [{attrs(dir='none', style=style, color=BY_NAME_COLOR)}];"
            for m in members
        )
        own = [ids[m] for m in members if m not in packed]
        packed.update(members)
        out.append(f"  {BLOCK_COMMENT} hub{i} {' '.join(own)}")
    return out


def _host_edges(
    reach: Reachability,
    keys: list[str],
    ids: dict[str, str],
    host_ids: dict[str, str],
    *,
    hub_mode: bool,
) -> list[str]:
    grouped = reach.grouped()
    shown = {reach.label(k): k for k in keys}
    internal = {m for s in grouped.segments if s.internal for m in s.members}
    is_host = attrs(dir="none", penwidth="3", color=HOST_COLOR, label="is the host")
    out = []
    for stack in grouped.hosts:
        hid = host_ids[stack.host]
        out += [f"  {ids[shown[n]]} -> {hid} [{is_host}];" for n in stack.containers if n in shown]
        out += _host_paths(stack, shown, ids, hid, internal, hub_mode=hub_mode)
    return out


def _host_paths(
    stack: HostStack,
    shown: dict[str, str],
    ids: dict[str, str],
    hid: str,
    internal: set[str],
    *,
    hub_mode: bool,
) -> list[str]:
    out = []
    reaches, reached = set(stack.reaches), set(stack.reached_by)
    for name in sorted((reaches | reached) & set(shown)):
        both = name in reaches and name in reached
        color = HOST_COLOR if name in internal and name in reached else "#94a3b8"
        tip = (
            "reaches the host's services and is reached by the host"
            if both
            else ("the host reaches it" if name in reaches else "reaches the host's services")
        )
        if hub_mode and color != HOST_COLOR:
            continue  # every bridge container does; the legend says so
        out.append(
            f"  {ids[shown[name]]} -> {hid} ["
            + attrs(
                dir="both" if both else ("back" if name in reaches else "forward"),
                arrowhead="none",
                arrowtail="none",
                style="dotted",
                color=color,
                tooltip=tip,
            )
            + "];"
        )
    return out


def _exposure_edges(
    reach: Reachability,
    shown: list[tuple[str, Container]],
    ids: dict[str, str],
    host_ids: dict[str, str],
) -> list[str]:
    out = []
    for key, c in shown:
        if not reach.is_running(key):
            continue
        groups: dict[str, list[Port]] = defaultdict(list)
        for p in c.ports:
            if p.host_port is not None:
                groups[_exposure(p.host_ip)].append(p)
        for kind, ports in sorted(groups.items()):
            text = ", ".join(port_texts(ports, "→"))
            src = host_ids[c.host] if kind == "local" else "outside"
            color = {"all": EXPOSED_ALL, "some": EXPOSED_SOME, "local": EXPOSED_LOCAL}[kind]
            out.append(
                f"  {src} -> {ids[key]} ["
                + attrs(
                    color=color,
                    fontcolor=color,
                    penwidth="1.5",
                    label=shorten(text, 60),
                    tooltip=text,
                )
                + "];"
            )
        if c.is_host_mode:
            style = attrs(color=EXPOSED_ALL, style="bold", label="host-network listeners")
            out.append(f"  outside -> {host_ids[c.host]} [{style}];")
    return list(dict.fromkeys(out))


def _exposure(ip: str | None) -> str:
    try:
        addr = ipaddress.ip_address(ip or "0.0.0.0")  # noqa: S104
    except ValueError:
        return "some"
    return "all" if addr.is_unspecified else "local" if addr.is_loopback else "some"


def _port_key(p: Port) -> tuple[int, str, str]:
    return (p.host_port or 0, p.protocol, p.host_ip or "")


_MARKS = (
    ("pair:name", 'tooltip="by name over'),
    ("pair:ip", 'tooltip="by IP only over'),
    ("hub", 'xlabel="'),
    ("is-host", 'label="is the host"'),
    ("host-path", 'style="dotted" color="#94a3b8"'),
    ("host-internal", f'style="dotted" color="{HOST_COLOR}"'),
    ("port:all", f'color="{EXPOSED_ALL}" fontcolor='),
    ("port:some", f'color="{EXPOSED_SOME}" fontcolor='),
    ("port:local", f'color="{EXPOSED_LOCAL}" fontcolor='),
    ("sidecar", 'label="shares network stack"'),
    ("stopped", "reaches nothing</FONT>"),
)
"""Legend key, and the attribute text by which this module's statements show they use it."""


def _drawn(lines: list[str]) -> set[str]:
    """The legend keys of the marks the drawing's statements use."""
    found = {key for key, text in _MARKS if any(text in line for line in lines)}
    if "hub" in found:
        found.add("hub-host")
    if any('tooltip="by ' in ln and 'dir="forward"' in ln for ln in lines):
        found.add("pair:oneway")
    if "hub" in found and any('style="dashed" color="#1d4ed8"' in ln for ln in lines):
        found.add("pair:ip")
    if "hub" in found and any('style="solid" color="#1d4ed8"' in ln for ln in lines):
        found.add("pair:name")
    return found


def reach_header(options: RenderOptions, title: str) -> list[str]:
    """The first lines of a reachability drawing: its graph, node and edge defaults."""
    graph = attrs(
        layout=options.layout.value,
        rankdir=options.direction.value,
        fontname=FONT,
        labelloc="t",
        labeljust="l",
        overlap="false",
        splines="true",
        nodesep="0.3",
        ranksep="1.1",
        label=Html(f"<FONT POINT-SIZE='14'>{h(title)}</FONT>"),
    )
    return [
        "digraph netviz_reachability {",
        f"  graph [{graph}];",
        f"  node [{attrs(fontname=FONT, fontsize='10')}];",
        f"  edge [{attrs(fontname=FONT, fontsize='9')}];",
    ]


def legend_statement(drawn: set[str]) -> str:
    """The legend of a reachability drawing, listing only the marks it uses (`drawn`)."""
    rows = [
        (
            "pair:name",
            (
                f"<FONT COLOR='{BY_NAME_COLOR}'>━━━━</FONT> reach each other by IP and by "
                "name (label: networks)"
            ),
        ),
        ("pair:ip", f"<FONT COLOR='{BY_NAME_COLOR}'>╺╸╺╸╺╸</FONT> by IP only"),
        (
            "pair:partly",
            (
                f"<FONT COLOR='{BY_NAME_COLOR}'>━━━━</FONT> partly by name: some pairs "
                "resolve names, some only addresses"
            ),
        ),
        ("pair:oneway", f"<FONT COLOR='{BY_NAME_COLOR}'>──▶</FONT> one direction only"),
        ("pair:some", "4 of 12 pairs: only some members of the two groups reach each other"),
        ("hub", f"<FONT COLOR='{HUB_COLOR}'>●</FONT> a network whose members all reach each other"),
        (
            "is-host",
            f"<FONT COLOR='{HOST_COLOR}'>━━━━</FONT> host-network container: it is the host",
        ),
        (
            "host-path",
            "<FONT COLOR='#94a3b8'>┈┈┈┈</FONT> reaches the host's services / reached by the host",
        ),
        (
            "hub-host",
            (
                "every member of a bridge network reaches the host's services and is "
                "reached by the host"
            ),
        ),
        (
            "host-internal",
            f"<FONT COLOR='{HOST_COLOR}'>┈┈┈┈</FONT> the same, from an internal network",
        ),
        (
            "port:all",
            (
                f"<FONT COLOR='{EXPOSED_ALL}'>→</FONT> published on all interfaces "
                "(also reachable from every container with a gateway)"
            ),
        ),
        ("port:some", f"<FONT COLOR='{EXPOSED_SOME}'>→</FONT> published on one host address"),
        (
            "port:local",
            f"<FONT COLOR='{EXPOSED_LOCAL}'>→</FONT> published on loopback only (from the host)",
        ),
        ("sidecar", f"<FONT COLOR='{SIDECAR}'>╺╸╺╸▶</FONT> shares the network stack of"),
        ("stopped", f"<FONT COLOR='{INACTIVE}'>grey box</FONT>: not running, reaches nothing"),
    ]
    shown = ["<B>Legend</B>"] + [text for key, text in rows if key in drawn]
    shown.append("reachability is not transitive")
    return f"  legend [{attrs(shape='plaintext', fontsize='9', label=_boxed(table(shown)))}];"


def _boxed(inner: Html) -> Html:
    return Html(
        "<TABLE BORDER='1' COLOR='#cbd5e1' CELLBORDER='0' CELLPADDING='4'><TR><TD>"
        + str(inner)
        + "</TD></TR></TABLE>"
    )

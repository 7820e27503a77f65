"""Graphviz DOT for what containers share besides the network: the data layer and channels.

Kept apart from `dot.py` and `reach_dot.py`, which call it with their node IDs:
- topology view: volumes (cylinders) and host paths (folders), joined to the containers that
  mount them by a brown line labelled with the mount point, solid read-write and dashed
  read-only; a container equivalent to the host (engine socket, privileged, pid=host, a
  writable bind of `/`) is filled red and joined by a thick red arrow to a `host` octagon;
  unshared anonymous volumes are private and not drawn;
- reachability view: channels drawn in brown (data) or violet (IPC/PID namespaces), dotted
  with diamond heads, one line per pair and kind (two-way without heads); a host-equivalent
  container gets one thick red arrow to its host node rather than one line per container.

Node IDs are synthetic (`d0`, `d1`, … in canonical order) and every engine string is escaped.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.channels import ChannelKind
from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, data_nodes, mounts
from visualizer.renderers.dotlib import Html, attrs, h, table
from visualizer.text import shorten, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.graph import DataNode
    from visualizer.model import Mount

DATA_COLOR = "#92400e"
NAMESPACE_COLOR = "#6d28d9"
HOST_EQUIVALENT = "#b91c1c"
HOST_EQUIVALENT_FILL = "#fee2e2"
CHANNEL_EDGE_LIMIT = 300


def drawn_data(g: nx.Graph[str]) -> list[tuple[str, DataNode]]:
    """The data nodes a diagram shows: all but anonymous volumes only one container mounts."""
    layer = data_layer(g)
    return [(k, d) for k, d in data_nodes(g) if not d.anonymous or len(layer.adj[k]) > 1]


def topology_data(g: nx.Graph[str], ids: dict[str, str], *, legend: bool) -> list[str]:
    """Data nodes, mount edges and host-equivalence marks for the topology view."""
    out: list[str] = []
    shown = drawn_data(g)
    for i, (dkey, node) in enumerate(shown):
        out.append(f"  d{i} [{_data_node(node)}];")
        for ckey in data_layer(g).adj[dkey]:
            if ckey not in ids:
                continue
            out.extend(
                f"  {ids[ckey]} -> d{i} [{_mount_edge(node, m)}];" for m in mounts(g, ckey, dkey)
            )
    marked = _host_equivalent(g, ids)
    out.extend(marked)
    if legend and (shown or marked):
        out.append(_data_legend(data=bool(shown), host=bool(marked)))
    return out


def _mount_edge(node: DataNode, m: Mount) -> str:
    return attrs(
        dir="none",
        color=DATA_COLOR,
        fontcolor=DATA_COLOR,
        style="solid" if m.rw else "dashed",
        penwidth="1.6" if m.rw else "1.2",
        label=shorten(m.destination, 32),
        tooltip=f"{visible(node.label)} at {visible(m.destination)} "
        + ("read-write" if m.rw else "read-only"),
    )


def _data_node(node: DataNode) -> str:
    volume = node.kind == "volume"
    kind = "volume" if volume else "host path"
    if volume and node.driver and node.driver != "local":
        kind += f" ({node.driver})"
    rows = [f"<B>{h(shorten(node.label, 48))}</B>", f"<FONT POINT-SIZE='8'>{h(kind)}</FONT>"]
    return attrs(
        shape="cylinder" if volume else "folder",
        style="filled",
        fillcolor="#fef3c7" if volume else "#fefce8",
        color=DATA_COLOR,
        label=table(rows),
        tooltip=f"{kind} {visible(node.name)}" + (f" on {visible(node.host)}" if node.host else ""),
    )


def _host_equivalent(g: nx.Graph[str], ids: dict[str, str]) -> list[str]:
    """Red fill on host-equivalent containers and a thick arrow to their host's octagon."""
    out: list[str] = []
    hosts: dict[str, str] = {}
    for ckey, cid in ids.items():
        if not ckey.startswith("container:"):
            continue
        c = container_record(g, ckey)
        powers = host_powers(c)
        if not powers:
            continue
        if c.host not in hosts:
            hosts[c.host] = f"hx{len(hosts)}"
            title = f"host {c.host}" if c.host else "the host"
            out.append(
                f"  {hosts[c.host]} ["
                + attrs(
                    shape="octagon",
                    style="filled",
                    fillcolor=HOST_EQUIVALENT_FILL,
                    color=HOST_EQUIVALENT,
                    penwidth="2",
                    label=Html(
                        f"<B>{h(title)}</B><BR/><FONT POINT-SIZE='8'>and every container "
                        "on it</FONT>"
                    ),
                    tooltip=f"{visible(title)}: whoever is equivalent to it controls every "
                    "container",
                )
                + "];"
            )
        out.append(
            f"  {cid} ["
            + attrs(color=HOST_EQUIVALENT, fillcolor=HOST_EQUIVALENT_FILL, penwidth="3")
            + "];"
        )
        out.append(f"  {cid} -> {hosts[c.host]} [{_power_edge(powers)}];")
    return out


def _power_edge(powers: list[str] | tuple[str, ...]) -> str:
    return attrs(
        dir="forward",
        color=HOST_EQUIVALENT,
        fontcolor=HOST_EQUIVALENT,
        penwidth="3",
        arrowhead="normal",
        label="equivalent to the host",
        tooltip="; ".join(visible(p) for p in powers),
    )


def _data_legend(*, data: bool, host: bool) -> str:
    rows = ["<B>Besides the network</B>"]
    if data:
        rows += [
            f"<FONT COLOR='{DATA_COLOR}'>━━━━</FONT> mounted read-write (label: mount point)",
            f"<FONT COLOR='{DATA_COLOR}'>╺╸╺╸╺╸</FONT> mounted read-only",
            "cylinder: volume · folder: host path",
        ]
    if host:
        rows.append(
            f"<FONT COLOR='{HOST_EQUIVALENT}'>━━▶ red box</FONT> equivalent to the host (engine "
            "socket, privileged, pid=host, writable /): power over every container"
        )
    return f"  data_legend [{attrs(shape='plaintext', fontsize='9', label=table(rows))}];"


def reach_channels(
    g: nx.Graph[str],
    analysis: Analysis,
    ids: dict[str, str],
    host_ids: dict[str, str],
    *,
    legend: bool,
) -> list[str]:
    """Channel lines between the shown containers, and host equivalence, for the reach view."""
    channels = analysis.channels
    keys = [k for k in ids if k.startswith("container:")]
    shown = set(keys)
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    flows: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
    out: list[str] = []
    powered = []
    for a in keys:
        if channels.powers(a) and container_record(g, a).is_running:
            powered.append(a)
        for b in channels.targets(a):
            if b not in shown:
                continue
            for ch in channels.between(a, b):
                if ch.kind is ChannelKind.HOST:
                    continue  # one arrow to the host node instead
                family = "ns" if ch.kind in {ChannelKind.IPC, ChannelKind.PID} else "data"
                pair = (min(a, b), max(a, b), family)
                merged[pair].add(f"{ch.kind.value} {ch.resource}")
                flows[pair].add((a, b))
    edges = sorted(merged.items())
    if len(edges) > CHANNEL_EDGE_LIMIT:
        edges = edges[:CHANNEL_EDGE_LIMIT]
        note = (
            f"{len(merged)} channel lines: the first {CHANNEL_EDGE_LIMIT} are drawn "
            "(audit -f json lists every channel)"
        )
        out.append(f"  channels_note [{attrs(shape='note', label=note)}];")
    for pair, what in edges:
        both = len(flows[pair]) > 1
        src, dst = min(flows[pair])
        color = NAMESPACE_COLOR if pair[2] == "ns" else DATA_COLOR
        text = ", ".join(sorted(what))
        out.append(
            f"  {ids[src]} -> {ids[dst]} ["
            + attrs(
                dir="both" if both else "forward",
                arrowhead="diamond",
                arrowtail="diamond" if both else "none",
                style="dotted",
                penwidth="2",
                color=color,
                fontcolor=color,
                label=shorten(text, 40),
                tooltip=visible(text),
            )
            + "];"
        )
    for a in powered:
        host = container_record(g, a).host
        if host in host_ids:
            out.append(
                f"  {ids[a]} ["
                + attrs(color=HOST_EQUIVALENT, fillcolor=HOST_EQUIVALENT_FILL, penwidth="3")
                + "];"
            )
            out.append(f"  {ids[a]} -> {host_ids[host]} [{_power_edge(channels.powers(a))}];")
    if legend and (edges or powered):
        rows = ["<B>Channels besides the network</B>"]
        rows.append(
            f"<FONT COLOR='{DATA_COLOR}'>┈┈◆</FONT> shared volume or host path (◆ at the "
            "reader; both ends: both write)"
        )
        rows.append(f"<FONT COLOR='{NAMESPACE_COLOR}'>┈┈◆</FONT> shared IPC or PID namespace")
        rows.append(
            f"<FONT COLOR='{HOST_EQUIVALENT}'>━━▶ red box</FONT> equivalent to the host: power "
            "over every container on it"
        )
        out.append(
            f"  channel_legend [{attrs(shape='plaintext', fontsize='9', label=table(rows))}];"
        )
    return out

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
from visualizer.renderers.shape import BESIDE_COMMENT
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
        out.append(f"  d{i} [{data_node(node)}];")
        held = [ckey for ckey in data_layer(g).adj[dkey] if ckey in ids]
        for ckey in held:
            out.extend(
                f"  {ids[ckey]} -> d{i} [{_mount_edge(node, m)}];" for m in mounts(g, ckey, dkey)
            )
        out.append(beside(f"d{i}", [ids[k] for k in held]))
    marked = _host_equivalent(g, ids)
    out.extend(marked)
    if legend and (shown or marked):
        out.append(data_legend(data=bool(shown), host=bool(marked)))
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


def data_node(node: DataNode) -> str:
    """A volume (cylinder) or host path (folder) node's attributes."""
    volume = node.kind == "volume"
    kind = "volume" if volume else "host path"
    if volume and node.driver and node.driver != "local":
        kind += f" ({node.driver})"
    rows = [f"<B>{h(shorten(node.label, 48))}</B>", f"<FONT POINT-SIZE='9'>{h(kind)}</FONT>"]
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
            out.append(host_octagon(hosts[c.host], c.host))
            out.append(beside(hosts[c.host], [cid]))
        out.append(f"  {cid} [{HOST_EQUIVALENT_NODE}];")
        out.append(f"  {cid} -> {hosts[c.host]} [{power_edge(powers)}];")
    return out


def beside(node: str, anchors: list[str]) -> str:
    """The packing's hint: draw `node` in the block that holds most of `anchors`."""
    return f"  {BESIDE_COMMENT} {node} {' '.join(anchors)}"


HOST_EQUIVALENT_NODE = attrs(color=HOST_EQUIVALENT, fillcolor=HOST_EQUIVALENT_FILL, penwidth="3")
"""Attributes added to a node that is equivalent to the host (it is stated again with them)."""


def host_octagon(hid: str, host: str) -> str:
    """The node standing for a host and every container on it."""
    title = f"host {shorten(host, 40)}" if host else "the host"
    return (
        f"  {hid} ["
        + attrs(
            shape="octagon",
            style="filled",
            fillcolor=HOST_EQUIVALENT_FILL,
            color=HOST_EQUIVALENT,
            penwidth="2",
            label=Html(
                f"<B>{h(title)}</B><BR/><FONT POINT-SIZE='9'>and every container on it</FONT>"
            ),
            tooltip=f"{visible(title)}: whoever is equivalent to it controls every container",
        )
        + "];"
    )


def power_edge(powers: list[str] | tuple[str, ...], label: str = "equivalent to the host") -> str:
    """A thick red arrow from what is equivalent to the host to the host's node."""
    return attrs(
        dir="forward",
        color=HOST_EQUIVALENT,
        fontcolor=HOST_EQUIVALENT,
        penwidth="3",
        arrowhead="normal",
        label=label,
        tooltip="; ".join(visible(p) for p in powers),
    )


def data_legend(*, data: bool, host: bool) -> str:
    """The legend of the data layer: mounts and data nodes, host equivalence."""
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


def merged_channels(
    g: nx.Graph[str], analysis: Analysis, keys: list[str]
) -> tuple[list[tuple[tuple[str, str, str], set[str], set[tuple[str, str]]]], list[str]]:
    """Channels among `keys`, one entry per pair and family, and the running host-equivalent.

    Each entry: (lower key, higher key, `data` or `ns`), what flows (`volume scratch`), and
    the directions (source, target) it flows in.
    """
    channels = analysis.channels
    shown = set(keys)
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    flows: dict[tuple[str, str, str], set[tuple[str, str]]] = defaultdict(set)
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
    return [(pair, what, flows[pair]) for pair, what in sorted(merged.items())], powered


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
    out: list[str] = []
    edges, powered = merged_channels(g, analysis, [k for k in ids if k.startswith("container:")])
    total = len(edges)
    if total > CHANNEL_EDGE_LIMIT:
        edges = edges[:CHANNEL_EDGE_LIMIT]
        note = (
            f"{total} channel lines: the first {CHANNEL_EDGE_LIMIT} are drawn "
            "(audit -f json lists every channel)"
        )
        out.append(f"  channels_note [{attrs(shape='note', label=note)}];")
    for (_, _, family), what, flows in edges:
        src, dst = min(flows)
        style = channel_edge(family, ", ".join(sorted(what)), both=len(flows) > 1)
        out.append(f"  {ids[src]} -> {ids[dst]} [{style}];")
    for a in powered:
        host = container_record(g, a).host
        if host in host_ids:
            out.append(f"  {ids[a]} [{HOST_EQUIVALENT_NODE}];")
            out.append(f"  {ids[a]} -> {host_ids[host]} [{power_edge(channels.powers(a))}];")
    if legend and (edges or powered):
        out.append(channel_legend())
    return out


def channel_edge(family: str, text: str, *, both: bool) -> str:
    """A channel line: dotted, brown for data and violet for namespaces, ◆ at the reader."""
    color = NAMESPACE_COLOR if family == "ns" else DATA_COLOR
    return attrs(
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


def channel_legend() -> str:
    """The legend of the channels in a reachability view."""
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
    return f"  channel_legend [{attrs(shape='plaintext', fontsize='9', label=table(rows))}];"

"""Graphviz DOT for the data layer of a collapsed graph (`analysis/group_data.py`).

The language of the container level (`dot_data.py`), counted per group:
- topology view: a volume or host path that two or more groups mount is drawn as at the
  container level, joined to each group by a brown line labelled with the mount point, how
  many members mount it and whether read-only; what one group keeps to itself is a row of its
  node (`group_text.data_rows`);
- reachability view: a dotted channel line between two groups when members of one can affect
  members of the other besides the network, labelled with how;
- both: a group with members equivalent to the host is filled red and joined by a thick red
  arrow to its host's octagon (`1 of 3` when not all are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.renderers import group_text
from visualizer.renderers.dot_data import (
    DATA_COLOR,
    HOST_EQUIVALENT,
    HOST_EQUIVALENT_NODE,
    beside,
    channel_edge,
    channel_legend,
    data_node,
    host_octagon,
    power_edge,
)
from visualizer.renderers.dotlib import attrs
from visualizer.text import shorten, visible

if TYPE_CHECKING:
    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.group_data import GroupData


DATA_NOTES = (
    (
        "data:rw",
        (
            f"<FONT COLOR='{DATA_COLOR}'>━━━━</FONT> mounted read-write (label: mount point; "
            "how many members when not all)"
        ),
    ),
    ("data:ro", f"<FONT COLOR='{DATA_COLOR}'>╺╸╺╸╺╸</FONT> mounted read-only"),
    ("data:node", "cylinder: volume · folder: host path (those several nodes mount)"),
    (
        "data:host",
        (
            f"<FONT COLOR='{HOST_EQUIVALENT}'>━━▶ red box</FONT> members equivalent to the host "
            "(engine socket, privileged, pid=host, writable /)"
        ),
    ),
)
"""Legend rows of the data layer at a collapsed level (shown when their key is drawn)."""


def group_topology_data(agg: Aggregate, found: GroupData, drawn: set[str]) -> list[str]:
    """Shared data nodes, group–data lines and host equivalence for the topology view.

    Adds the legend keys it uses to `drawn` (`DATA_NOTES`).
    """
    size = {grp.id: grp.size for grp in agg.groups}
    out: list[str] = []
    ids = {}
    for i, (dkey, node) in enumerate(found.shared):
        ids[dkey] = f"d{i}"
        out.append(f"  d{i} [{data_node(node)}];")
    names = dict(found.shared)
    for m in found.mounts:
        text = group_text.mount_text(m, size[m.group])
        style = attrs(
            dir="none",
            color=DATA_COLOR,
            fontcolor=DATA_COLOR,
            style="solid" if m.writers else "dashed",
            penwidth="1.6" if m.writers else "1.2",
            label=shorten(text, 48),
            tooltip=f"{visible(names[m.data].label)}: {visible(text)}",
        )
        out.append(f"  {m.group} -> {ids[m.data]} [{style}];")
        drawn.add("data:rw" if m.writers else "data:ro")
    held: dict[str, list[str]] = {}
    for m in found.mounts:
        held.setdefault(m.data, []).append(m.group)
    out.extend(beside(did, held.get(dkey, [])) for dkey, did in ids.items())
    if found.shared:
        drawn.add("data:node")
    if _powered(agg, found, out, reach_hosts=None):
        drawn.add("data:host")
    return out


def group_reach_data(
    agg: Aggregate, found: GroupData, host_ids: dict[str, str], *, legend: bool
) -> list[str]:
    """Channel lines between groups and host equivalence for the reachability view."""
    out: list[str] = []
    lines = found.channel_lines()
    for src, dst, family, text, both in lines:
        out.append(f"  {src} -> {dst} [{channel_edge(family, text, both=both)}];")
    powered = _powered(agg, found, out, reach_hosts=host_ids)
    if legend and (lines or powered):
        out.append(channel_legend())
    return out


def _powered(
    agg: Aggregate, found: GroupData, out: list[str], *, reach_hosts: dict[str, str] | None
) -> bool:
    """Mark host-equivalent groups (in the reach view: those with a running one)."""
    hosts: dict[str, str] = dict(reach_hosts or {})
    marked = False
    for grp in agg.groups:
        power = found.host_equivalent.get(grp.id)
        if power is None or (reach_hosts is not None and not power.running):
            continue
        count = power.running if reach_hosts is not None else power.members
        label = "equivalent to the host" + group_text.of(count, grp.size)
        out.append(f"  {grp.id} [{HOST_EQUIVALENT_NODE}];")
        for host in grp.hosts:  # each member is its own host's equal
            if host not in hosts:
                hosts[host] = f"hx{len(hosts)}"
                out.append(host_octagon(hosts[host], host))
                out.append(beside(hosts[host], [grp.id]))
            out.append(f"  {grp.id} -> {hosts[host]} [{power_edge(power.powers, label)}];")
        marked = True
    return marked

"""What the interactive page shows besides the network: volumes, host paths, mounts, channels.

Kept apart from `html_levels.py`, which puts these keys in the page data and the data nodes
in each level's map; the page's `data.js` draws them (data nodes, mount lines solid
read-write / dashed read-only, a red border on host-equivalent containers and groups,
channel lines in the reachability view) and lists mounts and channels in the side panel.

- page keys: `data` (the volumes and host paths drawn at the container level, `d0`, `d1`, …),
  `mounts` (container, data node, mount point, read-write), `host_equivalent`, and `channels`
  in the channels' linear form (what is shared, its writers and mounters; namespaces and their
  members; volumes-from), which the page expands for the container clicked or per drawn
  node: a volume shared by 3,000 replicas is one entry, not nine million pairs;
- per level: which data nodes it draws, joined to which of its nodes (`links`, for the
  layout), its mount lines and its host-equivalent groups (`group_data.py` counts them).
With `--no-data` every list is empty and the page says the layer is hidden.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, mounts
from visualizer.renderers import group_text
from visualizer.renderers.dot_data import drawn_data

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.group_data import GroupData


def data_ids(g: nx.Graph[str]) -> dict[str, str]:
    """Data key → the page's ID (`d0`, …) of every volume and host path drawn."""
    return {k: f"d{i}" for i, (k, _) in enumerate(drawn_data(g))}


def data_page(
    g: nx.Graph[str], analysis: Analysis, ids: dict[str, str], *, shown: bool
) -> dict[str, Any]:
    """The page's `data`, `mounts`, `host_equivalent` and `channels` keys (`ids`: containers)."""
    if not shown:
        return {
            "data": [],
            "mounts": [],
            "host_equivalent": [],
            "channels": {"data": [], "ns": [], "volumes_from": []},
            "data_shown": False,
        }
    dids = data_ids(g)
    ctrs = list(ids)
    return {
        "data": [
            {"id": dids[k], "kind": d.kind, "name": d.label, "host": d.host, "driver": d.driver}
            for k, d in drawn_data(g)
        ],
        "mounts": container_mounts(g, ids, dids),
        "host_equivalent": [
            {"id": ids[k], "powers": powers}
            for k in ctrs
            if (powers := host_powers(container_record(g, k)))
        ],
        "channels": _linear(analysis, ctrs),
        "data_shown": True,
    }


def _linear(analysis: Analysis, ctrs: list[str]) -> dict[str, list[list[Any]]]:
    """The channels among the shown containers (`ctrs`, by index) in their linear form."""
    channels = analysis.channels
    index = {k: i for i, k in enumerate(ctrs)}
    by_label = {channels.label(k): i for k, i in index.items()}
    data = []
    for share in channels.data_sharing():
        writers = [index[k] for k in share.writers if k in index]
        mounters = [index[k] for k in share.mounters if k in index]
        if writers and len(mounters) > 1:
            data.append([share.what, writers, mounters])
    grouped = channels.grouped()
    spaces = []
    for ns in grouped.namespaces:
        members = [by_label[m] for m in ns.members if m in by_label]
        if len(members) > 1:
            spaces.append([ns.kind.value, ns.owner, members])
    inherited = [
        [by_label[src], by_label[dst], 1 if ro else 0]
        for src, dst, ro in grouped.volumes_from
        if src in by_label and dst in by_label
    ]
    return {"data": data, "ns": spaces, "volumes_from": inherited}


def container_mounts(
    g: nx.Graph[str], ids: dict[str, str], dids: dict[str, str]
) -> list[list[Any]]:
    """(container, data node, mount point, 1 read-write / 0 read-only) of the drawn data."""
    layer = data_layer(g)
    return [
        [ids[ckey], did, m.destination, 1 if m.rw else 0]
        for dkey, did in dids.items()
        for ckey in layer.adj[dkey]
        if ckey in ids
        for m in mounts(g, ckey, dkey)
    ]


def links_of(rows: list[list[Any]]) -> dict[str, tuple[str, ...]]:
    """Data node → the nodes its mount lines join (what the layout keeps it near)."""
    found: dict[str, list[str]] = defaultdict(list)
    for node, did, *_ in rows:
        if node not in found[did]:
            found[did].append(node)
    return {did: tuple(nodes) for did, nodes in found.items()}


def group_level(
    agg: Aggregate, data: GroupData, dids: dict[str, str], gid: Callable[[str], str]
) -> tuple[list[list[Any]], list[list[str]]]:
    """A collapsed level's mount lines and host-equivalent groups.

    Mount lines: (group, data node, text, 1 read-write); groups: (group, text).
    """
    size = {grp.id: grp.size for grp in agg.groups}
    rows: list[list[Any]] = [
        [gid(m.group), dids[m.data], group_text.mount_text(m, size[m.group]), 1 if m.writers else 0]
        for m in data.mounts
        if m.data in dids
    ]
    powered = [
        [gid(grp.id), group_text.power_text(power, grp.size)]
        for grp in agg.groups
        if (power := data.host_equivalent.get(grp.id)) is not None
    ]
    return rows, powered

"""What the interactive page shows besides the network: volumes, host paths, mounts, channels.

Kept apart from `html_levels.py`, which puts these keys in the page data and the data nodes
in each level's map; the page's `data.js` draws them (data nodes, mount lines solid
read-write / dashed read-only, a red border on host-equivalent containers and groups,
channel lines in the reachability view) and lists mounts and channels in the side panel.

- page keys: `data` (the volumes and host paths drawn at the container level, `d0`, `d1`, …),
  `mounts` (container, data node, mount point, read-write), `host_equivalent`, `channels`
  (one row per channel between two containers, expanded up to `CHANNEL_LIMIT`);
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

CHANNEL_LIMIT = 200_000
"""Channels embedded for the side panel and the reachability view; beyond, the page says so."""


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
            "channels": [],
            "channels_complete": True,
            "data_shown": False,
        }
    dids = data_ids(g)
    ctrs = list(ids)
    index = {k: i for i, k in enumerate(ctrs)}
    rows: list[list[Any]] = []
    complete = True
    channels = analysis.channels
    pairs = ((x, y) for x in ctrs for y in channels.targets(x) if y in index)
    for a, b in pairs:
        if len(rows) >= CHANNEL_LIMIT:
            complete = False
            break
        rows += [
            [index[a], index[b], ch.kind.value, ch.resource, ch.direction]
            for ch in channels.between(a, b)
        ]
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
        "channels": rows,
        "channels_complete": complete,
        "data_shown": True,
    }


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

"""What the interactive page shows besides the network: volumes, host paths, mounts, channels.

Kept apart from `html.py`, which merges these keys into the page data; the page's
`data.js` draws them (data nodes, mount edges solid read-write / dashed read-only, a red
border on host-equivalent containers) and lists mounts and channels in the side panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, mounts
from visualizer.renderers.dot_data import drawn_data

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis

CHANNEL_LIMIT = 200_000
"""Channels embedded for the side panel; beyond, the page says it is incomplete."""


def data_page(g: nx.Graph[str], analysis: Analysis, ids: dict[str, str]) -> dict[str, Any]:
    """The page's `data`, `mounts`, `host_equivalent` and `channels` keys."""
    shown = drawn_data(g)
    dids = {k: f"d{i}" for i, (k, _) in enumerate(shown)}
    layer = data_layer(g)
    mount_rows = [
        [ids[ckey], dids[dkey], m.destination, 1 if m.rw else 0]
        for dkey, _ in shown
        for ckey in layer.adj[dkey]
        if ckey in ids
        for m in mounts(g, ckey, dkey)
    ]
    ctrs = [k for k in ids if k.startswith("container:")]
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
            for k, d in shown
        ],
        "mounts": mount_rows,
        "host_equivalent": [
            {"id": ids[k], "powers": powers}
            for k in ctrs
            if (powers := host_powers(container_record(g, k)))
        ],
        "channels": rows,
        "channels_complete": complete,
    }

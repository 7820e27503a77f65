"""The data layer in the graph JSON (`render -f json`): a second node-link graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, containers, data_layer, data_nodes, mounts

if TYPE_CHECKING:
    import networkx as nx


def data_layer_json(g: nx.Graph[str]) -> dict[str, Any]:
    """`data_layer`: mounting containers, volumes and host paths, mounts, host equivalence."""
    layer = data_layer(g)
    mounting = [
        {"id": key, "kind": "container", "bipartite": 1, "name": c.name}
        for key, c in containers(g)
        if key in layer and layer.adj[key]
    ]
    return {
        "nodes": mounting
        + [
            {
                "id": key,
                "kind": node.kind,
                "bipartite": 0,
                "name": node.name,
                "host": node.host or None,
                "driver": node.driver or None,
                "anonymous": node.anonymous,
            }
            for key, node in data_nodes(g)
        ],
        "links": [
            {
                "source": ckey,
                "target": dkey,
                "type": m.type,
                "destination": m.destination,
                "rw": m.rw,
                "propagation": m.propagation or None,
            }
            for dkey, _ in data_nodes(g)
            for ckey in layer.adj[dkey]
            for m in mounts(g, ckey, dkey)
        ],
        "host_equivalent": [
            {"container": key, "powers": powers}
            for key, _ in containers(g)
            if (powers := host_powers(container_record(g, key)))
        ],
    }

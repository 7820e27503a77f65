"""`-f json`: the bipartite graph as node-link JSON (schema `netviz-graph`, version 1).

Readable by `networkx.node_link_graph(data, edges="links")` and by any tool: nodes sorted
by kind then name, links by network then container; real Docker IDs as node IDs
(`network:<id>`, `container:<id>`), since other tools join on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.analysis.peering import peering
from visualizer.graph import (
    containers,
    endpoint,
    engine_of,
    labels,
    netns_of,
    networks,
    shared_from,
    snapshot_of,
    tasks_by_service,
)
from visualizer.renderers.data_json import data_layer_json
from visualizer.text import json_text
from visualizer.version import __version__

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.model import Port, Service

GRAPH_SCHEMA = "netviz-graph"
GRAPH_SCHEMA_VERSION = 1


def render_graph_json(g: nx.Graph[str], analysis: Analysis | None = None) -> str:
    """The graph (or a filtered view) as node-link JSON text."""
    snapshot = snapshot_of(g)
    engine = snapshot.engine
    marks = analysis.marks() if analysis is not None else {}
    names = labels(g)
    tasks = tasks_by_service(containers(g))
    nodes: list[dict[str, Any]] = []
    for key, net in networks(g):
        nodes.append(
            {
                "id": key,
                "kind": "network",
                "bipartite": 0,
                "name": net.name,
                "driver": net.driver,
                "scope": net.scope,
                "host": net.host or None,
                "internal": net.internal,
                "attachable": net.attachable,
                "ingress": net.ingress,
                "ipv6": net.ipv6,
                "icc": net.icc,
                "policy": peering(net, engine_of(g, net.host)).value,
                "subnets": [{"cidr": s.cidr, "gateway": s.gateway} for s in net.subnets],
                "compose_project": net.compose_project,
                "labels": dict(net.labels),
                "options": dict(net.options),
                "findings": sorted({f.id for f in marks.get(("network", names[net.id]), [])}),
            }
        )
    for key, c in containers(g):
        nodes.append(
            {
                "id": key,
                "kind": "container",
                "bipartite": 1,
                "name": c.name,
                "image": c.image,
                "state": c.state,
                "running": c.is_running,
                "host": c.host or None,
                "network_mode": c.network_mode,
                "netns_of": netns_of(g, key),
                "compose_project": c.compose_project,
                "compose_service": c.compose_service,
                "labels": dict(c.labels),
                "ports": [_port(p) for p in c.ports],
                "links": [{"target": lk.target, "alias": lk.alias} for lk in c.links],
                "findings": sorted({f.id for f in marks.get(("container", names[c.id]), [])}),
            }
        )
    links: list[dict[str, Any]] = []
    for nkey, _ in networks(g):
        for ckey in g.adj[nkey]:
            ep = endpoint(g, nkey, ckey)
            links.append(
                {
                    "source": nkey,
                    "target": ckey,
                    "ipv4": ep.ipv4,
                    "ipv6": ep.ipv6,
                    "mac": ep.mac,
                    "gateway": ep.gateway,
                    "aliases": list(ep.aliases) if ep.aliases is not None else None,
                    "shared_from": shared_from(g, nkey, ckey),
                }
            )
    body = {
        "schema": GRAPH_SCHEMA,
        "schema_version": GRAPH_SCHEMA_VERSION,
        "generator": f"netviz {__version__}",
        "directed": False,
        "multigraph": False,
        "graph": {
            "engine": engine.name if engine is not None else None,
            "server_version": engine.server_version if engine is not None else None,
            "api_version": engine.api_version if engine is not None else None,
            "hosts": [
                {
                    "name": h.name,
                    "source": h.source,
                    "server_version": h.engine.server_version or None,
                    "error": h.error,
                }
                for h in getattr(snapshot, "hosts", ())
            ],
            "services": [
                _service(s, tasks.get(s.id, [])) for s in getattr(snapshot, "services", ())
            ],
        },
        "nodes": nodes,
        "links": links,
        "data_layer": data_layer_json(g),
    }
    return json_text(body) + "\n"


def _port(p: Port) -> dict[str, Any]:
    return {
        "container_port": p.container_port,
        "protocol": p.protocol,
        "host_ip": p.host_ip,
        "host_port": p.host_port,
    }


def _service(s: Service, tasks: list[str]) -> dict[str, Any]:
    return {
        "id": f"service:{s.id}",
        "name": s.name,
        "mode": s.mode,
        "replicas": s.replicas,
        "endpoint_mode": s.endpoint_mode,
        "ports": [
            {"published": p.published, "target": p.target, "protocol": p.protocol, "mode": p.mode}
            for p in s.ports
        ],
        "tasks": tasks,
    }

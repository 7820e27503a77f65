"""Snapshot → networkx bipartite graph, and the filtered views the renderers draw.

Nodes: `network:<id>` (`bipartite=0`, `record=Network`) and `container:<id>` (`bipartite=1`,
`record=Container`). One edge per endpoint, carrying `endpoint` (the `Endpoint` record).
`host` and `none` containers hang off the `host` / `none` networks like any endpoint.
A `container:` sidecar has no endpoints of its own: it gets the node attributes `netns_of`
(the key of the container it names) and `netns_owner` (the container that really owns the
stack, following chains), and one edge per endpoint of the owner, marked
`shared_from=<owner key>`, so the graph stays bipartite and the sidecar sits exactly where its
traffic does.

The data layer is a second bipartite graph over the same container keys, held in
`graph.graph["data"]` so the container–network graph stays as it is: data nodes
`data:volume:<host>:<name>` and `data:path:<host>:<path>` (`bipartite=0`, `record=DataNode`)
joined to containers by one mount edge each, carrying the container's `mounts` of that
resource (read-write or read-only). tmpfs mounts are private and have no data node.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable

    import networkx as nx

    from visualizer.model import Container, Endpoint, Engine, Mount, Network, Snapshot

K = TypeVar("K")

NETWORK, CONTAINER = 0, 1
DATA = 0
"""`bipartite` of a data node in the data layer (containers are `CONTAINER` there too)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNode:
    """A named volume or a host path that containers mount."""

    kind: str
    """`volume` or `path` (a bind mount's or named pipe's host path)."""
    name: str
    """The volume's name, or the canonical host path."""
    host: str = ""
    """The engine whose volume or host path it is, when a snapshot spans several."""
    driver: str = ""
    """The volume driver (`local`, a plugin); empty for a path."""
    anonymous: bool = False
    """A volume the engine created for one container (`-v /path`), named by 64 hex digits."""

    @property
    def label(self) -> str:
        """As diagrams write it: the volume name (short for an anonymous one), or the path."""
        return f"anonymous {self.name[:12]}" if self.anonymous else self.name


def network_key(network_id: str) -> str:
    """Graph key of a network node."""
    return f"network:{network_id}"


def container_key(container_id: str) -> str:
    """Graph key of a container node."""
    return f"container:{container_id}"


# ---- typed access to what the graph carries ------------------------------------------------


def snapshot_of(g: nx.Graph[str]) -> Snapshot:
    """The snapshot the graph was built from (also for a filtered view of it)."""
    snapshot: Snapshot = g.graph["snapshot"]
    return snapshot


def engine_of(g: nx.Graph[str], host: str = "") -> Engine:
    """The engine a network or container (by its `host`) lives on; decides version rules."""
    return snapshot_of(g).engine_of(host)


def warnings_of(g: nx.Graph[str]) -> tuple[str, ...]:
    """What building the graph found wrong (e.g. a sidecar whose stack owner is missing)."""
    found: tuple[str, ...] = g.graph["warnings"]
    return found


def is_container(g: nx.Graph[str], key: str) -> bool:
    """Whether a node is a container (else a network)."""
    return bool(g.nodes[key]["bipartite"] == CONTAINER)


def container_record(g: nx.Graph[str], key: str) -> Container:
    """The record of a container node."""
    record: Container = g.nodes[key]["record"]
    return record


def network_record(g: nx.Graph[str], key: str) -> Network:
    """The record of a network node."""
    record: Network = g.nodes[key]["record"]
    return record


def endpoint(g: nx.Graph[str], nkey: str, ckey: str) -> Endpoint:
    """The endpoint an edge stands for (a sidecar's edges carry its stack owner's)."""
    found: Endpoint = g.adj[nkey][ckey]["endpoint"]
    return found


def shared_from(g: nx.Graph[str], nkey: str, ckey: str) -> str | None:
    """On a sidecar's edge, the key of the container that owns the stack; else `None`."""
    owner: str | None = g.adj[nkey][ckey]["shared_from"]
    return owner


def netns_of(g: nx.Graph[str], ckey: str) -> str | None:
    """The container a `container:` sidecar names (its key), if it is in the graph."""
    found: str | None = g.nodes[ckey].get("netns_of")
    return found


def netns_owner(g: nx.Graph[str], ckey: str) -> str | None:
    """The container that really owns a sidecar's stack, following chains."""
    found: str | None = g.nodes[ckey].get("netns_owner")
    return found


def netns_missing(g: nx.Graph[str], ckey: str) -> str | None:
    """The ID a sidecar names when that container is not in the snapshot."""
    found: str | None = g.nodes[ckey].get("netns_missing")
    return found


def data_layer(g: nx.Graph[str]) -> nx.Graph[str]:
    """The data layer: containers and the volumes and host paths they mount."""
    layer: nx.Graph[str] = g.graph["data"]
    return layer


def data_nodes(g: nx.Graph[str]) -> list[tuple[str, DataNode]]:
    """Volumes and host paths mounted by the graph's containers, in canonical order."""
    return [(k, d["record"]) for k, d in data_layer(g).nodes(data=True) if d["bipartite"] == DATA]


def data_record(g: nx.Graph[str], dkey: str) -> DataNode:
    """The record of a data node."""
    record: DataNode = data_layer(g).nodes[dkey]["record"]
    return record


def mounts(g: nx.Graph[str], ckey: str, dkey: str) -> tuple[Mount, ...]:
    """The mounts a container has of one volume or host path (usually one)."""
    found: tuple[Mount, ...] = data_layer(g).adj[dkey][ckey]["mounts"]
    return found


def mounted(g: nx.Graph[str], ckey: str) -> list[str]:
    """The data nodes a container mounts, in the order of its mounts' destinations."""
    layer = data_layer(g)
    return list(layer.adj[ckey]) if ckey in layer else []


def writable(g: nx.Graph[str], ckey: str, dkey: str) -> bool:
    """Whether a container may write to a volume or host path (a read-write mount of it)."""
    return any(m.rw for m in mounts(g, ckey, dkey))


def data_key(kind: str, host: str, name: str) -> str:
    """Graph key of a data node."""
    return f"data:{kind}:{host}:{name}"


def labels(g: nx.Graph[str]) -> dict[str, str]:
    """Network and container ID → its name in reports: `host/name` where hosts share the name."""
    from visualizer.model import qualified_names  # noqa: PLC0415

    snapshot = snapshot_of(g)
    return qualified_names(snapshot.networks) | qualified_names(snapshot.containers)


def build_graph(snapshot: Snapshot) -> nx.Graph[str]:
    """Build the bipartite graph of a snapshot; warnings go to `graph.graph["warnings"]`."""
    import networkx as nx  # noqa: PLC0415 - keep `netviz --help` free of networkx

    g: nx.Graph[str] = nx.Graph(snapshot=snapshot)
    warnings: list[str] = []
    for net in snapshot.networks:
        g.add_node(network_key(net.id), bipartite=NETWORK, kind="network", record=net)
    by_id = {c.id: c for c in snapshot.containers}
    by_name = {c.name: c for c in snapshot.containers}
    for c in snapshot.containers:
        g.add_node(container_key(c.id), bipartite=CONTAINER, kind="container", record=c)
    for c in snapshot.containers:
        ckey = container_key(c.id)
        for ep in c.endpoints:
            nkey = network_key(ep.network_id)
            if nkey in g:
                g.add_edge(nkey, ckey, endpoint=ep, shared_from=None)
        if c.netns_target is None:
            continue
        owner = _netns_owner(c, by_id, by_name)
        if owner is None:
            warnings.append(
                f"container {c.name!r} shares the network stack of {c.netns_target[:12]}, "
                "which is not in the snapshot"
            )
            g.nodes[ckey]["netns_missing"] = c.netns_target
            continue
        okey = container_key(owner.id)
        direct = _resolve_ref(c.netns_target, by_id, by_name)
        g.nodes[ckey]["netns_of"] = container_key(direct.id) if direct else okey
        g.nodes[ckey]["netns_owner"] = okey
        for ep in owner.endpoints:
            nkey = network_key(ep.network_id)
            if nkey in g:
                g.add_edge(nkey, ckey, endpoint=ep, shared_from=okey)
    g.graph["warnings"] = tuple(warnings)
    g.graph["data"] = _data_layer(snapshot, nx.Graph())
    return g


def _data_layer(snapshot: Snapshot, layer: nx.Graph[str]) -> nx.Graph[str]:
    """Containers and the volumes and host paths they mount, nodes in canonical order."""
    found: dict[str, DataNode] = {}
    held: dict[tuple[str, str], list[Mount]] = defaultdict(list)
    for c in snapshot.containers:
        for m in c.mounts:
            if not m.is_data:
                continue
            if m.type == "volume":
                node = DataNode(
                    kind="volume", name=m.name, host=c.host, driver=m.driver, anonymous=m.anonymous
                )
            else:
                node = DataNode(kind="path", name=m.host_path, host=c.host)
            dkey = data_key(node.kind, node.host, node.name)
            found.setdefault(dkey, node)
            held[(dkey, container_key(c.id))].append(m)
    for c in snapshot.containers:
        layer.add_node(container_key(c.id), bipartite=CONTAINER, kind="container", record=c)
    for dkey, node in sorted(found.items(), key=lambda kv: (kv[1].kind, kv[1].name, kv[1].host)):
        layer.add_node(dkey, bipartite=DATA, kind=node.kind, record=node)
    for (dkey, ckey), held_mounts in held.items():
        layer.add_edge(dkey, ckey, mounts=tuple(held_mounts))
    return layer


def _netns_owner(
    c: Container, by_id: dict[str, Container], by_name: dict[str, Container]
) -> Container | None:
    """Follow `container:` references to the container that owns the network stack."""
    seen = {c.id}
    current = c
    while (ref := current.netns_target) is not None:
        nxt = _resolve_ref(ref, by_id, by_name)
        if nxt is None or nxt.id in seen:
            return None
        seen.add(nxt.id)
        current = nxt
    return current


def _resolve_ref(
    ref: str, by_id: dict[str, Container], by_name: dict[str, Container]
) -> Container | None:
    """Find a `container:<ref>` target by full ID (what the engine stores), name or ID prefix."""
    if ref in by_id:
        return by_id[ref]
    if ref in by_name:
        return by_name[ref]
    matches = [c for cid, c in by_id.items() if len(ref) >= 12 and cid.startswith(ref)]  # noqa: PLR2004
    return matches[0] if len(matches) == 1 else None


def networks(g: nx.Graph[str]) -> list[tuple[str, Network]]:
    """Network nodes with their records, in the snapshot's order (name, host, ID)."""
    return [(k, d["record"]) for k, d in g.nodes(data=True) if d["bipartite"] == NETWORK]


def containers(g: nx.Graph[str]) -> list[tuple[str, Container]]:
    """Container nodes with their records, in the snapshot's order (name, host, ID)."""
    return [(k, d["record"]) for k, d in g.nodes(data=True) if d["bipartite"] == CONTAINER]


def tasks_by_service(items: Iterable[tuple[K, Container]]) -> dict[str, list[K]]:
    """Swarm service ID → what stands for each of its task containers, in the order given."""
    found: dict[str, list[K]] = defaultdict(list)
    for item, c in items:
        if c.swarm_service:
            found[c.swarm_service].append(item)
    return found

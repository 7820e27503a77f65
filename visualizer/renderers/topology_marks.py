"""What a container-level topology drawing uses: its legend's keys, and its packing blocks."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.peering import peering
from visualizer.graph import (
    container_record,
    endpoint,
    engine_of,
    netns_of,
    shared_from,
    snapshot_of,
)
from visualizer.renderers.dot_style import driver_mark, line_mark, port_marks
from visualizer.renderers.shape import BLOCK_COMMENT

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

    from visualizer.analysis.findings import Finding
    from visualizer.model import Container, Network


def drawn_marks(
    g: nx.Graph[str],
    nets: list[tuple[str, Network]],
    ctrs: list[tuple[str, Container]],
    *,
    ids: dict[str, str],
    marks: Mapping[tuple[str, str], list[Finding]],
    names: dict[str, str],
) -> set[str]:
    """The legend keys of the marks this drawing uses (the legend lists only those)."""
    drawn = {driver_mark(net.driver) for _, net in nets}
    if any(net.internal for _, net in nets):
        drawn.add("internal")
    for nkey, net in nets:
        policy = peering(net, engine_of(g, net.host))
        for ckey in g.adj[nkey]:
            if shared_from(g, nkey, ckey) is None:
                drawn.add(line_mark(policy, running=container_record(g, ckey).is_running))
    for key, c in ctrs:
        if not c.is_running:
            drawn.add("stopped")
        if netns_of(g, key) in ids:
            drawn.add("sidecar")
        for p in c.ports:
            if p.host_port is not None:
                drawn |= port_marks([p.host_ip or "0.0.0.0"])  # noqa: S104
    services = {svc.id for svc in snapshot_of(g).services}
    if any(c.swarm_service in services for _, c in ctrs):
        drawn.add("swarm-service")
    kinds = {("network", names[n.id]) for _, n in nets} | {
        ("container", names[c.id]) for _, c in ctrs
    }
    if any(marks.get(k) for k in kinds):
        drawn.add("findings")
    return drawn


def block_hints(
    g: nx.Graph[str], ctrs: list[tuple[str, Container]], ids: dict[str, str]
) -> list[str]:
    """`// netviz-block:` comments: a container outside a project is packed with its network.

    Its network is the one its network mode names (the default bridge for `default`), else
    its first; a sidecar goes with the container whose stack it shares (`shape.py` reads them).
    """
    primary: dict[str, str] = {}
    for key, c in ctrs:
        if c.compose_project:
            continue
        nets = [n for n in g.adj[key] if shared_from(g, n, key) is None]
        mode = "bridge" if c.network_mode == "default" else c.network_mode
        named = [n for n in nets if endpoint(g, n, key).network_name == mode]
        if named or nets:
            primary[key] = (named or nets)[0]
    for key, _ in ctrs:
        owner = netns_of(g, key)
        if key not in primary and owner is not None and owner in primary:
            primary[key] = primary[owner]
    members: dict[str, list[str]] = defaultdict(list)
    for key, net in primary.items():
        members[net].append(ids[key])
    return [f"  {BLOCK_COMMENT} {ids[net]} {' '.join(found)}" for net, found in members.items()]

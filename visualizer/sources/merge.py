"""Several engines in one snapshot, with a host dimension.

Local networks of different engines stay different networks (the same name and subnet on two
hosts are two networks: their IDs differ); a swarm-scoped network seen from several nodes is
one network (its ID is the same everywhere). A container a manager knows only as a task on
another node is replaced by the real container when that node was captured too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.model import Container, Engine, Host, Network, Service, Snapshot, SwarmNode

if TYPE_CHECKING:
    from collections.abc import Sequence


def merge(captures: Sequence[tuple[str, Snapshot | None, str | None]]) -> Snapshot:
    """Merge `(source label, snapshot or None, error or None)` into one snapshot.

    The result does not depend on the order of `captures`: they are taken in the order of
    their engines' names and IDs (the first is the snapshot's own engine).
    """
    captures = sorted(
        captures,
        key=lambda c: (
            c[1] is None,
            c[1].engine.name if c[1] else "",
            c[1].engine.id if c[1] else "",
            c[0],
        ),
    )
    hosts: list[Host] = []
    names: dict[str, int] = {}
    seen: dict[str, str] = {}
    parts: list[tuple[str, Snapshot]] = []
    warnings: list[str] = []
    for source, snap, error in captures:
        if snap is None:
            hosts.append(Host(name=source, engine=Engine(), source=source, error=error))
            continue
        if snap.engine.id and snap.engine.id in seen:  # two contexts naming one engine
            warnings.append(f"{source}: the same engine as {seen[snap.engine.id]}, counted once")
            continue
        seen[snap.engine.id] = source
        base = snap.engine.name or source
        names[base] = names.get(base, 0) + 1
        name = base if names[base] == 1 else f"{base}#{names[base]}"
        parts.append((name, snap))
        hosts.append(Host(name=name, engine=snap.engine, source=source))
    if not parts:
        msg = "no engine could be captured"
        raise ValueError(msg)
    networks: dict[str, Network] = {}
    containers: dict[str, Container] = {}
    nodes: dict[str, SwarmNode] = {}  # by ID: two managers of one swarm list the same
    services: dict[str, Service] = {}
    for name, snap in parts:
        for n in snap.networks:
            if n.scope == "local":
                networks[n.id] = replace(n, host=n.host or name)
            elif n.id not in networks:
                networks[n.id] = replace(n, host="")
        for c in snap.containers:
            own = c.host in {"", name}  # not a task a manager saw on another node
            if c.id not in containers or own:  # a task's container: the node's own view wins
                containers[c.id] = replace(c, host=c.host or name)
        warnings += [f"{name}: {w}" for w in snap.warnings]
        nodes |= {n.id: n for n in snap.nodes if n.id not in nodes}
        services |= {s.id: s for s in snap.services if s.id not in services}
    warnings += [f"{h.name}: could not be captured: {h.error}" for h in hosts if h.error]
    known = {h.name for h in hosts}
    for _, snap in parts:
        for h in snap.hosts:  # swarm nodes known only from a manager
            if h.name not in known:
                known.add(h.name)
                hosts.append(h)
    return replace(
        parts[0][1],
        networks=tuple(networks.values()),
        containers=tuple(containers.values()),
        source=" + ".join(source for source, snap, _ in captures if snap is not None),
        inspected=all(s.inspected for _, s in parts),
        partly_inspected=any(s.partly_inspected for _, s in parts),
        warnings=tuple(warnings),
        hosts=tuple(hosts),
        nodes=tuple(nodes.values()),
        services=tuple(services.values()),
    )

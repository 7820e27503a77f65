"""Both sides of a diff in one snapshot, for the change diagram of `netviz diff --diagram`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.analysis.diff import ChangeType, Kind, by_label
from visualizer.model import qualified_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.analysis.diff import ChangeMap, Diff
    from visualizer.model import Endpoint, Snapshot


def union(sa: Snapshot, sb: Snapshot, d: Diff) -> tuple[Snapshot, ChangeMap]:
    """One snapshot holding both sides (B, plus what only A had), and the change of each part.

    Keys of the second value: `("network", name)`, `("container", name)`,
    `("endpoint", container, network)`, named as reports name them (`host/name` where several
    hosts use a name); values `added`, `removed`, `changed`.
    """
    status: dict[tuple[str, ...], ChangeType] = {}
    for change in d.changes:
        if change.kind in {Kind.NETWORK, Kind.CONTAINER}:
            status[(change.kind.value, change.subject)] = change.change
        elif change.kind is Kind.ENDPOINT:
            name, _, net = change.subject.partition("@")
            status[("endpoint", name, net)] = change.change
    nets_a, nets_b = by_label(sa.networks), by_label(sb.networks)
    networks = [*sb.networks, *(n for label, n in nets_a.items() if label not in nets_b)]
    net_id = {label: n.id for label, n in (nets_a | nets_b).items()}
    net_label_a = {n.id: label for label, n in nets_a.items()}

    def moved(eps: Iterable[Endpoint], skip: set[str]) -> tuple[Endpoint, ...]:
        """A's endpoints, pointed at the union's network of the same name."""
        return tuple(
            replace(ep, network_id=net_id[label])
            for ep in eps
            for label in (net_label_a.get(ep.network_id, ep.network_name),)
            if label in net_id and net_id[label] not in skip
        )

    la, lb = qualified_names(sa.containers), qualified_names(sb.containers)
    ctrs_a, ctrs_b = by_label(sa.containers), by_label(sb.containers)
    containers = []
    for c in sb.containers:
        old = ctrs_a.get(lb[c.id])
        extra = moved(old.endpoints, {ep.network_id for ep in c.endpoints}) if old else ()
        containers.append(replace(c, endpoints=(*c.endpoints, *extra)))
    containers += [
        replace(c, endpoints=moved(c.endpoints, set()))
        for c in sa.containers
        if la[c.id] not in ctrs_b
    ]
    merged = replace(sb, networks=tuple(networks), containers=tuple(containers), warnings=())
    return merged, status

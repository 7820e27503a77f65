"""A29: writable data shared by containers the network keeps apart.

Near-linear: containers are grouped by what decides their reachability (host, network stack
owner, host or none mode, networks and address families); every container of a class reaches,
and is reached by, the same ones. So one verdict per pair of classes answers for all their
members, and a volume shared by thousands of replicas costs one check, not millions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.findings.record import Finding, Subject, finding, names

if TYPE_CHECKING:
    from collections.abc import Hashable

    from visualizer.analysis.channels import Channels, Sharing
    from visualizer.analysis.reachability import Reachability


def crossing_findings(reach: Reachability, channels: Channels) -> list[Finding]:
    """One A29 per volume or host path shared where the network separates.

    Some running container writes it and another running container mounts it, and neither
    reaches the other over the network.
    """
    apart: dict[tuple[Hashable, Hashable], bool] = {}
    found = []
    for group in channels.data_sharing():
        involved, example = _crossing(reach, group, apart)
        if example is None:
            continue
        records = [reach.container(k) for k in reach.container_keys() if k in involved]
        found.append(
            finding(
                "A29",
                subjects=tuple(Subject(kind="container", name=c.name, id=c.id) for c in records),
                explanation=(
                    f"{names(records)} cannot reach each other over the network, but share "
                    f"{group.what}, which {reach.label(example[0])} writes and "
                    f"{reach.label(example[1])} mounts: files and unix sockets in it are a "
                    "channel the network isolation does not stop."
                ),
                detail=group.what,
            )
        )
    return found


def _crossing(
    reach: Reachability, group: Sharing, apart: dict[tuple[Hashable, Hashable], bool]
) -> tuple[set[str], tuple[str, str] | None]:
    """The containers on either side of a crossing, and the first (writer, mounter) pair."""
    classes: dict[Hashable, list[str]] = {}
    for k in group.mounters:
        if reach.is_running(k):
            classes.setdefault(_signature(reach, k), []).append(k)
    writers = set(group.writers)
    involved: set[str] = set()
    example: tuple[str, str] | None = None
    for sw, members_w in classes.items():
        for sm, members_m in classes.items():
            w = next((k for k in members_w if k in writers), None)
            m = next((k for k in members_m if k != w), None)
            if w is None or m is None:
                continue
            if (sw, sm) not in apart:
                apart[(sw, sm)] = not (
                    reach.verdict(w, m).reachable or reach.verdict(m, w).reachable
                )
            if apart[(sw, sm)]:
                involved |= {x for x in members_w if x in writers} | set(members_m)
                pair = (w, m)
                if example is None or _named(reach, pair) < _named(reach, example):
                    example = pair
    return involved, example


def _named(reach: Reachability, pair: tuple[str, str]) -> tuple[str, str]:
    return (reach.label(pair[0]), reach.label(pair[1]))


def _signature(reach: Reachability, key: str) -> Hashable:
    """What a container's reachability depends on; equal signatures reach alike."""
    owner = reach.owner(key)
    c = reach.container(owner if owner is not None else key)
    return (
        c.host,
        owner if owner != key else None,
        c.is_host_mode,
        c.is_none_mode,
        frozenset((ep.network_id, bool(ep.ipv4), bool(ep.ipv6)) for ep in c.endpoints),
    )

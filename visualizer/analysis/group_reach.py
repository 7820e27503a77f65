"""Reachability between groups of containers, counted, never averaged.

For two groups of a collapsed picture, how many of their members' ordered pairs reach each
other, how many by name, and out of how many: `web ×3` reaching `db` is `3 of 3 pairs`, or
`2 of 3` when a replica is stopped or on another network, and the picture says which. The
counts come from the compact `ReachIndex` (one verdict per pair of units), so they cost no
expansion of pairs; the host's stack is counted the same way, per group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.graph import labels, network_record

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.reach_classes import ReachIndex
    from visualizer.analysis.reachability import Reachability


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupPair:
    """The members of `source` that reach members of `target` (the same group: each other)."""

    source: str
    target: str
    pairs: int
    """Reachable ordered pairs of distinct members."""
    by_name: int
    """Of those, how many resolve the target by name."""
    possible: int
    """Every ordered pair of distinct members there is."""
    via: tuple[str, ...]
    """The networks the pairs go over (none: a host's or a shared stack)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostShare:
    """A group's members and the host's own stack."""

    host: str
    is_host: int
    """Members on the host's network stack (they are the host)."""
    reaches_host: int
    """Members that reach the host's services through a gateway."""
    reached_by_host: int
    """Members the host reaches."""
    internal: int
    """Members that reach the host's services from an internal network."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupReach:
    """Who reaches whom among the groups of a collapsed picture."""

    pairs: tuple[GroupPair, ...]
    """Between two different groups, sorted."""
    within: Mapping[str, GroupPair]
    """Each group's members among themselves."""
    hosts: tuple[HostShare, ...]
    """Per host with something to say, per group (`host` is the host's name)."""
    host_of: Mapping[int, str]
    """Index into `hosts` → group ID."""
    total: int
    """Reachable ordered pairs among the shown containers."""


def group_reach(
    g: nx.Graph[str], agg: Aggregate, reach: Reachability, index: ReachIndex
) -> GroupReach:
    """Count the reachable pairs between (and within) the groups of `agg`."""
    group_of = agg.group_of
    size = {grp.id: grp.size for grp in agg.groups}
    hist = [Counter(group_of[k] for k in members if k in group_of) for members in index.units]
    names = labels(g)
    net_name = {n: names[network_record(g, n).id] for n in g.nodes if n.startswith("network:")}
    count: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    via: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (u, v), by_name in index.relation().items():
        if not hist[u] or not hist[v]:
            continue
        shared = _via(index, u, v, net_name)
        for a, ca in hist[u].items():
            for b, cb in hist[v].items():
                n = ca * (ca - 1) if (u == v and a == b) else ca * cb
                if n:
                    spot = count[(a, b)]
                    spot[0] += n
                    spot[1] += n if by_name else 0
                    via[(a, b)].update(shared)
    found, within, total = [], {}, 0
    for (a, b), (n, named) in sorted(count.items()):
        possible = size[a] * (size[a] - 1) if a == b else size[a] * size[b]
        pair = GroupPair(
            source=a,
            target=b,
            pairs=n,
            by_name=named,
            possible=possible,
            via=tuple(sorted(via[(a, b)])),
        )
        total += n
        if a == b:
            within[a] = pair
        else:
            found.append(pair)
    hosts, host_of = _hosts(agg, reach)
    return GroupReach(pairs=tuple(found), within=within, hosts=hosts, host_of=host_of, total=total)


def drawn_hosts(agg: Aggregate, found: GroupReach) -> list[str]:
    """The hosts a picture of groups draws: where members run and whose stack they share."""
    named = {share.host for share in found.hosts} | {h for grp in agg.groups for h in grp.hosts}
    return sorted(named) or [""]


def _via(index: ReachIndex, u: int, v: int, net_name: dict[str, str]) -> set[str]:
    if (u, v) in index.via:
        return set(index.via[(u, v)])
    a, b = dict(index.segments.get(u, ())), dict(index.segments.get(v, ()))
    return {net_name[n] for n in a.keys() & b.keys() if n in net_name}


def _hosts(agg: Aggregate, reach: Reachability) -> tuple[tuple[HostShare, ...], dict[int, str]]:
    key_of = {reach.label(k): k for k in reach.container_keys()}
    grouped = reach.grouped()
    internal = {m for s in grouped.segments if s.internal for m in s.members}
    shares: list[HostShare] = []
    owner: dict[int, str] = {}
    for stack in grouped.hosts:
        per: dict[str, Counter[str]] = defaultdict(Counter)
        for what, names in (
            ("is", stack.containers),
            ("reaches", stack.reaches),
            ("reached", stack.reached_by),
        ):
            for name in names:
                gid = agg.group_of.get(key_of.get(name, ""))
                if gid is not None:
                    per[gid][what] += 1
                    if what == "reached" and name in internal:
                        per[gid]["internal"] += 1
        for gid in sorted(per, key=lambda x: int(x[1:])):
            owner[len(shares)] = gid
            shares.append(
                HostShare(
                    host=stack.host,
                    is_host=per[gid]["is"],
                    reaches_host=per[gid]["reached"],
                    reached_by_host=per[gid]["reaches"],
                    internal=per[gid]["internal"],
                )
            )
    return tuple(shares), owner

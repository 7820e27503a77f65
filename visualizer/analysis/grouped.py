"""Reachability without expanding pairs: per network, per shared stack, per host.

Linear in the size of the topology: each network's members and what they may do to each
other, the groups of containers sharing one stack, and per machine who is on, reaches and is
reached by its own network stack. Every pair is implied by these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from visualizer.analysis.findings.record import loopback
from visualizer.analysis.peering import Peering
from visualizer.analysis.topology import Topology

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.model import Port


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """One network's members and what they may do to each other."""

    network: str
    driver: str
    policy: Peering
    internal: bool
    members: tuple[str, ...]
    """Running members, sidecars included (they share their owner's endpoint)."""
    by_name: bool
    """Whether members resolve each other by name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostStack:
    """One machine's own network stack and who is on it, reaches it, is reached from it."""

    host: str
    """The engine's host name; empty for a single-engine snapshot."""
    containers: tuple[str, ...]
    """Host-network containers: they are this host."""
    reaches: tuple[str, ...]
    """Containers this host (and so its host-network containers) reaches."""
    reached_by: tuple[str, ...]
    """Containers that reach this host's services through their gateway."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Grouped:
    """Reachability without expanding pairs: segments plus the paths that cross them."""

    segments: tuple[Segment, ...]
    stacks: tuple[tuple[str, ...], ...]
    """Groups of containers sharing one network stack (owner first); they reach each other."""
    hosts: tuple[HostStack, ...]
    """Per machine: its host-network containers and the host paths."""
    links: tuple[tuple[str, str, str], ...] = field(default=())
    """Links (holder, target, alias): one-way names."""
    published: tuple[Published, ...] = field(default=())
    """Per container, its ports published on a non-loopback host address: reachable through
    that host's addresses from every container its host's `reached_by` lists (the port paths,
    grouped by published port instead of one per pair)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """A container's ports published on host addresses other than loopback."""

    container: str
    host: str
    """The machine whose addresses carry them (empty for a single engine)."""
    ports: tuple[Port, ...]


class Grouping(Topology):
    """The grouped form over a topology's index (a base of `Reachability`)."""

    def grouped(self, inside: frozenset[str] | None = None) -> Grouped:
        """The compact, network-level form: linear in the size of the topology.

        With `inside` (a scope's container keys), only what touches the scope: networks and
        stacks with a member inside (their outside members are the far ends of crossing
        pairs), the host paths of inside containers, links with an end inside.
        """

        def touches(keys: Iterable[str]) -> bool:
            return inside is None or any(k in inside for k in keys)

        segments = []
        for nkey in sorted(self._net, key=lambda n: (self._net[n].name, self._net[n].id)):
            members = [m for o in self._members[nkey] for m in self._stack.get(o, ())]
            if not members or not touches(members):
                continue
            net = self._net[nkey]
            policy = self._policy[nkey]
            segments.append(
                Segment(
                    network=self._net_label[nkey],
                    driver=net.driver,
                    policy=policy,
                    internal=net.internal,
                    members=tuple(self._l(self._rec[m]) for m in members),
                    by_name=policy is Peering.BY_NAME and self._has_dns(nkey),
                )
            )
        stacks = tuple(
            tuple(self._l(self._rec[m]) for m in members)
            for _, members in sorted(self._stack.items(), key=lambda kv: self._rank[kv[0]])
            if len(members) > 1 and touches(members)
        )
        per_host: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for okey in self._order:
            if okey not in self._nets:
                continue
            stack, reaches, reached = per_host.setdefault(self._where[okey], ([], [], []))
            if okey in self._host:
                stack.extend(self._l(self._rec[m]) for m in self._stack.get(okey, ()))
                continue
            ours = [m for m in self._stack.get(okey, ()) if inside is None or m in inside]
            names = [self._l(self._rec[m]) for m in ours]
            if self._host_reaches(okey):
                reaches.extend(names)
            if self._host_access(okey):
                reached.extend(names)
        hosts = tuple(
            HostStack(host=h, containers=tuple(sorted(s)), reaches=tuple(r), reached_by=tuple(b))
            for h, (s, r, b) in sorted(per_host.items())
            if inside is None or r or b
        )
        by_name = {c.name: k for k, c in self._rec.items()}
        links = tuple(
            (self._l(c), lk.target, lk.alias)
            for k in self._order
            for c in (self._rec[k],)
            for lk in c.links
            if touches((k, by_name.get(lk.target, "")))
        )
        published = tuple(
            Published(container=self._l(c), host=self._where[k], ports=ports)
            for k in self._order
            if touches((k,)) and self._running[k] and self._owner[k] == k
            for c in (self._rec[k],)
            for ports in (tuple(p for p in c.ports if p.published and not loopback(p.host_ip)),)
            if ports
        )
        return Grouped(
            segments=tuple(segments),
            stacks=stacks,
            hosts=hosts,
            links=links,
            published=published,
        )

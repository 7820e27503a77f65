"""Reachability in compact form: units of containers that every verdict treats alike.

Expanding every reachable pair costs one verdict per pair: 1.4 million for an estate of
10,000 containers whose default bridge and reverse-proxy network hold hundreds each. Most
containers are interchangeable for `verdict`: two running containers with the same
`Topology.signature` (host, host stack, networks) get the same answer with everyone. So the
containers are grouped into *units* — a class of such containers, or one container that must
be judged alone (sidecars, shared stacks, links) — and reachability is kept per pair of
units, in two parts:

- between two *segment* units (classes on bridges, overlays and the like, not on the host's
  stack), the rule is the networks' own (`Topology.open_networks`): they reach each other when
  they share a network that lets members talk, by name when one of those has DNS;
- every pair with another unit in it is decided by `verdict` on one member of each, and kept
  as an explicit relation.

The expansion is exact: `tests/test_levels.py` compares it with a verdict for every ordered
pair of containers on recorded and synthetic estates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping

    from visualizer.analysis.reachability import Reachability


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachIndex:
    """Who reaches whom, per unit of interchangeable containers."""

    units: tuple[tuple[str, ...], ...]
    """The container keys of each unit, in the snapshot's order."""
    unit_of: Mapping[str, int]
    """Running container key → its unit (stopped containers are in none: they reach nothing)."""
    segments: Mapping[int, tuple[tuple[str, bool], ...]]
    """Segment unit → the networks its members reach others on, each with whether by name."""
    explicit: tuple[tuple[int, int, bool], ...]
    """(u, v, by_name) for the pairs with a unit outside `segments`: every member of `u`
    reaches every member of `v` other than itself."""
    via: Mapping[tuple[int, int], tuple[str, ...]]
    """The networks an explicit pair goes over (empty: a host's or a shared stack)."""
    _pairs: dict[tuple[int, int], bool] = field(default_factory=dict, repr=False)

    def relation(self) -> dict[tuple[int, int], bool]:
        """Every (u, v) → by name: members of `u` reach the members of `v` other than themselves."""
        if not self._pairs:
            on: dict[str, list[int]] = defaultdict(list)
            dns: dict[str, bool] = {}
            for u, nets in self.segments.items():
                for n, named in nets:
                    on[n].append(u)
                    dns[n] = named
            found = self._pairs
            for n, units in on.items():
                for u in units:
                    for v in units:
                        if u != v or len(self.units[u]) > 1:
                            found[(u, v)] = found.get((u, v), False) or dns[n]
            for u, v, by_name in self.explicit:
                found[(u, v)] = by_name
        return self._pairs

    def pairs(self, within: Collection[str] | None = None) -> Iterator[tuple[str, str, bool]]:
        """Every reachable ordered pair (source, target, by name), unit pair by unit pair.

        `within`: only pairs of these containers, expanded from their own units only.
        """
        units = self.units
        if within is not None:
            units = tuple(tuple(k for k in members if k in within) for members in units)
        for (u, v), by_name in sorted(self.relation().items()):
            for a in units[u]:
                for b in units[v]:
                    if a != b:
                        yield a, b, by_name


def reach_index(reach: Reachability) -> ReachIndex:
    """Group the running containers into units and decide reachability per pair of units."""
    classes: dict[tuple[str, bool, tuple[str, ...]], int] = {}
    units: list[list[str]] = []
    unit_of: dict[str, int] = {}
    segments: dict[int, tuple[tuple[str, bool], ...]] = {}
    for key in reach.container_keys():
        if not reach.is_running(key):
            continue
        signature = reach.signature(key)
        if signature is None:
            unit_of[key] = len(units)
            units.append([key])
            continue
        if signature not in classes:
            classes[signature] = len(units)
            units.append([])
            if not signature[1]:
                segments[classes[signature]] = reach.open_networks(key)
        unit_of[key] = classes[signature]
        units[classes[signature]].append(key)
    alone = [u for u in range(len(units)) if u not in segments]
    on_host = {u for u in alone if _host_stack(reach, units[u][0])}
    decided: dict[tuple[int, int], bool | None] = {}
    via: dict[tuple[int, int], tuple[str, ...]] = {}
    for u in alone:
        near = {unit_of[o] for o in reach.candidates(units[u][0]) if o in unit_of}
        near |= on_host | {u}
        for v in sorted(near):
            for a, b in ((u, v), (v, u)):
                if (a, b) in decided or (a == b and len(units[a]) < 2):  # noqa: PLR2004
                    continue
                source, target = units[a][0], units[b][1 if a == b else 0]
                verdict = reach.verdict(source, target)
                decided[(a, b)] = verdict.by_name if verdict.reachable else None
                via[(a, b)] = verdict.via
    return ReachIndex(
        units=tuple(tuple(m) for m in units),
        unit_of=unit_of,
        segments=segments,
        explicit=tuple((u, v, b) for (u, v), b in sorted(decided.items()) if b is not None),
        via={pair: via[pair] for pair, b in decided.items() if b is not None},
    )


def _host_stack(reach: Reachability, key: str) -> bool:
    """Whether the container uses a host's network stack (itself, or through its stack owner)."""
    owner = reach.owner(key)
    return owner is not None and reach.container(owner).is_host_mode

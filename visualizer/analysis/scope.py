"""A scope: the part of an estate a command is about, and how a pair sits against its border.

Reachability is always computed on the whole estate (who outside reaches my database is the
question); a scope then keeps the pairs inside it and those crossing its border, marked
`out` (from inside to outside) or `in` (from outside to inside), and the findings whose
subjects are inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.graph import containers, labels, networks
from visualizer.selection import select

if TYPE_CHECKING:
    from collections.abc import Iterable

    import networkx as nx

    from visualizer.analysis.findings import Finding
    from visualizer.selection import Selection

ESTATE_SUBJECTS = frozenset({"engine"})
"""Finding subjects that concern every scope (an engine's daemon settings, swarm mode)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """The containers and networks a selection picks, by graph key and by name."""

    description: str
    """The filters as written: `project=shop`."""
    containers: frozenset[str]
    """Graph keys of the containers inside."""
    networks: frozenset[str]
    """Graph keys of the networks inside."""
    names: frozenset[str]
    """Their names as reports write them (`host/name` where hosts share a name)."""

    def crossing(self, a: str, b: str) -> str | None:
        """`None` inside, `out` from inside to outside, `in` from outside to inside."""
        inside_a, inside_b = a in self.containers, b in self.containers
        if inside_a == inside_b:
            return None
        return "out" if inside_a else "in"

    def touches(self, a: str, b: str) -> bool:
        """Whether a pair has at least one end inside."""
        return a in self.containers or b in self.containers

    def keeps(self, finding: Finding) -> bool:
        """Whether a finding is about something inside (or about the whole engine)."""
        return any(s.kind in ESTATE_SUBJECTS or s.name in self.names for s in finding.subjects)

    def keeps_names(self, source: str, target: str) -> bool:
        """Whether a pair named as reports name it has an end inside."""
        return source in self.names or target in self.names


def scope_of(g: nx.Graph[str], selection: Selection) -> Scope | None:
    """The scope a selection picks in a full graph (`None`: no filter, the whole estate)."""
    if not selection.scoped:
        return None
    view = select(g, selection)
    named = labels(g)
    ctrs = [(k, c.id) for k, c in containers(view)]
    nets = [(k, n.id) for k, n in networks(view)]
    return Scope(
        description=selection.describe(),
        containers=frozenset(k for k, _ in ctrs),
        networks=frozenset(k for k, _ in nets),
        names=frozenset(named[i] for _, i in (*ctrs, *nets)),
    )


def kept(scope: Scope | None, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings a scope is about (all of them without a scope)."""
    return tuple(f for f in findings if scope is None or scope.keeps(f))

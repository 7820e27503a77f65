"""The findings of a group of containers, counted per rule and severity, never merged.

A collapsed node must not hide that its members differ: each rule is counted at the worst
severity it has on each member (`A25` high on 1 of 3, `A12` medium on 3 of 3), and the
members differ in findings when their rules (with severities) are not all the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from visualizer.analysis.findings import Finding, Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingCount:
    """One finding rule at one severity in a group: on how many of its members."""

    id: str
    """Rule ID (`A12`)."""
    severity: str
    """A severity label: the worst this rule has on those members (or folded networks)."""
    members: int
    """How many members have this rule at this severity."""
    networks: int
    """How many networks folded into the node have it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingSummary:
    """The open findings of a group's members (and folded networks)."""

    worst: str
    """The worst severity, as a label (`high`)."""
    ids: tuple[str, ...]
    """Finding rule IDs, in catalogue order."""
    members: int
    """How many members have at least one."""
    counts: tuple[FindingCount, ...]
    """Each rule at each severity, worst severity first, then in catalogue order."""


def worst_per_rule(found: Iterable[Finding]) -> dict[str, Severity]:
    """The worst severity of each rule among the findings of one member (or network)."""
    worst: dict[str, Severity] = {}
    for f in found:
        worst[f.id] = max(worst.get(f.id, f.severity), f.severity)
    return worst


def summarise(
    members: Sequence[Iterable[Finding]], networks: Sequence[Iterable[Finding]]
) -> FindingSummary | None:
    """What a group's members (the findings of each) and its folded networks have, counted."""
    on_members: Counter[tuple[str, Severity]] = Counter()
    on_networks: Counter[tuple[str, Severity]] = Counter()
    flagged = 0
    for found in members:
        rules = worst_per_rule(found)
        on_members.update(rules.items())
        flagged += bool(rules)
    for found in networks:
        on_networks.update(worst_per_rule(found).items())
    pairs = sorted(set(on_members) | set(on_networks), key=lambda p: (-p[1], catalogue_order(p[0])))
    if not pairs:
        return None
    return FindingSummary(
        worst=pairs[0][1].label,
        ids=tuple(sorted({i for i, _ in pairs}, key=catalogue_order)),
        members=flagged,
        counts=tuple(
            FindingCount(
                id=i, severity=sev.label, members=on_members[i, sev], networks=on_networks[i, sev]
            )
            for i, sev in pairs
        ),
    )


def differ(members: Iterable[Iterable[Finding]]) -> bool:
    """Whether the members do not all have the same rules at the same severities."""
    return len({frozenset(worst_per_rule(found).items()) for found in members}) > 1


def catalogue_order(rule: str) -> tuple[int, str]:
    """`A2` before `A12`, as the catalogue numbers its rules."""
    number = rule.lstrip("A")
    return (int(number) if number.isdigit() else 0, rule)

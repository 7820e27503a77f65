"""The audit's rows as the human formats (table, Markdown) list them, bounded in size.

A rule that fires on many containers (every container publishing on all addresses, in an
estate of thousands) is one row naming the first few subjects and how many more; networks
are listed when they have pairs to show. Everything stays in the JSON and SARIF forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.analysis.findings import Finding
    from visualizer.analysis.grouped import Grouped, Segment

ROWS_PER_RULE = 5
"""Findings of one rule listed one by one; above this they are one row."""
NAMES_SHOWN = 8
"""Subjects named in a row of many findings."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingRow:
    """One row of a findings table."""

    first: Finding
    """The finding shown (the first of a rule's, for a row of many)."""
    count: int
    """How many findings the row stands for."""
    subjects: str
    """The subjects, as text."""
    text: str
    """The explanation: the finding's own, or for many the first's and how many more."""


def finding_rows(findings: Iterable[Finding]) -> list[FindingRow]:
    """Rows in the findings' order; a rule with more than `ROWS_PER_RULE` findings is one row."""
    by_rule: dict[tuple[str, bool], list[Finding]] = {}
    for f in findings:
        by_rule.setdefault((f.id, f.is_open), []).append(f)
    rows = []
    done: set[tuple[str, bool]] = set()
    for f in (f for group in by_rule.values() for f in group):
        key = (f.id, f.is_open)
        group = by_rule[key]
        if len(group) <= ROWS_PER_RULE:
            names = ", ".join(s.name for s in f.subjects)
            rows.append(FindingRow(first=f, count=1, subjects=names, text=f.explanation))
        elif key not in done:
            done.add(key)
            shown = some([s.name for g in group for s in g.subjects])
            text = (
                f"{len(group):,} findings of this rule, e.g.: {f.explanation} "
                "(each is listed in --format json)"
            )
            rows.append(FindingRow(first=f, count=len(group), subjects=shown, text=text))
    return rows


SEGMENTS_SHOWN = 60
"""Networks listed in the grouped form's table."""


def counted(n: int, noun: str) -> str:
    """`1 network`, `2 networks`, `10,000 networks`."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def some(names: list[str] | tuple[str, ...]) -> str:
    """The first `NAMES_SHOWN` names and how many more."""
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN:,} more" if len(names) > NAMES_SHOWN else "")


def segment_rows(grouped: Grouped) -> tuple[list[Segment], list[str]]:
    """The networks with two members or more (at most `SEGMENTS_SHOWN`), and notes on the rest."""
    busy = [s for s in grouped.segments if len(s.members) > 1]
    notes = []
    alone = len(grouped.segments) - len(busy)
    if alone:
        notes.append(f"{counted(alone, 'network')} with fewer than two running members: no pairs.")
    if len(busy) > SEGMENTS_SHOWN:
        notes.append(f"… {len(busy) - SEGMENTS_SHOWN:,} more networks: use --format json.")
    if grouped.published:
        reaching = {h.host: len(h.reached_by) for h in grouped.hosts}
        sources = max((reaching.get(p.host, 0) for p in grouped.published), default=0)
        notes.append(
            f"Published ports (R11): {counted(len(grouped.published), 'container')} with ports on "
            f"host addresses ({some([p.container for p in grouped.published])}); each is reached "
            f"through its host by the containers that reach that host (up to {sources:,})."
        )
    return busy[:SEGMENTS_SHOWN], notes

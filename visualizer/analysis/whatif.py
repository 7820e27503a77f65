"""What a change would do: the diff from now to the predicted state, channels, findings, policy.

Like `audit --baseline`, the state before the change is the baseline: findings, channels
besides the network and policy violations are new when the predicted state has them and the
current one does not, resolved the other way round. The change fails a review when the engine
would refuse it, when it brings a new policy violation (a pair a `forbid` rule forbids becomes
reachable or gains a forbidden channel, or a pair a `require` rule needs stops), or when it
opens a finding at the `--fail-on` severity or worse.

With a selection (`--filter`), the report is about it as an audit's is: everything is computed
on the whole estate, then the report keeps the objects selected before or after the change,
the reachable pairs and channels with an end among them (crossing pairs included), the
findings about them, and the policy over those pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from visualizer.analysis.audit import PAIR_LIMIT, analyse
from visualizer.analysis.diff import Diff, Kind, diff_graphs
from visualizer.analysis.scope import ESTATE_SUBJECTS, scope_of
from visualizer.graph import containers, labels, snapshot_of

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.channels import Channel
    from visualizer.analysis.diff import Change
    from visualizer.analysis.findings import Finding, Severity
    from visualizer.analysis.policy import Policy, Violation
    from visualizer.selection import Selection
    from visualizer.sources.whatif import Prediction, Refusal, Step

WHATIF_SCHEMA = "netviz-what-if"
WHATIF_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """Everything a what-if renderer needs."""

    source: str
    """What the change was applied to."""
    steps: tuple[Step, ...]
    """The commands applied, in order."""
    refusal: Refusal | None
    """The command the engine would refuse (the ones after it were not applied)."""
    diff: Diff
    """From the current state (A) to the predicted one (B): objects, endpoints, reachable
    pairs and by-name changes, findings (about the scope, with one)."""
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    new_channels: tuple[Channel, ...] | None
    """Channels besides the network (volumes, host paths, volumes-from, shared IPC or PID
    namespaces, host power) the change opens; `None` when either state has more than
    `PAIR_LIMIT` (not listed, see `notes`)."""
    resolved_channels: tuple[Channel, ...] | None
    """Channels the change closes."""
    policy: str | None
    """The policy file checked, if any."""
    new_violations: tuple[Violation, ...]
    resolved_violations: tuple[Violation, ...]
    fail_on: Severity | None
    failed: bool
    """Whether the change fails a review (exit code 1)."""
    reasons: tuple[str, ...]
    """Why it fails, one line each."""
    scope: str | None = None
    """The selection the report is about (`project=shop`), or `None` for the whole estate."""
    notes: tuple[str, ...] = ()
    """What the report left out, and why."""


def assess(
    before: nx.Graph[str],
    after: nx.Graph[str],
    prediction: Prediction,
    *,
    policy: Policy | None = None,
    fail_on: Severity | None = None,
    selection: Selection | None = None,
) -> WhatIf:
    """Compare the full graphs of the current and predicted states (about a selection)."""
    from visualizer.analysis.policy import check_selectors, evaluate  # noqa: PLC0415

    snap = snapshot_of(before)
    label = snap.source or "snapshot"
    diff = diff_graphs(before, after, a_label=label, b_label=prediction.after.source)
    sides = (analyse(before), analyse(after))
    inside = _inside(before, after, selection)
    keys = tuple(None if inside is None else _keys(g, inside) for g in (before, after))
    if inside is not None:
        diff = _scoped(diff, inside)
    found = [_open(a, inside) for a in sides]
    new = tuple(f for k, f in found[1].items() if k not in found[0])
    resolved = tuple(f for k, f in found[0].items() if k not in found[1])
    listed = [a.channels.around(k, PAIR_LIMIT) for a, k in zip(sides, keys, strict=True)]
    notes: list[str] = []
    new_ch: tuple[Channel, ...] | None = None
    resolved_ch: tuple[Channel, ...] | None = None
    if listed[0] is None or listed[1] is None:
        notes.append(
            f"more than {PAIR_LIMIT:,} channels besides the network: not compared (netviz audit "
            "lists them grouped)"
        )
    else:
        ka = {_channel_key(ch): ch for ch in listed[0]}
        kb = {_channel_key(ch): ch for ch in listed[1]}
        new_ch = tuple(ch for k, ch in kb.items() if k not in ka)
        resolved_ch = tuple(ch for k, ch in ka.items() if k not in kb)
    new_v: tuple[Violation, ...] = ()
    resolved_v: tuple[Violation, ...] = ()
    if policy is not None:
        check_selectors(policy, sides[0].reach, sides[1].reach)  # a typo matches in neither
        va, vb = (
            {
                v.fingerprint: v
                for v in evaluate(policy, a.reach, a.channels, within=k, checked=True)
            }
            for a, k in zip(sides, keys, strict=True)
        )
        new_v = tuple(v for k, v in vb.items() if k not in va)
        resolved_v = tuple(v for k, v in va.items() if k not in vb)
    reasons = _reasons(prediction, new_v, new, fail_on)
    return WhatIf(
        source=label,
        steps=prediction.steps,
        refusal=prediction.refusal,
        diff=diff,
        new_findings=new,
        resolved_findings=resolved,
        new_channels=new_ch,
        resolved_channels=resolved_ch,
        policy=policy.origin if policy is not None else None,
        new_violations=new_v,
        resolved_violations=resolved_v,
        fail_on=fail_on,
        failed=bool(reasons),
        reasons=tuple(reasons),
        scope=selection.describe() if inside is not None and selection is not None else None,
        notes=tuple(notes),
    )


def _reasons(
    prediction: Prediction,
    new_v: tuple[Violation, ...],
    new: tuple[Finding, ...],
    fail_on: Severity | None,
) -> list[str]:
    reasons = []
    if prediction.refusal is not None:
        reasons.append(f"the engine would refuse {prediction.refusal.origin}")
    if new_v:
        reasons.append(f"{len(new_v)} new policy violation" + ("s" if len(new_v) > 1 else ""))
    bad = [f for f in new if fail_on is not None and f.severity >= fail_on]
    if bad and fail_on is not None:
        reasons.append(
            f"{len(bad)} new finding"
            + ("s" if len(bad) > 1 else "")
            + f" at {fail_on.label} or worse"
        )
    return reasons


def _inside(
    before: nx.Graph[str], after: nx.Graph[str], selection: Selection | None
) -> frozenset[str] | None:
    """Names of what the selection picks before or after the change (`None`: no filter)."""
    if selection is None or not selection.scoped:
        return None
    names: set[str] = set()
    for g in (before, after):
        area = scope_of(g, selection)
        if area is not None:
            names |= area.names
    return frozenset(names)


def _keys(g: nx.Graph[str], names: frozenset[str]) -> frozenset[str]:
    """The graph keys of the containers named."""
    named = labels(g)
    return frozenset(k for k, c in containers(g) if named[c.id] in names)


def _scoped(d: Diff, names: frozenset[str]) -> Diff:
    """The changes about the selection, reachable pairs crossing its border included."""

    def about(c: Change) -> bool:
        if c.kind in {Kind.NETWORK, Kind.CONTAINER}:
            return c.subject in names
        if c.kind is Kind.ENDPOINT:
            container, _, network = c.subject.partition("@")
            return container in names or network in names
        if c.kind is Kind.REACHABILITY:
            source, _, target = c.subject.partition(" -> ")
            return source in names or target in names
        return any(part in names for part in c.subject.split(" ", 1)[1].split(", "))

    return replace(d, changes=tuple(c for c in d.changes if about(c)))


def _open(a: Analysis, inside: frozenset[str] | None) -> dict[str, Finding]:
    """Open findings by fingerprint, in the audit's order (worst first), about the scope."""
    return {
        f.fingerprint: f
        for f in a.findings
        if f.is_open
        and (
            inside is None or any(s.kind in ESTATE_SUBJECTS or s.name in inside for s in f.subjects)
        )
    }


def _channel_key(ch: Channel) -> tuple[str, str, str, str, str]:
    return (ch.source, ch.target, ch.kind.value, ch.resource, ch.direction)

"""What a change would do: the diff from now to the predicted state, findings and policy.

Like `audit --baseline`, the state before the change is the baseline: findings and policy
violations are new when the predicted state has them and the current one does not (by
fingerprint), resolved the other way round. The change fails a review when the engine would
refuse it, when it brings a new policy violation (a pair a `forbid` rule forbids becomes
reachable, or a pair a `require` rule needs stops), or when it opens a finding at the
`--fail-on` severity or worse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.analysis.diff import diff_graphs
from visualizer.analysis.findings import audit_findings
from visualizer.analysis.reachability import Reachability
from visualizer.graph import snapshot_of

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.diff import Diff
    from visualizer.analysis.findings import Finding, Severity
    from visualizer.analysis.policy import Policy, Violation
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
    pairs and by-name changes, findings."""
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]
    policy: str | None
    """The policy file checked, if any."""
    new_violations: tuple[Violation, ...]
    resolved_violations: tuple[Violation, ...]
    fail_on: Severity | None
    failed: bool
    """Whether the change fails a review (exit code 1)."""
    reasons: tuple[str, ...]
    """Why it fails, one line each."""


def assess(
    before: nx.Graph[str],
    after: nx.Graph[str],
    prediction: Prediction,
    *,
    policy: Policy | None = None,
    fail_on: Severity | None = None,
) -> WhatIf:
    """Compare the full graphs of the current and predicted states."""
    from visualizer.analysis.policy import evaluate  # noqa: PLC0415

    snap = snapshot_of(before)
    label = snap.source or "snapshot"
    diff = diff_graphs(before, after, a_label=label, b_label=prediction.after.source)
    found_a, found_b = _open(before), _open(after)
    new = tuple(f for k, f in found_b.items() if k not in found_a)
    resolved = tuple(f for k, f in found_a.items() if k not in found_b)
    new_v: tuple[Violation, ...] = ()
    resolved_v: tuple[Violation, ...] = ()
    if policy is not None:
        va = {v.fingerprint: v for v in evaluate(policy, Reachability(before))}
        vb = {v.fingerprint: v for v in evaluate(policy, Reachability(after))}
        new_v = tuple(v for k, v in vb.items() if k not in va)
        resolved_v = tuple(v for k, v in va.items() if k not in vb)
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
    return WhatIf(
        source=label,
        steps=prediction.steps,
        refusal=prediction.refusal,
        diff=diff,
        new_findings=new,
        resolved_findings=resolved,
        policy=policy.origin if policy is not None else None,
        new_violations=new_v,
        resolved_violations=resolved_v,
        fail_on=fail_on,
        failed=bool(reasons),
        reasons=tuple(reasons),
    )


def _open(g: nx.Graph[str]) -> dict[str, Finding]:
    """Open findings by fingerprint, in the audit's order (worst first)."""
    return {f.fingerprint: f for f in audit_findings(snapshot_of(g)) if f.is_open}

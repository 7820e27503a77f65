"""Baselines: an earlier `netviz audit --format json`, and what is new since then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.documents import check, read_json, refuse_other_documents
from visualizer.sources.schemas import AUDIT_SCHEMA as AUDIT_DOCUMENT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from visualizer.analysis.findings import Finding
    from visualizer.analysis.policy import Violation
    from visualizer.analysis.reachability import Verdict

AUDIT_SCHEMA = "netviz-audit"
AUDIT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineDiff:
    """What changed since an earlier `netviz audit --format json`."""

    origin: str
    new_pairs: tuple[tuple[str, str], ...]
    lost_pairs: tuple[tuple[str, str], ...]
    new_findings: tuple[Finding, ...]
    resolved_findings: int
    new_violations: tuple[Violation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    """The facts of an earlier audit that a new one is compared with."""

    origin: str
    pairs: frozenset[tuple[str, str]]
    findings: frozenset[str]
    violations: frozenset[str]


def compare(
    baseline: Baseline,
    pairs: Iterable[Verdict],
    found: tuple[Finding, ...],
    violations: tuple[Violation, ...],
    *,
    kept: Callable[[str, str], bool] | None = None,
) -> BaselineDiff:
    """What is new (and gone) since the baseline; `kept` limits its pairs to a scope.

    The pairs are read once and not held: only the new ones and the baseline's are kept.
    """
    before = frozenset(p for p in baseline.pairs if kept is None or kept(*p))
    new: list[tuple[str, str]] = []
    still: set[tuple[str, str]] = set()
    for v in pairs:
        pair = (v.source, v.target)
        if pair in before:
            still.add(pair)
        else:
            new.append(pair)
    fingerprints = {f.fingerprint for f in found}
    return BaselineDiff(
        origin=baseline.origin,
        new_pairs=tuple(sorted(new)),
        lost_pairs=tuple(sorted(before - still)),
        new_findings=tuple(f for f in found if f.fingerprint not in baseline.findings),
        resolved_findings=len(baseline.findings - fingerprints),
        new_violations=tuple(v for v in violations if v.fingerprint not in baseline.violations),
    )


def parse_baseline(text: str | bytes, *, origin: str = "baseline") -> Baseline:
    """Read an earlier `netviz audit --format json` (the per-pair form)."""
    data: Any = read_json(text, origin=origin)
    refuse_other_documents(data, AUDIT_SCHEMA, origin=origin, option="--baseline")
    if not isinstance(data, dict) or data.get("schema") != AUDIT_SCHEMA:
        raise InputError(f'{origin}: not a netviz audit (expected "schema": "{AUDIT_SCHEMA}")')
    if data.get("schema_version") != AUDIT_SCHEMA_VERSION:
        raise InputError(
            f"{origin}: unsupported audit schema_version {data.get('schema_version')!r} "
            f"(this netviz reads {AUDIT_SCHEMA_VERSION})"
        )
    pairs = data.get("reachability")
    if not isinstance(pairs, list):
        raise InputError(
            f'{origin}: no "reachability" list: a baseline lists every pair; write it with '
            "--all-pairs (a large estate's audit is grouped by default)"
        )
    check(data, AUDIT_DOCUMENT, origin=origin)
    try:
        pair_set = frozenset((str(p["from"]), str(p["to"])) for p in pairs)
        finding_set = frozenset(str(f["fingerprint"]) for f in data.get("findings", []))
        policy = data.get("policy") or {}
        violation_set = frozenset(str(v["fingerprint"]) for v in policy.get("violations", []))
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{origin}: malformed audit entry ({exc!r})") from None
    return Baseline(origin=origin, pairs=pair_set, findings=finding_set, violations=violation_set)

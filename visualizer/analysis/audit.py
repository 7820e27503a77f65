"""The audit: reachability, findings, policy violations and baseline changes in one report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.analysis.channels import Channel, ChannelGroups, Channels
from visualizer.analysis.findings import Finding, Severity, audit_findings
from visualizer.analysis.reachability import Grouped, PortPath, Reachability, Verdict
from visualizer.errors import InputError
from visualizer.graph import snapshot_of

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.policy import Policy, Violation
    from visualizer.model import Engine

AUDIT_SCHEMA = "netviz-audit"
AUDIT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """Results computed once on the full graph, for renderers that draw a filtered view."""

    reach: Reachability
    findings: tuple[Finding, ...]
    channels: Channels

    def marks(self) -> dict[tuple[str, str], list[Finding]]:
        """Open findings by subject (`("container", name)` / `("network", name)`)."""
        found: dict[tuple[str, str], list[Finding]] = {}
        for f in self.findings:
            if f.is_open and f.severity > Severity.INFO:
                for s in f.subjects:
                    found.setdefault((s.kind, s.name), []).append(f)
        return found


def analyse(g: nx.Graph[str]) -> Analysis:
    """Reachability, channels and findings of a full (unfiltered) graph."""
    from visualizer.analysis.findings.crossing import crossing_findings  # noqa: PLC0415

    reach, channels = Reachability(g), Channels(g)
    found = audit_findings(snapshot_of(g), crossing_findings(reach, channels))
    return Analysis(reach=reach, findings=tuple(found), channels=channels)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """Everything an audit renderer needs; renderers add nothing but form."""

    engine: Engine
    source: str
    captured_at: str
    inspected: bool
    caveats: tuple[str, ...]
    containers: int
    running: int
    findings: tuple[Finding, ...]
    pairs: tuple[Verdict, ...] | None
    """Every reachable ordered pair (`None` in the grouped form)."""
    port_paths: tuple[PortPath, ...] | None
    grouped: Grouped | None
    channels: tuple[Channel, ...] | None = None
    """Every channel between containers besides the network (`None` in the grouped form)."""
    channels_grouped: ChannelGroups | None = None
    """The channels in linear form (JSON writes it in the grouped form only)."""
    policy: str | None
    """The policy file, when one was checked."""
    violations: tuple[Violation, ...]
    baseline: BaselineDiff | None
    fail_on: Severity | None
    failed: bool
    """Whether the audit fails a pipeline (exit code 1)."""

    def severity_counts(self) -> dict[str, int]:
        """Open findings per severity, worst first."""
        counts = Counter(f.severity for f in self.findings if f.is_open)
        return {s.label: counts.get(s, 0) for s in sorted(Severity, reverse=True)}


def caveats(g: nx.Graph[str]) -> list[str]:
    """What the audit cannot see, stated at the top of every report."""
    snap = snapshot_of(g)
    engine = snap.engine
    notes = [
        (
            "This is configured isolation, computed from what the Engine API reports; it is not "
            "a packet test (netviz probe runs one). Reachability is directed and not transitive."
        ),
        (
            "Daemon settings (iptables=false, userland-proxy, allow-direct-routing) and host "
            "firewall rules such as DOCKER-USER are not visible through the API."
        ),
        (
            "icc=false does not stop raw Ethernet frames from containers that keep NET_RAW "
            "(docker-bench-security#388)."
        ),
    ]
    if engine.bridge_nf_iptables is False:
        notes.append(
            "This engine reports bridge-nf-call-iptables off: icc=false is not enforced "
            "(moby#11404), and netviz counts such networks as open."
        )
    elif engine.bridge_nf_iptables is None:
        notes.append(
            "The engine does not report bridge-nf-call-iptables; with it off, icc=false has no "
            "effect (moby#11404)."
        )
    unread = sum(1 for c in snap.containers if c.pid_mode is None)
    if unread and (snap.partly_inspected or snap.inspected):
        notes.append(
            f"{unread} of {len(snap.containers)} containers were not inspected (or were, by a "
            "netviz older than these checks): their network "
            "aliases and host names are missing from the names listed, and their privileged "
            "mode, namespaces, capabilities, devices, security options and --volumes-from "
            "are unknown, so A23–A27 and the namespace and host channels were not checked "
            "for them (audit --inspect-all reads every container)."
        )
    elif unread:
        notes.append(
            "Containers were not inspected: aliases, host names, privileged mode, namespaces, "
            "capabilities, devices, security options and --volumes-from are unknown, so "
            "A23–A27 and the namespace and host channels were not checked (use --inspect, or "
            "a snapshot taken with it). Mounts come from the container list and are checked."
        )
    notes.append(
        "Channels besides the network come from mounts, namespaces and privileges as "
        "configured; an engine socket is recognised by its name or a directory that holds it "
        "at its default place (/var/run, /run)."
    )
    if any(n.dns_enabled is not None for n in snap.networks):
        notes.append(
            "Podman networks are judged by their own DNS setting (dns_enabled): members of a "
            "network without DNS, like the default podman network, reach each other by IP only."
        )
    if any(n.driver in {"macvlan", "ipvlan"} for n in snap.networks):
        notes.append(
            "macvlan/ipvlan members reach each other only while the parent interface has a "
            "link (carrier); the API does not report it."
        )
    if any(n.driver == "overlay" for n in snap.networks) or engine.swarm_state == "active":
        notes.append(
            "Overlay networks list only this node's endpoints, and swarm services were not read."
        )
    return notes


def build_report(
    g: nx.Graph[str],
    *,
    grouped: bool = False,
    policy: Policy | None = None,
    baseline: Baseline | None = None,
    fail_on: Severity | None = Severity.HIGH,
) -> AuditReport:
    """Run the whole audit over the (unfiltered) graph."""
    from visualizer.analysis.policy import evaluate  # noqa: PLC0415

    snap = snapshot_of(g)
    analysis = analyse(g)
    reach, found = analysis.reach, analysis.findings
    violations = tuple(evaluate(policy, reach, analysis.channels)) if policy is not None else ()
    pairs = port_paths = None
    if not grouped or baseline is not None:
        pairs = tuple(reach.pairs())
        port_paths = tuple(reach.port_paths())
    diff = _compare(baseline, pairs or (), found, violations) if baseline is not None else None
    failed = _fails(found, violations, diff, fail_on)
    return AuditReport(
        engine=snap.engine,
        source=snap.source,
        captured_at=snap.captured_at,
        inspected=snap.inspected,
        caveats=tuple(caveats(g)),
        containers=len(snap.containers),
        running=sum(1 for k in reach.container_keys() if reach.is_running(k)),
        findings=found,
        pairs=None if grouped else pairs,
        port_paths=None if grouped else port_paths,
        grouped=reach.grouped() if grouped else None,
        channels=None if grouped else tuple(analysis.channels.pairs()),
        channels_grouped=analysis.channels.grouped(),
        policy=policy.origin if policy is not None else None,
        violations=violations,
        baseline=diff,
        fail_on=fail_on,
        failed=failed,
    )


def _fails(
    found: tuple[Finding, ...],
    violations: tuple[Violation, ...],
    diff: BaselineDiff | None,
    fail_on: Severity | None,
) -> bool:
    def bad(findings: tuple[Finding, ...]) -> bool:
        return fail_on is not None and any(f.is_open and f.severity >= fail_on for f in findings)

    if diff is not None:
        return bool(diff.new_pairs or diff.new_violations or bad(diff.new_findings))
    return bool(violations) or bad(found)


def _compare(
    baseline: Baseline,
    pairs: tuple[Verdict, ...],
    found: tuple[Finding, ...],
    violations: tuple[Violation, ...],
) -> BaselineDiff:
    now = {(v.source, v.target) for v in pairs}
    fingerprints = {f.fingerprint for f in found}
    return BaselineDiff(
        origin=baseline.origin,
        new_pairs=tuple(sorted(now - baseline.pairs)),
        lost_pairs=tuple(sorted(baseline.pairs - now)),
        new_findings=tuple(f for f in found if f.fingerprint not in baseline.findings),
        resolved_findings=len(baseline.findings - fingerprints),
        new_violations=tuple(v for v in violations if v.fingerprint not in baseline.violations),
    )


def parse_baseline(text: str | bytes, *, origin: str = "baseline") -> Baseline:
    """Read an earlier `netviz audit --format json` (the per-pair form)."""
    try:
        data: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{origin}: not valid JSON ({exc})") from None
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
            f'{origin}: no "reachability" list; a baseline must be written without --grouped'
        )
    try:
        pair_set = frozenset((str(p["from"]), str(p["to"])) for p in pairs)
        finding_set = frozenset(str(f["fingerprint"]) for f in data.get("findings", []))
        policy = data.get("policy") or {}
        violation_set = frozenset(str(v["fingerprint"]) for v in policy.get("violations", []))
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{origin}: malformed audit entry ({exc!r})") from None
    return Baseline(origin=origin, pairs=pair_set, findings=finding_set, violations=violation_set)

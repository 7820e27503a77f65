"""The audit: reachability, findings, policy violations and baseline changes in one report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.analysis.baseline import compare
from visualizer.analysis.channels import Channel, ChannelGroups, Channels
from visualizer.analysis.findings import Finding, Severity, audit_findings
from visualizer.analysis.listing import Listing
from visualizer.analysis.reachability import PortPath, Reachability, Verdict
from visualizer.analysis.scope import kept, scope_of
from visualizer.graph import snapshot_of

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.baseline import Baseline, BaselineDiff
    from visualizer.analysis.grouped import Grouped
    from visualizer.analysis.policy import Policy, Violation
    from visualizer.analysis.scope import Scope
    from visualizer.model import Engine
    from visualizer.selection import Selection

PAIR_LIMIT = 10_000
"""Above this many reachable pairs (estimated linearly first), the audit writes the grouped
form unless every pair is asked for (`--all-pairs`), and says so."""


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
class AuditReport:
    """Everything an audit renderer needs; renderers add nothing but form."""

    engine: Engine
    source: str
    captured_at: str
    inspected: bool
    predicted: bool
    """The source is a prediction (compose files): what the engine assigns is unknown."""
    caveats: tuple[str, ...]
    containers: int
    running: int
    findings: tuple[Finding, ...]
    pairs: Listing[Verdict] | None
    """Every reachable ordered pair with an end in the scope (`None` in the grouped form);
    a pair crossing the scope's border has `crossing` set. Made on demand when every pair of
    a large estate is asked for (`--all-pairs`): renderers stream it."""
    port_paths: Listing[PortPath] | None
    grouped: Grouped | None
    scope: Scope | None
    """What the audit is about (`None`: the whole estate)."""
    notes: tuple[str, ...]
    """What the reader should know about this report's form (printed on stderr)."""
    channels: tuple[Channel, ...] | None = None
    """Every channel besides the network with an end in the scope (`None`: grouped form)."""
    channels_grouped: ChannelGroups | None = None
    """The channels in linear form (JSON writes it when they are not listed)."""
    policy: str | None
    """The policy file, when one was checked."""
    violations: tuple[Violation, ...]
    baseline: BaselineDiff | None
    fail_on: Severity | None
    failed: bool
    """Whether the audit fails a pipeline (exit code 1)."""

    def failures(self) -> list[str]:
        """What makes the audit fail, one short phrase each (empty when it passes)."""
        if not self.failed:
            return []

        def bad(findings: tuple[Finding, ...]) -> list[str]:
            threshold = self.fail_on
            return [
                f"{f.severity.label} finding {f.id} ({', '.join(s.name for s in f.subjects)})"
                for f in findings
                if threshold is not None and f.is_open and f.severity >= threshold
            ]

        if self.baseline is not None:
            d = self.baseline
            found = [f"new reachable pair {a} → {b}" for a, b in d.new_pairs]
            found += [f"new {x}" for x in bad(d.new_findings)]
            found += [
                f"new violation of {v.rule!r}: {v.source} → {v.target}" for v in d.new_violations
            ]
            return found
        found = [f"violation of {v.rule!r}: {v.source} → {v.target}" for v in self.violations]
        return found + bad(self.findings)

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
            "for them (a live audit inspects every container unless --no-inspect)."
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
    grouped: bool | None = False,
    policy: Policy | None = None,
    baseline: Baseline | None = None,
    fail_on: Severity | None = Severity.HIGH,
    scope: Selection | None = None,
) -> AuditReport:
    """Run the whole audit over the (unfiltered) graph, about a scope (default: everything).

    `grouped`: `True` per network, `False` every pair, `None` every pair unless there are
    more than `PAIR_LIMIT` (then grouped, with a note).
    """
    from visualizer.analysis.policy import evaluate  # noqa: PLC0415

    snap = snapshot_of(g)
    analysis = analyse(g)
    reach = analysis.reach
    area = scope_of(g, scope) if scope is not None else None
    inside = area.containers if area is not None else None
    found = kept(area, analysis.findings)
    violations = (
        tuple(evaluate(policy, reach, analysis.channels, within=inside))
        if policy is not None
        else ()
    )
    notes: list[str] = []
    expected = reach.estimate_pairs(inside) + reach.estimate_port_paths(inside)
    if grouped is None:
        grouped = expected > PAIR_LIMIT
        if grouped:
            notes.append(
                f"up to {expected:,} reachable pairs and port paths (more than {PAIR_LIMIT:,}): "
                "wrote the grouped form; --all-pairs lists every pair"
            )
    pairs = port_paths = None
    channels: tuple[Channel, ...] | None = None
    if not grouped or baseline is not None:
        listing = Listing.made_by if expected > PAIR_LIMIT else Listing.held
        pairs = listing(lambda: reach.around(inside))
        port_paths = listing(lambda: reach.port_paths_around(inside))
    if not grouped:
        listed = analysis.channels.around(inside, PAIR_LIMIT)
        channels = tuple(listed) if listed is not None else None
        if listed is None:
            notes.append(
                f"more than {PAIR_LIMIT:,} channels besides the network: wrote them grouped"
            )
    diff = None
    if baseline is not None:
        diff = compare(
            baseline, pairs or (), found, violations, kept=area.keeps_names if area else None
        )
    return AuditReport(
        engine=snap.engine,
        source=snap.source,
        captured_at=snap.captured_at,
        inspected=snap.inspected,
        predicted=snap.predicted,
        caveats=tuple(caveats(g)),
        containers=len(inside) if inside is not None else len(snap.containers),
        running=sum(1 for k in inside or reach.container_keys() if reach.is_running(k)),
        findings=found,
        pairs=None if grouped else pairs,
        port_paths=None if grouped else port_paths,
        grouped=reach.grouped(inside) if grouped else None,
        scope=area,
        notes=tuple(notes),
        channels=channels,
        channels_grouped=analysis.channels.grouped(),
        policy=policy.origin if policy is not None else None,
        violations=violations,
        baseline=diff,
        fail_on=fail_on,
        failed=_fails(found, violations, diff, fail_on),
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

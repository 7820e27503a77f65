"""Audit findings A1–A29, from API data only.

The network rules of `docker-network-semantics.md` (A1–A20) and isolation beyond the network
(mounts, sockets, privileges: A21–A29).

Where the API cannot tell (daemon flags, swarm services not gathered), the finding is
reported with status `unknown` instead of being guessed or left out. What each rule is (title,
severity, CIS control, remediation) is in `visualizer.analysis.catalogue`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import CIS_BENCHMARK, FindingStatus, Severity, rule_order
from visualizer.analysis.findings import containers as by_container
from visualizer.analysis.findings import engine as by_engine
from visualizer.analysis.findings import networks as by_network
from visualizer.analysis.findings.isolation import isolation_findings
from visualizer.analysis.findings.ports import published
from visualizer.analysis.findings.record import Finding, Subject
from visualizer.model import qualified_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.model import Snapshot

__all__ = [
    "CIS_BENCHMARK",
    "Finding",
    "FindingStatus",
    "Severity",
    "Subject",
    "audit_findings",
]


def audit_findings(snapshot: Snapshot, extra: Iterable[Finding] = ()) -> list[Finding]:
    """Every finding for a snapshot, sorted by severity (worst first), then rule and subject.

    `extra` adds findings computed over the graph (A29 needs reachability and channels).
    """
    engine = snapshot.engine_of
    containers = list(snapshot.containers)
    networks = list(snapshot.networks)
    by_id = {c.id: c for c in containers}
    found: list[Finding] = []
    found += by_container.host_mode(containers)
    found += by_container.shared_stacks(containers, by_id)
    found += published(containers, engine)
    found += by_container.default_bridge(containers, networks, engine)
    found += by_container.links(containers)
    found += by_container.multi_homed(containers, networks, inspected=snapshot.inspected)
    found += by_network.internal_host_access(networks, containers, engine)
    found += by_network.l2_drivers(containers, networks)
    found += by_network.overlays(networks)
    found += by_network.gateway_options(networks, engine)
    found += by_engine.swarm(snapshot)
    found += by_engine.daemon_unknowns()
    found += isolation_findings(containers)
    found += extra
    found = _qualify(found, snapshot)
    return sorted(
        found,
        key=lambda f: (
            not f.is_open,
            -f.severity,
            rule_order(f.id),
            [s.name for s in f.subjects],
            f.detail,
        ),
    )


def _qualify(found: list[Finding], snapshot: Snapshot) -> list[Finding]:
    """Name subjects as every output does where several objects share a name."""
    names = (
        qualified_names(snapshot.containers)
        | qualified_names(snapshot.networks)
        | qualified_names(snapshot.services)
    )

    def fix(s: Subject) -> Subject:
        return replace(s, name=names.get(s.id, s.name))

    return [replace(f, subjects=tuple(fix(s) for s in f.subjects)) for f in found]

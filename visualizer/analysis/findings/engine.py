"""Findings about the engines and the swarm: A16, A17, A20."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import FindingStatus, Severity
from visualizer.analysis.findings.record import Finding, Subject, finding

if TYPE_CHECKING:
    from visualizer.model import Snapshot


def swarm(snapshot: Snapshot) -> list[Finding]:
    """A16 (ingress-published ports) and A17 (swarm active)."""
    engines = [h.engine for h in snapshot.hosts] or [snapshot.engine]
    active = [e for e in engines if e.swarm_state in {"active", "pending", "locked"}]
    if not active and not snapshot.nodes:
        return []
    subjects = tuple(Subject(kind="engine", name=e.name or "engine") for e in active)
    found = [
        finding(
            "A17",
            subjects=subjects,
            explanation=(
                "Swarm mode opens its management and data ports; leave it off unless needed."
            ),
        )
    ]
    if not snapshot.services:
        found.append(
            finding(
                "A16",
                title="Swarm ingress-published ports not audited",
                subjects=subjects,
                explanation=(
                    "Ports published through the swarm ingress mesh bind all interfaces on every "
                    "node and do not show in container port data; this capture read no swarm "
                    "services (capture a manager)."
                ),
                status=FindingStatus.UNKNOWN,
            )
        )
    for service in snapshot.services:
        ingress = [p for p in service.ports if p.mode == "ingress" and p.published]
        if not ingress:
            continue
        text = ", ".join(f"{p.published}->{p.target}/{p.protocol}" for p in ingress)
        found.append(
            finding(
                "A16",
                subjects=(Subject(kind="service", name=service.name, id=service.id),),
                explanation=(
                    f"Service {service.name} publishes {text} in ingress mode: open on all "
                    "interfaces of every node of its swarm, whichever runs a task, and "
                    "invisible in container port data. Publish in host mode, or put a proxy "
                    "in front."
                ),
                detail=text,
            )
        )
    return found


def daemon_unknowns() -> list[Finding]:
    """A20: daemon settings that decide isolation but are not in the API."""
    daemon = (Subject(kind="engine", name="daemon"),)
    return [
        finding(
            "A20",
            title="Daemon iptables management cannot be checked",
            subjects=daemon,
            explanation=(
                "With dockerd --iptables=false no network isolation is enforced at all; the "
                "Engine API does not say whether it is set. Check the daemon configuration."
            ),
            status=FindingStatus.UNKNOWN,
            detail="iptables",
        ),
        finding(
            "A20",
            severity=Severity.LOW,
            title="Userland proxy setting cannot be checked",
            subjects=daemon,
            explanation=(
                "The userland proxy (docker-proxy) handles hairpin and loopback traffic to "
                "published ports; the Engine API does not say whether it is on."
            ),
            cis="2.16",
            status=FindingStatus.UNKNOWN,
            detail="userland-proxy",
        ),
    ]

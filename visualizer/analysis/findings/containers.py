"""Findings about how containers are attached: A1, A2, A9–A12."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import Severity
from visualizer.analysis.findings.ports import exposed_ports
from visualizer.analysis.findings.record import (
    Finding,
    Subject,
    container_subject,
    finding,
    members,
    names,
    network_subject,
)
from visualizer.analysis.peering import icc_enforced

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from visualizer.model import Container, Engine, Network


def host_mode(containers: Iterable[Container]) -> list[Finding]:
    """A1: containers on the host's network stack."""
    return [
        finding(
            "A1",
            subjects=(container_subject(c),),
            explanation=(
                f"{c.name} runs with --network host: whatever it listens on is open on every "
                "host address, reachable from outside and from every container through its "
                "gateway, and none of it shows in port data."
            ),
        )
        for c in containers
        if c.is_host_mode
    ]


def shared_stacks(containers: list[Container], by_id: dict[str, Container]) -> list[Finding]:
    """A2: sidecars that share the stack of a host-mode or exposed container."""
    found = []
    for c in containers:
        owner, seen = c, {c.id}
        while owner.netns_target is not None:
            nxt = by_id.get(owner.netns_target)
            if nxt is None or nxt.id in seen:
                break
            seen.add(nxt.id)
            owner = nxt
        if owner is c:
            continue
        if owner.is_host_mode:
            severity, what = Severity.HIGH, "the host's network stack"
        elif exposed_ports(owner):
            severity, what = Severity.MEDIUM, "ports published on all host interfaces"
        else:
            continue
        found.append(
            finding(
                "A2",
                severity=severity,
                subjects=(container_subject(c), container_subject(owner)),
                explanation=(
                    f"{c.name} shares the network stack of {owner.name} (container: mode), which "
                    f"has {what}; whatever {c.name} listens on is exposed the same way."
                ),
            )
        )
    return found


def default_bridge(
    containers: list[Container], networks: list[Network], engine_of: Callable[[str], Engine]
) -> list[Finding]:
    """A9 and A10, for the default bridge of every engine in the snapshot."""
    found: list[Finding] = []
    attached = members(containers, running=False)
    for bridge in (n for n in networks if n.is_default_bridge):
        found += _one_default_bridge(bridge, attached.get(bridge.id, []), engine_of(bridge.host))
    return found


def _one_default_bridge(bridge: Network, users: list[Container], engine: Engine) -> list[Finding]:
    found: list[Finding] = []
    where = f" of {bridge.host}" if bridge.host else ""
    if users:
        found.append(
            finding(
                "A9",
                subjects=tuple(container_subject(c) for c in users),
                explanation=(
                    f"{names(users)} use the default bridge{where}: no DNS between containers, "
                    "every container started without --network lands there and can reach them. "
                    "Use user-defined networks."
                ),
            )
        )
    if bridge.icc:
        found.append(
            finding(
                "A10",
                severity=Severity.MEDIUM if users else Severity.LOW,
                subjects=(network_subject(bridge),),
                explanation=(
                    f"The default bridge{where} lets its containers talk to each other "
                    "(daemon --icc is not false), so any container started without --network can "
                    "reach the others there."
                ),
                detail=bridge.host,
            )
        )
    elif not icc_enforced(engine):
        found.append(
            finding(
                "A10",
                severity=Severity.MEDIUM,
                title="Inter-container traffic restriction not enforced by the kernel",
                subjects=(network_subject(bridge),),
                explanation=(
                    f"icc is off on the default bridge{where}, but the engine reports "
                    "bridge-nf-call-iptables off, so bridged traffic bypasses the rule "
                    "(moby#11404)."
                ),
                rules=("R4",),
                detail=bridge.host,
            )
        )
    return found


def links(containers: list[Container]) -> list[Finding]:
    """A11: legacy links."""
    return [
        finding(
            "A11",
            subjects=(container_subject(c), Subject(kind="container", name=lk.target)),
            explanation=(
                f"{c.name} links to {lk.target} as {lk.alias!r} (--link): {lk.target}'s "
                f"environment variables are copied into {c.name}. Use a user-defined network."
            ),
            detail=lk.alias,
        )
        for c in containers
        for lk in c.links
    ]


def multi_homed(
    containers: list[Container], networks: list[Network], *, inspected: bool
) -> list[Finding]:
    """A12: containers on several networks, worse when they can forward between them."""
    found = []
    net_by_id = {n.id: n for n in networks}
    for c in containers:
        attached = [net_by_id[ep.network_id] for ep in c.endpoints if ep.network_id in net_by_id]
        bridged = [n for n in attached if n.driver not in {"host", "null"}]
        if len(bridged) < 2:  # noqa: PLR2004
            continue
        risky = forwarding_powers(c)
        trust = {(n.internal, n.compose_project, n.driver) for n in bridged}
        if risky:
            severity = Severity.HIGH
        elif len(trust) > 1:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        powers = (
            f" It has {', '.join(risky)}, so it can route between them."
            if risky
            else " Capabilities unknown: take the snapshot with --inspect."
            if not inspected and c.privileged is None
            else " IP forwarding is inherited from the host in its namespace."
        )
        nets = ", ".join(n.name for n in bridged)
        found.append(
            finding(
                "A12",
                severity=severity,
                subjects=(container_subject(c), *(network_subject(n) for n in bridged)),
                explanation=(
                    f"{c.name} sits on {nets}. Docker keeps the networks apart, but {c.name} "
                    f"reaches both sides and can forward packets between them.{powers}"
                ),
                cite=bool(c.privileged) or "NET_ADMIN" in risky,
                cis="5.5" if c.privileged else None,
                detail=nets,
            )
        )
    return found


def forwarding_powers(c: Container) -> list[str]:
    """What lets a container route packets between its networks."""
    powers = []
    if c.privileged:
        powers.append("--privileged")
    if c.cap_add and any(
        cap.upper().removeprefix("CAP_") in {"NET_ADMIN", "ALL"} for cap in c.cap_add
    ):
        powers.append("NET_ADMIN")
    for key, value in (c.sysctls or {}).items():
        if key.endswith("ip_forward") and value.strip() == "1":
            powers.append(f"sysctl {key}=1")
    return powers

"""Findings about networks: A8, A13–A15, A18, A19."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import FindingStatus, Severity
from visualizer.analysis.findings.record import (
    Finding,
    container_subject,
    engine_text,
    finding,
    members,
    names,
    network_subject,
)
from visualizer.analysis.versions import at_least, engine_version

if TYPE_CHECKING:
    from collections.abc import Callable

    from visualizer.model import Container, Engine, Network

GATEWAY_MODE_OPTIONS = (
    "com.docker.network.bridge.gateway_mode_ipv4",
    "com.docker.network.bridge.gateway_mode_ipv6",
)
TRUSTED_INTERFACES_OPTION = "com.docker.network.bridge.trusted_host_interfaces"
ROUTED_MODES_SINCE = {
    "nat": (27, 0, 0),
    "routed": (27, 0, 0),
    "nat-unprotected": (28, 0, 0),
    "isolated": (28, 0, 0),
}


def internal_host_access(
    networks: list[Network], containers: list[Container], engine_of: Callable[[str], Engine]
) -> list[Finding]:
    """A13: internal networks whose members still reach the host's services."""
    found = []
    running_members = members(containers, running=True)
    host_mode_on: dict[str, list[str]] = {}  # host -> its running host-network containers
    for c in containers:
        if c.is_host_mode and c.is_running:
            host_mode_on.setdefault(c.host, []).append(c.name)
    for net in networks:
        if not net.internal or net.driver != "bridge":
            continue
        on_it = running_members.get(net.id, [])
        if not on_it:
            continue
        isolated = net.options.get(GATEWAY_MODE_OPTIONS[0]) == "isolated"
        if isolated and at_least(engine_of(net.host), (28, 0, 0)) is True:
            continue
        host_mode = host_mode_on.get(net.host, [])
        gws = [s.gateway for s in net.subnets if s.gateway]
        services = (
            f" Host-network containers listening there now: {', '.join(host_mode)}."
            if host_mode
            else ""
        )
        advice = (
            " On Docker 28.0 or later, create it with -o "
            "com.docker.network.bridge.gateway_mode_ipv4=isolated."
        )
        found.append(
            finding(
                "A13",
                severity=Severity.MEDIUM if host_mode else Severity.LOW,
                subjects=(network_subject(net),),
                explanation=(
                    f"{net.name} is --internal, yet its containers ({names(on_it)}) reach every "
                    f"service on the host through the gateway {', '.join(gws) or '(unknown)'} and "
                    f"the host's other addresses.{services}{advice}"
                ),
            )
        )
    return found


def l2_drivers(containers: list[Container], networks: list[Network]) -> list[Finding]:
    """A14: macvlan and ipvlan members, directly on the LAN."""
    found = []
    attached = members(containers, running=False)
    for net in networks:
        if net.driver not in {"macvlan", "ipvlan"}:
            continue
        on_it = attached.get(net.id, [])
        if not on_it:
            continue
        found.append(
            finding(
                "A14",
                title=f"Containers directly on the physical network ({net.driver})",
                subjects=(network_subject(net), *(container_subject(c) for c in on_it)),
                explanation=(
                    f"{names(on_it)} sit on {net.name}, a {net.driver} network on "
                    f"{net.options.get('parent', 'a host interface')}: every port they listen on "
                    "is open to the LAN, with no Docker firewalling and no port publishing."
                ),
                rules=("R17",) if net.driver == "macvlan" else ("R18",),
            )
        )
    return found


def overlays(networks: list[Network]) -> list[Finding]:
    """A15 (unencrypted) and A18 (attachable) overlays."""
    found = []
    for net in networks:
        if net.driver != "overlay":
            continue
        if not net.encrypted:
            found.append(
                finding(
                    "A15",
                    subjects=(network_subject(net),),
                    explanation=(
                        f"Traffic between nodes on {net.name} crosses the wire as plain VXLAN; "
                        "create it with --opt encrypted."
                    ),
                )
            )
        if net.attachable and not net.ingress:
            found.append(
                finding(
                    "A18",
                    subjects=(network_subject(net),),
                    explanation=(
                        f"{net.name} is --attachable: any standalone container on any node of the "
                        "swarm can join it and reach its services."
                    ),
                )
            )
    return found


def gateway_options(networks: list[Network], engine_of: Callable[[str], Engine]) -> list[Finding]:
    """A8 (gateway modes and trusted interfaces that let traffic in) and A19 (ignored ones)."""
    found = []
    for net in networks:
        engine = engine_of(net.host)
        for key in GATEWAY_MODE_OPTIONS:
            mode = net.options.get(key)
            if mode is None:
                continue
            since = ROUTED_MODES_SINCE.get(mode)
            honoured = at_least(engine, since) if since else False
            if honoured is not True:
                found.append(_ignored_option(net, key, mode, engine, since))
            elif mode in {"routed", "nat-unprotected"}:
                high = mode == "nat-unprotected"
                found.append(
                    finding(
                        "A8",
                        severity=Severity.HIGH if high else Severity.MEDIUM,
                        title=f"Network gateway mode {mode}",
                        subjects=(network_subject(net),),
                        explanation=(
                            f"{net.name} uses {key}={mode}: "
                            + (
                                "every container port is reachable by direct routing, "
                                "published or not."
                                if high
                                else "no NAT; published ports are reachable directly at the "
                                "container's address, also from other networks."
                            )
                        ),
                        detail=f"{key}={mode}",
                    )
                )
        trusted = net.options.get(TRUSTED_INTERFACES_OPTION)
        if trusted is None:
            continue
        if at_least(engine, (28, 2, 0)) is True:
            found.append(
                finding(
                    "A8",
                    title="Trusted host interfaces bypass port filtering",
                    subjects=(network_subject(net),),
                    explanation=(
                        f"On {net.name}, traffic from {trusted} may reach container ports directly."
                    ),
                    detail=f"{TRUSTED_INTERFACES_OPTION}={trusted}",
                    rules=("R16",),
                )
            )
        else:
            found.append(
                _ignored_option(net, TRUSTED_INTERFACES_OPTION, trusted, engine, (28, 2, 0))
            )
    return found


def _ignored_option(
    net: Network, key: str, value: str, engine: Engine, since: tuple[int, int, int] | None
) -> Finding:
    needs = f"needs Docker {since[0]}.{since[1]}" if since else "is not a known value"
    return finding(
        "A19",
        subjects=(network_subject(net),),
        explanation=(
            f"{net.name} carries {key}={value}, which {needs}; {engine_text(engine)} stores it "
            "and ignores it, so netviz does not credit it."
        ),
        status=FindingStatus.OPEN if engine_version(engine) else FindingStatus.UNKNOWN,
        detail=f"{key}={value}",
        rules=("R15",) if "gateway_mode" in key else ("R16",),
    )

"""Audit findings A1–A20 of `docker-network-semantics.md`, from API data only.

Where the API cannot tell (daemon flags, swarm services not gathered), the finding is
reported with status `unknown` instead of being guessed or left out. CIS numbers and titles
follow CIS Docker Benchmark v1.6.0 as implemented by docker-bench-security; they differ in
other CIS versions, so both number and title are given.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import TYPE_CHECKING

from visualizer.analysis.peering import icc_enforced
from visualizer.analysis.versions import at_least, engine_version
from visualizer.model import qualified_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from visualizer.model import Container, Engine, Network, Port, Snapshot

CIS_BENCHMARK = "CIS Docker Benchmark v1.6.0"

CIS_TITLES = {
    "2.2": "Ensure network traffic is restricted between containers on the default bridge",
    "2.4": "Ensure Docker is allowed to make changes to iptables",
    "2.16": "Ensure that userland proxy is disabled",
    "5.1": "Ensure swarm mode is not Enabled, if not needed",
    "5.4": "Ensure that privileged containers are not used",
    "5.8": "Ensure that privileged ports are not mapped within containers",
    "5.9": "Ensure that only needed ports are open on the container",
    "5.10": "Ensure that the host's network namespace is not shared",
    "5.14": "Ensure that incoming container traffic is bound to a specific host interface",
    "5.30": 'Ensure that Docker\'s default bridge "docker0" is not used',
    "7.3": "Ensure that all Docker swarm overlay networks are encrypted",
}

SENSITIVE_PORTS = {
    22: "SSH",
    23: "Telnet",
    1433: "SQL Server",
    1521: "Oracle",
    2375: "Docker API (plain)",
    2376: "Docker API",
    2379: "etcd",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5672: "RabbitMQ",
    5984: "CouchDB",
    6379: "Redis",
    8086: "InfluxDB",
    8500: "Consul",
    9042: "Cassandra",
    9200: "Elasticsearch",
    11211: "Memcached",
    15672: "RabbitMQ management",
    27017: "MongoDB",
}

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
LOOPBACK_FIX = (28, 0, 0)


class Severity(IntEnum):
    """How bad a finding is; ordered, so `--fail-on` compares."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """Lower-case name, as written in every output."""
        return self.name.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What a finding is about."""

    kind: str
    """`container`, `network`, `engine`, `service` or `port`."""
    name: str
    """Its name; `host/name` (or `name@short-ID`) when several objects of the snapshot use it."""
    id: str = ""
    """The engine ID of a container, network or service: how its name is qualified."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One audit finding."""

    id: str
    """Rule ID, `A1`–`A20`."""
    severity: Severity
    title: str
    subjects: tuple[Subject, ...]
    explanation: str
    cis: str | None = None
    """CIS Docker Benchmark v1.6.0 control number, when one exists."""
    status: str = "open"
    """`open` (found in the data) or `unknown` (the API cannot tell)."""
    rules: tuple[str, ...] = ()
    """Reachability rules behind it (R-numbers)."""
    detail: str = ""
    """What makes this instance distinct (e.g. the ports), part of the fingerprint."""

    @property
    def cis_title(self) -> str | None:
        """Title of the CIS control."""
        return CIS_TITLES.get(self.cis) if self.cis else None

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines: rule, subjects and detail, not wording."""
        subjects = ",".join(f"{s.kind}:{s.name}" for s in self.subjects)
        raw = f"{self.id}|{subjects}|{self.detail}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def audit_findings(snapshot: Snapshot) -> list[Finding]:
    """Every finding for a snapshot, sorted by severity (worst first), then rule and subject."""
    engine = snapshot.engine_of
    found: list[Finding] = []
    containers = sorted(snapshot.containers, key=lambda c: (c.name, c.id))
    networks = sorted(snapshot.networks, key=lambda n: (n.name, n.id))
    by_id = {c.id: c for c in containers}
    found += _host_mode(containers)
    found += _shared_stacks(containers, by_id)
    found += _published(containers, engine)
    found += _default_bridge(containers, networks, engine)
    found += _links(containers)
    found += _multi_homed(containers, networks, inspected=snapshot.inspected)
    found += _internal_host_access(networks, containers, engine)
    found += _l2_drivers(containers, networks)
    found += _overlays(networks)
    found += _gateway_options(networks, engine)
    found += _swarm(snapshot)
    found += _daemon_unknowns()
    found = _qualify(found, snapshot)
    order = {f"A{i}": i for i in range(1, 21)}
    return sorted(
        found,
        key=lambda f: (
            f.status != "open",
            -f.severity,
            order.get(f.id, 99),
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


def _c(c: Container) -> Subject:
    return Subject(kind="container", name=c.name, id=c.id)


def _n(n: Network) -> Subject:
    return Subject(kind="network", name=n.name, id=n.id)


def _host_mode(containers: Iterable[Container]) -> list[Finding]:
    return [
        Finding(
            id="A1",
            severity=Severity.HIGH,
            title="Container uses the host's network stack",
            subjects=(_c(c),),
            explanation=(
                f"{c.name} runs with --network host: whatever it listens on is open on every "
                "host address, reachable from outside and from every container through its "
                "gateway, and none of it shows in port data."
            ),
            cis="5.10",
            rules=("R9",),
        )
        for c in containers
        if c.is_host_mode
    ]


def _exposed_ports(c: Container) -> list[Port]:
    return [p for p in c.ports if p.published and _all_interfaces(p.host_ip)]


def _shared_stacks(containers: list[Container], by_id: dict[str, Container]) -> list[Finding]:
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
        elif _exposed_ports(owner):
            severity, what = Severity.MEDIUM, "ports published on all host interfaces"
        else:
            continue
        found.append(
            Finding(
                id="A2",
                severity=severity,
                title="Container inherits another container's exposure",
                subjects=(_c(c), _c(owner)),
                explanation=(
                    f"{c.name} shares the network stack of {owner.name} (container: mode), which "
                    f"has {what}; whatever {c.name} listens on is exposed the same way."
                ),
                rules=("R7",),
            )
        )
    return found


def _published(containers: list[Container], engine_of: Callable[[str], Engine]) -> list[Finding]:
    found = []
    for c in containers:
        engine = engine_of(c.host)
        old_engine = at_least(engine, LOOPBACK_FIX)
        published = sorted(
            (p for p in c.ports if p.published),
            key=lambda p: (p.host_port or 0, p.protocol, p.host_ip or ""),
        )
        if not published:
            continue
        text = ", ".join(_port_text(p) for p in published)
        found.append(
            Finding(
                id="A5",
                severity=Severity.INFO,
                title="Published ports",
                subjects=(_c(c),),
                explanation=f"{c.name} publishes {text}.",
                cis="5.9",
                detail=text,
                rules=("R11",),
            )
        )
        wide = [p for p in published if _all_interfaces(p.host_ip)]
        if wide:
            sensitive = sorted(
                {
                    SENSITIVE_PORTS[p.container_port]
                    for p in wide
                    if p.container_port in SENSITIVE_PORTS
                }
                | {SENSITIVE_PORTS[p.host_port] for p in wide if p.host_port in SENSITIVE_PORTS}
            )
            wide_text = ", ".join(_port_text(p) for p in wide)
            extra = (
                f" It carries {', '.join(sensitive)}, which should not face every network."
                if sensitive
                else ""
            )
            found.append(
                Finding(
                    id="A3",
                    severity=Severity.HIGH if sensitive else Severity.MEDIUM,
                    title="Port published on all host interfaces",
                    subjects=(_c(c),),
                    explanation=(
                        f"{c.name} publishes {wide_text}: open on every host address, IPv4 and "
                        f"IPv6, to anything that can reach the host. Bind it to one address "
                        f"(-p 127.0.0.1:…) unless it must be public.{extra}"
                    ),
                    cis="5.14",
                    detail=wide_text,
                    rules=("R11",),
                )
            )
        low = [p for p in published if p.host_port is not None and 0 < p.host_port < 1024]  # noqa: PLR2004
        if low:
            low_text = ", ".join(_port_text(p) for p in low)
            found.append(
                Finding(
                    id="A4",
                    severity=Severity.LOW,
                    title="Port published on a privileged host port",
                    subjects=(_c(c),),
                    explanation=f"{c.name} publishes {low_text}, below 1024 on the host.",
                    cis="5.8",
                    detail=low_text,
                )
            )
        loop = [p for p in published if _loopback(p.host_ip)]
        if loop and old_engine is not True:
            loop_text = ", ".join(_port_text(p) for p in loop)
            found.append(
                Finding(
                    id="A6",
                    severity=Severity.MEDIUM,
                    title="Loopback-published port reachable from the local network",
                    subjects=(_c(c),),
                    explanation=(
                        f"{c.name} publishes {loop_text} on loopback only, but on "
                        f"{_engine_text(engine)} (before 28.0) a neighbour on the host's LAN can "
                        "still reach it by sending to 127.0.0.1 or by routing to the container's "
                        "address (moby#45610). Upgrade to 28.0 or later."
                    ),
                    status="open" if old_engine is False else "unknown",
                    detail=loop_text,
                    rules=("R12",),
                )
            )
        if old_engine is not True:
            found.append(
                Finding(
                    id="A7",
                    severity=Severity.MEDIUM,
                    title="Published container ports reachable by direct routing",
                    subjects=(_c(c),),
                    explanation=(
                        f"On {_engine_text(engine)} (before 28.0) any host on the LAN that routes "
                        f"to {c.name}'s address reaches its published container ports directly, "
                        "whatever host address they are bound to."
                    ),
                    status="open" if old_engine is False else "unknown",
                    detail=text,
                    rules=("R14",),
                )
            )
    return found


def _default_bridge(
    containers: list[Container], networks: list[Network], engine_of: Callable[[str], Engine]
) -> list[Finding]:
    """A9 and A10, for the default bridge of every engine in the snapshot."""
    found: list[Finding] = []
    attached = _members(containers, running=False)
    for bridge in (n for n in networks if n.is_default_bridge):
        found += _one_default_bridge(bridge, attached.get(bridge.id, []), engine_of(bridge.host))
    return found


def _one_default_bridge(bridge: Network, users: list[Container], engine: Engine) -> list[Finding]:
    found: list[Finding] = []
    where = f" of {bridge.host}" if bridge.host else ""
    if users:
        found.append(
            Finding(
                id="A9",
                severity=Severity.LOW,
                title="Containers on the default bridge",
                subjects=tuple(_c(c) for c in users),
                explanation=(
                    f"{_names(users)} use the default bridge{where}: no DNS between containers, "
                    "every container started without --network lands there and can reach them. "
                    "Use user-defined networks."
                ),
                cis="5.30",
                rules=("R2",),
            )
        )
    if bridge.icc:
        found.append(
            Finding(
                id="A10",
                severity=Severity.MEDIUM if users else Severity.LOW,
                title="Inter-container traffic allowed on the default bridge",
                subjects=(_n(bridge),),
                explanation=(
                    f"The default bridge{where} lets its containers talk to each other "
                    "(daemon --icc is not false), so any container started without --network can "
                    "reach the others there."
                ),
                cis="2.2",
                rules=("R2",),
                detail=bridge.host,
            )
        )
    elif not icc_enforced(engine):
        found.append(
            Finding(
                id="A10",
                severity=Severity.MEDIUM,
                title="Inter-container traffic restriction not enforced by the kernel",
                subjects=(_n(bridge),),
                explanation=(
                    f"icc is off on the default bridge{where}, but the engine reports "
                    "bridge-nf-call-iptables off, so bridged traffic bypasses the rule "
                    "(moby#11404)."
                ),
                cis="2.2",
                rules=("R4",),
                detail=bridge.host,
            )
        )
    return found


def _links(containers: list[Container]) -> list[Finding]:
    return [
        Finding(
            id="A11",
            severity=Severity.LOW,
            title="Legacy container link",
            subjects=(_c(c), Subject(kind="container", name=lk.target)),
            explanation=(
                f"{c.name} links to {lk.target} as {lk.alias!r} (--link): {lk.target}'s "
                f"environment variables are copied into {c.name}. Use a user-defined network."
            ),
            detail=lk.alias,
            rules=("R2",),
        )
        for c in containers
        for lk in c.links
    ]


def _multi_homed(
    containers: list[Container], networks: list[Network], *, inspected: bool
) -> list[Finding]:
    found = []
    net_by_id = {n.id: n for n in networks}
    for c in containers:
        attached = [net_by_id[ep.network_id] for ep in c.endpoints if ep.network_id in net_by_id]
        bridged = [n for n in attached if n.driver not in {"host", "null"}]
        if len(bridged) < 2:  # noqa: PLR2004
            continue
        risky = _forwarding_powers(c)
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
            Finding(
                id="A12",
                severity=severity,
                title="Container bridges several networks",
                subjects=(_c(c), *(_n(n) for n in bridged)),
                explanation=(
                    f"{c.name} sits on {nets}. Docker keeps the networks apart, but {c.name} "
                    f"reaches both sides and can forward packets between them.{powers}"
                ),
                cis="5.4" if c.privileged else None,
                detail=nets,
                rules=("R6",),
            )
        )
    return found


def _forwarding_powers(c: Container) -> list[str]:
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


def _internal_host_access(
    networks: list[Network], containers: list[Container], engine_of: Callable[[str], Engine]
) -> list[Finding]:
    found = []
    running_members = _members(containers, running=True)
    host_mode_on: dict[str, list[str]] = {}  # host -> its running host-network containers
    for c in containers:
        if c.is_host_mode and c.is_running:
            host_mode_on.setdefault(c.host, []).append(c.name)
    for net in networks:
        if not net.internal or net.driver != "bridge":
            continue
        members = running_members.get(net.id, [])
        if not members:
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
            Finding(
                id="A13",
                severity=Severity.MEDIUM if host_mode else Severity.LOW,
                title="Internal network can still reach host services",
                subjects=(_n(net),),
                explanation=(
                    f"{net.name} is --internal, yet its containers ({_names(members)}) reach every "
                    f"service on the host through the gateway {', '.join(gws) or '(unknown)'} and "
                    f"the host's other addresses.{services}{advice}"
                ),
                rules=("R5", "R9"),
            )
        )
    return found


def _l2_drivers(containers: list[Container], networks: list[Network]) -> list[Finding]:
    found = []
    attached = _members(containers, running=False)
    for net in networks:
        if net.driver not in {"macvlan", "ipvlan"}:
            continue
        members = attached.get(net.id, [])
        if not members:
            continue
        found.append(
            Finding(
                id="A14",
                severity=Severity.MEDIUM,
                title=f"Containers directly on the physical network ({net.driver})",
                subjects=(_n(net), *(_c(c) for c in members)),
                explanation=(
                    f"{_names(members)} sit on {net.name}, a {net.driver} network on "
                    f"{net.options.get('parent', 'a host interface')}: every port they listen on "
                    "is open to the LAN, with no Docker firewalling and no port publishing."
                ),
                rules=("R17",) if net.driver == "macvlan" else ("R18",),
            )
        )
    return found


def _overlays(networks: list[Network]) -> list[Finding]:
    found = []
    for net in networks:
        if net.driver != "overlay":
            continue
        if not net.encrypted:
            found.append(
                Finding(
                    id="A15",
                    severity=Severity.MEDIUM,
                    title="Overlay network is not encrypted",
                    subjects=(_n(net),),
                    explanation=(
                        f"Traffic between nodes on {net.name} crosses the wire as plain VXLAN; "
                        "create it with --opt encrypted."
                    ),
                    cis="7.3",
                    rules=("R21",),
                )
            )
        if net.attachable and not net.ingress:
            found.append(
                Finding(
                    id="A18",
                    severity=Severity.LOW,
                    title="Attachable overlay network",
                    subjects=(_n(net),),
                    explanation=(
                        f"{net.name} is --attachable: any standalone container on any node of the "
                        "swarm can join it and reach its services."
                    ),
                    rules=("R19",),
                )
            )
    return found


def _gateway_options(networks: list[Network], engine_of: Callable[[str], Engine]) -> list[Finding]:
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
                    Finding(
                        id="A8",
                        severity=Severity.HIGH if high else Severity.MEDIUM,
                        title=f"Network gateway mode {mode}",
                        subjects=(_n(net),),
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
                        rules=("R15",),
                    )
                )
        trusted = net.options.get(TRUSTED_INTERFACES_OPTION)
        if trusted is not None:
            if at_least(engine, (28, 2, 0)) is True:
                found.append(
                    Finding(
                        id="A8",
                        severity=Severity.MEDIUM,
                        title="Trusted host interfaces bypass port filtering",
                        subjects=(_n(net),),
                        explanation=(
                            f"On {net.name}, traffic from {trusted} may reach container ports "
                            "directly."
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
    return Finding(
        id="A19",
        severity=Severity.INFO,
        title="Network option stored but not honoured",
        subjects=(_n(net),),
        explanation=(
            f"{net.name} carries {key}={value}, which {needs}; {_engine_text(engine)} stores it "
            "and ignores it, so netviz does not credit it."
        ),
        status="open" if engine_version(engine) is not None else "unknown",
        detail=f"{key}={value}",
        rules=("R15",) if "gateway_mode" in key else ("R16",),
    )


def _swarm(snapshot: Snapshot) -> list[Finding]:
    """A16 (ingress-published ports) and A17 (swarm active)."""
    engines = [h.engine for h in snapshot.hosts] or [snapshot.engine]
    active = [e for e in engines if e.swarm_state in {"active", "pending", "locked"}]
    if not active and not snapshot.nodes:
        return []
    found = [
        Finding(
            id="A17",
            severity=Severity.LOW,
            title="Swarm mode is active",
            subjects=tuple(Subject(kind="engine", name=e.name or "engine") for e in active),
            explanation=(
                "Swarm mode opens its management and data ports; leave it off unless needed."
            ),
            cis="5.1",
        )
    ]
    if not snapshot.services:
        found.append(
            Finding(
                id="A16",
                severity=Severity.MEDIUM,
                title="Swarm ingress-published ports not audited",
                subjects=tuple(Subject(kind="engine", name=e.name or "engine") for e in active),
                explanation=(
                    "Ports published through the swarm ingress mesh bind all interfaces on every "
                    "node and do not show in container port data; this capture read no swarm "
                    "services (capture a manager)."
                ),
                cis="5.14",
                status="unknown",
                rules=("R20",),
            )
        )
    for service in snapshot.services:
        ingress = [p for p in service.ports if p.mode == "ingress" and p.published]
        if not ingress:
            continue
        text = ", ".join(f"{p.published}->{p.target}/{p.protocol}" for p in ingress)
        found.append(
            Finding(
                id="A16",
                severity=Severity.MEDIUM,
                title="Swarm service published through the ingress mesh",
                subjects=(Subject(kind="service", name=service.name, id=service.id),),
                explanation=(
                    f"Service {service.name} publishes {text} in ingress mode: open on all "
                    "interfaces of every node of its swarm, whichever runs a task, and "
                    "invisible in container port data. Publish in host mode, or put a proxy "
                    "in front."
                ),
                cis="5.14",
                detail=text,
                rules=("R20",),
            )
        )
    return found


def _daemon_unknowns() -> list[Finding]:
    return [
        Finding(
            id="A20",
            severity=Severity.CRITICAL,
            title="Daemon iptables management cannot be checked",
            subjects=(Subject(kind="engine", name="daemon"),),
            explanation=(
                "With dockerd --iptables=false no network isolation is enforced at all; the "
                "Engine API does not say whether it is set. Check the daemon configuration."
            ),
            cis="2.4",
            status="unknown",
            detail="iptables",
        ),
        Finding(
            id="A20",
            severity=Severity.LOW,
            title="Userland proxy setting cannot be checked",
            subjects=(Subject(kind="engine", name="daemon"),),
            explanation=(
                "The userland proxy (docker-proxy) handles hairpin and loopback traffic to "
                "published ports; the Engine API does not say whether it is on."
            ),
            cis="2.16",
            status="unknown",
            detail="userland-proxy",
        ),
    ]


def _members(containers: list[Container], *, running: bool) -> dict[str, list[Container]]:
    """Containers per network ID (only running ones when `running`)."""
    found: dict[str, list[Container]] = {}
    for c in containers:
        if running and not c.is_running:
            continue
        for ep in c.endpoints:
            found.setdefault(ep.network_id, []).append(c)
    return found


def _port_text(p: Port) -> str:
    ip = p.host_ip or "0.0.0.0"  # noqa: S104
    host = f"[{ip}]" if ":" in ip else ip
    return f"{host}:{p.host_port}->{p.container_port}/{p.protocol}"


def _all_interfaces(ip: str | None) -> bool:
    try:
        return ipaddress.ip_address(ip or "0.0.0.0").is_unspecified  # noqa: S104
    except ValueError:
        return False


def _loopback(ip: str | None) -> bool:
    try:
        return ipaddress.ip_address(ip or "0.0.0.0").is_loopback  # noqa: S104
    except ValueError:
        return False


def _engine_text(engine: Engine) -> str:
    return (
        f"Docker {engine.server_version}"
        if engine.server_version
        else "this engine (version unknown)"
    )


def _names(containers: Iterable[Container], limit: int = 8) -> str:
    names = [c.name for c in containers]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")

"""Findings about published ports: A3–A7."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import Severity
from visualizer.analysis.findings.record import (
    Finding,
    all_interfaces,
    container_subject,
    engine_text,
    finding,
    loopback,
    status_of,
)
from visualizer.analysis.versions import at_least
from visualizer.model import port_texts

if TYPE_CHECKING:
    from collections.abc import Callable

    from visualizer.model import Container, Engine, Port

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
LOOPBACK_FIX = (28, 0, 0)
"""Docker 28.0 closed direct routing to published ports (moby#45610, #49325)."""


def exposed_ports(c: Container) -> list[Port]:
    """Ports a container publishes on all host interfaces."""
    return [p for p in c.ports if p.published and all_interfaces(p.host_ip)]


def published(containers: list[Container], engine_of: Callable[[str], Engine]) -> list[Finding]:
    """A5 for every publishing container, and A3, A4, A6, A7 where they apply."""
    found = []
    for c in containers:
        ports = sorted(
            (p for p in c.ports if p.published),
            key=lambda p: (p.host_port or 0, p.protocol, p.host_ip or ""),
        )
        if ports:
            found += _one_container(c, ports, engine_of(c.host))
    return found


def _one_container(c: Container, ports: list[Port], engine: Engine) -> list[Finding]:
    subject = (container_subject(c),)
    old_engine = at_least(engine, LOOPBACK_FIX)
    text = ", ".join(port_texts(ports))
    found = [
        finding("A5", subjects=subject, explanation=f"{c.name} publishes {text}.", detail=text)
    ]
    wide = [p for p in ports if all_interfaces(p.host_ip)]
    if wide:
        sensitive = sorted(
            {SENSITIVE_PORTS[p.container_port] for p in wide if p.container_port in SENSITIVE_PORTS}
            | {SENSITIVE_PORTS[p.host_port] for p in wide if p.host_port in SENSITIVE_PORTS}
        )
        wide_text = ", ".join(port_texts(wide))
        extra = (
            f" It carries {', '.join(sensitive)}, which should not face every network."
            if sensitive
            else ""
        )
        found.append(
            finding(
                "A3",
                severity=Severity.HIGH if sensitive else Severity.MEDIUM,
                subjects=subject,
                explanation=(
                    f"{c.name} publishes {wide_text}: open on every host address, IPv4 and "
                    f"IPv6, to anything that can reach the host. Bind it to one address "
                    f"(-p 127.0.0.1:…) unless it must be public.{extra}"
                ),
                detail=wide_text,
            )
        )
    low = [p for p in ports if p.host_port is not None and 0 < p.host_port < 1024]  # noqa: PLR2004
    if low:
        low_text = ", ".join(port_texts(low))
        found.append(
            finding(
                "A4",
                subjects=subject,
                explanation=f"{c.name} publishes {low_text}, below 1024 on the host.",
                detail=low_text,
            )
        )
    loop = [p for p in ports if loopback(p.host_ip)]
    if loop and old_engine is not True:
        loop_text = ", ".join(port_texts(loop))
        found.append(
            finding(
                "A6",
                subjects=subject,
                explanation=(
                    f"{c.name} publishes {loop_text} on loopback only, but on "
                    f"{engine_text(engine)} (before 28.0) a neighbour on the host's LAN can "
                    "still reach it by sending to 127.0.0.1 or by routing to the container's "
                    "address (moby#45610). Upgrade to 28.0 or later."
                ),
                status=status_of(old_engine),
                detail=loop_text,
            )
        )
    if old_engine is not True:
        found.append(
            finding(
                "A7",
                subjects=subject,
                explanation=(
                    f"On {engine_text(engine)} (before 28.0) any host on the LAN that routes "
                    f"to {c.name}'s address reaches its published container ports directly, "
                    "whatever host address they are bound to."
                ),
                status=status_of(old_engine),
                detail=text,
            )
        )
    return found

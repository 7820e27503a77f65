"""Estates of several engines and swarms: hosts, swarm nodes and services, and the snapshot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping  # noqa: TC003 - resolved at run time by the snapshot codec
from dataclasses import dataclass, field

from visualizer.model.base import EMPTY, frozen_map, set_field
from visualizer.model.records import (  # noqa: TC001 - resolved at run time by the snapshot codec
    Container,
    Engine,
    Network,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Host:
    """One engine a snapshot was gathered from."""

    name: str
    """Its host name (unique within the snapshot)."""
    engine: Engine
    """Its facts; empty when it could not be reached."""
    source: str = ""
    """How it was reached (URL or context)."""
    error: str | None = None
    """Why it could not be captured, when it could not."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SwarmNode:
    """A node of the swarm, as a manager sees it."""

    id: str
    hostname: str
    role: str = "worker"
    """`manager` or `worker`."""
    state: str = ""
    """`ready`, `down`, …"""
    availability: str = ""
    """`active`, `pause` or `drain`."""
    address: str = ""
    leader: bool = False
    engine_version: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "labels", frozen_map(self.labels))


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePort:
    """A port a swarm service publishes."""

    target: int
    published: int | None = None
    protocol: str = "tcp"
    mode: str = "ingress"
    """`ingress` (the routing mesh: every node, all interfaces) or `host` (the task's node)."""

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        """The canonical order of a service's ports."""
        return (self.published or 0, self.target, self.protocol, self.mode)

    @property
    def text(self) -> str:
        """As diagrams and reports show it, e.g. `8080→80/tcp (ingress)`."""
        return f"{self.published}→{self.target}/{self.protocol} ({self.mode})"


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualIP:
    """A service's virtual address on one network (endpoint mode `vip`)."""

    network_id: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A swarm service."""

    id: str
    name: str
    mode: str = "replicated"
    """`replicated` or `global`."""
    replicas: int | None = None
    endpoint_mode: str = "vip"
    """`vip` (the name resolves to a virtual IP) or `dnsrr` (to the tasks' addresses)."""
    ports: tuple[ServicePort, ...] = ()
    virtual_ips: tuple[VirtualIP, ...] = ()
    networks: tuple[str, ...] = ()
    """IDs of the networks its tasks join."""
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "ports", tuple(sorted(self.ports, key=lambda p: p.sort_key)))
        vips = sorted(self.virtual_ips, key=lambda v: (v.network_id, v.address))
        set_field(self, "virtual_ips", tuple(vips))
        set_field(self, "networks", tuple(sorted(self.networks)))
        set_field(self, "labels", frozen_map(self.labels))


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything one capture saw: the engine, its networks and its containers."""

    engine: Engine
    """The engine the snapshot comes from."""
    networks: tuple[Network, ...] = ()
    """All networks, sorted by name, host and ID."""
    containers: tuple[Container, ...] = ()
    """All containers (stopped ones included), sorted by name, host and ID."""
    source: str = ""
    """Where the data came from, e.g. `engine unix:///var/run/docker.sock` or `demo`."""
    captured_at: str = ""
    """UTC time of the capture, ISO 8601."""
    inspected: bool = False
    """Whether containers were inspected one by one (aliases, host name, capabilities known)."""
    predicted: bool = False
    """A prediction (from compose files), not a capture: addresses, ports and times the engine
    assigns at deploy are unknown."""
    partly_inspected: bool = False
    """Only the containers whose inspect-only facts decide a verdict or a finding (those on
    several networks) were inspected; the others' aliases and host names are unknown."""
    warnings: tuple[str, ...] = ()
    """Problems met while capturing (e.g. a container removed during the capture)."""
    hosts: tuple[Host, ...] = ()
    """Every engine gathered, when there are several (or a swarm); empty for one engine."""
    nodes: tuple[SwarmNode, ...] = ()
    """Swarm nodes, when captured from a manager."""
    services: tuple[Service, ...] = ()
    """Swarm services, when captured from a manager."""

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave: outputs depend on it."""
        set_field(self, "networks", tuple(sorted(self.networks, key=lambda n: n.sort_key)))
        set_field(self, "containers", tuple(sorted(self.containers, key=lambda c: c.sort_key)))
        set_field(self, "warnings", tuple(sorted(set(self.warnings))))
        set_field(self, "hosts", tuple(sorted(self.hosts, key=lambda h: h.name)))
        set_field(self, "nodes", tuple(sorted(self.nodes, key=lambda n: (n.hostname, n.id))))
        set_field(self, "services", tuple(sorted(self.services, key=lambda s: (s.name, s.id))))

    def engine_of(self, host: str) -> Engine:
        """The engine of a host in the snapshot; the snapshot's own for `""` or an unknown one."""
        if host:
            for h in self.hosts:
                if h.name == host and not h.error:
                    return h.engine
        return self.engine


def qualified_names(items: Iterable[Container | Network | Service]) -> dict[str, str]:
    """ID → how to name it: the name, or `host/name` where several objects use the name.

    In a snapshot of several engines every host has a `bridge` network, and two hosts may run
    a container of the same name; reports and `find` need to tell them apart. Objects of a
    swarm have no host, and two swarms each have an `ingress` (and often the same stack): those
    are told apart by short ID, `name@0123456789ab`, as is what still collides.
    """
    seen = list(items)
    count = Counter(x.name for x in seen)
    names = {
        x.id: f"{host}/{x.name}"
        if count[x.name] > 1 and (host := getattr(x, "host", ""))
        else x.name
        for x in seen
    }
    again = Counter(names.values())
    return {i: f"{n}@{i[:12]}" if again[n] > 1 else n for i, n in names.items()}

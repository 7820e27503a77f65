"""The snapshot model: plain, frozen, typed records that every layer above the sources uses.

Nothing here knows Docker's raw API keys; the live source's parser translates them once.
Fields that only a per-container inspect reveals are `None` when the snapshot was taken
without inspecting ("unknown"), never a guessed default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping  # noqa: TC003 - resolved at run time by the snapshot codec
from dataclasses import dataclass, field
from types import MappingProxyType

SCHEMA_VERSION = 1
"""Version of the snapshot file format written by `netviz snapshot` (see README)."""

BUILTIN_NETWORKS = frozenset({"bridge", "host", "none"})
"""Names of the networks every engine creates by itself (local scope)."""

COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"
ICC_OPTION = "com.docker.network.bridge.enable_icc"
DEFAULT_BRIDGE_OPTION = "com.docker.network.bridge.default_bridge"

_EMPTY: Mapping[str, str] = MappingProxyType({})


def parse_go_bool(value: str | None, *, default: bool) -> bool:
    """Read a boolean option the way the engine does (Go's `strconv.ParseBool`)."""
    if value is None:
        return default
    if value in {"1", "t", "T", "TRUE", "true", "True"}:
        return True
    if value in {"0", "f", "F", "FALSE", "false", "False"}:
        return False
    return default


@dataclass(frozen=True, slots=True, kw_only=True)
class Engine:
    """Facts about the engine a snapshot was taken from; the analysis depends on them."""

    id: str = ""
    """Engine ID from `GET /info`."""
    name: str = ""
    """Host name of the engine's machine."""
    server_version: str = ""
    """Engine version, e.g. `20.10.24+dfsg1` or `28.2.2`."""
    api_version: str = ""
    """Highest API version the engine supports."""
    os: str = ""
    """Operating system description, e.g. `Debian GNU/Linux 12 (bookworm)`."""
    os_type: str = ""
    """`linux` or `windows`."""
    arch: str = ""
    """CPU architecture, e.g. `x86_64`."""
    kernel_version: str = ""
    """Kernel version of the engine's machine."""
    swarm_state: str = ""
    """`inactive`, `pending`, `active`, `error` or `locked`; empty when unknown."""
    ipv4_forwarding: bool | None = None
    """Whether the host forwards IPv4 (`IPv4Forwarding`)."""
    bridge_nf_iptables: bool | None = None
    """`net.bridge.bridge-nf-call-iptables`; when false, `icc=false` is not enforced."""
    bridge_nf_ip6tables: bool | None = None
    """`net.bridge.bridge-nf-call-ip6tables` (omitted by engines from API 1.50)."""
    firewall_backend: str | None = None
    """`iptables` or `nftables` (API 1.49+); `None` when the engine does not say."""
    security_options: tuple[str, ...] = ()
    """Security options such as `name=seccomp,profile=default` or `name=rootless`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Subnet:
    """One IPAM pool of a network."""

    cidr: str
    """Subnet in CIDR form, IPv4 or IPv6."""
    gateway: str | None = None
    """Gateway address; filled from an endpoint when IPAM omits it (the default bridge)."""
    ip_range: str | None = None
    """Sub-range containers get addresses from, when configured."""

    @property
    def is_ipv6(self) -> bool:
        """Whether this is an IPv6 subnet."""
        return ":" in self.cidr


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """A Docker network."""

    id: str
    """Full network ID."""
    name: str
    """Network name."""
    driver: str
    """Driver: `bridge`, `host`, `null`, `overlay`, `macvlan`, `ipvlan` or a plugin's name."""
    scope: str = "local"
    """`local`, `swarm` or `global`."""
    internal: bool = False
    """`--internal`: no route out of the network."""
    attachable: bool = False
    """Standalone containers may join (swarm-scoped networks)."""
    ingress: bool = False
    """The swarm routing-mesh network."""
    ipv6: bool = False
    """IPv6 enabled."""
    subnets: tuple[Subnet, ...] = ()
    """IPAM pools, IPv4 and IPv6."""
    options: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Driver options, stored verbatim (the engine may ignore some of them)."""
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Network labels."""
    created: str = ""
    """Creation time as the engine reports it."""
    host: str = ""
    """The engine a local-scope network lives on, when a snapshot spans several; else empty."""
    dns_enabled: bool | None = None
    """Podman: whether aardvark-dns answers names on this network (`podman network create
    --disable-dns`, and the default `podman` network, have none). `None` on Docker, whose
    own rules decide (embedded DNS everywhere but on the default bridge)."""

    @property
    def icc(self) -> bool:
        """Inter-container communication between members (the bridge `enable_icc` option)."""
        return parse_go_bool(self.options.get(ICC_OPTION), default=True)

    @property
    def encrypted(self) -> bool:
        """An overlay whose data plane is IPsec-encrypted (`--opt encrypted`, any value)."""
        return self.driver == "overlay" and "encrypted" in self.options

    @property
    def is_default_bridge(self) -> bool:
        """Whether this is the engine's default bridge (`docker0`)."""
        return parse_go_bool(self.options.get(DEFAULT_BRIDGE_OPTION), default=False) or (
            self.name == "bridge" and self.driver == "bridge" and self.scope == "local"
        )

    @property
    def is_builtin(self) -> bool:
        """Whether the engine created this network itself (`bridge`, `host`, `none`)."""
        return self.name in BUILTIN_NETWORKS and self.scope == "local"

    @property
    def compose_project(self) -> str | None:
        """Compose project that created the network, if any."""
        return self.labels.get(COMPOSE_PROJECT_LABEL)


@dataclass(frozen=True, slots=True, kw_only=True)
class Port:
    """A container port: published on the host, or only exposed."""

    container_port: int
    """Port inside the container."""
    protocol: str = "tcp"
    """`tcp`, `udp` or `sctp`."""
    host_ip: str | None = None
    """Host address it is published on (`0.0.0.0`, `::`, `127.0.0.1`, …); `None` if unpublished."""
    host_port: int | None = None
    """Host port; `None` when the port is only exposed."""

    @property
    def published(self) -> bool:
        """Whether the port is published on the host."""
        return self.host_port is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """A container's attachment to one network."""

    network_id: str
    """ID of the network."""
    network_name: str
    """Name of the network at capture time."""
    ipv4: str | None = None
    """IPv4 address, without prefix; `None` when the container has none (stopped, host, none)."""
    ipv4_prefix_len: int | None = None
    """IPv4 prefix length."""
    ipv6: str | None = None
    """Global IPv6 address."""
    ipv6_prefix_len: int | None = None
    """IPv6 prefix length."""
    gateway: str | None = None
    """IPv4 gateway (the host's address on this network)."""
    ipv6_gateway: str | None = None
    """IPv6 gateway."""
    mac: str | None = None
    """MAC address."""
    aliases: tuple[str, ...] | None = None
    """Network aliases as the engine reports them; `None` when not inspected."""
    dns_names: tuple[str, ...] | None = None
    """Names the embedded DNS answers for this endpoint (API 1.44+ reports them directly)."""

    @property
    def addresses(self) -> tuple[str, ...]:
        """The endpoint's IP addresses, IPv4 first."""
        return tuple(a for a in (self.ipv4, self.ipv6) if a)


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A `--link` (or compose `links:`) from the container holding it to `target`.

    On the default bridge it writes `/etc/hosts`; on a user-defined network the embedded DNS
    answers `alias` for the holder only. Either way the name works one way.
    """

    target: str
    """Name of the linked container."""
    alias: str
    """Name under which the target appears in this container's `/etc/hosts`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    """A container, running or not."""

    id: str
    """Full container ID."""
    name: str
    """Name without the leading slash."""
    image: str = ""
    """Image reference as the container was created with."""
    state: str = "running"
    """`created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`."""
    network_mode: str = "default"
    """`HostConfig.NetworkMode`: `default`, `bridge`, `host`, `none`, `container:<id>` or a name."""
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """Container labels."""
    ports: tuple[Port, ...] = ()
    """Ports in effect: published (with host address) and exposed."""
    endpoints: tuple[Endpoint, ...] = ()
    """Network attachments; empty for `container:` mode."""
    links: tuple[Link, ...] = ()
    """Legacy links this container holds."""
    hostname: str | None = None
    """Configured host name; `None` when not inspected."""
    privileged: bool | None = None
    """`--privileged`; `None` when not inspected."""
    cap_add: tuple[str, ...] | None = None
    """Added capabilities (e.g. `NET_ADMIN`); `None` when not inspected."""
    sysctls: Mapping[str, str] | None = None
    """Namespaced sysctls set on the container; `None` when not inspected."""
    requested_ports: tuple[Port, ...] | None = None
    """Port bindings as requested (`PortBindings`), which may differ from `ports`."""
    host: str = ""
    """The engine (swarm node) it runs on, when a snapshot spans several; else empty."""

    @property
    def is_running(self) -> bool:
        """Whether the container has a live network stack (running or paused)."""
        return self.state in {"running", "paused"}

    @property
    def netns_target(self) -> str | None:
        """ID of the container whose network stack this one shares (`container:<id>` mode)."""
        if self.network_mode.startswith("container:"):
            return self.network_mode.removeprefix("container:")
        return None

    @property
    def is_host_mode(self) -> bool:
        """Whether the container uses the host's network stack."""
        return self.network_mode == "host"

    @property
    def is_none_mode(self) -> bool:
        """Whether the container has no network (only loopback)."""
        return self.network_mode == "none"

    @property
    def compose_project(self) -> str | None:
        """Compose project the container belongs to, if any."""
        return self.labels.get(COMPOSE_PROJECT_LABEL)

    @property
    def compose_service(self) -> str | None:
        """Compose service the container runs, if any."""
        return self.labels.get(COMPOSE_SERVICE_LABEL)

    @property
    def swarm_service(self) -> str | None:
        """ID of the swarm service whose task the container is, if any."""
        return self.labels.get(SWARM_SERVICE_ID_LABEL)


SWARM_SERVICE_LABEL = "com.docker.swarm.service.name"
SWARM_SERVICE_ID_LABEL = "com.docker.swarm.service.id"
SWARM_TASK_LABEL = "com.docker.swarm.task.id"


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
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePort:
    """A port a swarm service publishes."""

    target: int
    published: int | None = None
    protocol: str = "tcp"
    mode: str = "ingress"
    """`ingress` (the routing mesh: every node, all interfaces) or `host` (the task's node)."""

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
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything one capture saw: the engine, its networks and its containers."""

    engine: Engine
    """The engine the snapshot comes from."""
    networks: tuple[Network, ...] = ()
    """All networks, in the order they were captured."""
    containers: tuple[Container, ...] = ()
    """All containers (stopped ones included)."""
    source: str = ""
    """Where the data came from, e.g. `engine unix:///var/run/docker.sock` or `demo`."""
    captured_at: str = ""
    """UTC time of the capture, ISO 8601."""
    inspected: bool = False
    """Whether containers were inspected one by one (aliases, host name, capabilities known)."""
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

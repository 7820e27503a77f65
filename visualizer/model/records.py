"""The records of one engine's topology: its engine, networks, containers and their endpoints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping  # noqa: TC003 - resolved at run time by the snapshot codec
from dataclasses import dataclass, field

from visualizer.model.base import (
    BUILTIN_NETWORKS,
    COMPOSE_PROJECT_LABEL,
    COMPOSE_SERVICE_LABEL,
    DEFAULT_BRIDGE_OPTION,
    EMPTY,
    ICC_OPTION,
    SWARM_SERVICE_ID_LABEL,
    frozen_map,
    parse_go_bool,
    set_field,
    sorted_strings,
)
from visualizer.model.data import Device, Mount  # noqa: TC001 - resolved by the snapshot codec


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

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "security_options", tuple(sorted(self.security_options)))


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

    @property
    def sort_key(self) -> tuple[bool, str, str, str]:
        """The canonical order of a network's subnets: IPv4 before IPv6, then by CIDR."""
        return (self.is_ipv6, self.cidr, self.gateway or "", self.ip_range or "")


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
    options: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    """Driver options, stored verbatim (the engine may ignore some of them)."""
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    """Network labels."""
    created: str = ""
    """Creation time as the engine reports it."""
    host: str = ""
    """The engine a local-scope network lives on, when a snapshot spans several; else empty."""
    dns_enabled: bool | None = None
    """Podman: whether aardvark-dns answers names on this network (`podman network create
    --disable-dns`, and the default `podman` network, have none). `None` on Docker, whose
    own rules decide (embedded DNS everywhere but on the default bridge)."""

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "subnets", tuple(sorted(self.subnets, key=lambda s: s.sort_key)))
        set_field(self, "options", frozen_map(self.options))
        set_field(self, "labels", frozen_map(self.labels))

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """The canonical order of networks: name, host, ID."""
        return (self.name, self.host, self.id)

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

    @property
    def sort_key(self) -> tuple[int, str, str, int]:
        """The canonical order of ports: container port, protocol, host address, host port."""
        return (
            self.container_port,
            self.protocol,
            self.host_ip or "",
            self.host_port if self.host_port is not None else -1,
        )

    @property
    def host_address(self) -> str:
        """The host address as written before `:port`: `0.0.0.0`, `127.0.0.1`, `[::]`."""
        ip = self.host_ip or "0.0.0.0"  # noqa: S104 - data, not a bind
        return f"[{ip}]" if ":" in ip else ip

    def text(self, arrow: str = "->") -> str:
        """As every output writes it: `0.0.0.0:8080->80/tcp`, `[::]:*->80/tcp`, `80/tcp (exposed)`.

        Host port `0` (the engine picks a free one, in a compose prediction) is written `*`.
        """
        if self.host_port is None:
            return f"{self.container_port}/{self.protocol} (exposed)"
        return (
            f"{self.host_address}:{self.host_port or '*'}{arrow}{self.container_port}/"
            f"{self.protocol}"
        )


def port_runs(ports: Iterable[Port]) -> list[tuple[Port, Port]]:
    """Runs of consecutive ports (same host address and protocol), as (first, last) pairs."""

    def order(x: Port) -> tuple[str, str, bool, tuple[int, str, str, int]]:
        return (x.host_ip or "", x.protocol, x.host_port is None, x.sort_key)

    runs: list[list[Port]] = []
    for p in sorted(ports, key=order):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and (last.host_ip, last.protocol) == (p.host_ip, p.protocol)
            and p.container_port == last.container_port + 1
            and (
                (p.host_port is None and last.host_port is None)
                or (p.host_port == 0 and last.host_port == 0)
                or (p.host_port and last.host_port and p.host_port == last.host_port + 1)
            )
        ):
            runs[-1].append(p)
        else:
            runs.append([p])
    return sorted(((r[0], r[-1]) for r in runs), key=lambda r: r[0].sort_key)


def run_parts(first: Port, last: Port) -> tuple[str, str]:
    """A run's host ports and container side: (`8000-8010`, `8000-8010/tcp`).

    The host side is `*` for ports the engine picks and empty for exposed ports.
    """
    same = first.container_port == last.container_port
    inside = f"{first.container_port}{'' if same else f'-{last.container_port}'}/{first.protocol}"
    if first.host_port is None:
        return "", inside
    if not first.host_port:
        return "*", inside
    host = f"{first.host_port}{'' if first.host_port == last.host_port else f'-{last.host_port}'}"
    return host, inside


def run_text(first: Port, last: Port, arrow: str = "->") -> str:
    """One run of ports: `0.0.0.0:8000-8010->8000-8010/tcp`, `5000-5100/udp (exposed)`."""
    host, inside = run_parts(first, last)
    if first.host_port is None:
        return f"{inside} (exposed)"
    return f"{first.host_address}:{host}{arrow}{inside}"


def port_texts(ports: Iterable[Port], arrow: str = "->") -> list[str]:
    """Ports as text, runs of consecutive ports written as ranges.

    `0.0.0.0:8000-8010->8000-8010/tcp` for a published range, `5000-5100/udp (exposed)`, so
    a container publishing `1-65535` is one line, not 65,535.
    """
    return [run_text(first, last, arrow) for first, last in port_runs(ports)]


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

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "aliases", sorted_strings(self.aliases))
        set_field(self, "dns_names", sorted_strings(self.dns_names))

    @property
    def sort_key(self) -> tuple[str, str]:
        """The canonical order of a container's endpoints: network name, then ID."""
        return (self.network_name, self.network_id)

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

    @property
    def sort_key(self) -> tuple[str, str]:
        """The canonical order of links: target, then alias."""
        return (self.target, self.alias)


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
    labels: Mapping[str, str] = field(default_factory=lambda: EMPTY)
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
    mounts: tuple[Mount, ...] = ()
    """Volumes, bind mounts, tmpfs and named pipes, from the container list (always known)."""
    volumes_from: tuple[str, ...] | None = None
    """`--volumes-from` entries as given (`NAME[:ro|:rw]`); `None` when not inspected."""
    pid_mode: str | None = None
    """`--pid`: empty (private), `host` or `container:<id>`; `None` when not inspected."""
    ipc_mode: str | None = None
    """`--ipc`: `private`, `shareable`, `host`, `container:<id>`, `none` or empty (the
    daemon's default); `None` when not inspected."""
    uts_mode: str | None = None
    """`--uts`: empty (private) or `host`; `None` when not inspected."""
    userns_mode: str | None = None
    """`--userns`: empty or `host` (opts out of the daemon's user-namespace remapping)."""
    cgroupns_mode: str | None = None
    """`--cgroupns`: `private` or `host` (the default on cgroup v1 hosts)."""
    cap_drop: tuple[str, ...] | None = None
    """Dropped capabilities; `None` when not inspected."""
    devices: tuple[Device, ...] | None = None
    """Host devices (`--device`); `None` when not inspected."""
    security_opt: tuple[str, ...] | None = None
    """`--security-opt` entries (`seccomp=unconfined`, `apparmor=unconfined`,
    `no-new-privileges`, …); `None` when not inspected."""
    read_only_rootfs: bool | None = None
    """`--read-only`: the root filesystem is read-only; `None` when not inspected."""

    def __post_init__(self) -> None:
        """Keep the canonical order, whatever order the source gave."""
        set_field(self, "labels", frozen_map(self.labels))
        set_field(self, "mounts", tuple(sorted(set(self.mounts), key=lambda m: m.sort_key)))
        set_field(self, "volumes_from", sorted_strings(self.volumes_from))
        set_field(self, "cap_drop", sorted_strings(self.cap_drop))
        set_field(self, "security_opt", sorted_strings(self.security_opt))
        if self.devices is not None:
            set_field(self, "devices", tuple(sorted(set(self.devices), key=lambda d: d.sort_key)))
        set_field(self, "ports", tuple(sorted(self.ports, key=lambda p: p.sort_key)))
        set_field(self, "endpoints", tuple(sorted(self.endpoints, key=lambda e: e.sort_key)))
        set_field(self, "links", tuple(sorted(set(self.links), key=lambda lk: lk.sort_key)))
        set_field(self, "cap_add", sorted_strings(self.cap_add))
        if self.sysctls is not None:
            set_field(self, "sysctls", frozen_map(self.sysctls))
        if self.requested_ports is not None:
            ports = tuple(sorted(self.requested_ports, key=lambda p: p.sort_key))
            set_field(self, "requested_ports", ports)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """The canonical order of containers: name, host, ID."""
        return (self.name, self.host, self.id)

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

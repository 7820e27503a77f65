"""Raw Docker Engine API JSON → model records. The only module that knows the API's keys.

Everything from the engine is untrusted: a field of an unexpected type is treated as absent
rather than trusted or crashed on. Pure functions; `engine.py` does the I/O.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError
from visualizer.model import (
    SWARM_SERVICE_ID_LABEL,
    SWARM_SERVICE_LABEL,
    SWARM_TASK_LABEL,
    Container,
    Endpoint,
    Engine,
    Host,
    Link,
    Network,
    Port,
    Service,
    ServicePort,
    Snapshot,
    Subnet,
    SwarmNode,
    VirtualIP,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

Json = Any
"""A value decoded from the engine's JSON: untrusted and untyped until parsed here."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RawCapture:
    """The engine's answers, exactly as received, before parsing."""

    version: Json
    """`GET /version`."""
    info: Json
    """`GET /info`."""
    networks: Json
    """`GET /networks`."""
    containers: Json
    """`GET /containers/json?all=1`."""
    inspected: Mapping[str, Json] | None = None
    """`GET /containers/{id}/json` by container ID, when the capture inspected containers."""
    inspect_requested: tuple[str, ...] | None = None
    """The container IDs the capture meant to inspect when it inspected only some of them
    (`None`: every container)."""
    nodes: Json = None
    """`GET /nodes`, when the engine is a swarm manager."""
    services: Json = None
    """`GET /services`, when the engine is a swarm manager."""
    tasks: Json = None
    """`GET /tasks`, when the engine is a swarm manager."""
    libpod_networks: Json = None
    """`GET /libpod/networks/json`, when the engine is Podman (names and `dns_enabled`)."""
    source: str = ""
    """Where the capture came from (e.g. the engine URL)."""
    captured_at: str = ""
    """UTC time of the capture."""
    warnings: tuple[str, ...] = field(default=())
    """Problems met while gathering (e.g. a container gone before it could be inspected)."""


def parse_capture(raw: RawCapture) -> Snapshot:
    """Turn one capture's raw answers into a snapshot."""
    if not isinstance(raw.networks, list) or not isinstance(raw.containers, list):
        raise EngineError(
            f"unexpected answer from {raw.source or 'the engine'}: "
            "network and container lists are not JSON arrays (is this a Docker engine?)"
        )
    warnings = list(raw.warnings)
    networks = [n for n in (parse_network(item) for item in raw.networks) if n is not None]
    if is_podman(raw.version):
        networks = _podman_networks(networks, raw.libpod_networks, warnings)
    by_id = {n.id: n for n in networks}
    by_name = {n.name: n for n in networks}
    items = [c for c in raw.containers if isinstance(c, dict) and isinstance(c.get("Id"), str)]
    links = _links_by_holder(items)
    containers = []
    for item in items:
        cid = item["Id"]
        detail = raw.inspected.get(cid) if raw.inspected is not None else None
        asked = raw.inspected is not None and (
            raw.inspect_requested is None or cid in raw.inspect_requested
        )
        if asked and detail is None:
            continue  # removed between list and inspect: the gatherer already warned
        container = parse_container(item, detail, by_id, by_name, warnings)
        found = {*links.get(container.name, ()), *_endpoint_links(detail)}
        ordered = tuple(sorted(found, key=lambda lk: (lk.target, lk.alias)))
        containers.append(replace(container, links=ordered))
    networks = _fill_gateways(networks, containers)
    snapshot = Snapshot(
        engine=parse_engine(raw.version, raw.info),
        networks=tuple(networks),
        containers=tuple(containers),
        source=raw.source,
        captured_at=raw.captured_at,
        inspected=raw.inspected is not None and raw.inspect_requested is None,
        partly_inspected=raw.inspected is not None and raw.inspect_requested is not None,
        warnings=tuple(warnings),
    )
    if isinstance(raw.nodes, list):
        snapshot = _with_swarm(snapshot, raw)
    return snapshot


def is_podman(version: Json) -> bool:
    """Whether `GET /version` comes from Podman's Docker-compatible service."""
    components = _list(_dict(version).get("Components"))
    return any(_str(_dict(c).get("Name")).lower().startswith("podman") for c in components)


def _podman_networks(networks: list[Network], libpod: Json, warnings: list[str]) -> list[Network]:
    """Podman's networks under their own names, each with its DNS setting.

    Podman's `/networks` lists its default network as `bridge`, while containers name it
    `podman` (its real name, as in `podman network ls`): the network is matched by ID in
    Podman's own list, which also tells whether aardvark-dns answers on it (`dns_enabled`).
    """
    own = {_str(_dict(n).get("id")): _dict(n) for n in _list(libpod)}
    found = []
    for net in networks:
        entry = own.get(net.id)
        if entry is None:
            warnings.append(
                f"Podman network {net.name!r} is missing from Podman's own network list: "
                "its DNS setting is unknown, judged by Docker's rules"
            )
            found.append(net)
            continue
        name = _str(entry.get("name")) or net.name
        dns = entry.get("dns_enabled")
        found.append(
            replace(
                net,
                name=name,
                dns_enabled=dns if isinstance(dns, bool) else None,
                internal=net.internal or entry.get("internal") is True,
                options={**net.options, **_str_map(entry.get("options"))},
            )
        )
    return found


def containers_to_inspect(networks: Json, containers: Json) -> list[str]:
    """IDs of the containers whose inspect-only facts can change a verdict or a finding.

    Only capabilities (`--privileged`, `NET_ADMIN`, `ip_forward` sysctls) decide anything the
    list does not show, and only for a container on two or more networks (A12: can it route
    between them?). Aliases and host names add names, never change a verdict.
    """
    drivers: dict[str, str] = {}
    for item in _list(networks):
        net = _dict(item)
        for key in (_str(net.get("Id")), _str(net.get("Name"))):
            if key:
                drivers[key] = _str(net.get("Driver"))
    wanted = []
    for item in _list(containers):
        c = _dict(item)
        cid = c.get("Id")
        if not isinstance(cid, str):
            continue
        attached = _dict(_dict(c.get("NetworkSettings")).get("Networks"))
        bridged = [
            key
            for key, ep in attached.items()
            if drivers.get(_str(_dict(ep).get("NetworkID")), drivers.get(key, ""))
            not in {"host", "null"}
        ]
        if len(bridged) >= 2:  # noqa: PLR2004
            wanted.append(cid)
    return wanted


def _with_swarm(snapshot: Snapshot, raw: RawCapture) -> Snapshot:
    """Add what a manager knows: nodes, services, and the tasks running on other nodes."""
    nodes = tuple(
        sorted((parse_node(n) for n in raw.nodes if isinstance(n, dict)), key=lambda n: n.hostname)
    )
    services = tuple(
        sorted(
            (s for s in (parse_service(item) for item in _list(raw.services)) if s),
            key=lambda s: s.name,
        )
    )
    me = snapshot.engine.name
    hostnames = {n.id: n.hostname for n in nodes}
    by_service = {s.id: s for s in services}
    networks = {n.id: n for n in snapshot.networks}
    seen_ids = {c.id for c in snapshot.containers}
    seen_tasks = {c.labels.get(SWARM_TASK_LABEL) for c in snapshot.containers}
    tasks = []
    for item in _list(raw.tasks):
        task = _task_container(_dict(item), by_service, hostnames, networks)
        if (
            task is not None
            and task.id not in seen_ids
            and task.labels.get(SWARM_TASK_LABEL) not in seen_tasks
        ):
            tasks.append(task)
    local = tuple(replace(c, host=me) for c in snapshot.containers)
    nets = tuple(replace(n, host=me) if n.scope == "local" else n for n in snapshot.networks)
    hosts = tuple(
        Host(
            name=n.hostname,
            engine=snapshot.engine
            if n.hostname == me
            else Engine(name=n.hostname, server_version=n.engine_version),
            source=snapshot.source if n.hostname == me else "swarm node (seen from a manager)",
        )
        for n in nodes
    )
    return replace(
        snapshot,
        networks=nets,
        containers=(*local, *sorted(tasks, key=lambda c: c.name)),
        nodes=nodes,
        services=services,
        hosts=hosts,
    )


def parse_node(item: Json) -> SwarmNode:
    """One entry of `GET /nodes`."""
    spec, status = _dict(item.get("Spec")), _dict(item.get("Status"))
    description = _dict(item.get("Description"))
    return SwarmNode(
        id=_str(item.get("ID")),
        hostname=_str(description.get("Hostname")) or _str(item.get("ID"))[:12],
        role=_str(spec.get("Role")) or "worker",
        state=_str(status.get("State")),
        availability=_str(spec.get("Availability")),
        address=_str(status.get("Addr")),
        leader=_dict(item.get("ManagerStatus")).get("Leader") is True,
        engine_version=_str(_dict(description.get("Engine")).get("EngineVersion")),
        labels=_str_map(spec.get("Labels")),
    )


def parse_service(item: Json) -> Service | None:
    """One entry of `GET /services`."""
    if not isinstance(item, dict) or not _str(item.get("ID")):
        return None
    spec = _dict(item.get("Spec"))
    endpoint = _dict(item.get("Endpoint"))
    endpoint_spec = _dict(endpoint.get("Spec")) or _dict(spec.get("EndpointSpec"))
    mode = _dict(spec.get("Mode"))
    ports = tuple(
        ServicePort(
            target=_int(p.get("TargetPort")) or 0,
            published=_int(p.get("PublishedPort")),
            protocol=_str(p.get("Protocol")) or "tcp",
            mode=_str(p.get("PublishMode")) or "ingress",
        )
        for p in map(_dict, _list(endpoint.get("Ports")) or _list(endpoint_spec.get("Ports")))
    )
    networks = _list(_dict(spec.get("TaskTemplate")).get("Networks")) or _list(spec.get("Networks"))
    return Service(
        id=item["ID"],
        name=_str(spec.get("Name")) or item["ID"][:12],
        mode="global" if "Global" in mode else "replicated",
        replicas=_int(_dict(mode.get("Replicated")).get("Replicas")),
        endpoint_mode=_str(endpoint_spec.get("Mode")) or "vip",
        ports=ports,
        virtual_ips=tuple(
            VirtualIP(network_id=_str(v.get("NetworkID")), address=_str(v.get("Addr")))
            for v in map(_dict, _list(endpoint.get("VirtualIPs")))
        ),
        networks=tuple(
            _str(_dict(n).get("Target")) for n in networks if _str(_dict(n).get("Target"))
        ),
        labels=_str_map(spec.get("Labels")),
    )


def _task_container(
    task: Json,
    services: Mapping[str, Service],
    hostnames: Mapping[str, str],
    networks: Mapping[str, Network],
) -> Container | None:
    """A task the manager knows of, as the container it is (on whichever node)."""
    if _str(task.get("DesiredState")) != "running":
        return None  # history: a replaced or finished task
    service = services.get(_str(task.get("ServiceID")))
    task_id = _str(task.get("ID"))
    if service is None or not task_id:
        return None
    status = _dict(task.get("Status"))
    container_id = _str(_dict(status.get("ContainerStatus")).get("ContainerID")) or task_id
    node_id = _str(task.get("NodeID"))
    slot = _int(task.get("Slot"))
    name = f"{service.name}.{slot or node_id}.{task_id}"
    endpoints = []
    for attachment in map(_dict, _list(task.get("NetworksAttachments"))):
        net = networks.get(_str(_dict(attachment.get("Network")).get("ID")))
        if net is None:
            continue
        address, _, prefix = (_strs(attachment.get("Addresses")) or [""])[0].partition("/")
        endpoints.append(
            Endpoint(
                network_id=net.id,
                network_name=net.name,
                ipv4=address or None,
                ipv4_prefix_len=_int(prefix),
                dns_names=None,
            )
        )
    ports = [
        Port(container_port=p.target, protocol=p.protocol, host_ip=ip, host_port=p.published)
        for p in service.ports
        if p.mode == "host" and p.published
        for ip in ("0.0.0.0", "::")  # noqa: S104 - what the engine reports for such a binding
    ]
    state = _str(status.get("State")) or "unknown"
    image = _str(_dict(_dict(task.get("Spec")).get("ContainerSpec")).get("Image")).split("@")[0]
    return Container(
        id=container_id,
        name=name,
        image=image,
        state=state,
        network_mode=min((e.network_name for e in endpoints), default="default"),
        labels={
            SWARM_SERVICE_LABEL: service.name,
            SWARM_SERVICE_ID_LABEL: service.id,
            SWARM_TASK_LABEL: task_id,
            "com.docker.swarm.node.id": node_id,
        },
        ports=tuple(sorted(ports, key=_port_key)),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.network_name)),
        host=hostnames.get(node_id, node_id[:12]),
    )


def parse_engine(version: Json, info: Json) -> Engine:
    """Engine facts from `GET /version` and `GET /info`."""
    version = _dict(version)
    info = _dict(info)
    swarm = _dict(info.get("Swarm"))
    firewall = _dict(info.get("FirewallBackend"))
    return Engine(
        id=_str(info.get("ID")),
        name=_str(info.get("Name")),
        server_version=_str(version.get("Version")) or _str(info.get("ServerVersion")),
        api_version=_str(version.get("ApiVersion")),
        os=_str(info.get("OperatingSystem")),
        os_type=_str(info.get("OSType")) or _str(version.get("Os")),
        arch=_str(info.get("Architecture")) or _str(version.get("Arch")),
        kernel_version=_str(info.get("KernelVersion")) or _str(version.get("KernelVersion")),
        swarm_state=_str(swarm.get("LocalNodeState")),
        ipv4_forwarding=_opt_bool(info.get("IPv4Forwarding")),
        bridge_nf_iptables=_opt_bool(info.get("BridgeNfIptables")),
        bridge_nf_ip6tables=_opt_bool(info.get("BridgeNfIp6tables")),
        firewall_backend=_str(firewall.get("Driver")) or None,
        security_options=tuple(_strs(info.get("SecurityOptions"))),
    )


def parse_network(item: Json) -> Network | None:
    """One entry of `GET /networks`; `None` when it lacks an ID or a name."""
    if not isinstance(item, dict):
        return None
    nid, name = _str(item.get("Id")), _str(item.get("Name"))
    if not nid or not name:
        return None
    subnets = []
    for entry in _list(_dict(item.get("IPAM")).get("Config")):
        cfg = _dict(entry)
        cidr = _str(cfg.get("Subnet"))
        if cidr:
            subnets.append(
                Subnet(
                    cidr=cidr,
                    gateway=_str(cfg.get("Gateway")) or None,
                    ip_range=_str(cfg.get("IPRange")) or None,
                )
            )
    return Network(
        id=nid,
        name=name,
        driver=_str(item.get("Driver")),
        scope=_str(item.get("Scope")) or "local",
        internal=item.get("Internal") is True,
        attachable=item.get("Attachable") is True,
        ingress=item.get("Ingress") is True,
        ipv6=item.get("EnableIPv6") is True,
        subnets=tuple(subnets),
        options=_str_map(item.get("Options")),
        labels=_str_map(item.get("Labels")),
        created=_str(item.get("Created")),
    )


def parse_container(
    item: Json,
    detail: Json | None,
    networks_by_id: Mapping[str, Network],
    networks_by_name: Mapping[str, Network],
    warnings: list[str],
) -> Container:
    """One entry of `GET /containers/json`, completed by its inspect answer when there is one."""
    name = primary_name(item)
    detail_nets: Mapping[str, Json] = {}
    extra: dict[str, Any] = {}
    if isinstance(detail, dict):
        config, host = _dict(detail.get("Config")), _dict(detail.get("HostConfig"))
        detail_nets = _dict(_dict(detail.get("NetworkSettings")).get("Networks"))
        extra = {
            "hostname": _str(config.get("Hostname")) or None,
            "privileged": host.get("Privileged") is True,
            "cap_add": tuple(sorted(_strs(host.get("CapAdd")))),
            "sysctls": _str_map(host.get("Sysctls")),
            "requested_ports": _port_bindings(host.get("PortBindings")),
        }
    endpoints = []
    for key, value in sorted(_dict(_dict(item.get("NetworkSettings")).get("Networks")).items()):
        ep = _dict(value)
        net = networks_by_id.get(_str(ep.get("NetworkID"))) or networks_by_name.get(key)
        if net is None:
            warnings.append(
                f"container {name!r}: network {key!r} is not in the network list "
                "(created or removed during the capture); attachment skipped"
            )
            continue
        inspected = _dict(detail_nets.get(key)) if detail is not None else None
        endpoints.append(_endpoint(net, ep, inspected))
    endpoints.sort(key=lambda e: (e.network_name, e.network_id))
    return Container(
        id=item["Id"],
        name=name,
        image=_str(item.get("Image")),
        state=_str(item.get("State")) or "unknown",
        network_mode=_str(_dict(item.get("HostConfig")).get("NetworkMode")) or "default",
        labels=_str_map(item.get("Labels")),
        ports=tuple(sorted(_ports(item.get("Ports")), key=_port_key)),
        endpoints=tuple(endpoints),
        **extra,
    )


def primary_name(item: Json) -> str:
    """Return the container's own name: the `Names` entry that is not a link path, minus `/`."""
    names = _strs(_dict(item).get("Names"))
    for n in names:
        if n.count("/") == 1 and n.startswith("/"):
            return n[1:]
    return names[0].lstrip("/") if names else _str(_dict(item).get("Id"))[:12]


def _links_by_holder(items: Iterable[Json]) -> dict[str, tuple[Link, ...]]:
    """Legacy links, read from link names: `/holder/alias` among the target's `Names`."""
    found: dict[str, list[Link]] = {}
    for item in items:
        target = primary_name(item)
        for n in _strs(item.get("Names")):
            parts = n.strip("/").split("/")
            if len(parts) == 2:  # noqa: PLR2004 - "/holder/alias"
                found.setdefault(parts[0], []).append(Link(target=target, alias=parts[1]))
    return {k: tuple(sorted(v, key=lambda lk: (lk.target, lk.alias))) for k, v in found.items()}


def _endpoint_links(detail: Json) -> set[Link]:
    """Links on user-defined networks (`docker run --link` there, compose `links:`), inspect only.

    Each endpoint lists `target:alias`; the holder resolves `alias` to the target by DNS.
    """
    found: set[Link] = set()
    networks = _dict(_dict(_dict(detail).get("NetworkSettings")).get("Networks"))
    for ep in networks.values():
        for entry in _strs(_dict(ep).get("Links")):
            target, sep, alias = entry.partition(":")
            if sep and target and alias:
                found.add(Link(target=target.lstrip("/"), alias=alias))
    return found


def _endpoint(
    net: Network, ep: Mapping[str, Json], inspected: Mapping[str, Json] | None
) -> Endpoint:
    aliases = None
    if inspected is not None:
        aliases = tuple(_strs(inspected.get("Aliases")))
    dns = ep.get("DNSNames")
    if dns is None and inspected is not None:
        dns = inspected.get("DNSNames")
    return Endpoint(
        network_id=net.id,
        network_name=net.name,
        ipv4=_str(ep.get("IPAddress")) or None,
        ipv4_prefix_len=_int(ep.get("IPPrefixLen")) or None,
        ipv6=_str(ep.get("GlobalIPv6Address")) or None,
        ipv6_prefix_len=_int(ep.get("GlobalIPv6PrefixLen")) or None,
        gateway=_str(ep.get("Gateway")) or None,
        ipv6_gateway=_str(ep.get("IPv6Gateway")) or None,
        mac=_str(ep.get("MacAddress")) or None,
        aliases=aliases,
        dns_names=tuple(_strs(dns)) if isinstance(dns, list) else None,
    )


def _ports(value: Json) -> Iterable[Port]:
    for entry in _list(value):
        p = _dict(entry)
        private = _int(p.get("PrivatePort"))
        if private is None:
            continue
        public = _int(p.get("PublicPort"))
        yield Port(
            container_port=private,
            protocol=_str(p.get("Type")) or "tcp",
            host_ip=(_str(p.get("IP")) or "0.0.0.0") if public is not None else None,  # noqa: S104
            host_port=public,
        )


def _port_bindings(value: Json) -> tuple[Port, ...]:
    """`HostConfig.PortBindings`; a host port of 0 means "any free port"."""
    ports = []
    for spec, bindings in _dict(value).items():
        number, _, proto = str(spec).partition("/")
        private = _int(number)
        if private is None:
            continue
        for entry in _list(bindings):
            b = _dict(entry)
            host_port = _str(b.get("HostPort")).split("-")[0]
            ports.append(
                Port(
                    container_port=private,
                    protocol=proto or "tcp",
                    host_ip=_str(b.get("HostIp")),
                    host_port=_int(host_port) or 0,
                )
            )
    return tuple(sorted(ports, key=_port_key))


def _port_key(p: Port) -> tuple[int, str, str, int]:
    return (p.container_port, p.protocol, p.host_ip or "", p.host_port or 0)


def _fill_gateways(networks: list[Network], containers: Iterable[Container]) -> list[Network]:
    """Fill gateways IPAM leaves out (the default bridge, IPv6 pools) from endpoints' gateways."""
    seen: dict[str, set[str]] = {}
    for c in containers:
        for ep in c.endpoints:
            for gw in (ep.gateway, ep.ipv6_gateway):
                if gw:
                    seen.setdefault(ep.network_id, set()).add(gw)
    result = []
    for net in networks:
        gws = seen.get(net.id)
        if gws and any(s.gateway is None for s in net.subnets):
            subnets = tuple(
                s if s.gateway else replace(s, gateway=_gateway_in(s.cidr, gws))
                for s in net.subnets
            )
            net = replace(net, subnets=subnets)  # noqa: PLW2901
        result.append(net)
    return result


def _gateway_in(cidr: str, gateways: Iterable[str]) -> str | None:
    try:
        subnet = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    for gw in sorted(gateways):
        try:
            if ipaddress.ip_address(gw) in subnet:
                return gw
        except ValueError:
            continue
    return None


def _dict(value: Json) -> dict[str, Json]:
    return value if isinstance(value, dict) else {}


def _list(value: Json) -> list[Json]:
    return value if isinstance(value, list) else []


def _str(value: Json) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: Json) -> list[str]:
    return [v for v in _list(value) if isinstance(v, str)]


def _int(value: Json) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _opt_bool(value: Json) -> bool | None:
    return value if isinstance(value, bool) else None


def _str_map(value: Json) -> dict[str, str]:
    return {str(k): v for k, v in sorted(_dict(value).items()) if isinstance(v, str)}

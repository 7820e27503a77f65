"""Raw Docker Engine API JSON → model records. The only module that knows the API's keys.

Everything from the engine is untrusted: a field of an unexpected type is treated as absent
rather than trusted or crashed on. Pure functions; `engine.py` does the I/O.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError
from visualizer.model import (
    Container,
    Device,
    Endpoint,
    Engine,
    Link,
    Mount,
    Network,
    Port,
    Snapshot,
    Subnet,
)
from visualizer.sources.podman import is_podman, podman_networks
from visualizer.sources.raw import (
    Json,
    RawCapture,
    as_dict,
    as_int,
    as_list,
    as_opt_bool,
    as_str,
    as_str_map,
    as_strs,
)
from visualizer.sources.swarm import with_swarm

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


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
        networks = podman_networks(networks, raw.libpod_networks, warnings)
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
        found = (*links.get(container.name, ()), *_endpoint_links(detail))
        containers.append(replace(container, links=found))
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
        snapshot = with_swarm(snapshot, raw)
    return snapshot


def parse_engine(version: Json, info: Json) -> Engine:
    """Engine facts from `GET /version` and `GET /info`."""
    version = as_dict(version)
    info = as_dict(info)
    swarm = as_dict(info.get("Swarm"))
    firewall = as_dict(info.get("FirewallBackend"))
    return Engine(
        id=as_str(info.get("ID")),
        name=as_str(info.get("Name")),
        server_version=as_str(version.get("Version")) or as_str(info.get("ServerVersion")),
        api_version=as_str(version.get("ApiVersion")),
        os=as_str(info.get("OperatingSystem")),
        os_type=as_str(info.get("OSType")) or as_str(version.get("Os")),
        arch=as_str(info.get("Architecture")) or as_str(version.get("Arch")),
        kernel_version=as_str(info.get("KernelVersion")) or as_str(version.get("KernelVersion")),
        swarm_state=as_str(swarm.get("LocalNodeState")),
        ipv4_forwarding=as_opt_bool(info.get("IPv4Forwarding")),
        bridge_nf_iptables=as_opt_bool(info.get("BridgeNfIptables")),
        bridge_nf_ip6tables=as_opt_bool(info.get("BridgeNfIp6tables")),
        firewall_backend=as_str(firewall.get("Driver")) or None,
        security_options=tuple(as_strs(info.get("SecurityOptions"))),
    )


def parse_network(item: Json) -> Network | None:
    """One entry of `GET /networks`; `None` when it lacks an ID or a name."""
    if not isinstance(item, dict):
        return None
    nid, name = as_str(item.get("Id")), as_str(item.get("Name"))
    if not nid or not name:
        return None
    subnets = []
    for entry in as_list(as_dict(item.get("IPAM")).get("Config")):
        cfg = as_dict(entry)
        cidr = as_str(cfg.get("Subnet"))
        if cidr:
            subnets.append(
                Subnet(
                    cidr=cidr,
                    gateway=as_str(cfg.get("Gateway")) or None,
                    ip_range=as_str(cfg.get("IPRange")) or None,
                )
            )
    return Network(
        id=nid,
        name=name,
        driver=as_str(item.get("Driver")),
        scope=as_str(item.get("Scope")) or "local",
        internal=item.get("Internal") is True,
        attachable=item.get("Attachable") is True,
        ingress=item.get("Ingress") is True,
        ipv6=item.get("EnableIPv6") is True,
        subnets=tuple(subnets),
        options=as_str_map(item.get("Options")),
        labels=as_str_map(item.get("Labels")),
        created=as_str(item.get("Created")),
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
        config, host = as_dict(detail.get("Config")), as_dict(detail.get("HostConfig"))
        detail_nets = as_dict(as_dict(detail.get("NetworkSettings")).get("Networks"))
        extra = {
            "hostname": as_str(config.get("Hostname")) or None,
            "privileged": host.get("Privileged") is True,
            "cap_add": tuple(as_strs(host.get("CapAdd"))),
            "sysctls": as_str_map(host.get("Sysctls")),
            "requested_ports": _port_bindings(host.get("PortBindings")),
            **_isolation(host),
        }
    endpoints = []
    for key, value in sorted(as_dict(as_dict(item.get("NetworkSettings")).get("Networks")).items()):
        ep = as_dict(value)
        net = networks_by_id.get(as_str(ep.get("NetworkID"))) or networks_by_name.get(key)
        if net is None:
            warnings.append(
                f"container {name!r}: network {key!r} is not in the network list "
                "(created or removed during the capture); attachment skipped"
            )
            continue
        inspected = as_dict(detail_nets.get(key)) if detail is not None else None
        endpoints.append(_endpoint(net, ep, inspected))
    return Container(
        id=item["Id"],
        name=name,
        image=as_str(item.get("Image")),
        state=as_str(item.get("State")) or "unknown",
        network_mode=as_str(as_dict(item.get("HostConfig")).get("NetworkMode")) or "default",
        labels=as_str_map(item.get("Labels")),
        ports=tuple(_ports(item.get("Ports"))),
        endpoints=tuple(endpoints),
        mounts=tuple(_mounts(item.get("Mounts"))),
        **extra,
    )


def _isolation(host: Mapping[str, Json]) -> dict[str, Any]:
    """Namespaces, privileges, devices and security options from `HostConfig` (inspect)."""
    devices = []
    for entry in as_list(host.get("Devices")):
        d = as_dict(entry)
        path = as_str(d.get("PathOnHost"))
        if path:
            devices.append(
                Device(
                    host_path=path,
                    container_path=as_str(d.get("PathInContainer")) or path,
                    permissions=as_str(d.get("CgroupPermissions")) or "rwm",
                )
            )
    return {
        "volumes_from": tuple(as_strs(host.get("VolumesFrom"))),
        "pid_mode": as_str(host.get("PidMode")),
        "ipc_mode": as_str(host.get("IpcMode")),
        "uts_mode": as_str(host.get("UTSMode")),
        "userns_mode": as_str(host.get("UsernsMode")),
        "cgroupns_mode": as_str(host.get("CgroupnsMode")),
        "cap_drop": tuple(as_strs(host.get("CapDrop"))),
        "devices": tuple(devices),
        "security_opt": tuple(as_strs(host.get("SecurityOpt"))),
        "read_only_rootfs": host.get("ReadonlyRootfs") is True,
    }


def _mounts(value: Json) -> Iterable[Mount]:
    """The list's `Mounts`: type, volume name and driver, source, destination, RW, propagation."""
    for entry in as_list(value):
        m = as_dict(entry)
        destination = as_str(m.get("Destination"))
        kind = as_str(m.get("Type"))
        if not destination or not kind:
            continue
        yield Mount(
            type=kind,
            destination=destination,
            source=as_str(m.get("Source")),
            name=as_str(m.get("Name")),
            driver=as_str(m.get("Driver")),
            rw=m.get("RW") is not False,
            propagation=as_str(m.get("Propagation")),
        )


def primary_name(item: Json) -> str:
    """Return the container's own name: the `Names` entry that is not a link path, minus `/`."""
    names = as_strs(as_dict(item).get("Names"))
    for n in names:
        if n.count("/") == 1 and n.startswith("/"):
            return n[1:]
    return names[0].lstrip("/") if names else as_str(as_dict(item).get("Id"))[:12]


def _links_by_holder(items: Iterable[Json]) -> dict[str, tuple[Link, ...]]:
    """Legacy links, read from link names: `/holder/alias` among the target's `Names`."""
    found: dict[str, list[Link]] = {}
    for item in items:
        target = primary_name(item)
        for n in as_strs(item.get("Names")):
            parts = n.strip("/").split("/")
            if len(parts) == 2:  # noqa: PLR2004 - "/holder/alias"
                found.setdefault(parts[0], []).append(Link(target=target, alias=parts[1]))
    return {k: tuple(sorted(v, key=lambda lk: (lk.target, lk.alias))) for k, v in found.items()}


def _endpoint_links(detail: Json) -> set[Link]:
    """Links on user-defined networks (`docker run --link` there, compose `links:`), inspect only.

    Each endpoint lists `target:alias`; the holder resolves `alias` to the target by DNS.
    """
    found: set[Link] = set()
    networks = as_dict(as_dict(as_dict(detail).get("NetworkSettings")).get("Networks"))
    for ep in networks.values():
        for entry in as_strs(as_dict(ep).get("Links")):
            target, sep, alias = entry.partition(":")
            if sep and target and alias:
                found.add(Link(target=target.lstrip("/"), alias=alias))
    return found


def _endpoint(
    net: Network, ep: Mapping[str, Json], inspected: Mapping[str, Json] | None
) -> Endpoint:
    aliases = None
    if inspected is not None:
        aliases = tuple(as_strs(inspected.get("Aliases")))
    dns = ep.get("DNSNames")
    if dns is None and inspected is not None:
        dns = inspected.get("DNSNames")
    return Endpoint(
        network_id=net.id,
        network_name=net.name,
        ipv4=as_str(ep.get("IPAddress")) or None,
        ipv4_prefix_len=as_int(ep.get("IPPrefixLen")) or None,
        ipv6=as_str(ep.get("GlobalIPv6Address")) or None,
        ipv6_prefix_len=as_int(ep.get("GlobalIPv6PrefixLen")) or None,
        gateway=as_str(ep.get("Gateway")) or None,
        ipv6_gateway=as_str(ep.get("IPv6Gateway")) or None,
        mac=as_str(ep.get("MacAddress")) or None,
        aliases=aliases,
        dns_names=tuple(as_strs(dns)) if isinstance(dns, list) else None,
    )


def _ports(value: Json) -> Iterable[Port]:
    for entry in as_list(value):
        p = as_dict(entry)
        private = as_int(p.get("PrivatePort"))
        if private is None:
            continue
        public = as_int(p.get("PublicPort"))
        yield Port(
            container_port=private,
            protocol=as_str(p.get("Type")) or "tcp",
            host_ip=(as_str(p.get("IP")) or "0.0.0.0") if public is not None else None,  # noqa: S104
            host_port=public,
        )


def _port_bindings(value: Json) -> tuple[Port, ...]:
    """`HostConfig.PortBindings`; a host port of 0 means "any free port"."""
    ports = []
    for spec, bindings in as_dict(value).items():
        number, _, proto = str(spec).partition("/")
        private = as_int(number)
        if private is None:
            continue
        for entry in as_list(bindings):
            b = as_dict(entry)
            host_port = as_str(b.get("HostPort")).split("-")[0]
            ports.append(
                Port(
                    container_port=private,
                    protocol=proto or "tcp",
                    host_ip=as_str(b.get("HostIp")),
                    host_port=as_int(host_port) or 0,
                )
            )
    return tuple(ports)


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

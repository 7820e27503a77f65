"""The topology `docker compose up` would create, predicted from the merged project."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.model import (
    COMPOSE_PROJECT_LABEL,
    COMPOSE_SERVICE_LABEL,
    DEFAULT_BRIDGE_OPTION,
    Container,
    Endpoint,
    Engine,
    Link,
    Network,
    Port,
    Snapshot,
    Subnet,
)
from visualizer.sources.compose.data import with_data
from visualizer.sources.compose.merge import as_map, net_map
from visualizer.sources.spec import ComposeNaming

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from visualizer.sources.compose.options import ComposeOptions

_NAME = re.compile(r"[^a-z0-9_-]")


def project_name(
    options: ComposeOptions, env: Mapping[str, str], merged: dict[str, Any], project_dir: Path
) -> str:
    """The project name as Compose picks it: -p, COMPOSE_PROJECT_NAME, name:, the directory."""
    raw = (
        options.project_name
        or env.get("COMPOSE_PROJECT_NAME")
        or (merged.get("name") if isinstance(merged.get("name"), str) else None)
        or project_dir.name
    )
    name = _NAME.sub("", raw.lower())
    if not name or not name[0].isalnum():
        raise InputError(
            f"project name {raw!r} is not valid: use lowercase letters, digits, - and _"
        )
    return name


def _ident(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()


def predict(
    merged: dict[str, Any],
    project: str,
    profiles: set[str],
    options: ComposeOptions,
    warnings: list[str],
) -> Snapshot:
    """The snapshot of the project once `docker compose up` has run."""
    services = {k: (v or {}) for k, v in (merged.get("services") or {}).items()}
    enabled = {
        name: svc
        for name, svc in services.items()
        if not svc.get("profiles") or set(map(str, svc["profiles"])) & profiles
    }
    declared = {k: (v or {}) for k, v in (merged.get("networks") or {}).items()}
    # Compose v1 creates the networks of every service, v2 those of the enabled ones
    creating = services if options.naming is ComposeNaming.V1 else enabled
    used: set[str] = set()
    for svc in creating.values():
        if not svc.get("network_mode"):
            used |= set(net_map(svc.get("networks")) or {"default": None})
    undefined = sorted(used - set(declared) - {"default"})
    if undefined:
        raise InputError(f"a service uses the undefined network {undefined[0]!r}")
    networks = {
        key: _network(key, declared.get(key, {}), project, warnings) for key in sorted(used)
    }
    builtin: dict[str, Network] = {}

    def builtin_net(name: str) -> Network:
        if name not in builtin:
            driver = {"host": "host", "none": "null", "bridge": "bridge"}[name]
            options = {DEFAULT_BRIDGE_OPTION: "true"} if name == "bridge" else {}
            builtin[name] = Network(
                id=_ident("builtin", name), name=name, driver=driver, options=options
            )
        return builtin[name]

    names = _container_names(enabled, project, options.naming)
    containers: list[Container] = []
    for service, svc in sorted(enabled.items()):
        for index, cname in enumerate(names[service], start=1):
            containers.append(
                _container(
                    service=service,
                    svc=svc,
                    cname=cname,
                    index=index,
                    project=project,
                    networks=networks,
                    names=names,
                    builtin_net=builtin_net,
                    warnings=warnings,
                )
            )
    containers = with_data(
        containers,
        enabled,
        merged,
        project=project,
        names=names,
        project_dir=options.files[0].resolve().parent,
        warnings=warnings,
    )
    engine = Engine(name=f"compose project {project}", os_type="linux")
    return Snapshot(
        engine=engine,
        networks=(*networks.values(), *builtin.values()),
        containers=tuple(containers),
        source="compose " + " + ".join(str(p) for p in options.files),
        inspected=True,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _network(key: str, spec: dict[str, Any], project: str, warnings: list[str]) -> Network:
    external = spec.get("external")
    if isinstance(external, dict):  # the old form: external: {name: x}
        name = str(external.get("name") or spec.get("name") or key)
        external = True
    else:
        name = str(spec.get("name") or (key if external else f"{project}_{key}"))
    if external:
        warnings.append(
            f"network {name!r} is external: its settings are not in the compose files; "
            "predicted as a plain bridge network"
        )
        return Network(
            id=_ident("external", name), name=name, driver=str(spec.get("driver") or "bridge")
        )
    subnets = [
        Subnet(
            cidr=str(cfg["subnet"]),
            gateway=str(cfg["gateway"]) if cfg.get("gateway") else None,
            ip_range=str(cfg["ip_range"]) if cfg.get("ip_range") else None,
        )
        for cfg in (spec.get("ipam") or {}).get("config") or []
        if isinstance(cfg, dict) and cfg.get("subnet")
    ]
    labels = {
        **as_map(spec.get("labels")),
        COMPOSE_PROJECT_LABEL: project,
        "com.docker.compose.network": key,
    }
    return Network(
        id=_ident(project, "network", name),
        name=name,
        driver=str(spec.get("driver") or "bridge"),
        internal=spec.get("internal") is True,
        attachable=spec.get("attachable") is True,
        ipv6=spec.get("enable_ipv6") is True,
        subnets=tuple(subnets),
        options={str(k): str(v) for k, v in (spec.get("driver_opts") or {}).items()},
        labels=labels,
    )


def _container_names(
    services: dict[str, dict[str, Any]], project: str, naming: ComposeNaming
) -> dict[str, list[str]]:
    sep = naming.separator
    names = {}
    for service, svc in services.items():
        replicas = svc.get("scale") or (svc.get("deploy") or {}).get("replicas") or 1
        try:
            count = max(int(replicas), 0)
        except (TypeError, ValueError):
            count = 1
        if svc.get("container_name"):
            names[service] = [str(svc["container_name"])]
        else:
            names[service] = [f"{project}{sep}{service}{sep}{i}" for i in range(1, count + 1)]
    return names


def _container(
    *,
    service: str,
    svc: dict[str, Any],
    cname: str,
    index: int,
    project: str,
    networks: dict[str, Network],
    names: dict[str, list[str]],
    builtin_net: Any,  # noqa: ANN401 - Callable[[str], Network]
    warnings: list[str],
) -> Container:
    mode = str(svc.get("network_mode") or "")
    endpoints: list[Endpoint] = []
    attached: list[Network] = []
    if mode in {"host", "none", "bridge"}:
        net = builtin_net(mode)
        attached.append(net)
        endpoints.append(Endpoint(network_id=net.id, network_name=net.name))
        network_mode = "default" if mode == "bridge" else mode
    elif mode.startswith("service:"):
        target = mode.removeprefix("service:")
        if target not in names:
            raise InputError(
                f"service {service!r}: network_mode names unknown or disabled service {target!r}"
            )
        network_mode = f"container:{_ident(project, 'container', names[target][0])}"
    elif mode.startswith("container:"):
        network_mode = mode
    elif mode:
        raise InputError(f"service {service!r}: unsupported network_mode {mode!r}")
    else:
        wanted = net_map(svc.get("networks")) or {"default": None}
        for key, given in wanted.items():
            net = networks.get(key)
            if net is None:
                raise InputError(f"service {service!r} refers to undefined network {key!r}")
            spec = given or {}
            aliases = [service, *(str(a) for a in spec.get("aliases") or [])]
            endpoints.append(
                Endpoint(
                    network_id=net.id,
                    network_name=net.name,
                    ipv4=str(spec["ipv4_address"]) if spec.get("ipv4_address") else None,
                    ipv6=str(spec["ipv6_address"]) if spec.get("ipv6_address") else None,
                    aliases=tuple(dict.fromkeys(aliases)),
                )
            )
            attached.append(net)
        network_mode = min(e.network_name for e in endpoints)  # Compose names the first by name
    requested = tuple(_ports(svc.get("ports") or [], service, warnings))
    exposed = tuple(_expose(svc.get("expose") or []))
    publishes = (
        network_mode not in {"host", "none"}
        and not network_mode.startswith("container:")
        and any(not n.internal for n in attached)
    )
    effective = tuple(p for r in requested for p in _effective(r)) if publishes else ()
    links = []
    for entry in svc.get("links") or []:
        target, _, alias = str(entry).partition(":")
        if names.get(target):
            links.append(Link(target=names[target][0], alias=alias or target))
    labels = {
        **as_map(svc.get("labels")),
        COMPOSE_PROJECT_LABEL: project,
        COMPOSE_SERVICE_LABEL: service,
        "com.docker.compose.container-number": str(index),
    }
    return Container(
        id=_ident(project, "container", cname),
        name=cname,
        image=str(svc.get("image") or f"{project}-{service}"),
        state="running",
        network_mode=network_mode,
        labels=labels,
        ports=(*effective, *exposed),
        endpoints=tuple(endpoints),
        links=tuple(links),
        hostname=str(svc["hostname"]) if svc.get("hostname") else None,
        privileged=svc.get("privileged") is True,
        cap_add=tuple(str(c) for c in svc.get("cap_add") or []),
        sysctls=as_map(svc.get("sysctls")),
        requested_ports=requested,
    )


_SHORT_PORT = re.compile(
    r"^(?:(?P<ip>\[[^\]]+\]|[^:\[\]]+):)??(?:(?P<host>[0-9]*(?:-[0-9]+)?):)?(?P<target>[0-9]+(?:-[0-9]+)?)(?:/(?P<proto>\w+))?$"
)


def _ports(entries: list[Any], service: str, warnings: list[str]) -> list[Port]:
    ports: list[Port] = []
    for entry in entries:
        if isinstance(entry, dict):
            target = int(entry.get("target") or 0)
            published = str(entry.get("published") or "")
            ports.append(
                Port(
                    container_port=target,
                    protocol=str(entry.get("protocol") or "tcp"),
                    host_ip=str(entry.get("host_ip") or ""),
                    host_port=int(published.split("-", maxsplit=1)[0])
                    if published.split("-", maxsplit=1)[0].isdigit()
                    else 0,
                )
            )
            if entry.get("mode") == "host":
                warnings.append(f"service {service!r}: port mode host matters in swarm only")
            continue
        match = _SHORT_PORT.match(str(entry))
        if match is None:
            raise InputError(f"service {service!r}: cannot read port {entry!r}")
        ip = (match.group("ip") or "").strip("[]")
        host = match.group("host") or ""
        proto = match.group("proto") or "tcp"
        t_lo, _, t_hi = match.group("target").partition("-")
        h_lo, _, h_hi = host.partition("-")
        targets = range(int(t_lo), int(t_hi or t_lo) + 1)
        for offset, container_port in enumerate(targets):
            if not h_lo:
                host_port = 0
            elif h_hi and len(targets) == 1:
                host_port = 0  # a host range for one port: the engine picks one
            else:
                host_port = int(h_lo) + offset
            ports.append(
                Port(container_port=container_port, protocol=proto, host_ip=ip, host_port=host_port)
            )
    return ports


def _expose(entries: list[Any]) -> list[Port]:
    ports: list[Port] = []
    for entry in entries:
        number, _, proto = str(entry).partition("/")
        lo, _, hi = number.partition("-")
        ports.extend(
            Port(container_port=p, protocol=proto or "tcp")
            for p in range(int(lo), int(hi or lo) + 1)
        )
    return ports


def _effective(requested: Port) -> list[Port]:
    """What the engine reports for a binding: no host address means 0.0.0.0 and ::."""
    if requested.host_ip:
        return [requested]
    return [
        Port(
            container_port=requested.container_port,
            protocol=requested.protocol,
            host_ip=ip,
            host_port=requested.host_port,
        )
        for ip in ("0.0.0.0", "::")  # noqa: S104
    ]

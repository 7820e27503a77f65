"""The topology `docker compose up` would create, predicted from the merged project."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError, UsageError
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
from visualizer.sources.compose.checks import MAX_CONTAINERS, MAX_PORTS, replicas
from visualizer.sources.compose.data import with_data
from visualizer.sources.compose.merge import as_map, declared_name, net_map
from visualizer.sources.compose.ports import parse_expose, parse_port
from visualizer.sources.settings import ComposeNaming

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from visualizer.sources.compose.options import ComposeOptions
    from visualizer.sources.compose.project import Origins

_NAME = re.compile(r"[^a-z0-9_-]")


def project_name(
    options: ComposeOptions,
    env: Mapping[str, str],
    merged: dict[str, Any],
    project_dir: Path,
    *,
    origins: Origins,
) -> str:
    """The project name as Compose picks it: -p, COMPOSE_PROJECT_NAME, name:, the directory."""
    top = merged.get("name") if isinstance(merged.get("name"), str) else None
    for raw, where in (
        (options.project_name, "--project-name"),
        (env.get("COMPOSE_PROJECT_NAME"), "COMPOSE_PROJECT_NAME"),
        (top, f"{origins.top('name')}: name:"),
        (project_dir.name, f"the directory {project_dir}"),
    ):
        if not raw:
            continue
        name = _NAME.sub("", raw.lower())
        if name and name[0].isalnum():
            return name
        message = (
            f"{where} {raw!r} is not a valid project name: use lowercase letters, digits, - and _"
        )
        if where == "--project-name":
            raise UsageError(message)
        raise InputError(message)
    raise InputError(f"no project name: give --project-name ({project_dir} has no name)")


def _ident(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()


def predict(
    merged: dict[str, Any],
    project: str,
    profiles: set[str],
    options: ComposeOptions,
    warnings: list[str],
    *,
    origins: Origins,
) -> Snapshot:
    """The snapshot of the project once `docker compose up` has run."""
    services = {k: (v or {}) for k, v in (merged.get("services") or {}).items()}
    enabled = {
        name: svc
        for name, svc in services.items()
        if not svc.get("profiles") or set(map(str, svc["profiles"])) & profiles
    }
    declared = {k: (v or {}) for k, v in (merged.get("networks") or {}).items()}
    check_services(services, enabled, declared, origins)
    # Compose v1 creates the networks of every service, v2 those of the enabled ones
    creating = services if options.naming is ComposeNaming.V1 else enabled
    used: set[str] = set()
    for svc in creating.values():
        if not svc.get("network_mode"):
            used |= set(net_map(svc.get("networks")) or {"default": None})
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
    _check_size(enabled, names, origins)
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
                    origins=origins,
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
        origins=origins,
    )
    engine = Engine(name=f"compose project {project}", os_type="linux")
    return Snapshot(
        engine=engine,
        networks=(*networks.values(), *builtin.values()),
        containers=tuple(containers),
        source="compose " + " + ".join(str(p) for p in options.files),
        inspected=True,
        predicted=True,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _network(key: str, spec: dict[str, Any], project: str, warnings: list[str]) -> Network:
    name, external = declared_name(key, spec, project)
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
        if svc.get("container_name"):
            names[service] = [str(svc["container_name"])]
        else:
            count = replicas(svc)
            names[service] = [f"{project}{sep}{service}{sep}{i}" for i in range(1, count + 1)]
    return names


def _check_size(
    enabled: dict[str, dict[str, Any]], names: dict[str, list[str]], origins: Origins
) -> None:
    """Refuse a project over `MAX_CONTAINERS` containers or `MAX_PORTS` ports."""
    containers = sum(len(n) for n in names.values())
    if containers > MAX_CONTAINERS:
        biggest = max(names, key=lambda s: (len(names[s]), s))
        raise InputError(
            f"{origins.service(biggest, 'scale')}: the project would run {containers} "
            f"containers, over netviz's limit of {MAX_CONTAINERS}"
        )
    ports = 0
    for service, svc in enabled.items():
        each = sum(parse_port(p).count for p in svc.get("ports") or ())
        each += sum(hi - lo + 1 for lo, hi, _ in map(parse_expose, svc.get("expose") or ()))
        ports += each * len(names[service])
        if ports > MAX_PORTS:
            raise InputError(
                f"{origins.service(service, 'ports')}: the project would bind or expose over "
                f"{MAX_PORTS} ports, netviz's limit"
            )


def check_services(
    services: dict[str, dict[str, Any]],
    enabled: dict[str, dict[str, Any]],
    declared: dict[str, Any],
    origins: Origins,
) -> None:
    """Compose's consistency checks of the merged project, each at its file:line:col."""
    for name, svc in sorted(services.items()):
        if not svc.get("image") and not svc.get("build"):
            raise InputError(
                f"{origins.service(name)}: service {name!r} has neither an image nor a build "
                "context"
            )
        if svc.get("network_mode") and svc.get("networks"):
            raise InputError(
                f"{origins.service(name, 'network_mode')}: service {name!r} sets both "
                "network_mode and networks"
            )
        for net in net_map(svc.get("networks")):
            if net not in declared and net != "default":
                raise InputError(
                    f"{origins.service(name, 'networks', net)}: service {name!r} refers to "
                    f"undefined network {net!r}"
                )
        scale, deploy = svc.get("scale"), (svc.get("deploy") or {}).get("replicas")
        if scale is not None and deploy is not None and scale != deploy:
            raise InputError(
                f"{origins.service(name, 'scale')}: service {name!r} sets scale {scale} and "
                f"deploy.replicas {deploy}"
            )
        if svc.get("container_name") and replicas(svc) > 1:
            raise InputError(
                f"{origins.service(name, 'container_name')}: service {name!r} has a "
                f"container_name and {replicas(svc)} replicas: container names must be unique"
            )
        for i, link in enumerate(svc.get("links") or ()):
            target = str(link).partition(":")[0]
            if target not in services:
                raise InputError(
                    f"{origins.service(name, 'links', i)}: service {name!r} links to undefined "
                    f"service {target!r}"
                )
        mode = str(svc.get("network_mode") or "")
        target = mode.removeprefix("service:")
        if name in enabled and mode.startswith("service:") and target not in enabled:
            raise InputError(
                f"{origins.service(name, 'network_mode')}: service {name!r}: network_mode "
                f"names unknown or disabled service {target!r}"
            )


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
    origins: Origins,
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
        network_mode = f"container:{_ident(project, 'container', names[target][0])}"
    elif mode.startswith("container:"):
        network_mode = mode
    elif mode:
        raise InputError(
            f"{origins.service(service, 'network_mode')}: unsupported network_mode {mode!r}"
        )
    else:
        wanted = net_map(svc.get("networks")) or {"default": None}
        for key, given in wanted.items():
            net = networks[key]
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
    # the engine lists no port at all (published or exposed) for a container without an
    # interface of its own outside internal networks (host, none, container: modes too)
    publishes = (
        network_mode not in {"host", "none"}
        and not network_mode.startswith("container:")
        and any(not n.internal for n in attached)
    )
    effective = tuple(p for r in requested for p in _effective(r)) if publishes else ()
    exposed = tuple(_expose(svc.get("expose") or [])) if publishes else ()
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


def _ports(entries: list[Any], service: str, warnings: list[str]) -> list[Port]:
    ports: list[Port] = []
    for entry in entries:
        spec = parse_port(entry)  # checked with its place when the file was read
        if spec.mode == "host":
            warnings.append(f"service {service!r}: port mode host matters in swarm only")
        ports.extend(
            Port(container_port=port, protocol=proto, host_ip=ip, host_port=host)
            for port, host, proto, ip in spec.bindings()
        )
    return ports


def _expose(entries: list[Any]) -> list[Port]:
    ports: list[Port] = []
    for entry in entries:
        lo, hi, proto = parse_expose(entry)
        ports.extend(Port(container_port=p, protocol=proto) for p in range(lo, hi + 1))
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

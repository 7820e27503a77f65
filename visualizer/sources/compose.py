"""Compose files as a source: the topology `docker compose up` would create, predicted.

Files are read as YAML 1.2 (`22:22` stays a string), merged the way `docker compose -f a
-f b` merges them (mappings recursively, most sequences appended, `ports`/`expose`/`links`
de-duplicated, `command`/`entrypoint` replaced, `!reset` and `!override` tags honoured),
interpolated from the environment and the project's `.env` (`${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}`, `$$`), and filtered by profiles. The
prediction follows Compose's rules: the project name, `<project>_default`, prefixed network
names unless `name:` or `external:`, container names (`<project>-<service>-N`, or
`<project>_<service>_N` for Compose v1), the service name as an alias on every network,
`network_mode` (`host`, `none`, `bridge`, `service:X`, `container:X`), ports in short and long
syntax. What only a running engine knows (addresses not declared, ephemeral host ports) is
left unknown: `None` addresses, host port `0`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
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
from visualizer.yamlfile import load_yaml, position

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

TOP_KEYS = frozenset(
    {
        "version",
        "name",
        "services",
        "networks",
        "volumes",
        "configs",
        "secrets",
        "include",
        "models",
    }
)
SERVICE_KEYS = frozenset(
    """annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs
    container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime
    cpu_shares cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices
    dns dns_opt dns_search domainname entrypoint env_file environment expose extends
    external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels
    label_file links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit
    models network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports
    post_start pre_stop privileged profiles provider pull_policy read_only restart runtime scale
    secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls
    tmpfs tty ulimits use_api_socket user userns_mode uts volumes volumes_from
    working_dir""".split()  # noqa: SIM905 - a word list reads better than 120 quoted strings
)
"""Service keys of the Compose Specification; any other (but `x-*`) is a mistake."""
NETWORK_KEYS = frozenset(
    {
        "driver",
        "driver_opts",
        "attachable",
        "enable_ipv4",
        "enable_ipv6",
        "external",
        "internal",
        "ipam",
        "labels",
        "name",
    }
)
SERVICE_NETWORK_KEYS = frozenset(
    {
        "aliases",
        "ipv4_address",
        "ipv6_address",
        "link_local_ips",
        "mac_address",
        "priority",
        "gw_priority",
        "driver_opts",
        "interface_name",
    }
)
UNIQUE_SEQUENCES = frozenset(
    {
        "ports",
        "expose",
        "links",
        "external_links",
        "dns",
        "dns_search",
        "cap_add",
        "cap_drop",
        "profiles",
        "security_opt",
        "tmpfs",
    }
)
REPLACED = frozenset({"command", "entrypoint"})
_NAME = re.compile(r"[^a-z0-9_-]")


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeOptions:
    """How to read a compose project, as `docker compose` options would say it."""

    files: tuple[Path, ...]
    """`-f` files, merged in order."""
    project_name: str | None = None
    """`-p`; else `COMPOSE_PROJECT_NAME`, the top-level `name:` or the directory name."""
    profiles: tuple[str, ...] = ()
    """`--profile`; else `COMPOSE_PROFILES`."""
    env_file: Path | None = None
    """`--env-file`; else `.env` beside the first file."""
    naming: str = "v2"
    """Container names of Compose v2 (`p-s-1`) or v1 (`p_s_1`)."""
    environ: Mapping[str, str] | None = None
    """The environment to interpolate from (default: this process's)."""


@dataclass
class _Doc:
    """A parsed file: its data and where it came from, for error messages."""

    path: Path
    data: Any
    warnings: list[str] = field(default_factory=list)


def load_compose(options: ComposeOptions) -> Snapshot:
    """Predict the snapshot `docker compose up` would produce."""
    if not options.files:
        raise InputError("no compose file given")
    project_dir = options.files[0].resolve().parent
    env = _environment(options, project_dir)
    warnings: list[str] = []
    merged: dict[str, Any] = {}
    for path in options.files:
        doc = _read(path)
        _validate(doc)
        data = _plain(doc.data, env, str(path), warnings)
        merged = _merge_maps(merged, data)
    name = _project_name(options, env, merged, project_dir)
    profiles = set(options.profiles) or {p for p in env.get("COMPOSE_PROFILES", "").split(",") if p}
    return _predict(merged, name, profiles, options, warnings)


# ---- reading -----------------------------------------------------------------------------


def _read(path: Path) -> _Doc:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such compose file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    data = load_yaml(text, origin=str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: a compose file must be a mapping at the top level")
    return _Doc(path=path, data=data)


def _fail(path: Path, node: Any, key: str | int | None, message: str) -> InputError:  # noqa: ANN401
    return InputError(f"{path}{position(node, key)}: {message}")


def _validate(doc: _Doc) -> None:
    """Check the keys netviz reads, with the file, line and column of a mistake."""
    data, path = doc.data, doc.path
    for key in data:
        if not isinstance(key, str) or (key not in TOP_KEYS and not key.startswith("x-")):
            raise _fail(path, data, key, f"unknown top-level key {key!r}")
    services = data.get("services", {})
    if services is None:
        services = {}
    if not isinstance(services, dict):
        raise _fail(path, data, "services", "services must be a mapping")
    for name, svc in services.items():
        if svc is None:
            continue
        if not isinstance(svc, dict):
            raise _fail(path, services, name, f"service {name!r} must be a mapping")
        for key in svc:
            if not isinstance(key, str) or (key not in SERVICE_KEYS and not key.startswith("x-")):
                raise _fail(path, svc, key, f"service {name!r}: unknown key {key!r}")
        _expect(path, svc, "ports", (list,), f"service {name!r}: ports must be a list")
        _expect(path, svc, "expose", (list,), f"service {name!r}: expose must be a list")
        _expect(path, svc, "links", (list,), f"service {name!r}: links must be a list")
        _expect(path, svc, "profiles", (list,), f"service {name!r}: profiles must be a list")
        _expect(
            path, svc, "network_mode", (str,), f"service {name!r}: network_mode must be a string"
        )
        _expect(
            path,
            svc,
            "networks",
            (list, dict),
            f"service {name!r}: networks must be a list or a mapping",
        )
        nets = svc.get("networks")
        if isinstance(nets, dict):
            for net, spec in nets.items():
                if spec is None:
                    continue
                if not isinstance(spec, dict):
                    raise _fail(
                        path, nets, net, f"service {name!r}: network {net!r} must be a mapping"
                    )
                for key in spec:
                    if key not in SERVICE_NETWORK_KEYS and not str(key).startswith("x-"):
                        raise _fail(
                            path,
                            spec,
                            key,
                            f"service {name!r}, network {net!r}: unknown key {key!r}",
                        )
    networks = data.get("networks", {}) or {}
    if not isinstance(networks, dict):
        raise _fail(path, data, "networks", "networks must be a mapping")
    for name, spec in networks.items():
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise _fail(path, networks, name, f"network {name!r} must be a mapping")
        for key in spec:
            if key not in NETWORK_KEYS and not str(key).startswith("x-"):
                raise _fail(path, spec, key, f"network {name!r}: unknown key {key!r}")
        _expect(
            path, spec, "internal", (bool,), f"network {name!r}: internal must be true or false"
        )


def _expect(
    path: Path, node: dict[str, Any], key: str, kinds: tuple[type, ...], message: str
) -> None:
    if key in node and node[key] is not None and not isinstance(node[key], kinds):
        raise _fail(path, node, key, message)


# ---- environment and interpolation ---------------------------------------------------------


def _environment(options: ComposeOptions, project_dir: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    dotenv = options.env_file or project_dir / ".env"
    if options.env_file is not None and not dotenv.exists():
        raise InputError(f"{dotenv}: no such env file")
    if dotenv.exists():
        env.update(_read_dotenv(dotenv))
    env.update(os.environ if options.environ is None else options.environ)  # the shell wins
    return env


def _read_dotenv(path: Path) -> dict[str, str]:
    values = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":  # noqa: PLR2004
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


class _Reset:
    """`!reset`: drop the key from what the earlier files said."""


RESET = _Reset()


@dataclass(frozen=True)
class _Override:
    """`!override`: replace the earlier value instead of merging with it."""

    value: Any


def _plain(node: Any, env: Mapping[str, str], origin: str, warnings: list[str]) -> Any:  # noqa: ANN401
    """Interpolated plain data; the `!reset` / `!override` tags become markers."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if hasattr(node, "value") and type(node).__name__ == "TaggedScalar":
        node = node.value
    if isinstance(node, str):
        value: Any = _expand(node, env, origin, warnings)
    elif isinstance(node, dict):
        value = {str(k): _plain(v, env, origin, warnings) for k, v in node.items()}
    elif isinstance(node, list):
        value = [_plain(v, env, origin, warnings) for v in node]
    else:
        value = node
    if tag == "!reset":
        return RESET
    if tag == "!override":
        return _Override(value)
    return value


def _expand(text: str, env: Mapping[str, str], origin: str, warnings: list[str]) -> str:
    """Interpolate like Compose: `$$`, `$VAR`, `${VAR}` and its `-`, `:-`, `?`, `:?`, `+`, `:+`.

    Defaults may themselves hold `${...}`.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            depth, j = 1, i + 2
            while j < len(text) and depth:
                if text.startswith("${", j):
                    depth += 1
                    j += 2
                    continue
                if text[j] == "}":
                    depth -= 1
                j += 1
            if depth:
                raise InputError(f"{origin}: unterminated ${{...}} in {text!r}")
            out.append(_resolve(text[i + 2 : j - 1], env, origin, warnings))
            i = j
        else:
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i + 1 :])
            if match is None:
                out.append("$")
                i += 1
                continue
            out.append(_resolve(match.group(0), env, origin, warnings))
            i += 1 + match.end()
    return "".join(out)


def _resolve(body: str, env: Mapping[str, str], origin: str, warnings: list[str]) -> str:
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?(.*)$", body, re.DOTALL)
    if match is None or (match.group(2) is None and match.group(3)):
        raise InputError(f"{origin}: invalid interpolation ${{{body}}}")
    name, op, arg = match.group(1), match.group(2), match.group(3)
    value = env.get(name)
    if op is None:
        if value is None:
            warnings.append(f"{origin}: the {name} variable is not set; using an empty string")
            return ""
        return value
    missing = (value is None or value == "") if op.startswith(":") else value is None
    if op.endswith("-"):
        return _expand(arg, env, origin, warnings) if missing else str(value)
    if op.endswith("?"):
        if missing:
            reason = _expand(arg, env, origin, warnings) or "no value"
            raise InputError(f"{origin}: required variable {name} is missing: {reason}")
        return str(value)
    return "" if missing else _expand(arg, env, origin, warnings)


# ---- merging -----------------------------------------------------------------------------


def _merge(base: Any, override: Any, key: str) -> Any:  # noqa: ANN401
    if isinstance(override, _Override) or key in REPLACED:
        return override.value if isinstance(override, _Override) else override
    if key in {"labels", "environment", "sysctls"} and base is not None:
        return {**_as_map(base), **_as_map(override)}
    if (
        key == "networks"
        and isinstance(base, (list, dict))
        and isinstance(override, (list, dict))
        and (isinstance(base, list) != isinstance(override, list) or isinstance(base, dict))
    ):
        return _merge_maps(_net_map(base), _net_map(override))
    if isinstance(base, dict) and isinstance(override, dict):
        return _merge_maps(base, override)
    if isinstance(base, list) and isinstance(override, list):
        if key in UNIQUE_SEQUENCES or key == "networks":
            return [*base, *(v for v in override if v not in base)]
        return [*base, *override]
    return override


def _merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in override.items():
        if v is RESET:
            merged.pop(k, None)
        elif k in merged:
            merged[k] = _merge(merged[k], v, k)
        else:
            merged[k] = v.value if isinstance(v, _Override) else v
    return merged


def _as_map(value: Any) -> dict[str, str]:  # noqa: ANN401
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out = {}
    for item in value or []:
        k, _, v = str(item).partition("=")
        out[k] = v
    return out


def _net_map(value: Any) -> dict[str, Any]:  # noqa: ANN401
    if isinstance(value, dict):
        return dict(value)
    return {str(n): None for n in value or []}


# ---- prediction --------------------------------------------------------------------------


def _project_name(
    options: ComposeOptions, env: Mapping[str, str], merged: dict[str, Any], project_dir: Path
) -> str:
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


def _predict(
    merged: dict[str, Any],
    project: str,
    profiles: set[str],
    options: ComposeOptions,
    warnings: list[str],
) -> Snapshot:
    services = {k: (v or {}) for k, v in (merged.get("services") or {}).items()}
    enabled = {
        name: svc
        for name, svc in services.items()
        if not svc.get("profiles") or set(map(str, svc["profiles"])) & profiles
    }
    declared = {k: (v or {}) for k, v in (merged.get("networks") or {}).items()}
    # Compose v1 creates the networks of every service, v2 those of the enabled ones
    creating = services if options.naming == "v1" else enabled
    used: set[str] = set()
    for svc in creating.values():
        if not svc.get("network_mode"):
            used |= set(_net_map(svc.get("networks")) or {"default": None})
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
    engine = Engine(name=f"compose project {project}", os_type="linux")
    return Snapshot(
        engine=engine,
        networks=tuple(sorted([*networks.values(), *builtin.values()], key=lambda n: n.name)),
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
        **_as_map(spec.get("labels")),
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
        labels=dict(sorted(labels.items())),
    )


def _container_names(
    services: dict[str, dict[str, Any]], project: str, naming: str
) -> dict[str, list[str]]:
    sep = "_" if naming == "v1" else "-"
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
        wanted = _net_map(svc.get("networks")) or {"default": None}
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
        **_as_map(svc.get("labels")),
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
        labels=dict(sorted(labels.items())),
        ports=tuple(sorted((*effective, *exposed), key=_port_key)),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.network_name)),
        links=tuple(sorted(links, key=lambda lk: (lk.target, lk.alias))),
        hostname=str(svc["hostname"]) if svc.get("hostname") else None,
        privileged=svc.get("privileged") is True,
        cap_add=tuple(sorted(str(c) for c in svc.get("cap_add") or [])),
        sysctls=_as_map(svc.get("sysctls")),
        requested_ports=tuple(sorted(requested, key=_port_key)),
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


def _port_key(p: Port) -> tuple[int, str, str, int]:
    return (
        p.container_port,
        p.protocol,
        p.host_ip or "",
        p.host_port if p.host_port is not None else -1,
    )

"""Compose files checked before anything is read from them: known keys, expected types.

Mistakes are errors naming the file, line and column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.yamlfile import position

if TYPE_CHECKING:
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


def _fail(path: Path, node: Any, key: str | int | None, message: str) -> InputError:  # noqa: ANN401
    return InputError(f"{path}{position(node, key)}: {message}")


def validate(data: dict[str, Any], path: Path) -> None:
    """Check the keys netviz reads, with the file, line and column of a mistake."""
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

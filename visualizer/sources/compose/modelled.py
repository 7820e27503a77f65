"""Which compose keys netviz models; every other key is named in a warning, never dropped silently.

`MODELLED` maps a place in the merged project (`*` is any name, `[]` any item) to the keys
there that change the prediction. A module that models more adds its keys here, in one line;
`x-*` extension keys are Compose's own "ignore me", and are ignored silently as Compose does.
"""

from __future__ import annotations

from typing import Any

MODELLED: dict[tuple[str, ...], frozenset[str]] = {
    (): frozenset({"version", "name", "services", "networks", "volumes", "include"}),
    ("services", "*"): frozenset(
        {
            "image",
            "build",  # names the image when `image` is not given
            "ports",
            "expose",
            "networks",
            "network_mode",
            "scale",
            "deploy",
            "container_name",
            "hostname",
            "labels",
            "cap_add",
            "privileged",
            "sysctls",
            "links",
            "profiles",
            "extends",
            # the data layer and isolation (sources/compose/data.py)
            "volumes",
            "volumes_from",
            "tmpfs",  # private to the container: no channel, nothing to draw
            "pid",
            "ipc",
            "uts",
            "userns_mode",
            "cgroup",
            "cap_drop",
            "devices",
            "security_opt",
            "read_only",
        }
    ),
    ("services", "*", "volumes", "[]"): frozenset(
        {"type", "source", "target", "read_only", "bind"}
    ),
    ("services", "*", "volumes", "[]", "bind"): frozenset({"propagation"}),
    ("services", "*", "devices", "[]"): frozenset({"source", "target", "permissions"}),
    ("volumes", "*"): frozenset({"name", "external", "driver"}),
    ("services", "*", "deploy"): frozenset({"replicas"}),
    ("services", "*", "ports", "[]"): frozenset(
        {"target", "published", "host_ip", "protocol", "mode"}
    ),
    ("services", "*", "networks", "*"): frozenset({"aliases", "ipv4_address", "ipv6_address"}),
    ("networks", "*"): frozenset(
        {
            "name",
            "driver",
            "driver_opts",
            "external",
            "internal",
            "attachable",
            "enable_ipv6",
            "ipam",
            "labels",
        }
    ),
    ("networks", "*", "ipam"): frozenset({"config"}),
    ("networks", "*", "ipam", "config", "[]"): frozenset({"subnet", "gateway", "ip_range"}),
}
"""The keys netviz reads, by place. The keys of `build`, `labels`, `sysctls`, `driver_opts`
and `external` are values, not settings: the places below them are not listed."""

_SHOWN = 5


def unmodelled(model: dict[str, Any]) -> list[str]:
    """One warning per key of the project that netviz does not model, in a stable order."""
    found: dict[str, set[str]] = {}
    _walk(model, (), (), found)
    warnings = []
    for place in sorted(found):
        where = sorted(found[place])
        names = ", ".join(where[:_SHOWN]) + (
            f" and {len(where) - _SHOWN} more" if len(where) > _SHOWN else ""
        )
        suffix = f" (in {names})" if names else ""
        warnings.append(f"compose key {place} is not modelled by netviz: ignored{suffix}")
    return warnings


def _walk(
    value: Any,  # noqa: ANN401
    pattern: tuple[str, ...],
    names: tuple[str, ...],
    found: dict[str, set[str]],
) -> None:
    if pattern in MODELLED and isinstance(value, dict):
        known = MODELLED[pattern]
        for key, item in value.items():
            if key.startswith("x-"):
                continue
            if key not in known:
                place = ".".join((*pattern, key)) if pattern else key
                found.setdefault(place, set()).update(["/".join(names)] if names else [])
                continue
            _walk(item, (*pattern, key), names, found)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            deeper = (*pattern, "*")
            if any(p[: len(deeper)] == deeper for p in MODELLED):
                _walk(item, deeper, (*names, key), found)
    elif isinstance(value, list):
        deeper = (*pattern, "[]")
        if deeper in MODELLED:
            for item in value:
                _walk(item, deeper, names, found)

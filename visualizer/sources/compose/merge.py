"""Several compose files merged the way `docker compose -f a -f b` merges them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


class _Reset:
    """`!reset`: drop the key from what the earlier files said."""


RESET = _Reset()


@dataclass(frozen=True)
class Override:
    """`!override`: replace the earlier value instead of merging with it."""

    value: Any


def _merge(base: Any, override: Any, key: str) -> Any:  # noqa: ANN401
    if isinstance(override, Override) or key in REPLACED:
        return override.value if isinstance(override, Override) else override
    if key in {"labels", "environment", "sysctls"} and base is not None:
        return {**as_map(base), **as_map(override)}
    if (
        key == "networks"
        and isinstance(base, (list, dict))
        and isinstance(override, (list, dict))
        and (isinstance(base, list) != isinstance(override, list) or isinstance(base, dict))
    ):
        return merge_maps(net_map(base), net_map(override))
    if isinstance(base, dict) and isinstance(override, dict):
        return merge_maps(base, override)
    if isinstance(base, list) and isinstance(override, list):
        if key in UNIQUE_SEQUENCES or key == "networks":
            return [*base, *(v for v in override if v not in base)]
        return [*base, *override]
    return override


def merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` merged onto `base` (`!reset` drops a key, `!override` replaces it)."""
    merged = dict(base)
    for k, v in override.items():
        if v is RESET:
            merged.pop(k, None)
        elif v is None and k in merged:
            continue  # Compose keeps what an empty (null) value would override
        elif k in merged:
            merged[k] = _merge(merged[k], v, k)
        else:
            merged[k] = v.value if isinstance(v, Override) else v
    return merged


def as_map(value: Any) -> dict[str, str]:  # noqa: ANN401
    """A mapping or a `KEY=VALUE` list (labels, sysctls) as a mapping of strings."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out = {}
    for item in value or []:
        k, _, v = str(item).partition("=")
        out[k] = v
    return out


def net_map(value: Any) -> dict[str, Any]:  # noqa: ANN401
    """A service's networks, list or mapping form, as a mapping."""
    if isinstance(value, dict):
        return dict(value)
    return {str(n): None for n in value or []}


def declared_name(key: str, spec: dict[str, Any], project: str) -> tuple[str, bool]:
    """A declared network's or volume's engine name, and whether it is external.

    `name:` wins; else an external one keeps its key (or the old `external: {name: x}`) and a
    project's own is `<project>_<key>`.
    """
    external = spec.get("external")
    if isinstance(external, dict):  # the old form: external: {name: x}
        return str(external.get("name") or spec.get("name") or key), True
    return str(spec.get("name") or (key if external else f"{project}_{key}")), bool(external)

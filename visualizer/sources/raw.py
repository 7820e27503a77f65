"""Untrusted JSON from the engine, read defensively: a field of an unexpected type is absent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

Json = Any
"""A value decoded from the engine's JSON: untrusted and untyped until parsed."""


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
    """The container IDs a recorded capture inspected when it inspected only some of them (the
    audits of older netviz versions; `None`: every container)."""
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


def as_dict(value: Json) -> dict[str, Json]:
    """A JSON object, or an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Json) -> list[Json]:
    """A JSON array, or an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Json) -> str:
    """A string, or the empty string."""
    return value if isinstance(value, str) else ""


def as_strs(value: Json) -> list[str]:
    """The strings of a JSON array."""
    return [v for v in as_list(value) if isinstance(v, str)]


def as_int(value: Json) -> int | None:
    """An integer (also one written as digits), or `None`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def as_opt_bool(value: Json) -> bool | None:
    """A boolean, or `None` when absent or of another type."""
    return value if isinstance(value, bool) else None


def as_str_map(value: Json) -> dict[str, str]:
    """The string values of a JSON object, sorted by key."""
    return {str(k): v for k, v in sorted(as_dict(value).items()) if isinstance(v, str)}

"""Constants and helpers every model record uses."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

SCHEMA_VERSION = 1
"""Version of the snapshot file format written by `netviz snapshot` (see README)."""

BUILTIN_NETWORKS = frozenset({"bridge", "host", "none"})
"""Names of the networks every engine creates by itself (local scope)."""

COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"
ICC_OPTION = "com.docker.network.bridge.enable_icc"
DEFAULT_BRIDGE_OPTION = "com.docker.network.bridge.default_bridge"

EMPTY: Mapping[str, str] = MappingProxyType({})


def set_field(record: object, name: str, value: object) -> None:
    """Assign a field of a frozen record while it is being built (its canonical form)."""
    object.__setattr__(record, name, value)


def frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy of a string mapping, its keys in sorted order."""
    if isinstance(value, MappingProxyType) and list(value) == sorted(value):
        return value
    return MappingProxyType(dict(sorted(value.items())))


def sorted_strings(value: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A tuple of strings in sorted order (`None`, unknown, stays `None`)."""
    return None if value is None else tuple(sorted(value))


def parse_go_bool(value: str | None, *, default: bool) -> bool:
    """Read a boolean option the way the engine does (Go's `strconv.ParseBool`)."""
    if value is None:
        return default
    if value in {"1", "t", "T", "TRUE", "true", "True"}:
        return True
    if value in {"0", "f", "F", "FALSE", "false", "False"}:
        return False
    return default


SWARM_SERVICE_LABEL = "com.docker.swarm.service.name"
SWARM_SERVICE_ID_LABEL = "com.docker.swarm.service.id"
SWARM_TASK_LABEL = "com.docker.swarm.task.id"

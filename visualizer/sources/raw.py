"""Untrusted JSON from the engine, read defensively: a field of an unexpected type is absent."""

from __future__ import annotations

from typing import Any

Json = Any
"""A value decoded from the engine's JSON: untrusted and untyped until parsed."""


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

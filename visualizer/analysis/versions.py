"""Engine versions: parsed once, compared where a rule depends on them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.model import Engine

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def engine_version(engine: Engine | None) -> tuple[int, int, int] | None:
    """`20.10.24+dfsg1` → (20, 10, 24); `None` when the version is unknown or unreadable."""
    if engine is None:
        return None
    found = _VERSION.match(engine.server_version.strip())
    if found is None:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


def at_least(engine: Engine | None, version: tuple[int, int, int]) -> bool | None:
    """Whether the engine is at least `version`; `None` when unknown."""
    current = engine_version(engine)
    return None if current is None else current >= version

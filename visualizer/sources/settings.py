"""Settings the sources share and the source options name: compose naming, the timeout.

A leaf: the spec, the compose prediction and the engine capture all import it, and it imports
none of them.
"""

from __future__ import annotations

import math
from enum import StrEnum

from visualizer.errors import UsageError


class ComposeNaming(StrEnum):
    """How Compose names containers (and which networks it creates)."""

    V2 = "v2"
    """Compose v2: `<project>-<service>-N`; networks of the enabled services."""
    V1 = "v1"
    """Compose v1 (`docker-compose` 1.x): `<project>_<service>_N`; networks of every service."""

    @property
    def separator(self) -> str:
        """What joins project, service and number in a container name."""
        return "_" if self is ComposeNaming.V1 else "-"


MAX_TIMEOUT = 86400.0
"""The longest `--timeout` accepted (one day)."""


def check_timeout(seconds: object) -> None:
    """Refuse a `--timeout` that is not a positive number of seconds, at most a day (exit 2)."""
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or not 0 < seconds <= MAX_TIMEOUT
    ):
        raise UsageError(
            f"invalid --timeout {seconds!r}: give a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT:g}"
        )

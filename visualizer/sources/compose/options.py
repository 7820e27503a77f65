"""How a compose project is read: the options `docker compose` takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.sources.settings import ComposeNaming

if TYPE_CHECKING:
    from collections.abc import Mapping


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
    naming: ComposeNaming = ComposeNaming.V2
    """Container names of Compose v2 (`p-s-1`) or v1 (`p_s_1`)."""
    environ: Mapping[str, str] | None = None
    """The environment to interpolate from (default: this process's)."""

    def __post_init__(self) -> None:
        """Accept plain strings (`naming="v1"`, file names) from library callers."""
        object.__setattr__(self, "naming", ComposeNaming(self.naming))
        object.__setattr__(self, "files", tuple(Path(f) for f in self.files))
        if self.env_file is not None:
            object.__setattr__(self, "env_file", Path(self.env_file))

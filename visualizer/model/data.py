"""What a container holds besides its network: mounts and host devices."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

VOLUME, BIND, TMPFS, NPIPE = "volume", "bind", "tmpfs", "npipe"
"""Mount types the engine reports (`cluster` and `image` mounts are kept as reported too)."""


def host_path(path: str) -> str:
    """A host path in its canonical form: `//a/./b/` → `/a/b` (relative paths kept as given)."""
    if not path.startswith("/"):
        return path
    return "/" + posixpath.normpath(path).lstrip("/") if path != "/" else "/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Mount:
    """A volume, host path (bind), tmpfs or named pipe mounted into a container."""

    type: str
    """`volume`, `bind`, `tmpfs` or `npipe` (also `cluster`, `image` as the engine reports)."""
    destination: str
    """Where it appears inside the container."""
    source: str = ""
    """The host path of a bind or named pipe; for a volume, its directory on the host (empty
    before a container first starts)."""
    name: str = ""
    """The volume's name (a 64-hex name for an anonymous volume); empty for other types."""
    driver: str = ""
    """The volume driver (`local`, a plugin); empty for other types."""
    rw: bool = True
    """Whether the container may write to it."""
    propagation: str = ""
    """Bind propagation: `rprivate` (the default), `private`, `rslave`, `slave`, `rshared` or
    `shared`; empty for volumes."""

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        """The canonical order of a container's mounts: destination, type, name, source."""
        return (self.destination, self.type, self.name, self.source)

    @property
    def is_data(self) -> bool:
        """Whether other containers or the host can see what it holds (volume, bind, pipe)."""
        return self.type in {VOLUME, BIND, NPIPE}

    @property
    def anonymous(self) -> bool:
        """A volume created for this container alone (`-v /path`, `VOLUME` in the image)."""
        return (
            self.type == VOLUME
            and len(self.name) == 64  # noqa: PLR2004 - the engine names them by 64 hex digits
            and all(ch in "0123456789abcdef" for ch in self.name)
        )

    @property
    def host_path(self) -> str:
        """The canonical host path of a bind or named pipe; empty for other types."""
        return host_path(self.source) if self.type in {BIND, NPIPE} else ""

    @property
    def shared_propagation(self) -> bool:
        """Mount events propagate back to the host (`shared`, `rshared`)."""
        return self.propagation in {"shared", "rshared"}

    @property
    def text(self) -> str:
        """As reports write it: `db-data:/var/lib/db (ro)`, `/srv/www:/usr/share/www`."""
        what = self.name or self.source or self.type
        if self.type == VOLUME and self.anonymous:
            what = f"anonymous volume {self.name[:12]}"
        elif self.type == TMPFS:
            what = "tmpfs"
        return f"{what}:{self.destination}{'' if self.rw else ' (ro)'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """A host device exposed to a container (`--device`)."""

    host_path: str
    """The device on the host, e.g. `/dev/sda`."""
    container_path: str = ""
    """Where it appears inside the container."""
    permissions: str = "rwm"
    """cgroup permissions: `r`ead, `w`rite, `m`knod."""

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """The canonical order of a container's devices."""
        return (self.host_path, self.container_path, self.permissions)

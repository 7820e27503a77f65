"""What a container's configuration gives it over the host and other containers.

Shared by the isolation findings (A21–A28) and the channels: the engine socket, sensitive
host paths, privileged mode, host namespaces, capabilities, devices and security options.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import Severity

if TYPE_CHECKING:
    from visualizer.model import Container, Mount

SOCKET_NAMES = frozenset({"docker.sock", "podman.sock", "containerd.sock"})
"""Engine API sockets: whoever can connect controls every container of the engine."""
SOCKET_DIRS = frozenset({"/", "/var", "/var/run", "/run", "/run/podman", "/run/containerd"})
"""Host directories that hold an engine socket: mounting one, even read-only, hands it over
(connecting to a unix socket is not a write, so `:ro` does not stop it)."""
SENSITIVE_PATHS = frozenset(
    {
        "/",
        "/boot",
        "/dev",
        "/etc",
        "/lib",
        "/lib/modules",
        "/proc",
        "/sys",
        "/usr",
        "/var/run",
        "/run",
        "/var/lib/docker",
    }
)
"""Host directories whose bind mount CIS 5.6 forbids (docker-bench-security's list plus
`/lib/modules`, `/var/run`, `/run` and the engine's default data root `/var/lib/docker`)."""
HOST_WRITE_PATHS = frozenset({"/", "/var/lib/docker"})
"""Writable binds that give power over every container: the whole host, or the data root
that holds every container's filesystem and volumes."""
DANGEROUS_CAPS: dict[str, Severity] = {
    "ALL": Severity.CRITICAL,
    "SYS_ADMIN": Severity.HIGH,
    "SYS_MODULE": Severity.HIGH,
    "SYS_PTRACE": Severity.HIGH,
    "SYS_RAWIO": Severity.HIGH,
    "DAC_READ_SEARCH": Severity.HIGH,
    "BPF": Severity.HIGH,
    "PERFMON": Severity.MEDIUM,
    "NET_ADMIN": Severity.MEDIUM,
    "SYS_BOOT": Severity.MEDIUM,
    "SYS_TIME": Severity.MEDIUM,
    "SYSLOG": Severity.MEDIUM,
    "MAC_ADMIN": Severity.MEDIUM,
    "MAC_OVERRIDE": Severity.MEDIUM,
    "LINUX_IMMUTABLE": Severity.MEDIUM,
}
"""Capabilities beyond Docker's default set that open the kernel or the host to a container."""


def cap_name(cap: str) -> str:
    """`CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`."""
    return cap.upper().removeprefix("CAP_")


def socket_mount(m: Mount) -> bool:
    """Whether a mount hands over an engine's API socket (the socket, or a directory with it)."""
    path = m.host_path
    return bool(path) and (posixpath.basename(path) in SOCKET_NAMES or path in SOCKET_DIRS)


def socket_text(m: Mount) -> str:
    """How a socket mount is named: the socket, or the directory that holds it."""
    if posixpath.basename(m.host_path) in SOCKET_NAMES:
        return f"the engine socket ({m.host_path})"
    return f"the engine socket, through a bind of {m.host_path}"


def host_powers(c: Container) -> list[str]:
    """Why a container is equivalent to its host and has power over every other container.

    The engine socket (start a privileged container on the host, exec in any container),
    privileged mode (every device, every capability, no confinement), the host's PID
    namespace (signal and enter every process, every container's included) and a writable
    bind of `/` or of the data root (write into every container's filesystem).
    """
    found = [socket_text(m) for m in c.mounts if socket_mount(m)]
    if c.privileged:
        found.append("privileged mode")
    if c.pid_mode == "host":
        found.append("the host's PID namespace (pid=host)")
    found += [
        f"a read-write bind of {m.host_path}"
        for m in c.mounts
        if m.rw and m.host_path in HOST_WRITE_PATHS and m.type == "bind"
    ]
    return list(dict.fromkeys(found))


def unconfined(c: Container) -> list[str]:
    """Security options that switch confinement off: `seccomp=unconfined`, `apparmor=...`."""
    found = []
    for opt in c.security_opt or ():
        key, _, value = opt.replace(":", "=", 1).partition("=")
        if key in {"seccomp", "apparmor"} and value == "unconfined":
            found.append(f"{key}=unconfined")
        elif key == "label" and value == "disable":
            found.append("label=disable")
    return found


__all__ = [
    "DANGEROUS_CAPS",
    "SENSITIVE_PATHS",
    "SOCKET_DIRS",
    "SOCKET_NAMES",
    "cap_name",
    "host_powers",
    "socket_mount",
    "socket_text",
    "unconfined",
]

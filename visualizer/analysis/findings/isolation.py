"""Findings about isolation beyond the network: A21–A28 (sockets, mounts, privileges).

Each is decided from one container's configuration. What only an inspect reveals (privileged
mode, namespaces, capabilities, devices, security options) is `None` for a container that was
not inspected: those containers are counted in the audit's caveats, never guessed clean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import Severity
from visualizer.analysis.findings.record import Finding, container_subject, finding
from visualizer.analysis.powers import (
    DANGEROUS_CAPS,
    SENSITIVE_PATHS,
    cap_name,
    socket_mount,
    socket_text,
    unconfined,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.model import Container

_DISKS = ("/dev/sd", "/dev/nvme", "/dev/vd", "/dev/xvd", "/dev/hd", "/dev/mapper/", "/dev/dm-")
_MEMORY = frozenset({"/dev/mem", "/dev/kmem", "/dev/port"})


def isolation_findings(containers: Iterable[Container]) -> list[Finding]:
    """A21–A28 for every container."""
    found: list[Finding] = []
    for c in containers:
        found += _sockets(c)
        found += _sensitive(c)
        found += _privileged(c)
        found += _namespaces(c)
        found += _capabilities(c)
        found += _devices(c)
        found += _confinement(c)
        found += _propagation(c)
    return found


def _sockets(c: Container) -> list[Finding]:
    return [
        finding(
            "A21",
            subjects=(container_subject(c),),
            explanation=(
                f"{c.name} mounts {socket_text(m)} at {m.destination}"
                f"{' read-only, which does not stop it' if not m.rw else ''}: through the "
                "engine's API it can start a privileged container on the host network, exec "
                "into any container and read their secrets. It is equivalent to root on the "
                "host and has power over every container."
            ),
            detail=f"{m.host_path}:{m.destination}",
        )
        for m in c.mounts
        if socket_mount(m)
    ]


def _sensitive(c: Container) -> list[Finding]:
    found = []
    for m in c.mounts:
        if m.type != "bind" or m.host_path not in SENSITIVE_PATHS:
            continue
        if m.rw:
            severity = Severity.CRITICAL if m.host_path == "/" else Severity.HIGH
        else:
            severity = Severity.MEDIUM
        found.append(
            finding(
                "A22",
                severity=severity,
                subjects=(container_subject(c),),
                explanation=(
                    f"{c.name} mounts the host's {m.host_path} at {m.destination} "
                    f"{'read-write: it can change' if m.rw else 'read-only: it can read'} "
                    "host configuration, credentials or kernel interfaces there."
                ),
                detail=f"{m.host_path}:{m.destination}",
            )
        )
    return found


def _privileged(c: Container) -> list[Finding]:
    if not c.privileged:
        return []
    return [
        finding(
            "A23",
            subjects=(container_subject(c),),
            explanation=(
                f"{c.name} runs --privileged: every capability, every host device, no seccomp "
                "or AppArmor. It can mount the host's disks and load kernel modules: it is the "
                "host, and has power over every container."
            ),
        )
    ]


_PID_POWER = "see, signal and enter every host process, every container's (/proc/PID/root)"
_NAMESPACES = (
    ("pid_mode", "PID", Severity.HIGH, "5.16", _PID_POWER),
    ("ipc_mode", "IPC", Severity.MEDIUM, "5.17", "use the host's shared memory and semaphores"),
    ("userns_mode", "user", Severity.MEDIUM, "5.31", "stay the host's root under userns-remap"),
    ("uts_mode", "UTS", Severity.LOW, "5.21", "see, and with SYS_ADMIN change, the host name"),
)


def _namespaces(c: Container) -> list[Finding]:
    found = []
    for field, what, severity, cis, power in _NAMESPACES:
        if getattr(c, field) != "host":
            continue
        found.append(
            finding(
                "A24",
                severity=severity,
                title=f"Host {what} namespace shared",
                subjects=(container_subject(c),),
                explanation=f"{c.name} shares the host's {what} namespace: it can {power}.",
                cis=cis,
                detail=what,
            )
        )
    return found


def _capabilities(c: Container) -> list[Finding]:
    risky = sorted(
        {cap_name(cap) for cap in c.cap_add or () if cap_name(cap) in DANGEROUS_CAPS},
        key=lambda cap: (-DANGEROUS_CAPS[cap], cap),
    )
    if not risky or c.privileged:  # privileged already has them all (A23)
        return []
    return [
        finding(
            "A25",
            severity=max(DANGEROUS_CAPS[cap] for cap in risky),
            subjects=(container_subject(c),),
            explanation=(
                f"{c.name} adds {', '.join(risky)} to Docker's default capabilities: they reach "
                "past the container into the kernel (mounts, modules, tracing, raw devices, "
                "network configuration)."
            ),
            detail=",".join(risky),
        )
    ]


def _devices(c: Container) -> list[Finding]:
    found = []
    for d in c.devices or ():
        writable = "w" in d.permissions
        worst = d.host_path in _MEMORY or d.host_path.startswith(_DISKS)
        found.append(
            finding(
                "A26",
                severity=Severity.HIGH if worst and writable else Severity.MEDIUM,
                subjects=(container_subject(c),),
                explanation=(
                    f"{c.name} has the host device {d.host_path} as {d.container_path} "
                    f"({d.permissions}): it talks to the host's hardware directly."
                ),
                detail=d.host_path,
            )
        )
    return found


def _confinement(c: Container) -> list[Finding]:
    found = []
    for opt in unconfined(c):
        cis = {"seccomp": "5.22", "apparmor": "5.2"}.get(opt.partition("=")[0], "5.3")
        found.append(
            finding(
                "A27",
                subjects=(container_subject(c),),
                explanation=(
                    f"{c.name} runs with {opt}: the kernel no longer filters what it may do "
                    "beyond its capabilities."
                ),
                cis=cis,
                detail=opt,
            )
        )
    return found


def _propagation(c: Container) -> list[Finding]:
    return [
        finding(
            "A28",
            subjects=(container_subject(c),),
            explanation=(
                f"{c.name} mounts {m.host_path or m.name} at {m.destination} with "
                f"{m.propagation} propagation: mounts made inside appear on the host and in "
                "every other container that mounts it."
            ),
            detail=f"{m.host_path or m.name}:{m.destination}",
        )
        for m in c.mounts
        if m.shared_propagation
    ]

"""`docker run`'s data and namespace options, read as the docker CLI reads them.

They are stored as the engine stores them, so that a prediction equals what a later capture
shows.

- `-v`/`--volume`, `--mount`, `--use-api-socket` (read in `mounts`); `--volume-driver` names
  the driver of the volumes `-v` creates.
- `--volumes-from NAME[:ro|:rw]`: every mount of that container (not its tmpfs), read-only
  with `:ro`; the container's own mounts win on the same destination.
- `--tmpfs PATH`: private to the container, and absent from the engine's container list.
- `--pid`, `--ipc`, `--uts`, `--userns`, `--cgroupns`; a `container:NAME` mode is stored with
  the container's full ID, as the engine stores it.
- `--cap-drop`, `--device HOST[:CONTAINER][:PERMISSIONS]`, `--security-opt`, `--read-only`;
  the engine adds `label=disable` where it does (`engine_security_opt`).

Every check the CLI or the engine makes is a refusal in their words, at the moment they make
it: before the container exists (syntax, modes, unknown capabilities or containers), once it
is named (`--volumes-from`, duplicate mount points, volume names), or when it starts (joining
an IPC or PID namespace). What only the host knows is said in a warning and not checked:
whether a `--mount` bind source or a `--device` exists, whether a path is on a shared mount
(for `shared` propagation).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from visualizer.model import BIND, TMPFS, VOLUME, Device, Mount
from visualizer.sources.compose.data import engine_security_opt
from visualizer.sources.whatif import refusals
from visualizer.sources.whatif.grammar import CommandError
from visualizer.sources.whatif.mounts import (
    API_SOCKET,
    BOOLS,
    VOLUME_NAME,
    Bind,
    anonymous,
    parse_mount,
    parse_volume,
    propagated,
    valid_mode,
    volume_known,
)
from visualizer.sources.whatif.networks import version

if TYPE_CHECKING:
    from visualizer.model import Container
    from visualizer.sources.whatif.grammar import Command
    from visualizer.sources.whatif.state import World

CAPABILITIES = frozenset(
    f"CAP_{name}"
    for name in (  # noqa: SIM905 - a word list, not 41 lines
        "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
        "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
        "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
        "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
        "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
        "CHECKPOINT_RESTORE"
    ).split()
)
"""The Linux capabilities the engine knows (`ALL` too)."""
IPC_MODES = frozenset({"", "none", "private", "shareable", "host"})
"""`--ipc` values besides `container:NAME`."""


@dataclass(slots=True, kw_only=True)
class Plan:
    """What the data and namespace options ask for, read before the container exists."""

    binds: list[Bind] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)
    """Destinations of `-v PATH` (anonymous volumes)."""
    tmpfs: list[str] = field(default_factory=list)
    volumes_from: list[tuple[str, str]] = field(default_factory=list)
    """(container, mode) as given."""
    driver: str = ""
    """`--volume-driver`."""
    pid_mode: str = ""
    ipc_mode: str = ""
    uts_mode: str = ""
    userns_mode: str = ""
    cgroupns_mode: str = ""
    cap_drop: tuple[str, ...] = ()
    devices: tuple[Device, ...] = ()
    security_opt: tuple[str, ...] = ()
    read_only_rootfs: bool = False


def capability(name: str) -> str:
    """As the docker CLI sends it: upper case, `CAP_` prefixed (`ALL` stays `ALL`)."""
    upper = name.upper()
    return upper if upper == "ALL" or upper.startswith("CAP_") else f"CAP_{upper}"


def check_capabilities(option: str, caps: tuple[str, ...]) -> None:
    """The engine refuses a capability it does not know (`invalid CapAdd: …`)."""
    for cap in caps:
        if cap != "ALL" and cap not in CAPABILITIES:
            raise refusals.unknown_capability(option, cap)


def read(world: World, cmd: Command) -> Plan:
    """Read the options; the CLI's and the engine's checks made before the container exists."""
    plan = Plan(driver=cmd.value("volume-driver") or "")
    for raw in cmd.values("volume"):
        found = parse_volume(world, raw)
        if isinstance(found, str):
            plan.anonymous.append(found)
        else:
            plan.binds.append(found)
    for raw in cmd.values("mount"):
        plan.binds.append(Bind(mount=parse_mount(world, raw), raw=raw, from_mount_flag=True))
    if cmd.flag("use-api-socket"):
        socket = Mount(type=BIND, destination=API_SOCKET, source=API_SOCKET)
        plan.binds.append(Bind(mount=propagated(socket), raw="--use-api-socket"))
    plan.tmpfs = [text.split(":", 1)[0] for text in cmd.values("tmpfs")]
    plan.pid_mode = _checked(cmd, "pid", {"", "host"}, "--pid: invalid PID mode")
    plan.uts_mode = _checked(cmd, "uts", {"", "host"}, "--uts: invalid UTS mode")
    plan.userns_mode = _checked(cmd, "userns", {"", "host"}, "--userns: invalid USER mode")
    modes = {"", "host", "private"}
    plan.cgroupns_mode = _checked(cmd, "cgroupns", modes, "--cgroupns: invalid CGROUP mode")
    plan.ipc_mode = cmd.value("ipc") or ""
    plan.devices = tuple(_device(world, text) for text in cmd.values("device"))
    plan.security_opt = tuple(_security_opt(opt) for opt in cmd.values("security-opt"))
    plan.cap_drop = tuple(capability(c) for c in cmd.values("cap-drop"))
    plan.read_only_rootfs = cmd.flag("read-only")
    for text in cmd.values("volumes-from"):
        ref, _, mode = text.partition(":")
        if mode and not valid_mode(mode):
            raise refusals.invalid_mode(mode)
        plan.volumes_from.append((ref, mode))
    # the engine resolves `container:` namespaces before it allocates the name (IPC first)
    plan.ipc_mode = _joined(world, plan.ipc_mode)
    plan.pid_mode = _joined(world, plan.pid_mode)
    check_capabilities("CapDrop", plan.cap_drop)
    return plan


def place(world: World, plan: Plan) -> tuple[Mount, ...]:
    """The container's mounts, with the checks the engine makes once it is named."""
    mounts: dict[str, Mount] = {}
    for ref, mode in plan.volumes_from:
        source = world.container(ref)
        if source is None:
            raise refusals.no_such_container(ref)
        for m in source.mounts:
            if m.type != TMPFS:
                mounts[m.destination] = Mount(
                    type=m.type,
                    destination=m.destination,
                    source=m.source,
                    name=m.name,
                    driver=m.driver,
                    rw=m.rw and "ro" not in mode.split(","),
                    propagation=m.propagation,
                )
    bound: set[str] = set()
    for b in plan.binds:
        m = b.mount
        if m.destination in bound or (not b.from_mount_flag and m.destination in plan.tmpfs):
            raise refusals.duplicate_mount(m.destination)
        if m.type == VOLUME and m.name and not VOLUME_NAME.match(m.name):
            raise refusals.invalid_volume_name(m.name)
        bound.add(m.destination)
        if m.type == VOLUME and not m.name:
            m = anonymous(world, m.destination, m.driver or plan.driver, rw=m.rw)
        mounts[m.destination] = volume_known(world, m, plan.driver)
    for target in plan.anonymous:
        if target not in mounts:
            mounts[target] = anonymous(world, target, plan.driver, rw=True)
    return tuple(mounts.values())


def applied(c: Container, plan: Plan, mounts: tuple[Mount, ...]) -> Container:
    """A created container with its mounts, namespaces and privileges as the engine stores them."""
    return replace(
        c,
        mounts=mounts,
        volumes_from=tuple(f"{r}:{m}" if m else r for r, m in plan.volumes_from),
        pid_mode=plan.pid_mode,
        ipc_mode=plan.ipc_mode,
        uts_mode=plan.uts_mode,
        userns_mode=plan.userns_mode,
        cgroupns_mode=plan.cgroupns_mode,
        cap_drop=plan.cap_drop,
        devices=plan.devices,
        security_opt=engine_security_opt(
            plan.security_opt,
            privileged=bool(c.privileged),
            pid_mode=plan.pid_mode,
            ipc_mode=plan.ipc_mode,
        ),
        read_only_rootfs=plan.read_only_rootfs,
    )


def check_start(world: World, c: Container, *, created: bool) -> None:
    """Joining another container's IPC, then PID, namespace when the container starts."""
    ipc = c.ipc_mode or ""
    if not ipc.startswith("container:") and ipc not in IPC_MODES:
        raise refusals.invalid_ipc_mode(ipc, created=created)
    if ipc.startswith("container:"):
        donor_id = ipc.removeprefix("container:")
        donor = world.containers.get(donor_id) or world.container(donor_id)
        if donor is None:
            reason = f"No such container: {donor_id}"
            raise refusals.ipc_donor(donor_id, reason, created=created)
        if not donor.is_running:
            reason = f"container {donor.id} is not running"
            raise refusals.ipc_donor(donor.id, reason, created=created)
        if donor.ipc_mode is None:
            world.warnings.append(
                f"container {c.name!r} joins the IPC namespace of {donor.name!r}, which was not "
                "inspected: whether it is shareable is not checked"
            )
        elif not _shareable(world, donor.ipc_mode):
            raise refusals.ipc_donor(donor.id, refusals.non_shareable_ipc(), created=created)
    pid = c.pid_mode or ""
    if pid.startswith("container:"):
        donor_id = pid.removeprefix("container:")
        donor = world.containers.get(donor_id) or world.container(donor_id)
        if donor is None:
            raise refusals.pid_donor_missing(donor_id, created=created)
        if not donor.is_running:
            raise refusals.pid_donor_stopped(donor.id, created=created)


def _shareable(world: World, mode: str) -> bool:
    """Whether other containers may join an IPC namespace.

    `""` is the daemon's default: `private` from Docker 20.10 on, `shareable` before (an
    unknown version, as a compose prediction's, is taken as a current engine).
    """
    if mode == "":
        engine = world.snapshot.engine_of(world.host)
        known = version(engine.server_version)
        return bool(known) and known < (20, 10)
    return mode in {"shareable", "host"} or mode.startswith("container:")


# ---- reading each option ------------------------------------------------------------------------


def _checked(cmd: Command, key: str, allowed: set[str], message: str) -> str:
    """A namespace mode the CLI validates (`container:NAME` allowed for `--pid`)."""
    value = cmd.value(key) or ""
    if key == "pid" and value.startswith("container:") and value != "container:":
        return value
    if value not in allowed:
        raise refusals.cli_invalid(message)
    return value


def _joined(world: World, mode: str) -> str:
    """`container:NAME` → `container:<full ID>`; the engine refuses an unknown container."""
    if not mode.startswith("container:"):
        return mode
    ref = mode.removeprefix("container:")
    found = world.container(ref)
    if found is None:
        raise refusals.no_such_container(ref)
    return f"container:{found.id}"


def _device(world: World, text: str) -> Device:
    """`HOST[:CONTAINER][:PERMISSIONS]`, as the CLI reads it."""
    parts = text.split(":")
    if len(parts) > 3:  # noqa: PLR2004
        raise refusals.cli_invalid(f"invalid device specification: {text}")
    permissions = "rwm"
    container = ""
    if len(parts) == 3:  # noqa: PLR2004
        container, permissions = parts[1], parts[2]
    elif len(parts) == 2:  # noqa: PLR2004
        if parts[1] and set(parts[1]) <= set("rwm"):
            permissions = parts[1]
        else:
            container = parts[1]
    host = parts[0]
    for path in (host, container):
        if path and not path.startswith("/"):
            raise refusals.cli_invalid(f"{path} is not an absolute path")
    if not permissions or not set(permissions) <= set("rwm"):
        raise refusals.cli_invalid(f"invalid device mode: {permissions}")
    world.warnings.append(
        f"--device {host}: the engine refuses a device that does not exist on its host; not checked"
    )
    return Device(host_path=host, container_path=container or host, permissions=permissions)


def _security_opt(opt: str) -> str:
    """`--security-opt` as the CLI sends it; keys the engine does not know are refused."""
    if opt == "no-new-privileges":
        return opt
    key, eq, value = opt.partition("=")
    if not eq:
        key, eq, value = opt.partition(":")
    if not eq or not value:
        raise refusals.cli_invalid(f'Invalid --security-opt: "{opt}"')
    if key == "seccomp" and value not in {"unconfined", "builtin"}:
        raise CommandError(
            f"--security-opt {opt}: a seccomp profile file is not modelled by what-if (the CLI "
            "sends the file's contents)"
        )
    if key == "systempaths":
        raise CommandError(f"--security-opt {opt} is not modelled by what-if")
    if key == "no-new-privileges" and value not in BOOLS:
        raise refusals.invalid_security_opt(opt)
    if key not in {"label", "apparmor", "seccomp", "no-new-privileges"}:
        raise refusals.invalid_security_opt(opt)
    return opt

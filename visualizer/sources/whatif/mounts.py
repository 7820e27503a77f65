"""`-v`, `--mount` and `--use-api-socket` as the docker CLI reads them and the engine lists them.

`-v [SOURCE:]TARGET[:MODE]`: an absolute source is a bind (propagation `rprivate` unless
given), a `./relative` one is made absolute by the CLI, any other source is a volume name, no
source an anonymous volume (a synthetic 64-hex name). `--mount` reads CSV `key=value` fields
(type `volume`, `bind` or `tmpfs`). Each check is a refusal in the CLI's or the engine's words;
whether a `--mount` bind source exists, or a source is on a shared mount (for `shared`
propagation), only the host knows: a warning says it is not checked.
"""

from __future__ import annotations

import csv
import os
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.model import BIND, TMPFS, VOLUME, Mount
from visualizer.sources.compose.data import DEFAULT_BIND_PROPAGATION, PROPAGATIONS
from visualizer.sources.whatif import refusals
from visualizer.sources.whatif.grammar import CommandError

if TYPE_CHECKING:
    from visualizer.sources.whatif.state import World

VOLUME_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
"""Names the local volume driver accepts."""
API_SOCKET = "/var/run/docker.sock"
"""Where `--use-api-socket` binds the engine socket (the CLI's default socket, local engines)."""
_RW, _LABEL, _COPY = frozenset({"rw", "ro"}), frozenset({"z", "Z"}), frozenset({"nocopy"})
_CONSISTENCY = frozenset({"consistent", "cached", "delegated"})
_MOUNT_KEYS = frozenset(
    {
        "type",
        "source",
        "src",
        "target",
        "dst",
        "destination",
        "readonly",
        "ro",
        "bind-propagation",
        "volume-driver",
        "volume-nocopy",
        "volume-label",
        "volume-opt",
        "consistency",
        "tmpfs-size",
        "tmpfs-mode",
    }
)
"""`--mount` keys read here; the CLI's other keys change what is mounted in ways the snapshot
does not record, and are refused by name."""
_MOUNT_NOT_MODELLED = frozenset(
    {"bind-nonrecursive", "bind-recursive", "bind-create-src", "volume-subpath", "image-subpath"}
)


@dataclass(slots=True)
class Bind:
    """One `-v` with a source, or one `--mount`, as the engine parses it."""

    mount: Mount
    raw: str
    """As written (for messages)."""
    from_mount_flag: bool = False


def parse_volume(world: World, raw: str) -> Bind | str:
    """`-v`: the CLI splits it (`invalid spec`), the engine reads source, target and mode."""
    parts = raw.split(":")
    if any(not p for p in parts):
        raise refusals.cli_invalid(f"invalid spec: {raw}: empty section between colons")
    if len(parts) > 3:  # noqa: PLR2004 - SOURCE:TARGET:MODE
        raise refusals.cli_invalid(f"invalid spec: {raw}: too many colons")
    if len(parts) == 1:
        if not parts[0].startswith("/"):
            raise CommandError(f"-v {raw}: a volume's path in the container must be absolute")
        return posixpath.normpath(parts[0])
    source, target = parts[0], parts[1]
    mode = parts[2] if len(parts) == 3 else ""  # noqa: PLR2004
    if source.startswith("."):  # the CLI makes a relative bind source absolute
        source = os.path.normpath(os.path.join(world.cwd, source))  # noqa: PTH118
    if len(parts) == 2 and valid_mode(target):  # noqa: PLR2004 - `/x:ro` has no target
        raise refusals.invalid_volume_spec(raw)
    if not valid_mode(mode):
        raise refusals.invalid_mode(mode)
    kind = BIND if source.startswith("/") else VOLUME
    options = set(mode.split(",")) if mode else set()
    reason = _target_problem(kind, target)
    if reason is None and kind == BIND and options & _COPY:
        reason = (
            f'invalid mount config for type "{kind}": field VolumeOptions must not be specified'
        )
    if reason is None and kind == VOLUME and options & PROPAGATIONS:
        reason = f'invalid mount config for type "{kind}": field BindOptions must not be specified'
    if reason is not None:
        raise refusals.invalid_volume_spec(raw, reason)
    rw = "ro" not in options
    if kind == BIND:
        propagation = next((o for o in options if o in PROPAGATIONS), "")
        m = Mount(type=BIND, destination=target, source=source, rw=rw, propagation=propagation)
        _shared_warning(world, m)
        return Bind(mount=propagated(m), raw=raw)
    m = Mount(type=VOLUME, destination=posixpath.normpath(target), name=source, rw=rw)
    return Bind(mount=m, raw=raw)


def parse_mount(world: World, raw: str) -> Mount:
    """`--mount`: CSV `key=value` fields, as the CLI reads them."""
    try:
        fields = next(csv.reader([raw]))
    except (csv.Error, StopIteration):
        raise refusals.cli_invalid(f'invalid argument "{raw}" for "--mount" flag') from None
    values: dict[str, str] = {"type": VOLUME}
    kinds: set[str] = set()

    def bad(reason: str) -> refusals.Refused:
        return refusals.cli_invalid(f'invalid argument "{raw}" for "--mount" flag: {reason}')

    for item in fields:
        key, eq, value = item.partition("=")
        key = key.lower()
        if not eq:
            if key not in {"readonly", "ro", "volume-nocopy", "bind-nonrecursive"}:
                raise bad(f"invalid field '{item}' must be a key=value pair")
            value = "true"
        if key in _MOUNT_NOT_MODELLED:
            raise CommandError(f"--mount {key} is not modelled by what-if")
        if key not in _MOUNT_KEYS:
            raise bad(f"unexpected key '{key}' in '{item}'")
        if key in {"readonly", "ro"} and value not in BOOLS:
            raise bad(f"invalid value for {key}: {value}")
        key = {"src": "source", "dst": "target", "destination": "target", "ro": "readonly"}.get(
            key, key
        )
        if key.split("-")[0] in {"bind", "volume", "tmpfs"}:
            kinds.add(key.split("-")[0])
        values[key] = value
    kind = values["type"].lower()
    if not values.get("target"):
        raise bad("target is required")
    for other in sorted(kinds - {kind}):
        raise bad(f"cannot mix '{other}-*' options with mount type '{kind}'")
    if kind not in {VOLUME, BIND, TMPFS}:
        raise CommandError(f"--mount type={kind} is not modelled by what-if (volume, bind, tmpfs)")
    source, target = values.get("source", ""), values["target"]
    if source.startswith("./") or source == ".":
        source = os.path.normpath(os.path.join(world.cwd, source))  # noqa: PTH118
    problem = _target_problem(kind, target)
    if kind == BIND and not source:
        problem = f'invalid mount config for type "{kind}": field Source must not be empty'
    if kind == TMPFS and source:
        problem = f'invalid mount config for type "{kind}": field Source must not be specified'
    if problem is not None:
        raise refusals.Refused(problem)
    rw = values.get("readonly", "false") not in TRUE
    if kind == TMPFS:
        return Mount(type=TMPFS, destination=posixpath.normpath(target), rw=rw)
    if kind == BIND:
        world.warnings.append(
            f"--mount type=bind,source={source}: the engine refuses a bind source that does not "
            "exist on its host; not checked"
        )
        propagation = values.get("bind-propagation", "").lower()
        m = Mount(type=BIND, destination=target, source=source, rw=rw, propagation=propagation)
        _shared_warning(world, m)
        return propagated(m)
    return Mount(  # no source: an anonymous volume, named when placed
        type=VOLUME,
        destination=posixpath.normpath(target),
        name=source,
        driver=values.get("volume-driver", ""),
        rw=rw,
    )


TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
BOOLS = TRUE | {"0", "f", "F", "false", "FALSE", "False"}


def _target_problem(kind: str, target: str) -> str | None:
    """The engine's checks of a mount's target, in its words."""
    if not target.startswith("/"):
        return (
            f'invalid mount config for type "{kind}": invalid mount path: '
            f"'{target}' mount path must be absolute"
        )
    if posixpath.normpath(target) == "/":
        return (
            f'invalid mount config for type "{kind}": invalid specification: '
            "destination can't be '/'"
        )
    return None


def valid_mode(mode: str) -> bool:
    """The engine's `ValidMountMode`: known modes, at most one of each kind."""
    if not mode:
        return True
    counts = [0, 0, 0, 0, 0]
    for option in mode.split(","):
        found = next(
            (
                i
                for i, s in enumerate((_RW, _LABEL, PROPAGATIONS, _COPY, _CONSISTENCY))
                if option in s
            ),
            None,
        )
        if found is None:
            return False
        counts[found] += 1
    return max(counts) <= 1


def propagated(m: Mount) -> Mount:
    """A bind as the engine lists it: its paths cleaned, `rprivate` propagation unless given."""
    return Mount(
        type=m.type,
        destination=posixpath.normpath(m.destination),
        source=posixpath.normpath(m.source),
        rw=m.rw,
        propagation=m.propagation or DEFAULT_BIND_PROPAGATION,
    )


def _shared_warning(world: World, m: Mount) -> None:
    if m.propagation in {"shared", "rshared", "slave", "rslave"}:
        world.warnings.append(
            f"{m.source}:{m.destination} with {m.propagation} propagation: the engine refuses it "
            "unless the source is on a shared (or slave) mount of its host; not checked"
        )


def anonymous(world: World, target: str, driver: str, *, rw: bool) -> Mount:
    """An anonymous volume: the engine names it by 64 random hex digits (synthetic here)."""
    name = world.new_id("volume", target)
    return Mount(type=VOLUME, destination=target, name=name, driver=driver or "local", rw=rw)


def volume_known(world: World, m: Mount, driver: str) -> Mount:
    """A named volume with the driver and host directory the engine would list."""
    if m.type != VOLUME or m.anonymous:
        return m
    existing = next(
        (
            o
            for c in world.containers.values()
            if c.host == world.host
            for o in c.mounts
            if o.type == VOLUME and o.name == m.name
        ),
        None,
    )
    return Mount(
        type=VOLUME,
        destination=m.destination,
        name=m.name,
        driver=existing.driver if existing is not None else (m.driver or driver or "local"),
        source=volume_source(world, m.name, world.host),
        rw=m.rw,
    )


def volume_source(world: World, name: str, host: str) -> str:
    """A named volume's directory on the host, as the container list shows it (when known).

    Known when another container of the engine mounts the volume, or from the data root the
    engine's other named volumes show (`ROOT/volumes/NAME/_data`); empty otherwise.
    """
    root = ""
    for c in world.containers.values():
        if c.host != host:
            continue
        for m in c.mounts:
            if m.type != VOLUME or not m.source or m.anonymous:
                continue
            if m.name == name:
                return m.source
            suffix = f"/volumes/{m.name}/_data"
            if m.source.endswith(suffix):
                root = m.source.removesuffix(suffix)
    return f"{root}/volumes/{name}/_data" if root else ""

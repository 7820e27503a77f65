"""A predicted state as a source: a snapshot changed by the docker commands a user would type.

`read_changes` parses command lines (arguments, or a script: one per line, `#` comments) with
the docker CLI's option grammar; `predict` applies them in order to a snapshot, the way the
engine would, and returns the predicted snapshot. A command the engine would refuse stops
the run there, with the engine's own message and where it was written. Addresses and
subnets the engine would choose are left unknown (`None`), never guessed; IDs of what the
commands create are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import InputError, UsageError
from visualizer.sources.whatif import compose, containers, networks
from visualizer.sources.whatif.grammar import Command, CommandError, parse_line, parse_script
from visualizer.sources.whatif.refusals import Refused
from visualizer.sources.whatif.state import World

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from visualizer.model import Snapshot

__all__ = ["Command", "Prediction", "Refusal", "Step", "predict", "read_changes"]

MAX_COMMANDS = 10_000
"""More commands than this are refused: a change someone reviews is shorter."""
MAX_SCRIPT_BYTES = 1 << 20
"""A script larger than this (1 MiB) is refused: it is not a change someone reviews."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """A command that was applied."""

    origin: str
    """Where it was written: `FILE:LINE` or `argument N`."""
    text: str
    """The command."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """The command the engine would refuse, and what it would say."""

    origin: str
    text: str
    message: str
    """The first line docker prints, e.g. `Error response from daemon: network x not found`."""
    more: tuple[str, ...] = ()
    """Further messages (a command on several objects that fails on more than one)."""
    created: bool = False
    """`docker run` created the container but could not start it: it is left created."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Prediction:
    """The state the commands would leave."""

    after: Snapshot
    """The predicted snapshot (up to the refused command, when one is refused)."""
    steps: tuple[Step, ...]
    """The commands applied, in order (not the refused one)."""
    refusal: Refusal | None
    """The command the engine would refuse; the commands after it are not applied."""
    warnings: tuple[str, ...]
    """What the prediction cannot know or does not model, met on the way."""


def read_changes(changes: Sequence[str] = (), script: Path | None = None) -> list[Command]:
    """Parse a script (first) and command-line changes (then) into commands, in order.

    Mistakes in the script are input errors (exit 4), in the arguments usage errors (exit 2);
    both name the line. At least one command is needed.
    """
    commands: list[Command] = []
    if script is not None:
        commands += parse_script(_read(script), str(script))
    for number, text in enumerate(changes, start=1):
        found = parse_line(text, f"argument {number}")
        if found is not None:
            commands.append(found)
    if not commands:
        raise UsageError("no change given: quote docker commands as arguments, or give --script")
    if len(commands) > MAX_COMMANDS:
        raise UsageError(f"{len(commands)} commands: what-if takes at most {MAX_COMMANDS}")
    return commands


def predict(
    snapshot: Snapshot, commands: Sequence[Command], *, cwd: Path | None = None
) -> Prediction:
    """Apply the commands to a snapshot, in order, stopping at the first refusal.

    `cwd` is where relative compose files and bind sources are found (default: the current
    directory).
    """
    here = cwd or Path.cwd()
    world = World(snapshot, here)
    handlers: dict[str, Callable[[World, Command], None]] = {
        "network create": networks.create,
        "network rm": networks.remove,
        "network connect": networks.connect,
        "network disconnect": networks.disconnect,
        "run": containers.run,
        "stop": containers.stop,
        "start": containers.start,
        "rm": containers.remove,
        "rename": containers.rename,
        "compose up": lambda w, c: compose.up(w, c, here),
        "compose down": lambda w, c: compose.down(w, c, here),
    }
    steps: list[Step] = []
    refusal = None
    for cmd in commands:
        try:
            world.host = _engine(snapshot, cmd)
            handlers[cmd.verb](world, cmd)
        except CommandError as exc:
            raise exc.error(f"{cmd.origin}: {cmd.text}", script=cmd.script) from None
        except Refused as exc:
            refusal = Refusal(
                origin=cmd.origin,
                text=cmd.text,
                message=exc.message,
                more=exc.more,
                created=exc.created,
            )
            break
        steps.append(Step(origin=cmd.origin, text=cmd.text))
    return Prediction(
        after=world.freeze(changes=len(steps)),
        steps=tuple(steps),
        refusal=refusal,
        warnings=tuple(dict.fromkeys(world.warnings)),
    )


def _engine(snapshot: Snapshot, cmd: Command) -> str:
    """The host name of the engine a command talks to (`""` for a one-engine snapshot)."""
    hosts = [h for h in snapshot.hosts if not h.error]
    names = ", ".join(h.name for h in hosts)
    if cmd.engine is None:
        if len(hosts) > 1:
            raise CommandError(
                f"the source has several engines: say which with docker -H NAME ({names})"
            )
        return hosts[0].name if hosts else ""
    for h in hosts:
        if cmd.engine in {h.name, h.source}:
            return h.name
    if not hosts and cmd.engine in {snapshot.engine.name, snapshot.source}:
        return ""
    if not hosts and snapshot.source.endswith(cmd.engine):
        return ""
    raise CommandError(
        f"docker -H/-c {cmd.engine}: not an engine of the source "
        f"({names or snapshot.engine.name or snapshot.source})"
    )


def _read(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_SCRIPT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such script file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a script file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_SCRIPT_BYTES:
        raise InputError(f"{path}: larger than {MAX_SCRIPT_BYTES} bytes; not a change script")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None

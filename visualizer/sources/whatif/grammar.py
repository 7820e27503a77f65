"""The docker command lines `netviz what-if` reads, parsed like the docker CLI parses them.

Each line is split as a shell splits it (quotes, `#` comments), then read with the option
grammar of the docker CLI (cobra/pflag): `--opt value`, `--opt=value`, `-o value`, `-ovalue`,
grouped short flags (`-dit`), `--` to end options, and options after the arguments except for
`docker run`, whose options stop at the image. An option the prediction does not model is
refused by name, never skipped.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from visualizer.errors import InputError, UsageError, VisualizerError

if TYPE_CHECKING:
    from collections.abc import Mapping

NOT_MODELLED = "is not modelled by what-if"
RUN_NOT_MODELLED = (  # noqa: SIM905 - a word list, not 67 lines
    "--add-host --attach -a --blkio-weight --blkio-weight-device --cgroup-parent --cidfile "
    "--cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpu-shares -c --cpus "
    "--cpuset-cpus --cpuset-mems --detach-keys --device-cgroup-rule --device-read-bps "
    "--device-read-iops --device-write-bps --device-write-iops --disable-content-trust --dns "
    "--dns-option --dns-opt --dns-search --domainname --env-file --gpus --group-add "
    "--health-cmd --health-interval --health-retries --health-start-period "
    "--health-start-interval --health-timeout --init --isolation --kernel-memory --label-file "
    "--link-local-ip --log-driver --log-opt --mac-address --memory -m --memory-reservation "
    "--memory-swap --memory-swappiness --no-healthcheck --oom-kill-disable --oom-score-adj "
    "--pids-limit --platform --pull --quiet -q --restart --runtime --shm-size --sig-proxy "
    "--stop-signal --stop-timeout --storage-opt --ulimit --annotation"
).split()
"""`docker run` options (CLI 28) that change nothing the prediction shows, or change it in
ways it does not model (name resolution, devices by rule, runtimes): refused by name."""
COMPOSE_UP_NOT_MODELLED = (  # noqa: SIM905 - a word list, not 30 lines
    "--abort-on-container-exit --abort-on-container-failure --always-recreate-deps --attach "
    "--attach-dependencies --build --exit-code-from --force-recreate --no-attach --no-build "
    "--no-color --no-deps --no-log-prefix --no-recreate --no-start --pull --quiet-pull "
    "--renew-anon-volumes -V --scale --timeout -t --timestamps --wait --wait-timeout --watch "
    "-w --menu -y --yes"
).split()
"""`docker compose up` options (v1 and v2) that change what is created or started."""
COMPOSE_NOT_MODELLED = (  # noqa: SIM905 - a word list, not 21 lines
    "--project-directory --compatibility --parallel --dry-run --ansi --no-ansi --progress "
    "--all-resources --verbose --log-level -H --host -c --context --tls --tlsverify --tlscacert "
    "--tlscert --tlskey --skip-hostname-check"
).split()
"""`docker compose` / `docker-compose` global options besides -f, -p, --profile, --env-file."""
_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Opt:
    """One option of a command."""

    names: tuple[str, ...]
    """How it is written: `-d`, `--driver`."""
    takes_value: bool = False
    """Whether it takes a value (else it is a boolean flag)."""

    @property
    def key(self) -> str:
        """Its canonical name: the first long name, without dashes."""
        return next(n for n in self.names if n.startswith("--")).lstrip("-")


def _flag(*names: str) -> Opt:
    return Opt(names)


def _value(*names: str) -> Opt:
    return Opt(names, takes_value=True)


@dataclass(frozen=True, slots=True)
class Spec:
    """The grammar of one command."""

    usage: str
    """As `docker --help` writes it."""
    options: tuple[Opt, ...] = ()
    min_args: int = 0
    max_args: int | None = None
    interspersed: bool = True
    """Options may follow arguments (all but `docker run`)."""
    refused: Mapping[str, str] = field(default_factory=dict)
    """Options docker has that the prediction does not model, with the reason."""


SPECS: dict[str, Spec] = {
    "network create": Spec(
        "docker network create [OPTIONS] NETWORK",
        (
            _value("-d", "--driver"),
            _flag("--internal"),
            _flag("--attachable"),
            _value("--subnet"),
            _value("--gateway"),
            _value("--ip-range"),
            _flag("--ipv6"),
            _value("-o", "--opt"),
            _value("--label"),
        ),
        1,
        1,
        refused=dict.fromkeys(
            (
                "--ipam-driver",
                "--ipam-opt",
                "--aux-address",
                "--config-from",
                "--config-only",
                "--ingress",
                "--scope",
                "--ipv4",
            ),
            NOT_MODELLED,
        ),
    ),
    "network rm": Spec(
        "docker network rm [OPTIONS] NETWORK [NETWORK...]", (_flag("-f", "--force"),), 1
    ),
    "network connect": Spec(
        "docker network connect [OPTIONS] NETWORK CONTAINER",
        (_value("--alias"), _value("--ip"), _value("--ip6"), _value("--link")),
        2,
        2,
        refused=dict.fromkeys(("--driver-opt", "--link-local-ip", "--gw-priority"), NOT_MODELLED),
    ),
    "network disconnect": Spec(
        "docker network disconnect [OPTIONS] NETWORK CONTAINER", (_flag("-f", "--force"),), 2, 2
    ),
    "run": Spec(
        "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
        (
            _value("--name"),
            _value("--network", "--net"),
            _value("--network-alias", "--net-alias"),
            _value("-p", "--publish"),
            _value("--expose"),
            _value("--ip"),
            _value("--ip6"),
            _value("--link"),
            _value("--cap-add"),
            _value("--cap-drop"),
            _flag("--privileged"),
            _value("-v", "--volume"),
            _value("--volume-driver"),
            _value("--mount"),
            _value("--volumes-from"),
            _value("--tmpfs"),
            _flag("--use-api-socket"),
            _value("--pid"),
            _value("--ipc"),
            _value("--uts"),
            _value("--userns"),
            _value("--cgroupns"),
            _value("--device"),
            _value("--security-opt"),
            _flag("--read-only"),
            _value("--sysctl"),
            _value("-h", "--hostname"),
            _value("-l", "--label"),
            _flag("--rm"),
            _flag("-d", "--detach"),
            _flag("-i", "--interactive"),
            _flag("-t", "--tty"),
            _value("-e", "--env"),
            _value("--entrypoint"),
            _value("-w", "--workdir"),
            _value("-u", "--user"),
        ),
        1,
        interspersed=False,
        refused={
            **dict.fromkeys(RUN_NOT_MODELLED, NOT_MODELLED),
            "-P": f"{NOT_MODELLED}: the ports an image exposes are not known",
            "--publish-all": f"{NOT_MODELLED}: the ports an image exposes are not known",
        },
    ),
    "stop": Spec(
        "docker stop [OPTIONS] CONTAINER [CONTAINER...]",
        (_value("-t", "--time"), _value("-s", "--signal")),
        1,
    ),
    "start": Spec(
        "docker start CONTAINER [CONTAINER...]",
        (),
        1,
        refused=dict.fromkeys(
            ("-a", "--attach", "-i", "--interactive", "--detach-keys"), NOT_MODELLED
        ),
    ),
    "rm": Spec(
        "docker rm [OPTIONS] CONTAINER [CONTAINER...]",
        (_flag("-f", "--force"), _flag("-v", "--volumes")),
        1,
        refused=dict.fromkeys(("-l", "--link"), NOT_MODELLED),
    ),
    "rename": Spec("docker rename CONTAINER NEW_NAME", (), 2, 2),
    "compose": Spec(
        "docker compose [-f FILE]... [-p NAME] [--profile NAME]... [--env-file FILE] up|down",
        (
            _value("-f", "--file"),
            _value("-p", "--project-name"),
            _value("--profile"),
            _value("--env-file"),
        ),
        1,
        interspersed=False,
        refused=dict.fromkeys(COMPOSE_NOT_MODELLED, NOT_MODELLED),
    ),
    "compose up": Spec(
        "docker compose up [-d] [--remove-orphans]",
        (_flag("-d", "--detach"), _flag("--remove-orphans")),
        0,
        0,
        refused=dict.fromkeys(COMPOSE_UP_NOT_MODELLED, NOT_MODELLED),
    ),
    "compose down": Spec(
        "docker compose down [-t SECONDS] [--remove-orphans] [-v]",
        (_value("-t", "--timeout"), _flag("--remove-orphans"), _flag("-v", "--volumes")),
        0,
        0,
        refused=dict.fromkeys(("--rmi",), NOT_MODELLED),
    ),
}
ALIASES = {
    ("network", "remove"): "network rm",
    ("container", "run"): "run",
    ("container", "stop"): "stop",
    ("container", "start"): "start",
    ("container", "rm"): "rm",
    ("container", "remove"): "rm",
    ("container", "rename"): "rename",
}
READ_ONLY = frozenset(
    {"ps", "inspect", "logs", "network ls", "network list", "network inspect", "container ls"}
)
GLOBAL = (_value("-H", "--host"), _value("-c", "--context"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One docker command line, parsed."""

    origin: str
    """Where it was written: `FILE:LINE` or `argument N`."""
    text: str
    """The line as written (comments stripped)."""
    verb: str
    """`network create`, `network rm`, `network connect`, `network disconnect`, `run`,
    `stop`, `start`, `rm`, `rename`, `compose up` or `compose down`."""
    args: tuple[str, ...] = ()
    """Its arguments (for `run`: the image, then the command)."""
    options: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    """Given options by canonical name; a flag given holds `("true",)` or its value."""
    engine: str | None = None
    """The engine named with `docker -H URL` or `docker -c NAME`."""
    compose: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    """For `compose up`/`down`: the options given before `up`/`down` (`file`, `project-name`, …)."""
    compose_v1: bool = False
    """Written `docker-compose` (Compose v1: containers `p_s_1`), not `docker compose`."""
    script: bool = False
    """Read from a script file (its mistakes are input errors, exit 4) rather than an argument."""

    def flag(self, key: str) -> bool:
        """Whether a boolean option is set (`--x` or `--x=true`)."""
        values = self.options.get(key, ())
        return bool(values) and values[-1].lower() not in {"false", "0", "f"}

    def value(self, key: str) -> str | None:
        """The last value given for an option, if any."""
        values = self.options.get(key)
        return values[-1] if values else None

    def values(self, key: str) -> tuple[str, ...]:
        """Every value given for a repeatable option, in order."""
        return self.options.get(key, ())


class CommandError(Exception):
    """A line what-if cannot read or does not model (not a refusal of the engine).

    It becomes a usage error, or an input error when the line comes from a script.
    """

    def error(self, origin: str, *, script: bool) -> VisualizerError:
        """The error to raise: exit 4 for a script line, exit 2 for a command-line argument."""
        kind: type[VisualizerError] = InputError if script else UsageError
        return kind(f"{origin}: {self}")


def parse_line(text: str, origin: str, *, script: bool = False) -> Command | None:
    """Parse one line; `None` for a blank or comment line.

    Errors are one line naming `origin`: an input error (exit 4) in a script, a usage error
    (exit 2) in a command-line argument.
    """
    try:
        found = _parse(text, origin)
    except CommandError as exc:
        raise exc.error(origin, script=script) from None
    return None if found is None else replace(found, script=script)


def parse_script(text: str, origin: str) -> list[Command]:
    r"""Parse a script: one command per line, `#` comments, `\\` at a line's end continues it."""
    commands: list[Command] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1] + " "
            continue
        found = parse_line(pending + line, f"{origin}:{start}", script=True)
        pending = ""
        if found is not None:
            commands.append(found)
    if pending:
        raise InputError(f"{origin}:{start}: the last line ends with a continuation backslash")
    return commands


def _parse(text: str, origin: str) -> Command | None:
    try:
        words = shlex.split(text, comments=True)
    except ValueError as exc:
        raise CommandError(f"cannot split the line as a shell would: {exc}") from None
    if not words:
        return None
    shown = shlex.join(words)
    program, rest = words[0], words[1:]
    if program == "docker-compose":
        return _compose(rest, origin, shown, engine=None, v1=True)
    if program != "docker":
        raise CommandError(
            f"not a docker command: {program!r} (what-if reads docker command lines)"
        )
    engine, rest = _globals(rest)
    if rest[:1] == ["compose"]:
        return _compose(rest[1:], origin, shown, engine=engine, v1=False)
    verb, rest = _verb(rest)
    options, args = _options(SPECS[verb], rest, f"docker {verb}")
    return Command(origin=origin, text=shown, verb=verb, args=args, options=options, engine=engine)


def _globals(words: list[str]) -> tuple[str | None, list[str]]:
    """`docker -H URL` / `docker -c NAME` before the command; any other global option is refused."""
    engine = None
    while words and words[0].startswith("-"):
        word = words.pop(0)
        name, eq, value = word.partition("=")
        opt = next((o for o in GLOBAL if name in o.names), None)
        if opt is None:
            raise CommandError(f"docker: option {name} is not modelled by what-if (only -H and -c)")
        if not eq:
            if not words:
                raise CommandError(f"docker: option {name} needs a value")
            value = words.pop(0)
        engine = value
    return engine, words


def _verb(words: list[str]) -> tuple[str, list[str]]:
    if not words:
        raise CommandError("docker: which command? (network create|rm|connect|disconnect, run, …)")
    alias = ALIASES.get((words[0], words[1] if len(words) > 1 else ""))
    if alias is not None:
        return alias, words[2:]
    two = " ".join(words[:2])
    if two in SPECS and words[0] == "network":
        return two, words[2:]
    if two in READ_ONLY or words[0] in READ_ONLY:
        raise CommandError(
            f"docker {two if two in READ_ONLY else words[0]} changes nothing: leave it out"
        )
    if words[0] in SPECS and words[0] not in {"compose", "compose up", "compose down"}:
        return words[0], words[1:]
    known = "network create|rm|connect|disconnect, run, stop, start, rm, rename, compose up|down"
    raise CommandError(f"docker {two}: not a command what-if models ({known})")


def _compose(words: list[str], origin: str, shown: str, *, engine: str | None, v1: bool) -> Command:
    program = "docker-compose" if v1 else "docker compose"
    globals_, rest = _options(SPECS["compose"], words, program)
    action = rest[0]
    if action not in {"up", "down"}:
        raise CommandError(f"{program} {action}: not a command what-if models (up, down)")
    options, _ = _options(SPECS[f"compose {action}"], list(rest[1:]), f"{program} {action}")
    return Command(
        origin=origin,
        text=shown,
        verb=f"compose {action}",
        options=options,
        engine=engine,
        compose=globals_,
        compose_v1=v1,
    )


def _options(
    spec: Spec, words: list[str], command: str
) -> tuple[Mapping[str, tuple[str, ...]], tuple[str, ...]]:
    """Read options and arguments with pflag's rules; unknown or unmodelled options are named."""
    by_name = {name: o for o in spec.options for name in o.names}
    found: dict[str, list[str]] = {}
    args: list[str] = []
    i = 0

    def option(name: str) -> Opt:
        if name in spec.refused:
            raise CommandError(f"{command}: option {name} {spec.refused[name]}")
        if name not in by_name:
            raise CommandError(f"{command}: unknown option {name} (usage: {spec.usage})")
        return by_name[name]

    def take(opt: Opt, value: str | None) -> None:
        nonlocal i
        if opt.takes_value and value is None:
            if i >= len(words):
                raise CommandError(f"{command}: option {opt.names[-1]} needs a value")
            value = words[i]
            i += 1
        found.setdefault(opt.key, []).append("true" if value is None else value)

    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            args += words[i:]
            break
        if word.startswith("--") and len(word) > 2:  # noqa: PLR2004 - "--x"
            name, eq, value = word.partition("=")
            take(option(name), value if eq else None)
        elif word.startswith("-") and len(word) > 1:
            for j, ch in enumerate(word[1:], start=1):
                opt = option(f"-{ch}")
                if opt.takes_value:
                    rest = word[j + 1 :].removeprefix("=")
                    take(opt, rest or None)
                    break
                take(opt, None)
        else:
            args.append(word)
            if not spec.interspersed:
                args += words[i:]
                break
    if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
        raise CommandError(f"{command}: wrong number of arguments (usage: {spec.usage})")
    return MappingProxyType({k: tuple(v) for k, v in found.items()}), tuple(args)

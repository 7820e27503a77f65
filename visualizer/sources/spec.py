"""Which source a command reads, said once: the source options parsed into one record.

Every command that reads a topology takes a `SourceSpec`: engines (`-H`, `-c`,
`--all-contexts`), a snapshot file, the bundled demo, or compose files, with the compose
options and the engine timeout. `load` opens it. `SourceSpec.parse` reads the one-string form
`netviz diff` takes (`live`, `engine:URL`, `context:NAME`, `demo`, `FILE.json`, `FILE.yml`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import UsageError
from visualizer.sources.settings import ComposeNaming, check_timeout

if TYPE_CHECKING:
    from visualizer.model import Snapshot
    from visualizer.sources.engine import EngineTarget

Progress = Callable[[str, int, "int | None"], None]
"""Told about long work: (what, done, total or `None` while the total is unknown)."""


DEMO_SOURCE = "demo (captured from a real engine by scripts/build-demo.sh)"
COMPOSE_SUFFIXES = frozenset({".yml", ".yaml"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSpec:
    """Where a command's topology comes from (at most one kind of source)."""

    hosts: tuple[str, ...] = ()
    """Engine URLs, like `docker -H` (`unix://`, `tcp://`, `ssh://`)."""
    contexts: tuple[str, ...] = ()
    """Docker contexts, like `docker -c`."""
    all_contexts: bool = False
    """Every context the docker CLI knows."""
    snapshot: Path | None = None
    """A snapshot file written by `netviz snapshot`."""
    demo: bool = False
    """The bundled demo topology."""
    compose: tuple[Path, ...] = ()
    """Compose files, merged in order, to predict from."""
    project_name: str | None = None
    """Compose project name (`-p`)."""
    profiles: tuple[str, ...] = ()
    """Compose profiles to enable."""
    env_file: Path | None = None
    """Compose env file (default: `.env` beside the first file)."""
    naming: ComposeNaming = ComposeNaming.V2
    """Compose container naming, `v2` (`p-s-1`) or `v1` (`p_s_1`)."""
    timeout: float = 30.0
    """Seconds to wait for each engine answer."""

    def __post_init__(self) -> None:
        """Refuse what cannot be meant: two kinds of source, a bad timeout or naming."""
        chosen = [
            name
            for name, given in (
                ("--from", self.snapshot is not None),
                ("--demo", self.demo),
                ("--compose", bool(self.compose)),
                ("--host/--context", bool(self.hosts or self.contexts or self.all_contexts)),
            )
            if given
        ]
        if len(chosen) > 1:
            raise UsageError(f"choose one source: {' or '.join(chosen)}")
        if self.hosts and (self.contexts or self.all_contexts):
            raise UsageError("conflicting options: either specify --host or --context, not both")
        check_timeout(self.timeout)
        # library callers may name files with plain strings
        object.__setattr__(self, "compose", tuple(Path(f) for f in self.compose))
        for name in ("snapshot", "env_file"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)))
        try:
            object.__setattr__(self, "naming", ComposeNaming(self.naming))
        except ValueError:
            raise UsageError("--compose-naming must be v1 or v2") from None

    @property
    def is_live(self) -> bool:
        """Whether the source is one or more live engines."""
        return self.snapshot is None and not self.demo and not self.compose

    def targets(self) -> list[EngineTarget]:
        """The engines named: each -H, each -c, every context, or the default one."""
        from visualizer.sources.engine import EngineTarget, context_targets  # noqa: PLC0415

        found = [EngineTarget(host=h, timeout=self.timeout) for h in self.hosts]
        if self.all_contexts:  # unreadable contexts come back as targets with a problem
            found += context_targets(self.timeout)
        else:
            found += [EngineTarget(context=c, timeout=self.timeout) for c in self.contexts]
        return found or [EngineTarget(timeout=self.timeout)]

    def one_engine(self, command: str) -> EngineTarget:
        """The single live engine a command like `probe` or `watch` works on."""
        if not self.is_live:
            raise UsageError(f"{command} needs a live engine (-H or -c), not a file or the demo")
        targets = self.targets()
        if len(targets) != 1:
            raise UsageError(f"{command} works on one engine at a time")
        return targets[0]

    def parse(self, text: str) -> SourceSpec:
        """The source one string names, keeping this spec's compose options and timeout.

        `live` or `engine` (the default engine), `engine:URL`, `context:NAME`, `demo`, a
        snapshot file (`*.json`), or compose files (`*.yml`, `*.yaml`, comma-separated to
        merge several, or `compose:FILE[,FILE]`).
        """
        base = replace(
            SourceSpec(),
            project_name=self.project_name,
            profiles=self.profiles,
            env_file=self.env_file,
            naming=self.naming,
            timeout=self.timeout,
        )
        kind, sep, rest = text.partition(":")
        if text in {"live", "engine"}:
            return base
        if sep and kind == "engine" and rest:
            return replace(base, hosts=(rest,))
        if sep and kind == "context" and rest:
            return replace(base, contexts=(rest,))
        if text == "demo":
            return replace(base, demo=True)
        files = rest if sep and kind == "compose" else text
        parts = tuple(Path(p) for p in files.split(",") if p)
        if parts and all(p.suffix.lower() in COMPOSE_SUFFIXES for p in parts):
            return replace(base, compose=parts)
        if len(parts) == 1 and parts[0].suffix.lower() == ".json":
            return replace(base, snapshot=parts[0])
        raise UsageError(
            f"cannot tell what source {text!r} is: use live, engine:URL, context:NAME, demo, "
            "a .json snapshot or .yml compose files"
        )


def load(spec: SourceSpec, *, inspect: bool = False, progress: Progress | None = None) -> Snapshot:
    """Open the source a spec names.

    `inspect` inspects live containers one by one (a request each, in parallel): aliases,
    host names, privileged mode, namespaces, capabilities, devices, security options and
    `--volumes-from` are only known that way.
    """
    if spec.demo:
        return load_demo()
    if spec.snapshot is not None:
        from visualizer.sources.snapshot import load_file  # noqa: PLC0415

        return load_file(spec.snapshot)
    if spec.compose:
        from visualizer.sources.compose import ComposeOptions, load_compose  # noqa: PLC0415

        return load_compose(
            ComposeOptions(
                files=spec.compose,
                project_name=spec.project_name,
                profiles=spec.profiles,
                env_file=spec.env_file,
                naming=spec.naming,
            )
        )
    from visualizer.sources.engine import load_live, load_many  # noqa: PLC0415

    targets = spec.targets()
    if len(targets) > 1:
        if progress is not None:
            progress(f"Capturing {len(targets)} engines", 0, None)
        return load_many(targets, inspect=inspect)
    tick = None
    if progress is not None and inspect:

        def tick(done: int, total: int) -> None:
            progress("Inspecting containers", done, total)

    return load_live(targets[0], inspect=inspect, progress=tick)


def load_demo() -> Snapshot:
    """The bundled demo topology, recorded from a real engine."""
    from importlib import resources  # noqa: PLC0415

    from visualizer.sources.snapshot import loads  # noqa: PLC0415

    text = resources.files("visualizer").joinpath("data/demo.json").read_bytes()
    return replace(loads(text, origin="bundled demo", trusted=True), source=DEMO_SOURCE)

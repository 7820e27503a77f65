"""The pipeline's steps below the commands: load, build, analyse, and the documents they read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import InputError
from visualizer.graph import build_graph, warnings_of
from visualizer.model import Snapshot
from visualizer.sources.spec import ComposeNaming, Inspect, Progress, SourceSpec, load

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis, Baseline
    from visualizer.analysis.policy import Policy


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file written by `netviz snapshot` (or `dumps_snapshot`)."""
    return load(SourceSpec(snapshot=Path(path)))


def load_compose(
    files: list[Path] | tuple[Path, ...] | list[str] | tuple[str, ...],
    *,
    project_name: str | None = None,
    profiles: tuple[str, ...] = (),
    env_file: Path | str | None = None,
    naming: ComposeNaming | str = ComposeNaming.V2,
) -> Snapshot:
    """Predict the topology `docker compose up` would create from compose files."""
    return load(
        SourceSpec(
            compose=tuple(Path(f) for f in files),
            project_name=project_name,
            profiles=profiles,
            env_file=None if env_file is None else Path(env_file),
            naming=ComposeNaming(naming),
        )
    )


def dumps_snapshot(snapshot: Snapshot) -> str:
    """Serialise a snapshot to the snapshot file format."""
    from visualizer.sources.snapshot import dumps  # noqa: PLC0415

    return dumps(snapshot)


def analyse(graph: nx.Graph[str]) -> Analysis:
    """Reachability and findings of a full graph (pass it to renderers of a filtered view)."""
    from visualizer.analysis.audit import analyse as run  # noqa: PLC0415

    return run(graph)


def load_policy(path: str | Path) -> Policy:
    """Read a reachability policy (YAML)."""
    from visualizer.analysis.policy import parse_policy  # noqa: PLC0415

    return parse_policy(_read_text(Path(path), "policy"), origin=str(path))


def load_baseline(path: str | Path) -> Baseline:
    """Read an earlier `netviz audit --format json` to compare with."""
    from visualizer.analysis.audit import parse_baseline  # noqa: PLC0415

    return parse_baseline(_read_text(Path(path), "baseline"), origin=str(path))


def open_graph(
    source: SourceSpec | Snapshot | nx.Graph[str],
    *,
    inspect: bool | Inspect = False,
    progress: Progress | None = None,
) -> tuple[nx.Graph[str], tuple[str, ...]]:
    """The full graph of a source, and the warnings met loading and building it."""
    if isinstance(source, SourceSpec):
        source = load(source, inspect=inspect, progress=progress)
    if isinstance(source, Snapshot):
        graph = build_graph(source)
        return graph, (*source.warnings, *warnings_of(graph))
    return source, ()


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {what} file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None

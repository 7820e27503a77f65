"""The pipeline's steps below the commands: load, build, analyse, and the documents they read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import InputError
from visualizer.graph import build_graph, warnings_of
from visualizer.model import Snapshot
from visualizer.selection import Selection, select, unmatched
from visualizer.sources.settings import ComposeNaming
from visualizer.sources.spec import Progress, SourceSpec, load

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.baseline import Baseline
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
    from visualizer.analysis.baseline import parse_baseline  # noqa: PLC0415

    return parse_baseline(_read_text(Path(path), "baseline"), origin=str(path))


def open_graph(
    source: SourceSpec | Snapshot | nx.Graph[str],
    *,
    inspect: bool = False,
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


def restrict(snapshot: Snapshot, view: nx.Graph[str]) -> Snapshot:
    """The part of a snapshot a selected view of its graph shows (for `snapshot --filter`)."""
    from dataclasses import replace  # noqa: PLC0415

    from visualizer.graph import containers, networks  # noqa: PLC0415

    kept_c = {c.id for _, c in containers(view)}
    kept_n = {n.id for _, n in networks(view)}
    return replace(
        snapshot,
        networks=tuple(n for n in snapshot.networks if n.id in kept_n),
        containers=tuple(c for c in snapshot.containers if c.id in kept_c),
    )


def compose_project(snapshot: Snapshot) -> str | None:
    """The compose project a prediction is of (`None` for anything else)."""
    if not snapshot.predicted:
        return None
    labelled = [c.compose_project for c in snapshot.containers]
    labelled += [n.compose_project for n in snapshot.networks]
    return next((p for p in labelled if p), None)


def detect_naming(snapshot: Snapshot, project: str) -> ComposeNaming | None:
    """How a live project's containers were named: Compose v1 (`p_s_1`) or v2 (`p-s-1`).

    Read from the containers' compose labels: `com.docker.compose.version` (1.x is v1), else
    the name pattern; `None` when the engine runs nothing of the project.
    """
    ours = [c for c in snapshot.containers if c.compose_project == project]
    for c in ours:
        version = c.labels.get("com.docker.compose.version", "")
        if version[:1].isdigit():
            return ComposeNaming.V1 if version.startswith("1.") else ComposeNaming.V2
    for c in ours:
        service = c.compose_service or ""
        if c.name.startswith(f"{project}_{service}_"):
            return ComposeNaming.V1
        if c.name.startswith(f"{project}-{service}-"):
            return ComposeNaming.V2
    return None


def load_sides(
    sides: tuple[SourceSpec | Snapshot, SourceSpec | Snapshot], *, inspect: bool
) -> tuple[list[Snapshot], str | None, list[str]]:
    """Load the two sides of a diff, compose predictions named as the live project names them.

    A compose prediction compared with a live engine is predicted with the naming the live
    project uses, and the comparison is about its project. Returns the snapshots, the
    project to scope to (or `None`), and notes for the reader.
    """
    from dataclasses import replace  # noqa: PLC0415

    snaps: list[Snapshot | None] = [None, None]
    for i, side in enumerate(sides):  # live sides first: their labels decide the naming
        if isinstance(side, Snapshot):
            snaps[i] = side
        elif not side.compose:
            snaps[i] = load(side, inspect=inspect)
    notes: list[str] = []
    project = None
    for i, side in enumerate(sides):
        if not isinstance(side, SourceSpec) or not side.compose:
            continue
        predicted = load(side)
        project = compose_project(predicted)
        other = snaps[1 - i]
        if project and other is not None and not other.predicted:
            naming = detect_naming(other, project)
            if naming is not None and naming != side.naming:
                predicted = load(replace(side, naming=naming))
                notes.append(
                    f"the engine runs project {project} with Compose {naming.value} names: "
                    f"predicted with --compose-naming {naming.value}"
                )
        snaps[i] = predicted
    loaded = [s for s in snaps if s is not None]
    mixed = project is not None and any(not s.predicted for s in loaded)
    return loaded, project if mixed else None, notes


def view_of(
    graph: nx.Graph[str], selection: Selection | None
) -> tuple[nx.Graph[str], tuple[str, ...]]:
    """The part of a graph a selection shows, and a warning per filter that matches nothing."""
    chosen = selection or Selection()
    lost = tuple(f"--filter {f} matches nothing" for f in unmatched(graph, chosen))
    return select(graph, chosen), lost

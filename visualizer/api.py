"""The library API: the pipeline as a few functions, load → build → view → render.

>>> import visualizer as nv
>>> snap = nv.load_demo()
>>> graph = nv.build_graph(snap)
>>> dot = nv.render(graph, nv.Format.DOT).text
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.analysis.findings import Severity
from visualizer.errors import InputError
from visualizer.graph import Selection, build_graph, select
from visualizer.render import (
    AuditFormat,
    Format,
    MatrixFormat,
    Rendered,
    RenderOptions,
    View,
    render,
    render_audit,
    render_matrix,
)
from visualizer.sources import snapshot as snapshot_file

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis, AuditReport, Baseline
    from visualizer.analysis.matrix import Matrix
    from visualizer.analysis.policy import Policy
    from visualizer.analysis.reachability import Verdict
    from visualizer.model import Snapshot
    from visualizer.sources.engine import EngineTarget, Inspect, ProgressCallback

__all__ = [
    "AuditFormat",
    "Format",
    "MatrixFormat",
    "RenderOptions",
    "Rendered",
    "Selection",
    "View",
    "analyse",
    "audit",
    "build_graph",
    "dumps_snapshot",
    "load_baseline",
    "load_compose",
    "load_demo",
    "load_engine",
    "load_engines",
    "load_policy",
    "load_snapshot",
    "load_spec",
    "matrix",
    "reach",
    "render",
    "render_audit",
    "render_matrix",
    "select",
]

DEMO_SOURCE = "demo (captured from a real engine by scripts/build-demo.sh)"


def load_engine(
    target: EngineTarget | None = None,
    *,
    inspect: bool | Inspect = False,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Capture a live engine (default: as the docker CLI would pick it)."""
    from visualizer.sources.engine import EngineTarget, load_live  # noqa: PLC0415

    return load_live(target or EngineTarget(), inspect=inspect, progress=progress)


def load_compose(
    files: list[Path] | tuple[Path, ...],
    *,
    project_name: str | None = None,
    profiles: tuple[str, ...] = (),
    env_file: Path | None = None,
    naming: str = "v2",
) -> Snapshot:
    """Predict the topology `docker compose up` would create from compose files."""
    from visualizer.sources.compose import ComposeOptions  # noqa: PLC0415
    from visualizer.sources.compose import load_compose as predict  # noqa: PLC0415

    options = ComposeOptions(
        files=tuple(Path(f) for f in files),
        project_name=project_name,
        profiles=profiles,
        env_file=env_file,
        naming=naming,
    )
    return predict(options)


def load_spec(
    spec: str,
    *,
    project_name: str | None = None,
    profiles: tuple[str, ...] = (),
    env_file: Path | None = None,
    naming: str = "v2",
    timeout: float = 30.0,
    inspect: bool = True,
) -> Snapshot:
    """Load a source named in one string, as `netviz diff` takes them.

    `live` or `engine` (the default engine), `engine:URL`, `context:NAME`, `demo`, a snapshot
    file (`*.json`), or compose files (`*.yml`, `*.yaml`, comma-separated to merge several, or
    `compose:FILE[,FILE]`).
    """
    from visualizer.errors import UsageError  # noqa: PLC0415
    from visualizer.sources.engine import EngineTarget  # noqa: PLC0415

    kind, sep, rest = spec.partition(":")
    if spec in {"live", "engine"}:
        return load_engine(EngineTarget(timeout=timeout), inspect=inspect)
    if sep and kind == "engine":
        return load_engine(EngineTarget(host=rest, timeout=timeout), inspect=inspect)
    if sep and kind == "context":
        return load_engine(EngineTarget(context=rest, timeout=timeout), inspect=inspect)
    if spec == "demo":
        return load_demo()
    files = rest if sep and kind == "compose" else spec
    parts = [Path(p) for p in files.split(",") if p]
    if parts and all(p.suffix.lower() in {".yml", ".yaml"} for p in parts):
        return load_compose(
            parts, project_name=project_name, profiles=profiles, env_file=env_file, naming=naming
        )
    if len(parts) == 1 and parts[0].suffix.lower() == ".json":
        return load_snapshot(parts[0])
    raise UsageError(
        f"cannot tell what source {spec!r} is: use live, engine:URL, context:NAME, demo, "
        "a .json snapshot or .yml compose files"
    )


def load_engines(targets: list[EngineTarget], *, inspect: bool | Inspect = False) -> Snapshot:
    """Capture several engines in parallel into one snapshot with a host dimension."""
    from visualizer.sources.engine import load_many  # noqa: PLC0415

    return load_many(targets, inspect=inspect)


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file written by `netviz snapshot` (or `dumps_snapshot`)."""
    return snapshot_file.load_file(Path(path))


def load_demo() -> Snapshot:
    """Load the bundled demo topology, recorded from a real engine."""
    from importlib import resources  # noqa: PLC0415

    text = resources.files("visualizer").joinpath("data/demo.json").read_bytes()
    return replace(snapshot_file.loads(text, origin="bundled demo"), source=DEMO_SOURCE)


def dumps_snapshot(snapshot: Snapshot) -> str:
    """Serialise a snapshot to the snapshot file format."""
    return snapshot_file.dumps(snapshot)


def analyse(graph: nx.Graph[str]) -> Analysis:
    """Reachability and findings of a full graph (pass it to `render` for filtered views)."""
    from visualizer.analysis.audit import analyse as run  # noqa: PLC0415

    return run(graph)


def reach(graph: nx.Graph[str], source: str, target: str) -> Verdict:
    """Decide whether container `source` reaches container `target` (names or ID prefixes)."""
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415

    model = Reachability(graph)
    return model.verdict(model.find(source), model.find(target))


def matrix(graph: nx.Graph[str], view: nx.Graph[str] | None = None) -> Matrix:
    """The truth table of the containers shown in `view` (default: all), from `graph`."""
    from visualizer.analysis.matrix import truth_table  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.graph import containers  # noqa: PLC0415

    model = Reachability(graph)
    return truth_table(model, [k for k, _ in containers(view if view is not None else graph)])


def audit(
    graph: nx.Graph[str],
    *,
    grouped: bool = False,
    policy: Policy | None = None,
    baseline: Baseline | None = None,
    fail_on: Severity | None = Severity.HIGH,
) -> AuditReport:
    """Audit a full graph: reachability, findings, policy violations, changes since a baseline.

    The report fails (`report.failed`) on policy violations and on open findings at or above
    `fail_on` (`None`: never on findings); with a baseline, only on what is new.
    """
    from visualizer.analysis.audit import build_report  # noqa: PLC0415

    return build_report(graph, grouped=grouped, policy=policy, baseline=baseline, fail_on=fail_on)


def load_policy(path: str | Path) -> Policy:
    """Read a reachability policy (YAML)."""
    from visualizer.analysis.policy import parse_policy  # noqa: PLC0415

    return parse_policy(_read_text(Path(path), "policy"), origin=str(path))


def load_baseline(path: str | Path) -> Baseline:
    """Read an earlier `netviz audit --format json` to compare with."""
    from visualizer.analysis.audit import parse_baseline  # noqa: PLC0415

    return parse_baseline(_read_text(Path(path), "baseline"), origin=str(path))


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

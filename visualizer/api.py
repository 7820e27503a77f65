"""The library API: the pipeline as a few functions, load → build → view → render.

>>> import visualizer as nv
>>> snap = nv.load_demo()
>>> graph = nv.build_graph(snap)
>>> dot = nv.render(graph, nv.Format.DOT).text
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.graph import Selection, build_graph, select
from visualizer.render import Format, Rendered, RenderOptions, render
from visualizer.sources import snapshot as snapshot_file

if TYPE_CHECKING:
    from visualizer.model import Snapshot
    from visualizer.sources.engine import EngineTarget, ProgressCallback

__all__ = [
    "Format",
    "RenderOptions",
    "Rendered",
    "Selection",
    "build_graph",
    "dumps_snapshot",
    "load_demo",
    "load_engine",
    "load_snapshot",
    "render",
    "select",
]

DEMO_SOURCE = "demo (captured from a real engine by scripts/build-demo.sh)"


def load_engine(
    target: EngineTarget | None = None,
    *,
    inspect: bool = False,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Capture a live engine (default: as the docker CLI would pick it)."""
    from visualizer.sources.engine import EngineTarget, load_live  # noqa: PLC0415

    return load_live(target or EngineTarget(), inspect=inspect, progress=progress)


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file written by `netviz snapshot` (or `dumps_snapshot`)."""
    return snapshot_file.load_file(Path(path))


def load_demo() -> Snapshot:
    """Load the bundled demo topology, recorded from a real engine."""
    text = resources.files("visualizer").joinpath("data/demo.json").read_bytes()
    return replace(snapshot_file.loads(text, origin="bundled demo"), source=DEMO_SOURCE)


def dumps_snapshot(snapshot: Snapshot) -> str:
    """Serialise a snapshot to the snapshot file format."""
    return snapshot_file.dumps(snapshot)

"""docker-netviz: which Docker containers can reach each other, and how — inspected, audited, drawn.

The public library API; the `netviz` command is a thin layer over it.
"""

from __future__ import annotations

from visualizer.api import (
    Format,
    Rendered,
    RenderOptions,
    Selection,
    build_graph,
    dumps_snapshot,
    load_demo,
    load_engine,
    load_snapshot,
    render,
    select,
)
from visualizer.errors import ExitCode, VisualizerError
from visualizer.model import Container, Endpoint, Engine, Link, Network, Port, Snapshot, Subnet

__version__ = "0.1.0"

__all__ = [
    "Container",
    "Endpoint",
    "Engine",
    "ExitCode",
    "Format",
    "Link",
    "Network",
    "Port",
    "RenderOptions",
    "Rendered",
    "Selection",
    "Snapshot",
    "Subnet",
    "VisualizerError",
    "__version__",
    "build_graph",
    "dumps_snapshot",
    "load_demo",
    "load_engine",
    "load_snapshot",
    "render",
    "select",
]

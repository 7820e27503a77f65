"""docker-netviz: which Docker containers can reach each other, and how — inspected, audited, drawn.

The public library API; the `netviz` command is a thin layer over it.
"""

from __future__ import annotations

from visualizer.api import (
    AuditFormat,
    Format,
    MatrixFormat,
    Rendered,
    RenderOptions,
    Selection,
    View,
    analyse,
    audit,
    build_graph,
    dumps_snapshot,
    load_baseline,
    load_compose,
    load_demo,
    load_engine,
    load_engines,
    load_policy,
    load_snapshot,
    matrix,
    reach,
    render,
    render_audit,
    render_matrix,
    select,
)
from visualizer.errors import ExitCode, VisualizerError
from visualizer.model import (
    Container,
    Endpoint,
    Engine,
    Link,
    Network,
    Port,
    Snapshot,
    Subnet,
)

__version__ = "0.1.0"

__all__ = [
    "AuditFormat",
    "Container",
    "Endpoint",
    "Engine",
    "ExitCode",
    "Format",
    "Link",
    "MatrixFormat",
    "Network",
    "Port",
    "RenderOptions",
    "Rendered",
    "Selection",
    "Snapshot",
    "Subnet",
    "View",
    "VisualizerError",
    "__version__",
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
    "matrix",
    "reach",
    "render",
    "render_audit",
    "render_matrix",
    "select",
]

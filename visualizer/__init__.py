"""docker-netviz: which Docker containers can reach each other, and how — inspected, audited, drawn.

The public library API (`visualizer.api`, re-exported here); the `netviz` command is a thin
layer over it. Names are loaded on first use, so importing the package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from visualizer.version import __version__

if TYPE_CHECKING:
    from visualizer.api import (
        AuditFormat,
        ComposeNaming,
        Detail,
        DiffFormat,
        Direction,
        FailOn,
        Format,
        Layout,
        MatrixFormat,
        Outcome,
        ProbeFormat,
        ReachAnswer,
        ReachFormat,
        Rendered,
        RenderOptions,
        Selection,
        SourceSpec,
        TextOptions,
        View,
        WatchUpdate,
        analyse,
        audit,
        build_graph,
        diff,
        dumps_snapshot,
        load,
        load_baseline,
        load_compose,
        load_demo,
        load_policy,
        load_snapshot,
        matrix,
        open_graph,
        probe,
        reach,
        render,
        report,
        select,
        snapshot,
        watch,
        what_if,
    )
    from visualizer.errors import ExitCode, VisualizerError
    from visualizer.model import Container, Endpoint, Engine, Link, Network, Port, Snapshot, Subnet

_FROM = {
    "visualizer.errors": ("ExitCode", "VisualizerError"),
    "visualizer.model": (
        "Container",
        "Endpoint",
        "Engine",
        "Link",
        "Network",
        "Port",
        "Snapshot",
        "Subnet",
    ),
}

__all__ = [
    "AuditFormat",
    "ComposeNaming",
    "Container",
    "Detail",
    "DiffFormat",
    "Direction",
    "Endpoint",
    "Engine",
    "ExitCode",
    "FailOn",
    "Format",
    "Layout",
    "Link",
    "MatrixFormat",
    "Network",
    "Outcome",
    "Port",
    "ProbeFormat",
    "ReachAnswer",
    "ReachFormat",
    "RenderOptions",
    "Rendered",
    "Selection",
    "Snapshot",
    "SourceSpec",
    "Subnet",
    "TextOptions",
    "View",
    "VisualizerError",
    "WatchUpdate",
    "__version__",
    "analyse",
    "audit",
    "build_graph",
    "diff",
    "dumps_snapshot",
    "load",
    "load_baseline",
    "load_compose",
    "load_demo",
    "load_policy",
    "load_snapshot",
    "matrix",
    "open_graph",
    "probe",
    "reach",
    "render",
    "report",
    "select",
    "snapshot",
    "watch",
    "what_if",
]


if not TYPE_CHECKING:  # type checkers see the imports above, and only them

    def __getattr__(name: str) -> Any:  # noqa: ANN401 - any public name
        """Load a public name from the module that defines it, on first use."""
        module = next((m for m, names in _FROM.items() if name in names), None)
        if module is None and name in __all__:
            module = "visualizer.api"
        if module is None:
            msg = f"module 'visualizer' has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value

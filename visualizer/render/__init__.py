"""Renderers: one module per format, picked from one registry keyed by `Format`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from visualizer.render.options import (
    AuditFormat,
    Direction,
    Format,
    Layout,
    MatrixFormat,
    Rendered,
    RenderOptions,
    View,
)

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis, AuditReport
    from visualizer.analysis.matrix import Matrix

__all__ = [
    "AuditFormat",
    "Direction",
    "Format",
    "Layout",
    "MatrixFormat",
    "RenderOptions",
    "Rendered",
    "View",
    "render",
    "render_audit",
    "render_matrix",
]

Renderer = Callable[["nx.Graph[str]", RenderOptions, "Analysis | None"], Rendered]


def dot_source(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> str:
    """The DOT text of the chosen view."""
    if options.view is View.REACHABILITY:
        from visualizer.analysis.audit import analyse  # noqa: PLC0415
        from visualizer.render.reach_dot import render_reachability_dot  # noqa: PLC0415

        return render_reachability_dot(g, options, analysis or analyse(g))
    from visualizer.render.dot import render_dot  # noqa: PLC0415

    return render_dot(g, options, analysis)


def _dot(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> Rendered:
    return Rendered(content=dot_source(g, options, analysis).encode("utf-8"), format=Format.DOT)


def _image(fmt: Format) -> Renderer:
    def renderer(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> Rendered:
        from visualizer.render.graphviz import pipe  # noqa: PLC0415

        content = pipe(dot_source(g, options, analysis), fmt=fmt, layout=options.layout)
        return Rendered(content=content, format=fmt)

    return renderer


def _mermaid(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> Rendered:
    from visualizer.render.mermaid import render_mermaid  # noqa: PLC0415

    out = render_mermaid(g, options, analysis)
    return Rendered(content=out.text.encode("utf-8"), format=Format.MERMAID, notes=out.notes)


def _html(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> Rendered:
    from visualizer.analysis.audit import analyse  # noqa: PLC0415
    from visualizer.render.html import render_html  # noqa: PLC0415

    del options  # the page lays itself out
    text = render_html(g, analysis or analyse(g))
    return Rendered(content=text.encode("utf-8"), format=Format.HTML)


def _json(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> Rendered:
    from visualizer.render.graph_json import render_graph_json  # noqa: PLC0415

    del options
    return Rendered(content=render_graph_json(g, analysis).encode("utf-8"), format=Format.JSON)


RENDERERS: dict[Format, Renderer] = {
    Format.DOT: _dot,
    Format.SVG: _image(Format.SVG),
    Format.PNG: _image(Format.PNG),
    Format.PDF: _image(Format.PDF),
    Format.MERMAID: _mermaid,
    Format.HTML: _html,
    Format.JSON: _json,
}


def render(
    g: nx.Graph[str],
    fmt: Format,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
) -> Rendered:
    """Render a graph (or a filtered view of it) in one format; returns bytes, writes nothing.

    `analysis` is `visualizer.analyse(full_graph)`: pass it when `g` is a filtered view, so
    reachability and findings come from the whole engine, not just what is drawn.
    """
    return RENDERERS[fmt](g, options or RenderOptions(), analysis)


def render_audit(
    report: AuditReport, fmt: AuditFormat, *, color: bool = False, width: int = 120
) -> str:
    """Render an audit report; `color` and `width` matter for the terminal table only."""
    if fmt is AuditFormat.JSON:
        from visualizer.render.audit_json import render_audit_json  # noqa: PLC0415

        return render_audit_json(report)
    if fmt is AuditFormat.MARKDOWN:
        from visualizer.render.audit_markdown import render_audit_markdown  # noqa: PLC0415

        return render_audit_markdown(report)
    if fmt is AuditFormat.SARIF:
        from visualizer.render.audit_sarif import render_audit_sarif  # noqa: PLC0415

        return render_audit_sarif(report)
    from visualizer.render.audit_table import render_audit_table  # noqa: PLC0415

    return render_audit_table(report, color=color, width=width)


def render_matrix(
    matrix: Matrix, fmt: MatrixFormat, *, color: bool = False, width: int = 200
) -> str:
    """Render the reachability truth table."""
    from visualizer.render.matrix import render_matrix_csv, render_matrix_text  # noqa: PLC0415

    if fmt is MatrixFormat.CSV:
        return render_matrix_csv(matrix)
    return render_matrix_text(matrix, color=color, width=width)

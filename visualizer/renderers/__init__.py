"""Renderers: one module per format, one registry per output family keyed by its format enum.

Every renderer is pure and returns `Rendered` (bytes, the format, notes for the reader); a
format a family does not have, or a view a format cannot show, is a usage error, never a
silent fallback to something else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from visualizer.analysis.aggregate import Detail
from visualizer.errors import UsageError
from visualizer.renderers.options import (
    AuditFormat,
    DiffFormat,
    Direction,
    DocumentFormat,
    Format,
    Layout,
    MatrixFormat,
    OutputFormat,
    ProbeFormat,
    ReachFormat,
    Rendered,
    RenderOptions,
    TextOptions,
    View,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import networkx as nx

    from visualizer.analysis.audit import Analysis, AuditReport
    from visualizer.analysis.channels import Channel
    from visualizer.analysis.diff import ChangeMap, Diff
    from visualizer.analysis.matrix import Matrix
    from visualizer.analysis.probe import ProbeReport
    from visualizer.analysis.reachability import PortPath, Verdict
    from visualizer.analysis.scope import Scope
    from visualizer.analysis.whatif import WhatIf

__all__ = [
    "AuditFormat",
    "Detail",
    "DiffFormat",
    "Direction",
    "DocumentFormat",
    "Format",
    "Layout",
    "MatrixFormat",
    "OutputFormat",
    "ProbeFormat",
    "ReachFormat",
    "Registry",
    "RenderOptions",
    "Rendered",
    "TextOptions",
    "View",
    "render",
    "render_audit",
    "render_diff",
    "render_matrix",
    "render_probe",
    "render_reach",
    "render_report",
    "render_whatif",
]

F = TypeVar("F", bound=StrEnum)


class Registry(Generic[F]):
    """The renderers of one output family, one per member of its format enum."""

    def __init__(
        self, family: str, formats: type[F], entries: Mapping[F, Callable[..., Rendered]]
    ) -> None:
        """Register a renderer for every format of the family (a missing one is a bug)."""
        missing = [f.value for f in formats if f not in entries]
        if missing:
            msg = f"{family}: no renderer for {', '.join(missing)}"
            raise TypeError(msg)
        self.family = family
        self.formats = formats
        self.entries = dict(entries)

    def format(self, value: str | F) -> F:
        """The format named by `value`; an unknown name is a usage error listing the choices."""
        try:
            return self.formats(value)
        except ValueError:
            choices = ", ".join(f.value for f in self.formats)
            raise UsageError(
                f"unknown {self.family} format {value!r}: choose one of {choices}"
            ) from None

    def __call__(self, value: str | F, *args: Any, **kwargs: Any) -> Rendered:  # noqa: ANN401
        """Render with the renderer of format `value`."""
        return self.entries[self.format(value)](*args, **kwargs)


# ---- diagrams ------------------------------------------------------------------------------

_DOT_FORMATS = frozenset({Format.DOT, Format.SVG, Format.PNG, Format.PDF})


def _diagram(fmt: Format) -> Callable[..., Rendered]:
    def renderer(
        g: nx.Graph[str],
        options: RenderOptions,
        analysis: Analysis | None,
        changes: ChangeMap | None,
    ) -> Rendered:
        from visualizer.renderers.diagram import render_diagram  # noqa: PLC0415

        return render_diagram(fmt, g, options, analysis, changes)

    return renderer


def _html(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None, changes: ChangeMap | None
) -> Rendered:
    from visualizer.analysis.audit import analyse  # noqa: PLC0415
    from visualizer.renderers.html import render_html  # noqa: PLC0415

    del changes  # refused before this point
    text, notes = render_html(g, analysis or analyse(g), options)
    return Rendered.of_text(text, Format.HTML, notes)


def _json(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None, changes: ChangeMap | None
) -> Rendered:
    from visualizer.renderers.graph_json import render_graph_json  # noqa: PLC0415

    del options, changes
    return Rendered.of_text(render_graph_json(g, analysis), Format.JSON)


DIAGRAMS = Registry(
    "diagram",
    Format,
    {
        Format.DOT: _diagram(Format.DOT),
        Format.SVG: _diagram(Format.SVG),
        Format.PNG: _diagram(Format.PNG),
        Format.PDF: _diagram(Format.PDF),
        Format.MERMAID: _diagram(Format.MERMAID),
        Format.HTML: _html,
        Format.JSON: _json,
    },
)


def render(
    g: nx.Graph[str],
    fmt: Format | str,
    options: RenderOptions | None = None,
    analysis: Analysis | None = None,
    changes: ChangeMap | None = None,
) -> Rendered:
    """Render a graph (or a filtered view of it) as a diagram; returns bytes, writes nothing.

    `analysis` is `analyse(full_graph)`: pass it when `g` is a filtered view, so reachability
    and findings come from the whole estate, not just what is drawn. `options.detail` picks
    the level of detail (`auto`: the most detailed readable one; `Rendered.notes` says which).
    `changes` (from `analysis.diff.union`) draws a change diagram, in the Graphviz formats.
    The graph JSON is the graph itself: per container, topology only.
    """
    chosen = DIAGRAMS.format(fmt)
    opts = options or RenderOptions()
    if chosen is Format.JSON and opts.view is not View.TOPOLOGY:
        raise UsageError(
            "the reachability view is not a graph of networks: it is drawn in dot, svg, png, "
            "pdf, mermaid and html; its pairs as JSON come from netviz audit -f json"
        )
    if chosen is Format.JSON and opts.detail not in {Detail.AUTO, Detail.CONTAINER}:
        raise UsageError(
            "the graph JSON is always per container: --detail service, project and network "
            "are drawn in dot, svg, png, pdf, mermaid and html"
        )
    if changes is not None and chosen not in _DOT_FORMATS:
        raise UsageError(f"a change diagram is drawn in dot, svg, png and pdf, not {chosen.value}")
    return DIAGRAMS(chosen, g, opts, analysis, changes)


# ---- documents and tables ------------------------------------------------------------------


def _audit_table(report: AuditReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.audit_table import render_audit_table  # noqa: PLC0415

    return Rendered.of_text(
        render_audit_table(report, color=text.color, width=text.width), AuditFormat.TABLE
    )


def _audit_json(report: AuditReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.audit_json import audit_json_pieces  # noqa: PLC0415

    del text
    if report.pairs is not None and not report.pairs.kept:  # too many to hold: a stream
        return Rendered.of_pieces(lambda: audit_json_pieces(report), AuditFormat.JSON)
    return Rendered.of_text("".join(audit_json_pieces(report)), AuditFormat.JSON)


def _audit_markdown(report: AuditReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.audit_markdown import render_audit_markdown  # noqa: PLC0415

    del text
    return Rendered.of_text(render_audit_markdown(report), AuditFormat.MARKDOWN)


def _audit_sarif(report: AuditReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.audit_sarif import render_audit_sarif  # noqa: PLC0415

    del text
    return Rendered.of_text(render_audit_sarif(report), AuditFormat.SARIF)


AUDITS = Registry(
    "audit",
    AuditFormat,
    {
        AuditFormat.TABLE: _audit_table,
        AuditFormat.JSON: _audit_json,
        AuditFormat.MARKDOWN: _audit_markdown,
        AuditFormat.SARIF: _audit_sarif,
    },
)


def render_audit(
    report: AuditReport, fmt: AuditFormat | str, text: TextOptions | None = None
) -> Rendered:
    """Render an audit report; `text` matters for the terminal table only."""
    return AUDITS(fmt, report, text or TextOptions())


def _matrix_text(matrix: Matrix, text: TextOptions) -> Rendered:
    from visualizer.renderers.matrix import render_matrix_text  # noqa: PLC0415

    return Rendered.of_text(
        render_matrix_text(matrix, color=text.color, width=text.width), MatrixFormat.TEXT
    )


def _matrix_csv(matrix: Matrix, text: TextOptions) -> Rendered:
    from visualizer.renderers.matrix import render_matrix_csv  # noqa: PLC0415

    del text
    return Rendered.of_text(render_matrix_csv(matrix), MatrixFormat.CSV)


MATRICES = Registry(
    "matrix", MatrixFormat, {MatrixFormat.TEXT: _matrix_text, MatrixFormat.CSV: _matrix_csv}
)


def render_matrix(
    matrix: Matrix, fmt: MatrixFormat | str, text: TextOptions | None = None
) -> Rendered:
    """Render the reachability truth table."""
    return MATRICES(fmt, matrix, text or TextOptions())


def _diff(fmt: DiffFormat) -> Callable[[Diff], Rendered]:
    def renderer(d: Diff) -> Rendered:
        from visualizer.renderers import diff_report  # noqa: PLC0415

        write = {
            DiffFormat.TEXT: diff_report.diff_text,
            DiffFormat.JSON: diff_report.diff_json,
            DiffFormat.MARKDOWN: diff_report.diff_markdown,
        }[fmt]
        return Rendered.of_text(write(d), fmt)

    return renderer


DIFFS = Registry("diff", DiffFormat, {f: _diff(f) for f in DiffFormat})


def render_diff(d: Diff, fmt: DiffFormat | str) -> Rendered:
    """Render the differences between two sources."""
    return DIFFS(fmt, d)


def _whatif(fmt: DiffFormat) -> Callable[[WhatIf], Rendered]:
    def renderer(w: WhatIf) -> Rendered:
        from visualizer.renderers import whatif_report  # noqa: PLC0415

        write = {
            DiffFormat.TEXT: whatif_report.whatif_text,
            DiffFormat.JSON: whatif_report.whatif_json,
            DiffFormat.MARKDOWN: whatif_report.whatif_markdown,
        }[fmt]
        return Rendered.of_text(write(w), fmt)

    return renderer


WHATIFS = Registry("what-if", DiffFormat, {f: _whatif(f) for f in DiffFormat})


def render_whatif(w: WhatIf, fmt: DiffFormat | str) -> Rendered:
    """Render what a change would do, in the diff formats."""
    return WHATIFS(fmt, w)


def _reach_text(
    verdict: Verdict, path: PortPath | None, channels: tuple[Channel, ...] = ()
) -> Rendered:
    from visualizer.renderers.reach_text import verdict_text  # noqa: PLC0415

    return Rendered.of_text(verdict_text(verdict, path, channels), ReachFormat.TEXT)


def _reach_json(
    verdict: Verdict, path: PortPath | None, channels: tuple[Channel, ...] = ()
) -> Rendered:
    from visualizer.renderers.reach_text import verdict_json  # noqa: PLC0415

    return Rendered.of_text(verdict_json(verdict, path, channels), ReachFormat.JSON)


REACH = Registry(
    "reach", ReachFormat, {ReachFormat.TEXT: _reach_text, ReachFormat.JSON: _reach_json}
)


def render_reach(
    verdict: Verdict,
    path: PortPath | None,
    fmt: ReachFormat | str,
    channels: tuple[Channel, ...] = (),
) -> Rendered:
    """Render a reachability verdict, its published-port path and the channels beside it."""
    return REACH(fmt, verdict, path, channels)


def _probe_table(report: ProbeReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.probe_report import render_probe_table  # noqa: PLC0415

    return Rendered.of_text(
        render_probe_table(report, color=text.color, width=text.width), ProbeFormat.TABLE
    )


def _probe_json(report: ProbeReport, text: TextOptions) -> Rendered:
    from visualizer.renderers.probe_report import render_probe_json  # noqa: PLC0415

    del text
    return Rendered.of_text(render_probe_json(report), ProbeFormat.JSON)


PROBES = Registry(
    "probe", ProbeFormat, {ProbeFormat.TABLE: _probe_table, ProbeFormat.JSON: _probe_json}
)


def render_probe(
    report: ProbeReport, fmt: ProbeFormat | str, text: TextOptions | None = None
) -> Rendered:
    """Render what a probe found."""
    return PROBES(fmt, report, text or TextOptions())


def render_report(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis, scope: Scope | None = None
) -> Rendered:
    """The Markdown report of a (filtered) graph, with the analysis of the whole estate."""
    from visualizer.renderers.report import report_markdown  # noqa: PLC0415

    text, notes = report_markdown(g, options, analysis, scope)
    return Rendered.of_text(text, DocumentFormat.MARKDOWN, notes)

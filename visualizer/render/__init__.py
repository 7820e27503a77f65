"""Renderers: one module per format, picked from one registry keyed by `Format`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from visualizer.render.options import Direction, Format, Layout, Rendered, RenderOptions

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Direction", "Format", "Layout", "RenderOptions", "Rendered", "render"]

Renderer = Callable[["nx.Graph[str]", RenderOptions], Rendered]


def _dot(g: nx.Graph[str], options: RenderOptions) -> Rendered:
    from visualizer.render.dot import render_dot  # noqa: PLC0415

    return Rendered(content=render_dot(g, options).encode("utf-8"), format=Format.DOT)


def _image(fmt: Format) -> Renderer:
    def renderer(g: nx.Graph[str], options: RenderOptions) -> Rendered:
        from visualizer.render.dot import render_dot  # noqa: PLC0415
        from visualizer.render.graphviz import pipe  # noqa: PLC0415

        content = pipe(render_dot(g, options), fmt=fmt, layout=options.layout)
        return Rendered(content=content, format=fmt)

    return renderer


RENDERERS: dict[Format, Renderer] = {
    Format.DOT: _dot,
    Format.SVG: _image(Format.SVG),
    Format.PNG: _image(Format.PNG),
    Format.PDF: _image(Format.PDF),
}


def render(g: nx.Graph[str], fmt: Format, options: RenderOptions | None = None) -> Rendered:
    """Render a graph (or a filtered view of it) in one format; returns bytes, writes nothing."""
    return RENDERERS[fmt](g, options or RenderOptions())

"""DOT → SVG / PNG / PDF through the `graphviz` package and Graphviz's executables."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from visualizer.errors import RendererError

if TYPE_CHECKING:
    from visualizer.renderers.options import Format, Layout

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
    "or use -f dot"
)
_VIEWBOX = re.compile(rb'viewBox="([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+)"')


def pipe(
    dot_source: str, *, fmt: Format | str, layout: Layout | str, positioned: bool = False
) -> bytes:
    """Lay out and render DOT source with Graphviz; raise `RendererError` with a way out.

    `positioned`: every node and edge already has its position; only draw it (`neato -n2`).
    """
    import graphviz  # noqa: PLC0415

    engine, shown = ("neato" if positioned else str(layout)), str(fmt)
    try:
        result: bytes = graphviz.pipe(
            engine,
            shown,
            dot_source.encode("utf-8"),
            quiet=True,
            neato_no_op=2 if positioned else None,
        )
    except graphviz.ExecutableNotFound:
        raise RendererError(
            f"Graphviz's '{engine}' program was not found: {INSTALL_HINT}"
        ) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {exc.returncode}"
        raise RendererError(f"Graphviz failed to render {shown}: {reason}") from None
    return result


def svg_size(svg: bytes) -> tuple[float, float]:
    """Width and height of an SVG Graphviz wrote (its viewBox, in points)."""
    found = _VIEWBOX.search(svg[:4096])
    if found is None:
        raise RendererError("Graphviz wrote an SVG without a viewBox")
    return float(found.group(3)), float(found.group(4))

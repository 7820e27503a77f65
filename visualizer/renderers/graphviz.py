"""DOT → SVG / PNG / PDF through the `graphviz` package and Graphviz's executables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.errors import RendererError

if TYPE_CHECKING:
    from visualizer.renderers.options import Format, Layout

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
    "or use -f dot"
)


def pipe(dot_source: str, *, fmt: Format, layout: Layout) -> bytes:
    """Lay out and render DOT source with Graphviz; raise `RendererError` with a way out."""
    import graphviz  # noqa: PLC0415

    try:
        result: bytes = graphviz.pipe(
            layout.value, fmt.value, dot_source.encode("utf-8"), quiet=True
        )
    except graphviz.ExecutableNotFound:
        raise RendererError(
            f"Graphviz's '{layout.value}' program was not found: {INSTALL_HINT}"
        ) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {exc.returncode}"
        raise RendererError(f"Graphviz failed to render {fmt.value}: {reason}") from None
    return result

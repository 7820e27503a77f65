"""DOT → SVG / PNG / PDF through Graphviz's executables.

The `graphviz` package builds the command; the layout gets a time limit, and its process dies
with netviz (a SIGTERM or a kill of netviz does not leave `dot` running).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

from visualizer.errors import RendererError

if TYPE_CHECKING:
    from visualizer.renderers.options import Format, Layout

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
    "or use -f dot"
)
_VIEWBOX = re.compile(rb'viewBox="([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+)"')
TIME_LIMIT = 120.0
"""Seconds Graphviz may take to lay out one picture."""
PR_SET_PDEATHSIG = 1


def pipe(
    dot_source: str,
    *,
    fmt: Format | str,
    layout: Layout | str,
    positioned: bool = False,
    limit: float = TIME_LIMIT,
) -> bytes:
    """Lay out and render DOT source with Graphviz; raise `RendererError` with a way out.

    `positioned`: every node and edge already has its position; only draw it (`neato -n2`).
    Every run (the packing's `json0` layouts included) gets the time limit and dies with netviz.
    """
    from graphviz.backend import dot_command  # noqa: PLC0415

    engine, shown = ("neato" if positioned else str(layout)), str(fmt)
    cmd = dot_command.command(engine, shown, neato_no_op=2 if positioned else None)
    try:
        done = subprocess.run(
            cmd,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=limit,
            check=False,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    except FileNotFoundError:
        raise RendererError(
            f"Graphviz's '{engine}' program was not found: {INSTALL_HINT}"
        ) from None
    except subprocess.TimeoutExpired:
        raise RendererError(
            f"Graphviz did not finish the {shown} within {limit:g} s: draw part of the "
            "estate (--filter project=…), a coarser --detail, another layout, or use -f html "
            "or -f dot"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise RendererError(f"Graphviz failed to render {shown}: {reason[:300]}")
    return done.stdout


def svg_size(svg: bytes) -> tuple[float, float]:
    """Width and height of an SVG Graphviz wrote (its viewBox, in points)."""
    found = _VIEWBOX.search(svg[:4096])
    if found is None:
        raise RendererError("Graphviz wrote an SVG without a viewBox")
    return float(found.group(3)), float(found.group(4))


def _die_with_parent() -> None:
    """In the child: be killed when netviz dies, however it dies (Linux's parent-death signal)."""
    import ctypes  # noqa: PLC0415

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

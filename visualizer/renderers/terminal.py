"""Terminal text from rich renderables: the one console setup of the table renderers."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import RenderableType


def print_to_text(parts: Iterable[RenderableType], *, width: int, color: bool) -> str:
    """Print `parts` as a terminal would show them (ANSI colours only when `color`).

    No markup, highlighting or emoji codes are interpreted: engine text reaches the renderers
    as `Text` and stays literal.
    """
    from rich.console import Console  # noqa: PLC0415 - only the terminal outputs need rich

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    for part in parts:
        console.print(part)
    return buffer.getvalue()

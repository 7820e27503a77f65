"""DOT writing primitives shared by the diagram renderers: quoting, HTML labels, tables."""

from __future__ import annotations

import html as _html_escape

from visualizer.text import visible

FONT = "Helvetica"
QUOTED_LIMIT = 3000
"""Characters of a quoted attribute (tooltips): Graphviz refuses strings over 16,384 bytes."""
ROW_LIMIT = 40
"""Rows of a node's table; the rest are counted in a last row."""


class Html(str):
    """A DOT HTML-like label, emitted between `<` and `>` instead of quotes."""

    __slots__ = ()


def h(text: str) -> str:
    """Escape engine text for a Graphviz HTML-like label.

    Besides `& < > " '`, `]` becomes `&#93;`: Graphviz's HTML lexer rejects text that starts
    with `]` right after a tag (`<B>]</B>` is a syntax error in Graphviz 2.43).
    """
    return _html_escape.escape(visible(text), quote=True).replace("]", "&#93;")


def attrs(**values: str) -> str:
    """`key="value"` pairs; `Html` values go between angle brackets."""
    return " ".join(f"{k}={_value(v)}" for k, v in values.items())


def _value(v: str) -> str:
    if isinstance(v, Html):
        return f"<{v}>"
    text = visible(v)
    if len(text) > QUOTED_LIMIT:  # keep the head and the tail, which explains the rest
        half = QUOTED_LIMIT // 2
        text = text[:half] + "\u2026" + text[-half:]
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def table(rows: list[str]) -> Html:
    """A borderless one-column HTML table of pre-escaped rows, at most `ROW_LIMIT` of them."""
    if len(rows) > ROW_LIMIT:
        more = len(rows) - ROW_LIMIT + 1
        rows = [*rows[: ROW_LIMIT - 1], f"<FONT POINT-SIZE='8'>… {more} more rows</FONT>"]
    cells = "".join(f"<TR><TD ALIGN='LEFT'>{row}</TD></TR>" for row in rows)
    return Html(f"<TABLE BORDER='0' CELLBORDER='0' CELLSPACING='0' CELLPADDING='1'>{cells}</TABLE>")

"""DOT writing primitives shared by the diagram renderers: quoting, HTML labels, tables."""

from __future__ import annotations

import html as _html_escape

from visualizer.text import visible

FONT = "Helvetica"


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
    return '"' + visible(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def table(rows: list[str]) -> Html:
    """A borderless one-column HTML table of pre-escaped rows."""
    cells = "".join(f"<TR><TD ALIGN='LEFT'>{row}</TD></TR>" for row in rows)
    return Html(f"<TABLE BORDER='0' CELLBORDER='0' CELLSPACING='0' CELLPADDING='1'>{cells}</TABLE>")

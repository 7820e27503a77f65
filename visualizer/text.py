"""Text from the engine is untrusted: helpers that make it safe to show, whatever the format."""

from __future__ import annotations

import json
import re
import unicodedata

_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
"""Unicode categories shown as escapes: controls, format (bidi) characters, unassigned code
points and every separator but the plain space."""


def visible(text: str) -> str:
    r"""Show control, bidi-override and other invisible characters as escapes like `\u202e`.

    A name carrying U+202E (right-to-left override) or a newline then reads literally
    instead of reordering or breaking the output it lands in. Printable text, backslashes
    included, is left exactly as it is.
    """
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        if ch != " " and unicodedata.category(ch) in _INVISIBLE:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")  # noqa: PLR2004
        else:
            out.append(ch)
    return "".join(out)


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]|~")
"""Characters Markdown reads as markup anywhere in a line (emphasis, code, links, tables)."""
_MARKDOWN_LEADING = frozenset("#+-!>=")
"""Characters that start a block (heading, list, quote) when they open a line."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def markdown(text: str) -> str:
    """Escape engine text for Markdown (also inside table cells): it shows literally."""
    out = []
    shown = visible(text)
    if shown[:1] in _MARKDOWN_LEADING:
        out.append("\\")
    for ch in shown:
        if ch in _MARKDOWN_SPECIAL:
            out.append("\\" + ch)
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        else:
            out.append(ch)
    return "".join(out)


def csv_cell(text: str) -> str:
    """Keep a spreadsheet from reading engine text as a formula (`=cmd|...`)."""
    shown = visible(text)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"


EMPTY_NAME = "(empty name)"


def display(name: str, limit: int) -> str:
    """A name as a diagram shows it: shortened with an ellipsis; `(empty name)` when empty."""
    return shorten(name, limit) if name else EMPTY_NAME


def short_id(identifier: str) -> str:
    """Return the 12-character form of a Docker ID, as the docker CLI prints it."""
    return identifier[:12]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: object, *, indent: int | None = 2) -> str:
    r"""JSON of engine data, exact and always encodable as UTF-8.

    Text keeps its characters (`ensure_ascii=False`), but a lone surrogate (`"\ud800"`, which
    a JSON input may carry and UTF-8 cannot) is written as its `\ud800` escape, so the output
    stays valid JSON that reads back to the same string.
    """
    separators = None if indent is not None else (",", ":")
    text = json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

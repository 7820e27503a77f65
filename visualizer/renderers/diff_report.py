"""`netviz diff` outputs: text, JSON (schema `netviz-diff` 1) and Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.text import json_text, visible
from visualizer.text import markdown as md
from visualizer.version import __version__

if TYPE_CHECKING:
    from typing import Any

    from visualizer.analysis.diff import Change, Diff


def diff_text(d: Diff) -> str:
    """`equal`, or the two sources, one line per change, then the summary."""
    if d.equal:
        return "equal\n"
    lines = [f"A: {d.a}", f"B: {d.b}"]
    lines += [change_line(c) for c in d.changes]
    lines.append(f"different: {d.summary()}")
    return "\n".join(visible(line) for line in lines) + "\n"


def diff_json(d: Diff) -> str:
    """The diff as JSON."""
    body = {
        "schema": "netviz-diff",
        "schema_version": 1,
        "generator": f"netviz {__version__}",
        "a": d.a,
        "b": d.b,
        "equal": d.equal,
        "summary": d.summary(),
        "changes": [change_json(c) for c in d.changes],
    }
    return json_text(body) + "\n"


def diff_markdown(d: Diff) -> str:
    """A table of changes."""
    out = ["# netviz diff", "", f"- A: {md(d.a)}", f"- B: {md(d.b)}", ""]
    if d.equal:
        out.append("No difference.")
    else:
        out += [f"**{md(d.summary())}**", "", *change_table(d.changes)]
    return "\n".join(out) + "\n"


def change_line(c: Change) -> str:
    """One change as the text output writes it: `+ endpoint web@backend`."""
    detail = f": {c.detail}" if c.detail else ""
    return f"{c.change.sign} {c.kind} {c.subject}{detail}"


def change_json(c: Change) -> dict[str, Any]:
    """One change as the JSON output writes it."""
    return {"kind": c.kind, "change": c.change, "subject": c.subject, "detail": c.detail}


def change_table(changes: tuple[Change, ...]) -> list[str]:
    """The Markdown table of changes."""
    return [
        "| change | kind | subject | detail |",
        "|---|---|---|---|",
        *(f"| {c.change} | {c.kind} | {md(c.subject)} | {md(c.detail)} |" for c in changes),
    ]

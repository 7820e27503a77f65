"""`netviz diff` outputs: text, JSON (schema `netviz-diff` 1) and Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.text import json_text, visible
from visualizer.text import markdown as md
from visualizer.version import __version__

if TYPE_CHECKING:
    from visualizer.analysis.diff import Diff


def diff_text(d: Diff) -> str:
    """`equal`, or the two sources, one line per change, then the summary."""
    if d.equal:
        return "equal\n"
    lines = [f"A: {d.a}", f"B: {d.b}"]
    for c in d.changes:
        detail = f": {c.detail}" if c.detail else ""
        lines.append(f"{c.change.sign} {c.kind} {c.subject}{detail}")
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
        "changes": [
            {"kind": c.kind, "change": c.change, "subject": c.subject, "detail": c.detail}
            for c in d.changes
        ],
    }
    return json_text(body) + "\n"


def diff_markdown(d: Diff) -> str:
    """A table of changes."""
    out = ["# netviz diff", "", f"- A: {md(d.a)}", f"- B: {md(d.b)}", ""]
    if d.equal:
        out.append("No difference.")
    else:
        out += [
            f"**{md(d.summary())}**",
            "",
            "| change | kind | subject | detail |",
            "|---|---|---|---|",
        ]
        out += [f"| {c.change} | {c.kind} | {md(c.subject)} | {md(c.detail)} |" for c in d.changes]
    return "\n".join(out) + "\n"

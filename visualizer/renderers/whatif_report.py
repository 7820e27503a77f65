"""`netviz what-if` outputs: text, JSON (schema `netviz-what-if` 1) and Markdown.

The changes are written as `netviz diff` writes them (same lines, same JSON items, same
table); channels besides the network as `audit` writes them; findings come in their own
section with their severity, so the text and Markdown forms list the diff's finding changes
there rather than twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.analysis.diff import Kind
from visualizer.analysis.whatif import WHATIF_SCHEMA, WHATIF_SCHEMA_VERSION
from visualizer.renderers.audit_json import channel_json, finding_json, violation_json
from visualizer.renderers.diff_report import change_json, change_line, change_table
from visualizer.text import json_text, visible
from visualizer.text import markdown as md
from visualizer.version import __version__

if TYPE_CHECKING:
    from visualizer.analysis.channels import Channel
    from visualizer.analysis.findings import Finding
    from visualizer.analysis.policy import Violation
    from visualizer.analysis.whatif import WhatIf

LEFT_AS_IS = "the state shown is the one the commands before it would leave"
NOT_COMPARED = "more than 10,000 on a side, not compared (netviz audit lists them grouped)"


def whatif_text(w: WhatIf) -> str:
    """The commands, the refusal if any, the changes, findings, policy and the verdict."""
    lines = [f"what-if on {w.source}"]
    lines += [f"  scope: {w.scope}"] if w.scope is not None else []
    lines += [f"  {s.origin}: {s.text}" for s in w.steps]
    if w.refusal is not None:
        r = w.refusal
        lines += [f"refused at {r.origin}: {r.text}", *(f"  {m}" for m in (r.message, *r.more))]
        if r.created:
            lines.append("  (the container is created, not started, as the engine leaves it)")
        lines.append(f"  {LEFT_AS_IS}")
    shown = [c for c in w.diff.changes if c.kind is not Kind.FINDING]
    lines.append(f"changes: {w.diff.summary()}" if shown else "changes: none")
    lines += [change_line(c) for c in shown]
    if w.new_channels is None or w.resolved_channels is None:
        lines.append(f"channels: {NOT_COMPARED}")
    else:
        lines.append(
            f"channels besides the network: {len(w.new_channels)} new, "
            f"{len(w.resolved_channels)} resolved"
        )
        lines += [f"+ {_channel(ch)}" for ch in w.new_channels]
        lines += [f"- {_channel(ch)}" for ch in w.resolved_channels]
    lines.append(f"findings: {len(w.new_findings)} new, {len(w.resolved_findings)} resolved")
    lines += [f"+ {_finding(f)}" for f in w.new_findings]
    lines += [f"- {_finding(f)}" for f in w.resolved_findings]
    if w.policy is not None:
        lines.append(
            f"policy {w.policy}: {len(w.new_violations)} new violations, "
            f"{len(w.resolved_violations)} resolved"
        )
        lines += [f"+ {_violation(v)}" for v in w.new_violations]
        lines += [f"- {_violation(v)}" for v in w.resolved_violations]
    lines.append(_verdict(w))
    return "\n".join(visible(line) for line in lines) + "\n"


def whatif_json(w: WhatIf) -> str:
    """The what-if as JSON, keys in a fixed order."""
    r = w.refusal
    body: dict[str, Any] = {
        "schema": WHATIF_SCHEMA,
        "schema_version": WHATIF_SCHEMA_VERSION,
        "generator": f"netviz {__version__}",
        "source": w.source,
        "scope": w.scope,
        "commands": [{"origin": s.origin, "command": s.text} for s in w.steps],
        "refusal": None
        if r is None
        else {
            "origin": r.origin,
            "command": r.text,
            "message": r.message,
            "more": list(r.more),
            "created": r.created,
        },
        "equal": w.diff.equal,
        "summary": w.diff.summary(),
        "changes": [change_json(c) for c in w.diff.changes],
        "channels": None
        if w.new_channels is None or w.resolved_channels is None
        else {
            "new": [channel_json(ch) for ch in w.new_channels],
            "resolved": [channel_json(ch) for ch in w.resolved_channels],
        },
        "findings": {
            "new": [finding_json(f) for f in w.new_findings],
            "resolved": [finding_json(f) for f in w.resolved_findings],
        },
        "policy": None
        if w.policy is None
        else {
            "file": w.policy,
            "new_violations": [violation_json(v) for v in w.new_violations],
            "resolved_violations": [violation_json(v) for v in w.resolved_violations],
        },
        "fail_on": w.fail_on.label if w.fail_on is not None else None,
        "failed": w.failed,
        "reasons": list(w.reasons),
        "notes": list(w.notes),
    }
    return json_text(body) + "\n"


def whatif_markdown(w: WhatIf) -> str:
    """A review comment: commands, refusal, changes, findings, policy, verdict."""
    scope = f", about {md(w.scope)}" if w.scope is not None else ""
    out = ["# netviz what-if", "", f"On {md(w.source)}{scope}:", ""]
    out += [f"1. {md(s.text)} ({md(s.origin)})" for s in w.steps] or ["(no command applied)"]
    out.append("")
    if w.refusal is not None:
        r = w.refusal
        out += [f"**Refused** at {md(r.origin)}: {md(r.text)}", ""]
        out += [f"> {md(m)}" for m in (r.message, *r.more)]
        if r.created:
            out += ["", "_The container is created, not started, as the engine leaves it._"]
        out += ["", f"_{md(LEFT_AS_IS.capitalize())}._", ""]
    shown = tuple(c for c in w.diff.changes if c.kind is not Kind.FINDING)
    out += ["## Changes", ""]
    out += [*change_table(shown), ""] if shown else ["No change.", ""]
    out += ["## Channels besides the network", ""]
    if w.new_channels is None or w.resolved_channels is None:
        out += [f"{md(NOT_COMPARED.capitalize())}.", ""]
    elif w.new_channels or w.resolved_channels:
        out += [
            "| change | kind | from | to | direction | resource |",
            "|---|---|---|---|---|---|",
        ]
        channels = [("new", ch) for ch in w.new_channels]
        channels += [("resolved", ch) for ch in w.resolved_channels]
        out += [
            f"| {change} | {ch.kind.value} | {md(ch.source)} | {md(ch.target)} | "
            f"{ch.direction} | {md(ch.resource)} |"
            for change, ch in channels
        ]
        out.append("")
    else:
        out += ["No channel opened or closed.", ""]
    out += ["## Findings", ""]
    rows = [("new", f) for f in w.new_findings] + [("resolved", f) for f in w.resolved_findings]
    if rows:
        out += ["| change | severity | finding | subjects |", "|---|---|---|---|"]
        out += [
            f"| {kind} | {f.severity.label} | {f.id} {md(f.title)}"
            f"{md(f' ({f.detail})') if f.detail else ''} | "
            f"{md(', '.join(s.name for s in f.subjects))} |"
            for kind, f in rows
        ]
    else:
        out.append("No finding opened or resolved.")
    out.append("")
    if w.policy is not None:
        out += [f"## Policy {md(w.policy)}", ""]
        items = [("new", v) for v in w.new_violations]
        items += [("resolved", v) for v in w.resolved_violations]
        out += [f"- {kind}: {md(_violation(v))}" for kind, v in items] or ["No change."]
        out.append("")
    out.append(f"**{md(_verdict(w))}**")
    return "\n".join(out) + "\n"


def _finding(f: Finding) -> str:
    detail = f" ({f.detail})" if f.detail else ""
    return f"{f.severity.label} {f.id} {', '.join(s.name for s in f.subjects)}: {f.title}{detail}"


def _channel(ch: Channel) -> str:
    return f"{ch.kind.value} {ch.source} -> {ch.target} ({ch.direction}): {ch.resource}"


def _violation(v: Violation) -> str:
    return f"{v.rule}: {v.source} -> {v.target} ({v.detail})"


def _verdict(w: WhatIf) -> str:
    if w.failed:
        return "result: fails: " + "; ".join(w.reasons)
    gate = f" at --fail-on {w.fail_on.label}" if w.fail_on is not None else ""
    return f"result: passes{gate}"

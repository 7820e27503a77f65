"""`netviz probe` results: a terminal table or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.renderers.terminal import print_to_text
from visualizer.text import json_text, visible

if TYPE_CHECKING:
    from rich.console import RenderableType

    from visualizer.analysis.probe import ProbeReport

KIND_TEXT = {"ip": "IP (ping)", "name": "by name (ping)", "tcp": "published port (TCP)"}


def render_probe_json(report: ProbeReport) -> str:
    """Every check with expectation and observation, then what was skipped."""
    body = {
        "schema": "netviz-probe",
        "schema_version": 1,
        "summary": {
            "checks": len(report.outcomes),
            "agree": len(report.outcomes) - len(report.mismatches),
            "mismatches": len(report.mismatches),
            "skipped": len(report.skipped),
        },
        "checks": [
            {
                "from": o.check.source,
                "to": o.check.target,
                "kind": o.check.kind,
                "probe": o.check.token,
                "expected": o.check.expected,
                "observed": o.observed,
                "agrees": o.agrees,
            }
            for o in report.outcomes
        ],
        "skipped": [{"subject": s, "reason": r} for s, r in report.skipped],
    }
    return json_text(body) + "\n"


def render_probe_table(report: ProbeReport, *, color: bool = False, width: int = 120) -> str:
    """Mismatches in full, then a summary; skipped containers and pairs with their reason."""
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    parts: list[RenderableType] = []
    if report.mismatches:
        table = Table(title="Model and reality disagree", expand=True)
        for col in ("from", "to", "check", "probe", "model", "reality"):
            table.add_column(col)
        for o in report.mismatches:
            table.add_row(
                Text(visible(o.check.source)),
                Text(visible(o.check.target)),
                KIND_TEXT[o.check.kind],
                Text(visible(o.check.token)),
                "yes" if o.check.expected else "no",
                Text("yes" if o.observed else "no", style="bold red"),
            )
        parts.append(table)
    skipped = sorted(set(report.skipped))
    if skipped:
        table = Table(title="Not probed", expand=True)
        table.add_column("container or pair")
        table.add_column("why")
        for subject, reason in skipped:
            table.add_row(Text(visible(subject)), Text(visible(reason)))
        parts.append(table)
    agree = len(report.outcomes) - len(report.mismatches)
    style = "bold red" if report.mismatches else "bold green"
    parts.append(
        Text.assemble(
            ("MISMATCH" if report.mismatches else "AGREE", style),
            f"  {agree} of {len(report.outcomes)} checks agree with the model; "
            f"{len(report.mismatches)} differ; {len(skipped)} not probed",
        )
    )
    return print_to_text(parts, width=width, color=color)

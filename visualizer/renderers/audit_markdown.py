"""`netviz audit --format markdown`: a report that renders on GitHub; engine text escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.model import port_texts
from visualizer.renderers.audit_channels import channel_rows
from visualizer.renderers.audit_rows import finding_rows, segment_rows, some
from visualizer.renderers.describe import origin, subject
from visualizer.text import markdown as md

if TYPE_CHECKING:
    from visualizer.analysis.audit import AuditReport

PAIR_LIMIT = 500


def render_audit_markdown(report: AuditReport) -> str:
    """The audit as a Markdown document."""
    e = report.engine
    out = [f"# netviz audit: {md(subject(e, report.scope))}", ""]
    out.append(
        md(
            origin(
                e,
                source=report.source,
                captured_at=report.captured_at,
                predicted=report.predicted,
            )
        )
    )
    if report.scope is not None:
        out += [
            "",
            (
                f"About {md(report.scope.description)}: {len(report.scope.containers)} "
                f"containers, {len(report.scope.networks)} networks. Reachability is computed on "
                "the whole engine; pairs crossing the scope's border are marked `out` or `in`, "
                "and only findings about the scope are listed."
            ),
        ]
    out += ["", "> **Configured isolation, not a packet test.** Caveats:"]
    out += [f"> - {md(c)}" for c in report.caveats]
    counts = report.severity_counts()
    out += [
        "",
        "| containers | running | reachable pairs | findings | policy violations | result |",
    ]
    out += ["|---|---|---|---|---|---|"]
    pairs = str(len(report.pairs)) if report.pairs is not None else "grouped"
    findings = ", ".join(f"{n} {label}" for label, n in counts.items() if n) or "none"
    result = "**FAIL**" if report.failed else "pass"
    out.append(
        f"| {report.containers} | {report.running} | {pairs} | {findings} | "
        f"{len(report.violations)} | {result} |"
    )
    reasons = report.failures()
    if reasons:
        out += ["", "**Fails because:**", ""]
        out += [f"- {md(r)}" for r in reasons]
    out += ["", "## Findings", ""]
    if report.findings:
        out += [
            "| severity | id | finding | subjects | CIS | explanation |",
            "|---|---|---|---|---|---|",
        ]
        for row in finding_rows(report.findings):
            f = row.first
            sev = f.severity.label + (" (unknown)" if not f.is_open else "")
            cis = f"{f.cis} {md(f.cis_title or '')}" if f.cis else ""
            out.append(
                f"| {sev} | {f.id} | {md(f.title)} | {md(row.subjects)} | {cis} | {md(row.text)} |"
            )
    else:
        out.append("No findings.")
    rows = channel_rows(report)
    out += ["", "## Channels besides the network", ""]
    if rows:
        out += ["| kind | resource | who |", "|---|---|---|"]
        out += [f"| {kind} | {md(what)} | {md(who)} |" for kind, what, who in rows]
    else:
        out.append("None: containers affect each other only over the network.")
    if report.policy is not None:
        out += ["", f"## Policy: {md(report.policy)}", ""]
        if report.violations:
            out += ["| rule | from | to | detail |", "|---|---|---|---|"]
            out += [
                f"| {md(v.rule)} | {md(v.source)} | {md(v.target)} | {md(v.detail)} |"
                for v in report.violations
            ]
        else:
            out.append("No violations.")
    if report.baseline is not None:
        d = report.baseline
        out += ["", f"## Changes since {md(d.origin)}", ""]
        out.append(
            f"{len(d.new_pairs)} new reachable pairs, {len(d.lost_pairs)} lost, "
            f"{len(d.new_findings)} new findings, {d.resolved_findings} resolved, "
            f"{len(d.new_violations)} new violations."
        )
        out += [f"- new reachable pair: {md(a)} → {md(b)}" for a, b in d.new_pairs]
        out += [
            f"- new {f.severity.label} finding {f.id}: {md(f.title)} "
            f"({', '.join(md(s.name) for s in f.subjects)})"
            for f in d.new_findings
        ]
        out += [
            f"- new violation of {md(v.rule)}: {md(v.source)} → {md(v.target)}"
            for v in d.new_violations
        ]
    out += ["", "## Reachability", ""]
    if report.pairs is not None:
        out += _pairs(report)
    elif report.grouped is not None:
        out += ["| network | driver | members may | members |", "|---|---|---|---|"]
        shown, notes = segment_rows(report.grouped)
        for s in shown:
            out.append(
                f"| {md(s.network)} | {md(s.driver)} | {s.policy.value} | {md(some(s.members))} |"
            )
        out += ["", *notes] if notes else []
    return "\n".join(out) + "\n"


def _pairs(report: AuditReport) -> list[str]:
    assert report.pairs is not None  # noqa: S101 - callers check
    scoped = report.scope is not None
    out = [
        "| from | to | via | by name | why |" + (" border |" if scoped else ""),
        "|---|---|---|---|---|" + ("---|" if scoped else ""),
    ]
    for v in report.pairs[:PAIR_LIMIT]:
        via = ", ".join(md(n) for n in v.via) or "—"
        border = f" {v.crossing or 'inside'} |" if scoped else ""
        out.append(
            f"| {md(v.source)} | {md(v.target)} | {via} | {'yes' if v.by_name else 'no'} | "
            f"{md(v.reason)} |{border}"
        )
    if len(report.pairs) > PAIR_LIMIT:
        out.append(f"\n{len(report.pairs) - PAIR_LIMIT} more pairs: see the JSON report.")
    if report.port_paths:
        out += ["", "Published ports reachable through a host address (R11):", ""]
        out += ["| from | to | ports |", "|---|---|---|"]
        for p in report.port_paths[:PAIR_LIMIT]:
            ports = ", ".join(md(t) for t in port_texts(p.ports))
            out.append(f"| {md(p.source)} | {md(p.target)} | {ports} |")
    return out

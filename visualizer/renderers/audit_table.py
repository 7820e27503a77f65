"""`netviz audit` in a terminal: rich tables; engine text is never read as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.findings import Severity
from visualizer.renderers.audit_channels import channel_rows
from visualizer.renderers.audit_rows import finding_rows, segment_rows, some
from visualizer.renderers.describe import origin, subject
from visualizer.renderers.terminal import print_to_text
from visualizer.text import visible

if TYPE_CHECKING:
    from rich.console import RenderableType

    from visualizer.analysis.audit import AuditReport

PAIR_LIMIT = 60
FAIL_REASONS = 8
CROSSING = {"out": "→ out of the scope", "in": "← into the scope"}
STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render_audit_table(report: AuditReport, *, color: bool = False, width: int = 120) -> str:
    """The audit as terminal text (ANSI colours when `color`)."""
    return print_to_text(_parts(report), width=width, color=color)


def _t(text: str) -> RenderableType:
    from rich.text import Text  # noqa: PLC0415

    return Text(visible(text))


def _parts(report: AuditReport) -> list[RenderableType]:
    from rich.panel import Panel  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    e = report.engine
    head = Text()
    head.append("netviz audit of ", style="bold")
    head.append(visible(subject(e, report.scope)), style="bold")
    where = origin(
        e, source=report.source, captured_at=report.captured_at, predicted=report.predicted
    )
    head.append(f"  {visible(where)}")
    head.append(f" · {report.containers} containers ({report.running} running)")
    caveats = Text("Configured isolation, not a packet test.\n", style="bold")
    for c in report.caveats:
        caveats.append(f"• {visible(c)}\n")
    parts: list[RenderableType] = [head, Panel(caveats, title="caveats", border_style="dim")]

    findings = Table(title="Findings", show_lines=False, expand=True)
    findings.add_column("severity", no_wrap=True)
    findings.add_column("id", no_wrap=True)
    findings.add_column("finding")
    findings.add_column("subjects")
    findings.add_column("CIS", no_wrap=True)
    for row in finding_rows(report.findings):
        f = row.first
        label = f.severity.label + (", unknown" if not f.is_open else "")
        findings.add_row(
            Text(label, style=STYLES[f.severity] if f.is_open else "dim"),
            f.id,
            _t(f"{f.title}: {row.text}"),
            _t(row.subjects),
            f.cis or "",
        )
    parts.append(findings)

    rows = channel_rows(report)
    if rows:
        channels = Table(title="Channels besides the network", expand=True)
        for col in ("kind", "resource", "who"):
            channels.add_column(col)
        for kind, what, who in rows:
            channels.add_row(kind, _t(what), _t(who))
        parts.append(channels)

    if report.policy is not None:
        table = Table(title=f"Policy {visible(report.policy)}", expand=True)
        for col in ("rule", "from", "to", "detail"):
            table.add_column(col)
        for bad in report.violations:
            table.add_row(_t(bad.rule), _t(bad.source), _t(bad.target), _t(bad.detail))
        parts.append(table if report.violations else Text("Policy: no violations.", style="green"))

    if report.pairs is not None:
        pairs = Table(title=f"Reachable pairs ({len(report.pairs)})", expand=True)
        columns = ("from", "to", "via", "by name", *(("border",) if report.scope else ()))
        for col in columns:
            pairs.add_column(col)
        for v in report.pairs[:PAIR_LIMIT]:
            border = (CROSSING.get(v.crossing or "", "inside"),) if report.scope else ()
            pairs.add_row(
                _t(v.source),
                _t(v.target),
                _t(", ".join(v.via) or "(host / shared stack)"),
                "yes" if v.by_name else "IP only",
                *border,
            )
        parts.append(pairs)
        if len(report.pairs) > PAIR_LIMIT:
            parts.append(
                Text(f"… {len(report.pairs) - PAIR_LIMIT} more: use --format json", style="dim")
            )
    elif report.grouped is not None:
        groups = Table(title="Reachability by network", expand=True)
        for col in ("network", "driver", "members may", "members"):
            groups.add_column(col)
        listed, notes = segment_rows(report.grouped)
        for s in listed:
            groups.add_row(_t(s.network), _t(s.driver), s.policy.value, _t(some(s.members)))
        parts.append(groups)
        parts += [Text(n, style="dim") for n in notes]

    if report.baseline is not None:
        d = report.baseline
        parts.append(
            Text(
                f"Since {visible(d.origin)}: {len(d.new_pairs)} new pairs, "
                f"{len(d.lost_pairs)} lost, {len(d.new_findings)} new findings, "
                f"{len(d.new_violations)} new violations."
            )
        )
        new = Table(title="New since the baseline", expand=True)
        new.add_column("what")
        new.add_column("detail")
        for a, b in d.new_pairs:
            new.add_row("reachable pair", _t(f"{a} → {b}"))
        for f in d.new_findings:
            subjects = ", ".join(s.name for s in f.subjects)
            new.add_row(f"{f.severity.label} finding {f.id}", _t(f"{f.title}: {subjects}"))
        for bad in d.new_violations:
            new.add_row("policy violation", _t(f"{bad.rule}: {bad.source} → {bad.target}"))
        if d.new_pairs or d.new_findings or d.new_violations:
            parts.append(new)
    counts = ", ".join(f"{n} {label}" for label, n in report.severity_counts().items() if n)
    verdict = Text(
        "FAIL" if report.failed else "PASS", style="bold red" if report.failed else "bold green"
    )
    threshold = report.fail_on.label if report.fail_on is not None else "never"
    summary = Text.assemble(
        verdict,
        f"  open findings: {counts or 'none'}; fail on: {threshold}; "
        f"violations: {len(report.violations)}",
    )
    parts.append(summary)
    reasons = report.failures()
    if reasons:
        shown = "; ".join(reasons[:FAIL_REASONS])
        more = f"; and {len(reasons) - FAIL_REASONS} more" if len(reasons) > FAIL_REASONS else ""
        parts.append(Text(f"FAIL because: {visible(shown)}{more}", style="red"))
    return parts

"""The channels section of the audit's table and Markdown forms, in grouped (linear) form."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.analysis.audit import AuditReport


def channel_rows(report: AuditReport) -> list[tuple[str, str, str]]:
    """(kind, resource, who) rows: data, namespaces, volumes-from, host equivalence."""
    groups = report.channels_grouped
    if groups is None:
        return []
    rows = []
    for d in groups.data:
        who = f"written by {', '.join(d.writers) or 'nobody'}"
        who += f"; read-only: {', '.join(d.readers)}" if d.readers else ""
        who += f"; also through {', '.join(d.overlaps)}" if d.overlaps else ""
        rows.append((d.kind.value, d.resource, who))
    rows += [
        (n.kind.value, f"namespace of {n.owner}", ", ".join(n.members)) for n in groups.namespaces
    ]
    rows += [
        ("volumes-from", src, f"{dst} mounts every volume and bind of it{' (ro)' if ro else ''}")
        for src, dst, ro in groups.volumes_from
    ]
    rows += [
        (
            "host",
            "; ".join(h.powers),
            f"{h.container} is equivalent to the host: power over every container"
            + ("" if h.running else " (once it runs)"),
        )
        for h in groups.host_equivalent
    ]
    return rows

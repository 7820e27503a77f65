"""A29: writable data shared by containers the network keeps apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.findings.record import Finding, Subject, finding, names

if TYPE_CHECKING:
    from visualizer.analysis.channels import Channels
    from visualizer.analysis.reachability import Reachability


def crossing_findings(reach: Reachability, channels: Channels) -> list[Finding]:
    """One A29 per volume or host path shared where the network separates.

    Some running container writes it and another running container mounts it, and neither
    reaches the other over the network.
    """
    found = []
    for group in channels.data_sharing():
        pairs: set[tuple[str, str]] = set()
        for w in group.writers:
            for m in group.mounters:
                if w == m or not (reach.is_running(w) and reach.is_running(m)):
                    continue
                if reach.verdict(w, m).reachable or reach.verdict(m, w).reachable:
                    continue
                pairs.add((w, m))
        if not pairs:
            continue
        involved = sorted({k for pair in pairs for k in pair}, key=reach.container_keys().index)
        records = [reach.container(k) for k in involved]
        example = min(pairs, key=lambda p: (reach.label(p[0]), reach.label(p[1])))
        found.append(
            finding(
                "A29",
                subjects=tuple(Subject(kind="container", name=c.name, id=c.id) for c in records),
                explanation=(
                    f"{names(records)} cannot reach each other over the network, but share "
                    f"{group.what}, which {reach.label(example[0])} writes and "
                    f"{reach.label(example[1])} mounts: files and unix sockets in it are a "
                    "channel the network isolation does not stop."
                ),
                detail=group.what,
            )
        )
    return found

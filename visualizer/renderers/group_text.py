"""How a group of containers is written, the same in every format (plain text, unescaped).

A group's node says what holds for all its members, and qualifies with a count what holds
for some: `11 running · 1 exited`, a port `· 3 of 12`, a finding `A25 (2 of 12)`, a line to
a network `3 of 12`. The renderers escape these strings for their format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.text import EMPTY_NAME, shorten

if TYPE_CHECKING:
    from visualizer.analysis.aggregate import Detail, Group, Link, PortGroup
    from visualizer.analysis.group_data import GroupData, GroupMount, HostPower

KIND_TEXT = {
    "service": "compose service",
    "swarm-service": "swarm service",
    "project": "compose project",
    "stack": "swarm stack",
    "standalone": "containers outside any project",
    "fold": "folded: they join the same shared networks",
    "container": "container",
}


def title(group: Group) -> str:
    """`api ×12`, `shop`, `40 projects`: the first line of a group's node."""
    name = group.name or EMPTY_NAME
    if group.kind in {"service", "swarm-service"} and group.size > 1:
        return f"{name} ×{group.size}"
    if group.kind == "standalone":
        return f"{group.size} containers {name}"
    return name


def parts_text(parts: tuple[tuple[str, int], ...], limit: int = 64) -> str:
    """`web ×3, api ×2, db`: what a group is made of, cut at `limit` characters."""
    shown = [f"{name} ×{n}" if n > 1 else name for name, n in parts]
    text = ", ".join(shown)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for item in shown:
        if len(", ".join([*kept, item])) > limit - 10:
            break
        kept.append(item)
    return ", ".join(kept) + f" … (+{len(shown) - len(kept)})"


def detail(group: Group) -> str:
    """The second line: what kind of group it is, and its image or parts."""
    if group.kind == "container":
        image, state = group.images[0][0], group.states[0][0]
        return f"{shorten(image, 40)} · {state}"
    kind = KIND_TEXT[group.kind]
    if group.kind in {"service", "swarm-service"}:
        images = group.images
        what = shorten(images[0][0], 40) if len(images) == 1 else f"{len(images)} images"
        return f"{kind} · {what}"
    if group.kind == "fold":
        projects = tuple(p for p in group.parts if not p[0].startswith("("))
        return f"projects: {parts_text(projects, 56)}" if projects else kind
    if group.kind in {"project", "stack"}:
        return f"{kind} · {parts_text(group.parts, 44)}"
    return kind


def states(group: Group) -> str:
    """`11 running · 1 exited`, or `running` when all of a single state."""
    if group.size == 1:
        return ""
    if len(group.states) == 1:
        return f"all {group.size} {group.states[0][0]}"
    return " · ".join(f"{n} {state}" for state, n in group.states)


def of(part: int, whole: int) -> str:
    """` · 3 of 12` when a fact holds for some members only."""
    return f" · {part} of {whole}" if part < whole else ""


def port_text(port: PortGroup, size: int) -> str:
    """`0.0.0.0:8000–8011 → 80/tcp · 3 of 12`."""
    ip = f"[{port.host_ip}]" if ":" in port.host_ip else port.host_ip
    hosts = [p for p in port.host_ports if p] or [0]
    span = port.last_port - port.container_port if port.last_port else 0
    if len(hosts) == 1:
        where = str(hosts[0] or "*") + (f"-{hosts[0] + span}" if span and hosts[0] else "")
    elif hosts == list(range(hosts[0], hosts[-1] + 1)) and not span:
        where = f"{hosts[0]}–{hosts[-1]}"
    else:
        where = f"{hosts[0]}, … ({len(hosts)} {'host ranges' if span else 'ports'})"
    inside = f"{port.container_port}" + (f"-{port.last_port}" if span else "")
    return f"{ip}:{where} → {inside}/{port.protocol}" + of(port.members, size)


def _findings_by_severity(group: Group) -> list[tuple[str, list[str]]]:
    """A group's open rules by severity label, worst first: `A25 (1 of 3)`, `A12`.

    A rule that only some members have says on how many; one that only networks folded into
    the node have says so (`A13 (network)`).
    """
    found = group.findings
    if found is None:
        return []
    by_severity: dict[str, list[str]] = {}
    for count in found.counts:
        some = ""
        if 0 < count.members < group.size:
            some = f" ({count.members} of {group.size})"
        elif not count.members:
            some = " (network)" if count.networks == 1 else f" ({count.networks} networks)"
        by_severity.setdefault(count.severity, []).append(count.id + some)
    return list(by_severity.items())


def findings_text(group: Group) -> str:
    """`⚠ high: A25 (1 of 3) · medium: A12`: a group's open findings on one line."""
    rows = [f"{severity}: {' '.join(ids)}" for severity, ids in _findings_by_severity(group)]
    return "⚠ " + " · ".join(rows) if rows else ""


def findings_lines(group: Group, width: int = 52) -> list[tuple[str, str]]:
    """`findings_text` as lines of about `width` characters, each with its severity label.

    One severity a line (`⚠ high: A25 (1 of 3)`, `medium: A12`), wrapped between rules.
    """
    lines: list[tuple[str, str]] = []
    for severity, ids in _findings_by_severity(group):
        words = [("⚠ " if not lines else "") + f"{severity}: {ids[0]}"]
        for rule in ids[1:]:
            if len(words[-1]) + 1 + len(rule) > width:
                words.append(rule)
            else:
                words[-1] += " " + rule
        lines.extend((severity, line) for line in words)
    return lines


def differs_text(group: Group) -> str:
    """`≠ members differ: networks, ports` (for replicas, which should not)."""
    if not group.differs or group.kind not in {"service", "swarm-service"}:
        return ""
    return "≠ members differ: " + ", ".join(group.differs)


def own_networks(names: list[str], limit: int = 3) -> str:
    """`own networks: a, b, c +2` for the networks folded into a node."""
    if not names:
        return ""
    shown = ", ".join(shorten(n, 28) for n in names[:limit])
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return f"own networks: {shown}{more}"


def link_text(link: Link, group: Group, level: Detail) -> str:
    """What crosses a line to a network: the services (or projects) on it, and how many."""
    from visualizer.analysis.aggregate import Detail  # noqa: PLC0415

    words = []
    if level in {Detail.PROJECT, Detail.NETWORK} and group.kind not in {"container", "standalone"}:
        words.append(parts_text(link.parts, 40))
    if link.members < group.size:
        words.append(f"{link.members} of {group.size}")
    if 0 < link.running < link.members:
        words.append(f"{link.members - link.running} stopped")
    return " · ".join(words)


def within_text(size: int, pairs: int, by_name: int, possible: int) -> str:
    """Whether a group's members reach each other: all, how many pairs, or none."""
    if size < 2:  # noqa: PLR2004 - one container has no pair
        return ""
    if not pairs:
        return "members do not reach each other"
    how = "by name" if by_name == pairs else "by IP only" if not by_name else "partly by name"
    if pairs == possible:
        return f"members all reach each other, {how}"
    return f"members reach each other: {pairs} of {possible} pairs, {how}"


# ---- the data layer of a group -------------------------------------------------------------


def mount_text(mount: GroupMount, size: int) -> str:
    """`/data · read-only · 2 of 12`: where a group's members mount a drawn volume or path."""
    where = mount.destinations
    words = [shorten(where[0], 32) if len(where) == 1 else f"{len(where)} mount points"]
    if not mount.writers:
        words.append("read-only")
    elif mount.writers < mount.members:
        words.append(f"{mount.writers} write")
    return " · ".join(words) + of(mount.members, size)


def data_rows(data: GroupData, gid: str) -> list[str]:
    """What a group's node says of the data it keeps to itself (not drawn at its level)."""
    rows = []
    volumes, paths = data.own.get(gid, (0, 0))
    held = [
        f"{n} {word}{'s' if n > 1 else ''}"
        for n, word in ((volumes, "volume"), (paths, "host path"))
        if n
    ]
    if held:
        rows.append(f"own data: {', '.join(held)}")
    inside = inside_text(data, gid)
    return [*rows, inside] if inside else rows


def inside_text(data: GroupData, gid: str) -> str:
    """`channels among its members: 2 shared resources` (volumes, paths, namespaces)."""
    inside = data.inside.get(gid, 0)
    if not inside:
        return ""
    return f"channels inside: {inside} shared resource{'s' if inside > 1 else ''}"


def power_text(power: HostPower, size: int) -> str:
    """`equivalent to the host · 1 of 3`."""
    return "equivalent to the host" + of(power.members, size)

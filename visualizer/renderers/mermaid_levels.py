"""Mermaid at every level of detail, and the reachability view in Mermaid.

`mermaid.py` draws the topology per container; this module adds the other three: the topology
of groups (services inside their compose project, projects with their own networks, folds
of projects), and the reachability view per container and per group (a link per pair that
reaches, labelled with the networks and, for groups, `4 of 12 pairs`; the host's stack and
the outside as their own nodes). Node IDs are synthetic and every engine string goes through
`mermaid.label`, as in the topology per container. Past GitHub's limits (50,000 characters,
500 links) `notes` say so, so that a coarser level can be drawn.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.group_reach import drawn_hosts
from visualizer.analysis.peering import Peering, peering
from visualizer.graph import containers, engine_of, labels, netns_of, network_record, networks
from visualizer.model import port_runs, run_text
from visualizer.renderers import group_text
from visualizer.renderers.dot_style import EXPOSED_ALL, EXPOSED_SOME, driver_colors, exposure_color
from visualizer.renderers.mermaid import (
    MAX_CHARS,
    MAX_EDGES,
    STOPPED_CLASS,
    MermaidText,
    header,
    label,
    render_mermaid,
)
from visualizer.renderers.mermaid_data import container_channels, group_data_links
from visualizer.text import EMPTY_NAME

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate, Group
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.group_data import GroupData
    from visualizer.analysis.group_reach import GroupReach
    from visualizer.analysis.reach_classes import ReachIndex
    from visualizer.model import Network, Port
    from visualizer.renderers.options import RenderOptions

_LINK = {
    Peering.BY_NAME: "---",
    Peering.BY_IP: "-.-",
    Peering.ISOLATED: "-.-x",
    Peering.HOST: "===",
    Peering.NONE: "-.-",
    Peering.UNKNOWN: "---",
}


class _Out:
    """Lines, and the links drawn so far with their colours (for `linkStyle`)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.styles: list[str] = []

    def link(self, a: str, arrow: str, b: str, text: str, color: str) -> None:
        body = f'|"{label(text, 60)}"|' if text else ""
        self.lines.append(f"  {a} {arrow}{body} {b}")
        self.styles.append(f"stroke:{color}")

    def text(self) -> MermaidText:
        lines = [*self.lines, *(f"  linkStyle {i} {s}" for i, s in enumerate(self.styles))]
        text = "\n".join(lines) + "\n"
        if len(text) > MAX_CHARS or len(self.styles) > MAX_EDGES:
            note = (
                f"the Mermaid diagram ({len(text):,} characters, {len(self.styles)} links) "
                f"exceeds GitHub's limits ({MAX_CHARS:,} characters, {MAX_EDGES} links)"
            )
            return MermaidText(text=text, notes=(note,))
        return MermaidText(text=text)


def mermaid_at(
    g: nx.Graph[str],
    options: RenderOptions,
    analysis: Analysis | None,
    agg: Aggregate | None,
    index_of: Callable[[Analysis], ReachIndex],
    *,
    data: GroupData | None = None,
) -> MermaidText:
    """The Mermaid text of the chosen view at a level (`agg` `None`: per container).

    `data`: the data layer of a collapsed level (`--data`); per container, `options.data`.
    """
    from visualizer.renderers.options import View  # noqa: PLC0415

    if options.view is View.TOPOLOGY:
        if agg is None:
            return render_mermaid(g, options, analysis)
        return _groups(g, agg, options, data)
    from visualizer.analysis.audit import analyse  # noqa: PLC0415
    from visualizer.analysis.group_reach import group_reach  # noqa: PLC0415

    full = analysis or analyse(g)
    if agg is None:
        return _container_reach(g, options, full, index_of(full))
    found = group_reach(g, agg, full.reach, index_of(full))
    return _group_reach(g, agg, options, found, data)


def _group_label(g: nx.Graph[str], grp: Group) -> str:
    parts = [f"<b>{label(group_text.title(grp), 60)}</b>", label(group_text.detail(grp), 60)]
    if grp.size > 1:
        parts.append(label(group_text.states(grp), 60))
    own = group_text.own_networks([network_record(g, n).name for n in grp.networks])
    if own:
        parts.append(label(own, 60))
    parts.extend(label(group_text.port_text(p, grp.size), 60) for p in grp.ports)
    parts.extend(label(line, 60) for _, line in group_text.findings_lines(grp))
    differs = group_text.differs_text(grp)
    if differs:
        parts.append(label(differs, 60))
    return "<br/>".join(parts)


def _groups(
    g: nx.Graph[str], agg: Aggregate, options: RenderOptions, data: GroupData | None
) -> MermaidText:
    nets = dict(networks(g))
    ids = {k: f"n{i}" for i, k in enumerate(agg.networks)}
    what = f"{len(agg.networks)} networks, {agg.containers} containers as {len(agg.groups)} groups"
    out = _Out(header(g, options, what))
    service_level = agg.level.value == "service"
    placed: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for nkey in agg.networks:
        net = nets[nkey]
        text = f"<b>{label(net.name or EMPTY_NAME)}</b><br/>{label(f'{net.driver} · {net.scope}')}"
        if net.internal:
            text += "<br/>INTERNAL"
        project = (net.compose_project or "") if service_level else ""
        placed[net.host][project].append(f'{ids[nkey]}[("{text}")]')
    for grp in agg.groups:
        project = (grp.project or "") if service_level else ""
        placed[grp.host][project].append(f'{grp.id}["{_group_label(g, grp)}"]')
    counter = iter(range(1_000_000))
    for host in sorted(placed):
        indent = "  "
        if host:
            out.lines.append(f'  subgraph h{next(counter)}["host {label(host)}"]')
            indent = "    "
        for project in sorted(p for p in placed[host] if p):
            out.lines.append(
                f'{indent}subgraph p{next(counter)}["compose project {label(project)}"]'
            )
            out.lines.extend(f"{indent}  {line}" for line in placed[host][project])
            out.lines.append(f"{indent}end")
        out.lines.extend(f"{indent}{line}" for line in placed[host].get("", []))
        if host:
            out.lines.append("  end")
    by_id = {grp.id: grp for grp in agg.groups}
    for link in agg.links:
        net, grp = nets[link.network], by_id[link.group]
        policy = peering(net, engine_of(g, net.host))
        running = link.running > 0
        arrow = _LINK[policy] if running else "-.-"
        color = (
            driver_colors(net.driver)[1]
            if running and policy is not Peering.ISOLATED
            else ("#dc2626" if running else "#9ca3af")
        )
        out.link(
            ids[link.network], arrow, grp.id, group_text.link_text(link, grp, agg.level), color
        )
    for sidecar, owner in agg.stacks:
        out.link(sidecar, "-.->", owner, "shares network stack", "#7c3aed")
    out.lines.extend(_group_classes(agg, nets, ids))
    if data is not None:
        out.lines.extend(group_data_links(agg, data, label, out))
    return out.text()


def _group_classes(agg: Aggregate, nets: dict[str, Network], ids: dict[str, str]) -> list[str]:
    lines = []
    by_driver: dict[str, list[str]] = defaultdict(list)
    for nkey in agg.networks:
        driver = nets[nkey].driver
        known = (
            driver
            if driver in {"bridge", "overlay", "macvlan", "ipvlan", "host", "null"}
            else "plugin"
        )
        by_driver[known].append(ids[nkey])
    for driver, members in sorted(by_driver.items()):
        fill, line = driver_colors(driver if driver != "plugin" else "?")
        lines.append(f"  classDef net_{driver} fill:{fill},stroke:{line},stroke-width:2px")
        lines.append(f"  class {','.join(members)} net_{driver}")
    running = [grp.id for grp in agg.groups if grp.running]
    stopped = [grp.id for grp in agg.groups if not grp.running]
    if running:
        lines.append("  classDef group fill:#ffffff,stroke:#334155,stroke-width:2px")
        lines.append(f"  class {','.join(running)} group")
    if stopped:
        lines.append(STOPPED_CLASS)
        lines.append(f"  class {','.join(stopped)} stopped")
    return lines


def _host_nodes(out: _Out, hosts: list[str]) -> dict[str, str]:
    ids = {name: f"host{i}" for i, name in enumerate(hosts)}
    for name, hid in ids.items():
        title = f"host {name}" if name else "host"
        out.lines.append(f'  {hid}{{{{"<b>{label(title)}</b><br/>its own network stack"}}}}')
    out.lines.append('  outside(["<b>outside</b><br/>anything that reaches the host"])')
    out.lines.append("  classDef hoststack fill:#fee2e2,stroke:#b91c1c,stroke-width:2px")
    out.lines.append(f"  class {','.join(ids.values())} hoststack")
    return ids


def _container_reach(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis, index: ReachIndex
) -> MermaidText:
    """Per container: a link per pair that reaches (both ways: one link), host and outside."""
    reach = analysis.reach
    shown = containers(g)
    ids = {k: f"c{i}" for i, (k, _) in enumerate(shown)}
    keep = set(ids)
    out = _Out(header(g, options, f"reachability of {len(shown)} containers"))
    for key, c in shown:
        state = "" if reach.is_running(key) else f"<br/>{label(c.state)}: reaches nothing"
        out.lines.append(f'  {ids[key]}["<b>{label(reach.label(key))}</b>{state}"]')
    hosts = _host_nodes(out, sorted({c.host for _, c in shown}) or [""])
    seen = {(a, b): by_name for a, b, by_name in index.pairs(within=keep)}
    nets = {k: labels(g)[network_record(g, k).id] for k, _ in networks(g)}
    for (a, b), by_name in sorted(seen.items(), key=lambda kv: (ids[kv[0][0]], ids[kv[0][1]])):
        back = seen.get((b, a))
        if back is not None and ids[a] > ids[b] and back == by_name:
            continue
        both = back == by_name
        via = sorted(nets[n] for n in set(g.adj[a]) & set(g.adj[b]) if n in nets)
        arrow = {(True, True): "---", (True, False): "-.-", (False, True): "-->"}.get(
            (both, by_name), "-.->"
        )
        out.link(ids[a], arrow, ids[b], ", ".join(via[:3]), "#1d4ed8")
    _exposures(out, [(ids[k], c.host, c.ports, reach.is_running(k)) for k, c in shown], hosts)
    for key, _ in shown:
        owner = netns_of(g, key)
        if owner in ids:
            out.link(ids[key], "-.->", ids[owner], "shares network stack", "#7c3aed")
    stopped = [ids[k] for k, _ in shown if not reach.is_running(k)]
    if stopped:
        out.lines.append(STOPPED_CLASS)
        out.lines.append(f"  class {','.join(stopped)} stopped")
    if options.data:
        out.lines.extend(container_channels(g, analysis, ids, hosts, out))
    return out.text()


def _exposures(
    out: _Out, items: list[tuple[str, str, tuple[Port, ...], bool]], hosts: dict[str, str]
) -> None:
    for node, host, ports, running in items:
        if not running:
            continue
        for first, last in port_runs(p for p in ports if p.host_port is not None):
            ip = first.host_ip or "0.0.0.0"  # noqa: S104
            color = exposure_color([ip])
            source = "outside" if color in {EXPOSED_ALL, EXPOSED_SOME} else hosts.get(host, "host0")
            out.link(source, "-->", node, run_text(first, last, "→"), color)


def _group_reach(
    g: nx.Graph[str],
    agg: Aggregate,
    options: RenderOptions,
    found: GroupReach,
    data: GroupData | None,
) -> MermaidText:
    what = f"reachability of {agg.containers} containers as {len(agg.groups)} groups"
    out = _Out(header(g, options, what))
    for grp in agg.groups:
        within = found.within.get(grp.id)
        counts = (within.pairs, within.by_name, within.possible) if within else (0, 0, 0)
        inside = group_text.within_text(grp.size, *counts)
        inside = f"<br/>{label(inside, 80)}" if inside else ""
        out.lines.append(
            f'  {grp.id}["<b>{label(group_text.title(grp))}</b><br/>'
            f'{label(group_text.states(grp) or grp.states[0][0])}{inside}"]'
        )
    hosts = _host_nodes(out, drawn_hosts(agg, found))
    seen = {(p.source, p.target): p for p in found.pairs}
    for (a, b), p in sorted(seen.items(), key=lambda kv: (int(kv[0][0][1:]), int(kv[0][1][1:]))):
        back = seen.get((b, a))
        same = back is not None and (back.pairs, back.by_name, back.possible) == (
            p.pairs,
            p.by_name,
            p.possible,
        )
        if same and int(a[1:]) > int(b[1:]):
            continue
        words = [", ".join(p.via[:3])]
        if p.pairs < p.possible:
            words.append(f"{p.pairs} of {p.possible} pairs")
        if 0 < p.by_name < p.pairs:
            words.append("partly by name")
        named = p.by_name > 0
        arrow = ("---" if named else "-.-") if same else ("-->" if named else "-.->")
        out.link(a, arrow, b, " · ".join(w for w in words if w), "#1d4ed8")
    size = {grp.id: grp.size for grp in agg.groups}
    for i, share in enumerate(found.hosts):
        gid = found.host_of[i]
        if share.is_host:
            text = "is the host" + group_text.of(share.is_host, size[gid])
            out.link(gid, "===", hosts[share.host], text, "#b91c1c")
        elif share.reaches_host or share.reached_by_host:
            color = "#b91c1c" if share.internal else "#94a3b8"
            out.link(gid, "-.-", hosts[share.host], "", color)
    for grp in agg.groups:
        if not grp.running:
            continue
        for port in grp.ports:
            color = exposure_color([port.host_ip])
            text = group_text.port_text(port, grp.size)
            if color in {EXPOSED_ALL, EXPOSED_SOME}:
                out.link("outside", "-->", grp.id, text, color)
            else:  # on loopback, a port is open on each member's own host
                for h in grp.hosts:
                    out.link(hosts[h], "-->", grp.id, text, color)
    if data is not None:
        out.lines.extend(group_data_links(agg, data, label, out, hosts))
    return out.text()

"""What the HTML page draws: containers, networks, groups of every level, maps, reachability.

Everything is plain data with synthetic IDs (`c0` containers, `n0` networks, `d0` volumes
and host paths, `S0`/`P0`/`N0` the groups of the service, project and network levels);
engine text travels as strings and the page only ever sets it as text. Each level comes with
its map (positions computed here, `html_layout.py`) and its lines; reachability comes as
units of interchangeable containers (`ReachIndex`), which the page expands for the container
clicked, exactly and at any size. The data layer (`html_data.py`) is placed like networks:
a volume in the innermost block that holds every node mounting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.analysis.aggregate import LEVELS, Detail, aggregate
from visualizer.analysis.catalogue import Severity
from visualizer.analysis.group_data import group_data
from visualizer.analysis.peering import PEERING_TEXT, peering
from visualizer.analysis.reach_classes import reach_index
from visualizer.graph import (
    container_record,
    containers,
    engine_of,
    labels,
    netns_of,
    network_record,
    networks,
    shared_from,
    snapshot_of,
)
from visualizer.model import port_runs, run_text
from visualizer.renderers import group_text
from visualizer.renderers.dot_data import drawn_data
from visualizer.renderers.html_data import (
    container_mounts,
    data_ids,
    data_page,
    group_level,
    links_of,
)
from visualizer.renderers.html_layout import lay_out, node_size
from visualizer.version import __version__

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate, Group
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.group_data import GroupData
    from visualizer.graph import DataNode
    from visualizer.renderers.html_layout import Map

PREFIX = {Detail.SERVICE: "S", Detail.PROJECT: "P", Detail.NETWORK: "N"}


def _gid(level: Detail, group_id: str) -> str:
    return PREFIX[level] + group_id[1:]


def page_data(g: nx.Graph[str], analysis: Analysis, *, data: bool = True) -> dict[str, Any]:
    """Everything the page shows, every level included (`data`: the data layer too)."""
    engine = snapshot_of(g).engine
    nets = networks(g)
    ctrs = containers(g)
    nid = {k: f"n{i}" for i, (k, _) in enumerate(nets)}
    cid = {k: f"c{i}" for i, (k, _) in enumerate(ctrs)}
    marks = analysis.marks()
    names = labels(g)
    aggs = {level: aggregate(g, analysis, level) for level in LEVELS[1:]}
    of = {
        level: {k: _gid(level, gid) for k, gid in agg.group_of.items()}
        for level, agg in aggs.items()
    }
    index = reach_index(analysis.reach)
    dids = data_ids(g) if data else {}
    layer = (
        {level: group_data(g, agg, analysis.channels) for level, agg in aggs.items()}
        if data
        else {}
    )
    container_rows = []
    for k, c in ctrs:
        found = sorted(
            {f.id for f in marks.get(("container", names[c.id]), [])},
            key=lambda i: int(i.lstrip("A") or 0),
        )
        container_rows.append(
            {
                "id": cid[k],
                "name": names[c.id],
                "image": c.image,
                "state": c.state,
                "running": c.is_running,
                "mode": c.network_mode if c.network_mode in {"host", "none"} else "",
                "project": c.compose_project,
                "service": c.compose_service,
                "host": c.host,
                "netns_of": cid.get(netns_of(g, k) or ""),
                "ports": [
                    [run_text(first, last, " → "), _exposure(first.host_ip)]
                    for first, last in port_runs(p for p in c.ports if p.published)
                ],
                "endpoints": [
                    {"net": nid[f"network:{ep.network_id}"], "ips": list(ep.addresses)}
                    for ep in c.endpoints
                    if f"network:{ep.network_id}" in nid
                ],
                "findings": found,
                "unit": index.unit_of.get(k, -1),
                "groups": [of[level][k] for level in LEVELS[1:]],
            }
        )
    net_rows = [
        {
            "id": nid[k],
            "name": names[n.id],
            "driver": n.driver,
            "scope": n.scope,
            "internal": n.internal,
            "policy": peering(n, engine_of(g, n.host)).value,
            "policy_text": PEERING_TEXT[peering(n, engine_of(g, n.host))],
            "project": n.compose_project,
            "host": n.host,
            "subnets": [f"{s.cidr}" + (f" gw {s.gateway}" if s.gateway else "") for s in n.subnets],
            "findings": sorted({f.id for f in marks.get(("network", names[n.id]), [])}),
        }
        for k, n in nets
    ]
    groups: dict[str, Any] = {}
    for level, agg in aggs.items():
        for grp in agg.groups:
            row = _group_row(g, level, grp, cid, of)
            if level in layer:
                row["data_rows"] = group_text.data_rows(layer[level], grp.id)
            groups[_gid(level, grp.id)] = row
    hosts = sorted({c.host for _, c in ctrs if c.host})
    blocks = _Blocks(
        of=of,
        titles={k: v["lines"][0] for k, v in groups.items()},
        hosts=hosts,
    )
    nodes = dict(drawn_data(g)) if data else {}
    maps = {Detail.CONTAINER.value: _container_map(g, nid, cid, blocks, (nodes, dids))}
    maps |= {
        level.value: _group_map(
            g, level, agg, nid, blocks, drawn=(nodes, dids), layer=layer.get(level)
        )
        for level, agg in aggs.items()
    }
    # the analysis is the whole estate's: a filtered page keeps the members it shows
    units = [[int(cid[k][1:]) for k in members if k in cid] for members in index.units]
    return {
        "generator": f"netviz {__version__}",
        "engine": {
            "name": engine.name if engine else "",
            "version": engine.server_version if engine else "",
        },
        "containers": container_rows,
        "networks": net_rows,
        "groups": groups,
        "levels": maps,
        "reach": {
            "units": units,
            "segments": [
                [u, [[int(nid[n][1:]), dns] for n, dns in found if n in nid]]
                for u, found in sorted(index.segments.items())
            ],
            "explicit": [[u, v, bool(b)] for u, v, b in index.explicit],
        },
        "findings": _findings(analysis),
        **data_page(g, analysis, cid, shown=data),
    }


def _findings(analysis: Analysis) -> list[dict[str, Any]]:
    """Open findings, one entry per rule and severity with all its subjects (thousands at scale)."""
    rules: dict[tuple[str, str], dict[str, Any]] = {}
    subjects: dict[tuple[str, str], set[str]] = {}
    for f in analysis.findings:
        if not f.is_open:
            continue
        key = (f.id, f.severity.label)
        entry = rules.setdefault(
            key,
            {
                "id": f.id,
                "severity": f.severity.label,
                "title": f.title,
                "explanation": f.explanation,
                "count": 0,
            },
        )
        entry["count"] += 1
        subjects.setdefault(key, set()).update(s.name for s in f.subjects)
    order = sorted(rules, key=lambda k: (-Severity[k[1].upper()], int(k[0].lstrip("A") or 0)))
    return [rules[k] | {"subjects": sorted(subjects[k])} for k in order]


def _exposure(ip: str | None) -> str:
    from visualizer.renderers.dot_style import EXPOSED_ALL, EXPOSED_SOME, exposure_color  # noqa: PLC0415

    color = exposure_color([ip or "0.0.0.0"])  # noqa: S104
    return {EXPOSED_ALL: "all", EXPOSED_SOME: "some"}.get(color, "local")


def _lines(grp: Group) -> list[str]:
    """A group's label: its title, detail, states (or findings)."""
    third = group_text.states(grp) or group_text.findings_text(grp)
    return [line for line in (group_text.title(grp), group_text.detail(grp), third) if line]


def _group_row(
    g: nx.Graph[str],
    level: Detail,
    grp: Group,
    cid: dict[str, str],
    of: dict[Detail, dict[str, str]],
) -> dict[str, Any]:
    coarser = LEVELS[LEVELS.index(level) + 1] if level is not Detail.NETWORK else None
    return {
        "level": level.value,
        "kind": grp.kind,
        "kind_text": group_text.KIND_TEXT[grp.kind],
        "name": grp.name,
        "lines": _lines(grp),
        "size": grp.size,
        "running": grp.running,
        "host": grp.host,
        "states": group_text.states(grp),
        "ports": [[group_text.port_text(p, grp.size), p.host_ip] for p in grp.ports],
        "findings": group_text.findings_text(grp),
        "worst": grp.findings.worst if grp.findings else "",
        "differs": group_text.differs_text(grp),
        "own": group_text.own_networks([network_record(g, n).name for n in grp.networks]),
        "parts": [list(p) for p in grp.parts],
        "members": [int(cid[k][1:]) for k in grp.members],
        "parent": of[coarser][grp.members[0]] if coarser is not None else None,
    }


@dataclass(frozen=True, slots=True)
class _Blocks:
    """How to find the blocks that hold a node: its groups at coarser levels, its host."""

    of: dict[Detail, dict[str, str]]
    titles: dict[str, str]
    hosts: list[str]

    def chain(self, key: str, upto: Detail, host: str) -> tuple[tuple[str, str], ...]:
        """The blocks holding a node at a level: its host (if on one), then its coarser groups.

        With several hosts every host is a frame; what runs on one host is drawn inside it,
        a group's part on each host in its own block (`gid@host`), so hosts are never mixed;
        what spans hosts (a swarm service at its level, an overlay) stands outside them all.
        """
        where = f"@{self.hosts.index(host)}" if host else ""
        chain = [(f"H{self.hosts.index(host)}", f"host {host}")] if host else []
        for level in (Detail.NETWORK, Detail.PROJECT, Detail.SERVICE):
            if LEVELS.index(level) <= LEVELS.index(upto):
                break
            gid = self.of[level][key]
            # a fold is framed among projects only; below, its projects' frames say enough
            framed = level is not Detail.NETWORK or upto is Detail.PROJECT
            chain.append((gid + where, self.titles[gid] if framed else ""))
        return tuple(chain)


Drawn = tuple[dict[str, "DataNode"], dict[str, str]]
"""The data nodes drawn per container (key → record) and their page IDs."""


def _data_sizes(drawn: Drawn, keys: list[str] | None = None) -> dict[str, tuple[float, float]]:
    nodes, dids = drawn
    return {
        dids[k]: node_size([nodes[k].label, "volume" if nodes[k].kind == "volume" else "path"])
        for k in (keys if keys is not None else list(dids))
    }


def _container_map(
    g: nx.Graph[str], nid: dict[str, str], cid: dict[str, str], blocks: _Blocks, drawn: Drawn
) -> dict[str, Any]:
    leaves, path = {}, {}
    names = labels(g)
    for k, c in containers(g):
        leaves[cid[k]] = node_size([names[c.id]])
        path[cid[k]] = blocks.chain(k, Detail.CONTAINER, c.host)
    links: dict[str, list[str]] = {n: [] for n in nid.values()}
    edges = []
    for nkey, net in networks(g):
        policy = peering(net, engine_of(g, net.host)).value
        for ckey in g.adj[nkey]:
            if shared_from(g, nkey, ckey) is None:
                running = container_record(g, ckey).is_running
                edges.append([nid[nkey], cid[ckey], policy if running else "stopped", ""])
                links[nid[nkey]].append(cid[ckey])
    sizes = {nid[k]: node_size([names[n.id], n.driver], network=True) for k, n in networks(g)}
    data = _data_sizes(drawn)
    placed = {n: tuple(m) for n, m in links.items()} | links_of(container_mounts(g, cid, drawn[1]))
    found = lay_out(leaves, path, sizes | data, placed)
    sidecars = [
        [cid[k], cid[o]] for k, _ in containers(g) if (o := netns_of(g, k)) is not None and o in cid
    ]
    return _map_row(found, edges, sidecars, sizes, data)


def _group_map(
    g: nx.Graph[str],
    level: Detail,
    agg: Aggregate,
    nid: dict[str, str],
    blocks: _Blocks,
    *,
    drawn: Drawn,
    layer: GroupData | None,
) -> dict[str, Any]:
    names = labels(g)
    leaves, path = {}, {}
    for grp in agg.groups:
        gid = _gid(level, grp.id)
        leaves[gid] = node_size(_lines(grp), tile=True)
        path[gid] = blocks.chain(grp.members[0], level, grp.host)
    links: dict[str, list[str]] = {nid[n]: [] for n in agg.networks}
    edges = []
    by_id = {grp.id: grp for grp in agg.groups}
    for link in agg.links:
        net = network_record(g, link.network)
        policy = peering(net, engine_of(g, net.host)).value
        grp = by_id[link.group]
        text = group_text.link_text(link, grp, level)
        edges.append(
            [nid[link.network], _gid(level, grp.id), policy if link.running else "stopped", text]
        )
        links[nid[link.network]].append(_gid(level, grp.id))
    sizes = {
        nid[n]: node_size(
            [names[network_record(g, n).id], network_record(g, n).driver], network=True
        )
        for n in agg.networks
    }
    mounts: list[list[Any]] = []
    powered: list[list[str]] = []
    data: dict[str, tuple[float, float]] = {}
    if layer is not None:
        mounts, powered = group_level(agg, layer, drawn[1], lambda x: _gid(level, x))
        data = _data_sizes(drawn, [k for k, _ in layer.shared])
    placed = {n: tuple(m) for n, m in links.items()} | links_of(mounts)
    found = lay_out(leaves, path, sizes | data, placed)
    sidecars = [[_gid(level, a), _gid(level, b)] for a, b in agg.stacks]
    return _map_row(found, edges, sidecars, sizes, data) | {"mounts": mounts, "hosteq": powered}


def _map_row(
    found: Map,
    edges: list[list[str]],
    sidecars: list[list[str]],
    sizes: dict[str, tuple[float, float]],
    data: dict[str, tuple[float, float]],
) -> dict[str, Any]:
    return {
        "nodes": [[k, *spot] for k, spot in found.nodes.items() if k not in sizes | data],
        "networks": [[k, *spot] for k, spot in found.nodes.items() if k in sizes],
        "data": [[k, *spot] for k, spot in found.nodes.items() if k in data],
        "frames": [list(f) for f in found.frames],
        "edges": edges,
        "sidecars": sidecars,
        "size": [round(found.width), round(found.height)],
        "readable": found.readable,
    }


def opening_level(data: dict[str, Any], asked: Detail, *, whole: bool = False) -> Detail:
    """The level the page opens at: the one asked for, or the most detailed readable map.

    `whole`: the page shows one project, which opens per container (as `--filter` drills down).
    """
    if asked is not Detail.AUTO:
        return asked
    if whole:
        return Detail.CONTAINER
    for level in LEVELS:
        if data["levels"][level.value]["readable"]:
            return level
    return LEVELS[-1]

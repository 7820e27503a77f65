"""Graphviz DOT for the topology view: networks, containers, endpoints, who may talk to whom.

Visual language (also drawn in the legend):
- network nodes are filled by driver; `--internal` networks have a double border; badges
  spell out INTERNAL, ICC OFF, IPv6, ATTACHABLE, INGRESS;
- the line from a network to a container says what members of that network may do:
  solid = reach each other by IP and name, dashed = by IP only (default bridge),
  red dotted with a bar = blocked (icc off), thick red = host stack, grey dotted = no network
  or a stopped container;
- a purple dashed arrow joins a `container:` sidecar to the container whose stack it shares;
- stopped containers are grey with a dashed border; published ports are red when open on
  all interfaces, amber on a specific address, green on loopback.

Output is deterministic: nodes get synthetic IDs (`n0`, `c0`, …) in name order and every
engine string goes through `visible()` and HTML escaping, so names like `end`, `a:b`, `"q"`
or `<b>` are just text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.analysis.peering import PEERING_TEXT, Peering, peering
from visualizer.graph import (
    container_record,
    containers,
    endpoint,
    engine_of,
    labels,
    netns_missing,
    netns_of,
    networks,
    shared_from,
    snapshot_of,
    tasks_by_service,
)
from visualizer.model import port_runs, qualified_names, run_parts
from visualizer.renderers.describe import addresses
from visualizer.renderers.dot_data import topology_data
from visualizer.renderers.dot_style import (
    BLOCKED,
    CHANGE_EDGE,
    EXPOSED_ALL,
    EXPOSED_SOME,
    INACTIVE,
    SIDECAR,
    SIDECAR_EDGE,
    change_legend,
    changed_node,
    driver_colors,
    edge_style,
    exposure_color,
    finding_rows,
    legend,
)
from visualizer.renderers.dotlib import FONT, Html, attrs, h, table
from visualizer.renderers.topology_marks import block_hints, drawn_marks
from visualizer.text import display, short_id, shorten, visible

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.findings import Finding
    from visualizer.model import Container, Endpoint, Engine, Network, Port
    from visualizer.renderers.options import RenderOptions

NAME_LIMIT = 48
TEXT_LIMIT = 64


def render_dot(
    g: nx.Graph[str],
    options: RenderOptions,
    analysis: Analysis | None = None,
    changes: Mapping[tuple[str, ...], str] | None = None,
) -> str:
    """Render the topology view of a (possibly filtered) graph as DOT source.

    With `analysis` (computed on the full graph), containers and networks carry the IDs of
    their open findings. With `changes` (from `analysis.diff.union`), what was added, removed
    or changed is drawn in green, red (dashed) and amber.
    """
    marks = analysis.marks() if analysis is not None else {}
    names = labels(g)
    changed = changes or {}
    nets = networks(g)
    ctrs = containers(g)
    ids = {key: f"n{i}" for i, (key, _) in enumerate(nets)}
    ids |= {key: f"c{i}" for i, (key, _) in enumerate(ctrs)}

    out = topology_header(options, title_label(g, len(nets), len(ctrs)))

    # host -> project -> statements ("" = not on one host / not in a project)
    placed: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, net in nets:
        stmt = changed_node(
            network_node(
                ids[key], net, engine_of(g, net.host), marks.get(("network", names[net.id]), [])
            ),
            changed.get(("network", names[net.id])),
        )
        placed[net.host][net.compose_project or ""].append(stmt)
    for key, c in ctrs:
        stmt = changed_node(
            _container_node(ids[key], c, g, key, marks.get(("container", names[c.id]), [])),
            changed.get(("container", names[c.id])),
        )
        placed[c.host][c.compose_project or ""].append(stmt)
    out.extend(clustered(g, placed))
    out.extend(_services(g, ctrs, ids))
    out.extend(block_hints(g, ctrs, ids))

    for nkey, net in nets:
        policy = peering(net, engine_of(g, net.host))
        for ckey in g.adj[nkey]:
            if shared_from(g, nkey, ckey) is not None:
                continue  # drawn once, from the stack's owner; the sidecar gets an arrow
            member = container_record(g, ckey)
            style = edge_style(net, member, endpoint(g, nkey, ckey), policy)
            who, where = names[member.id], names[net.id]
            kind = changed.get(("endpoint", who, where)) or next(
                (
                    changed[k]
                    for k in (("container", who), ("network", where))
                    if changed.get(k) in {"added", "removed"}
                ),
                None,
            )
            if kind is not None:
                style += " " + attrs(**CHANGE_EDGE[kind])
            out.append(f"  {ids[nkey]} -> {ids[ckey]} [{style}];")
    for ckey, c in ctrs:
        target = netns_of(g, ckey)
        if target is not None and target in ids:
            owner = container_record(g, target)
            tip = f"{visible(c.name)} shares the network stack of {visible(owner.name)}"
            out.append(
                f"  {ids[ckey]} -> {ids[target]} ["
                + attrs(
                    **SIDECAR_EDGE,
                    tooltip=tip,
                )
                + "];"
            )
    if options.data:
        out.extend(topology_data(g, ids, legend=options.legend))
    if options.legend:
        out.extend(legend(drawn_marks(g, nets, ctrs, ids=ids, marks=marks, names=names)))
    if changed:
        out.append(change_legend())
    out.append("}")
    return "\n".join(out) + "\n"


def topology_header(options: RenderOptions, title: str) -> list[str]:
    """The first lines of a topology drawing: its graph (titled), node and edge defaults."""
    graph = attrs(
        layout=options.layout.value,
        rankdir=options.direction.value,
        fontname=FONT,
        fontsize="12",
        labelloc="t",
        labeljust="l",
        newrank="true",
        nodesep="0.25",
        ranksep="1.0",
        overlap="false",
        splines="true",
        label=Html(title),
    )
    return [
        "digraph netviz {",
        f"  graph [{graph}];",
        f"  node [{attrs(fontname=FONT, fontsize='10', margin='0.12,0.06')}];",
        f"  edge [{attrs(fontname=FONT, fontsize='9', dir='none')}];",
    ]


def clustered(g: nx.Graph[str], placed: Mapping[str, Mapping[str, list[str]]]) -> list[str]:
    """Statements placed by host and compose project (`""`: none), each in its cluster."""
    out: list[str] = []
    counter = iter(range(1_000_000))
    for host in sorted(placed):
        indent = "  "
        if host:
            out.append(f"  subgraph cluster_h{next(counter)} {{")
            out.append("    graph [" + host_cluster(g, host) + "];")
            indent = "    "
        for project in sorted(p for p in placed[host] if p):
            label = f"compose project <B>{h(display(project, NAME_LIMIT))}</B>"
            out.append(f"{indent}subgraph cluster_p{next(counter)} {{")
            out.append(
                f"{indent}  graph ["
                + attrs(
                    label=Html(label),
                    style="rounded,dashed",
                    color="#64748b",
                    fontcolor="#334155",
                    tooltip=f"compose project {visible(project)}",
                )
                + "];"
            )
            out.extend(f"{indent}  {stmt}" for stmt in placed[host][project])
            out.append(f"{indent}}}")
        out.extend(f"{indent}{stmt}" for stmt in placed[host].get("", []))
        if host:
            out.append("  }")
    return out


def host_cluster(g: nx.Graph[str], host: str) -> str:
    """Attributes of a host's cluster: its name, swarm role and engine version."""
    snapshot = snapshot_of(g)
    node = next((n for n in snapshot.nodes if n.hostname == host), None)
    found = next((x for x in snapshot.hosts if x.name == host), None)
    parts = [f"<B>{h(shorten(host, NAME_LIMIT))}</B>"]
    if node is not None:
        parts.append(h(node.role + (" (leader)" if node.leader else "") + f" · {node.state}"))
    version = (found.engine.server_version if found else "") or (
        node.engine_version if node else ""
    )
    if version:
        parts.append(f"Docker {h(shorten(version, 32))}")
    return attrs(
        label=Html(" · ".join(parts)),
        style="rounded",
        color="#0f172a",
        penwidth="2",
        fontcolor="#0f172a",
        tooltip=f"host {visible(host)}",
    )


def _services(
    g: nx.Graph[str], ctrs: list[tuple[str, Container]], ids: dict[str, str]
) -> list[str]:
    """Swarm services, each joined to the task containers drawn."""
    out = []
    services = snapshot_of(g).services
    names = qualified_names(services)
    of = tasks_by_service((ids[k], c) for k, c in ctrs)
    for i, service in enumerate(services):
        tasks = of.get(service.id)
        if not tasks:
            continue
        replicas = f"{service.replicas} replicas" if service.replicas is not None else service.mode
        ports = ", ".join(p.text for p in service.ports)
        rows = [
            f"<B>service {h(shorten(names[service.id], NAME_LIMIT))}</B>",
            f"<FONT POINT-SIZE='9'>{h(replicas)} · endpoint {h(service.endpoint_mode)}</FONT>",
        ]
        if ports:
            color = EXPOSED_ALL if any(p.mode == "ingress" for p in service.ports) else EXPOSED_SOME
            rows.append(f"<FONT POINT-SIZE='9' COLOR='{color}'>{h(ports)}</FONT>")
        out.append(
            f"  s{i} ["
            + attrs(
                shape="component",
                style="filled",
                fillcolor="#fefce8",
                color="#a16207",
                label=table(rows),
                tooltip=f"swarm service {visible(service.name)}",
            )
            + "];"
        )
        style = attrs(style="dotted", color="#a16207", dir="forward", arrowhead="vee", label="task")
        out.extend(f"  s{i} -> {t} [{style}];" for t in tasks)
    return out


def title_label(g: nx.Graph[str], n_nets: int, n_ctrs: int, extra: str = "") -> str:
    """The drawing's title: the engines, what it shows, when it was captured."""
    snapshot = snapshot_of(g)
    engine = snapshot.engine
    parts = []
    hosts = [h.name for h in snapshot.hosts if not h.error]
    if len(hosts) > 1:
        kind = "swarm nodes" if snapshot.nodes else "engines"
        shown = ", ".join(shorten(n, 24) for n in hosts[:4]) + (" …" if len(hosts) > 4 else "")  # noqa: PLR2004
        parts.append(f"{len(hosts)} {kind}: <B>{h(shown)}</B>")
    elif engine.name or engine.server_version:
        who = f"Docker engine <B>{h(shorten(engine.name or '?', NAME_LIMIT))}</B>"
        if engine.server_version:
            who += f" · {h(shorten(engine.server_version, 32))}"
        if engine.api_version:
            who += f" · API {h(shorten(engine.api_version, 8))}"
        parts.append(who)
    if snapshot.captured_at:
        parts.append(f"captured {h(shorten(snapshot.captured_at, 40))}")
    counts = f"{n_nets} networks · {n_ctrs} containers" + extra
    return (
        "<FONT POINT-SIZE='14'>"
        + "  ·  ".join(parts)
        + "</FONT><BR ALIGN='LEFT'/><FONT POINT-SIZE='12'>"
        + counts
        + "</FONT><BR ALIGN='LEFT'/>"
    )


def network_node(nid: str, net: Network, engine: Engine | None, found: list[Finding]) -> str:
    """A network's node: driver colours, subnets, isolation badges, findings."""
    fill, line = driver_colors(net.driver)
    policy = peering(net, engine)
    rows = [
        f"<B>{h(display(net.name, NAME_LIMIT))}</B>",
        (
            f"<FONT POINT-SIZE='9'>{h(shorten(net.driver or '?', 24))} · "
            f"{h(shorten(net.scope, 12))}</FONT>"
        ),
    ]
    for s in net.subnets:
        gw = f"  gw {h(s.gateway)}" if s.gateway else ""
        rows.append(f"<FONT POINT-SIZE='9'>{h(shorten(s.cidr, 48))}{gw}</FONT>")
    badges = _network_badges(net, policy)
    if badges:
        rows.append(f"<FONT POINT-SIZE='9' COLOR='{BLOCKED}'><B>{' · '.join(badges)}</B></FONT>")
    rows.extend(finding_rows(found))
    tip = [f"network {visible(net.name)} ({visible(net.driver)}, {short_id(net.id)})"]
    tip.append(PEERING_TEXT[policy])
    if net.internal:
        tip.append("internal: no route out of the network")
    node = attrs(
        shape="box",
        style="rounded,filled,bold",
        fillcolor=fill,
        color=line,
        peripheries="2" if net.internal else "1",
        label=table(rows),
        tooltip="; ".join(tip),
    )
    return f"{nid} [{node}];"


def _network_badges(net: Network, policy: Peering) -> list[str]:
    badges = []
    if net.internal:
        badges.append("INTERNAL")
    if policy is Peering.ISOLATED:
        badges.append("ICC OFF")
    elif net.driver == "bridge" and not net.icc:
        badges.append("ICC OFF (NOT ENFORCED)")
    if policy is Peering.BY_IP:
        badges.append("NO DNS")
    if net.ipv6:
        badges.append("IPv6")
    if net.attachable and net.scope == "swarm":
        badges.append("ATTACHABLE")
    if net.ingress:
        badges.append("INGRESS")
    if net.encrypted:
        badges.append("ENCRYPTED")
    if policy is Peering.UNKNOWN:
        badges.append("PLUGIN")
    return badges


def _container_node(
    cid: str, c: Container, g: nx.Graph[str], key: str, found: list[Finding]
) -> str:
    rows = [f"<B>{h(display(c.name, NAME_LIMIT))}</B>"]
    detail = f"{h(shorten(c.image or '?', 40))} · {h(shorten(c.state, 12))}"
    if c.compose_service:
        detail += f" · service {h(shorten(c.compose_service, 32))}"
    rows.append(f"<FONT POINT-SIZE='9' COLOR='#475569'>{detail}</FONT>")
    owner_key = netns_of(g, key)
    missing = netns_missing(g, key)
    if owner_key is not None:
        owner = container_record(g, owner_key)
        rows.append(
            f"<FONT POINT-SIZE='9' COLOR='{SIDECAR}'>network stack of "
            f"{h(shorten(owner.name, NAME_LIMIT))}</FONT>"
        )
    elif missing:
        rows.append(
            f"<FONT POINT-SIZE='9' COLOR='{BLOCKED}'>network stack of {h(short_id(missing))} "
            "(not found)</FONT>"
        )
    rows.extend(
        f"<FONT POINT-SIZE='9'>{_endpoint_text(c, ep, predicted=snapshot_of(g).predicted)}</FONT>"
        for ep in c.endpoints
    )
    rows.extend(
        f"<FONT POINT-SIZE='9' COLOR='#475569'>legacy link: {h(shorten(link.alias, 32))}"
        f" → {h(shorten(link.target, NAME_LIMIT))}</FONT>"
        for link in c.links
    )
    rows.extend(_port_rows(c.ports))
    rows.extend(finding_rows(found))
    running = c.is_running
    node = attrs(
        shape="box",
        style="rounded,filled" if running else "rounded,filled,dashed",
        fillcolor="#ffffff" if running else "#f1f5f9",
        color="#334155" if running else INACTIVE,
        fontcolor="#0f172a" if running else "#64748b",
        label=table(rows),
        tooltip=f"container {visible(c.name)} ({short_id(c.id)}), {visible(c.state)}",
    )
    return f"{cid} [{node}];"


def _endpoint_text(c: Container, ep: Endpoint, *, predicted: bool) -> str:
    return f"{h(shorten(ep.network_name, 32))}: {h(addresses(c, ep, predicted=predicted))}"


def _port_rows(ports: Iterable[Port]) -> list[str]:
    """A row per run of published ports with the host addresses it is on, then the exposed.

    A range such as `1-65535` stays one row.
    """
    published: dict[tuple[str, str], list[Port]] = defaultdict(list)
    exposed = []
    for first, last in port_runs(ports):
        host, inside = run_parts(first, last)
        if first.host_port is None:
            exposed.append(inside)
        else:  # the same ports on several host addresses: one row naming them all
            published[(host, inside)].append(first)
    rows = []
    for (host, inside), firsts in sorted(published.items(), key=lambda kv: kv[1][0].sort_key):
        color = exposure_color([p.host_ip or "0.0.0.0" for p in firsts])  # noqa: S104
        where = ", ".join(
            f"{h(p.host_address)}:{host}" for p in sorted(firsts, key=lambda p: p.host_ip or "")
        )
        rows.append(f"<FONT POINT-SIZE='9' COLOR='{color}'>{where} → {h(inside)}</FONT>")
    if exposed:
        rows.append(
            f"<FONT POINT-SIZE='9' COLOR='#64748b'>exposed, not published: "
            f"{h(shorten(', '.join(exposed), TEXT_LIMIT))}</FONT>"
        )
    return rows

"""Mermaid flowchart of the topology, for GitHub Markdown.

Synthetic node IDs (`n0`, `c0`, `p0`) avoid Mermaid's reserved words (`end`, `graph`, …) and
its edge markers (an ID starting with `o` or `x` right after `---`). Every engine string
goes through `label()`: visible control characters, then every ASCII character but letters,
digits, space and `._:/-` as a numeric entity (`#34;`), so quotes, markup, Markdown and
Mermaid syntax are shown literally.

Past GitHub's limits (50,000 characters, 500 edges) the detailed view is replaced by a
coarser one: one node per network with its container count, and the links that multi-homed
containers make between networks; `notes` say so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.analysis.peering import Peering, peering
from visualizer.graph import (
    container_record,
    containers,
    engine_of,
    labels,
    netns_of,
    networks,
    shared_from,
    snapshot_of,
)
from visualizer.model import port_texts
from visualizer.renderers.describe import addresses
from visualizer.renderers.dot_style import driver_colors
from visualizer.renderers.mermaid_data import mermaid_data
from visualizer.text import EMPTY_NAME, shorten, visible

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.findings import Finding
    from visualizer.model import Container, Engine, Network
    from visualizer.renderers.options import RenderOptions

MAX_CHARS = 50_000
MAX_EDGES = 500
STOPPED_CLASS = "  classDef stopped fill:#f1f5f9,stroke:#9ca3af,color:#64748b,stroke-dasharray:4"
"""How a stopped container or group is drawn (it reaches nothing)."""
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._:/-")
_LINKS = {
    Peering.BY_NAME: "---",
    Peering.BY_IP: "-.-",
    Peering.ISOLATED: "-.-x",
    Peering.HOST: "===",
    Peering.NONE: "-.-",
    Peering.UNKNOWN: "---",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MermaidText:
    """The diagram and what the reader should know about it."""

    text: str
    notes: tuple[str, ...] = ()


def label(text: str, limit: int = 60) -> str:
    """Engine text made literal inside a quoted Mermaid label."""
    return "".join(
        ch if ch in _SAFE or ord(ch) > 127 else f"#{ord(ch)};"  # noqa: PLR2004 - beyond ASCII
        for ch in shorten(visible(text), limit)
    )


def render_mermaid(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None = None
) -> MermaidText:
    """The detailed diagram, or the coarse one when the detailed one is too big for GitHub."""
    detailed = _detailed(g, options, analysis)
    edges = edge_count(detailed)
    if len(detailed) <= MAX_CHARS and edges <= MAX_EDGES:
        return MermaidText(text=detailed)
    coarse = _coarse(g, options)
    note = (
        f"the detailed Mermaid diagram ({len(detailed):,} characters, {edges} links) exceeds "
        f"GitHub's limits ({MAX_CHARS:,} characters, {MAX_EDGES} links); wrote a per-network "
        "summary instead (use --filter for detail, or -f html / svg)"
    )
    return MermaidText(text=coarse, notes=(note,))


def edge_count(text: str) -> int:
    """How many links a Mermaid text draws (GitHub stops at 500)."""
    return sum(
        1
        for line in text.splitlines()
        if line.startswith("  ")
        and any(
            f" {arrow} " in line or f" {arrow}|" in line
            for arrow in ("---", "-.-", "-.-x", "===", "-.->", "==>", "-->", "<-->", "<-.->")
        )
    )


def header(g: nx.Graph[str], options: RenderOptions, what: str) -> list[str]:
    """The first lines: a comment naming the engines and what is drawn, then the direction."""
    snapshot = snapshot_of(g)
    engine = snapshot.engine
    hosts = [h.name for h in snapshot.hosts if not h.error]
    if len(hosts) > 1:
        who = f"{len(hosts)} engines ({', '.join(hosts)})"
    else:
        version = f" ({engine.server_version})" if engine.server_version else ""
        who = f"{engine.name or 'snapshot'}{version}"
    direction = options.direction.value if options.direction.value != "TB" else "TD"
    return [f"%% netviz: {label(who, 80)}: {what}", f"flowchart {direction}"]


def _detailed(g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None) -> str:
    nets = networks(g)
    ctrs = containers(g)
    ids = {k: f"n{i}" for i, (k, _) in enumerate(nets)}
    ids |= {k: f"c{i}" for i, (k, _) in enumerate(ctrs)}
    marks = analysis.marks() if analysis is not None else {}
    names = labels(g)
    out = header(g, options, f"{len(nets)} networks, {len(ctrs)} containers")
    # host -> compose project -> node lines ("" = not on one host / not in a project)
    placed: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, net in nets:
        line = f'{ids[key]}[("{_network_label(net, engine_of(g, net.host))}")]'
        placed[net.host][net.compose_project or ""].append(line)
    for key, c in ctrs:
        found = marks.get(("container", names[c.id]), [])
        text = _container_label(c, found, predicted=snapshot_of(g).predicted)
        line = f'{ids[key]}["{text}"]'
        placed[c.host][c.compose_project or ""].append(line)
    counter = iter(range(1_000_000))
    for host in sorted(placed):
        indent = "  "
        if host:
            out.append(f'  subgraph h{next(counter)}["host {label(host)}"]')
            indent = "    "
        for project in sorted(p for p in placed[host] if p):
            out.append(f'{indent}subgraph p{next(counter)}["compose project {label(project)}"]')
            out.extend(f"{indent}  {line}" for line in placed[host][project])
            out.append(f"{indent}end")
        out.extend(f"{indent}{line}" for line in placed[host].get("", []))
        if host:
            out.append("  end")
    link_styles: list[str] = []
    for nkey, net in nets:
        policy = peering(net, engine_of(g, net.host))
        _, line = driver_colors(net.driver)
        for ckey in g.adj[nkey]:
            if shared_from(g, nkey, ckey) is not None:
                continue
            member = container_record(g, ckey)
            arrow = _LINKS[policy] if member.is_running else "-.-"
            out.append(f"  {ids[nkey]} {arrow} {ids[ckey]}")
            color = (
                line
                if member.is_running and policy is not Peering.ISOLATED
                else ("#dc2626" if member.is_running else "#9ca3af")
            )
            link_styles.append(f"stroke:{color}")
    for ckey, _ in ctrs:
        owner = netns_of(g, ckey)
        if owner in ids:
            out.append(f"  {ids[ckey]} -. shares network stack .-> {ids[owner]}")
            link_styles.append("stroke:#7c3aed")
    extra: list[str] = []
    if options.data:
        lines, styles, extra = mermaid_data(g, ids, label)
        out.extend(lines)
        link_styles.extend(styles)
    out.extend(_classes(nets, ctrs, ids))
    out.extend(extra)
    out.extend(f"  linkStyle {i} {style}" for i, style in enumerate(link_styles))
    return "\n".join(out) + "\n"


def _classes(
    nets: list[tuple[str, Network]],
    ctrs: list[tuple[str, Container]],
    ids: dict[str, str],
) -> list[str]:
    out = []
    by_driver: dict[str, list[str]] = defaultdict(list)
    for key, net in nets:
        known = (
            net.driver
            if net.driver in {"bridge", "overlay", "macvlan", "ipvlan", "host", "null"}
            else "plugin"
        )
        by_driver[known].append(ids[key])
    for driver, members in sorted(by_driver.items()):
        fill, line = driver_colors(driver if driver != "plugin" else "?")
        out.append(f"  classDef net_{driver} fill:{fill},stroke:{line},stroke-width:2px")
        out.append(f"  class {','.join(members)} net_{driver}")
    stopped = [ids[k] for k, c in ctrs if not c.is_running]
    running = [ids[k] for k, c in ctrs if c.is_running]
    if running:
        out.append("  classDef container fill:#ffffff,stroke:#334155")
        out.append(f"  class {','.join(running)} container")
    if stopped:
        out.append(STOPPED_CLASS)
        out.append(f"  class {','.join(stopped)} stopped")
    return out


def _network_label(net: Network, engine: Engine | None) -> str:
    policy = peering(net, engine)
    parts = [f"<b>{label(net.name or EMPTY_NAME)}</b>", label(f"{net.driver} · {net.scope}")]
    parts.extend(label(s.cidr) for s in net.subnets)
    flags = []
    if net.internal:
        flags.append("INTERNAL")
    if policy is Peering.ISOLATED:
        flags.append("ICC OFF")
    if policy is Peering.BY_IP:
        flags.append("NO DNS")
    if net.encrypted:
        flags.append("ENCRYPTED")
    if flags:
        parts.append(" · ".join(flags))
    return "<br/>".join(parts)


def _container_label(c: Container, found: list[Finding], *, predicted: bool) -> str:
    parts = [f"<b>{label(c.name or EMPTY_NAME)}</b>", label(f"{c.image} · {c.state}", 50)]
    parts.extend(
        label(f"{ep.network_name}: {addresses(c, ep, predicted=predicted)}", 50)
        for ep in c.endpoints
    )
    parts.extend(label(t, 50) for t in port_texts((p for p in c.ports if p.published), " → "))
    ids = sorted({f.id for f in found}, key=lambda i: int(i.lstrip("A") or 0))
    if ids:
        parts.append("⚠ " + " ".join(ids))
    return "<br/>".join(parts)


def _coarse(g: nx.Graph[str], options: RenderOptions) -> str:
    nets = networks(g)
    ids = {k: f"n{i}" for i, (k, _) in enumerate(nets)}
    out = header(g, options, f"summary of {len(nets)} networks")
    for key, net in nets:
        count = sum(1 for _ in g.adj[key])
        name = label(net.name or EMPTY_NAME)
        out.append(
            f'  {ids[key]}[("<b>{name}</b><br/>{label(net.driver)} · {count} containers'
            f'{" · INTERNAL" if net.internal else ""}")]'
        )
    bridges: Counter[tuple[str, str]] = Counter()
    for ckey, _ in containers(g):
        attached = sorted(ids[n] for n in g.adj[ckey] if shared_from(g, n, ckey) is None)
        for i, a in enumerate(attached):
            for b in attached[i + 1 :]:
                bridges[(a, b)] += 1
    ranked = sorted(bridges.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_EDGES]
    out.extend(f'  {a} -. "{count} multi-homed" .- {b}' for (a, b), count in ranked)
    out.extend(_classes(nets, [], ids))
    text = "\n".join(out) + "\n"
    if len(text) > MAX_CHARS:
        cut = text[: MAX_CHARS - 200].rsplit("\n", 1)[0]
        text = cut + "\n  %% truncated to fit GitHub's limit\n"
    return text

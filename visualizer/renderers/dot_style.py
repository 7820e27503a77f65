"""The visual language of the Graphviz diagrams: colours, line styles, legends.

Shared by the topology view (`dot.py`), the reachability view (`reach_dot.py`) and the
change diagram of `netviz diff`; every mark drawn is explained by a legend built here.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from visualizer.analysis.peering import PEERING_TEXT, Peering
from visualizer.renderers.dotlib import Html, attrs
from visualizer.text import visible

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.analysis.findings import Finding
    from visualizer.model import Container, Endpoint, Network

DRIVER_COLORS: dict[str, tuple[str, str]] = {
    "bridge": ("#dbeafe", "#1d4ed8"),
    "overlay": ("#ede9fe", "#6d28d9"),
    "macvlan": ("#ffedd5", "#c2410c"),
    "ipvlan": ("#fef3c7", "#a16207"),
    "host": ("#fee2e2", "#b91c1c"),
    "null": ("#f1f5f9", "#64748b"),
}
PLUGIN_COLORS = ("#dcfce7", "#15803d")
BLOCKED = "#dc2626"
INACTIVE = "#9ca3af"
SIDECAR = "#7c3aed"
SIDECAR_EDGE = {
    "dir": "forward",
    "style": "dashed",
    "penwidth": "2",
    "color": SIDECAR,
    "fontcolor": SIDECAR,
    "arrowhead": "normal",
    "label": "shares network stack",
}
"""A container drawn with the network stack it shares (`--network container:…`)."""
EXPOSED_ALL, EXPOSED_SOME, EXPOSED_LOCAL = "#b91c1c", "#b45309", "#15803d"
FINDING_COLORS = {"critical": "#7f1d1d", "high": "#b91c1c", "medium": "#b45309", "low": "#0369a1"}


def driver_colors(driver: str) -> tuple[str, str]:
    """(fill, line) colours of a network driver; plugins share one colour."""
    return DRIVER_COLORS.get(driver, PLUGIN_COLORS)


CHANGE_COLORS = {"added": "#16a34a", "removed": "#dc2626", "changed": "#d97706"}
CHANGE_EDGE = {
    "added": {"color": "#16a34a", "penwidth": "3"},
    "removed": {"color": "#dc2626", "penwidth": "3", "style": "dashed"},
    "changed": {"color": "#d97706", "penwidth": "3"},
}


def changed_node(stmt: str, kind: str | None) -> str:
    """Restyle a node statement for a diff: a coloured, thick border (dashed when removed)."""
    if kind is None:
        return stmt
    extra = attrs(color=CHANGE_COLORS[kind], penwidth="4")
    if kind == "removed":
        extra += ' style="rounded,filled,dashed"'
    return stmt[:-2] + " " + extra + "];"


def change_legend() -> str:
    """The legend of a change diagram (`netviz diff --diagram`)."""
    rows = "".join(
        f"<TR><TD ALIGN='LEFT'><FONT COLOR='{color}'><B>━━ {kind}</B></FONT></TD></TR>"
        for kind, color in CHANGE_COLORS.items()
    )
    head = "<TR><TD><B>Changes from A to B</B></TD></TR>"
    table = f"<TABLE BORDER='1' COLOR='#cbd5e1' CELLBORDER='0'>{head}{rows}</TABLE>"
    return f"  changes_legend [{attrs(shape='plaintext', label=Html(table))}];"


def finding_rows(found: list[Finding]) -> list[str]:
    """The `⚠ severity: IDs` row of a node with open findings."""
    if not found:
        return []
    worst = max(f.severity for f in found)
    ids = " ".join(sorted({f.id for f in found}, key=lambda i: int(i.lstrip("A") or 0)))
    color = FINDING_COLORS.get(worst.label, BLOCKED)
    return [f"<FONT POINT-SIZE='9' COLOR='{color}'><B>⚠ {worst.label}: {ids}</B></FONT>"]


def exposure_color(ips: Iterable[str]) -> str:
    """Colour of a published port by its host addresses: all, one, or loopback only."""
    kinds = set()
    for ip in ips:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            kinds.add("some")
            continue
        kinds.add("all" if addr.is_unspecified else "local" if addr.is_loopback else "some")
    if "all" in kinds:
        return EXPOSED_ALL
    return EXPOSED_SOME if "some" in kinds else EXPOSED_LOCAL


def edge_style(net: Network, c: Container, ep: Endpoint, policy: Peering) -> str:
    """Attributes of a network–container line: what members of the network may do."""
    addresses = ", ".join(ep.addresses) or "no address"
    tip = f"{visible(c.name)} on {visible(net.name)}: {visible(addresses)}; {PEERING_TEXT[policy]}"
    if not c.is_running:
        return attrs(style="dotted", color=INACTIVE, penwidth="1.5", tooltip=f"{tip} (stopped)")
    _, line = driver_colors(net.driver)
    styles = {
        Peering.BY_NAME: {"style": "solid", "penwidth": "2", "color": line},
        Peering.BY_IP: {"style": "dashed", "penwidth": "1.5", "color": line},
        Peering.ISOLATED: {
            "style": "dotted",
            "penwidth": "2",
            "color": BLOCKED,
            "dir": "forward",
            "arrowhead": "tee",
        },
        Peering.HOST: {"style": "bold", "penwidth": "3", "color": line},
        Peering.NONE: {"style": "dotted", "penwidth": "1.5", "color": line},
        Peering.UNKNOWN: {"style": "solid", "penwidth": "1.5", "color": line},
    }
    return attrs(**styles[policy], tooltip=tip)


LINE_SAMPLES = (
    ("line:by-name", "━━━━", "#1d4ed8", PEERING_TEXT[Peering.BY_NAME]),
    ("line:by-ip", "╺╸╺╸╺╸", "#1d4ed8", PEERING_TEXT[Peering.BY_IP]),
    ("line:isolated", "┅┅┅┫", BLOCKED, "members blocked from each other (icc off)"),
    ("line:host", "━━━━", "#b91c1c", "thick red: " + PEERING_TEXT[Peering.HOST]),
    ("line:unknown", "━━━━", PLUGIN_COLORS[1], PEERING_TEXT[Peering.UNKNOWN]),
    ("line:inactive", "┈┈┈┈", INACTIVE, "no network, or container not running"),
    ("sidecar", "╺╸╺╸▶", SIDECAR, "sidecar shares the network stack of the container it points to"),
)
NOTES = (
    ("port:all", EXPOSED_ALL, "port open on all host interfaces"),
    ("port:some", EXPOSED_SOME, "port on one host address"),
    ("port:local", EXPOSED_LOCAL, "port on loopback only"),
    ("stopped", INACTIVE, "grey, dashed box: container not running"),
    ("findings", FINDING_COLORS["high"], "⚠ severity: IDs of audit findings (netviz audit)"),
    (
        "swarm-service",
        "#a16207",
        "yellow component, dotted task arrows: a swarm service, its tasks",
    ),
)


def driver_mark(driver: str) -> str:
    """The legend key of a network driver's colour (`driver:plugin` for any other)."""
    return f"driver:{driver if driver in DRIVER_COLORS else 'plugin'}"


def line_mark(policy: Peering, *, running: bool) -> str:
    """The legend key of a network–member line."""
    if not running or policy is Peering.NONE:
        return "line:inactive"
    return f"line:{policy.value}"


def port_marks(ips: Iterable[str]) -> set[str]:
    """The legend keys of published ports, by their host addresses."""
    color = exposure_color(ips)
    return {{EXPOSED_ALL: "port:all", EXPOSED_SOME: "port:some"}.get(color, "port:local")}


def legend(drawn: set[str] | None = None, extra: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The legend of what is drawn (`drawn`: the keys of the marks used; `None`: every mark).

    `extra` adds (key, text) rows a picture of groups needs, shown when their key is drawn.
    """

    def shown(key: str) -> bool:
        return drawn is None or key in drawn

    swatches = [(*driver_colors(d), f"{d} network") for d in DRIVER_COLORS if shown(f"driver:{d}")]
    if shown("driver:plugin"):
        swatches.append((*PLUGIN_COLORS, "network of another driver (plugin)"))
    rows = ["<TR><TD COLSPAN='2' ALIGN='LEFT'><B>Legend</B></TD></TR>"]
    rows.extend(
        f"<TR><TD BGCOLOR='{fill}' COLOR='{line}' BORDER='1'></TD><TD ALIGN='LEFT'>{text}</TD></TR>"
        for fill, line, text in swatches
    )
    if shown("internal"):
        rows.append("<TR><TD COLSPAN='2' ALIGN='LEFT'>double border: internal network</TD></TR>")
    rows.extend(
        f"<TR><TD ALIGN='LEFT'><FONT COLOR='{color}'>{glyphs}</FONT></TD>"
        f"<TD ALIGN='LEFT'>{text}</TD></TR>"
        for key, glyphs, color, text in LINE_SAMPLES
        if shown(key)
    )
    rows.extend(
        f"<TR><TD COLSPAN='2' ALIGN='LEFT'><FONT COLOR='{c}'>{n}</FONT></TD></TR>"
        for key, c, n in NOTES
        if shown(key)
    )
    rows.extend(
        f"<TR><TD COLSPAN='2' ALIGN='LEFT'>{text}</TD></TR>" for key, text in extra if shown(key)
    )
    if len(rows) == 1:
        return []
    table = (
        "<TABLE BORDER='1' COLOR='#cbd5e1' CELLBORDER='0' CELLSPACING='2' CELLPADDING='2'>"
        + "".join(rows)
        + "</TABLE>"
    )
    return [f"  legend [{attrs(shape='plaintext', fontsize='9', label=Html(table))}];"]

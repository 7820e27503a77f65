"""Lay out each block of a drawing alone, pack the blocks in a screen-shaped rectangle, draw.

This is Graphviz's `gvpack` idea with edges between the parts: every block (see `shape.py`)
is laid out by `dot` in one run (one graph per block), the blocks are packed in shelves whose
width is chosen so that the whole is nearest 16:9, a cluster holding clusters (a host) packs
its own blocks first, and the edges between blocks are drawn as straight lines from border to
border. The assembled text carries every position, and `neato -n2` only draws it.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from visualizer.renderers.graphviz import pipe
from visualizer.renderers.shape import (
    Parsed,
    attr,
    blocks,
    estimate,
    html_label,
    without_label,
    wrap,
)

TARGET_ASPECT = 16 / 9
"""Width over height that the packing aims at: a screen."""
ASPECT_LIMIT = 2.8
"""The packing keeps every arrangement within 1:2.8 and 2.8:1 when it can (3:1 is the rule)."""
GAP = 18.0
"""Space between packed blocks, points."""
MARGIN = 10.0
"""Space inside a cluster around what it holds, points."""
_ARROW = 10.0
_POS_KEYS = ("pos", "lp", "xlp", "head_lp", "tail_lp")


@dataclass(slots=True)
class Laid:
    """One block as `dot` laid it out, in its own frame (lower left at 0, 0)."""

    width: float
    height: float
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Node → pos, width, height (and xlp)."""
    edges: dict[int, dict[str, str]] = field(default_factory=dict)
    """Edge index → pos, lp …"""
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    """Cluster → bb, lp."""


@dataclass(slots=True)
class Packed:
    """Where everything went: block offsets and cluster boxes, in the whole drawing's frame."""

    width: float
    height: float
    offsets: dict[str, tuple[float, float]] = field(default_factory=dict)
    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


FLIP = {"LR": "TB", "RL": "BT", "TB": "LR", "BT": "RL"}
LONG = 2.5
"""A block longer than this many times its width is laid out across instead, if that is squarer."""


def lay_out_blocks(parsed: Parsed) -> tuple[dict[str, str], dict[str, Laid]]:
    """Node → block, and every block laid out by `dot` (one process for all of them).

    A block that comes out much longer than wide (or the reverse) is laid out again in the
    other direction (`LR` ↔ `TB`), and the squarer of the two is kept.
    """
    block_of, laid = _lay_out(parsed, set())
    long = {k for k, b in laid.items() if not 1 / LONG <= b.width / max(b.height, 1.0) <= LONG}
    if long:
        _, again = _lay_out(parsed, long, only=long)
        for key, other in again.items():
            if _squareness(other) < _squareness(laid[key]):
                laid[key] = other
    return block_of, laid


def _squareness(b: Laid) -> float:
    return abs(math.log(b.width / max(b.height, 1.0)))


def _lay_out(
    parsed: Parsed, flip: set[str], only: set[str] | None = None
) -> tuple[dict[str, str], dict[str, Laid]]:
    block_of = blocks(parsed)
    minlen = wrap(parsed, block_of)
    members: dict[str, list[str]] = defaultdict(list)
    for node in parsed.nodes:
        members[block_of[node]].append(node)
    inside: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(parsed.edges):
        if e.tail in block_of and block_of[e.tail] == block_of.get(e.head):
            inside[block_of[e.tail]].append(i)
    keys = [k for k in members if only is None or k in only]
    defaults = [ln for ln in parsed.head[1:] if not ln.strip().startswith("graph ")]
    source = []
    flipped = re.sub(
        r'rankdir="(\w+)"', lambda m: f'rankdir="{FLIP.get(m.group(1), "LR")}"', parsed.graph_attrs
    )
    for n, key in enumerate(keys):
        graph = without_label(flipped if key in flip else parsed.graph_attrs)
        lines = [f"digraph b{n} {{", f"  graph [{graph}];", *defaults]
        body = [f"  {node} [{parsed.nodes[node]}];" for node in members[key]]
        if key in parsed.clusters:
            lines += [f"  subgraph {key} {{", f"    graph [{parsed.clusters[key].attrs}];"]
            lines += ["  " + b for b in body] + ["  }"]
        else:
            lines += body
        for i in inside[key]:
            e = parsed.edges[i]
            extra = f' minlen="{minlen[i]}"' if i in minlen else ""
            lines.append(f"  {e.tail} -> {e.head} [{e.attrs}{extra}];")
        source.append("\n".join([*lines, "}"]))
    laid_out = pipe("\n".join(source) + "\n", fmt="json0", layout="dot").decode("utf-8")
    decoder, at, found = json.JSONDecoder(), 0, []
    while True:
        while at < len(laid_out) and laid_out[at].isspace():
            at += 1
        if at >= len(laid_out):
            break
        doc, at = decoder.raw_decode(laid_out, at)
        found.append(doc)
    return block_of, {
        key: _read(doc, [(i, parsed.edges[i].tail, parsed.edges[i].head) for i in inside[key]])
        for key, doc in zip(keys, found, strict=True)
    }


def _read(doc: dict[str, object], edge_ids: list[tuple[int, str, str]]) -> Laid:
    """A block as `dot` laid it out; `edge_ids`: the block's edges (index, tail, head) in order.

    Graphviz lists edges by tail node, not as written: each is matched to the next edge
    written between the same two nodes.
    """
    x0, y0, x1, y1 = (float(v) for v in str(doc["bb"]).split(","))
    laid = Laid(width=x1 - x0, height=y1 - y0)
    names = {}
    for obj in doc.get("objects", ()):  # type: ignore[attr-defined]
        names[obj["_gvid"]] = obj["name"]
        kept = {k: _shift(str(obj[k]), -x0, -y0) for k in _POS_KEYS if k in obj}
        if "bb" in obj:
            a, b, c, d = (float(v) for v in str(obj["bb"]).split(","))
            kept["bb"] = f"{a - x0:.2f},{b - y0:.2f},{c - x0:.2f},{d - y0:.2f}"
            laid.clusters[obj["name"]] = kept
        else:
            kept |= {k: str(obj[k]) for k in ("width", "height") if k in obj}
            laid.nodes[obj["name"]] = kept
    waiting: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, tail, head in edge_ids:
        waiting[(tail, head)].append(index)
    for edge in doc.get("edges", ()):  # type: ignore[attr-defined]
        ends = (names.get(edge["tail"], ""), names.get(edge["head"], ""))
        if waiting.get(ends):
            index = waiting[ends].pop(0)
            laid.edges[index] = {k: _shift(str(edge[k]), -x0, -y0) for k in _POS_KEYS if k in edge}
    return laid


def _shift(value: str, dx: float, dy: float) -> str:
    """Move every point of a Graphviz position (`x,y`, or a spline `e,x,y x,y …`)."""
    out = []
    for token in value.split():
        parts = token.split(",")
        mark = parts[:-2]
        x, y = float(parts[-2]) + dx, float(parts[-1]) + dy
        out.append(",".join([*mark, f"{x:.2f}", f"{y:.2f}"]))
    return " ".join(out)


# ---- packing -----------------------------------------------------------------------------------


def _shelves(
    items: list[tuple[str, float, float]], target: float
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Rows of items (tallest first) in the row width whose result is nearest `target`.

    Returns each item's lower-left corner (y measured from the top, downwards) and the size.
    """
    ordered = sorted(items, key=lambda it: (-it[2], -it[1], it[0]))
    area = sum((w + GAP) * (h + GAP) for _, w, h in ordered)
    widest = max(w for _, w, _ in ordered)
    best: tuple[float, dict[str, tuple[float, float]], float, float] | None = None
    for factor in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0):
        limit = max(widest, math.sqrt(area * target) * factor)
        spots: dict[str, tuple[float, float]] = {}
        x = y = row = used = 0.0
        for key, w, h in ordered:
            if x and x + w > limit:
                y += row + GAP
                x = row = 0.0
            spots[key] = (x, y + h)
            x += w + GAP
            row = max(row, h)
            used = max(used, x - GAP)
        height = y + row
        miss = abs(math.log(used / max(height, 1.0) / target))
        score = miss + 0.25 * math.log(used * height / area)
        if not 1 / ASPECT_LIMIT <= used / max(height, 1.0) <= ASPECT_LIMIT:
            score += 10.0  # outside 1:3 to 3:1 only when nothing else fits
        if best is None or score < best[0]:
            best = (score, spots, used, height)
    assert best is not None  # noqa: S101 - at least one item
    return best[1], best[2], best[3]


def pack(
    parsed: Parsed,
    block_of: dict[str, str],
    sizes: dict[str, tuple[float, float]],
    *,
    target: float = TARGET_ASPECT,
) -> Packed:
    """Pack the blocks (hosts first packing their own) into about `target` width/height.

    `sizes`: each block's width and height, laid out or estimated.
    """
    packed = Packed(width=0.0, height=0.0)
    title = _label_size(parsed.graph_attrs)
    width, height, spots = _arrange(
        parsed, "", block_of, sizes, target=target, packed=packed, band=title
    )
    packed.width, packed.height = width, height
    for key, (x, y) in spots.items():
        packed.offsets[key] = (x, y)
    return packed


def _arrange(
    parsed: Parsed,
    owner: str,
    block_of: dict[str, str],
    sizes: dict[str, tuple[float, float]],
    *,
    target: float,
    packed: Packed,
    band: tuple[float, float],
) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """Pack what one cluster (or the graph) holds; positions relative to its lower left."""
    cluster = parsed.clusters[owner]
    items: list[tuple[str, float, float]] = []
    inner: dict[str, tuple[float, float, dict[str, tuple[float, float]]]] = {}
    seen: set[str] = set()
    for node in cluster.nodes:
        key = block_of[node]
        if key not in seen:
            seen.add(key)
            items.append((key, *sizes[key]))
    for child in cluster.children:
        if parsed.clusters[child].children:
            label = _label_size(parsed.clusters[child].attrs)
            w, h, spots = _arrange(
                parsed, child, block_of, sizes, target=target, packed=packed, band=label
            )
            inner[child] = (w, h, spots)
            items.append((child, w, h))
        else:
            items.append((child, *sizes[child]))
    spots, width, height = _shelves(items, target)
    margin = MARGIN if owner else 0.0
    top = band[1] + (4.0 if band[1] else 0.0)
    total_w = max(width, band[0]) + 2 * margin
    total_h = height + top + 2 * margin
    placed: dict[str, tuple[float, float]] = {}
    for key, (x, y_down) in spots.items():
        lx, ly = x + margin, total_h - top - margin - y_down
        if key in inner:
            w, h, sub = inner[key]
            packed.boxes[key] = (lx, ly, lx + w, ly + h)
            for leaf, (sx, sy) in sub.items():
                placed[leaf] = (lx + sx, ly + sy)
            for name, (a, b, c, d) in list(packed.boxes.items()):
                if name != key and _inside(parsed, name, key):
                    packed.boxes[name] = (a + lx, b + ly, c + lx, d + ly)
        else:
            placed[key] = (lx, ly)
    return total_w, total_h, placed


def _inside(parsed: Parsed, name: str, ancestor: str) -> bool:
    parent = parsed.clusters[name].parent if name in parsed.clusters else None
    while parent:
        if parent == ancestor:
            return True
        parent = parsed.clusters[parent].parent
    return False


def _label_size(attrs: str) -> tuple[float, float]:
    if "label=" not in attrs:
        return (0.0, 0.0)
    box = estimate(attrs, 14.0)
    return (box.width, box.height - 9.0)


# ---- the assembled drawing ---------------------------------------------------------------------


def assemble(
    parsed: Parsed, block_of: dict[str, str], laid: dict[str, Laid], packed: Packed
) -> str:
    """The whole drawing with every position, for `neato -n2`."""
    centre: dict[str, tuple[float, float, float, float]] = {}
    node_attrs: dict[str, str] = {}
    for node, attrs in parsed.nodes.items():
        key = block_of[node]
        dx, dy = packed.offsets[key]
        spot = laid[key].nodes[node]
        moved = {k: _shift(v, dx, dy) for k, v in spot.items() if k in _POS_KEYS}
        x, y = (float(v) for v in moved["pos"].split(","))
        w, h = float(spot["width"]) * 72, float(spot["height"]) * 72
        centre[node] = (x, y, w / 2, h / 2)
        extra = " ".join(f'{k}="{v}"' for k, v in moved.items())
        node_attrs[node] = f'{attrs} {extra} width="{spot["width"]}" height="{spot["height"]}"'
    title = html_label(parsed.graph_attrs)
    kept = re.sub(r'(?:^| )layout="[^"]*"', "", parsed.graph_attrs).strip()
    graph = f'layout="neato" {kept} bb="0,0,{packed.width:.2f},{packed.height:.2f}"'
    if title is not None:
        box = estimate(f"label=<{title}>", 14.0)
        graph += f' lp="{box.width / 2:.2f},{packed.height - (box.height - 9) / 2:.2f}"'
    out = [parsed.head[0], f"  graph [{graph}];"]
    out += [ln for ln in parsed.head[1:] if not ln.strip().startswith("graph ")]
    out += _clusters(parsed, "", block_of, laid, packed=packed, node_attrs=node_attrs, indent="  ")
    default_dir = attr(parsed.edge_defaults, "dir") or "forward"
    for i, e in enumerate(parsed.edges):
        block = block_of.get(e.tail)
        if block is not None and block == block_of.get(e.head) and i in laid[block].edges:
            dx, dy = packed.offsets[block]
            spline = laid[block].edges[i].items()
            pos = " ".join(f'{k}="{_shift(v, dx, dy)}"' for k, v in spline)
        elif e.tail in centre and e.head in centre:
            pos = _straight(centre[e.tail], centre[e.head], e.attrs, default_dir)
        else:
            continue
        out.append(f"  {e.tail} -> {e.head} [{e.attrs} {pos}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _clusters(
    parsed: Parsed,
    owner: str,
    block_of: dict[str, str],
    laid: dict[str, Laid],
    *,
    packed: Packed,
    node_attrs: dict[str, str],
    indent: str,
) -> list[str]:
    out = [f"{indent}{node} [{node_attrs[node]}];" for node in parsed.clusters[owner].nodes]
    for child in parsed.clusters[owner].children:
        cluster = parsed.clusters[child]
        if child in packed.boxes:
            a, b, c, d = packed.boxes[child]
            w, h = _label_size(cluster.attrs)
            where = f'bb="{a:.2f},{b:.2f},{c:.2f},{d:.2f}"'
            if w:
                where += f' lp="{a + MARGIN + w / 2:.2f},{d - MARGIN / 2 - h / 2:.2f}"'
        else:
            dx, dy = packed.offsets[child]
            spot = laid[child].clusters.get(child, {})
            a, b, c, d = (float(v) for v in spot.get("bb", "0,0,0,0").split(","))
            where = f'bb="{a + dx:.2f},{b + dy:.2f},{c + dx:.2f},{d + dy:.2f}"'
            if "lp" in spot:
                where += f' lp="{_shift(spot["lp"], dx, dy)}"'
        out.append(f"{indent}subgraph {child} {{")
        out.append(f"{indent}  graph [{cluster.attrs} {where}];")
        out += _clusters(
            parsed,
            child,
            block_of,
            laid,
            packed=packed,
            node_attrs=node_attrs,
            indent=indent + "  ",
        )
        out.append(f"{indent}}}")
    return out


def _border(box: tuple[float, float, float, float], dx: float, dy: float) -> tuple[float, float]:
    x, y, hw, hh = box
    scale = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return x + dx * scale, y + dy * scale


def _straight(
    tail: tuple[float, float, float, float],
    head: tuple[float, float, float, float],
    attrs: str,
    default_dir: str,
) -> str:
    """A straight edge from border to border, with room for its arrowheads and its label."""
    dx, dy = head[0] - tail[0], head[1] - tail[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    start, end = _border(tail, dx, dy), _border(head, -dx, -dy)
    direction = attr(attrs, "dir") or default_dir
    marks = []
    if direction in {"forward", "both"} and attr(attrs, "arrowhead") != "none":
        marks.append(f"e,{end[0]:.2f},{end[1]:.2f}")
        end = (end[0] - ux * _ARROW, end[1] - uy * _ARROW)
    if direction in {"back", "both"} and attr(attrs, "arrowtail") != "none":
        marks.append(f"s,{start[0]:.2f},{start[1]:.2f}")
        start = (start[0] + ux * _ARROW, start[1] + uy * _ARROW)
    points = [
        (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
        for t in (0.0, 1 / 3, 2 / 3, 1.0)
    ]
    pos = " ".join([*marks, *(f"{x:.2f},{y:.2f}" for x, y in points)])
    text = f'pos="{pos}"'
    if re.search(r"(?:^| )label=", attrs):
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        text += f' lp="{mid[0]:.2f},{mid[1] + 6:.2f}"'
    return text

"""Positions for the HTML page, computed before it opens: one map per level of detail.

Every level (container, service, project, network) gets its own map, nested the same way:
hosts (when several) hold the network-level groups, which hold projects, which hold services,
which hold containers; a map stops at its level, whose nodes are the leaves. Each block puts
the networks that belong to it (those all of whose members it holds) in a row on top, and its
children below, packed in shelves near a screen's shape and ordered by the first network
they join, so that most lines stay short. A block with more than one child is drawn as a
frame with its name (a fold's only among projects). Drilling into a group shows the part of
the next finer map that the group holds, so the page never lays anything out: it only shows
and fits.

A map is readable when, fitted in the page's drawing area on a 1920 × 1080 screen, its
smallest text (12 px) stays at least 8 px tall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

FONT_PX = 12.0
"""The smallest text the page draws (cytoscape labels), CSS pixels."""
VIEW = (1540, 990)
"""The drawing area of the page on a 1920 × 1080 screen (without header and side panel)."""
READABLE_PX = 8.0
GAP = 16.0
PAD = 14.0
HEADER = 24.0
NET_H, NODE_H, TILE_H = 36.0, 40.0, 62.0
CHAR_PX = 7.2
"""Width of a character of the 12 px labels (bold names run a little wider)."""


@dataclass(slots=True)
class Item:
    """A node of a map: a container, a group's tile or a network."""

    id: str
    width: float
    height: float
    x: float = 0.0
    y: float = 0.0


@dataclass(slots=True)
class Block:
    """A box of a map: what one group (or host, or the map itself) holds at this level."""

    id: str
    label: str
    nets: list[Item] = field(default_factory=list)
    children: list[Block | Item] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0
    framed: bool = False
    rows: list[tuple[float, float, int]] = field(default_factory=list)
    net_rows: list[tuple[float, float, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Map:
    """One level's positions: nodes and networks (centres), frames (boxes), its size."""

    nodes: dict[str, tuple[float, float, float, float]]
    """Node → centre x, y and width, height."""
    frames: tuple[tuple[str, float, float, float, float, str], ...]
    """(group or host ID, left, top, width, height, label)."""
    width: float
    height: float

    @property
    def zoom(self) -> float:
        """The zoom that fits the whole map in the page's drawing area."""
        return min(VIEW[0] / max(self.width, 1.0), VIEW[1] / max(self.height, 1.0), 1.0)

    @property
    def readable(self) -> bool:
        """Whether its smallest text stays 8 px tall when the map is fitted."""
        return FONT_PX * self.zoom >= READABLE_PX


def node_size(
    label_lines: list[str], *, tile: bool = False, network: bool = False
) -> tuple[float, float]:
    """The box a node's label needs (the page sizes nodes the same way)."""
    longest = max((len(line) for line in label_lines), default=4)
    width = max(longest * CHAR_PX + 24.0, 110.0)
    height = TILE_H if tile else NET_H if network else NODE_H
    return width, max(height, 18.0 * len(label_lines) + 8.0)


def lay_out(
    leaves: Mapping[str, tuple[float, float]],
    path: Mapping[str, tuple[tuple[str, str], ...]],
    networks: Mapping[str, tuple[float, float]],
    links: Mapping[str, tuple[str, ...]],
) -> Map:
    """Place a level's leaves (id → size) in their nested blocks, and its networks.

    `path`: leaf → the blocks that hold it, outermost first, each (ID, label).
    `links`: network → the leaves it is drawn joined to.
    """
    root = Block(id="", label="")
    blocks: dict[str, Block] = {"": root}
    parent_of: dict[str, str] = {}
    for leaf, chain in path.items():
        parent = root
        for bid, label in chain:
            if bid not in blocks:
                blocks[bid] = Block(id=bid, label=label)
                parent.children.append(blocks[bid])
                parent_of[bid] = parent.id
            parent = blocks[bid]
        parent.children.append(Item(id=leaf, width=leaves[leaf][0], height=leaves[leaf][1]))
        parent_of[leaf] = parent.id
    for nid, (w, h) in networks.items():
        home = _common(links.get(nid, ()), parent_of)
        blocks[home].nets.append(Item(id=nid, width=w, height=h))
    first_net = _first_networks(links)
    _size(root, first_net, top=True)
    _place(root, 0.0, 0.0)
    nodes: dict[str, tuple[float, float, float, float]] = {}
    frames: list[tuple[str, float, float, float, float, str]] = []
    _collect(root, nodes, frames)
    return Map(nodes=nodes, frames=tuple(frames), width=root.width, height=root.height)


def _common(members: tuple[str, ...], parent_of: dict[str, str]) -> str:
    """The innermost block holding every member (the map itself when none)."""
    if not members:
        return ""
    chains = []
    for member in members:
        chain = []
        node = parent_of.get(member, "")
        while node:
            chain.append(node)
            node = parent_of.get(node, "")
        chains.append(list(reversed(chain)))
    common = ""
    for level in zip(*chains, strict=False):
        if len(set(level)) != 1:
            break
        common = level[0]
    return common


def _first_networks(links: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    first: dict[str, int] = {}
    for i, (_, members) in enumerate(sorted(links.items(), key=lambda kv: kv[0])):
        for member in members:
            first.setdefault(member, i)
    return first


def _order_key(child: Block | Item, first: dict[str, int]) -> tuple[int, str]:
    if isinstance(child, Item):
        return (first.get(child.id, 1 << 30), child.id)
    best = min((_order_key(c, first)[0] for c in child.children), default=1 << 30)
    return (best, child.id)


def _size(block: Block, first: dict[str, int], *, top: bool = False) -> None:
    """Size a block from its children (sized first): networks on top, children in shelves."""
    for child in block.children:
        if isinstance(child, Block):
            _size(child, first)
    block.children.sort(key=lambda c: _order_key(c, first))
    host = block.label.startswith("host ") and block.id.startswith("H")
    block.framed = not top and bool(block.label) and (len(block.children) > 1 or host)
    rows = _shelves([(c.width, c.height) for c in block.children], _target(block))
    net_rows = _shelves([(n.width, n.height) for n in block.nets], 8.0) if block.nets else []
    block.rows, block.net_rows = rows, net_rows
    width = max([r[0] for r in rows] + [r[0] for r in net_rows] + [0.0])
    height = sum(r[1] for r in rows) + GAP * max(len(rows) - 1, 0)
    height += sum(r[1] for r in net_rows) + GAP * len(net_rows)
    pad = PAD if block.framed else 0.0
    head = HEADER if block.framed else 0.0
    block.width = width + 2 * pad
    block.height = height + 2 * pad + head


def _shelves(sizes: list[tuple[float, float]], target: float) -> list[tuple[float, float, int]]:
    """Rows (width, height, count) of boxes taken in order, in the row width nearest `target`."""
    if not sizes:
        return []
    area = sum((w + GAP) * (h + GAP) for w, h in sizes)
    widest = max(w for w, _ in sizes)
    best: list[tuple[float, float, int]] = []
    best_miss = math.inf
    factors = (0.7, 1.0, 1.4) if len(sizes) > 1 else (1.0,)
    for factor in factors:
        limit = max(widest, math.sqrt(area * target) * factor)
        rows: list[tuple[float, float, int]] = []
        x = row_h = 0.0
        count = 0
        for w, h in sizes:
            if count and x + w > limit:
                rows.append((x - GAP, row_h, count))
                x = row_h = 0.0
                count = 0
            x += w + GAP
            row_h = max(row_h, h)
            count += 1
        rows.append((x - GAP, row_h, count))
        width = max(r[0] for r in rows)
        height = sum(r[1] for r in rows) + GAP * (len(rows) - 1)
        miss = abs(math.log(width / max(height, 1.0) / target))
        if miss < best_miss:
            best, best_miss = rows, miss
    return best


def _target(block: Block) -> float:
    """The shape a block's children are packed to: the map near a screen's, blocks squarer."""
    return 1.6 if not block.id else 1.4


def _place(block: Block, left: float, top: float) -> None:
    block.x, block.y = left, top
    pad = PAD if block.framed else 0.0
    x0 = left + pad
    y = _place_networks(block, x0, top + pad + (HEADER if block.framed else 0.0))
    index = 0
    for _, row_h, count in block.rows:
        x = x0
        for child in block.children[index : index + count]:
            if isinstance(child, Block):
                _place(child, x, y)
            else:
                child.x, child.y = x, y
            x += child.width + GAP
        index += count
        y += row_h + GAP


def _place_networks(block: Block, x0: float, y: float) -> float:
    """Place a block's networks in rows from (x0, y); returns the y below them."""
    index = 0
    for _, row_h, count in block.net_rows:
        x = x0
        for item in block.nets[index : index + count]:
            item.x, item.y = x, y
            x += item.width + GAP
        index += count
        y += row_h + GAP
    return y


def _collect(
    block: Block,
    nodes: dict[str, tuple[float, float, float, float]],
    frames: list[tuple[str, float, float, float, float, str]],
) -> None:
    if block.framed:
        box = (round(block.x), round(block.y), round(block.width), round(block.height))
        frames.append((block.id, *box, block.label))
    for item in [*block.nets, *(c for c in block.children if isinstance(c, Item))]:
        nodes[item.id] = (
            round(item.x + item.width / 2, 1),
            round(item.y + item.height / 2, 1),
            round(item.width),
            round(item.height),
        )
    for child in block.children:
        if isinstance(child, Block):
            _collect(child, nodes, frames)

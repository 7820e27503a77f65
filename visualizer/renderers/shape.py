"""Read the DOT text our renderers write: its blocks, node sizes, and ranks worth wrapping.

`dot` puts every node of a rank in one row (one column with `rankdir=LR`): a network with 300
containers becomes a strip metres long, and the disconnected parts of an estate are stacked
along the same ranks. `pack.py` fixes that by laying out *blocks* one by one and packing them
into a screen-shaped rectangle; this module finds the blocks and prepares each one:

- **blocks**: each innermost cluster (a compose project) is a block, and so is each group of
  the other nodes that the renderer names in a `// netviz-block:` comment (a network and its
  standalone containers); a node a `// netviz-beside:` comment names first joins the block
  that holds most of the nodes named after it (a volume goes with those that mount it); a
  node named in none is a block of its own;
- **wrapped ranks**: the leaves a node fans out to inside its block (containers on one
  network) are spread over several ranks with `minlen`, so a fan of 40 becomes 3 rows of 13.

It also estimates, without Graphviz, how big each node will be (rows, characters and font
sizes of its label) and the smallest font of the drawing, for choosing a level of detail.
The text it reads has one statement per line (engine text never holds a raw newline).
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

BLOCK_COMMENT = "// netviz-block:"
"""A renderer's hint: `// netviz-block: id id id` puts those nodes in one block."""
BESIDE_COMMENT = "// netviz-beside:"
"""A renderer's hint: `// netviz-beside: id a b c` puts `id` in the block of most of a, b, c."""

_NODE = re.compile(r"^(\s*)([A-Za-z_]\w*) \[(.*)\];$")
_EDGE = re.compile(r"^(\s*)([A-Za-z_]\w*) -> ([A-Za-z_]\w*) \[(.*)\];$")
_OPEN = re.compile(r"^\s*subgraph (cluster_\w+) \{$")
_POINT_SIZE = re.compile(r"POINT-SIZE='([0-9.]+)'")
_TAG = re.compile(r"<[^>]*>")
_KEYWORDS = frozenset({"graph", "node", "edge"})
_CHAR_WIDTH = 0.58
"""Average advance of a Helvetica character, in font sizes (bold and digits run wider)."""
_ROW_HEIGHT = 1.25
"""Height of a label row, in font sizes (with the table's cell padding)."""


@dataclass(slots=True)
class Box:
    """A node's estimated size in points, and the smallest font it uses (0: no text)."""

    width: float
    height: float
    font: float


@dataclass(slots=True)
class Cluster:
    """A `subgraph cluster_…` of the text: its attributes, nodes and clusters inside."""

    name: str
    parent: str | None
    attrs: str = ""
    nodes: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Edge:
    """One edge statement."""

    tail: str
    head: str
    attrs: str


@dataclass(slots=True)
class Parsed:
    """What the packing needs of a DOT text."""

    head: list[str]
    """The graph's opening line and its `graph`, `node`, `edge` defaults."""
    graph_attrs: str
    nodes: dict[str, str]
    """Node → its attributes, in the order written."""
    boxes: dict[str, Box]
    edges: list[Edge]
    clusters: dict[str, Cluster]
    """`""` is the graph itself."""
    hints: dict[str, str]
    """Node → block, from the renderer's comments."""
    beside: dict[str, list[str]]
    """Node → the nodes whose block it joins (`BESIDE_COMMENT`)."""
    edge_defaults: str
    rankdir: str
    ranksep: float
    nodesep: float
    min_font: float
    """The smallest font size of any text drawn (points)."""


def parse(text: str) -> Parsed:
    """Read the statements our renderers write: one per line, clusters as nested subgraphs."""
    defaults = {"node": 14.0, "edge": 14.0, "graph": 14.0}
    parsed = Parsed(
        head=[],
        graph_attrs="",
        nodes={},
        boxes={},
        edges=[],
        clusters={"": Cluster(name="", parent=None)},
        hints={},
        beside={},
        edge_defaults="",
        rankdir="TB",
        ranksep=36.0,
        nodesep=18.0,
        min_font=14.0,
    )
    stack = [""]
    fonts: list[float] = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if number == 0:
            parsed.head.append(line)
        elif stripped.startswith(BESIDE_COMMENT):
            subject, *anchors = stripped.removeprefix(BESIDE_COMMENT).split() or [""]
            parsed.beside[subject] = anchors
        elif stripped.startswith(BLOCK_COMMENT):
            members = stripped.removeprefix(BLOCK_COMMENT).split()
            parsed.hints.update(dict.fromkeys(members, members[0] if members else ""))
        elif opened := _OPEN.match(line):
            name = opened.group(1)
            parsed.clusters[name] = Cluster(name=name, parent=stack[-1])
            parsed.clusters[stack[-1]].children.append(name)
            stack.append(name)
        elif stripped == "}":
            if len(stack) > 1:
                stack.pop()
        elif edge := _EDGE.match(line):
            parsed.edges.append(Edge(tail=edge.group(2), head=edge.group(3), attrs=edge.group(4)))
            if "label=" in edge.group(4):
                fonts.append(_font(edge.group(4), defaults["edge"]))
        elif node := _NODE.match(line):
            _statement(
                parsed,
                stack[-1],
                node.group(2),
                node.group(3),
                defaults=defaults,
                fonts=fonts,
                line=line,
            )
    parsed.min_font = min(fonts, default=14.0)
    return parsed


def _statement(
    parsed: Parsed,
    cluster: str,
    name: str,
    attrs: str,
    *,
    defaults: dict[str, float],
    fonts: list[float],
    line: str,
) -> None:
    if name in _KEYWORDS:
        size = _font(attrs, defaults[name])
        if name == "graph" and cluster:
            parsed.clusters[cluster].attrs = attrs
            if "label=" in attrs:
                fonts.extend(label_fonts(attrs, size))
            return
        defaults[name] = size
        parsed.head.append(line)
        if name == "graph":
            parsed.graph_attrs = attrs
            parsed.rankdir = _attr(attrs, "rankdir") or parsed.rankdir
            parsed.ranksep = _inches(attrs, "ranksep", parsed.ranksep)
            parsed.nodesep = _inches(attrs, "nodesep", parsed.nodesep)
            if "label=" in attrs:
                fonts.extend(label_fonts(attrs, size))
        elif name == "edge":
            parsed.edge_defaults = attrs
        return
    if name in parsed.nodes:  # stated again with more attributes (a host-equivalent mark)
        parsed.nodes[name] += " " + attrs  # the later value of an attribute wins in Graphviz
        return
    box = estimate(attrs, defaults["node"])
    parsed.nodes[name] = attrs
    parsed.boxes[name] = box
    if box.font > 0 and 'style="invis"' not in attrs:
        fonts.append(box.font)
    parsed.clusters[cluster].nodes.append(name)


def attr(attrs: str, key: str) -> str | None:
    """The value of a quoted attribute, `None` when absent."""
    return _attr(attrs, key)


@functools.cache
def _attr_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf'(?:^| ){key}="((?:[^"\\]|\\.)*)"')


def _attr(attrs: str, key: str) -> str | None:
    found = _attr_pattern(key).search(attrs)
    return found.group(1) if found else None


def _inches(attrs: str, key: str, default: float) -> float:
    value = _attr(attrs, key)
    try:
        return float(value) * 72 if value is not None else default
    except ValueError:
        return default


def _font(attrs: str, default: float) -> float:
    value = _attr(attrs, "fontsize")
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def html_label(attrs: str) -> str | None:
    """The body of an HTML-like `label=<…>` (balanced angle brackets), or `None`."""
    start = attrs.find("label=<")
    if start < 0:
        return None
    depth, i = 1, start + len("label=<")
    begin = i
    while depth:
        opening, closing = attrs.find("<", i), attrs.find(">", i)
        if closing < 0:
            return attrs[begin:]
        if 0 <= opening < closing:
            depth, i = depth + 1, opening + 1
        else:
            depth, i = depth - 1, closing + 1
    return attrs[begin : i - 1]


def without_label(attrs: str) -> str:
    """The attributes without their `label` (HTML-like or quoted)."""
    body = html_label(attrs)
    if body is not None:
        return attrs.replace(f"label=<{body}>", "").replace("  ", " ").strip()
    return re.sub(r'(?:^| )label="(?:[^"\\]|\\.)*"', "", attrs).strip()


def label_fonts(attrs: str, size: float) -> list[float]:
    """The font sizes a label uses."""
    body = html_label(attrs)
    sizes = [float(s) for s in _POINT_SIZE.findall(body or "")]
    return sizes or [size]


def estimate(attrs: str, default_font: float) -> Box:
    """The size Graphviz will give a node, from its label: rows, characters, font sizes."""
    font = _font(attrs, default_font)
    if 'shape="point"' in attrs:
        width = _inches(attrs, "width", 3.6)
        return Box(width=width, height=width, font=font if "xlabel=" in attrs else 0)
    body = html_label(attrs)
    rows: list[tuple[str, float]]
    if body is not None:
        parts = re.split(r"<TR>|<BR[^>]*/>", body) if ("<TR>" in body or "<BR" in body) else [body]
        rows = []
        for row in parts:
            text = html.unescape(_TAG.sub("", row))
            sizes = [float(s) for s in _POINT_SIZE.findall(row)]
            if text.strip() or "<TD" in row:
                rows.append((text, sizes[-1] if sizes else font))
    else:
        rows = [(r, font) for r in (_attr(attrs, "label") or "").split("\\n")]
    width = max((len(t) * s * _CHAR_WIDTH for t, s in rows), default=0.0)
    height = sum(s * _ROW_HEIGHT for _, s in rows)
    smallest = min((s for t, s in rows if t.strip()), default=0.0)
    pad = (8.0, 8.0) if "plaintext" in attrs else (17.0, 9.0)
    return Box(width=max(width + pad[0], 54.0), height=max(height + pad[1], 36.0), font=smallest)


def component_blocks(lines: list[str], member: re.Pattern[str]) -> list[str]:
    """`// netviz-block:` comments for the connected parts among nodes whose ID matches."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line in lines:
        edge = _EDGE.match(line)
        if edge and member.fullmatch(edge.group(2)) and member.fullmatch(edge.group(3)):
            a, b = root(edge.group(2)), root(edge.group(3))
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for node in parent:
        groups[root(node)].append(node)
    return [f"  {BLOCK_COMMENT} {' '.join(nodes)}" for _, nodes in sorted(groups.items())]


def strip_hints(text: str) -> str:
    """The text without the packing's comments (for a layout engine other than `dot`)."""
    kept = [
        ln for ln in text.splitlines() if not ln.strip().startswith((BLOCK_COMMENT, BESIDE_COMMENT))
    ]
    return "\n".join(kept) + "\n"


# ---- blocks and wrapped ranks ------------------------------------------------------------------


def blocks(parsed: Parsed) -> dict[str, str]:
    """Node → block: its innermost cluster when that holds no cluster, else the renderer's hint."""
    block_of: dict[str, str] = {}
    for name, cluster in parsed.clusters.items():
        for node in cluster.nodes:
            if name and not cluster.children:
                block_of[node] = name
            else:
                block_of[node] = "b:" + parsed.hints.get(node, node)
    for node, anchors in parsed.beside.items():
        held = [block_of[a] for a in anchors if a in block_of]
        if node in block_of and held and node not in parsed.hints:
            block_of[node] = max(held, key=lambda b: (held.count(b), -held.index(b)))
    return block_of


def wrap(parsed: Parsed, block_of: dict[str, str]) -> dict[int, int]:
    """Edge index → `minlen`: the leaves a node fans out to, spread over about √n ranks.

    A leaf is a node with no other edge; the fan's rows are chosen so that the wrapped fan is
    about as long along the ranks as across them.
    """
    lr = parsed.rankdir in {"LR", "RL"}
    degree: dict[str, int] = defaultdict(int)
    for e in parsed.edges:
        degree[e.tail] += 1
        degree[e.head] += 1
    fans: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(parsed.edges):
        if (
            degree[e.head] == 1
            and block_of.get(e.tail) == block_of.get(e.head)
            and e.head in parsed.boxes
            and "minlen=" not in e.attrs
            and "constraint=" not in e.attrs
        ):
            fans[e.tail].append(i)
    minlen: dict[int, int] = {}
    for edges in fans.values():
        if len(edges) < 4:  # noqa: PLR2004 - a short fan reads best in one rank
            continue
        box = parsed.boxes[parsed.edges[edges[0]].head]
        along = (box.width if lr else box.height) + parsed.ranksep
        across = (box.height if lr else box.width) + parsed.nodesep
        rows = max(1, round(math.sqrt(len(edges) * across / along)))
        for n, i in enumerate(edges):
            if n % rows:
                minlen[i] = 1 + n % rows
    return minlen


def estimate_blocks(parsed: Parsed) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """Node → block, and each block's estimated size (points) as `dot` would draw it wrapped.

    Ranks by longest path (wrapped fans included); a rank is as long as its longest node
    and as wide as its nodes side by side. A cluster adds its margins and label.
    """
    lr = parsed.rankdir in {"LR", "RL"}
    block_of = blocks(parsed)
    minlen = wrap(parsed, block_of)
    rank: dict[str, int] = {}
    incoming: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, e in enumerate(parsed.edges):
        if e.tail != e.head and block_of.get(e.tail) == block_of.get(e.head) and e.tail in block_of:
            incoming[e.head].append((e.tail, minlen.get(i, 1)))

    def rank_of(node: str, depth: int = 0) -> int:
        if node not in rank:
            rank[node] = 0  # a cycle reads as rank 0 here
            if depth < 200:  # noqa: PLR2004 - deep chains do not occur in our drawings
                rank[node] = max(
                    (rank_of(t, depth + 1) + n for t, n in incoming.get(node, ())), default=0
                )
        return rank[node]

    along: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    across: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for node, box in parsed.boxes.items():
        r, key = rank_of(node), block_of[node]
        a, c = (box.width, box.height) if lr else (box.height, box.width)
        along[key][r] = max(along[key][r], a)
        across[key][r] += c + parsed.nodesep
    sizes: dict[str, tuple[float, float]] = {}
    for key, ranks in along.items():
        extent = sum(ranks.values()) + parsed.ranksep * (len(ranks) - 1)
        spread = max(across[key].values())
        pad = 40.0 if key in parsed.clusters else 8.0
        w, h = (extent, spread) if lr else (spread, extent)
        sizes[key] = (w + pad, h + pad)
    return block_of, sizes

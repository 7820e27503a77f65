"""Draw a DOT text in a screen's shape, and judge whether the picture can be read.

With the `dot` engine the drawing is split into blocks, each laid out on its own and packed
into a rectangle near 16:9 (`shape.py`, `pack.py`); other engines lay the whole text out as
it is. `Picture` holds the size and smallest font of the result: fitted on a 1920 × 1080
screen, its text must stay at least 8 px tall, and its shape within 1:3 and 3:1.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.renderers.graphviz import pipe, svg_size
from visualizer.renderers.pack import assemble, lay_out_blocks, pack
from visualizer.renderers.shape import estimate_blocks, parse, strip_hints

SCREEN = (1920, 1080)
"""The screen a picture is judged on, in pixels."""
READABLE_PX = 8.0
"""Text at least this many pixels tall, when the whole picture is fitted on `SCREEN`."""
ASPECT_LIMIT = 3.0
"""Any picture stays within 1:3 and 3:1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Picture:
    """The size of a drawing and of its smallest text: whether it can be read."""

    width: float
    """Points (Graphviz units, the SVG's viewBox)."""
    height: float
    min_font: float
    """The smallest font size used, points."""

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.width / self.height if self.height else 1.0

    @property
    def label_px(self) -> float:
        """How tall the smallest text is once the picture is fitted on the screen."""
        if not self.width or not self.height:
            return self.min_font
        return self.min_font * min(SCREEN[0] / self.width, SCREEN[1] / self.height)

    @property
    def readable(self) -> bool:
        """Whether the smallest text is at least `READABLE_PX` tall on the screen."""
        return self.label_px >= READABLE_PX

    @property
    def sane(self) -> bool:
        """Whether the shape is within 1:3 and 3:1."""
        return 1 / ASPECT_LIMIT <= self.aspect <= ASPECT_LIMIT


def draw(text: str, *, fmt: str, layout: str = "dot") -> tuple[bytes, Picture]:
    """Lay out and render a drawing in `fmt` (svg, png, pdf), packed when the engine is dot."""
    parsed = parse(text)
    if layout != "dot" or not parsed.nodes:
        plain = strip_hints(text)
        svg = pipe(plain, fmt="svg", layout=layout)
        width, height = svg_size(svg)
        picture = Picture(width=width, height=height, min_font=parsed.min_font)
        return (svg if fmt == "svg" else pipe(plain, fmt=fmt, layout=layout)), picture
    block_of, laid = lay_out_blocks(parsed)
    packed = pack(parsed, block_of, {k: (b.width, b.height) for k, b in laid.items()})
    positioned = assemble(parsed, block_of, laid, packed)
    # drawing from positions costs no layout: measure the SVG, then write the format asked
    svg = pipe(positioned, fmt="svg", layout=layout, positioned=True)
    width, height = svg_size(svg)
    picture = Picture(width=width, height=height, min_font=parsed.min_font)
    if fmt == "svg":
        return svg, picture
    return pipe(positioned, fmt=fmt, layout=layout, positioned=True), picture


def estimate(text: str) -> Picture:
    """The picture `draw` would make of a text, estimated without Graphviz."""
    parsed = parse(text)
    if not parsed.nodes:
        return Picture(width=0.0, height=0.0, min_font=parsed.min_font)
    block_of, sizes = estimate_blocks(parsed)
    packed = pack(parsed, block_of, sizes)
    return Picture(width=packed.width, height=packed.height, min_font=parsed.min_font)

"""Output formats (one enum per family), renderer options, and the value every renderer returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

from visualizer.analysis.aggregate import Detail

__all__ = [
    "AuditFormat",
    "Detail",
    "DiffFormat",
    "Direction",
    "DocumentFormat",
    "Format",
    "Layout",
    "MatrixFormat",
    "OutputFormat",
    "ProbeFormat",
    "ReachFormat",
    "RenderOptions",
    "Rendered",
    "TextOptions",
    "View",
]


class Format(StrEnum):
    """Diagram formats (`render`, `watch`); the CLI's `--format` choices come from here."""

    DOT = "dot"
    SVG = "svg"
    PNG = "png"
    PDF = "pdf"
    MERMAID = "mermaid"
    HTML = "html"
    JSON = "json"

    @property
    def binary(self) -> bool:
        """Whether the output is binary (not fit for a terminal)."""
        return self in {Format.PNG, Format.PDF}

    @property
    def to_stdout(self) -> bool:
        """Whether `render` writes it to stdout when no `-o` is given (text meant for pipes)."""
        return self in {Format.DOT, Format.MERMAID, Format.JSON}

    @property
    def suffix(self) -> str:
        """File name suffix, with the dot."""
        return ".mmd" if self is Format.MERMAID else f".{self.value}"


class AuditFormat(StrEnum):
    """Output formats of `netviz audit`."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class MatrixFormat(StrEnum):
    """Output formats of `netviz matrix`."""

    TEXT = "text"
    CSV = "csv"


class DiffFormat(StrEnum):
    """Output formats of `netviz diff`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class ReachFormat(StrEnum):
    """Output formats of `netviz reach`."""

    TEXT = "text"
    JSON = "json"


class ProbeFormat(StrEnum):
    """Output formats of `netviz probe`."""

    TABLE = "table"
    JSON = "json"


class DocumentFormat(StrEnum):
    """Documents that come in one format only: the report and the snapshot file."""

    MARKDOWN = "markdown"
    SNAPSHOT = "snapshot"


OutputFormat = Format | AuditFormat | MatrixFormat | DiffFormat | ReachFormat | ProbeFormat
"""Any format a renderer produces."""


class View(StrEnum):
    """What a diagram shows."""

    TOPOLOGY = "topology"
    """Networks and containers, one line per endpoint (findings marked)."""
    REACHABILITY = "reachability"
    """Containers only, one line per reachable pair; host and outside exposure."""


class Layout(StrEnum):
    """Graphviz layout engines."""

    DOT = "dot"
    NEATO = "neato"
    FDP = "fdp"
    SFDP = "sfdp"
    CIRCO = "circo"
    TWOPI = "twopi"
    OSAGE = "osage"


class Direction(StrEnum):
    """Direction of the drawing for the `dot` layout (Graphviz `rankdir`)."""

    LR = "LR"
    TB = "TB"
    RL = "RL"
    BT = "BT"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How to draw; never where to write (renderers return values)."""

    layout: Layout = Layout.DOT
    """Graphviz layout engine."""
    direction: Direction = Direction.LR
    """Drawing direction (used by the `dot` layout)."""
    legend: bool = True
    """Draw the legend."""
    view: View = View.TOPOLOGY
    """Which diagram to draw."""
    detail: Detail = Detail.AUTO
    """One node per container, service, project or shared-network group; `auto`: the most
    detailed level whose picture stays readable."""
    data: bool = True
    """Draw what containers share besides the network: volumes and host paths in the
    topology view, channels in the reachability view (`--no-data` hides them)."""

    def __post_init__(self) -> None:
        """Accept plain strings from library callers (`direction="TB"`)."""
        object.__setattr__(self, "layout", Layout(self.layout))
        object.__setattr__(self, "direction", Direction(self.direction))
        object.__setattr__(self, "view", View(self.view))
        object.__setattr__(self, "detail", Detail(self.detail))


@dataclass(frozen=True, slots=True, kw_only=True)
class TextOptions:
    """How terminal tables look (audit, matrix and probe tables); other formats ignore it."""

    color: bool = False
    """ANSI colours."""
    width: int = 120
    """Columns to fit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """A rendered document, the one result type of every renderer: its bytes and what they are.

    A document too large to hold (every pair of a large estate) is made piece by piece while
    it is written: its `body` is a function giving the pieces, and `chunks()` is how writers
    read any document.
    """

    body: bytes | Callable[[], Iterable[bytes]]
    """The document, or a function that makes it piece by piece (each call anew)."""
    format: OutputFormat | DocumentFormat
    """The format it is in."""
    notes: tuple[str, ...] = ()
    """What the reader should know (e.g. a coarser view was drawn); the CLI prints them."""

    def chunks(self) -> Iterator[bytes]:
        """The document's bytes, in pieces; a streamed document is made as they are read."""
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body()

    @property
    def content(self) -> bytes:
        """The whole document (a streamed one is made, and held, in full)."""
        return self.body if isinstance(self.body, bytes) else b"".join(self.chunks())

    @property
    def text(self) -> str:
        """The document as text (text formats only)."""
        return self.content.decode("utf-8")

    @property
    def binary(self) -> bool:
        """Whether the document is binary (not fit for a terminal)."""
        return isinstance(self.format, Format) and self.format.binary

    @classmethod
    def of_text(
        cls, text: str, fmt: OutputFormat | DocumentFormat, notes: tuple[str, ...] = ()
    ) -> Rendered:
        """A text document, UTF-8 encoded."""
        return cls(body=_utf8(text), format=fmt, notes=notes)

    @classmethod
    def of_pieces(
        cls, pieces: Callable[[], Iterable[str]], fmt: OutputFormat | DocumentFormat
    ) -> Rendered:
        """A text document made piece by piece each time it is written."""
        return cls(body=lambda: (_utf8(piece) for piece in pieces()), format=fmt)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")

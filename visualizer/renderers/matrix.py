"""`netviz matrix`: the truth table as terminal text or CSV."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from visualizer.analysis.matrix import Cell
from visualizer.renderers.terminal import print_to_text
from visualizer.text import csv_cell, visible

if TYPE_CHECKING:
    from visualizer.analysis.matrix import Matrix

SYMBOLS = {Cell.SELF: "·", Cell.NAME: "N", Cell.IP: "I", Cell.PORTS: "P", Cell.NO: "-"}
LEGEND = (
    "rows reach columns: N = by IP and by name, I = by IP only, "
    "P = only published ports through the host, - = no"
)


def render_matrix_text(matrix: Matrix, *, color: bool = False, width: int = 200) -> str:
    """A rich table, one row per source container."""
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    styles = {
        Cell.NAME: "bold green",
        Cell.IP: "green",
        Cell.PORTS: "yellow",
        Cell.NO: "dim",
        Cell.SELF: "dim",
    }
    table = Table(caption=LEGEND, show_lines=False)
    table.add_column("from \\ to")
    for i, _ in enumerate(matrix.names):
        table.add_column(str(i), justify="center")
    for i, (name, row) in enumerate(zip(matrix.names, matrix.cells, strict=True)):
        table.add_row(
            Text(f"{i} {visible(name)}"), *(Text(SYMBOLS[c], style=styles[c]) for c in row)
        )
    return print_to_text([table], width=width, color=color)


def render_matrix_csv(matrix: Matrix) -> str:
    """CSV: a header row of targets, then one row per source; cells are the `Cell` values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["from\\to", *(csv_cell(n) for n in matrix.names)])
    for name, row in zip(matrix.names, matrix.cells, strict=True):
        writer.writerow([csv_cell(name), *(c.value for c in row)])
    return buffer.getvalue()

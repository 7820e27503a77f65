"""The truth table: for chosen containers, how each reaches each other."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.analysis.reachability import Reachability


class Cell(StrEnum):
    """One entry of the matrix, from the row container to the column container."""

    SELF = "self"
    NAME = "name"
    """Reachable at IP level, and a name resolves."""
    IP = "ip"
    """Reachable at IP level by address only."""
    PORTS = "ports"
    """Only published ports, through a host address."""
    NO = "no"


@dataclass(frozen=True, slots=True, kw_only=True)
class Matrix:
    """Rows and columns are the same containers, in name order."""

    names: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]


def truth_table(reach: Reachability, keys: list[str]) -> Matrix:
    """Build the matrix for `keys` (graph keys of containers), in name order."""
    ordered = [k for k in reach.container_keys() if k in set(keys)]
    rows = []
    for a in ordered:
        row = []
        for b in ordered:
            if a == b:
                row.append(Cell.SELF)
                continue
            v = reach.verdict(a, b)
            if v.reachable:
                row.append(Cell.NAME if v.by_name else Cell.IP)
            elif reach.port_path(a, b) is not None:
                row.append(Cell.PORTS)
            else:
                row.append(Cell.NO)
        rows.append(tuple(row))
    return Matrix(names=tuple(reach.label(k) for k in ordered), cells=tuple(rows))

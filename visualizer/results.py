"""What the library API's commands return: an outcome, and the answers of `reach` and `watch`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from datetime import datetime

    from visualizer.analysis.channels import Channel
    from visualizer.analysis.diff import Diff
    from visualizer.analysis.reachability import PortPath, Verdict
    from visualizer.model import Snapshot
    from visualizer.renderers import Rendered

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome(Generic[T]):
    """What a command produced."""

    value: T
    """The typed result (an audit report, a verdict, a matrix, a diff…)."""
    output: Rendered
    """The document to show or write."""
    negative: bool = False
    """The answer is "no": not reachable, the audit fails, sources differ, probe disagrees."""
    warnings: tuple[str, ...] = ()
    """What the reader should know: problems met while loading, coarser views drawn."""
    attachments: tuple[Rendered, ...] = ()
    """Further documents the command was asked for (`diff --diagram`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachAnswer:
    """Whether one container reaches another, and the published-port path when it does not."""

    verdict: Verdict
    port_path: PortPath | None
    channels: tuple[Channel, ...] = ()
    """Ways the source can affect the target besides the network (volumes, namespaces, …)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchUpdate:
    """One redraw of `watch`."""

    at: datetime
    """When the capture was taken (local time)."""
    snapshot: Snapshot
    output: Rendered
    line: str
    """One line for a person: what is watched, or what changed."""
    changes: Diff | None
    """What changed since the last update (`None` for the first)."""

"""The commands about change: `diff` (two sources) and `watch` (an engine as it changes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from visualizer.graph import build_graph, containers, networks
from visualizer.model import Snapshot
from visualizer.pipeline import analyse, load_sides, view_of
from visualizer.renderers import DiffFormat, Format, Rendered, RenderOptions
from visualizer.results import Outcome, WatchUpdate
from visualizer.selection import Selection, select
from visualizer.sources.spec import SourceSpec

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from visualizer.analysis.diff import Diff


def diff(
    a: SourceSpec | Snapshot | str,
    b: SourceSpec | Snapshot | str,
    *,
    fmt: DiffFormat | str = DiffFormat.TEXT,
    selection: Selection | None = None,
    diagram: Format | str | None = None,
    base: SourceSpec | None = None,
    inspect: bool = True,
) -> Outcome[Diff]:
    """Compare two sources (`netviz diff`); negative = they differ.

    A source given as a string is read like `SourceSpec.parse` reads it, with the compose
    options and timeout of `base`. Compose files compared with an engine are predicted with
    the naming the engine's containers of the project use, and only the project is compared.
    `diagram` also draws both sides in one change diagram (added green, removed red, changed
    amber) in a Graphviz format.
    """
    from visualizer.analysis.diff import diff_graphs, scoped  # noqa: PLC0415
    from visualizer.analysis.union import union  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415
    from visualizer.renderers import render_diff  # noqa: PLC0415

    chosen = selection or Selection()
    parsed = tuple((base or SourceSpec()).parse(x) if isinstance(x, str) else x for x in (a, b))
    snaps, project, notes = load_sides((parsed[0], parsed[1]), inspect=inspect)
    if project is not None and not any(k == "project" for k, _ in chosen.filters):
        # compose files against an engine: compare the project, not the whole engine
        chosen = replace(chosen, filters=(*chosen.filters, ("project", project)))
    graph_a, graph_b = build_graph(snaps[0]), build_graph(snaps[1])
    result = diff_graphs(graph_a, graph_b, a_label=_label(a), b_label=_label(b))
    lost: tuple[str, ...] = ()
    if chosen.filters:
        view_a, lost_a = view_of(graph_a, chosen)
        view_b, lost_b = view_of(graph_b, chosen)
        lost = tuple(w for w in lost_a if w in lost_b)  # matches nothing on either side
        result = scoped(result, view_a, view_b)
    attachments: tuple[Rendered, ...] = ()
    if diagram is not None:
        merged, status = union(snaps[0], snaps[1], result)
        shown = select(build_graph(merged), chosen)
        attachments = (draw(shown, diagram, RenderOptions(), None, status),)
    warnings = (*snaps[0].warnings, *snaps[1].warnings, *notes, *lost)
    return Outcome(
        value=result,
        output=render_diff(result, fmt),
        negative=not result.equal,
        warnings=warnings,
        attachments=attachments,
    )


def watch(
    source: SourceSpec,
    *,
    on_update: Callable[[WatchUpdate], None],
    log: Callable[[str], None],
    fmt: Format | str = Format.SVG,
    options: RenderOptions | None = None,
    selection: Selection | None = None,
    debounce: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Follow an engine's events and redraw after each burst of changes (`netviz watch`).

    `on_update` gets the first drawing, then one per change; `log` what happens to the
    connection. Each drawing is at `options.detail` (`auto`: chosen again each time) and its
    `output.notes` say the level and what of the data layer it does not draw. Returns when
    `stop` is set (Ctrl-C in the CLI).
    """
    from visualizer.analysis.diff import diff_graphs, scoped  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415
    from visualizer.sources.engine import load_live  # noqa: PLC0415
    from visualizer.sources.events import follow_events  # noqa: PLC0415
    from visualizer.sources.watch import READY  # noqa: PLC0415
    from visualizer.sources.watch import watch as follow  # noqa: PLC0415

    target = source.one_engine("watch")
    chosen, opts = selection or Selection(), options or RenderOptions()
    draw_format = Format(fmt)

    def publish(snap: Snapshot, before: Snapshot | None) -> None:
        graph = build_graph(snap)
        shown = select(graph, chosen)
        change = None
        if before is not None:
            earlier = build_graph(before)
            change = diff_graphs(earlier, graph)
            if chosen.filters:  # report what the drawing shows, not the rest of the engine
                change = scoped(change, select(earlier, chosen), shown)
            if change.equal:
                return
        if change is None:
            counts = f"{len(networks(shown))} networks, {len(containers(shown))} containers"
            line = f"watching {snap.source}: {counts}"
        else:
            line = change.headline()
        out = draw(shown, draw_format, opts, analyse(graph))
        now = datetime.now(UTC).astimezone()
        on_update(WatchUpdate(at=now, snapshot=snap, output=out, line=line, changes=change))

    follow(
        capture=lambda: load_live(target),
        follow=lambda push: follow_events(
            target, push, on_problem=log, on_ready=lambda: push(READY)
        ),
        publish=publish,
        log=log,
        debounce=debounce,
        stop=stop,
    )


def _label(side: SourceSpec | Snapshot | str) -> str:
    if isinstance(side, str):
        return side
    if isinstance(side, Snapshot):
        return side.source or "snapshot"
    return "live" if side.is_live else "source"

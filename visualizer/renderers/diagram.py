"""A diagram at a level of detail: the chosen (or the most detailed readable) level, drawn.

`render_diagram` is what `renderers.render` runs for every diagram format. With `--detail
auto` it tries the levels from the most detailed (`container`) to the coarsest (`network`)
and keeps the first whose picture can be read: fitted on a 1920 × 1080 screen, its smallest
text is at least 8 px tall (`fit.Picture`). A level is judged first from an estimate of its
size (no Graphviz); SVG, PNG and PDF are then measured once drawn (a level whose estimate
misses by less than a fifth is drawn to be sure), and a drawing that turns out unreadable
gives way to the next level. A level with more than `MAX_NODES` nodes is not
even estimated. A picture of one compose project or swarm stack (`--filter project=shop`) is
drawn per container: drilling down is what the filter asked for. The level chosen, and how to
get more detail, go to `Rendered.notes`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.analysis.aggregate import LEVELS, Detail, aggregate, group_count, one_project
from visualizer.errors import UsageError
from visualizer.graph import containers, networks
from visualizer.renderers.fit import READABLE_PX, SCREEN, Picture, draw, estimate
from visualizer.renderers.options import Format, Layout, Rendered, View
from visualizer.renderers.shape import strip_hints

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.diff import ChangeMap
    from visualizer.analysis.group_data import GroupData
    from visualizer.analysis.reach_classes import ReachIndex
    from visualizer.renderers.options import RenderOptions

MAX_NODES = 500
"""A picture with more nodes cannot keep 9-point text 8 px tall on the screen: not tried."""
IMAGES = frozenset({Format.SVG, Format.PNG, Format.PDF})
ESTIMATE_SLACK = 0.8
"""An image whose estimated text is within this factor of readable is drawn and measured."""
UNMEASURED = Picture(width=0.0, height=0.0, min_font=0.0)
"""The picture of a level asked for in a text format: nothing to decide from its size."""
WORD = {
    Detail.CONTAINER: "container",
    Detail.SERVICE: "service",
    Detail.PROJECT: "project",
    Detail.NETWORK: "shared-network group",
}


class _Index:
    """The reachability index of the analysis, computed once, when a level needs it."""

    def __init__(self) -> None:
        self.value: ReachIndex | None = None

    def of(self, analysis: Analysis) -> ReachIndex:
        """The index of `analysis.reach`."""
        if self.value is None:
            from visualizer.analysis.reach_classes import reach_index  # noqa: PLC0415

            self.value = reach_index(analysis.reach)
        return self.value


def levels(options: RenderOptions) -> tuple[Detail, ...]:
    """The levels to try: the one asked for, or every level from the most detailed."""
    return LEVELS if options.detail is Detail.AUTO else (options.detail,)


def nodes(g: nx.Graph[str], agg: Aggregate | None) -> int:
    """How many nodes a level draws (networks included)."""
    if agg is None:
        return len(networks(g)) + len(containers(g))
    return len(agg.groups) + len(agg.networks)


def level_data(
    g: nx.Graph[str], options: RenderOptions, analysis: Analysis | None, agg: Aggregate | None
) -> GroupData | None:
    """The data layer of a collapsed level (`None`: per container, or `--no-data`)."""
    if agg is None or not options.data:
        return None
    from visualizer.analysis.group_data import group_data  # noqa: PLC0415

    if options.view is View.REACHABILITY and analysis is not None:  # channels, not mounts
        return replace(group_data(g, agg, analysis.channels), shared=(), mounts=(), own={})
    return group_data(g, agg)


def source(
    g: nx.Graph[str],
    options: RenderOptions,
    analysis: Analysis | None,
    agg: Aggregate | None,
    *,
    index: _Index,
    changes: ChangeMap | None = None,
    data: GroupData | None = None,
) -> str:
    """The DOT text of the view at a level (`agg` `None`: the container level)."""
    if options.view is View.REACHABILITY:
        from visualizer.analysis.audit import analyse  # noqa: PLC0415

        full = analysis or analyse(g)
        if agg is None:
            from visualizer.renderers.reach_dot import render_reachability_dot  # noqa: PLC0415

            return render_reachability_dot(g, options, full)
        from visualizer.analysis.group_reach import group_reach  # noqa: PLC0415
        from visualizer.renderers.group_reach_dot import render_group_reach_dot  # noqa: PLC0415

        found = group_reach(g, agg, full.reach, index.of(full))
        return render_group_reach_dot(g, agg, found, options, data)
    if agg is None:
        from visualizer.renderers.dot import render_dot  # noqa: PLC0415

        return render_dot(g, options, analysis, changes)
    from visualizer.renderers.group_dot import render_group_dot  # noqa: PLC0415

    return render_group_dot(g, agg, options, analysis, data)


def render_diagram(
    fmt: Format,
    g: nx.Graph[str],
    options: RenderOptions,
    analysis: Analysis | None,
    changes: ChangeMap | None,
) -> Rendered:
    """Draw `g` in a Graphviz format or Mermaid at the chosen (or readable) level."""
    tried = levels(options)
    if changes is not None and tried != (Detail.CONTAINER,):
        if options.detail is not Detail.AUTO:
            raise UsageError("a change diagram is drawn per container: use --detail container")
        tried = (Detail.CONTAINER,)
    whole = options.detail is Detail.AUTO and changes is None and one_project(g)
    if whole:
        tried = (Detail.CONTAINER,)
    auto = len(tried) > 1
    if options.view is View.REACHABILITY and analysis is None:
        from visualizer.analysis.audit import analyse  # noqa: PLC0415

        analysis = analyse(g)  # once, for every level tried
    index = _Index()
    last_level = tried[-1]
    for level in tried:
        last = level is last_level
        if (
            auto
            and not last
            and level is not Detail.CONTAINER
            and group_count(g, level) > MAX_NODES
        ):
            continue  # too many nodes to read, whatever the layout: not even built
        agg = None if level is Detail.CONTAINER else aggregate(g, analysis, level)
        if auto and not last and nodes(g, agg) > MAX_NODES:
            continue
        data = level_data(g, options, analysis, agg)
        text = source(g, options, analysis, agg, index=index, changes=changes, data=data)
        # measured when it decides something: the level, a note, or an image's shape
        measured = auto or whole or fmt in IMAGES
        picture = estimate(text) if measured else UNMEASURED
        empty = not picture.width  # no node: a title or legend alone has no shape to keep
        # an image is measured once drawn: only a clearly unreadable estimate skips its level
        slack = ESTIMATE_SLACK if fmt in IMAGES else 1.0
        if auto and not last and picture.label_px < READABLE_PX * slack:
            continue
        if fmt in IMAGES:
            content, picture = draw(text, fmt=fmt.value, layout=options.layout.value)
            if auto and not last and not picture.readable:
                continue
        elif fmt is Format.MERMAID:
            from visualizer.renderers.mermaid_levels import mermaid_at  # noqa: PLC0415

            drawn = mermaid_at(g, options, analysis, agg, index.of, data=data)
            if auto and not last and drawn.notes:
                continue  # past GitHub's limits: a coarser level fits
            said = (
                *notes(level, auto=auto, whole=whole, picture=picture, agg=agg, g=g),
                *data_notes(level, data),
                *drawn.notes,
            )
            return Rendered.of_text(drawn.text, fmt, said)
        else:
            content = strip_hints(text).encode("utf-8")
        found = notes(level, auto=auto, whole=whole, picture=picture, agg=agg, g=g)
        found += data_notes(level, data)
        if fmt in IMAGES and not picture.sane and not empty:
            found += (_shape_note(picture, options),)
        return Rendered(body=content, format=fmt, notes=found)
    raise AssertionError("the last level is always drawn")  # pragma: no cover


def notes(
    level: Detail,
    *,
    auto: bool,
    whole: bool,
    picture: Picture,
    agg: Aggregate | None,
    g: nx.Graph[str],
) -> tuple[str, ...]:
    """What to say on stderr: the level chosen and how to get more detail; an unreadable one.

    `whole`: one project drawn per container by `--detail auto`, readable or not.
    """
    found = []
    count = len(containers(g))
    if auto and level is not Detail.CONTAINER and agg is not None:
        finer = [lv.value for lv in LEVELS[: LEVELS.index(level)]][::-1]
        found.append(
            f"drew one node per {WORD[level]} ({len(agg.groups)} nodes for {count} containers): "
            f"the most detailed level whose text stays at least {READABLE_PX:g} px tall on a "
            f"{SCREEN[0]}×{SCREEN[1]} screen; for more detail use --detail "
            f"{' or '.join(finer)}, or draw one project in full with --filter project=NAME"
        )
    if auto and not picture.readable and picture.width:
        found.append(
            f"even one node per {WORD[level]}, the picture's smallest text is "
            f"{picture.label_px:.1f} px tall on a {SCREEN[0]}×{SCREEN[1]} screen: draw a part "
            "with --filter, or use -f html to zoom"
        )
    if whole and not picture.readable and picture.width:
        found.append(
            f"one project is drawn per container ({count} containers); its smallest text is "
            f"{picture.label_px:.1f} px tall on a {SCREEN[0]}×{SCREEN[1]} screen: --detail "
            "service draws one node per service, -f html zooms"
        )
    return tuple(found)


def data_notes(level: Detail, data: GroupData | None) -> tuple[str, ...]:
    """What a collapsed level counts in its nodes rather than draws of the data layer."""
    if data is None or not data.summarised:
        return ()
    what = []
    if data.own:
        kept = sum(v + p for v, p in data.own.values())
        what.append(
            f"{kept} volumes and host paths that only the containers of one node mount "
            f"(in {len(data.own)} nodes)"
        )
    if data.inside:
        what.append(
            "channels among the containers of one node "
            f"({sum(data.inside.values())} shared resources, in {len(data.inside)} nodes)"
        )
    return (
        (
            f"one node per {WORD[level]}: {' and '.join(what)} are not drawn; --detail "
            "container draws each, -f html lists them per node"
        ),
    )


def _shape_note(picture: Picture, options: RenderOptions) -> str:
    size = f"a {picture.width:.0f}×{picture.height:.0f} picture, outside 1:3–3:1"
    if options.layout is Layout.DOT:
        return f"packing drew {size}"
    return (
        f"the {options.layout.value} layout drew {size}; the default layout (dot) packs it to "
        "a screen's shape"
    )

"""The library API: the whole pipeline, and one function per `netviz` command.

A command reads a *source* — a `SourceSpec` (engines, a snapshot file, the demo, compose files),
a `Snapshot` already loaded, or a graph already built — then runs the pipeline

    load → build_graph → select (a `Selection`) → analyse → render

and returns an `Outcome`: the typed result, the rendered document, whether the answer is
negative (the CLI's exit code 1) and the warnings met on the way. Nothing here prints or writes
a file; the CLI does, and so can any caller.

>>> import visualizer as nv
>>> out = nv.render(nv.SourceSpec(demo=True), nv.Format.DOT)
>>> out.output.text.startswith("digraph netviz")
True
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from visualizer.analysis.catalogue import FailOn
from visualizer.errors import EngineError, InputError
from visualizer.graph import Selection, build_graph, containers, networks, select, warnings_of
from visualizer.model import Snapshot
from visualizer.renderers import (
    AuditFormat,
    Detail,
    DiffFormat,
    Direction,
    DocumentFormat,
    Format,
    Layout,
    MatrixFormat,
    ProbeFormat,
    ReachFormat,
    Rendered,
    RenderOptions,
    TextOptions,
    View,
)
from visualizer.results import Outcome, ReachAnswer, WatchUpdate
from visualizer.sources.spec import ComposeNaming, Progress, SourceSpec, load, load_demo

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    import networkx as nx

    from visualizer.analysis.audit import Analysis, AuditReport, Baseline
    from visualizer.analysis.diff import Diff
    from visualizer.analysis.matrix import Matrix
    from visualizer.analysis.policy import Policy
    from visualizer.analysis.probe import ProbeReport

Source: TypeAlias = "SourceSpec | Snapshot | nx.Graph[str]"
"""What a command reads: a source to load, a snapshot, or a graph built from one."""

# ---- building blocks -------------------------------------------------------------------------


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file written by `netviz snapshot` (or `dumps_snapshot`)."""
    return load(SourceSpec(snapshot=Path(path)))


def load_compose(
    files: list[Path] | tuple[Path, ...],
    *,
    project_name: str | None = None,
    profiles: tuple[str, ...] = (),
    env_file: Path | None = None,
    naming: ComposeNaming | str = ComposeNaming.V2,
) -> Snapshot:
    """Predict the topology `docker compose up` would create from compose files."""
    return load(
        SourceSpec(
            compose=tuple(Path(f) for f in files),
            project_name=project_name,
            profiles=profiles,
            env_file=env_file,
            naming=ComposeNaming(naming),
        )
    )


def dumps_snapshot(snapshot: Snapshot) -> str:
    """Serialise a snapshot to the snapshot file format."""
    from visualizer.sources.snapshot import dumps  # noqa: PLC0415

    return dumps(snapshot)


def analyse(graph: nx.Graph[str]) -> Analysis:
    """Reachability and findings of a full graph (pass it to renderers of a filtered view)."""
    from visualizer.analysis.audit import analyse as run  # noqa: PLC0415

    return run(graph)


def load_policy(path: str | Path) -> Policy:
    """Read a reachability policy (YAML)."""
    from visualizer.analysis.policy import parse_policy  # noqa: PLC0415

    return parse_policy(_read_text(Path(path), "policy"), origin=str(path))


def load_baseline(path: str | Path) -> Baseline:
    """Read an earlier `netviz audit --format json` to compare with."""
    from visualizer.analysis.audit import parse_baseline  # noqa: PLC0415

    return parse_baseline(_read_text(Path(path), "baseline"), origin=str(path))


def open_graph(
    source: Source,
    *,
    inspect: bool = False,
    progress: Progress | None = None,
) -> tuple[nx.Graph[str], tuple[str, ...]]:
    """The full graph of a source, and the warnings met loading and building it."""
    if isinstance(source, SourceSpec):
        source = load(source, inspect=inspect, progress=progress)
    if isinstance(source, Snapshot):
        graph = build_graph(source)
        return graph, (*source.warnings, *warnings_of(graph))
    return source, ()


# ---- the commands ----------------------------------------------------------------------------


def render(
    source: Source,
    fmt: Format | str = Format.SVG,
    *,
    options: RenderOptions | None = None,
    selection: Selection | None = None,
    detail: Detail | str | None = None,
    findings: bool = True,
    inspect: bool = False,
    fallback_demo: bool = False,
    progress: Progress | None = None,
) -> Outcome[None]:
    """Draw a source (`netviz render`): topology or reachability, in any diagram format.

    `detail` (else `options.detail`): one node per container, service, project or network
    group; `auto`: the most detailed readable level (the warnings say which). `findings`
    marks audit findings; `fallback_demo` draws the demo when no engine answers.
    """
    from visualizer.renderers import DIAGRAMS  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415

    chosen = DIAGRAMS.format(fmt)
    notes: tuple[str, ...] = ()
    try:
        graph, warnings = open_graph(source, inspect=inspect, progress=progress)
    except EngineError as exc:
        if not fallback_demo:
            raise
        notes = (f"{exc}; drawing the bundled demo topology instead",)
        graph, warnings = open_graph(load_demo())
    opts = options or RenderOptions()
    if detail is not None:
        opts = replace(opts, detail=Detail(detail))
    shown = select(graph, selection or Selection())
    needs = findings or opts.view is View.REACHABILITY or chosen is Format.HTML
    analysis = analyse(graph) if needs else None
    if analysis is not None and not findings:
        analysis = replace(analysis, findings=())  # nothing marked, nothing in the legend
    if progress is not None and chosen in {Format.SVG, Format.PNG, Format.PDF}:
        progress(f"Rendering {chosen.value}", 0, None)
    out = draw(shown, chosen, opts, analysis)
    return Outcome(value=None, output=out, warnings=(*notes, *warnings, *out.notes))


def snapshot(
    source: SourceSpec | Snapshot,
    *,
    inspect: bool = True,
    progress: Progress | None = None,
) -> Outcome[Snapshot]:
    """Capture a source into a snapshot file (`netviz snapshot`)."""
    snap = (
        load(source, inspect=inspect, progress=progress)
        if isinstance(source, SourceSpec)
        else source
    )
    text = dumps_snapshot(snap)
    return Outcome(
        value=snap,
        output=Rendered.of_text(text, DocumentFormat.SNAPSHOT),
        warnings=snap.warnings,
    )


def audit(
    source: Source,
    *,
    fmt: AuditFormat | str = AuditFormat.TABLE,
    grouped: bool = False,
    policy: Policy | str | Path | None = None,
    baseline: Baseline | str | Path | None = None,
    fail_on: FailOn | str = FailOn.HIGH,
    inspect: bool = True,
    text: TextOptions | None = None,
    progress: Progress | None = None,
) -> Outcome[AuditReport]:
    """Audit isolation (`netviz audit`): pairs, findings, policy, baseline; negative = failed.

    Policy and baseline files are read before the source, so a mistake in them costs no
    engine round trip.
    """
    from visualizer.analysis.audit import build_report  # noqa: PLC0415
    from visualizer.renderers import render_audit  # noqa: PLC0415

    rules = load_policy(policy) if isinstance(policy, str | Path) else policy
    before = load_baseline(baseline) if isinstance(baseline, str | Path) else baseline
    threshold = FailOn(fail_on).severity
    graph, warnings = open_graph(source, inspect=inspect, progress=progress)
    report = build_report(graph, grouped=grouped, policy=rules, baseline=before, fail_on=threshold)
    out = render_audit(report, fmt, text)
    return Outcome(value=report, output=out, negative=report.failed, warnings=warnings)


def reach(
    source: Source,
    from_container: str,
    to_container: str,
    *,
    fmt: ReachFormat | str = ReachFormat.TEXT,
    inspect: bool = False,
) -> Outcome[ReachAnswer]:
    """Can one container reach another (`netviz reach`); negative = no."""
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.renderers import render_reach  # noqa: PLC0415

    graph, warnings = open_graph(source, inspect=inspect)
    model = Reachability(graph)
    a, b = model.find(from_container), model.find(to_container)
    answer = ReachAnswer(verdict=model.verdict(a, b), port_path=model.port_path(a, b))
    out = render_reach(answer.verdict, answer.port_path, fmt)
    return Outcome(
        value=answer, output=out, negative=not answer.verdict.reachable, warnings=warnings
    )


def matrix(
    source: Source,
    *,
    fmt: MatrixFormat | str = MatrixFormat.TEXT,
    selection: Selection | None = None,
    text: TextOptions | None = None,
) -> Outcome[Matrix]:
    """The reachability truth table of the selected containers (`netviz matrix`)."""
    from visualizer.analysis.matrix import truth_table  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.renderers import render_matrix  # noqa: PLC0415

    graph, warnings = open_graph(source)
    shown = select(graph, selection or Selection())
    table = truth_table(Reachability(graph), [k for k, _ in containers(shown)])
    return Outcome(value=table, output=render_matrix(table, fmt, text), warnings=warnings)


def report(
    source: Source,
    *,
    selection: Selection | None = None,
    options: RenderOptions | None = None,
    inspect: bool = False,
) -> Outcome[None]:
    """A Markdown document (`netviz report`): engines, diagram, networks, reachability, findings."""
    from visualizer.renderers import render_report  # noqa: PLC0415

    graph, warnings = open_graph(source, inspect=inspect)
    shown = select(graph, selection or Selection())
    out = render_report(shown, options or RenderOptions(), analyse(graph))
    return Outcome(value=None, output=out, warnings=(*warnings, *out.notes))


def probe(
    source: SourceSpec,
    *,
    selection: Selection | None = None,
    sources: tuple[str, ...] = (),
    targets: tuple[str, ...] = (),
    fmt: ProbeFormat | str = ProbeFormat.TABLE,
    wait: int = 1,
    parallel: int = 8,
    text: TextOptions | None = None,
    progress: Progress | None = None,
) -> Outcome[ProbeReport]:
    """Ping and connect inside containers and compare with the model (`netviz probe`).

    The only command that runs anything in containers (`docker exec`); negative = reality
    and the model disagree.
    """
    from visualizer.analysis import probe as checks  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.renderers import render_probe  # noqa: PLC0415
    from visualizer.sources.engine import exec_commands, load_live  # noqa: PLC0415

    target = source.one_engine("probe")
    graph, warnings = open_graph(load_live(target))
    model = Reachability(graph)
    shown = [k for k, _ in containers(select(graph, selection or Selection()))]
    if sources or targets:
        wanted = {model.find(n) for n in (*sources, *targets)}
        shown = [k for k in shown if k in wanted]
    planned, skipped = checks.plan(model, shown)
    jobs = checks.jobs(model, planned, wait=wait)
    tick = None
    if progress is not None:

        def tick(done: int, total: int) -> None:
            progress("Probing containers", done, total)

    results = exec_commands(target, jobs, parallel=parallel, progress=tick)
    found = checks.judge(model, planned, skipped, results)
    if sources or targets:
        names = {n: model.container(model.find(n)).name for n in (*sources, *targets)}
        found = checks.restrict(
            found,
            {names[n] for n in sources} if sources else None,
            {names[n] for n in targets} if targets else None,
        )
    out = render_probe(found, fmt, text)
    return Outcome(value=found, output=out, negative=bool(found.mismatches), warnings=warnings)


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
    options and timeout of `base`. `diagram` also draws both sides in one change diagram
    (added green, removed red, changed amber) in a Graphviz format.
    """
    from visualizer.analysis.diff import diff_graphs, scoped  # noqa: PLC0415
    from visualizer.analysis.union import union  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415
    from visualizer.renderers import render_diff  # noqa: PLC0415

    chosen = selection or Selection()
    snaps = []
    for side in (a, b):
        if isinstance(side, str):
            side = (base or SourceSpec()).parse(side)  # noqa: PLW2901
        snaps.append(load(side, inspect=inspect) if isinstance(side, SourceSpec) else side)
    graph_a, graph_b = build_graph(snaps[0]), build_graph(snaps[1])
    result = diff_graphs(graph_a, graph_b, a_label=_label(a), b_label=_label(b))
    if chosen.filters:
        result = scoped(result, select(graph_a, chosen), select(graph_b, chosen))
    attachments: tuple[Rendered, ...] = ()
    if diagram is not None:
        merged, status = union(snaps[0], snaps[1], result)
        shown = select(build_graph(merged), chosen)
        attachments = (draw(shown, diagram, RenderOptions(), None, status),)
    warnings = (*snaps[0].warnings, *snaps[1].warnings)
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
    connection. Returns when `stop` is set (Ctrl-C in the CLI).
    """
    from visualizer.analysis.diff import diff_graphs, scoped  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415
    from visualizer.sources.engine import follow_events, load_live  # noqa: PLC0415
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
        follow=lambda push: follow_events(target, push),
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


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a {what} file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


__all__ = [
    "AuditFormat",
    "ComposeNaming",
    "Detail",
    "DiffFormat",
    "Direction",
    "FailOn",
    "Format",
    "Layout",
    "MatrixFormat",
    "Outcome",
    "ProbeFormat",
    "ReachAnswer",
    "ReachFormat",
    "RenderOptions",
    "Rendered",
    "Selection",
    "Source",
    "SourceSpec",
    "TextOptions",
    "View",
    "WatchUpdate",
    "analyse",
    "audit",
    "build_graph",
    "diff",
    "dumps_snapshot",
    "load",
    "load_baseline",
    "load_compose",
    "load_demo",
    "load_policy",
    "load_snapshot",
    "matrix",
    "open_graph",
    "probe",
    "reach",
    "render",
    "report",
    "select",
    "snapshot",
    "watch",
]

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
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from visualizer.analysis.catalogue import FailOn
from visualizer.changes import diff, watch
from visualizer.errors import EngineError
from visualizer.graph import build_graph, containers
from visualizer.pipeline import (
    analyse,
    dumps_snapshot,
    load_baseline,
    load_compose,
    load_policy,
    load_snapshot,
    open_graph,
    restrict,
    view_of,
)
from visualizer.preview import what_if
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
from visualizer.selection import Selection, select
from visualizer.sources.settings import ComposeNaming
from visualizer.sources.spec import (
    Progress,
    SourceSpec,
    load,
    load_demo,
)

if TYPE_CHECKING:
    import networkx as nx

    from visualizer.analysis.audit import AuditReport
    from visualizer.analysis.baseline import Baseline
    from visualizer.analysis.matrix import Matrix
    from visualizer.analysis.policy import Policy
    from visualizer.analysis.probe import ProbeReport
    from visualizer.model import Snapshot

Source: TypeAlias = "SourceSpec | Snapshot | nx.Graph[str]"
"""What a command reads: a source to load, a snapshot, or a graph built from one."""

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
    shown, lost = view_of(graph, selection)
    needs = findings or opts.view is View.REACHABILITY or chosen is Format.HTML
    analysis = analyse(graph) if needs else None
    if analysis is not None and not findings:
        analysis = replace(analysis, findings=())  # nothing marked, nothing in the legend
    if progress is not None and chosen in {Format.SVG, Format.PNG, Format.PDF}:
        progress(f"Rendering {chosen.value}", 0, None)
    out = draw(shown, chosen, opts, analysis)
    return Outcome(value=None, output=out, warnings=(*notes, *warnings, *lost, *out.notes))


def snapshot(
    source: SourceSpec | Snapshot,
    *,
    selection: Selection | None = None,
    inspect: bool = True,
    progress: Progress | None = None,
) -> Outcome[Snapshot]:
    """Capture a source into a snapshot file (`netviz snapshot`), or the part a selection shows."""
    snap = (
        load(source, inspect=inspect, progress=progress)
        if isinstance(source, SourceSpec)
        else source
    )
    lost: tuple[str, ...] = ()
    if selection is not None and selection.scoped:
        shown, lost = view_of(build_graph(snap), selection)
        snap = restrict(snap, shown)
    text = dumps_snapshot(snap)
    return Outcome(
        value=snap,
        output=Rendered.of_text(text, DocumentFormat.SNAPSHOT),
        warnings=(*snap.warnings, *lost),
    )


def audit(
    source: Source,
    *,
    fmt: AuditFormat | str = AuditFormat.TABLE,
    selection: Selection | None = None,
    grouped: bool | None = None,
    policy: Policy | str | Path | None = None,
    baseline: Baseline | str | Path | None = None,
    fail_on: FailOn | str = FailOn.HIGH,
    inspect: bool = True,
    text: TextOptions | None = None,
    progress: Progress | None = None,
) -> Outcome[AuditReport]:
    """Audit isolation (`netviz audit`): pairs, findings, policy, baseline; negative = failed.

    With a `selection`, the audit is about it: reachability is computed on the whole estate,
    and the report lists the pairs inside the selection and across its border (marked), the
    findings about it, and policy and baseline over those. `grouped`: `True` per network,
    `False` every pair, `None` every pair unless there are too many (`PAIR_LIMIT`). Policy
    and baseline files are read before the source, so a mistake in them costs no engine
    round trip. A live engine's containers are all inspected (privileged mode, namespaces,
    capabilities and more are only known that way); with `inspect=False` the audit's caveats
    say what was not checked.
    """
    from visualizer.analysis.audit import build_report  # noqa: PLC0415
    from visualizer.renderers import render_audit  # noqa: PLC0415

    rules = load_policy(policy) if isinstance(policy, str | Path) else policy
    before = load_baseline(baseline) if isinstance(baseline, str | Path) else baseline
    threshold = FailOn(fail_on).severity
    graph, warnings = open_graph(source, inspect=inspect, progress=progress)
    _, lost = view_of(graph, selection)
    report = build_report(
        graph,
        grouped=grouped,
        policy=rules,
        baseline=before,
        fail_on=threshold,
        scope=selection,
    )
    out = render_audit(report, fmt, text)
    return Outcome(
        value=report,
        output=out,
        negative=report.failed,
        warnings=(*warnings, *lost, *report.notes),
    )


def reach(
    source: Source,
    from_container: str,
    to_container: str,
    *,
    fmt: ReachFormat | str = ReachFormat.TEXT,
    selection: Selection | None = None,
    inspect: bool = False,
) -> Outcome[ReachAnswer]:
    """Can one container reach another (`netviz reach`); negative = no.

    Containers are named by name, `host/name`, ID prefix or service name (looked up within
    the selection, e.g. `project=shop`, when one is given). Channels besides the network are
    reported beside the verdict.
    """
    from visualizer.analysis.channels import Channels  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.renderers import render_reach  # noqa: PLC0415

    graph, warnings = open_graph(source, inspect=inspect)
    shown, lost = view_of(graph, selection)
    within = frozenset(k for k, _ in containers(shown)) if selection and selection.scoped else None
    model = Reachability(graph)
    a, b = model.find(from_container, within), model.find(to_container, within)
    answer = ReachAnswer(
        verdict=model.verdict(a, b),
        port_path=model.port_path(a, b),
        channels=tuple(Channels(graph).between(a, b)),
    )
    out = render_reach(answer.verdict, answer.port_path, fmt, answer.channels)
    if model.container(a).pid_mode is None or model.container(b).pid_mode is None:
        warnings = (
            *warnings,
            (
                "containers not inspected: only channels through mounts are known; namespaces, "
                "privileges and --volumes-from need --inspect"
            ),
        )
    return Outcome(
        value=answer,
        output=out,
        negative=not answer.verdict.reachable,
        warnings=(*warnings, *lost),
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
    shown, lost = view_of(graph, selection)
    table = truth_table(Reachability(graph), [k for k, _ in containers(shown)])
    return Outcome(value=table, output=render_matrix(table, fmt, text), warnings=(*warnings, *lost))


def report(
    source: Source,
    *,
    selection: Selection | None = None,
    options: RenderOptions | None = None,
    inspect: bool = False,
) -> Outcome[None]:
    """A Markdown document (`netviz report`): engines, diagram, networks, reachability, findings.

    With a selection, the report is about it (its title names it; reachability lists the
    pairs inside and across its border; findings are those about it).
    """
    from visualizer.analysis.scope import scope_of  # noqa: PLC0415
    from visualizer.renderers import render_report  # noqa: PLC0415

    graph, warnings = open_graph(source, inspect=inspect)
    shown, lost = view_of(graph, selection)
    area = scope_of(graph, selection) if selection is not None else None
    out = render_report(shown, options or RenderOptions(), analyse(graph), area)
    return Outcome(value=None, output=out, warnings=(*warnings, *lost, *out.notes))


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
    from visualizer.sources.engine import load_live  # noqa: PLC0415
    from visualizer.sources.execs import exec_commands  # noqa: PLC0415

    target = source.one_engine("probe")
    graph, warnings = open_graph(load_live(target))
    model = Reachability(graph)
    view, lost = view_of(graph, selection)
    shown = [k for k, _ in containers(view)]
    within = frozenset(shown) if selection is not None and selection.scoped else None
    if sources or targets:
        wanted = {model.find(n, within) for n in (*sources, *targets)}
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
        names = {n: model.container(model.find(n, within)).name for n in (*sources, *targets)}
        found = checks.restrict(
            found,
            {names[n] for n in sources} if sources else None,
            {names[n] for n in targets} if targets else None,
        )
    out = render_probe(found, fmt, text)
    return Outcome(
        value=found,
        output=out,
        negative=bool(found.mismatches),
        warnings=(*warnings, *lost),
    )


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
    "what_if",
]

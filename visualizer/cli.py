"""The `netviz` command: parse options, call the library, write the result, map errors to exits.

Heavy libraries (the Docker SDK, networkx, rich) are imported inside the commands that need
them, so `netviz --help` starts fast.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from visualizer import __version__
from visualizer.errors import EngineError, ExitCode, UsageError, VisualizerError
from visualizer.render.options import AuditFormat, Direction, Format, Layout, MatrixFormat, View
from visualizer.text import visible

if TYPE_CHECKING:
    from collections.abc import Iterator

    from visualizer.analysis.reachability import Reachability
    from visualizer.model import Snapshot
    from visualizer.probe import ProbeReport
    from visualizer.sources.engine import EngineTarget, Inspect, ProgressCallback

DEFAULT_OUTPUT_DIR = Path("output")
DEFAULT_STEM = "topology"

app = typer.Typer(
    name="netviz",
    help="See which Docker containers can reach each other, and how.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}

HostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "-H",
        "--host",
        metavar="URL",
        help="Engine socket to connect to, like `docker -H`; repeat for several engines.",
        show_default=False,
    ),
]
ContextOpt = Annotated[
    list[str] | None,
    typer.Option(
        "-c",
        "--context",
        metavar="NAME",
        help="Docker context to use, like `docker -c`; repeat for several engines.",
        show_default=False,
    ),
]
AllContextsOpt = Annotated[
    bool,
    typer.Option("--all-contexts", help="Gather every Docker context's engine into one picture."),
]
FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from",
        metavar="FILE",
        help="Read a snapshot file instead of an engine.",
        show_default=False,
    ),
]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        metavar="KEY=VALUE",
        help="Only what matches key=value (network, driver, label, project); repeatable.",
        show_default=False,
    ),
]
ComposeOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--compose",
        metavar="FILE",
        help="Predict from compose files instead of an engine (repeatable, merged in order).",
        show_default=False,
    ),
]
ProjectOpt = Annotated[
    str | None,
    typer.Option(
        "--project-name", "-p", metavar="NAME", help="Compose project name.", show_default=False
    ),
]
ProfileOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help="Compose profile to enable (repeatable).",
        show_default=False,
    ),
]
EnvFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--env-file", metavar="FILE", help="Compose env file [default: .env].", show_default=False
    ),
]
NamingOpt = Annotated[
    str,
    typer.Option(
        "--compose-naming",
        metavar="v2|v1",
        help="Container names of Compose v2 (p-s-1) or v1 (p_s_1).",
    ),
]
DemoOpt = Annotated[
    bool, typer.Option("--demo", help="Use the bundled demo topology (no engine needed).")
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout", min=0.1, metavar="SECONDS", help="Seconds to wait for each engine answer."
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"netviz {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    """See which Docker containers can reach each other, and how.

    Exit codes: 0 ok, 1 negative answer, 2 usage, 3 engine, 4 bad input file,
    5 renderer missing, 6 output not writable, 130 interrupted.
    """
    _state["debug"] = debug


@app.command()
def render(
    ctx: typer.Context,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "-f",
            "--format",
            help="Output format [default: from -o's suffix, else svg].",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write, - for stdout [default: dot to stdout, else output/topology.*].",
            show_default=False,
        ),
    ] = None,
    filters: FilterOpt = None,
    view: Annotated[
        View,
        typer.Option(
            "--view", help="topology: networks and containers; reachability: who reaches whom."
        ),
    ] = View.TOPOLOGY,
    findings: Annotated[
        bool, typer.Option("--findings/--no-findings", help="Mark audit findings on the drawing.")
    ] = True,
    no_builtin: Annotated[
        bool,
        typer.Option(
            "--no-builtin", help="Hide bridge, host and none when no shown container uses them."
        ),
    ] = False,
    layout: Annotated[
        Layout, typer.Option("--layout", help="Graphviz layout engine.")
    ] = Layout.DOT,
    direction: Annotated[
        Direction, typer.Option("--direction", help="Drawing direction (dot layout).")
    ] = Direction.LR,
    legend: Annotated[bool, typer.Option("--legend/--no-legend", help="Draw the legend.")] = True,
    inspect: Annotated[
        bool,
        typer.Option(
            "--inspect/--no-inspect", help="Also inspect each container (aliases, host names)."
        ),
    ] = False,
    fallback_demo: Annotated[
        bool,
        typer.Option("--fallback-demo", help="Draw the demo topology when no engine answers."),
    ] = False,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Draw the networks and containers: Graphviz dot, svg, png or pdf."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.graph import Selection, parse_filters  # noqa: PLC0415
    from visualizer.render.options import RenderOptions  # noqa: PLC0415

    fmt, destination = _destination(fmt, output)
    selection = Selection(filters=parse_filters(filters or ()), hide_unused_builtin=no_builtin)
    try:
        snap = _load(
            Source.given(ctx),
            inspect=inspect,
        )
    except EngineError as exc:
        if not fallback_demo:
            raise
        _warn(f"{exc}; drawing the bundled demo topology instead")
        snap = api.load_demo()
    graph = api.build_graph(snap)
    _warn_all(graph.graph["warnings"])
    shown = api.select(graph, selection)
    options = RenderOptions(layout=layout, direction=direction, legend=legend, view=view)
    needs = findings or view is View.REACHABILITY or fmt is Format.HTML
    analysis = api.analyse(graph) if needs else None
    with _status(f"Rendering {fmt.value}", enabled=fmt in {Format.SVG, Format.PNG, Format.PDF}):
        rendered = api.render(shown, fmt, options, analysis)
    _warn_all(rendered.notes)
    _emit(rendered.content, destination, binary=fmt.binary)


@app.command()
def snapshot(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Snapshot file to write [default: stdout].", show_default=False
        ),
    ] = None,
    inspect: Annotated[
        bool,
        typer.Option(
            "--inspect/--no-inspect",
            help="Inspect each container too (aliases, host names, capabilities): a request each.",
        ),
    ] = True,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Capture the engine into a snapshot file that every command reads with --from."""
    from visualizer import api  # noqa: PLC0415

    snap = _load(
        Source.given(ctx),
        inspect=inspect,
    )
    destination = None if output is None or str(output) == "-" else output
    _emit(api.dumps_snapshot(snap).encode("utf-8"), destination, binary=False)


class FailOn(StrEnum):
    """`--fail-on` choices: a severity, or never."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"


@app.command()
def audit(
    ctx: typer.Context,
    fmt: Annotated[
        AuditFormat, typer.Option("-f", "--format", help="Output format.")
    ] = AuditFormat.TABLE,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write [default: stdout].", show_default=False),
    ] = None,
    grouped: Annotated[
        bool,
        typer.Option(
            "--grouped", help="Reachability per network instead of every pair (large engines)."
        ),
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", metavar="FILE", help="Check a YAML reachability policy.", show_default=False
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="An earlier audit --format json: fail only on what is new.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Fail (exit 1) on open findings of this severity or worse."),
    ] = FailOn.HIGH,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when the audit fails.")
    ] = False,
    inspect: Annotated[
        bool,
        typer.Option(
            "--inspect/--no-inspect",
            help="Inspect the containers whose capabilities decide a finding (multi-homed).",
        ),
    ] = True,
    inspect_all: Annotated[
        bool,
        typer.Option(
            "--inspect-all", help="Inspect every container (also aliases and host names)."
        ),
    ] = False,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Audit isolation: who reaches whom, what is exposed, policy violations (exit 1 = fail)."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.analysis.findings import Severity  # noqa: PLC0415
    from visualizer.sources.engine import Inspect  # noqa: PLC0415

    rules = api.load_policy(policy) if policy is not None else None
    before = api.load_baseline(baseline) if baseline is not None else None
    snap = _load(
        Source.given(ctx),
        inspect=Inspect.ALL if inspect_all else Inspect.NEEDED if inspect else False,
    )
    graph = api.build_graph(snap)
    _warn_all(graph.graph["warnings"])
    threshold = None if fail_on is FailOn.NEVER else Severity[fail_on.name]
    report = api.audit(graph, grouped=grouped, policy=rules, baseline=before, fail_on=threshold)
    color = output is None and fmt is AuditFormat.TABLE and sys.stdout.isatty()
    text = api.render_audit(report, fmt, color=color, width=_width())
    _emit(text.encode("utf-8"), _file_or_stdout(output), binary=False)
    if report.failed and not exit_zero:
        raise typer.Exit(ExitCode.NEGATIVE)


@app.command()
def reach(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="Container that connects (name, host/name or ID prefix).")
    ],
    target: Annotated[str, typer.Argument(help="Container it connects to.")],
    json_output: Annotated[bool, typer.Option("--json", help="Answer as JSON.")] = False,
    inspect: Annotated[
        bool, typer.Option("--inspect/--no-inspect", help="Inspect containers (aliases).")
    ] = False,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Can SOURCE reach TARGET? Exit 0 yes, 1 no, with the rule and network that decide it."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415

    graph = api.build_graph(
        _load(
            Source.given(ctx),
            inspect=inspect,
        )
    )
    model = Reachability(graph)
    a, b = model.find(source), model.find(target)
    verdict, path = model.verdict(a, b), model.port_path(a, b)
    if json_output:
        from visualizer.render.reach_text import verdict_json  # noqa: PLC0415

        text = verdict_json(verdict, path)
    else:
        from visualizer.render.reach_text import verdict_text  # noqa: PLC0415

        text = verdict_text(verdict, path)
    _emit(text.encode("utf-8"), None, binary=False)
    if not verdict.reachable:
        raise typer.Exit(ExitCode.NEGATIVE)


@app.command()
def matrix(
    ctx: typer.Context,
    fmt: Annotated[
        MatrixFormat, typer.Option("-f", "--format", help="Output format.")
    ] = MatrixFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write [default: stdout].", show_default=False),
    ] = None,
    filters: FilterOpt = None,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """The reachability truth table of the selected containers (text or CSV)."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.graph import Selection, parse_filters  # noqa: PLC0415

    selection = Selection(filters=parse_filters(filters or ()))
    graph = api.build_graph(
        _load(
            Source.given(ctx),
            inspect=False,
        )
    )
    table = api.matrix(graph, api.select(graph, selection))
    color = output is None and fmt is MatrixFormat.TEXT and sys.stdout.isatty()
    text = api.render_matrix(table, fmt, color=color, width=max(_width(), 200))
    _emit(text.encode("utf-8"), _file_or_stdout(output), binary=False)


@app.command()
def probe(
    filters: FilterOpt = None,
    sources: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="NAME", help="Only probe from these containers; repeatable."
        ),
    ] = None,
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target", metavar="NAME", help="Only probe towards these containers; repeatable."
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Report as JSON.")] = False,
    wait: Annotated[
        int, typer.Option("--wait", min=1, help="Seconds each ping or connect may take.")
    ] = 1,
    parallel: Annotated[
        int, typer.Option("--parallel", min=1, help="Containers probed at once.")
    ] = 8,
    host: HostOpt = None,
    context: ContextOpt = None,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Run ping and TCP connects inside containers and compare with the model (exit 1 = differ).

    The only netviz command that executes anything in containers, and only when called.
    """
    from visualizer import api  # noqa: PLC0415
    from visualizer.analysis.reachability import Reachability  # noqa: PLC0415
    from visualizer.graph import Selection, containers, parse_filters  # noqa: PLC0415
    from visualizer.probe import run_probe  # noqa: PLC0415
    from visualizer.render.probe_report import render_probe_json, render_probe_table  # noqa: PLC0415

    target = _one_engine(host, context, timeout, "probe")
    graph = api.build_graph(api.load_engine(target))
    model = Reachability(graph)
    shown = [
        k for k, _ in containers(api.select(graph, Selection(filters=parse_filters(filters or ()))))
    ]
    if sources or targets:
        wanted = {model.find(n) for n in (*(sources or ()), *(targets or ()))}
        shown = [k for k in shown if k in wanted]
    with _progress(enabled=True, text="Probing containers") as progress:
        report = run_probe(target, model, shown, wait=wait, parallel=parallel, progress=progress)
    if sources or targets:
        report = _restrict(report, sources, targets, model)
    text = (
        render_probe_json(report)
        if json_output
        else render_probe_table(report, color=sys.stdout.isatty(), width=_width())
    )
    _emit(text.encode("utf-8"), None, binary=False)
    if report.mismatches:
        raise typer.Exit(ExitCode.NEGATIVE)


def _restrict(
    report: ProbeReport, sources: list[str] | None, targets: list[str] | None, model: Reachability
) -> ProbeReport:
    """Keep the checks whose source and target were asked for."""
    from visualizer.probe import ProbeReport  # noqa: PLC0415

    src = {model.container(model.find(n)).name for n in sources} if sources else None
    dst = {model.container(model.find(n)).name for n in targets} if targets else None
    kept = tuple(
        o
        for o in report.outcomes
        if (src is None or o.check.source in src) and (dst is None or o.check.target in dst)
    )
    return ProbeReport(outcomes=kept, skipped=report.skipped)


@app.command()
def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write [default: stdout].", show_default=False),
    ] = None,
    filters: FilterOpt = None,
    direction: Annotated[
        Direction, typer.Option("--direction", help="Direction of the Mermaid diagram.")
    ] = Direction.LR,
    inspect: Annotated[
        bool, typer.Option("--inspect/--no-inspect", help="Inspect each container (aliases).")
    ] = False,
    host: HostOpt = None,
    context: ContextOpt = None,
    all_contexts: AllContextsOpt = False,
    from_file: FromOpt = None,
    demo: DemoOpt = False,
    compose: ComposeOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Write a Markdown report: engine, Mermaid diagram, networks, reachability, findings."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.graph import Selection, parse_filters  # noqa: PLC0415
    from visualizer.render.options import RenderOptions  # noqa: PLC0415
    from visualizer.render.report import render_report  # noqa: PLC0415

    selection = Selection(filters=parse_filters(filters or ()))
    graph = api.build_graph(
        _load(
            Source.given(ctx),
            inspect=inspect,
        )
    )
    _warn_all(graph.graph["warnings"])
    text, notes = render_report(
        api.select(graph, selection), RenderOptions(direction=direction), api.analyse(graph)
    )
    _warn_all(notes)
    _emit(text.encode("utf-8"), _file_or_stdout(output), binary=False)


class DiffFormat(StrEnum):
    """`netviz diff` output formats."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@app.command()
def diff(
    a: Annotated[
        str,
        typer.Argument(
            metavar="A",
            help="live | engine:URL | context:NAME | demo | FILE.json | FILE.yml[,FILE.yml]",
        ),
    ],
    b: Annotated[str, typer.Argument(metavar="B", help="The other source, same forms.")],
    fmt: Annotated[
        DiffFormat, typer.Option("-f", "--format", help="Output format.")
    ] = DiffFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="File to write [default: stdout].", show_default=False),
    ] = None,
    diagram: Annotated[
        Path | None,
        typer.Option(
            "--diagram",
            metavar="FILE",
            help="Also draw the changes (svg, png, pdf, dot).",
            show_default=False,
        ),
    ] = None,
    filters: FilterOpt = None,
    project_name: ProjectOpt = None,
    profiles: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    compose_naming: NamingOpt = "v2",
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Compare two sources: objects, endpoints, reachable pairs, findings (exit 1 = different)."""
    from visualizer import api  # noqa: PLC0415
    from visualizer.analysis.diff import diff_graphs, union  # noqa: PLC0415
    from visualizer.graph import Selection, containers, labels, networks, parse_filters  # noqa: PLC0415
    from visualizer.render import diff_report  # noqa: PLC0415

    if compose_naming not in {"v1", "v2"}:
        raise UsageError("--compose-naming must be v1 or v2")
    selection = Selection(filters=parse_filters(filters or ()))
    if diagram is not None:
        diagram_fmt, _ = _destination(None, diagram)
    kwargs = {
        "project_name": project_name,
        "profiles": tuple(profiles or ()),
        "env_file": env_file,
        "naming": compose_naming,
        "timeout": timeout,
    }
    snap_a, snap_b = api.load_spec(a, **kwargs), api.load_spec(b, **kwargs)  # type: ignore[arg-type]
    _warn_all((*snap_a.warnings, *snap_b.warnings))
    graph_a, graph_b = api.build_graph(snap_a), api.build_graph(snap_b)
    result = diff_graphs(graph_a, graph_b, a_label=a, b_label=b)
    if selection.filters:
        views = (api.select(graph_a, selection), api.select(graph_b, selection))
        names = [labels(v) for v in views]  # as the diff names them (`host/name` if ambiguous)
        result = result.only(
            {n[r.id] for v, n in zip(views, names, strict=True) for _, r in containers(v)},
            {n[r.id] for v, n in zip(views, names, strict=True) for _, r in networks(v)},
        )
    render_text = {
        DiffFormat.TEXT: diff_report.diff_text,
        DiffFormat.JSON: diff_report.diff_json,
        DiffFormat.MARKDOWN: diff_report.diff_markdown,
    }[fmt]
    _emit(render_text(result).encode("utf-8"), _file_or_stdout(output), binary=False)
    if diagram is not None:
        from visualizer.render.dot import render_dot  # noqa: PLC0415
        from visualizer.render.graphviz import pipe  # noqa: PLC0415
        from visualizer.render.options import RenderOptions  # noqa: PLC0415

        merged, status = union(snap_a, snap_b, result)
        shown = api.select(api.build_graph(merged), selection)
        dot = render_dot(shown, RenderOptions(), None, status)
        content = (
            dot.encode("utf-8")
            if diagram_fmt is Format.DOT
            else pipe(dot, fmt=diagram_fmt, layout=Layout.DOT)
        )
        _emit(content, diagram, binary=diagram_fmt.binary)
    if not result.equal:
        raise typer.Exit(ExitCode.NEGATIVE)


@app.command()
def watch(
    fmt: Annotated[
        Format | None,
        typer.Option(
            "-f",
            "--format",
            help="Format to keep up to date [default: from -o, else svg].",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to keep up to date [default: output/topology.svg].",
            show_default=False,
        ),
    ] = None,
    filters: FilterOpt = None,
    view: Annotated[View, typer.Option("--view", help="topology or reachability.")] = View.TOPOLOGY,
    debounce: Annotated[
        float,
        typer.Option(
            "--debounce", min=0.1, metavar="SECONDS", help="Quiet time before re-drawing."
        ),
    ] = 1.0,
    host: HostOpt = None,
    context: ContextOpt = None,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Keep a diagram up to date as containers and networks change; one line per change."""
    from datetime import datetime  # noqa: PLC0415

    from visualizer import api  # noqa: PLC0415
    from visualizer.analysis.diff import diff_graphs  # noqa: PLC0415
    from visualizer.graph import Selection, parse_filters  # noqa: PLC0415
    from visualizer.render.options import RenderOptions  # noqa: PLC0415
    from visualizer.sources.engine import follow_events  # noqa: PLC0415
    from visualizer.watch import watch as run_watch  # noqa: PLC0415

    fmt, destination = _destination(fmt, output)
    if destination is None:
        raise UsageError("watch needs a file to keep up to date: give -o FILE")
    selection = Selection(filters=parse_filters(filters or ()))
    target = _one_engine(host, context, timeout, "watch")
    options = RenderOptions(view=view)

    def publish(snap: Snapshot, before: Snapshot | None) -> None:
        graph = api.build_graph(snap)
        stamp = datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 - local time for a person
        if before is not None:
            change = diff_graphs(api.build_graph(before), graph)
            if change.equal:
                return
            detail = "; ".join(
                f"{'+' if c.change == 'added' else '-' if c.change == 'removed' else '~'}"
                f"{c.kind} {c.subject}"
                for c in change.changes[:4]
            )
            more = f" (+{len(change.changes) - 4} more)" if len(change.changes) > 4 else ""  # noqa: PLR2004
            line = f"{stamp} {change.summary()}: {detail}{more}"
        else:
            counts = f"{len(snap.networks)} networks, {len(snap.containers)} containers"
            line = f"{stamp} watching {snap.source}: {counts}"
        rendered = api.render(api.select(graph, selection), fmt, options, api.analyse(graph))
        _emit(rendered.content, destination, binary=fmt.binary)
        sys.stdout.write(visible(f"{line} -> {destination}") + "\n")
        sys.stdout.flush()

    try:
        run_watch(
            capture=lambda: api.load_engine(target),
            follow=lambda push: follow_events(target, push, on_problem=_warn),
            publish=publish,
            log=_warn,
            debounce=debounce,
        )
    except KeyboardInterrupt:
        sys.stderr.write("netviz: stopped watching\n")


def _one_engine(
    host: list[str] | None, context: list[str] | None, timeout: float, command: str
) -> EngineTarget:
    targets = Source(host, context, None, demo=False, timeout=timeout).targets()
    if len(targets) != 1:
        raise UsageError(f"{command} works on one engine at a time")
    return targets[0]


def _width() -> int:
    import shutil  # noqa: PLC0415

    return max(shutil.get_terminal_size((120, 24)).columns, 80)


def _file_or_stdout(output: Path | None) -> Path | None:
    return None if output is None or str(output) == "-" else output


def _destination(fmt: Format | None, output: Path | None) -> tuple[Format, Path | None]:
    """Pick the format and where it goes (`None` = stdout)."""
    to_stdout = output is not None and str(output) == "-"
    if fmt is None:
        suffix = output.suffix.lower() if output is not None and not to_stdout else ""
        by_suffix = {f.suffix: f for f in Format} | {".md": Format.MERMAID, ".htm": Format.HTML}
        if suffix and suffix not in by_suffix:
            raise UsageError(f"cannot tell the format from {output}; use -f")
        fmt = by_suffix[suffix] if suffix else Format.SVG
    if to_stdout:
        return fmt, None
    if output is None:
        return (
            fmt,
            None if fmt.to_stdout else DEFAULT_OUTPUT_DIR / f"{DEFAULT_STEM}{fmt.suffix}",
        )
    return fmt, output


@dataclass(frozen=True)
class Source:
    """The source options of a command, as given."""

    host: list[str] | None
    context: list[str] | None
    from_file: Path | None
    demo: bool
    timeout: float
    compose: list[Path] | None = None
    project_name: str | None = None
    profiles: list[str] | None = None
    env_file: Path | None = None
    naming: str = "v2"
    all_contexts: bool = False

    @classmethod
    def given(cls, ctx: typer.Context) -> Source:
        """The source options of the running command (every one declares the same set)."""
        p = ctx.params
        return cls(
            host=p["host"],
            context=p["context"],
            from_file=p["from_file"],
            demo=p["demo"],
            timeout=p["timeout"],
            compose=p["compose"],
            project_name=p["project_name"],
            profiles=p["profiles"],
            env_file=p["env_file"],
            naming=p["compose_naming"],
            all_contexts=p["all_contexts"],
        )

    def targets(self) -> list[EngineTarget]:
        """The engines named: each -H, each -c, every context, or the default one."""
        from visualizer.sources.engine import EngineTarget, context_targets  # noqa: PLC0415

        hosts, contexts = list(self.host or ()), list(self.context or ())
        if hosts and (contexts or self.all_contexts):
            raise UsageError("conflicting options: either specify --host or --context, not both")
        found = [EngineTarget(host=h, timeout=self.timeout) for h in hosts]
        if self.all_contexts:  # unreadable contexts come back as targets with a problem
            found += context_targets(self.timeout)
        else:
            found += [EngineTarget(context=c, timeout=self.timeout) for c in contexts]
        return found or [EngineTarget(timeout=self.timeout)]


def _load(source: Source, *, inspect: bool | Inspect) -> Snapshot:
    """Open the one source the options name."""
    from visualizer import api  # noqa: PLC0415

    chosen = [
        name
        for name, on in (
            ("--from", source.from_file),
            ("--demo", source.demo),
            ("--compose", source.compose),
        )
        if on
    ]
    if source.host or source.context or source.all_contexts:
        chosen.append("--host/--context")
    if len(chosen) > 1:
        raise UsageError(f"choose one source: {' or '.join(chosen)}")
    if source.naming not in {"v1", "v2"}:
        raise UsageError("--compose-naming must be v1 or v2")
    if source.demo:
        snap = api.load_demo()
    elif source.from_file is not None:
        snap = api.load_snapshot(source.from_file)
    elif source.compose:
        snap = api.load_compose(
            source.compose,
            project_name=source.project_name,
            profiles=tuple(source.profiles or ()),
            env_file=source.env_file,
            naming=source.naming,
        )
    else:
        targets = source.targets()
        if len(targets) > 1:
            with _status(f"Capturing {len(targets)} engines"):
                snap = api.load_engines(targets, inspect=inspect)
        else:
            with _progress(enabled=bool(inspect)) as progress:
                snap = api.load_engine(targets[0], inspect=inspect, progress=progress)
    _warn_all(snap.warnings)
    return snap


def _emit(content: bytes, destination: Path | None, *, binary: bool) -> None:
    from visualizer.outputs import write_file, write_stdout  # noqa: PLC0415

    if destination is None:
        write_stdout(content, binary=binary)
    else:
        write_file(destination, content)
        _note(f"wrote {destination}")


def _warn(message: str) -> None:
    sys.stderr.write(f"netviz: warning: {visible(message)}\n")


def _warn_all(messages: tuple[str, ...]) -> None:
    for m in messages:
        _warn(m)


def _note(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"netviz: {visible(message)}\n")


@contextmanager
def _status(text: str, *, enabled: bool = True) -> Iterator[None]:
    """Show a spinner on stderr while something slow runs (only on a terminal)."""
    if not (enabled and sys.stderr.isatty()):
        yield
        return
    from rich.console import Console  # noqa: PLC0415

    with Console(stderr=True).status(text):
        yield


@contextmanager
def _progress(
    *, enabled: bool, text: str = "Inspecting containers"
) -> Iterator[ProgressCallback | None]:
    """Show a progress bar on stderr for per-container work (only on a terminal)."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress  # noqa: PLC0415

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(text, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# typer raises click's exceptions, from click itself or from the copy it vendors (0.26+):
# find their base class without importing click directly.
_ClickException: type[Any] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


def main(argv: list[str] | None = None) -> int:
    """Run `netviz` with `argv` and return the exit code (no `sys.exit`)."""
    try:
        result = app(args=argv, prog_name="netviz", standalone_mode=False)
    except _ClickException as exc:  # usage errors from typer's option parsing
        exc.show()
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("netviz: interrupted\n")
        return ExitCode.INTERRUPTED
    except VisualizerError as exc:
        if _state["debug"]:
            raise
        sys.stderr.write(f"netviz: error: {visible(str(exc))}\n")
        return exc.exit_code
    return result if isinstance(result, int) else ExitCode.OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())

"""The `netviz` command: parse options, call one library function, write the result, exit.

Every command is a thin layer over one function of `visualizer.api`; the source options
(`-H`, `-c`, `--from`, `--demo`, `--compose`, …) are declared once, in `cli.options`, and
arrive in each command as one `SourceSpec`. Errors become one line on stderr and the exit code
of their class, here only. Heavy libraries (the Docker SDK, networkx, rich) are imported by the
commands that need them, so `netviz --help` starts fast.
"""

from __future__ import annotations

import gc
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from visualizer.analysis.catalogue import FailOn
from visualizer.cli import output as out
from visualizer.cli.exits import Stopped, exit_code
from visualizer.cli.options import (
    BaselineOpt,
    ChangeDiagramOpt,
    ChangesArg,
    DataOpt,
    DebounceOpt,
    DetailOpt,
    DiagramFormatOpt,
    DiagramOutputOpt,
    DirectionOpt,
    FailOnNewOpt,
    FailOnOpt,
    FilterOpt,
    InspectAllOpt,
    InspectOpt,
    JsonOpt,
    OutputOpt,
    PolicyOpt,
    SaveOpt,
    ScriptOpt,
    ViewOpt,
    opt,
    reads_source,
)
from visualizer.errors import ExitCode, UsageError
from visualizer.renderers.options import (
    AuditFormat,
    Detail,
    DiffFormat,
    Direction,
    Format,
    Layout,
    MatrixFormat,
    View,
)
from visualizer.sources.spec import SourceSpec
from visualizer.version import __version__

app = typer.Typer(
    name="netviz",
    help="See which Docker containers can reach each other, and how.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"netviz {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[  # noqa: ARG001 - handled by its callback
        bool, opt("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[bool, opt("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    """See which Docker containers can reach each other, and how.

    Exit codes: 0 ok, 1 negative answer, 2 usage, 3 engine, 4 bad input file,
    5 renderer missing, 6 output not writable, 130 interrupted, 143 terminated.
    """
    _state["debug"] = debug


@app.command()
@reads_source()
def render(
    source: SourceSpec,
    fmt: DiagramFormatOpt = None,
    output: DiagramOutputOpt = None,
    filters: FilterOpt = None,
    view: ViewOpt = View.TOPOLOGY,
    detail: DetailOpt = Detail.AUTO,
    findings: Annotated[
        bool, opt("--findings/--no-findings", help="Mark audit findings on the drawing.")
    ] = True,
    no_builtin: Annotated[
        bool,
        opt("--no-builtin", help="Hide bridge, host and none when no shown container uses them."),
    ] = False,
    layout: Annotated[Layout, opt("--layout", help="Graphviz layout engine.")] = Layout.DOT,
    direction: DirectionOpt = Direction.LR,
    legend: Annotated[bool, opt("--legend/--no-legend", help="Draw the legend.")] = True,
    data: DataOpt = True,
    inspect: InspectOpt = False,
    fallback_demo: Annotated[
        bool, opt("--fallback-demo", help="Draw the demo topology when no engine answers.")
    ] = False,
    quiet: Annotated[
        bool, opt("-q", "--quiet", help="Do not say where the file was written.")
    ] = False,
) -> int:
    """Draw the networks and containers: Graphviz dot, svg, png or pdf, Mermaid, HTML, JSON."""
    from visualizer import api  # noqa: PLC0415

    fmt, destination = out.destination(fmt, output)
    with out.progress() as progress:
        outcome = api.render(
            source,
            fmt,
            options=out.options(
                layout=layout,
                direction=direction,
                legend=legend,
                view=view,
                detail=detail,
                data=data,
            ),
            selection=out.selection(filters, hide_unused_builtin=no_builtin),
            findings=findings,
            inspect=inspect,
            fallback_demo=fallback_demo,
            progress=progress,
        )
    return out.finish(outcome, destination, say_where=not quiet)


@app.command()
@reads_source()
def snapshot(
    source: SourceSpec,
    filters: FilterOpt = None,
    output: Annotated[
        Path | None, opt("-o", "--output", help="Snapshot file to write [default: stdout].")
    ] = None,
    inspect: InspectAllOpt = True,
) -> int:
    """Capture the engine into a snapshot file that every command reads with --from."""
    from visualizer import api  # noqa: PLC0415

    with out.progress() as progress:
        outcome = api.snapshot(
            source, selection=out.selection(filters), inspect=inspect, progress=progress
        )
    return out.finish(outcome, out.file(output))


@app.command()
@reads_source()
def audit(
    source: SourceSpec,
    fmt: Annotated[AuditFormat, opt("-f", "--format", help="Output format.")] = AuditFormat.TABLE,
    output: OutputOpt = None,
    filters: FilterOpt = None,
    grouped: Annotated[
        bool,
        opt("--grouped", help="Reachability per network instead of every pair (large engines)."),
    ] = False,
    all_pairs: Annotated[
        bool, opt("--all-pairs", help="List every reachable pair, however many there are.")
    ] = False,
    policy: PolicyOpt = None,
    baseline: BaselineOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    exit_zero: Annotated[
        bool, opt("--exit-zero", help="Exit 0 even when the audit fails.")
    ] = False,
    inspect: InspectAllOpt = True,
) -> int:
    """Audit isolation: who reaches whom, what is exposed, policy violations (exit 1 = fail)."""
    from visualizer import api  # noqa: PLC0415

    if grouped and all_pairs:
        raise UsageError("choose one: --grouped or --all-pairs")
    text = out.text(output, color=fmt is AuditFormat.TABLE)
    with out.progress() as progress:
        outcome = api.audit(
            source,
            fmt=fmt,
            selection=out.selection(filters),
            grouped=True if grouped else False if all_pairs else None,
            policy=policy,
            baseline=baseline,
            fail_on=fail_on,
            inspect=inspect,
            text=text,
            progress=progress,
        )
    code = out.finish(outcome, out.file(output))
    return ExitCode.OK if exit_zero else code


@app.command()
@reads_source()
def reach(
    source: SourceSpec,
    from_container: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="Container that connects (name, host/name, ID prefix or service name).",
        ),
    ],
    to_container: Annotated[
        str, typer.Argument(metavar="TARGET", help="Container it connects to.")
    ],
    json_output: JsonOpt = False,
    filters: FilterOpt = None,
    inspect: InspectOpt = False,
) -> int:
    """Can SOURCE reach TARGET? Exit 0 yes, 1 no, with the rule and network that decide it."""
    from visualizer import api  # noqa: PLC0415

    fmt = api.ReachFormat.JSON if json_output else api.ReachFormat.TEXT
    outcome = api.reach(
        source,
        from_container,
        to_container,
        fmt=fmt,
        selection=out.selection(filters),
        inspect=inspect,
    )
    return out.finish(outcome, None)


@app.command()
@reads_source()
def matrix(
    source: SourceSpec,
    fmt: Annotated[MatrixFormat, opt("-f", "--format", help="Output format.")] = MatrixFormat.TEXT,
    output: OutputOpt = None,
    filters: FilterOpt = None,
) -> int:
    """The reachability truth table of the selected containers (text or CSV)."""
    from visualizer import api  # noqa: PLC0415

    text = out.text(output, color=fmt is MatrixFormat.TEXT, min_width=200)
    outcome = api.matrix(source, fmt=fmt, selection=out.selection(filters), text=text)
    return out.finish(outcome, out.file(output))


@app.command()
@reads_source("live")
def probe(
    source: SourceSpec,
    filters: FilterOpt = None,
    sources: Annotated[
        list[str] | None,
        opt("--source", metavar="NAME", help="Only probe from these containers; repeatable."),
    ] = None,
    targets: Annotated[
        list[str] | None,
        opt("--target", metavar="NAME", help="Only probe towards these containers; repeatable."),
    ] = None,
    json_output: Annotated[bool, opt("--json", help="Report as JSON.")] = False,
    wait: Annotated[
        int, opt("--wait", min=1, help="Seconds each ping or connect may take.", show_default=True)
    ] = 1,
    parallel: Annotated[
        int, opt("--parallel", min=1, help="Containers probed at once.", show_default=True)
    ] = 8,
) -> int:
    """Run ping and TCP connects inside containers and compare with the model (exit 1 = differ).

    The only netviz command that executes anything in containers, and only when called.
    """
    from visualizer import api  # noqa: PLC0415

    with out.progress() as progress:
        outcome = api.probe(
            source,
            selection=out.selection(filters),
            sources=tuple(sources or ()),
            targets=tuple(targets or ()),
            fmt=api.ProbeFormat.JSON if json_output else api.ProbeFormat.TABLE,
            wait=wait,
            parallel=parallel,
            text=out.text(None, color=not json_output),
            progress=progress,
        )
    return out.finish(outcome, None)


@app.command()
@reads_source()
def report(
    source: SourceSpec,
    output: OutputOpt = None,
    filters: FilterOpt = None,
    direction: DirectionOpt = Direction.LR,
    detail: DetailOpt = Detail.AUTO,
    inspect: InspectOpt = False,
) -> int:
    """Write a Markdown report: engine, Mermaid diagram, networks, reachability, findings."""
    from visualizer import api  # noqa: PLC0415

    outcome = api.report(
        source,
        selection=out.selection(filters),
        options=out.options(direction=direction, detail=detail),
        inspect=inspect,
    )
    return out.finish(outcome, out.file(output))


@app.command()
@reads_source("strings")
def diff(
    source: SourceSpec,
    a: Annotated[
        str,
        typer.Argument(
            metavar="A",
            help="live | engine:URL | context:NAME | demo | FILE.json | FILE.yml[,FILE.yml]",
        ),
    ],
    b: Annotated[str, typer.Argument(metavar="B", help="The other source, same forms.")],
    fmt: Annotated[DiffFormat, opt("-f", "--format", help="Output format.")] = DiffFormat.TEXT,
    output: OutputOpt = None,
    diagram: ChangeDiagramOpt = None,
    filters: FilterOpt = None,
) -> int:
    """Compare two sources: objects, endpoints, reachable pairs, findings (exit 1 = different)."""
    from visualizer import api  # noqa: PLC0415

    diagram_fmt = out.destination(None, diagram)[0] if diagram is not None else None
    outcome = api.diff(
        a, b, fmt=fmt, selection=out.selection(filters), diagram=diagram_fmt, base=source
    )
    return out.finish(outcome, out.file(output), diagram)


@app.command()
@reads_source("live")
def watch(
    source: SourceSpec,
    fmt: Annotated[
        Format | None,
        opt("-f", "--format", help="Format to keep up to date [default: from -o, else svg]."),
    ] = None,
    output: Annotated[
        Path | None,
        opt("-o", "--output", help="File to keep up to date [default: output/topology.svg]."),
    ] = None,
    filters: FilterOpt = None,
    view: ViewOpt = View.TOPOLOGY,
    detail: DetailOpt = Detail.AUTO,
    debounce: DebounceOpt = 1.0,
) -> int:
    """Keep a diagram up to date as containers and networks change; one line per change."""
    from visualizer import api  # noqa: PLC0415

    fmt, destination = out.destination(fmt, output)
    if destination is None:
        raise UsageError("watch needs a file to keep up to date: give -o FILE")

    try:
        api.watch(
            source,
            fmt=fmt,
            options=out.options(view=view, detail=detail),
            selection=out.selection(filters),
            debounce=debounce,
            on_update=out.watching(destination),
            log=out.warn,
        )
    except Stopped as stop:
        if stop.signum != signal.SIGINT:
            raise
        sys.stderr.write("netviz: stopped watching\n")
    return ExitCode.OK


@app.command("what-if")
@reads_source()
def what_if(
    source: SourceSpec,
    changes: ChangesArg = None,
    script: ScriptOpt = None,
    fmt: Annotated[DiffFormat, opt("-f", "--format", help="Output format.")] = DiffFormat.TEXT,
    output: OutputOpt = None,
    diagram: ChangeDiagramOpt = None,
    save: SaveOpt = None,
    policy: PolicyOpt = None,
    fail_on: FailOnNewOpt = FailOn.HIGH,
    filters: FilterOpt = None,
    inspect: InspectAllOpt = True,
) -> int:
    """Preview docker commands: what they would change (exit 1 = refused or fails)."""
    from visualizer import api  # noqa: PLC0415

    drawn = out.destination(None, diagram)[0] if diagram is not None else None
    with out.progress() as progress:
        outcome = api.what_if(
            source,
            tuple(changes or ()),
            script=script,
            policy=policy,
            fail_on=fail_on,
            fmt=fmt,
            diagram=drawn,
            save=save is not None,
            selection=out.selection(filters),
            inspect=inspect,
            progress=progress,
        )
    return out.finish(outcome, out.file(output), *(p for p in (diagram, save) if p is not None))


def main(argv: list[str] | None = None) -> int:
    """Run `netviz` with `argv` and return the exit code (no `sys.exit`)."""
    return exit_code(
        lambda: app(args=argv, prog_name="netviz", standalone_mode=False),
        debug=lambda: _state["debug"],
    )


def run() -> None:
    """Console-script entry point (`netviz`, `python -m visualizer`)."""
    # What start-up made (modules, classes, the command tree) lives as long as the process: the
    # collector need not scan it again (a fifth of the time of a small engine's render).
    gc.freeze()
    sys.exit(main())

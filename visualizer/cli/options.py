"""The options the commands share, declared once: the source options and the common ones.

`reads_source` gives a command the source options (`-H`, `-c`, `--from`, `--demo`,
`--compose`, …) and hands them to it parsed, as one `SourceSpec`.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from visualizer.analysis.catalogue import FailOn
from visualizer.renderers.options import Detail, Direction, Format, View
from visualizer.sources.settings import ComposeNaming
from visualizer.sources.spec import SourceSpec

if TYPE_CHECKING:
    from collections.abc import Callable


def opt(*names: str, help: str, **extra: Any) -> Any:  # noqa: A002, ANN401 - typer's OptionInfo
    """A typer option; defaults are not shown unless `show_default=True`."""
    return typer.Option(*names, help=help, show_default=extra.pop("show_default", False), **extra)


SOURCE_OPTIONS: dict[str, tuple[Any, Any, Any]] = {
    # name: (type, typer option, default) — the one definition every command shares
    "host": (
        list[str] | None,
        opt(
            "-H",
            "--host",
            metavar="URL",
            help="Engine socket to connect to, like `docker -H`; repeat for several engines.",
        ),
        None,
    ),
    "context": (
        list[str] | None,
        opt(
            "-c",
            "--context",
            metavar="NAME",
            help="Docker context to use, like `docker -c`; repeat for several engines.",
        ),
        None,
    ),
    "all_contexts": (
        bool,
        opt("--all-contexts", help="Gather every Docker context's engine into one picture."),
        False,
    ),
    "from_file": (
        Path | None,
        opt("--from", metavar="FILE", help="Read a snapshot file instead of an engine."),
        None,
    ),
    "demo": (bool, opt("--demo", help="Use the bundled demo topology (no engine needed)."), False),
    "compose": (
        list[Path] | None,
        opt(
            "--compose",
            metavar="FILE",
            help="Predict from compose files instead of an engine (repeatable, merged in order).",
        ),
        None,
    ),
    "project_name": (
        str | None,
        opt("--project-name", "-p", metavar="NAME", help="Compose project name."),
        None,
    ),
    "profiles": (
        list[str] | None,
        opt("--profile", metavar="NAME", help="Compose profile to enable (repeatable)."),
        None,
    ),
    "env_file": (
        Path | None,
        opt("--env-file", metavar="FILE", help="Compose env file [default: .env]."),
        None,
    ),
    "compose_naming": (
        ComposeNaming,
        opt(
            "--compose-naming",
            help="Container names of Compose v2 (p-s-1) or v1 (p_s_1).",
            show_default=True,
        ),
        ComposeNaming.V2,
    ),
    "timeout": (
        float,
        opt(
            "--timeout",
            metavar="SECONDS",
            help="Seconds to wait for each engine answer.",
            show_default=True,
        ),
        30.0,
    ),
}
SOURCE_SETS = {
    "any": tuple(SOURCE_OPTIONS),
    "live": ("host", "context", "timeout"),
    "strings": ("project_name", "profiles", "env_file", "compose_naming", "timeout"),
}


def reads_source(kind: str = "any") -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Give a command the source options of `kind` and hand them to it as `source: SourceSpec`."""
    names = SOURCE_SETS[kind]

    def decorate(func: Callable[..., int]) -> Callable[..., int]:
        own = list(inspect.signature(func, eval_str=True).parameters.values())
        extra = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=SOURCE_OPTIONS[name][2],
                annotation=Annotated[SOURCE_OPTIONS[name][0], SOURCE_OPTIONS[name][1]],
            )
            for name in names
        ]
        params = [p for p in own if p.name != "source"] + extra

        @functools.wraps(func)
        def command(**given: Any) -> int:  # noqa: ANN401
            options = {n: given.pop(n) for n in names}
            return func(source=spec(**options), **given)

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def spec(
    *,
    host: list[str] | None = None,
    context: list[str] | None = None,
    all_contexts: bool = False,
    from_file: Path | None = None,
    demo: bool = False,
    compose: list[Path] | None = None,
    project_name: str | None = None,
    profiles: list[str] | None = None,
    env_file: Path | None = None,
    compose_naming: ComposeNaming = ComposeNaming.V2,
    timeout: float = 30.0,
) -> SourceSpec:
    """The `SourceSpec` the source options of a command say."""
    return SourceSpec(
        hosts=tuple(host or ()),
        contexts=tuple(context or ()),
        all_contexts=all_contexts,
        snapshot=from_file,
        demo=demo,
        compose=tuple(compose or ()),
        project_name=project_name,
        profiles=tuple(profiles or ()),
        env_file=env_file,
        naming=compose_naming,
        timeout=timeout,
    )


OutputOpt = Annotated[
    Path | None, opt("-o", "--output", help="File to write, - for stdout [default: stdout].")
]
DiagramOutputOpt = Annotated[
    Path | None,
    opt(
        "-o",
        "--output",
        help="File to write, - for stdout [default: dot, mermaid, json to stdout, else output/topology.*].",  # noqa: E501
    ),
]
DiagramFormatOpt = Annotated[
    Format | None,
    opt("-f", "--format", help="Output format [default: from -o's suffix, else svg]."),
]
FilterOpt = Annotated[
    list[str] | None,
    opt(
        "--filter",
        metavar="KEY=VALUE",
        help=(
            "Only what matches key=value (network, driver, label, project, service, "
            "name=GLOB); repeatable: one key's values OR-ed, keys AND-ed."
        ),
    ),
]
ViewOpt = Annotated[
    View, opt("--view", help="topology: networks and containers; reachability: who reaches whom.")
]
DetailOpt = Annotated[
    Detail,
    opt(
        "--detail",
        help="One node per container, service, project or shared-network group; auto: the "
        "most detailed level whose picture stays readable.",
        show_default=True,
    ),
]
DebounceOpt = Annotated[
    float,
    opt(
        "--debounce",
        min=0.1,
        metavar="SECONDS",
        help="Quiet time before re-drawing.",
        show_default=True,
    ),
]
DataOpt = Annotated[
    bool, opt("--data/--no-data", help="Draw volumes, host paths and other channels.")
]
InspectOpt = Annotated[
    bool,
    opt("--inspect/--no-inspect", help="Also inspect each container (aliases, capabilities)."),
]
InspectAllOpt = Annotated[
    bool,
    opt(
        "--inspect/--no-inspect",
        help="Inspect every container (privileged mode, namespaces, capabilities, aliases): "
        "a request each, in parallel.",
    ),
]
DirectionOpt = Annotated[Direction, opt("--direction", help="Drawing direction.")]
JsonOpt = Annotated[bool, opt("--json", help="Answer as JSON.")]
ChangesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="CHANGE...",
        help="A docker command, quoted as one argument: 'docker network connect NET C'.",
        show_default=False,
    ),
]
ScriptOpt = Annotated[
    Path | None,
    opt("--script", metavar="FILE", help="Docker commands, one per line (# comments), run first."),
]
PolicyOpt = Annotated[
    Path | None, opt("--policy", metavar="FILE", help="Check a YAML reachability policy.")
]
SaveOpt = Annotated[
    Path | None,
    opt("--save", metavar="FILE", help="Write the predicted state as a snapshot (for --from)."),
]
ChangeDiagramOpt = Annotated[
    Path | None,
    opt("--diagram", metavar="FILE", help="Also draw the changes (svg, png, pdf, dot)."),
]
BaselineOpt = Annotated[
    Path | None,
    opt(
        "--baseline",
        metavar="FILE",
        help="An earlier audit --format json: fail only on what is new.",
    ),
]
FailOnOpt = Annotated[
    FailOn,
    opt(
        "--fail-on",
        help="Fail (exit 1) on open findings of this severity or worse.",
        show_default=True,
    ),
]
FailOnNewOpt = Annotated[
    FailOn, opt("--fail-on", help="Fail on new findings this severe.", show_default=True)
]

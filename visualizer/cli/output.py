"""What the commands do with an outcome: warnings, files (all or none), stdout, exit code."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visualizer.errors import ExitCode, UsageError
from visualizer.renderers.options import Format, TextOptions
from visualizer.text import visible

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from visualizer.api import Outcome
    from visualizer.renderers.options import RenderOptions
    from visualizer.results import WatchUpdate
    from visualizer.selection import Selection
    from visualizer.sources.spec import Progress

DEFAULT_OUTPUT = Path("output") / "topology"


def selection(filters: list[str] | None, *, hide_unused_builtin: bool = False) -> Selection:
    """The selection `--filter` options make."""
    from visualizer.selection import Selection, parse_filters  # noqa: PLC0415

    return Selection(filters=parse_filters(filters or ()), hide_unused_builtin=hide_unused_builtin)


def options(**given: Any) -> RenderOptions:  # noqa: ANN401
    """Render options from the command's options."""
    from visualizer.renderers.options import RenderOptions  # noqa: PLC0415

    return RenderOptions(**given)


def text(output: Path | None, *, color: bool, min_width: int = 80) -> TextOptions:
    """Colour only for a terminal; the terminal's width."""
    import shutil  # noqa: PLC0415

    width = max(shutil.get_terminal_size((120, 24)).columns, min_width)
    return TextOptions(color=color and file(output) is None and sys.stdout.isatty(), width=width)


def file(output: Path | None) -> Path | None:
    """Where `-o` points; `None` for stdout (no `-o`, or `-o -`)."""
    return None if output is None or str(output) == "-" else output


def destination(fmt: Format | None, output: Path | None) -> tuple[Format, Path | None]:
    """The diagram format (given, or from `-o`'s suffix) and where it goes (`None` = stdout)."""
    to_stdout = output is not None and str(output) == "-"
    if fmt is None:
        suffix = output.suffix.lower() if output is not None and not to_stdout else ""
        by_suffix = {f.suffix: f for f in Format} | {".md": Format.MERMAID, ".htm": Format.HTML}
        if suffix and suffix not in by_suffix:
            raise UsageError(f"cannot tell the format from {output}; use -f")
        fmt = by_suffix[suffix] if suffix else Format.SVG
    if to_stdout or (output is None and fmt.to_stdout):
        return fmt, None
    return fmt, output or DEFAULT_OUTPUT.with_suffix(fmt.suffix)


def finish(
    outcome: Outcome[Any],
    destination: Path | None,
    *more: Path | None,
    say_where: bool = False,
) -> int:
    """Show the warnings, write the documents (all of them or none), and the exit code.

    `say_where` prints where each file went (else only to a person at a terminal).
    """
    from visualizer.outputs import write_files, write_stdout  # noqa: PLC0415

    for message in outcome.warnings:
        warn(message)
    files = [(p, r.chunks()) for p, r in zip(more, outcome.attachments, strict=False) if p]
    if destination is not None:
        files.insert(0, (destination, outcome.output.chunks()))
    write_files(files)
    if destination is None:
        write_stdout(outcome.output.chunks(), binary=outcome.output.binary)
    for path, _ in files:
        if say_where:
            sys.stderr.write(f"netviz: wrote {visible(str(path))}\n")
        else:
            note(f"wrote {path}")
    return ExitCode.NEGATIVE if outcome.negative else ExitCode.OK


def warn(message: str) -> None:
    """One warning line on stderr, engine text made visible."""
    sys.stderr.write(f"netviz: warning: {visible(message)}\n")


def note(message: str) -> None:
    """A note for a person at a terminal (nothing when stderr is not one)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"netviz: {visible(message)}\n")


@contextmanager
def progress() -> Iterator[Progress | None]:
    """A progress display on stderr for long work (only on a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import Progress as Bar  # noqa: PLC0415

    with Bar(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(what: str, done: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield update


def watching(destination: Path) -> Callable[[WatchUpdate], None]:
    """What `watch` does with each drawing: write it, say its notes when they change, one line."""
    from visualizer.outputs import write_file  # noqa: PLC0415

    said: list[tuple[str, ...]] = [()]

    def show(update: WatchUpdate) -> None:
        write_file(destination, update.output.chunks())
        if update.output.notes != said[0]:  # the level of detail, what it does not draw
            said[0] = update.output.notes
            for message in update.output.notes:
                warn(message)
        stamp = update.at.strftime("%H:%M:%S")
        sys.stdout.write(visible(f"{stamp} {update.line} -> {destination}") + "\n")
        sys.stdout.flush()

    return show

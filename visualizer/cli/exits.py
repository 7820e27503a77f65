"""How `netviz` ends: the exit code of each error class, Ctrl-C (130) and SIGTERM (143).

The only place errors become exit codes and one-line messages.
"""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Any

import typer

from visualizer.errors import ExitCode, VisualizerError
from visualizer.text import visible

if TYPE_CHECKING:
    from collections.abc import Callable

# typer raises click's exceptions, from click itself or from the copy it vendors (0.26+):
# find their base class without importing click directly.
_ClickException: type[Any] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


class Stopped(BaseException):
    """A signal asked netviz to stop: unwind (child processes are killed on the way) and exit.

    Not a `KeyboardInterrupt`, which typer turns into a silent exit code.
    """

    def __init__(self, signum: int) -> None:
        """Stopped by signal `signum`."""
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    del frame
    raise Stopped(signum)


def exit_code(command: Callable[[], object], *, debug: Callable[[], bool]) -> int:
    """Run `command` with SIGINT and SIGTERM raising `Stopped`; return its exit code.

    With `debug()` true, netviz's own errors propagate with their traceback.
    """
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _result(command, debug)
    except Stopped as stop:
        if stop.signum == signal.SIGTERM:
            sys.stderr.write("netviz: terminated\n")
            return ExitCode.TERMINATED
        sys.stderr.write("netviz: interrupted\n")
        return ExitCode.INTERRUPTED
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _result(command: Callable[[], object], debug: Callable[[], bool]) -> int:
    try:
        result = command()
    except _ClickException as exc:  # usage errors from typer's option parsing
        exc.show()
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("netviz: interrupted\n")
        return ExitCode.INTERRUPTED
    except VisualizerError as exc:
        if debug():
            raise
        sys.stderr.write(f"netviz: error: {visible(str(exc))}\n")
        return exc.exit_code
    return result if isinstance(result, int) else ExitCode.OK

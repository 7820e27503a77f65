"""One exception hierarchy for the library, each class carrying the CLI exit code it maps to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of `netviz`, documented in the README."""

    OK = 0
    """Success; for a question (`reach`, `audit`, `diff`) the answer is "yes" / clean / equal."""
    NEGATIVE = 1
    """The command ran and its answer is negative: not reachable, violations, differences."""
    USAGE = 2
    """Bad command line: unknown option or format, unknown context, container or network."""
    ENGINE = 3
    """The Docker engine could not be reached or answered with an error."""
    INPUT = 4
    """An input file (snapshot, policy, compose) is missing, malformed or of an unknown version."""
    RENDERER = 5
    """A renderer is missing (Graphviz's `dot`) or failed."""
    OUTPUT = 6
    """The output could not be written."""
    INTERRUPTED = 130
    """Interrupted by Ctrl-C."""
    TERMINATED = 143
    """Stopped by SIGTERM (child processes such as Graphviz are stopped with it)."""


class VisualizerError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        """Keep the one-line message shown to the user."""
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        """Return the message, always on one line."""
        return " ".join(self.message.split())


class UsageError(VisualizerError):
    """A request that cannot be satisfied as asked (bad option value, unknown name)."""

    exit_code = ExitCode.USAGE


class NotFoundError(UsageError):
    """A container, network or context named by the user does not exist."""


class EngineError(VisualizerError):
    """The Docker engine is unreachable, refused access, timed out or returned an error."""

    exit_code = ExitCode.ENGINE


class InputError(VisualizerError):
    """An input file is unreadable, malformed or of an unsupported schema version."""

    exit_code = ExitCode.INPUT


class RendererError(VisualizerError):
    """The renderer needed for a format is missing or failed."""

    exit_code = ExitCode.RENDERER


class OutputError(VisualizerError):
    """The output file or directory could not be written."""

    exit_code = ExitCode.OUTPUT

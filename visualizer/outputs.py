"""Where results go: files written atomically, or stdout. Used by the CLI only."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import OutputError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


def write_file(path: Path, content: Iterable[bytes]) -> None:
    """Write `content` (pieces, e.g. `Rendered.chunks()`) to `path` atomically.

    A temp file in the same directory is written, then renamed.

    The parent directory is created when missing. On any failure nothing is left behind and
    an existing file at `path` is untouched. A path that exists but is not a regular file
    (`/dev/null`, a FIFO, `/dev/stdout`) is written in place: renaming over it would replace
    the device.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        _write_special(path, content)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create directory {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(content)
        _keep_mode_and_owner(Path(tmp), path)
        Path(tmp).replace(path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()


def write_files(files: Sequence[tuple[Path, Iterable[bytes]]]) -> None:
    """Write several files, all of them or none: each goes to a temp file first, then all renamed.

    If any cannot be written, none of the new contents is put in place (earlier files stay as
    they were).
    """
    if len(files) <= 1:
        for path, content in files:
            write_file(path, content)
        return
    staged: list[tuple[Path, Path]] = []
    try:
        for path, content in files:
            if path.exists() and not path.is_file() and not path.is_dir():
                continue  # a device or FIFO is written in place, after the others
            staged.append((_stage(path, content), path))
        for tmp, path in staged:
            tmp.replace(path)
        staged = []
    except OSError as exc:
        raise OutputError(
            f"cannot write {exc.filename or 'output'}: {exc.strerror or exc}"
        ) from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
    for path, content in files:
        if path.exists() and not path.is_file() and not path.is_dir():
            _write_special(path, content)


def _stage(path: Path, content: Iterable[bytes]) -> Path:
    """`content` in a temp file beside `path`, with the mode `path` will have."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create directory {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(content)
        _keep_mode_and_owner(Path(tmp), path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _write_special(path: Path, content: Iterable[bytes]) -> None:
    try:
        with path.open("wb") as fh:
            fh.writelines(content)
    except BrokenPipeError:
        return
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_stdout(content: Iterable[bytes], *, binary: bool) -> None:
    """Write to stdout; refuse binary data on a terminal; a reader gone early is not an error."""
    if binary and sys.stdout.isatty():
        raise UsageError("refusing to write binary output to a terminal; use -o FILE")
    try:
        for piece in content:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # `netviz ... | head`: the reader has what it wanted. Point stdout at /dev/null so
        # the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _keep_mode_and_owner(tmp: Path, path: Path) -> None:
    """Give the new file the mode and owner of the one it replaces (else the umask's mode).

    Snapshots and audits are sensitive: rewriting a 0600 file must not widen it to 0644.
    """
    try:
        old = path.stat()
    except FileNotFoundError:
        tmp.chmod(0o666 & ~_umask())
        return
    tmp.chmod(stat.S_IMODE(old.st_mode))
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):  # only root may give files away
            os.chown(tmp, old.st_uid, old.st_gid)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

"""A deadline for a whole answer: sockets whose timeout counts from the start of a request.

A socket timeout bounds each read; an engine that drips a byte per second would never time
out. Inside `deadline(seconds)`, every read and write of these sockets gets only what is left.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


_local = threading.local()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound every socket read and write of this thread by one deadline `seconds` from now."""
    previous = getattr(_local, "end", None)
    _local.end = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _local.end = previous


class _DeadlineMixin:
    """Socket methods that shorten each wait to what is left before the thread's deadline."""

    _base_timeout: float | None = None

    def settimeout(self, value: float | None) -> None:
        self._base_timeout = value
        socket.socket.settimeout(self, value)  # type: ignore[arg-type]

    def _arm(self) -> None:
        end = getattr(_local, "end", None)
        if end is None:
            socket.socket.settimeout(self, self._base_timeout)  # type: ignore[arg-type]
            return
        left = end - time.monotonic()
        if left <= 0:
            msg = "timed out (the whole answer took longer than the timeout)"
            raise TimeoutError(msg)
        wait = left if self._base_timeout is None else min(left, self._base_timeout)
        socket.socket.settimeout(self, wait)  # type: ignore[arg-type]

    def recv(self, *args: Any, **kwargs: Any) -> bytes:  # noqa: ANN401
        self._arm()
        return super().recv(*args, **kwargs)  # type: ignore[misc,no-any-return]

    def recv_into(self, *args: Any, **kwargs: Any) -> int:  # noqa: ANN401
        self._arm()
        return super().recv_into(*args, **kwargs)  # type: ignore[misc,no-any-return]

    def sendall(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        self._arm()
        super().sendall(*args, **kwargs)  # type: ignore[misc]


class DeadlineSocket(_DeadlineMixin, socket.socket):
    """A plain socket (unix, tcp, the ssh channel) bound by the current deadline."""


class DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    """A TLS socket bound by the current deadline."""

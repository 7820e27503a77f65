"""Engine failures as one line each: SDK, HTTP, TLS, ssh and socket errors, translated."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError, VisualizerError
from visualizer.sources.address import TransportError

if TYPE_CHECKING:
    from collections.abc import Iterator


class HTTPStatus(Exception):  # noqa: N818 - an answer, not a failure of ours
    """The engine answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status and the engine's message."""
        super().__init__(status, message)
        self.status = status
        self.message = message


class NotDocker(Exception):  # noqa: N818
    """The answer is not the JSON a Docker engine sends."""


def error_message(body: bytes) -> str:
    """The `message` of an engine's error answer, as one line."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return one_line(data["message"])
    return one_line(body[:300].decode("utf-8", "replace")) or "no explanation"


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Turn transport, HTTP and SDK failures into one-line `EngineError`s."""
    import requests  # noqa: PLC0415
    import urllib3.exceptions  # noqa: PLC0415

    try:
        yield
    except VisualizerError:
        raise
    except HTTPStatus as exc:
        raise EngineError(f"the engine at {where} answered {exc.status}: {exc.message}") from None
    except NotDocker as exc:
        raise EngineError(f"{where} does not look like a Docker engine ({exc})") from None
    except _sdk("APIError") as exc:
        status = getattr(exc, "status_code", None) or "an error"
        raise EngineError(f"the engine at {where} answered {status}: {explanation(exc)}") from None
    except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        raise EngineError(
            f"the engine at {where} did not answer in time (raise --timeout if it is slow)"
        ) from None
    except (
        requests.exceptions.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        ssl.SSLError,
        OSError,
    ) as exc:
        raise EngineError(_connection_message(where, exc)) from None
    except _sdk("DockerException") as exc:
        raise EngineError(f"cannot connect to {where}: {one_line(exc)}") from None


def _connection_message(where: str, exc: BaseException) -> str:
    chain = _chain(exc)
    own = next((e for e in chain if isinstance(e, TransportError)), None)
    if own is not None:
        return f"cannot use the Docker engine at {where}: {own}"
    if any(isinstance(e, (TimeoutError, socket.timeout)) for e in chain):
        return f"the engine at {where} did not answer in time (raise --timeout if it is slow)"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS handshake with {where} failed: {_tls_reason(tls)}"
    cause = chain[-1]
    odd = next(
        (
            e
            for e in chain
            if isinstance(e, http.client.HTTPException)
            and not isinstance(e, (http.client.IncompleteRead, http.client.RemoteDisconnected))
        ),
        None,
    )
    if odd is not None:
        return f"{where} does not look like a Docker engine (not an HTTP answer: {one_line(odd)})"
    if isinstance(cause, FileNotFoundError):
        return (
            f"cannot connect to the Docker engine at {where}: no such socket (is dockerd running?)"
        )
    if isinstance(cause, PermissionError):
        return (
            f"permission denied connecting to the Docker engine at {where} "
            "(add your user to the 'docker' group, or run with sudo)"
        )
    if isinstance(cause, ConnectionRefusedError):
        return f"cannot connect to the Docker engine at {where}: connection refused"
    if isinstance(cause, socket.gaierror):
        return f"cannot connect to the Docker engine at {where}: unknown host"
    if isinstance(cause, (ConnectionResetError, http.client.IncompleteRead)) or "reset" in str(
        cause
    ):
        return (
            f"cannot talk to the engine at {where}: it broke the connection mid-answer "
            f"({one_line(cause)})"
        )
    return f"cannot connect to the Docker engine at {where}: {one_line(cause)}"


_TLS_HINTS = (
    ("certificate has expired", "the engine's certificate has expired"),
    ("alert certificate expired", "the engine refused netviz's client certificate: expired"),
    ("unknown ca", "the engine does not trust netviz's client certificate (unknown CA)"),
    ("alert bad certificate", "the engine refused netviz's client certificate"),
    ("certificate required", "the engine requires a client certificate (cert.pem, key.pem)"),
    ("self-signed certificate", "the engine's certificate is not signed by the CA given"),
    ("unable to get local issuer", "the engine's certificate is not signed by the CA given"),
    ("ip address mismatch", "the engine's certificate is not for this address"),
    ("hostname mismatch", "the engine's certificate is not for this host name"),
    ("wrong version number", "the engine does not speak TLS there"),
    (  # TLS 1.3: a refused client certificate may come as a bare close, without its alert
        "eof occurred in violation of protocol",
        (
            "the engine closed the connection during the handshake: it may have refused netviz's "
            "client certificate (expired, or from a CA it does not trust)"
        ),
    ),
)


def _tls_reason(exc: ssl.SSLError) -> str:
    text = one_line(exc)
    low = text.lower()
    for needle, hint in _TLS_HINTS:
        if needle in low:
            return f"{hint} ({text})"
    return text


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first (cause, context and wrapped args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [x for x in (e.__cause__, e.__context__) if x is not None]
        todo += [a for a in e.args if isinstance(a, BaseException)]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def _sdk(name: str) -> type[Exception] | tuple[type[Exception], ...]:
    """An exception class of the Docker SDK, once something has imported it (else nothing).

    Looked up when an exception is matched, so `translated` costs no SDK import: only the
    commands that use the SDK (exec for `probe`) can raise its errors.
    """
    errors = sys.modules.get("docker.errors")
    found = getattr(errors, name, None)
    return found if isinstance(found, type) and issubclass(found, Exception) else ()


def explanation(exc: Any) -> str:  # noqa: ANN401 - docker.errors.APIError
    """What the engine said when the SDK raised an API error."""
    return one_line(exc.explanation or exc)


def one_line(value: object) -> str:
    """Anything as one short line of text."""
    text = " ".join(str(value).split())
    return text[:300] or type(value).__name__

"""A recording proxy on a unix socket in front of the real Docker socket.

It relays bytes both ways and records each request line (`GET /v1.41/networks`), so tests
can count the requests a command sends and check that it only reads. For fault injection:
a hook runs just before a request is forwarded (to change the engine at a precise moment,
to sleep, or to return `DROP` and cut the connection, as an engine that stops would), and
`rewrite` may edit the engine's answers on their way back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path  # noqa: TC003 - a runtime annotation in a plain class is fine

Hook = Callable[[str, str], object]  # (method, path) -> DROP to cut the connection
DROP = "drop"


class DockerProxy:
    """Serve `path`, forward to `upstream`, record `(method, path)` of every request."""

    def __init__(
        self,
        path: Path,
        upstream: str = "/var/run/docker.sock",
        hook: Hook | None = None,
        rewrite: Callable[[bytes], bytes] | None = None,
    ):
        self.path = path
        self.upstream = upstream
        self.hook = hook
        self.rewrite = rewrite
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(64)
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._closed = False
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def close(self) -> None:
        """Stop serving and cut every open connection, as an engine that stops would."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> DockerProxy:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            t = threading.Thread(target=self._handle, args=(client,), daemon=True)
            t.start()
            self._threads.append(t)

    def _handle(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.upstream)
        with self._lock:
            self._open.extend((client, upstream))
        back = threading.Thread(target=_pump, args=(upstream, client, self.rewrite), daemon=True)
        back.start()
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, rest = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (h.partition(":") for h in lines[1:])
                }
                with self._lock:
                    self.requests.append((method, target))
                if self.hook is not None and self.hook(method, target) == DROP:
                    client.shutdown(socket.SHUT_RDWR)
                    return
                if headers.get("transfer-encoding", "").lower() == "chunked" or headers.get(
                    "upgrade"
                ):
                    upstream.sendall(head + b"\r\n\r\n" + rest)
                    _pump(client, upstream)  # raw relay from here on
                    return
                length = int(headers.get("content-length", "0") or 0)
                while len(rest) < length:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    rest += chunk
                upstream.sendall(head + b"\r\n\r\n" + rest[:length])
                buf = rest[length:]
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)
            back.join(timeout=30)
            upstream.close()
            client.close()


def _pump(
    src: socket.socket, dst: socket.socket, rewrite: Callable[[bytes], bytes] | None = None
) -> None:
    try:
        while chunk := src.recv(65536):
            dst.sendall(rewrite(chunk) if rewrite is not None else chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

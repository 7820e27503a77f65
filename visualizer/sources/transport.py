"""How netviz reaches an engine: `unix://`, `tcp://` (with or without TLS) and `ssh://`.

One requests adapter serves every scheme, mounted on the Docker SDK's `APIClient`, so the
SDK builds URLs and the bytes go through sockets netviz controls:

- **ssh://** runs the system OpenSSH client, `ssh [-l USER] [-p PORT] -- HOST docker system
  dial-stdio`, and speaks HTTP over its standard input and output, as the docker CLI does.
  The user's `~/.ssh/config` (aliases, `Port`, `User`, `IdentityFile`, `ProxyJump`), keys, agent
  and `known_hosts` all apply because they are OpenSSH's own. `BatchMode=yes` means it never
  prompts: an unknown host key, a refused key or a password-only host fail with one line.
  It needs `ssh` on PATH here and the docker CLI on the remote host. The SDK's own ssh
  transports were tried and not used: its paramiko transport ignores an alias's `Port` (it
  tried port 22 for an alias set to 2222) and needs paramiko; its `use_ssh_client` mode
  pipes through `Popen` file objects and ended in a broken pipe. Here the ssh process gets
  one end of a `socketpair` as stdin and stdout, so HTTP runs over a real socket: timeouts,
  keep-alive and the connection pool work as on a unix socket.
- **tcp:// with TLS** uses an `ssl.SSLContext` built from the engine's own files
  (`DOCKER_CERT_PATH`, a context's `tls` directory): the CA given is the only one trusted, as
  by the docker CLI. `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` and `.netrc` never apply
  (requests lets them override a session's CA file; the engine's CA must win).

Two bounds hold for every answer: `deadline()` turns the per-read socket timeout into a
deadline for the whole answer (an engine that drips a byte per second is cut off at
`--timeout`), and `read_body()` stops at `MAX_RESPONSE_BYTES`.
"""

from __future__ import annotations

import http.client
import socket
from typing import TYPE_CHECKING, Any

import requests.adapters
import urllib3.connection
import urllib3.connectionpool

from visualizer.sources.address import (
    DEFAULT_TCP_PORT,
    Address,
    ResponseTooLargeError,
    SSHError,
)
from visualizer.sources.deadline import DeadlineSocket
from visualizer.sources.ssh import SSHProcess

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterator

MAX_RESPONSE_BYTES = 128 * 1024 * 1024
"""The largest answer netviz reads from an engine (128 MiB, about 50,000 containers listed);
past it the capture stops with an engine error rather than exhausting memory."""
MAX_EVENT_BYTES = 1024 * 1024
"""The longest single event line `GET /events` may send (1 MiB)."""
BASE_URL = "http+netviz://engine"
"""What the SDK's client builds request URLs on; the adapter mounted there does the I/O."""


# ---- a deadline for a whole answer ------------------------------------------------------------


# ---- connections ------------------------------------------------------------------------------


class _EngineConnection(urllib3.connection.HTTPConnection):
    """One HTTP connection to the engine over a unix socket, TCP (+TLS) or an ssh process."""

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        address: Address,
        context: ssl.SSLContext | None,
        **kwargs: Any,  # noqa: ANN401
    ) -> None:
        super().__init__(host, port, **kwargs)
        self._address = address
        self._context = context
        self._ssh: SSHProcess | None = None

    def connect(self) -> None:
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        a = self._address
        sock: socket.socket
        if a.scheme == "unix":
            sock = DeadlineSocket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(a.path)
            except OSError:
                sock.close()
                raise
        elif a.scheme == "tcp":
            sock = _tcp(a.host, a.port or DEFAULT_TCP_PORT, timeout)
            if self._context is not None:
                server_name = a.host if self._context.check_hostname else None
                sock = self._context.wrap_socket(sock, server_hostname=server_name)
        else:
            self._ssh = SSHProcess.start(a, timeout)
            sock = self._ssh.sock
        self.sock = sock

    def getresponse(self) -> Any:  # noqa: ANN401 - urllib3's BaseHTTPResponse
        try:
            return super().getresponse()
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            if self._ssh is None:
                raise
            raise SSHError(self._ssh.failure(exc)) from None

    def close(self) -> None:
        super().close()
        if self._ssh is not None:
            self._ssh.stop()  # kept: getresponse() may still ask it why the channel closed


def _tcp(host: str, port: int, timeout: float | None) -> socket.socket:
    error: OSError | None = None
    for family, kind, proto, _, addr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = DeadlineSocket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(addr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"cannot resolve {host}")


class _EnginePool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _EngineConnection


class EngineAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter that sends every request to one engine address, pooled."""

    def __init__(
        self, address: Address, context: ssl.SSLContext | None, *, pool_size: int = 8
    ) -> None:
        """Open nothing yet: connections are made on first use and kept alive for reuse."""
        super().__init__(max_retries=0)
        self.address = address
        self._engine_pool = _EnginePool(
            "localhost",
            maxsize=pool_size,
            block=True,  # at most `pool_size` requests in flight: bounded concurrency
            address=address,
            context=context,
        )

    def get_connection_with_tls_context(
        self,
        request: Any,  # noqa: ANN401, ARG002 - the adapter interface
        verify: Any,  # noqa: ANN401, ARG002
        proxies: Any = None,  # noqa: ANN401, ARG002
        cert: Any = None,  # noqa: ANN401, ARG002
    ) -> urllib3.connectionpool.HTTPConnectionPool:
        """Every request goes to the engine's pool; proxies do not apply to an engine socket."""
        return self._engine_pool

    def get_connection(
        self,
        url: Any,  # noqa: ANN401, ARG002 - the adapter interface
        proxies: Any = None,  # noqa: ANN401, ARG002
    ) -> urllib3.connectionpool.HTTPConnectionPool:
        """The engine's pool (requests before 2.32.2)."""
        return self._engine_pool

    def cert_verify(self, conn: Any, url: Any, verify: Any, cert: Any) -> None:  # noqa: ANN401
        """TLS comes from the engine's own settings: REQUESTS_CA_BUNDLE & co. never apply."""

    def request_url(self, request: Any, proxies: Any) -> str:  # noqa: ANN401, ARG002
        """Send the path only (the host part of the URL is a placeholder)."""
        return str(request.path_url)

    def close(self) -> None:
        """Close every pooled connection (and end their ssh processes)."""
        self._engine_pool.close()
        super().close()


def read_body(response: Any, limit: int | None = None) -> bytes:  # noqa: ANN401
    """Read a streamed response's whole body, refusing more than `limit` bytes."""
    limit = MAX_RESPONSE_BYTES if limit is None else limit
    parts: list[bytes] = []
    total = 0
    raw = response.raw
    while True:
        chunk = raw.read(65536, decode_content=False)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            msg = f"the answer is larger than netviz's limit of {limit // (1024 * 1024)} MiB"
            raise ResponseTooLargeError(msg)
        parts.append(chunk)
    return b"".join(parts)


def read_lines(response: Any, limit: int = MAX_EVENT_BYTES) -> Iterator[bytes]:  # noqa: ANN401
    """Yield the lines of a streamed response as they arrive; a line over `limit` is cut off.

    A too-long line is yielded truncated (it will not parse) so the caller reports it.
    """
    # http.client's own read1 returns what has arrived; urllib3's read1 may wait for more.
    fp = getattr(response.raw, "_fp", None)
    read = fp.read1 if fp is not None and hasattr(fp, "read1") else response.raw.read1
    pending = b""
    skipping = False
    while True:
        chunk = read(65536)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            line, _, pending = pending.partition(b"\n")
            if skipping:
                skipping = False
                continue
            yield line
        if len(pending) > limit:
            yield pending[:limit]
            pending = b""
            skipping = True
    if pending.strip() and not skipping:
        yield pending

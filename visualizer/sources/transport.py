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

import contextlib
import http.client
import ipaddress
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests.adapters
import urllib3.connection
import urllib3.connectionpool

from visualizer.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAX_RESPONSE_BYTES = 128 * 1024 * 1024
"""The largest answer netviz reads from an engine (128 MiB, about 50,000 containers listed);
past it the capture stops with an engine error rather than exhausting memory."""
MAX_EVENT_BYTES = 1024 * 1024
"""The longest single event line `GET /events` may send (1 MiB)."""
DEFAULT_TCP_PORT = 2375
DEFAULT_TLS_PORT = 2376
SCHEMES = ("unix", "tcp", "ssh")
BASE_URL = "http+netviz://engine"
"""What the SDK's client builds request URLs on; the adapter mounted there does the I/O."""

_HOST_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A parsed engine address (`-H`, `DOCKER_HOST` or a context's endpoint)."""

    url: str
    """As given."""
    scheme: str
    """`unix`, `tcp` or `ssh`."""
    path: str = ""
    """Socket path (`unix`)."""
    host: str = ""
    """Host name, IP address or ssh alias (`tcp`, `ssh`)."""
    port: int | None = None
    """TCP port; for ssh only when the URL names one (else ssh's configuration decides)."""
    user: str | None = None
    """ssh login name, when the URL names one."""


def parse_address(url: str, *, tls: bool = False) -> Address:
    """Parse an engine URL the way the docker CLI accepts it; `UsageError` when malformed."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise UsageError(f"invalid engine address {url!r}: expected unix://, tcp:// or ssh://")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise UsageError(
            f"invalid engine address {url!r}: scheme {scheme!r} is not supported "
            "(use unix://, tcp:// or ssh://)"
        )
    if scheme == "unix":
        if not rest.startswith("/"):
            raise UsageError(f"invalid engine address {url!r}: unix:// needs an absolute path")
        return Address(url=text, scheme="unix", path=rest)
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port
        host = parts.hostname or ""
    except ValueError as exc:
        raise UsageError(f"invalid engine address {url!r}: {exc}") from None
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise UsageError(f"invalid engine address {url!r}: no path or query is allowed after it")
    if not host:
        raise UsageError(f"invalid engine address {url!r}: no host")
    if not _valid_host(host):
        raise UsageError(f"invalid engine address {url!r}: bad host name {host!r}")
    if port == 0:
        raise UsageError(f"invalid engine address {url!r}: port 0")
    if scheme == "tcp":
        if parts.username is not None:
            raise UsageError(f"invalid engine address {url!r}: tcp:// takes no user name")
        return Address(
            url=text,
            scheme="tcp",
            host=host,
            port=port or (DEFAULT_TLS_PORT if tls else DEFAULT_TCP_PORT),
        )
    if parts.password is not None:
        raise UsageError(f"invalid engine address {url!r}: ssh:// takes no password")
    user = unquote(parts.username) if parts.username else None
    if user is not None and (not user or user.startswith("-") or not user.isprintable()):
        raise UsageError(f"invalid engine address {url!r}: bad user name")
    return Address(url=text, scheme="ssh", host=host, port=port, user=user)


def _valid_host(host: str) -> bool:
    if host.startswith("-"):
        return False  # never let a host name turn into an ssh option
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST_RE.match(host))
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSSettings:
    """TLS material for a `tcp://` engine, as the docker CLI finds it."""

    ca_cert: Path | None = None
    """The CA that signed the engine's certificate; the only one trusted when given."""
    client_cert: tuple[Path, Path] | None = None
    """`(cert.pem, key.pem)` presented to the engine."""
    verify: bool = True
    """Check the engine's certificate and host name (`--tlsverify`, not `SkipTLSVerify`)."""


def ssl_context(tls: TLSSettings) -> ssl.SSLContext:
    """An SSL context trusting the engine's CA only (or the system's when none is given)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.sslsocket_class = _DeadlineSSLSocket
    if tls.verify:
        if tls.ca_cert is not None:
            context.load_verify_locations(cafile=str(tls.ca_cert))
        else:
            context.load_default_certs()
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.client_cert is not None:
        context.load_cert_chain(str(tls.client_cert[0]), str(tls.client_cert[1]))
    return context


class TransportError(OSError):
    """A failure explained by netviz's own transport (ssh, size limit), shown as is."""

    def __init__(self, message: str) -> None:
        """Keep the one-line explanation."""
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        """Return the explanation."""
        return self.message


class SSHError(TransportError):
    """The ssh connection failed; the message says why (from ssh's own diagnostics)."""


class ResponseTooLargeError(TransportError):
    """The engine sent more than `MAX_RESPONSE_BYTES`."""


# ---- a deadline for a whole answer ------------------------------------------------------------

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


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


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
        self._ssh: _SSHProcess | None = None

    def connect(self) -> None:
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        a = self._address
        sock: socket.socket
        if a.scheme == "unix":
            sock = _DeadlineSocket(socket.AF_UNIX, socket.SOCK_STREAM)
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
            self._ssh = _SSHProcess.start(a, timeout)
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
        sock = _DeadlineSocket(family, kind, proto)
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


class _SSHProcess:
    """`ssh … docker system dial-stdio` with a socket as its stdin and stdout."""

    def __init__(
        self, host: str, proc: subprocess.Popen[bytes], sock: socket.socket, err: IO[bytes]
    ) -> None:
        self.host = host
        self.proc = proc
        self.sock = sock
        self.err = err
        self.stopped = False
        self.stderr = ""

    @classmethod
    def start(cls, a: Address, timeout: float | None) -> _SSHProcess:
        exe = shutil.which("ssh")
        if exe is None:
            msg = "ssh:// needs the OpenSSH client: no `ssh` on PATH (Debian: openssh-client)"
            raise SSHError(msg)
        argv = ssh_argv(a, exe=exe, timeout=timeout)
        mine, theirs = socket.socketpair()
        err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=theirs.fileno(),
                stdout=theirs.fileno(),
                stderr=err,
                start_new_session=True,  # Ctrl-C reaches netviz, which then closes the channel
            )
        except OSError as exc:
            mine.close()
            err.close()
            raise SSHError(f"cannot run ssh: {exc.strerror or exc}") from None
        finally:
            theirs.close()
        sock = _DeadlineSocket(fileno=mine.detach())
        sock.settimeout(timeout)
        return cls(a.host, proc, sock, err)

    def failure(self, exc: BaseException) -> str:
        """Why the channel closed, in one line, from ssh's exit status and diagnostics."""
        self.stop()
        return explain_ssh_failure(self.host, self.proc.returncode, self.stderr, exc)

    def stop(self) -> None:
        """Close the channel, let ssh exit (end it if it does not) and keep its diagnostics."""
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.seek(0)
        self.stderr = self.err.read(65536).decode("utf-8", "replace")
        self.err.close()


def ssh_argv(a: Address, *, exe: str = "ssh", timeout: float | None = None) -> list[str]:
    """The ssh command line, as the docker CLI builds it (plus `BatchMode`: never prompt)."""
    argv = [exe, "-T", "-o", "BatchMode=yes"]
    if timeout is not None:
        argv += ["-o", f"ConnectTimeout={max(1, round(timeout))}"]
    if a.user:
        argv += ["-l", a.user]
    if a.port:
        argv += ["-p", str(a.port)]
    return [*argv, "--", a.host, "docker", "system", "dial-stdio"]


_NO_DOCKER = "no docker CLI on {host}: ssh:// runs `docker system dial-stdio` there ({line})"
_SSH_DIAGNOSTICS: tuple[tuple[str, str], ...] = (
    # What the remote's docker CLI says comes first: ssh's own "closed by" follows it.
    ("command not found", _NO_DOCKER),
    ("docker: not found", _NO_DOCKER),
    (
        'unknown command "dial-stdio"',
        "the docker CLI on {host} is too old for ssh:// (`docker system dial-stdio`: 18.09+)",
    ),
    (
        "permission denied while trying to connect",
        "the ssh user on {host} may not use its Docker engine ({line})",
    ),
    (
        "cannot connect to the docker daemon",
        "the docker CLI on {host} cannot reach its engine ({line})",
    ),
    (
        "host key verification failed",
        (
            "the host key of {host} is not known (or changed): connect once with "
            "`ssh {host}` to check it and record it in known_hosts"
        ),
    ),
    (
        "remote host identification has changed",
        "the host key of {host} changed: check it and fix known_hosts",
    ),
    (
        "permission denied",
        (
            "{host} refused the ssh login ({line}): check the user and the key "
            "(ssh-agent, IdentityFile)"
        ),
    ),
    ("too many authentication failures", "{host} refused the ssh login ({line})"),
    ("could not resolve hostname", "cannot reach {host} over ssh: unknown host ({line})"),
    ("connection refused", "cannot reach {host} over ssh: connection refused ({line})"),
    ("connection timed out", "cannot reach {host} over ssh: connection timed out ({line})"),
    ("no route to host", "cannot reach {host} over ssh: no route to host ({line})"),
    ("network is unreachable", "cannot reach {host} over ssh: network unreachable ({line})"),
    ("connection closed by", "{host} closed the ssh connection ({line})"),
)


def explain_ssh_failure(host: str, code: int | None, stderr: str, exc: BaseException) -> str:
    """One line saying why an ssh channel to `host` closed."""
    lines = [
        " ".join(line.split())
        for line in stderr.splitlines()
        if line.strip() and not line.lower().startswith("warning: permanently added")
    ]
    lowered = [line.lower() for line in lines]
    for needle, template in _SSH_DIAGNOSTICS:
        for line, low in zip(lines, lowered, strict=True):
            if needle in low:
                return template.format(host=host, line=line[:200])
    if code == 127:  # noqa: PLR2004 - the shell's "command not found"
        return _NO_DOCKER.format(host=host, line=f"exit {code}")
    last = lines[-1][:200] if lines else f"{type(exc).__name__}: {exc}"
    status = f"exit {code}" if code is not None else "still running"
    return f"the ssh connection to {host} closed ({status}): {last}"


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

"""Engine addresses (`unix://`, `tcp://`, `ssh://`), TLS settings, and transport errors."""

from __future__ import annotations

import ipaddress
import re
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from visualizer.errors import UsageError
from visualizer.sources.deadline import DeadlineSSLSocket

if TYPE_CHECKING:
    from pathlib import Path


DEFAULT_TCP_PORT = 2375


DEFAULT_TLS_PORT = 2376


SCHEMES = ("unix", "tcp", "ssh")


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
    context.sslsocket_class = DeadlineSSLSocket
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

"""Ports in a compose file, read with Docker's own rules (`docker/go-connections` `nat`).

Short syntax `[[IP:]HOST:]CONTAINER[/PROTO]` (an empty IP, `:443:443`, means every address, as
Compose v2 reads it; IPv6 addresses in brackets or not), long syntax (`target`, `published`,
`host_ip`, `protocol`, `mode`), and `expose` (`PORT[-PORT][/PROTO]`). Container ports are 1 to
65535, host ports 0 (the engine picks one) to 65535; a host range must be as long as the
container range unless the container port is one port (the engine picks one in the range).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

MAX_PORT = 65535
PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_NUMBER = re.compile(r"[0-9]+")


class PortError(ValueError):
    """A port the engine would refuse (the message says why)."""


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One `ports:` entry: container ports, host ports (none: the engine picks), address."""

    container: tuple[int, int]
    """First and last container port."""
    host: tuple[int, int] | None
    """First and last host port; `None` when not given."""
    host_ip: str
    """The host address, empty for every address."""
    protocol: str
    """`tcp`, `udp` or `sctp`."""
    mode: str | None = None
    """Long syntax `mode` (`host` or `ingress`), when given."""

    @property
    def count(self) -> int:
        """How many container ports the entry binds."""
        return self.container[1] - self.container[0] + 1

    def bindings(self) -> list[tuple[int, int, str, str]]:
        """(container port, host port or 0, protocol, host address), one per container port."""
        out = []
        first, last = self.container
        for offset, port in enumerate(range(first, last + 1)):
            if self.host is None or (self.host[0] != self.host[1] and first == last):
                host = 0  # none given, or a host range for one port: the engine picks one
            else:
                host = self.host[0] + offset
            out.append((port, host, self.protocol, self.host_ip))
        return out


def port_range(text: str, *, what: str, lowest: int) -> tuple[int, int]:
    """`N` or `N-M` within `lowest`..65535."""
    first, sep, last = text.partition("-")
    if not _NUMBER.fullmatch(first) or (sep and not _NUMBER.fullmatch(last)):
        raise PortError(f"invalid {what} {text!r}")
    last = last if sep else first
    if len(first) > 6 or len(last) > 6:  # noqa: PLR2004 - no int() of a 5,000-digit string
        raise PortError(f"{what} {text!r} is out of range ({lowest}-{MAX_PORT})")
    lo, hi = int(first), int(last)
    if not lowest <= lo <= MAX_PORT or not lowest <= hi <= MAX_PORT:
        raise PortError(f"{what} {text!r} is out of range ({lowest}-{MAX_PORT})")
    if hi < lo:
        raise PortError(f"invalid {what} range {text!r}: it ends before it starts")
    return lo, hi


def _protocol(text: str) -> str:
    proto = text.lower()
    if proto not in PROTOCOLS:
        raise PortError(f"invalid protocol {text!r} (tcp, udp or sctp)")
    return proto


def _host_ip(text: str) -> str:
    if not text:
        return ""
    address = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise PortError(f"invalid host address {text!r}") from None
    return address


def parse_port(entry: Any) -> PortSpec:  # noqa: ANN401 - a number, a string or a mapping
    """One `ports:` entry, short or long syntax."""
    if isinstance(entry, dict):
        return _long(entry)
    text = _as_text(entry, "port")
    body, _, proto = text.partition("/")
    parts = body.split(":")
    container = parts[-1]
    if len(parts) == 1:
        ip, host = "", None
    elif len(parts) == 2:  # noqa: PLR2004
        ip, host = "", parts[0]
    else:
        ip, host = ":".join(parts[:-2]), parts[-2]
    if not container:
        raise PortError(f"no container port in {text!r}")
    spec = PortSpec(
        container=port_range(container, what="container port", lowest=1),
        host=port_range(host, what="host port", lowest=0) if host else None,
        host_ip=_host_ip(ip),
        protocol=_protocol(proto or "tcp"),
    )
    _check_lengths(spec, text)
    return spec


def _long(entry: dict[str, Any]) -> PortSpec:
    target = entry.get("target")
    if isinstance(target, bool) or not isinstance(target, int):
        raise PortError("a port in long syntax needs a target port")
    if not 1 <= target <= MAX_PORT:
        raise PortError(f"target port {target} is out of range (1-{MAX_PORT})")
    published = entry.get("published")
    host = None
    if published is not None and str(published) != "":
        if isinstance(published, bool):
            raise PortError(f"invalid published port {published!r}")
        host = port_range(str(published), what="published port", lowest=0)
    spec = PortSpec(
        container=(target, target),
        host=host,
        host_ip=_host_ip(str(entry.get("host_ip") or "")),
        protocol=_protocol(str(entry.get("protocol") or "tcp")),
        mode=str(entry["mode"]) if entry.get("mode") is not None else None,
    )
    _check_lengths(spec, str(target))
    return spec


def _check_lengths(spec: PortSpec, text: str) -> None:
    if spec.host is None:
        return
    if spec.host[1] - spec.host[0] != spec.container[1] - spec.container[0] and spec.count > 1:
        raise PortError(f"host and container port ranges differ in length in {text!r}")


def parse_expose(entry: Any) -> tuple[int, int, str]:  # noqa: ANN401 - a number or a string
    """One `expose:` entry: first and last port, protocol."""
    text = _as_text(entry, "exposed port")
    number, _, proto = text.partition("/")
    lo, hi = port_range(number, what="exposed port", lowest=1)
    return lo, hi, _protocol(proto or "tcp")


def _as_text(entry: Any, what: str) -> str:  # noqa: ANN401
    if isinstance(entry, float) and entry.is_integer():
        entry = int(entry)
    if isinstance(entry, bool) or not isinstance(entry, int | str):
        raise PortError(f"invalid {what} {entry!r}")
    return str(entry)

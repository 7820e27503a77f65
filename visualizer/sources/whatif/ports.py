"""Published ports: `-p` as the docker CLI reads it, what the engine reports, and conflicts."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.model import Port
from visualizer.sources.whatif import refusals
from visualizer.sources.whatif.grammar import CommandError

if TYPE_CHECKING:
    from visualizer.model import Container
    from visualizer.sources.whatif.state import World


_PUBLISH = re.compile(
    r"^(?:(?P<ip>\[[^\]]*\]|[^:\[\]]*):)??(?:(?P<host>[0-9]*(?:-[0-9]+)?):)?"
    r"(?P<port>[0-9]+(?:-[0-9]+)?)(?:/(?P<proto>tcp|udp|sctp))?$"
)
MAX_PORT = 65535


def parse_publish(spec: str) -> list[Port]:
    """`[IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]` with ranges, as requested (host port 0 = any)."""
    found = _PUBLISH.match(spec)
    if found is None:
        raise CommandError(f"cannot read the port specification {spec!r}")
    ip = (found.group("ip") or "").strip("[]")
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise CommandError(f"invalid host address {ip!r} in {spec!r}") from None
    lo, _, hi = found.group("port").partition("-")
    targets = range(int(lo), int(hi or lo) + 1)
    host = found.group("host") or ""
    h_lo, _, h_hi = host.partition("-")
    if not targets or any(not 0 < p <= MAX_PORT for p in targets):
        raise CommandError(f"invalid container port range in {spec!r}")
    if h_lo and h_hi and len(targets) > 1 and int(h_hi) - int(h_lo) + 1 != len(targets):
        raise CommandError(f"the host and container port ranges of {spec!r} differ in size")
    ports = []
    for offset, number in enumerate(targets):
        # no host port, or a host range for one port: the engine picks one
        host_port = 0 if not h_lo or (h_hi and len(targets) == 1) else int(h_lo) + offset
        ports.append(
            Port(
                container_port=number,
                protocol=found.group("proto") or "tcp",
                host_ip=ip,
                host_port=host_port,
            )
        )
    return ports


def parse_expose(spec: str) -> list[Port]:
    """`--expose PORT[-PORT][/PROTO]`."""
    number, _, proto = spec.partition("/")
    lo, _, hi = number.partition("-")
    if not (lo.isdigit() and (not hi or hi.isdigit())) or proto not in {"", "tcp", "udp", "sctp"}:
        raise CommandError(f"cannot read the port {spec!r} of --expose")
    return [
        Port(container_port=p, protocol=proto or "tcp") for p in range(int(lo), int(hi or lo) + 1)
    ]


def in_effect(world: World, c: Container) -> tuple[Port, ...]:
    """The ports the engine reports for a container in its current state and networks.

    Nothing while stopped; bindings only when it has a network the host can publish to (not
    only internal ones, not host, none or a shared stack); no host address means `0.0.0.0`
    and `::`, as the engine reports it. Without the requested bindings (a snapshot taken
    without inspecting), published ports are kept as they were.
    """
    if not c.is_running:
        return ()
    exposed = world.facts_of(c.id).exposed
    if not publishes(world, c):
        return exposed
    if c.requested_ports is None:
        return tuple({*c.ports, *exposed})
    bound = {(p.container_port, p.protocol) for p in c.requested_ports}
    own = [p for p in exposed if (p.container_port, p.protocol) not in bound]
    return (*(b for r in c.requested_ports for b in _bindings(r)), *own)


def publishes(world: World, c: Container) -> bool:
    """Whether the engine publishes a container's ports: a network with a way to the host."""
    if c.is_host_mode or c.is_none_mode or c.netns_target is not None:
        return False
    return any(
        (net := world.networks.get(ep.network_id)) is not None
        and not net.internal
        and net.driver not in {"host", "null"}
        for ep in c.endpoints
    )


def _bindings(requested: Port) -> list[Port]:
    if requested.host_ip:
        return [requested]
    return [replace(requested, host_ip=ip) for ip in ("0.0.0.0", "::")]  # noqa: S104


def check_free(world: World, c: Container, endpoint_id: str, *, created: bool = False) -> None:
    """Refuse to start a container whose host ports another running container holds."""
    mine = [p for p in in_effect(world, c) if p.published and p.host_port]
    if not mine:
        return
    taken: dict[tuple[int | None, str], list[Port]] = {}
    for other in world.local_containers():
        if other.id != c.id and other.is_running:
            for q in other.ports:
                if q.published and q.host_port:
                    taken.setdefault((q.host_port, q.protocol), []).append(q)
    for p in mine:
        if any(_clash(p, q) for q in taken.get((p.host_port, p.protocol), ())):
            ip = p.host_ip or "0.0.0.0"  # noqa: S104
            address = f"[{ip}]:{p.host_port}" if ":" in ip else f"{ip}:{p.host_port}"
            raise refusals.port_allocated(c.name, endpoint_id, address, created=created)


def _clash(a: Port, b: Port) -> bool:
    if (a.host_port, a.protocol) != (b.host_port, b.protocol):
        return False
    ia, ib = a.host_ip or "0.0.0.0", b.host_ip or "0.0.0.0"  # noqa: S104
    if (":" in ia) != (":" in ib):
        return False
    return ia == ib or ia in {"0.0.0.0", "::"} or ib in {"0.0.0.0", "::"}  # noqa: S104

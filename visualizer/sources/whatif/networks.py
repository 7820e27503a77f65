"""`docker network create | rm | connect | disconnect`, with the engine's checks and refusals."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.model import Endpoint, Link, Network, Subnet
from visualizer.sources.whatif import refusals
from visualizer.sources.whatif.grammar import CommandError
from visualizer.sources.whatif.ports import in_effect
from visualizer.sources.whatif.refusals import Refused

if TYPE_CHECKING:
    from visualizer.model import Container
    from visualizer.sources.whatif.grammar import Command
    from visualizer.sources.whatif.state import World

DRIVERS = frozenset({"bridge", "macvlan", "ipvlan", "overlay"})
"""Drivers whose networks what-if predicts (plugins are not modelled)."""
_Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def version(text: str) -> tuple[int, ...]:
    """`20.10.24+dfsg1` → `(20, 10, 24)`; `1.41` → `(1, 41)`; unknown → `()`."""
    parts = []
    for piece in text.split("+", maxsplit=1)[0].split("-", maxsplit=1)[0].split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def user_defined(net: Network) -> bool:
    """Whether a network is user-defined (not the default bridge, host or none)."""
    return not net.is_default_bridge and net.driver not in {"host", "null"}


# ---- create and remove -------------------------------------------------------------------------


def create(world: World, cmd: Command) -> None:
    """`docker network create`."""
    name = cmd.args[0]
    driver = cmd.value("driver") or "bridge"
    given = cmd.values("subnet")
    if (cmd.values("gateway") or cmd.values("ip-range")) and not given:
        raise refusals.gateway_without_subnet()
    pools: list[_Net] = []
    for text in given:
        try:
            pools.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise refusals.invalid_subnet(text) from None
    gateways = _matched(pools, cmd.values("gateway"), "gateway")
    ranges = _matched(pools, cmd.values("ip-range"), "range")
    if driver not in DRIVERS:
        raise CommandError(
            f"driver {driver!r} is not modelled by what-if ({', '.join(sorted(DRIVERS))})"
        )
    if any(n.name == name for n in world.local_networks()):
        raise refusals.network_exists(name)
    engine = world.snapshot.engine_of(world.host)
    if driver == "overlay" and not (engine.swarm_state == "active" and world.snapshot.nodes):
        raise refusals.not_swarm_manager()
    scope = "swarm" if driver == "overlay" else "local"
    overlapping(world, pools, scope)
    if cmd.flag("ipv6") and not any(p.version == 6 for p in pools):  # noqa: PLR2004
        server = version(engine.server_version)
        if server and server < (27,):
            raise refusals.no_ipv6_pool()
        world.warnings.append(f"network {name!r}: the engine chooses its IPv6 subnet (unknown)")
    subnets = tuple(
        Subnet(
            cidr=str(pool),
            gateway=next((g for p, g in gateways if p == pool), None),
            ip_range=next((r for p, r in ranges if p == pool), None),
        )
        for pool in pools
    )
    net = Network(
        id=world.new_id("network", name),
        name=name,
        driver=driver,
        scope=scope,
        internal=cmd.flag("internal"),
        attachable=cmd.flag("attachable"),
        ipv6=cmd.flag("ipv6"),
        subnets=subnets,
        options=key_values(cmd.values("opt"), "-o"),
        labels=key_values(cmd.values("label"), "--label"),
        host=world.host if scope == "local" else "",
    )
    world.networks[net.id] = net
    world.user_subnet[net.id] = bool(pools)


def _matched(pools: list[_Net], values: tuple[str, ...], what: str) -> list[tuple[_Net, str]]:
    """Each gateway or IP range with the given subnet it belongs to (the CLI checks it)."""
    found = []
    for text in values:
        if what == "gateway":
            address = _address(text)
            owner = next((p for p in pools if address in p), None)
        else:
            try:
                span = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise CommandError(f"--ip-range {text!r} is not a CIDR") from None
            owner = next(
                (p for p in pools if p.version == span.version and span.subnet_of(p)),  # type: ignore[arg-type]
                None,
            )
        if owner is None:
            raise refusals.no_matching_subnet(what, text)
        found.append((owner, text))
    return found


def overlapping(world: World, pools: list[_Net], scope: str) -> None:
    """Refuse subnets that overlap another network's in the same address space."""
    for pool in pools:
        if any(
            _overlaps(pool, s.cidr)
            for n in world.local_networks()
            if (n.scope == "local") == (scope == "local")
            for s in n.subnets
        ):
            raise refusals.pool_overlaps()


def remove(world: World, cmd: Command) -> None:
    """`docker network rm`: each network in turn; the first refusal is reported after all."""
    failed: list[Refused] = []
    for ref in cmd.args:
        try:
            _remove(world, ref, force=cmd.flag("force"))
        except Refused as exc:
            failed.append(exc)
    raise_first(failed)


def _remove(world: World, ref: str, *, force: bool, daemon: bool = True) -> None:
    net = world.network(ref)
    if net is None:
        if force:
            return
        raise refusals.network_not_found(ref)
    if net.is_builtin:
        raise refusals.predefined(net.name)
    attached = world.members(net.id)
    if any(c.is_running for c, _ in attached):
        raise refusals.active_endpoints(net.name, net.id, daemon=daemon)
    for c, _ in attached:  # stopped: they keep naming it, and cannot start again
        world.facts_of(c.id).dangling.append(net.id)
        world.put(replace(c, endpoints=tuple(e for e in c.endpoints if e.network_id != net.id)))
    del world.networks[net.id]
    world.user_subnet.pop(net.id, None)


def remove_network(world: World, net: Network, *, daemon: bool) -> None:
    """Remove one network (for `docker compose down`)."""
    _remove(world, net.id, force=False, daemon=daemon)


def raise_first(failed: list[Refused]) -> None:
    """Raise the first refusal of a multi-argument command, the others attached to it."""
    if failed:
        first = failed[0]
        first.more = tuple(f.message for f in failed[1:])
        raise first


# ---- connect and disconnect ----------------------------------------------------------------


def _operands(world: World, cmd: Command) -> tuple[Container, Network, str]:
    """The container and network of `connect`/`disconnect`, checked as the engine does first."""
    net_ref, ref = cmd.args
    c = world.container(ref)
    if c is None:
        raise refusals.no_such_container(ref)
    net = world.network(net_ref)
    if net is None:
        raise refusals.network_not_found(net_ref)
    if net.driver == "host":
        raise refusals.host_network()
    return c, net, net_ref


def connect(world: World, cmd: Command) -> None:
    """`docker network connect`."""
    c, net, _ = _operands(world, cmd)
    if c.is_host_mode or c.netns_target is not None:
        raise refusals.shared_namespace()
    on_none = any(_driver(world, ep) == "null" for ep in c.endpoints)
    if on_none or (net.driver == "null" and c.endpoints):
        raise refusals.private_none()
    if any(ep.network_id == net.id for ep in c.endpoints):
        raise refusals.endpoint_exists(c.name, net.name)
    aliases = cmd.values("alias")
    if aliases and not user_defined(net):
        raise refusals.alias_on_default()
    ip, ip6 = cmd.value("ip"), cmd.value("ip6")
    check_address(world, net, ip, ip6)
    if net.driver == "overlay" and not net.attachable:
        raise refusals.not_attachable(net.name)
    links = tuple(parse_link(text) for text in cmd.values("link"))
    facts = world.facts_of(c.id)
    for lk in links:
        facts.link_kinds[lk.alias] = net.is_default_bridge
    if ip or ip6:
        facts.static[net.id] = (ip, ip6)
    endpoint = new_endpoint(world, c, net, aliases, (ip, ip6))
    joined = replace(c, endpoints=(*c.endpoints, endpoint), links=(*c.links, *links))
    world.put(replace(joined, ports=in_effect(world, joined)))


def disconnect(world: World, cmd: Command) -> None:
    """`docker network disconnect` (`-f` changes nothing the model shows)."""
    c, net, net_ref = _operands(world, cmd)
    if not any(ep.network_id == net.id for ep in c.endpoints):
        raise refusals.not_connected(c.id, net_ref)
    world.facts_of(c.id).static.pop(net.id, None)
    left = replace(c, endpoints=tuple(e for e in c.endpoints if e.network_id != net.id))
    world.put(replace(left, ports=in_effect(world, left)))


def _driver(world: World, ep: Endpoint) -> str:
    net = world.networks.get(ep.network_id)
    return net.driver if net is not None else ""


def parse_link(text: str) -> Link:
    """`NAME[:ALIAS]` of `--link`."""
    target, _, alias = text.partition(":")
    if not target:
        raise CommandError(f"cannot read the link {text!r} (NAME[:ALIAS])")
    return Link(target=target, alias=alias or target)


# ---- addresses and endpoints -----------------------------------------------------------------


def check_address(
    world: World, net: Network, ip: str | None, ip6: str | None, *, created: bool = False
) -> None:
    """Refuse `--ip` / `--ip6` where the engine refuses them."""
    for address, family in ((ip, 4), (ip6, 6)):
        if not address:
            continue
        parsed = _address(address)
        if parsed.version != family:
            raise CommandError(f"{address!r} is not an IPv{family} address")
        if not user_defined(net):
            raise refusals.ip_on_default(created=created)
        configured = world.user_subnet.get(net.id)
        if configured is False:
            raise refusals.ip_without_subnet(created=created)
        if configured is None and all(s.gateway for s in net.subnets):
            world.warnings.append(
                f"network {net.name!r}: the source does not say whether its subnet was given "
                "when it was created; the engine refuses --ip on a subnet it chose itself"
            )
        if not any(parsed in ipaddress.ip_network(s.cidr, strict=False) for s in net.subnets):
            raise refusals.ip_outside(address, created=created)
        if any(c.is_running and address in (ep.ipv4, ep.ipv6) for c, ep in world.members(net.id)):
            raise refusals.address_in_use(created=created)


def new_endpoint(
    world: World,
    c: Container,
    net: Network,
    aliases: tuple[str, ...],
    static: tuple[str | None, str | None] = (None, None),
) -> Endpoint:
    """The endpoint the engine makes: given addresses (others unknown), aliases as it reports."""
    names: list[str] = []
    if user_defined(net):
        names = list(aliases)
        api = version(world.snapshot.engine_of(world.host).api_version)
        if api and api < (1, 45):  # the engine adds the short ID and the host name
            names.append(c.id[:12])
            if c.hostname and c.hostname != c.id[:12]:
                names.append(c.hostname)
    endpoint = Endpoint(
        network_id=net.id,
        network_name=net.name,
        aliases=tuple(dict.fromkeys(names)),
    )
    return addressed(endpoint, net, static) if c.is_running else endpoint


def addressed(endpoint: Endpoint, net: Network, static: tuple[str | None, str | None]) -> Endpoint:
    """An endpoint of a running container: its given addresses, prefix and gateway."""
    v4 = next((s for s in net.subnets if not s.is_ipv6 and s.gateway), None)
    v6 = next((s for s in net.subnets if s.is_ipv6 and s.gateway), None)
    return replace(
        endpoint,
        ipv4=static[0],
        ipv4_prefix_len=_prefix(net, static[0]),
        ipv6=static[1],
        ipv6_prefix_len=_prefix(net, static[1]),
        gateway=v4.gateway if v4 else None,
        ipv6_gateway=v6.gateway if v6 and net.ipv6 else None,
    )


def _prefix(net: Network, address: str | None) -> int | None:
    """The prefix length of the subnet an address is in."""
    if not address:
        return None
    for s in net.subnets:
        pool = ipaddress.ip_network(s.cidr, strict=False)
        if _address(address) in pool:
            return pool.prefixlen
    return None


def cleared(endpoint: Endpoint) -> Endpoint:
    """The endpoint of a stopped container: no address, as the engine reports it."""
    return replace(
        endpoint,
        ipv4=None,
        ipv4_prefix_len=None,
        ipv6=None,
        ipv6_prefix_len=None,
        gateway=None,
        ipv6_gateway=None,
        mac=None,
    )


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise CommandError(f"{text!r} is not an IP address") from None


def _overlaps(pool: _Net, cidr: str) -> bool:
    try:
        other = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return pool.version == other.version and pool.overlaps(other)


def key_values(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`KEY=VALUE` options (`-o`, `--label`, `--sysctl`) as a mapping; a bare key maps to `""`."""
    found = {}
    for text in values:
        key, _, value = text.partition("=")
        if not key:
            raise CommandError(f"{option} {text!r}: expected KEY=VALUE")
        found[key] = value
    return found

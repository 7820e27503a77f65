"""Who can reach whom, how, and by which name: Docker's rules over the bipartite graph.

The rules (`docker-network-semantics.md`, R1–R19) are applied per network, like firewall
rules, so the cost stays near-linear: `verdict(a, b)` looks only at the networks of `a` and
`b`; `pairs()` expands to ordered pairs only when asked; `grouped()` never does.

Reachability is directed and not transitive. It is computed for the network stack a
container uses: a `container:` sidecar is treated as its stack's owner (R7) but has no DNS
name of its own; a host-mode container is the host (R9). Stopped containers reach nothing
and are reached by nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from visualizer.analysis.peering import PEERING_TEXT, Peering, peering
from visualizer.analysis.versions import at_least
from visualizer.errors import NotFoundError, UsageError
from visualizer.graph import CONTAINER, NETWORK
from visualizer.model import SWARM_SERVICE_LABEL, parse_go_bool, qualified_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import networkx as nx

    from visualizer.model import Container, Endpoint, Engine, Network, Port, Snapshot

RULES: dict[str, str] = {
    "R1": "same user-defined bridge: reachable by IP and by name",
    "R2": "default bridge: reachable by IP only (legacy links add one-way names)",
    "R3": "different networks are isolated from each other",
    "R4": "inter-container communication disabled (enable_icc=false)",
    "R5": "internal network: no way out, but peers and host services remain reachable",
    "R6": "multi-homed container: reaches each side, the sides stay apart",
    "R7": "container: mode shares the target's network stack; no DNS name of its own",
    "R8": "none: loopback only",
    "R9": "host network: the container is the host",
    "R10": "the host reaches container addresses on bridge networks (and overlay members "
    "through docker_gwbridge) directly",
    "R11": "published port reachable through a host address",
    "R17": "macvlan: children reach each other, the host cannot reach them",
    "R18": "ipvlan: like macvlan",
    "R19": "overlay: members reach each other across nodes",
    "R20": "swarm service names: tasks.<service>, and the service name with dnsrr",
    "R22": "Podman routes between its networks (netavark without isolate): a container "
    "reaches the addresses of containers on its host's other Podman networks",
    "R21": "Podman network without DNS (the default podman network, --disable-dns): "
    "reachable by IP only",
    "STOPPED": "a stopped container reaches nothing and is reached by nothing",
    "PLUGIN": "network plugin: members assumed to reach each other (not analysed)",
}

_DRIVER_RULE = {"overlay": "R19", "macvlan": "R17", "ipvlan": "R18"}
_HOSTLESS_DRIVERS = frozenset({"macvlan", "ipvlan", "null", "host"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """Can `source` reach `target`, and how."""

    source: str
    """Name of the container that starts the connection."""
    target: str
    """Name of the container it connects to."""
    reachable: bool
    """Whether the source reaches the target at IP level (any port)."""
    via: tuple[str, ...] = ()
    """Networks both share that allow the traffic; empty when the path is not a shared
    network (host stack, shared stack)."""
    by_name: bool = False
    """Whether a DNS name or link alias of the target resolves from the source."""
    names: tuple[str, ...] = ()
    """Names of the target known to resolve from the source."""
    rules: tuple[str, ...] = ()
    """Rule IDs that decided the verdict (keys of `RULES`)."""
    reason: str = ""
    """The verdict as one plain sentence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortPath:
    """`source` cannot reach `target` directly but reaches its published ports via the host."""

    source: str
    target: str
    ports: tuple[Port, ...]
    """The published ports reachable through a host address."""
    rule: str = "R11"


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """One network's members and what they may do to each other."""

    network: str
    driver: str
    policy: Peering
    internal: bool
    members: tuple[str, ...]
    """Running members, sidecars included (they share their owner's endpoint)."""
    by_name: bool
    """Whether members resolve each other by name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostStack:
    """One machine's own network stack and who is on it, reaches it, is reached from it."""

    host: str
    """The engine's host name; empty for a single-engine snapshot."""
    containers: tuple[str, ...]
    """Host-network containers: they are this host."""
    reaches: tuple[str, ...]
    """Containers this host (and so its host-network containers) reaches."""
    reached_by: tuple[str, ...]
    """Containers that reach this host's services through their gateway."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Grouped:
    """Reachability without expanding pairs: segments plus the paths that cross them."""

    segments: tuple[Segment, ...]
    stacks: tuple[tuple[str, ...], ...]
    """Groups of containers sharing one network stack (owner first); they reach each other."""
    hosts: tuple[HostStack, ...]
    """Per machine: its host-network containers and the host paths."""
    links: tuple[tuple[str, str, str], ...] = field(default=())
    """Links (holder, target, alias): one-way names."""


class Reachability:
    """The reachability model of one graph (or filtered view's underlying graph)."""

    def __init__(self, g: nx.Graph[str]) -> None:
        """Index the graph per network; nothing is expanded to pairs here."""
        self.engine: Engine | None = g.graph.get("engine")
        self._rec: dict[str, Container] = {}
        self._net: dict[str, Network] = {}
        for key, data in g.nodes(data=True):
            if data["bipartite"] == CONTAINER:
                self._rec[key] = data["record"]
            elif data["bipartite"] == NETWORK:
                self._net[key] = data["record"]
        self._order = sorted(
            self._rec, key=lambda k: (self._rec[k].name, self._rec[k].host, self._rec[k].id)
        )
        self._rank = {k: i for i, k in enumerate(self._order)}
        self._label_of = qualified_names(self._rec.values())  # container ID -> shown name
        nets = qualified_names(self._net.values())
        self._net_label = {k: nets[n.id] for k, n in self._net.items()}
        self._by_name = {self._label_of[self._rec[k].id]: k for k in self._order}
        self._by_name |= {
            f"{c.host}/{c.name}": k for k in self._order for c in (self._rec[k],) if c.host
        }
        self._ambiguous: dict[str, list[str]] = {}
        for k in self._order:
            c = self._rec[k]
            if self._label_of[c.id] != c.name:
                self._ambiguous.setdefault(c.name, []).append(self._label_of[c.id])
        snapshot: Snapshot | None = g.graph.get("snapshot")
        self._engine_of: Callable[[str], Engine | None] = (
            snapshot.engine_of if snapshot is not None else lambda _: self.engine
        )
        self._policy = {k: peering(n, self._engine_of(n.host)) for k, n in self._net.items()}
        self._owner: dict[str, str | None] = {}
        for key, c in self._rec.items():
            if c.netns_target is None:
                self._owner[key] = key
            else:
                self._owner[key] = g.nodes[key].get("netns_owner")
        self._running = {k: c.is_running and self._owner_running(k) for k, c in self._rec.items()}
        self._nets: dict[str, dict[str, Endpoint]] = {}
        self._members: dict[str, list[str]] = {k: [] for k in self._net}
        for key in self._order:
            if self._owner[key] != key or not self._running[key]:
                continue
            eps = {}
            for nkey, data in g.adj[key].items():
                ep = data["endpoint"]
                # a running container is a member of every network it is attached to (its
                # address may be unknown: a compose prediction); host and none give no address
                if ep.ipv4 or ep.ipv6 or self._net[nkey].driver not in {"host", "null"}:
                    eps[nkey] = ep
                    self._members[nkey].append(key)
            self._nets[key] = eps
        self._stack: dict[str, list[str]] = {}
        for key in self._order:
            owner = self._owner[key]
            if owner is not None and self._running[key]:
                self._stack.setdefault(owner, []).append(key)
        self._host = {k for k in self._nets if self._rec[k].is_host_mode}
        self._where = {
            k: self._rec[o].host if o is not None else "" for k, o in self._owner.items()
        }
        self._dnsrr = {
            s.id for s in getattr(snapshot, "services", ()) if s.endpoint_mode == "dnsrr"
        }

    # ---- lookups -------------------------------------------------------------------------

    def find(self, ref: str) -> str:
        """The key of a container given by name (`host/name` too) or ID prefix."""
        name = ref.removeprefix("/")
        if name in self._by_name:
            return self._by_name[name]
        if name in self._ambiguous:
            choices = " or ".join(self._ambiguous[name])
            raise UsageError(f"{name!r} runs on several hosts: say {choices}")
        matches = [k for k in self._order if len(ref) >= 3 and self._rec[k].id.startswith(ref)]  # noqa: PLR2004
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UsageError(f"container ID prefix {ref!r} is ambiguous")
        raise NotFoundError(f"no container named {ref!r} (or with that ID prefix)")

    def container(self, key: str) -> Container:
        """The record of a container key."""
        return self._rec[key]

    def label(self, key: str) -> str:
        """How verdicts name a container: `host/name` where several hosts use its name."""
        return self._label_of[self._rec[key].id]

    def _l(self, c: Container) -> str:
        return self._label_of[c.id]

    def container_keys(self) -> list[str]:
        """Container keys in name order."""
        return list(self._order)

    def is_running(self, key: str) -> bool:
        """Whether the container has a live network stack."""
        return self._running[key]

    def owner(self, key: str) -> str | None:
        """The container whose network stack `key` uses (itself, unless a sidecar)."""
        return self._owner[key]

    def gateway(self, okey: str) -> str | None:
        """A host address the stack reaches (its gateway on a network with host access)."""
        for nkey in self._host_access(okey):
            ep = self._nets[okey][nkey]
            if ep.gateway or ep.ipv6_gateway:
                return ep.gateway or ep.ipv6_gateway
        return None

    def addresses(self, okey: str, via: tuple[str, ...] = ()) -> list[str]:
        """The stack's addresses, those on the `via` networks first, IPv4 before IPv6."""
        eps = sorted(
            self._nets.get(okey, {}).items(),
            key=lambda kv: (self._net_label[kv[0]] not in via, self._net_label[kv[0]]),
        )
        v4 = [ep.ipv4 for _, ep in eps if ep.ipv4]
        v6 = [ep.ipv6 for _, ep in eps if ep.ipv6]
        return [*v4, *v6]

    # ---- the rules -----------------------------------------------------------------------

    def verdict(self, a: str, b: str) -> Verdict:
        """Decide whether container `a` reaches container `b`, and explain it."""
        if a == b:
            raise UsageError("a container and itself: choose two different containers")
        ca, cb = self._rec[a], self._rec[b]

        def no(reason: str, *rules: str) -> Verdict:
            return Verdict(
                source=self._l(ca), target=self._l(cb), reachable=False, rules=rules, reason=reason
            )

        for key, c in ((a, ca), (b, cb)):
            if not self._running[key]:
                state = c.state if not c.is_running else "its stack owner is not running"
                return no(f"{self._l(c)} is not running ({state})", "STOPPED")
        oa, ob = self._owner[a], self._owner[b]
        if oa is None or ob is None:
            lost = self._l(ca) if oa is None else self._l(cb)
            return no(f"{lost} shares the stack of a container that is not in the snapshot", "R7")
        if oa == ob:
            names = self._stack_names(a, b, ob)
            return Verdict(
                source=self._l(ca),
                target=self._l(cb),
                reachable=True,
                by_name=bool(names),
                names=names,
                rules=("R7",),
                reason=f"{self._l(ca)} and {self._l(cb)} share one network stack (same interfaces, "
                "ports and loopback)",
            )
        a_host, b_host = oa in self._host, ob in self._host
        if (a_host or b_host) and self._where[oa] != self._where[ob]:
            return no(
                f"{self._l(ca)} runs on {self._where[oa] or '?'} and {self._l(cb)} on "
                f"{self._where[ob] or '?'}: a host's own stack reaches only that host's "
                "containers",
                "R9",
            )
        if a_host and b_host:
            return self._yes(ca, cb, (), ("R9",), "both use the host's network stack")
        if a_host:
            if self._host_reaches(ob):
                return self._yes(
                    ca,
                    cb,
                    (),
                    ("R9", "R10"),
                    f"{self._l(ca)} runs on the host's stack, and the host reaches "
                    f"{self._host_leg(ob)} directly",
                )
            return no(self._unreachable_from_host(cb, ob), *self._hostless_rules(ob))
        if b_host:
            access = self._host_access(oa)
            if access:
                internal = [self._net_label[n] for n in access if self._net[n].internal]
                extra = f" (even from internal network {', '.join(internal)})" if internal else ""
                return self._yes(
                    ca,
                    cb,
                    (),
                    ("R9", "R5") if internal else ("R9",),
                    f"{self._l(cb)} listens on the host's addresses, which {self._l(ca)} reaches "
                    f"through its gateway{extra}",
                )
            return no(
                f"{self._l(ca)} has no path to the host ({self._why_no_host(oa)})",
                *self._hostless_rules(oa),
            )
        return self._shared_network_verdict(ca, cb, b, oa, ob)

    def _shared_network_verdict(
        self, ca: Container, cb: Container, b: str, oa: str, ob: str
    ) -> Verdict:
        shared = sorted(
            self._nets.get(oa, {}).keys() & self._nets.get(ob, {}).keys(),
            key=lambda n: self._net[n].name,
        )
        if not shared:
            for c, owner in ((ca, oa), (cb, ob)):
                if not self._nets.get(owner):
                    return Verdict(
                        source=self._l(ca),
                        target=self._l(cb),
                        reachable=False,
                        rules=("R8",),
                        reason=f"{self._l(c)} has no network interface but loopback",
                    )
            if self._where[oa] == self._where[ob] and self._routed(oa) and self._routed(ob):
                theirs = ", ".join(self._net_label[n] for n in self._routed(ob))
                return Verdict(
                    source=self._l(ca),
                    target=self._l(cb),
                    reachable=True,
                    rules=("R22",),
                    reason=f"{self._l(ca)} and {self._l(cb)} share no network, but Podman routes "
                    f"between its networks: reachable by IP only, on {theirs}, through the host",
                )
            return Verdict(
                source=self._l(ca),
                target=self._l(cb),
                reachable=False,
                rules=("R3",),
                reason=f"{self._l(ca)} and {self._l(cb)} share no network; Docker isolates "
                "networks from each other",
            )
        via = [n for n in shared if self._policy[n] is not Peering.ISOLATED]
        if not via:
            nets = ", ".join(self._net_label[n] for n in shared)
            return Verdict(
                source=self._l(ca),
                target=self._l(cb),
                reachable=False,
                rules=("R4",),
                reason=f"they share {nets}, where inter-container communication is disabled",
            )
        rules: list[str] = []
        for n in via:
            rules.append(self._network_rule(n))
            if self._net[n].internal:
                rules.append("R5")
        names: list[str] = []
        if b == ob:  # a sidecar has no name of its own (R7)
            for n in via:
                if self._has_dns(n):
                    names.extend(self._names_on(b, n))
        for link in ca.links:
            if link.target == cb.name:
                names.extend((link.alias, cb.name))
                rules.append("R2")
        names = list(dict.fromkeys(names))
        if len(self._nets.get(oa, {})) > 1 or len(self._nets.get(ob, {})) > 1:
            rules.append("R6")
        via_names = tuple(self._net_label[n] for n in via)
        how = "by name" if names else "by IP only"
        policy_text = PEERING_TEXT[self._policy[via[0]]]
        if b != ob:
            owner = self._l(self._rec[ob])
            how += f" ({self._l(cb)} shares the stack of {owner} and has no name of its own)"
        return Verdict(
            source=self._l(ca),
            target=self._l(cb),
            reachable=True,
            via=via_names,
            by_name=bool(names),
            names=tuple(names),
            rules=tuple(dict.fromkeys(rules)),
            reason=f"both on {', '.join(via_names)} ({policy_text}); reachable {how}",
        )

    def _yes(
        self,
        ca: Container,
        cb: Container,
        via: tuple[str, ...],
        rules: tuple[str, ...],
        reason: str,
    ) -> Verdict:
        return Verdict(
            source=self._l(ca),
            target=self._l(cb),
            reachable=True,
            via=via,
            rules=rules,
            reason=reason,
        )

    def _network_rule(self, nkey: str) -> str:
        net = self._net[nkey]
        if self._policy[nkey] is Peering.UNKNOWN:
            return "PLUGIN"
        if net.dns_enabled is False:
            return "R21"
        if net.is_default_bridge and net.dns_enabled is None:
            return "R2"
        return _DRIVER_RULE.get(net.driver, "R1")

    def _routed(self, okey: str) -> list[str]:
        """A stack's Podman networks that netavark routes to and from its other networks."""
        return [
            n
            for n in self._nets.get(okey, {})
            if (net := self._net[n]).dns_enabled is not None
            and net.driver == "bridge"
            and not net.internal
            and not parse_go_bool(net.options.get("isolate"), default=False)
        ]

    def _has_dns(self, nkey: str) -> bool:
        """Embedded DNS answers on user-defined networks, not on the default bridge."""
        net = self._net[nkey]
        if net.driver in {"host", "null"}:
            return False
        if net.dns_enabled is not None:  # Podman says per network
            return net.dns_enabled
        return not net.is_default_bridge

    def _names_on(self, b: str, nkey: str) -> list[str]:
        c = self._rec[b]
        ep = self._nets[b][nkey]
        names = [c.name, f"{c.name}.{self._net[nkey].name}"]
        service = c.labels.get(SWARM_SERVICE_LABEL)
        if service and self._net[nkey].driver == "overlay":
            names.append(f"tasks.{service}")  # R20: every task of the service
            if c.swarm_service in self._dnsrr:
                names.append(service)  # dnsrr: the service name lists the tasks, not a VIP
        names.extend(ep.dns_names or ())
        names.extend(ep.aliases or ())
        names.append(c.id[:12])
        return names

    def _stack_names(self, a: str, b: str, owner: str) -> tuple[str, ...]:
        """A stack member resolves the owner's name when the owner is on a DNS network."""
        if b != owner or a == owner:
            return ()
        names: list[str] = []
        for nkey in self._nets.get(owner, {}):
            if self._has_dns(nkey):
                names.extend(self._names_on(owner, nkey))
        return tuple(dict.fromkeys(names))

    def _owner_running(self, key: str) -> bool:
        owner = self._owner[key]
        return owner is not None and self._rec[owner].is_running

    def _host_access(self, okey: str) -> list[str]:
        """Networks through which a stack reaches the host's addresses (its gateway)."""
        found = []
        for nkey in self._nets.get(okey, {}):
            net = self._net[nkey]
            if net.driver in _HOSTLESS_DRIVERS:
                continue
            if net.driver == "overlay" and net.internal:
                continue  # no docker_gwbridge leg on an internal overlay
            if net.internal and self._isolated_gateway(net):
                continue
            found.append(nkey)
        return found

    def _isolated_gateway(self, net: Network) -> bool:
        """`gateway_mode_ipv4=isolated` (28.0+, internal networks): no host address on it."""
        mode = net.options.get("com.docker.network.bridge.gateway_mode_ipv4")
        return mode == "isolated" and at_least(self._engine_of(net.host), (28, 0, 0)) is True

    def _host_reaches(self, okey: str) -> bool:
        """The host reaches a stack on a bridge (any, internal too) or overlay (docker_gwbridge)."""
        return any(self._net[n].driver not in _HOSTLESS_DRIVERS for n in self._nets.get(okey, {}))

    def _host_leg(self, okey: str) -> str:
        drivers = {self._net[n].driver for n in self._nets.get(okey, {})}
        if drivers - _HOSTLESS_DRIVERS - {"overlay"}:
            return "container addresses on bridge networks"
        return "overlay members through their docker_gwbridge interface"

    def _published_access(self, okey: str) -> bool:
        """Reaches other containers' published ports through host addresses.

        Not from internal networks: their traffic may not leave the subnet once DNAT-ed.
        """
        return any(not self._net[n].internal for n in self._host_access(okey))

    def _hostless_rules(self, okey: str) -> tuple[str, ...]:
        drivers = {self._net[n].driver for n in self._nets.get(okey, {})}
        if not drivers:
            return ("R8",)
        return tuple(sorted(_DRIVER_RULE[d] for d in drivers if d in {"macvlan", "ipvlan"})) or (
            "R9",
        )

    def _why_no_host(self, okey: str) -> str:
        nets = self._nets.get(okey, {})
        if not nets:
            return "no network interface but loopback"
        drivers = sorted({self._net[n].driver for n in nets})
        return f"only {', '.join(drivers)} networks, which have no path to the host"

    def _unreachable_from_host(self, cb: Container, okey: str) -> str:
        nets = self._nets.get(okey, {})
        if not nets:
            return f"{self._l(cb)} has no network interface but loopback"
        return (
            f"the host cannot reach {self._l(cb)}: {self._why_no_host(okey).removeprefix('only ')}"
        )

    # ---- expansions ----------------------------------------------------------------------

    def candidates(self, a: str) -> list[str]:
        """Containers `a` might reach (a superset, from its networks), in name order."""
        oa = self._owner[a]
        if oa is None or not self._running[a]:
            return []
        found: set[str] = set(self._stack.get(oa, ()))
        here = self._where[oa]
        if oa in self._host:
            for okey, members in self._stack.items():
                if self._where[okey] == here and (okey in self._host or self._host_reaches(okey)):
                    found.update(members)
        else:
            for nkey in self._nets.get(oa, {}):
                if self._policy[nkey] is Peering.ISOLATED:
                    continue
                for okey in self._members[nkey]:
                    found.update(self._stack.get(okey, ()))
            if self._routed(oa):  # R22: Podman's other networks on this host
                for okey in self._order:
                    if self._where.get(okey) == here and self._routed(okey):
                        found.update(self._stack.get(okey, ()))
            if self._host_access(oa):
                for h in self._host:
                    if self._where[h] == here:
                        found.update(self._stack.get(h, ()))
        found.discard(a)
        return sorted(found, key=self._rank.__getitem__)

    def pairs(self, keys: list[str] | None = None) -> Iterator[Verdict]:
        """Every reachable ordered pair among `keys` (default: all), sorted by source, target."""
        for _, _, v in self.reachable(keys):
            yield v

    def reachable(self, keys: list[str] | None = None) -> Iterator[tuple[str, str, Verdict]]:
        """Like `pairs`, with the graph keys of source and target."""
        chosen = set(keys) if keys is not None else None
        for a in self._order:
            if chosen is not None and a not in chosen:
                continue
            for b in self.candidates(a):
                if chosen is not None and b not in chosen:
                    continue
                v = self.verdict(a, b)
                if v.reachable:
                    yield a, b, v

    def port_path(self, a: str, b: str) -> PortPath | None:
        """Whether `a`, not reaching `b` directly, reaches its published ports (R11)."""
        cb = self._rec[b]
        oa = self._owner[a]
        if a == b or not self._running[a] or not self._running[b] or self._owner[b] != b:
            return None
        if oa is None or oa == b or oa in self._host or not self._published_access(oa):
            return None
        if self._where[oa] != self._where[b]:
            return None  # another machine's published ports: routing between hosts is unknown
        ports = [p for p in cb.ports if p.published and not _loopback(p.host_ip)]
        usable = tuple(p for p in ports if _v4(p.host_ip) or self._has_ipv6(oa))
        if not usable or self.verdict(a, b).reachable:
            return None
        return PortPath(source=self._l(self._rec[a]), target=self._l(cb), ports=usable)

    def port_paths(self, keys: list[str] | None = None) -> Iterator[PortPath]:
        """Pairs that only reach published ports, through a host address (R11)."""
        chosen = set(keys) if keys is not None else None
        publishers = [
            b
            for b in self._order
            if (chosen is None or b in chosen) and any(p.published for p in self._rec[b].ports)
        ]
        for a in self._order:
            if chosen is not None and a not in chosen:
                continue
            for b in publishers:
                path = self.port_path(a, b)
                if path is not None:
                    yield path

    def network_names(self, key: str) -> set[str]:
        """Networks a container is configured on (a sidecar: those of its stack's owner)."""
        owner = self._owner[key] or key
        return {ep.network_name for ep in self._rec[owner].endpoints}

    def _has_ipv6(self, okey: str) -> bool:
        return any(ep.ipv6 for ep in self._nets.get(okey, {}).values())

    def grouped(self) -> Grouped:
        """The compact, network-level form: linear in the size of the topology."""
        segments = []
        for nkey in sorted(self._net, key=lambda n: (self._net[n].name, self._net[n].id)):
            members = [m for o in self._members[nkey] for m in self._stack.get(o, ())]
            if not members:
                continue
            net = self._net[nkey]
            policy = self._policy[nkey]
            segments.append(
                Segment(
                    network=self._net_label[nkey],
                    driver=net.driver,
                    policy=policy,
                    internal=net.internal,
                    members=tuple(self._l(self._rec[m]) for m in members),
                    by_name=policy is Peering.BY_NAME and self._has_dns(nkey),
                )
            )
        stacks = tuple(
            tuple(self._l(self._rec[m]) for m in members)
            for _, members in sorted(self._stack.items(), key=lambda kv: self._rank[kv[0]])
            if len(members) > 1
        )
        per_host: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for okey in self._order:
            if okey not in self._nets:
                continue
            stack, reaches, reached = per_host.setdefault(self._where[okey], ([], [], []))
            names = [self._l(self._rec[m]) for m in self._stack.get(okey, ())]
            if okey in self._host:
                stack.extend(names)
                continue
            if self._host_reaches(okey):
                reaches.extend(names)
            if self._host_access(okey):
                reached.extend(names)
        hosts = tuple(
            HostStack(host=h, containers=tuple(sorted(s)), reaches=tuple(r), reached_by=tuple(b))
            for h, (s, r, b) in sorted(per_host.items())
        )
        links = tuple(
            (self._l(c), lk.target, lk.alias)
            for k in self._order
            for c in (self._rec[k],)
            for lk in c.links
        )
        return Grouped(
            segments=tuple(segments),
            stacks=stacks,
            hosts=hosts,
            links=links,
        )


def _loopback(ip: str | None) -> bool:
    try:
        return ipaddress.ip_address(ip or "0.0.0.0").is_loopback  # noqa: S104
    except ValueError:
        return False


def _v4(ip: str | None) -> bool:
    return ":" not in (ip or "")

"""The per-network index of a graph that reachability is decided on, and its lookups.

Nothing is expanded to pairs here: each network knows its running members, each container its
stack's owner (a `container:` sidecar shares its owner's interfaces) and the machine it runs
on. `Reachability` (in `reachability.py`) applies Docker's rules on top of this index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.peering import Peering, peering
from visualizer.analysis.versions import at_least
from visualizer.errors import NotFoundError, UsageError
from visualizer.graph import containers, endpoint, netns_owner, networks, snapshot_of
from visualizer.model import SWARM_SERVICE_LABEL, parse_go_bool, qualified_names

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from visualizer.model import Container, Endpoint, Engine, Network, Port

DRIVER_RULE = {"overlay": "R19", "macvlan": "R17", "ipvlan": "R18"}
HOSTLESS_DRIVERS = frozenset({"macvlan", "ipvlan", "null", "host"})


class Topology:
    """The index of one graph: networks, their running members, stacks and hosts."""

    def __init__(self, g: nx.Graph[str]) -> None:
        """Index the graph per network; nothing is expanded to pairs here."""
        snapshot = snapshot_of(g)
        self.engine: Engine = snapshot.engine
        self._rec: dict[str, Container] = dict(containers(g))
        self._net: dict[str, Network] = dict(networks(g))
        self._order = list(self._rec)  # the snapshot's order: name, host, ID
        self._rank = {k: i for i, k in enumerate(self._order)}
        self._published: dict[str, tuple[Port, ...]] = {}  # filled as asked (reachability)
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
        self._engine_of: Callable[[str], Engine] = snapshot.engine_of
        self._policy = {k: peering(n, self._engine_of(n.host)) for k, n in self._net.items()}
        self._owner: dict[str, str | None] = {}
        for key, c in self._rec.items():
            if c.netns_target is None:
                self._owner[key] = key
            else:
                self._owner[key] = netns_owner(g, key)
        self._running = {k: c.is_running and self._owner_running(k) for k, c in self._rec.items()}
        self._nets: dict[str, dict[str, Endpoint]] = {}
        self._members: dict[str, list[str]] = {k: [] for k in self._net}
        for key in self._order:
            if self._owner[key] != key or not self._running[key]:
                continue
            eps = {}
            for nkey in g.adj[key]:
                ep = endpoint(g, nkey, key)
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
        self._dnsrr = {s.id for s in snapshot.services if s.endpoint_mode == "dnsrr"}
        self._link_targets = {lk.target for c in self._rec.values() for lk in c.links}

    def signature(self, key: str) -> tuple[str, bool, tuple[str, ...]] | None:
        """What `verdict` reads of a running container to judge it with any other, if only that.

        Two running containers that own their stacks alone and neither hold nor answer a legacy
        link get the same verdict (reachable, by name) with every third container, and with
        each other, when their signatures are equal: the host they run on, whether they use
        the host's stack, and the networks they are on. `None` for the containers that must be
        judged one by one: stopped ones, sidecars and the owners of shared stacks, links.
        """
        c = self._rec[key]
        if not self._running[key] or self._owner[key] != key or len(self._stack[key]) > 1:
            return None
        if c.links or c.name in self._link_targets:
            return None
        return (self._where[key], key in self._host, tuple(sorted(self._nets.get(key, {}))))

    def open_networks(self, key: str) -> tuple[tuple[str, bool], ...]:
        """The networks on which a container's stack reaches the other members (R1, R2, R4).

        Each comes with whether names resolve on it (embedded DNS). For two containers with
        a signature that use no host stack, this is all `verdict` decides on: they reach each
        other when they share one of these networks, by name when one of the shared has DNS.
        """
        owner = self._owner[key]
        nets = self._nets.get(owner, {}) if owner is not None else {}
        return tuple(
            (n, self._has_dns(n)) for n in sorted(nets) if self._policy[n] is not Peering.ISOLATED
        )

    def find(self, ref: str, within: frozenset[str] | None = None) -> str:
        """The key of a container given by name (`host/name` too), ID prefix or service name.

        A compose or swarm service name stands for its one container; looked up `within` a
        scope's containers when one is given. Several candidates are a usage error that
        lists them.
        """
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
        served = [
            k
            for k in self._order
            if (within is None or k in within)
            and name in {self._rec[k].compose_service, self._rec[k].labels.get(SWARM_SERVICE_LABEL)}
        ]
        if len(served) == 1:
            return served[0]
        if served:
            choices = ", ".join(self._l(self._rec[k]) for k in served[:10])
            more = f" and {len(served) - 10} more" if len(served) > 10 else ""  # noqa: PLR2004
            raise UsageError(
                f"{name!r} is a service with several containers ({choices}{more}): name one, "
                "or narrow with --filter project=…"
            )
        raise NotFoundError(f"no container or service named {ref!r} (or with that ID prefix)")

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

    def _network_rule(self, nkey: str) -> str:
        net = self._net[nkey]
        if self._policy[nkey] is Peering.UNKNOWN:
            return "PLUGIN"
        if net.dns_enabled is False:
            return "R21"
        if net.is_default_bridge and net.dns_enabled is None:
            return "R2"
        return DRIVER_RULE.get(net.driver, "R1")

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
        if c.compose_service:  # Compose makes the service name an alias on each of its networks
            names.append(c.compose_service)
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
            if net.driver in HOSTLESS_DRIVERS:
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
        return any(self._net[n].driver not in HOSTLESS_DRIVERS for n in self._nets.get(okey, {}))

    def _host_leg(self, okey: str) -> str:
        drivers = {self._net[n].driver for n in self._nets.get(okey, {})}
        if drivers - HOSTLESS_DRIVERS - {"overlay"}:
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
        return tuple(sorted(DRIVER_RULE[d] for d in drivers if d in {"macvlan", "ipvlan"})) or (
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

    def network_names(self, key: str) -> set[str]:
        """Networks a container is configured on (a sidecar: those of its stack's owner)."""
        owner = self._owner[key] or key
        return {ep.network_name for ep in self._rec[owner].endpoints}

    def _has_ipv6(self, okey: str) -> bool:
        return any(ep.ipv6 for ep in self._nets.get(okey, {}).values())

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

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from visualizer.analysis.findings.record import loopback
from visualizer.analysis.grouped import Grouping
from visualizer.analysis.peering import PEERING_TEXT, Peering
from visualizer.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from visualizer.model import Container, Port

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
    crossing: str | None = None
    """In a scoped audit, a pair across the scope's border: `out` (from inside to outside)
    or `in` (from outside to inside); `None` inside it, and without a scope."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortPath:
    """`source` cannot reach `target` directly but reaches its published ports via the host."""

    source: str
    target: str
    ports: tuple[Port, ...]
    """The published ports reachable through a host address."""
    rule: str = "R11"


class Reachability(Grouping):
    """Docker's reachability rules over a graph's index: verdicts and their expansions."""

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

    def around(self, inside: frozenset[str] | None = None) -> Iterator[Verdict]:
        """Reachable pairs with an end inside a scope (every pair without one), in order.

        A pair crossing the scope's border carries `crossing` (`out` or `in`). The sources
        outside the scope are found from the inside (the candidates relation is symmetric), so
        the cost grows with the scope's neighbourhood, not with the estate; nothing but that
        neighbourhood is held while the pairs are made.
        """
        if inside is None:
            yield from self.pairs()
            return
        near = {a for b in self._order if b in inside for a in self.candidates(b)} - inside
        for a in self._order:
            if a in inside:
                targets = self.candidates(a)
            elif a in near:
                targets = [b for b in self.candidates(a) if b in inside]
            else:
                continue
            for b in targets:
                v = self.verdict(a, b)
                if v.reachable:
                    way = "in" if a not in inside else "out" if b not in inside else None
                    yield replace(v, crossing=way) if way else v

    def estimate_pairs(self, inside: frozenset[str] | None = None) -> int:
        """An upper bound of the reachable pairs (with an end inside), computed linearly."""
        total = 0
        for nkey, owners in self._members.items():
            if self._policy[nkey] is Peering.ISOLATED:
                continue
            members = [m for o in owners for m in self._stack.get(o, ())]
            outside = 0 if inside is None else sum(1 for m in members if m not in inside)
            total += len(members) * (len(members) - 1) - outside * max(outside - 1, 0)
        for members in self._stack.values():
            total += len(members) * (len(members) - 1)
        return total

    def estimate_port_paths(self, inside: frozenset[str] | None = None) -> int:
        """An upper bound of the port paths (with an end inside), computed linearly.

        Every running container whose stack reaches its host's addresses is counted as a
        source of every other container publishing on that host.
        """
        sources: dict[str, int] = {}
        inner: dict[str, int] = {}
        for a in self._order:
            oa = self._owner[a]
            if self._running[a] and oa is not None and self._published_access(oa):
                here = self._where[oa]
                sources[here] = sources.get(here, 0) + 1
                if inside is not None and a in inside:
                    inner[here] = inner.get(here, 0) + 1
        total = 0
        for b in self._order:
            if self._running[b] and self._owner[b] == b and self._usable_ports(b):
                if inside is None or b in inside:
                    total += sources.get(self._where[b], 0)
                else:
                    total += inner.get(self._where[b], 0)
        return total

    def port_paths_around(self, inside: frozenset[str] | None = None) -> Iterator[PortPath]:
        """Port paths (R11) with an end inside a scope (all of them without one)."""
        if inside is None:
            yield from self.port_paths()
            return
        publishers = [b for b in self._order if any(p.published for p in self._rec[b].ports)]
        ours = [b for b in publishers if b in inside]
        for a in self._order:
            for b in publishers if a in inside else ours:
                if (path := self.port_path(a, b)) is not None:
                    yield path

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
        ports = self._usable_ports(b)
        usable = tuple(p for p in ports if _v4(p.host_ip) or self._has_ipv6(oa))
        if not usable or self.verdict(a, b).reachable:
            return None
        return PortPath(source=self._l(self._rec[a]), target=self._l(cb), ports=usable)

    def _usable_ports(self, b: str) -> tuple[Port, ...]:
        """A container's ports published on host addresses other containers can reach."""
        found = self._published.get(b)
        if found is None:
            found = tuple(p for p in self._rec[b].ports if p.published and not loopback(p.host_ip))
            self._published[b] = found
        return found

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


def _v4(ip: str | None) -> bool:
    return ":" not in (ip or "")

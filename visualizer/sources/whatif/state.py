"""The engine state a what-if changes: the snapshot's records by ID, and what only it knows.

Records stay frozen: a change builds new ones with `dataclasses.replace` and puts them back.
Names are looked up the way the engine looks them up (full ID, then name, then a unique ID
prefix), among the objects of the engine the command talks to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from visualizer.model import Container, Endpoint, Network, Port, Snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(slots=True)
class Facts:
    """What the engine keeps about a container that a snapshot does not show."""

    autoremove: bool = False
    """`docker run --rm`: removed when it stops."""
    static: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """Network ID → addresses asked for with `--ip` / `--ip6` (given back at each start)."""
    dangling: list[str] = field(default_factory=list)
    """IDs of removed networks it still names: starting it fails."""
    exposed: tuple[Port, ...] = ()
    """Ports exposed without publishing (`--expose`, or seen running in the source)."""
    link_kinds: dict[str, bool] = field(default_factory=dict)
    """Alias → whether a link made in this what-if is a legacy one (default bridge: it
    follows a rename and dies with its target; on a user-defined network the name given
    is kept)."""


class World:
    """The state of the engines of a snapshot while commands are applied to it."""

    def __init__(self, snapshot: Snapshot, cwd: Path | None = None) -> None:
        """Start from a snapshot (it is not changed); `cwd` is where relative paths start."""
        self.snapshot = snapshot
        self.cwd = cwd or Path.cwd()
        self.networks: dict[str, Network] = {n.id: n for n in snapshot.networks}
        self.containers: dict[str, Container] = {c.id: c for c in snapshot.containers}
        self.facts: dict[str, Facts] = {}
        self.user_subnet: dict[str, bool] = {}
        """Network ID → whether its subnet was given at creation (when known)."""
        self.host = ""
        self.warnings: list[str] = []
        self._made = 0
        for c in snapshot.containers:
            if c.is_running:
                self.facts_of(c.id).exposed = tuple(p for p in c.ports if not p.published)

    # ---- lookups -------------------------------------------------------------------------

    def local_networks(self) -> list[Network]:
        """The networks the current engine sees (its own, and swarm-scoped ones)."""
        return [
            n
            for n in self.networks.values()
            if n.host == self.host or (n.scope != "local" and not n.host)
        ]

    def local_containers(self) -> list[Container]:
        """The containers of the current engine."""
        return [c for c in self.containers.values() if c.host == self.host]

    def network(self, ref: str) -> Network | None:
        """A network by full ID, name, or unique ID prefix (as the engine finds it)."""
        return _find(self.local_networks(), ref)

    def container(self, ref: str) -> Container | None:
        """A container by full ID, name, or unique ID prefix (as the engine finds it)."""
        return _find(self.local_containers(), ref)

    def builtin(self, name: str) -> Network | None:
        """The engine's own `bridge`, `host` or `none` network."""
        return next((n for n in self.local_networks() if n.is_builtin and n.name == name), None)

    def members(self, network_id: str) -> list[tuple[Container, Endpoint]]:
        """The containers attached to a network, with their endpoints."""
        return [
            (c, ep)
            for c in self.containers.values()
            for ep in c.endpoints
            if ep.network_id == network_id
        ]

    def owner(self, c: Container) -> Container | None:
        """The container whose stack a `container:` container shares (following chains)."""
        seen = {c.id}
        while c.netns_target is not None:
            nxt = self.containers.get(c.netns_target) or self.container(c.netns_target)
            if nxt is None or nxt.id in seen:
                return None
            seen.add(nxt.id)
            c = nxt
        return c

    def facts_of(self, container_id: str) -> Facts:
        """What is known beyond the record about a container (created on first use)."""
        return self.facts.setdefault(container_id, Facts())

    # ---- changes -------------------------------------------------------------------------

    def new_id(self, kind: str, name: str) -> str:
        """A synthetic, deterministic 64-hex ID for an object the what-if creates."""
        self._made += 1
        raw = f"netviz what-if|{kind}|{self.host}|{name}|{self._made}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def put(self, c: Container) -> None:
        """Add or replace a container."""
        self.containers[c.id] = c

    def drop(self, c: Container) -> None:
        """Remove a container; links to it made on the default bridge go with it."""
        del self.containers[c.id]
        self.facts.pop(c.id, None)
        for other in list(self.containers.values()):
            gone = {
                lk for lk in other.links if lk.target == c.name and self.legacy(other, lk.alias)
            }
            if gone:
                self.put(replace(other, links=tuple(set(other.links) - gone)))

    def legacy(self, holder: Container, alias: str) -> bool:
        """Whether a link is a legacy one, made on the default bridge.

        Known for links made in this what-if; for a source's links, a holder on the default
        bridge is taken to hold legacy links (snapshots do not record where a link was made).
        """
        facts = self.facts.get(holder.id)
        if facts is not None and alias in facts.link_kinds:
            return facts.link_kinds[alias]
        return any(
            (net := self.networks.get(ep.network_id)) is not None and net.is_default_bridge
            for ep in holder.endpoints
        )

    def freeze(self, *, changes: int) -> Snapshot:
        """The predicted snapshot."""
        return replace(
            self.snapshot,
            networks=tuple(self.networks.values()),
            containers=tuple(self.containers.values()),
            source=f"what-if: {self.snapshot.source or 'snapshot'} + {changes} change"
            + ("s" if changes != 1 else ""),
            warnings=(),
        )


_Found = TypeVar("_Found", Network, Container)


def _find(items: Iterable[_Found], ref: str) -> _Found | None:
    pool = list(items)
    for found in ([x for x in pool if x.id == ref], [x for x in pool if x.name == ref]):
        if found:
            return found[0]
    prefixed = [x for x in pool if ref and x.id.startswith(ref)]
    return prefixed[0] if len(prefixed) == 1 else None

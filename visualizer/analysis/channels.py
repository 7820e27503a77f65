"""Channels: every way one container can affect another besides the network.

For an ordered pair (A, B):
- `volume` / `bind`: A writes a volume or host path that B mounts (the same one, or a host
  path nested in the other's: a read-only mount is one-way, read-write on both sides two-way);
- `volumes-from`: B was created with `--volumes-from A` (`:ro` makes it one-way);
- `ipc` / `pid`: A and B share an IPC or PID namespace (one joined the other with
  `container:`, or both use the host's IPC namespace): shared memory and semaphores, or each
  other's processes (signals, `/proc/PID/root`);
- `host`: A is equivalent to the host (the engine socket, privileged mode, the host's PID
  namespace, a writable bind of `/` or of the data root) and so has power over every container
  on its host.

Data persists, so data channels hold whatever the containers' states; namespaces and host
power need A running (and, for namespaces, B). Like reachability, nothing is expanded to pairs
unless asked: `between(a, b)` looks at two containers, `grouped()` stays linear (a
host-equivalent container is one entry, not one per container it controls).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from visualizer.analysis.powers import SOCKET_NAMES, host_powers
from visualizer.graph import containers, data_layer, data_nodes, mounts
from visualizer.model import qualified_names

if TYPE_CHECKING:
    from collections.abc import Iterator

    import networkx as nx

    from visualizer.graph import DataNode
    from visualizer.model import Container

ONE_WAY, TWO_WAY = "one-way", "two-way"
HOST_NS = "host\0"
"""Prefix of the owner of a host namespace (followed by the host's name)."""


class ChannelKind(StrEnum):
    """How one container can affect another besides the network."""

    VOLUME = "volume"
    BIND = "bind"
    VOLUMES_FROM = "volumes-from"
    IPC = "ipc"
    PID = "pid"
    HOST = "host"


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """`source` can affect `target` this way."""

    source: str
    """Name of the container that acts."""
    target: str
    """Name of the container it affects."""
    kind: ChannelKind
    resource: str
    """The volume, host path, container (volumes-from, namespace owner, `host`) or power."""
    direction: str
    """`one-way` (the target cannot act back this way) or `two-way`."""
    reason: str
    """The channel as one plain sentence."""

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        """Channels sort by source, target, kind, resource."""
        return (self.source, self.target, self.kind.value, self.resource)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataGroup:
    """One volume or host path and who mounts it; every writer affects every other mounter."""

    kind: ChannelKind
    resource: str
    host: str
    writers: tuple[str, ...]
    readers: tuple[str, ...]
    """Containers that mount it read-only."""
    overlaps: tuple[str, ...]
    """Other mounted host paths or volumes nested in it or holding it (same data)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Sharing:
    """Containers (keys) that see the same data: one volume or host path and those overlapping."""

    what: str
    """`volume NAME` or `host path PATH`."""
    writers: tuple[str, ...]
    mounters: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceGroup:
    """Running containers in one IPC or PID namespace (other than their own)."""

    kind: ChannelKind
    owner: str
    """The container whose namespace it is, or `host`."""
    host: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class HostEquivalent:
    """A container with power over every container of its host."""

    container: str
    host: str
    powers: tuple[str, ...]
    running: bool
    """Only a running container uses its power (a stopped one is listed, controls nothing)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelGroups:
    """Channels without expanding pairs."""

    data: tuple[DataGroup, ...]
    namespaces: tuple[NamespaceGroup, ...]
    volumes_from: tuple[tuple[str, str, bool], ...]
    """(source, inheritor, read-only)."""
    host_equivalent: tuple[HostEquivalent, ...]


class Channels:
    """The channels of one graph, indexed once."""

    def __init__(self, g: nx.Graph[str]) -> None:
        """Index mounts, namespaces and host powers; nothing is expanded to pairs here."""
        self._rec: dict[str, Container] = dict(containers(g))
        self._order = list(self._rec)
        self._index = {k: i for i, k in enumerate(self._order)}
        labels = qualified_names(self._rec.values())
        self._label = {k: labels[c.id] for k, c in self._rec.items()}
        layer = data_layer(g)
        # an engine socket is a host channel, not data (`:ro` does not stop a connect)
        self._data: dict[str, DataNode] = {
            k: n for k, n in data_nodes(g) if posixpath.basename(n.name) not in SOCKET_NAMES
        }
        self._mounters: dict[str, dict[str, bool]] = {
            d: {c: any(m.rw for m in mounts(g, c, d)) for c in layer.adj[d] if c in self._rec}
            for d in self._data
        }
        self._overlaps = _overlaps(g, self._data)
        self._writes: dict[str, list[str]] = defaultdict(list)  # container → data it writes
        for d, who in self._mounters.items():
            for writer, rw in who.items():
                if rw:
                    self._writes[writer].append(d)
        by_ref = _refs(self._rec)
        self._from: list[tuple[str, str, bool]] = []
        for key, c in self._rec.items():
            for entry in c.volumes_from or ():
                ref, _, mode = entry.partition(":")
                src = by_ref.get((c.host, ref))
                if src is not None and src != key:
                    self._from.append((src, key, mode == "ro"))
        self._ns: dict[tuple[ChannelKind, str], list[str]] = defaultdict(list)
        for kind, field in ((ChannelKind.IPC, "ipc_mode"), (ChannelKind.PID, "pid_mode")):
            for key, c in self._rec.items():
                owner = _namespace(key, field, self._rec, by_ref)
                on_host = owner.startswith(HOST_NS)
                if owner != key and c.is_running and not (kind is ChannelKind.PID and on_host):
                    self._ns[(kind, owner)].append(key)
        self._ns = {
            k: ([k[1]] if k[1] in self._rec and self._rec[k[1]].is_running else []) + v
            for k, v in self._ns.items()
        }
        self._ns = {k: v for k, v in self._ns.items() if len(v) > 1}
        self._ns_of: dict[str, list[tuple[ChannelKind, str]]] = defaultdict(list)
        for ns, members in self._ns.items():
            for m in members:
                self._ns_of[m].append(ns)
        self._powers = {k: tuple(host_powers(c)) for k, c in self._rec.items()}
        self._by_host: dict[str, list[str]] = defaultdict(list)
        for key, c in self._rec.items():
            self._by_host[c.host].append(key)

    def label(self, key: str) -> str:
        """The container's name as channels write it."""
        return self._label[key]

    def powers(self, key: str) -> tuple[str, ...]:
        """Why a container is equivalent to its host (empty when it is not)."""
        return self._powers[key]

    def between(self, a: str, b: str) -> list[Channel]:
        """Every channel from container `a` to container `b` (keys), sorted."""
        if a == b:
            return []
        found: dict[tuple[str, str], Channel] = {}
        for d in self._writes.get(a, ()):
            self._data_channel(a, b, d, found)
        for src, dst, ro in self._from:
            if (src, dst) == (a, b) or ((dst, src) == (a, b) and not ro):
                found[("vf", src)] = self._volumes_from(a, b, src, dst, ro=ro)
        for k in self._ns_of.get(a, ()):
            if b in self._ns[k]:
                found[("ns", k[0].value)] = self._namespace_channel(a, b, k)
        if self._powers[a] and self._rec[a].is_running and self._rec[a].host == self._rec[b].host:
            found[("host", "")] = self._host_channel(a, b)
        return sorted(found.values(), key=lambda ch: ch.sort_key)

    def targets(self, a: str) -> list[str]:
        """Containers `a` may have a channel to (a superset; `between` decides)."""
        if self._powers[a] and self._rec[a].is_running:
            return [k for k in self._by_host[self._rec[a].host] if k != a]
        found: set[str] = set()
        for d in self._writes.get(a, ()):
            for o in (d, *self._overlaps.get(d, ())):
                found |= set(self._mounters.get(o, {}))
        for src, dst, _ in self._from:
            found |= {dst, src} if a in {src, dst} else set()
        for k in self._ns_of.get(a, ()):
            found |= set(self._ns[k])
        found.discard(a)
        return sorted(found, key=self._index.__getitem__)

    def data_sharing(self) -> list[Sharing]:
        """Each volume or host path that two or more containers see, with its writers (keys)."""
        found = []
        for d, node in self._data.items():
            seen = {
                o: self._mounters[o] for o in (d, *self._overlaps.get(d, ())) if o in self._mounters
            }
            writers = self._sorted([c for c, rw in self._mounters[d].items() if rw])
            mounters = self._sorted([c for who in seen.values() for c in who])
            if writers and len(mounters) > 1:
                what = (
                    f"volume {node.label}" if node.kind == "volume" else f"host path {node.label}"
                )
                found.append(Sharing(what=what, writers=tuple(writers), mounters=tuple(mounters)))
        return found

    def pairs(self) -> Iterator[Channel]:
        """Every channel of every ordered pair, sorted by source, target, kind, resource."""
        out = [ch for a in self._order for b in self.targets(a) for ch in self.between(a, b)]
        yield from sorted(out, key=lambda ch: ch.sort_key)

    def around(self, within: frozenset[str] | None, limit: int) -> list[Channel] | None:
        """The channels with an end in `within` (keys; `None`: all), sorted.

        `None` when there are more than `limit`: the caller writes the grouped form instead.
        """
        out: list[Channel] = []
        for a in self._order:
            for b in self.targets(a):
                if within is None or a in within or b in within:
                    out.extend(self.between(a, b))
                    if len(out) > limit:
                        return None
        return sorted(out, key=lambda ch: ch.sort_key)

    def grouped(self) -> ChannelGroups:
        """The channels in linear form: data groups, namespaces, volumes-from, host powers."""
        data = []
        for d, node in self._data.items():
            who = self._mounters[d]
            overlaps = self._overlaps.get(d, ())
            shared = len(who) > 1 or any(self._mounters.get(o) for o in overlaps)
            if not shared or not (
                any(who.values()) or any(any(self._mounters.get(o, {}).values()) for o in overlaps)
            ):
                continue
            data.append(
                DataGroup(
                    kind=ChannelKind.VOLUME if node.kind == "volume" else ChannelKind.BIND,
                    resource=node.label,
                    host=node.host,
                    writers=tuple(
                        self._label[c] for c in self._sorted(k for k, rw in who.items() if rw)
                    ),
                    readers=tuple(
                        self._label[c] for c in self._sorted(k for k, rw in who.items() if not rw)
                    ),
                    overlaps=tuple(self._data[o].label for o in overlaps),
                )
            )
        namespaces = [
            NamespaceGroup(
                kind=kind,
                owner=self._label.get(owner, "host"),
                host=self._rec[members[0]].host,
                members=tuple(self._label[m] for m in members),
            )
            for (kind, owner), members in sorted(
                self._ns.items(), key=lambda kv: (kv[0][0].value, self._label.get(kv[0][1], "host"))
            )
        ]
        return ChannelGroups(
            data=tuple(data),
            namespaces=tuple(namespaces),
            volumes_from=tuple(
                sorted((self._label[s], self._label[d], ro) for s, d, ro in self._from)
            ),
            host_equivalent=tuple(
                HostEquivalent(
                    container=self._label[k],
                    host=self._rec[k].host,
                    powers=self._powers[k],
                    running=self._rec[k].is_running,
                )
                for k in self._order
                if self._powers[k]
            ),
        )

    # ---- one channel of each kind -------------------------------------------------------

    def _sorted(self, keys: Iterator[str] | list[str]) -> list[str]:
        wanted = set(keys)
        return sorted(wanted, key=self._index.__getitem__)

    def _data_channel(self, a: str, b: str, d: str, found: dict[tuple[str, str], Channel]) -> None:
        for o in (d, *self._overlaps.get(d, ())):
            if b not in self._mounters.get(o, {}):
                continue
            mine, theirs = self._data[d], self._data[o]
            node = max((mine, theirs), key=lambda n: (n.kind == "volume", len(n.name)))
            volume = node.kind == "volume"
            back = self._mounters[o][b]
            what = f"volume {node.label}" if volume else f"host path {node.label}"
            nested = "" if o == d else f" ({self._label[a]} mounts {mine.label}, "
            nested += "" if o == d else f"{self._label[b]} {theirs.label})"
            found[("data", node.kind + node.name)] = Channel(
                source=self._label[a],
                target=self._label[b],
                kind=ChannelKind.VOLUME if volume else ChannelKind.BIND,
                resource=node.label,
                direction=TWO_WAY if back else ONE_WAY,
                reason=(
                    f"{self._label[a]} writes {what}, which {self._label[b]} mounts"
                    f"{'' if back else ' read-only'}{nested}"
                ),
            )

    def _volumes_from(self, a: str, b: str, src: str, dst: str, *, ro: bool) -> Channel:
        return Channel(
            source=self._label[a],
            target=self._label[b],
            kind=ChannelKind.VOLUMES_FROM,
            resource=self._label[src],
            direction=ONE_WAY if ro else TWO_WAY,
            reason=(
                f"{self._label[dst]} was created with --volumes-from {self._label[src]}"
                f"{':ro' if ro else ''}: it mounts every volume and bind of it"
            ),
        )

    def _namespace_channel(self, a: str, b: str, k: tuple[ChannelKind, str]) -> Channel:
        kind, owner = k
        name = self._label.get(owner, "host")
        what = (
            "shared memory, semaphores and message queues"
            if kind is ChannelKind.IPC
            else "each other's processes (signals, /proc/PID/root)"
        )
        return Channel(
            source=self._label[a],
            target=self._label[b],
            kind=kind,
            resource=name,
            direction=TWO_WAY,
            reason=f"{self._label[a]} and {self._label[b]} share the {kind.value.upper()} "
            f"namespace of {name}: {what}",
        )

    def _host_channel(self, a: str, b: str) -> Channel:
        powers = self._powers[a]
        return Channel(
            source=self._label[a],
            target=self._label[b],
            kind=ChannelKind.HOST,
            resource="; ".join(powers),
            direction=TWO_WAY if self._powers[b] and self._rec[b].is_running else ONE_WAY,
            reason=(
                f"{self._label[a]} is equivalent to the host ({'; '.join(powers)}), so it has "
                f"power over {self._label[b]} and every container of its host"
            ),
        )


def _refs(rec: dict[str, Container]) -> dict[tuple[str, str], str]:
    """(host, name or ID) → key, as `container:` and `--volumes-from` references name them."""
    found: dict[tuple[str, str], str] = {}
    for k, c in rec.items():
        found[(c.host, c.name)] = k
        found[(c.host, c.id)] = k
        found[(c.host, c.id[:12])] = k
    return found


def _namespace(
    key: str, field: str, rec: dict[str, Container], by_ref: dict[tuple[str, str], str]
) -> str:
    """Whose IPC or PID namespace a container is in: its own key, a container's key or `host`."""
    seen = {key}
    current = key
    while True:
        mode = getattr(rec[current], field) or ""
        if mode == "host":
            return f"{HOST_NS}{rec[current].host}"
        if not mode.startswith("container:"):
            return current
        nxt = by_ref.get((rec[current].host, mode.removeprefix("container:")))
        if nxt is None or nxt in seen:
            return current
        seen.add(nxt)
        current = nxt


def _overlaps(g: nx.Graph[str], data: dict[str, DataNode]) -> dict[str, tuple[str, ...]]:
    """Data nodes holding the same files, found by walking each path's ancestors only.

    Host paths nested in each other, and a volume whose directory on the host lies in a
    mounted host path.
    """
    layer = data_layer(g)
    paths: dict[tuple[str, str], str] = {}
    for d, node in data.items():
        if node.kind == "path":
            paths[(node.host, node.name)] = d
    where: dict[str, str] = {}
    for d, node in data.items():
        if node.kind == "path" and node.name.startswith("/"):
            where[d] = node.name
        elif node.kind == "volume":
            source = next((m.source for c in layer.adj[d] for m in mounts(g, c, d) if m.source), "")
            if source.startswith("/"):
                where[d] = source
    found: dict[str, set[str]] = defaultdict(set)
    for d, path in where.items():
        host = data[d].host
        parent = path
        while parent != "/":
            parent = posixpath.dirname(parent)
            other = paths.get((host, parent))
            if other is not None and other != d:
                found[d].add(other)
                found[other].add(d)
    order = list(data)
    return {d: tuple(o for o in order if o in others) for d, others in found.items()}

"""The data layer at a level of detail: volumes, host paths and channels between groups.

At the container level every volume and host path is drawn with its mounts. A collapsed
picture (`aggregate.py`) shows the same facts, counted, never averaged:

- a volume or host path that members of two or more groups mount is drawn, joined to each
  group that mounts it: how many of the group's members do (`2 of 12`) and how many write;
- a volume or host path only one group's members mount joins nothing else at that level: it
  is counted in the group's node (`own`), not drawn;
- per group, how many members are equivalent to the host (engine socket, privileged, …);
- channels between groups (a writer's group can affect every other group that sees the same
  data, shared IPC or PID namespaces, `--volumes-from`), from the channels' linear forms, so
  a volume shared by 3,000 replicas costs 3,000 steps, not 9 million pairs; channels among
  the members of one group are counted in its node (`inside`).

Anonymous volumes that one container mounts are private and left out, as at the container
level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from visualizer.analysis.powers import host_powers
from visualizer.graph import container_record, data_layer, data_nodes, mounts

if TYPE_CHECKING:
    from collections.abc import Iterable

    import networkx as nx

    from visualizer.analysis.aggregate import Aggregate
    from visualizer.analysis.channels import Channels
    from visualizer.graph import DataNode


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMount:
    """The members of a group that mount one drawn volume or host path."""

    group: str
    data: str
    """Data key (`graph.data_key`)."""
    members: int
    """How many members mount it."""
    writers: int
    """Of those, how many mount it read-write."""
    destinations: tuple[str, ...]
    """Where they mount it, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupChannel:
    """Members of `source` can affect members of `target` besides the network."""

    source: str
    target: str
    family: str
    """`data` (volumes, host paths, volumes-from) or `ns` (IPC and PID namespaces)."""
    what: tuple[str, ...]
    """`volume scratch`, `ipc namespace of db`, …, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostPower:
    """Members of a group that are equivalent to the host."""

    members: int
    running: int
    """Of those, how many run (only a running container uses its power)."""
    powers: tuple[str, ...]
    """Why, over all those members, sorted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupData:
    """The data layer of a collapsed graph."""

    shared: tuple[tuple[str, DataNode], ...]
    """Volumes and host paths that two or more groups mount: drawn, in canonical order."""
    mounts: tuple[GroupMount, ...]
    """Group–data lines, for the shared ones."""
    own: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Group → (volumes, host paths) that only its members mount (counted, not drawn)."""
    host_equivalent: dict[str, HostPower] = field(default_factory=dict)
    channels: tuple[GroupChannel, ...] = ()
    """Between groups (empty unless channels were asked for)."""
    inside: dict[str, int] = field(default_factory=dict)
    """Group → how many shared resources or namespaces join two of its own members."""

    @property
    def summarised(self) -> bool:
        """Whether some of the data layer is counted in group nodes rather than drawn."""
        return bool(self.own or self.inside)

    def channel_lines(self) -> list[tuple[str, str, str, str, bool]]:
        """One line per pair of groups and family: (from, to, family, what, both ways).

        Channels both ways between two groups are one line; it runs from the first direction
        in group order, and `what` joins both directions' resources.
        """
        merged: dict[tuple[str, str, str], tuple[set[str], set[tuple[str, str]]]] = {}
        for ch in self.channels:
            a, b = sorted((ch.source, ch.target), key=lambda x: int(x[1:]))
            what, flows = merged.setdefault((a, b, ch.family), (set(), set()))
            what.update(ch.what)
            flows.add((ch.source, ch.target))
        lines = []
        for (_, _, family), (what, flows) in sorted(merged.items()):
            src, dst = min(flows, key=lambda f: (int(f[0][1:]), int(f[1][1:])))
            lines.append((src, dst, family, ", ".join(sorted(what)), len(flows) > 1))
        return lines


def group_data(g: nx.Graph[str], agg: Aggregate, channels: Channels | None = None) -> GroupData:
    """The data layer of `agg` (a collapse of `g`); `channels` (of the full graph) adds them."""
    layer = data_layer(g)
    of = agg.group_of
    shared: list[tuple[str, DataNode]] = []
    lines: list[GroupMount] = []
    own: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for dkey, node in data_nodes(g):
        mounters = [c for c in layer.adj[dkey] if c in of]
        if not mounters or (node.anonymous and len(mounters) < 2):  # noqa: PLR2004
            continue
        by_group: dict[str, list[str]] = defaultdict(list)
        for c in mounters:
            by_group[of[c]].append(c)
        if len(by_group) == 1:
            own[next(iter(by_group))][0 if node.kind == "volume" else 1] += 1
            continue
        shared.append((dkey, node))
        for gid in sorted(by_group, key=_order):
            held = [m for c in by_group[gid] for m in mounts(g, c, dkey)]
            writers = sum(1 for c in by_group[gid] if any(m.rw for m in mounts(g, c, dkey)))
            lines.append(
                GroupMount(
                    group=gid,
                    data=dkey,
                    members=len(by_group[gid]),
                    writers=writers,
                    destinations=tuple(sorted({m.destination for m in held})),
                )
            )
    powers: dict[str, HostPower] = {}
    for gid, keys in _members(agg).items():
        found = [(k, host_powers(container_record(g, k))) for k in keys]
        found = [(k, p) for k, p in found if p]
        if found:
            powers[gid] = HostPower(
                members=len(found),
                running=sum(1 for k, _ in found if container_record(g, k).is_running),
                powers=tuple(sorted({p for _, ps in found for p in ps})),
            )
    between, inside = _channels(agg, channels) if channels is not None else ((), {})
    return GroupData(
        shared=tuple(shared),
        mounts=tuple(lines),
        own={k: (v[0], v[1]) for k, v in sorted(own.items(), key=lambda kv: _order(kv[0]))},
        host_equivalent=powers,
        channels=between,
        inside=inside,
    )


def _order(gid: str) -> int:
    return int(gid[1:])


def _members(agg: Aggregate) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for key, gid in agg.group_of.items():
        found[gid].append(key)
    return found


def _channels(
    agg: Aggregate, channels: Channels
) -> tuple[tuple[GroupChannel, ...], dict[str, int]]:
    """Channels between groups and, per group, those among its own members (linear forms)."""
    of = agg.group_of
    key_of = {channels.label(k): k for k in of}
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    inside: dict[str, int] = defaultdict(int)

    def join(sources: Iterable[str], targets: Iterable[str], family: str, what: str) -> None:
        src = {of[k] for k in sources if k in of}
        dst = {of[k] for k in targets if k in of}
        for a in src:
            for b in dst:
                if a != b:
                    found[(a, b, family)].add(what)

    def within(members: Iterable[str]) -> None:
        count: dict[str, int] = defaultdict(int)
        for k in members:
            if k in of:
                count[of[k]] += 1
        for gid, n in count.items():
            if n > 1:
                inside[gid] += 1

    for share in channels.data_sharing():
        join(share.writers, share.mounters, "data", share.what)
        writers = {of[k] for k in share.writers if k in of}
        within(k for k in share.mounters if k in of and of[k] in writers)
    grouped = channels.grouped()
    for ns in grouped.namespaces:
        keys = [key_of[m] for m in ns.members if m in key_of]
        what = f"{ns.kind.value} namespace of {ns.owner}"
        join(keys, keys, "ns", what)
        within(keys)
    for src, dst, ro in grouped.volumes_from:
        a, b = key_of.get(src), key_of.get(dst)
        if a is None or b is None:
            continue
        join([a], [b], "data", f"volumes-from {src}")
        if not ro:
            join([b], [a], "data", f"volumes-from {src}")
        within([a, b])
    out = tuple(
        GroupChannel(source=a, target=b, family=family, what=tuple(sorted(what)))
        for (a, b, family), what in sorted(
            found.items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1]), kv[0][2])
        )
    )
    return out, dict(sorted(inside.items(), key=lambda kv: _order(kv[0])))

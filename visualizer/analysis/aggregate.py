"""Levels of detail: a graph collapsed into groups of containers, honestly.

A big estate needs what a map has: levels. This module collapses the containers of a
(filtered) graph into groups, and says for each group exactly what holds for all of its
members and what holds for some only:

- `container`: every container on its own (the renderers draw the graph itself);
- `service`: the replicas of one compose service (labels `com.docker.compose.project` and
  `.service`, per host) or the tasks of one swarm service (`com.docker.swarm.service.id`)
  are one group, such as `api ×12`; other containers stay alone;
- `project`: one group per compose project (per host) or swarm stack; the other containers
  are grouped by the networks they are on. A network only one project uses is folded into
  that project's node; the networks between groups stay drawn;
- `network`: the networks between projects, with the projects (and groups of standalone
  containers) that join the same of them folded into one node, repeated until every drawn
  network joins at least two nodes. The default bridge, `host` and `none` always stay drawn.

Nothing is averaged: a group lists its states with counts, a link to a network says how many
members are on it when not all, a published port and a finding say on how many members they
are, and `differs` names what the members of a group do not share.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from visualizer.analysis.fold import fold_groups, fold_networks
from visualizer.analysis.group_findings import FindingSummary, differ, summarise
from visualizer.graph import containers, labels, network_record, networks

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import networkx as nx

    from visualizer.analysis.audit import Analysis
    from visualizer.analysis.findings import Finding
    from visualizer.model import Container

STACK_LABEL = "com.docker.stack.namespace"


class Detail(StrEnum):
    """How much a picture shows: one node per container, service, project or network group."""

    AUTO = "auto"
    """The most detailed level whose picture stays readable."""
    CONTAINER = "container"
    SERVICE = "service"
    PROJECT = "project"
    NETWORK = "network"


LEVELS = (Detail.CONTAINER, Detail.SERVICE, Detail.PROJECT, Detail.NETWORK)
"""The levels from the most detailed to the coarsest."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortGroup:
    """A published port of a group's members: one host address, container port and protocol."""

    host_ip: str
    container_port: int
    protocol: str
    host_ports: tuple[int, ...]
    """The host ports the members publish it on (0: chosen by the engine); for a run, those
    of its first port."""
    members: int
    """How many members publish it."""
    last_port: int = 0
    """The last container port of a run (`8000-8010`: the same members publish each port,
    on host ports that follow too); 0 for a single port."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """One node of a collapsed picture: containers that share a service, a project, a fold."""

    id: str
    """Synthetic ID (`g0`, `g1`, …) in sorted order."""
    kind: str
    """`container`, `service`, `swarm-service`, `project`, `stack`, `standalone` or `fold`."""
    name: str
    """What it is called: a service, project or container name; for others a description."""
    host: str
    """The host its members run on; empty when they span hosts."""
    hosts: tuple[str, ...]
    """Every host its members run on, sorted (one unless they span hosts)."""
    project: str | None
    """The compose project it belongs to (a service's), for drawing it inside the project."""
    members: tuple[str, ...]
    """Container keys, in the snapshot's order."""
    names: tuple[str, ...]
    """The members' names (`host/name` where hosts share a name)."""
    parts: tuple[tuple[str, int], ...]
    """What it is made of: a project's services, a fold's projects, with member counts."""
    states: tuple[tuple[str, int], ...]
    """Container states with counts, most common first."""
    running: int
    images: tuple[tuple[str, int], ...]
    ports: tuple[PortGroup, ...]
    networks: tuple[str, ...]
    """Network keys folded into this node (used by its members only)."""
    findings: FindingSummary | None
    differs: tuple[str, ...]
    """What its members do not all share: `state`, `image`, `networks`, `ports`, `findings`."""

    @property
    def size(self) -> int:
        """How many containers it stands for."""
        return len(self.members)


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """The members of a group that are on a drawn network."""

    group: str
    network: str
    """Network key."""
    members: int
    """How many members are on it (sidecars through the stack they share)."""
    running: int
    """Of those, how many are running."""
    parts: tuple[tuple[str, int], ...]
    """What crosses: the services (or projects) of the group on it, with member counts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate:
    """A graph collapsed to one level of detail."""

    level: Detail
    groups: tuple[Group, ...]
    networks: tuple[str, ...]
    """Network keys drawn as nodes, in the snapshot's order."""
    links: tuple[Link, ...]
    group_of: Mapping[str, str]
    """Container key → group ID."""
    stacks: tuple[tuple[str, str], ...]
    """(sidecar's group, stack owner's group) where a stack is shared across groups."""
    containers: int


def service_key(c: Container) -> tuple[str, ...] | None:
    """What makes a container one of a service's replicas or tasks, if anything."""
    if c.swarm_service:
        return ("swarm", c.swarm_service)
    if c.compose_project and c.compose_service:
        return ("compose", c.host, c.compose_project, c.compose_service)
    return None


def project_key(c: Container) -> tuple[str, ...] | None:
    """What makes a container part of a compose project or swarm stack, if anything."""
    if c.compose_project:
        return ("project", c.host, c.compose_project)
    if c.labels.get(STACK_LABEL):
        return ("stack", c.labels[STACK_LABEL])
    if c.swarm_service:
        return ("swarm", c.swarm_service)
    return None


def one_project(g: nx.Graph[str]) -> bool:
    """Whether every container of `g` belongs to one compose project or swarm stack."""
    keys = {project_key(c) for _, c in containers(g)}
    return len(keys) == 1 and None not in keys


def group_count(g: nx.Graph[str], level: Detail) -> int:
    """How many groups `aggregate` makes at the service or project level, counted cheaply.

    For choosing a level: a level with too many nodes is skipped without being built. At the
    network level it is an upper bound (folding only merges).
    """
    keys = set()
    for k, c in containers(g):
        key = service_key(c) if level is Detail.SERVICE else project_key(c)
        if level in {Detail.PROJECT, Detail.NETWORK} and key is None:
            key = ("standalone", c.host, *sorted(g.adj[k]))
        keys.add(key or ("container", k))
    return len(keys)


def aggregate(g: nx.Graph[str], analysis: Analysis | None, level: Detail) -> Aggregate:
    """Collapse a (filtered) graph to `level`; `analysis` (of the full graph) marks findings."""
    if level is Detail.AUTO:
        raise ValueError("choose a level before aggregating")
    marks = analysis.marks() if analysis is not None else {}
    names = labels(g)
    ctrs = containers(g)
    attached = {k: tuple(g.adj[k]) for k, _ in ctrs}
    keys: dict[str, tuple[str, ...]] = {}
    for k, c in ctrs:
        key = service_key(c) if level is Detail.SERVICE else None
        if level in {Detail.PROJECT, Detail.NETWORK}:
            key = project_key(c) or ("standalone", c.host, *sorted(attached[k]))
        keys[k] = key or ("container", k)
    members: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for k, _ in ctrs:
        members[keys[k]].append(k)
    folded = fold_networks(g, members, keys) if level is not Detail.SERVICE else {}
    if level is Detail.CONTAINER:
        folded = {}
    groups = dict(members)
    if level is Detail.NETWORK:
        groups, folded = fold_groups(g, groups, keys, folded)
    records = dict(ctrs)
    ctx = _Context(
        g=g,
        level=level,
        records=records,
        label={k: names[c.id] for k, c in ctrs},
        names=names,
        marks=marks,
        attached=attached,
    )
    return _build(ctx, groups, folded)


@dataclass(slots=True)
class _Context:
    """What building the groups of one graph reads."""

    g: nx.Graph[str]
    level: Detail
    records: dict[str, Container]
    label: dict[str, str]
    """Container key → its shown name."""
    names: dict[str, str]
    """Object ID → its shown name."""
    marks: dict[tuple[str, str], list[Finding]]
    attached: dict[str, tuple[str, ...]]


def _build(
    ctx: _Context, groups: dict[tuple[str, ...], list[str]], folded: dict[str, tuple[str, ...]]
) -> Aggregate:
    g, level, records, attached = ctx.g, ctx.level, ctx.records, ctx.attached
    drafts = []
    for key, ks in groups.items():
        kind, name, parts = _identity(ctx, key, ks)
        drafts.append((key, kind, name, parts, ks))
    drafts.sort(key=lambda d: (_project_of(d[0], d[4], records) or "", d[2], d[0]))
    gid = {d[0]: f"g{i}" for i, d in enumerate(drafts)}
    group_of = {k: gid[d[0]] for d in drafts for k in d[4]}
    own_nets: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for nkey, _ in networks(g):
        if nkey in folded:
            own_nets[folded[nkey]].append(nkey)
    built = [
        _group(ctx, gid[key], (kind, name, parts), ks, own_nets[key])
        for key, kind, name, parts, ks in drafts
    ]
    drawn = tuple(n for n, _ in networks(g) if n not in folded)
    links: list[Link] = []
    for key, _, _, _, ks in drafts:
        on: dict[str, list[str]] = defaultdict(list)
        for k in ks:
            for n in attached[k]:
                if n not in folded:
                    on[n].append(k)
        links.extend(
            Link(
                group=gid[key],
                network=n,
                members=len(on[n]),
                running=sum(1 for k in on[n] if records[k].is_running),
                parts=_parts(ctx, on[n], level),
            )
            for n in drawn
            if n in on
        )
    stacks = set()
    for k in records:
        owner = g.nodes[k].get("netns_of")
        if owner is not None and owner in group_of and group_of[owner] != group_of[k]:
            stacks.add((group_of[k], group_of[owner]))
    return Aggregate(
        level=level,
        groups=tuple(built),
        networks=drawn,
        links=tuple(links),
        group_of=group_of,
        stacks=tuple(sorted(stacks)),
        containers=len(records),
    )


def _project_of(key: tuple[str, ...], ks: list[str], records: dict[str, Container]) -> str | None:
    if key[0] in {"compose", "container"}:
        return records[ks[0]].compose_project
    return None


def _identity(
    ctx: _Context, key: tuple[str, ...], ks: list[str]
) -> tuple[str, str, tuple[tuple[str, int], ...]]:
    """The kind, name and parts of a group."""
    g, level, records, label = ctx.g, ctx.level, ctx.records, ctx.label
    first = records[ks[0]]
    kind = key[0]
    if kind == "container" or (kind == "standalone" and len(ks) == 1):
        return "container", label[ks[0]], ()
    if kind == "compose":
        return "service", key[3], ()
    if kind == "swarm":
        name = first.labels.get("com.docker.swarm.service.name") or key[1][:12]
        if level is Detail.SERVICE:
            return "swarm-service", name, ()
        return "swarm-service", name, _parts(ctx, ks, level)
    if kind in {"project", "stack"}:
        return kind, key[-1], _parts(ctx, ks, level)
    if kind == "standalone":
        nets = sorted(network_record(g, n).name for n in key[2:])
        return "standalone", "on " + (", ".join(nets) if nets else "no network"), ()
    parts = _parts(ctx, ks, Detail.NETWORK)
    projects = sum(1 for p, _ in parts if not p.startswith("("))
    others = sum(n for p, n in parts if p.startswith("("))
    words = [f"{projects} project{'s' if projects != 1 else ''}"] if projects else []
    if others:
        words.append(f"{others} other container{'s' if others != 1 else ''}")
    return "fold", ", ".join(words), parts


def _parts(ctx: _Context, ks: Iterable[str], level: Detail) -> tuple[tuple[str, int], ...]:
    """What a set of members is made of: services (project level) or projects (network level)."""
    count: Counter[str] = Counter()
    for k in ks:
        c = ctx.records[k]
        if level is Detail.NETWORK:
            what = c.compose_project or c.labels.get(STACK_LABEL) or "(standalone)"
        else:
            what = (
                c.compose_service or c.labels.get("com.docker.swarm.service.name") or ctx.label[k]
            )
        count[what] += 1
    return tuple(sorted(count.items()))


def _port_runs(
    ports: dict[tuple[str, int, str], tuple[set[int], set[str]]],
) -> tuple[PortGroup, ...]:
    """The published ports of a group, consecutive ones as runs (`1-65535` is one entry)."""
    runs: list[PortGroup] = []
    last: tuple[str, str, int, frozenset[int], frozenset[str]] | None = None
    for (ip, cp, proto), (hp, who) in sorted(
        ports.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])
    ):
        hosts, members = frozenset(hp), frozenset(who)
        follows = (
            last is not None
            and (last[0], last[1], last[4]) == (ip, proto, members)
            and cp == last[2] + 1
            and (hosts == {h + 1 for h in last[3]} or hosts == last[3] == {0})
        )
        if follows:
            runs[-1] = replace(runs[-1], last_port=cp)
        else:
            runs.append(
                PortGroup(
                    host_ip=ip,
                    container_port=cp,
                    protocol=proto,
                    host_ports=tuple(sorted(hp)),
                    members=len(who),
                )
            )
        last = (ip, proto, cp, hosts, members)
    return tuple(sorted(runs, key=lambda p: (p.host_ip, p.container_port, p.protocol)))


def _group(
    ctx: _Context,
    gid: str,
    identity: tuple[str, str, tuple[tuple[str, int], ...]],
    ks: list[str],
    own_nets: list[str],
) -> Group:
    kind, name, parts = identity
    label, marks = ctx.label, ctx.marks
    members = [ctx.records[k] for k in ks]
    states = Counter(c.state for c in members)
    images = Counter(c.image or "?" for c in members)
    ports: dict[tuple[str, int, str], tuple[set[int], set[str]]] = {}
    for k, c in zip(ks, members, strict=True):
        for p in c.ports:
            if p.host_port is not None:
                where = (p.host_ip or "0.0.0.0", p.container_port, p.protocol)  # noqa: S104
                spot = ports.setdefault(where, (set(), set()))
                spot[0].add(p.host_port)
                spot[1].add(k)
    own = [marks.get(("container", label[k]), []) for k in ks]
    nets = [marks.get(("network", ctx.names[network_record(ctx.g, n).id]), []) for n in own_nets]
    summary = summarise(own, nets)
    port_groups = _port_runs(ports)
    differs = []
    if len(states) > 1:
        differs.append("state")
    if len(images) > 1:
        differs.append("image")
    if len({ctx.attached[k] for k in ks}) > 1:
        differs.append("networks")
    if any(p.members < len(ks) for p in port_groups):
        differs.append("ports")
    if differ(own):
        differs.append("findings")
    first = members[0]
    return Group(
        id=gid,
        kind=kind,
        name=name,
        host=first.host if all(c.host == first.host for c in members) else "",
        hosts=tuple(sorted({c.host for c in members})),
        project=first.compose_project if kind in {"service", "container"} else None,
        members=tuple(ks),
        names=tuple(label[k] for k in ks),
        parts=parts,
        states=tuple(sorted(states.items(), key=lambda kv: (-kv[1], kv[0]))),
        running=sum(1 for c in members if c.is_running),
        images=tuple(sorted(images.items(), key=lambda kv: (-kv[1], kv[0]))),
        ports=port_groups,
        networks=tuple(own_nets),
        findings=summary,
        differs=tuple(differs),
    )

"""Folding for the coarser levels of detail: networks, and at the network level groups.

A network only one group uses is folded into that group; at the network level, groups that
join the same shared networks are folded together.

Group keys are tuples (`("project", host, name)`, `("standalone", host, *networks)`, …,
`("fold", *networks)`); `keys` maps each container key to its group's key.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from visualizer.graph import networks

if TYPE_CHECKING:
    import networkx as nx


def fold_networks(
    g: nx.Graph[str], members: dict[tuple[str, ...], list[str]], keys: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Network → the project group it belongs to alone (its every member is in that group)."""
    folded: dict[str, tuple[str, ...]] = {}
    projects = {key for key in members if key[0] in {"project", "stack", "swarm"}}
    by_name = {(key[1], key[2]): key for key in projects if key[0] == "project"}
    for nkey, net in networks(g):
        if net.is_builtin:
            continue
        owners = {keys[c] for c in g.adj[nkey]}
        if len(owners) == 1 and next(iter(owners)) in projects:
            folded[nkey] = next(iter(owners))
        elif not owners and net.compose_project and (net.host, net.compose_project) in by_name:
            folded[nkey] = by_name[(net.host, net.compose_project)]
    return folded


MAJOR = 3
"""At the network level, a network joined by this many groups (or a built-in one) stays drawn."""


def fold_groups(
    g: nx.Graph[str],
    groups: dict[tuple[str, ...], list[str]],
    keys: dict[str, tuple[str, ...]],
    folded: dict[str, tuple[str, ...]],
) -> tuple[dict[tuple[str, ...], list[str]], dict[str, tuple[str, ...]]]:
    """The network level: keep the networks many groups share, fold everything else.

    Groups joined by a network fewer than `MAJOR` groups share are one node (that network is
    folded into it); then nodes that join the same shared networks are folded together, and
    a shared network left with one node is folded into it, until nothing changes.
    """
    nets = dict(networks(g))
    parent = {key: key for key in groups}

    def root(key: tuple[str, ...]) -> tuple[str, ...]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    major = set()
    for nkey, net in nets.items():
        owners = sorted({keys[c] for c in g.adj[nkey]})
        if nkey in folded:
            continue
        if net.is_builtin or len(owners) >= MAJOR:
            major.add(nkey)
            continue
        for other in owners[1:]:
            a, b = root(owners[0]), root(other)
            parent[max(a, b)] = min(a, b)
    renamed = {key: root(key) for key in groups}
    while True:
        merged: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for key, ks in groups.items():
            merged[renamed.get(key, key)].extend(ks)
        groups = dict(merged)
        for k, key in keys.items():
            keys[k] = renamed.get(key, key)
        folded = {n: renamed.get(o, o) for n, o in folded.items()}
        for nkey in nets:
            users = {keys[c] for c in g.adj[nkey]}
            if nkey not in major and nkey not in folded and users:
                folded[nkey] = min(users)
        buckets: dict[frozenset[str], list[tuple[str, ...]]] = defaultdict(list)
        for key, ks in groups.items():
            buckets[frozenset(n for k in ks for n in g.adj[k] if n in major)].append(key)
        renamed = {}
        for sig, found in buckets.items():
            if len(found) > 1:
                renamed.update(dict.fromkeys(found, ("fold", *sorted(sig))))
        shrunk = False
        for nkey in sorted(major):
            users = {renamed.get(keys[c], keys[c]) for c in g.adj[nkey]}
            if not nets[nkey].is_builtin and len(users) == 1:
                major.discard(nkey)
                folded[nkey] = next(iter(users))
                shrunk = True
        if not renamed and not shrunk:
            return groups, folded

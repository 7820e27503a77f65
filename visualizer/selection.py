"""Selections: which part of a graph a command shows, in one grammar for every command.

`--filter KEY=VALUE`, like `docker network ls --filter`: values of one key are OR-ed, different
keys AND-ed. A network key selects networks and the containers on them; a container key
selects containers and the networks they are on; a `container:` sidecar always brings the
container whose stack it shares.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.errors import UsageError
from visualizer.graph import (
    containers,
    data_layer,
    netns_of,
    netns_owner,
    network_record,
    networks,
)
from visualizer.model import SWARM_SERVICE_LABEL

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import networkx as nx

    from visualizer.model import Container, Network

FILTER_KEYS = ("network", "driver", "label", "project", "service", "name", "container")
"""`name` and `container` are the same key: a container name or glob (`web-*`)."""
NETWORK_KEYS = frozenset({"network", "driver"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What a command looks at: `--filter` pairs plus noise control."""

    filters: tuple[tuple[str, str], ...] = ()
    """(key, value) pairs; values of one key are OR-ed, different keys AND-ed."""
    hide_unused_builtin: bool = False
    """Drop `bridge`, `host` and `none` when no shown container uses them."""

    def __post_init__(self) -> None:
        """Refuse an unknown key (library callers too), keeping `name` and `container` one."""
        for key, value in self.filters:
            if key not in FILTER_KEYS or not value:
                raise UsageError(
                    f"bad filter {key}={value}: use key=value with key one of "
                    f"{', '.join(FILTER_KEYS)}"
                )

    @classmethod
    def parse(cls, specs: Iterable[str], *, hide_unused_builtin: bool = False) -> Selection:
        """A selection from `key=value` strings (`--filter`)."""
        return cls(filters=parse_filters(specs), hide_unused_builtin=hide_unused_builtin)

    @property
    def scoped(self) -> bool:
        """Whether it narrows anything (an empty selection is the whole estate)."""
        return bool(self.filters)

    def describe(self) -> str:
        """The filters as a person wrote them: `project=shop, service=db`."""
        return ", ".join(f"{k}={v}" for k, v in self.filters)


def parse_filters(specs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Parse `key=value` filter strings; an unknown key or a missing `=` is a usage error."""
    result = []
    for spec in specs:
        key, sep, value = spec.partition("=")
        key = key.strip().lower()
        if not sep or key not in FILTER_KEYS or not value:
            raise UsageError(
                f"bad filter {spec!r}: use key=value with key one of {', '.join(FILTER_KEYS)}"
            )
        result.append(("name" if key == "container" else key, value))
    return tuple(result)


def select(g: nx.Graph[str], selection: Selection) -> nx.Graph[str]:
    """Return the subgraph a selection shows (records are shared, not copied)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, value in selection.filters:
        groups["name" if key == "container" else key].append(value)
    nets = {k for k, _ in networks(g)}
    ctrs = {k for k, _ in containers(g)}
    for key, values in sorted(groups.items()):
        match_n, match_c = _match(g, key, values)
        nets &= match_n
        ctrs &= match_c
    ctrs |= _netns_owners(g, ctrs)
    if selection.hide_unused_builtin:
        nets = {n for n in nets if not _unused_builtin(g, n, ctrs)}
    return _induced(g, nets | ctrs)


def unmatched(g: nx.Graph[str], selection: Selection) -> list[str]:
    """The filters that match nothing on their own (`network=doesnotexist`), as `key=value`."""
    found = []
    for key, value in selection.filters:
        match_n, match_c = _match(g, key, [value])
        if not match_n and not match_c:
            found.append(f"{key}={value}")
    return found


def _induced(g: nx.Graph[str], keep: set[str]) -> nx.Graph[str]:
    """The subgraph on `keep`, its nodes and adjacencies in the full graph's (canonical) order.

    Not a networkx subgraph view: a view iterates a filter set, in an order that changes from
    run to run with string hashing.
    """
    if len(keep) == g.number_of_nodes():
        return g
    shown: nx.Graph[str] = g.__class__()
    shown.graph = g.graph
    shown.add_nodes_from((n, data) for n, data in g.nodes(data=True) if n in keep)
    shown.add_edges_from(
        (u, v, data) for u, v, data in g.edges(data=True) if u in keep and v in keep
    )
    if "data" in g.graph:  # the data layer keeps the shown containers and what they mount
        layer = data_layer(g)
        held = {d for c in keep if c in layer for d in layer.adj[c]}
        shown.graph = {**g.graph, "data": _induced(layer, keep | held)}
    return shown


def _match(g: nx.Graph[str], key: str, values: Sequence[str]) -> tuple[set[str], set[str]]:
    """Networks and containers one filter key selects, each with its neighbours."""
    n_direct = {nkey for nkey, net in networks(g) if any(_network_is(net, key, v) for v in values)}
    c_direct = {ckey for ckey, c in containers(g) if any(_container_is(c, key, v) for v in values)}
    match_n = n_direct | {n for c in c_direct for n in g[c]}
    match_c = c_direct | {c for n in n_direct for c in g[n]}
    return match_n, match_c


def _network_is(net: Network, key: str, value: str) -> bool:
    if key == "network":
        return net.name == value or net.id.startswith(value)
    if key == "driver":
        return net.driver == value
    if key == "label":
        return _has_label(net.labels, value)
    if key == "project":
        return net.compose_project == value
    return False


def _container_is(c: Container, key: str, value: str) -> bool:
    if key == "project":
        return c.compose_project == value
    if key == "label":
        return _has_label(c.labels, value)
    if key == "service":
        return value in {c.compose_service, c.labels.get(SWARM_SERVICE_LABEL)}
    if key == "name":
        qualified = f"{c.host}/{c.name}" if c.host else c.name
        return fnmatch.fnmatchcase(c.name, value) or fnmatch.fnmatchcase(qualified, value)
    return False


def _has_label(labels: Any, spec: str) -> bool:  # noqa: ANN401 - a Mapping[str, str]
    key, sep, value = spec.partition("=")
    return key in labels and (not sep or labels[key] == value)


def _netns_owners(g: nx.Graph[str], ctrs: set[str]) -> set[str]:
    """Owners of the shown sidecars' network stacks: a sidecar is never drawn alone."""
    return {o for c in ctrs for o in (netns_of(g, c), netns_owner(g, c)) if o is not None}


def _unused_builtin(g: nx.Graph[str], nkey: str, ctrs: set[str]) -> bool:
    net = network_record(g, nkey)
    return net.is_builtin and not any(c in ctrs for c in g[nkey])

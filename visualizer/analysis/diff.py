"""What changed between two snapshots: objects, endpoints, reachable pairs and findings.

Networks and containers are matched by name (IDs differ between a prediction and the engine,
and between two engines). A fact is compared only when both sides know it: an address a
compose file does not declare, an ephemeral host port (`0`), the aliases and labels the
engine adds by itself (short IDs, host names, `com.docker.compose.*` bookkeeping) are not
drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from visualizer.analysis.findings import audit_findings
from visualizer.analysis.peering import peering
from visualizer.analysis.reachability import Reachability
from visualizer.graph import containers, labels, networks, snapshot_of
from visualizer.model import qualified_names

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import networkx as nx

    from visualizer.model import Container, Endpoint, Network, Port, Snapshot

_Named = TypeVar("_Named", "Network", "Container")

KEPT_COMPOSE_LABELS = frozenset({"com.docker.compose.project", "com.docker.compose.service"})
ENGINE_DEFAULT_OPTIONS = frozenset(
    {
        "com.docker.network.enable_ipv4",
        "com.docker.network.enable_ipv6",
        "com.docker.network.driver.mtu",
        "com.docker.network.bridge.name",
        "com.docker.network.bridge.enable_ip_masquerade",
        "com.docker.network.bridge.host_binding_ipv4",
        "com.docker.network.bridge.enable_icc",
    }
)
_SHORT_ID = re.compile(r"^[0-9a-f]{12}$")


class Kind(StrEnum):
    """What a change is about."""

    NETWORK = "network"
    CONTAINER = "container"
    ENDPOINT = "endpoint"
    REACHABILITY = "reachability"
    FINDING = "finding"


class ChangeType(StrEnum):
    """How it changed, from A to B."""

    REMOVED = "removed"
    """In A only."""
    ADDED = "added"
    """In B only."""
    CHANGED = "changed"
    """In both, different."""

    @property
    def sign(self) -> str:
        """`-`, `+` or `~`, as the text output writes it."""
        return {"removed": "-", "added": "+", "changed": "~"}[self.value]


ChangeMap: TypeAlias = "Mapping[tuple[str, ...], ChangeType]"
"""What changed in a change diagram: `("network", name)`, `("container", name)` and
`("endpoint", container, network)` → how (from `union`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference, from A to B."""

    kind: Kind
    """What it is about."""
    change: ChangeType
    """Added (in B only), removed (in A only) or changed."""
    subject: str
    """What it is about: a name, `container@network`, or `source -> target`."""
    detail: str = ""
    """What differs, for `changed`; context otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Diff:
    """Every change, in a stable order."""

    a: str
    b: str
    changes: tuple[Change, ...]

    @property
    def equal(self) -> bool:
        """Whether nothing differs."""
        return not self.changes

    def only(self, containers: set[str], networks: set[str]) -> Diff:
        """The changes about these containers and networks (a `--filter`ed comparison)."""

        def about(c: Change) -> bool:
            if c.kind is Kind.NETWORK:
                return c.subject in networks
            if c.kind is Kind.CONTAINER:
                return c.subject in containers
            if c.kind is Kind.ENDPOINT:
                name, _, net = c.subject.partition("@")
                return name in containers and net in networks
            if c.kind is Kind.REACHABILITY:
                source, _, target = c.subject.partition(" -> ")
                return source in containers and target in containers
            return any(
                part in containers or part in networks
                for part in c.subject.split(" ", 1)[1].split(", ")
            )

        return Diff(a=self.a, b=self.b, changes=tuple(c for c in self.changes if about(c)))

    def summary(self) -> str:
        """One line: counts per kind, e.g. `containers +1 -0 ~2 · reachable pairs +3 -0`."""
        parts = []
        for kind, word in zip(
            Kind,
            ("networks", "containers", "endpoints", "reachable pairs", "findings"),
            strict=True,
        ):
            plus, minus, changed = (
                self.count(kind, c)
                for c in (ChangeType.ADDED, ChangeType.REMOVED, ChangeType.CHANGED)
            )
            if plus or minus or changed:
                parts.append(f"{word} +{plus} -{minus}" + (f" ~{changed}" if changed else ""))
        return " · ".join(parts) or "no change"

    def headline(self, limit: int = 4) -> str:
        """The summary and the first changes, e.g. `endpoints +1 -0: +endpoint web@backend`."""
        detail = "; ".join(
            f"{c.change.sign}{c.kind.value} {c.subject}" for c in self.changes[:limit]
        )
        more = f" (+{len(self.changes) - limit} more)" if len(self.changes) > limit else ""
        return f"{self.summary()}: {detail}{more}"

    def count(self, kind: Kind, change: ChangeType) -> int:
        """How many changes of one kind and direction."""
        return sum(1 for c in self.changes if c.kind is kind and c.change is change)


_KIND_ORDER = {k: i for i, k in enumerate(Kind)}
_CHANGE_ORDER = {c: i for i, c in enumerate(ChangeType)}


def diff_graphs(
    a: nx.Graph[str], b: nx.Graph[str], *, a_label: str = "A", b_label: str = "B"
) -> Diff:
    """Compare two full graphs (built from snapshots)."""
    sa, sb = snapshot_of(a), snapshot_of(b)
    changes: list[Change] = []
    changes += _networks(sa, sb)
    changes += _containers(sa, sb)
    changes += _endpoints(sa, sb)
    changes += _pairs(a, b)
    changes += _findings(sa, sb)
    changes.sort(key=lambda c: (_KIND_ORDER[c.kind], c.subject, _CHANGE_ORDER[c.change], c.detail))
    return Diff(a=a_label, b=b_label, changes=tuple(changes))


def _networks(sa: Snapshot, sb: Snapshot) -> list[Change]:
    return _compare(
        Kind.NETWORK,
        by_label(sa.networks),
        by_label(sb.networks),
        lambda n: n.driver,
        lambda x, y: _network_fields(x, y, sa, sb),
    )


def _compare(
    kind: Kind,
    a: dict[str, _Named],
    b: dict[str, _Named],
    summary: Callable[[_Named], str],
    fields: Callable[[_Named, _Named], list[str]],
) -> list[Change]:
    """Objects only in A (removed), only in B (added), and the changed fields of the rest."""
    out = [
        Change(kind=kind, change=ChangeType.REMOVED, subject=n, detail=summary(a[n]))
        for n in a.keys() - b
    ]
    out += [
        Change(kind=kind, change=ChangeType.ADDED, subject=n, detail=summary(b[n]))
        for n in b.keys() - a
    ]
    for name in a.keys() & b:
        out += [
            Change(kind=kind, change=ChangeType.CHANGED, subject=name, detail=d)
            for d in fields(a[name], b[name])
        ]
    return out


def _network_fields(x: Network, y: Network, sa: Snapshot, sb: Snapshot) -> list[str]:
    found = []
    for attr in ("driver", "internal", "attachable", "ipv6"):
        vx, vy = getattr(x, attr), getattr(y, attr)
        if vx != vy and not (attr == "attachable" and x.scope == "local"):
            found.append(f"{attr}: {vx} → {vy}")
    px, py = peering(x, sa.engine_of(x.host)), peering(y, sb.engine_of(y.host))
    if px != py:
        found.append(f"members: {px.value} → {py.value}")
    cidrs_x, cidrs_y = {s.cidr for s in x.subnets}, {s.cidr for s in y.subnets}
    if cidrs_x and cidrs_y and cidrs_x != cidrs_y:
        found.append(f"subnets: {', '.join(sorted(cidrs_x))} → {', '.join(sorted(cidrs_y))}")
    if not x.is_builtin:
        for key in sorted(x.options.keys() | y.options.keys()):
            ox, oy = x.options.get(key), y.options.get(key)
            if ox != oy and not (key in ENGINE_DEFAULT_OPTIONS and (ox is None or oy is None)):
                found.append(f"option {key}: {ox} → {oy}")
    return found


def _containers(sa: Snapshot, sb: Snapshot) -> list[Change]:
    ids_a, ids_b = qualified_names(sa.containers), qualified_names(sb.containers)
    return _compare(
        Kind.CONTAINER,
        by_label(sa.containers),
        by_label(sb.containers),
        lambda c: c.state,
        lambda x, y: _container_fields(x, y, ids_a, ids_b),
    )


def _container_fields(
    x: Container, y: Container, ids_a: dict[str, str], ids_b: dict[str, str]
) -> list[str]:
    found = []
    if x.image and y.image and x.image != y.image:
        found.append(f"image: {x.image} → {y.image}")
    if x.is_running != y.is_running:
        found.append(f"state: {x.state} → {y.state}")
    mx, my = _mode(x, ids_a), _mode(y, ids_b)
    if mx != my:
        found.append(f"network mode: {mx} → {my}")
    px, py = _ports(x), _ports(y)
    found.extend(
        f"port removed: {port.text()}"
        for port in sorted(px - py, key=lambda p: p.sort_key)
        if not any(_same_port(port, other) for other in py)
    )
    found.extend(
        f"port added: {port.text()}"
        for port in sorted(py - px, key=lambda p: p.sort_key)
        if not any(_same_port(port, other) for other in px)
    )
    lx, ly = {(lk.target, lk.alias) for lk in x.links}, {(lk.target, lk.alias) for lk in y.links}
    lx, ly = _own_links(lx), _own_links(ly)
    if lx != ly:
        found.append(f"links: {_links_text(lx)} → {_links_text(ly)}")
    for attr in (
        "privileged",
        "cap_add",
        "cap_drop",
        "uts_mode",
        "userns_mode",
        "security_opt",
        "read_only_rootfs",
    ):
        vx, vy = getattr(x, attr), getattr(y, attr)
        if vx is not None and vy is not None and vx != vy:
            found.append(f"{attr}: {vx} → {vy}")
    mx_, my_ = _mounts(x), _mounts(y)
    found.extend(f"mount removed: {m}" for m in sorted(mx_ - my_))
    found.extend(f"mount added: {m}" for m in sorted(my_ - mx_))
    labels_x, labels_y = _labels(x), _labels(y)
    if labels_x != labels_y:
        differ = labels_x.keys() ^ labels_y.keys()
        differ |= {k for k in labels_x.keys() & labels_y if labels_x[k] != labels_y[k]}
        found.append("labels: " + ", ".join(sorted(differ)))
    return found


def _mounts(c: Container) -> set[str]:
    """A container's mounts as both sources know them (an anonymous volume's name is random)."""
    return {
        f"{'anonymous volume' if m.anonymous else m.name or m.host_path or m.type}:"
        f"{m.destination}{'' if m.rw else ' (ro)'}"
        + (f" {m.propagation}" if m.shared_propagation else "")
        for m in c.mounts
    }


def _own_links(links: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Declared links: not the target's own name, nor Compose v1's `<service>_<n>` for it."""
    return {(t, a) for t, a in links if a != t and not t.endswith("_" + a)}


def _links_text(links: set[tuple[str, str]]) -> str:
    return ", ".join(f"{t} as {a}" for t, a in sorted(links)) or "none"


def _labels(c: Container) -> dict[str, str]:
    return {
        k: v
        for k, v in c.labels.items()
        if not k.startswith("com.docker.compose.") or k in KEPT_COMPOSE_LABELS
    }


def _mode(c: Container, ids: dict[str, str]) -> str:
    target = c.netns_target
    if target is not None:
        return f"container:{ids.get(target, target[:12])}"
    return c.network_mode


def _ports(c: Container) -> set[Port]:
    """A container's ports, "no host address" written as `0.0.0.0` as the engine reports it."""
    return {replace(p, host_ip=p.host_ip or "0.0.0.0") if p.published else p for p in c.ports}  # noqa: S104


def _same_port(x: Port, y: Port) -> bool:
    """Equal, an ephemeral host port (0) matching any assigned one."""
    if (x.host_ip, x.container_port, x.protocol, x.published) != (
        y.host_ip,
        y.container_port,
        y.protocol,
        y.published,
    ):
        return False
    hx, hy = x.host_port or 0, y.host_port or 0
    return hx == hy or (min(hx, hy) == 0 and max(hx, hy) > 0)


def _endpoints(sa: Snapshot, sb: Snapshot) -> list[Change]:
    ea, eb = _endpoints_of(sa), _endpoints_of(sb)
    names_a, names_b = set(by_label(sa.containers)), set(by_label(sb.containers))
    # a removed (added) container's endpoints are implied: listed only for containers on both
    out = [
        Change(kind=Kind.ENDPOINT, change=ChangeType.REMOVED, subject=f"{name}@{net}")
        for name, net in ea.keys() - eb
        if name in names_b
    ]
    out += [
        Change(kind=Kind.ENDPOINT, change=ChangeType.ADDED, subject=f"{name}@{net}")
        for name, net in eb.keys() - ea
        if name in names_a
    ]
    for key in ea.keys() & eb:
        (cx, x), (cy, y) = ea[key], eb[key]
        out += [
            Change(
                kind=Kind.ENDPOINT,
                change=ChangeType.CHANGED,
                subject=f"{key[0]}@{key[1]}",
                detail=d,
            )
            for d in _endpoint_fields(cx, x, cy, y)
        ]
    return out


def by_label(items: Sequence[_Named]) -> dict[str, _Named]:
    """Networks or containers by name (`host/name` where several hosts use the name)."""
    names = qualified_names(items)
    return {names[x.id]: x for x in items}


def _endpoints_of(s: Snapshot) -> dict[tuple[str, str], tuple[Container, Endpoint]]:
    """Endpoints by (container, network), both named as `_by_label` names them."""
    cl, nl = qualified_names(s.containers), qualified_names(s.networks)
    return {
        (cl[c.id], nl.get(ep.network_id, ep.network_name)): (c, ep)
        for c in s.containers
        for ep in c.endpoints
    }


def _endpoint_fields(cx: Container, x: Endpoint, cy: Container, y: Endpoint) -> list[str]:
    found = []
    for attr in ("ipv4", "ipv6"):
        vx, vy = getattr(x, attr), getattr(y, attr)
        if vx and vy and vx != vy and cx.is_running and cy.is_running:
            found.append(f"{attr}: {vx} → {vy}")
    if x.aliases is not None and y.aliases is not None:
        ax, ay = _own_aliases(x.aliases, cx), _own_aliases(y.aliases, cy)
        if ax != ay:
            found.append(
                f"aliases: {', '.join(sorted(ax)) or 'none'} → {', '.join(sorted(ay)) or 'none'}"
            )
    return found


def _own_aliases(aliases: tuple[str, ...], c: Container) -> set[str]:
    """Aliases a user declared: not the short ID or host name the engine adds."""
    return {a for a in aliases if not _SHORT_ID.match(a) and a != c.hostname and a != c.id[:12]}


def _pairs(a: nx.Graph[str], b: nx.Graph[str]) -> list[Change]:
    pa = {(v.source, v.target): v for v in Reachability(a).pairs()}
    pb = {(v.source, v.target): v for v in Reachability(b).pairs()}
    out = [
        Change(
            kind=Kind.REACHABILITY,
            change=ChangeType.REMOVED,
            subject=f"{s} -> {t}",
            detail=", ".join(pa[(s, t)].via),
        )
        for s, t in pa.keys() - pb
    ]
    out += [
        Change(
            kind=Kind.REACHABILITY,
            change=ChangeType.ADDED,
            subject=f"{s} -> {t}",
            detail=", ".join(pb[(s, t)].via),
        )
        for s, t in pb.keys() - pa
    ]
    for key in pa.keys() & pb:
        if pa[key].by_name != pb[key].by_name:
            detail = f"{_how(pa[key].by_name)} → {_how(pb[key].by_name)}"
            out.append(
                Change(
                    kind=Kind.REACHABILITY,
                    change=ChangeType.CHANGED,
                    subject=f"{key[0]} -> {key[1]}",
                    detail=detail,
                )
            )
    return out


def _how(by_name: bool) -> str:  # noqa: FBT001
    return "by name" if by_name else "by IP only"


def _findings(sa: Snapshot, sb: Snapshot) -> list[Change]:
    (fa, unknown_a), (fb, unknown_b) = _keyed_findings(sa), _keyed_findings(sb)
    out = [
        Change(kind=Kind.FINDING, change=ChangeType.REMOVED, subject=f"{k[0]} {k[1]}", detail=fa[k])
        for k in fa.keys() - fb
        if k not in unknown_b
    ]
    out += [
        Change(kind=Kind.FINDING, change=ChangeType.ADDED, subject=f"{k[0]} {k[1]}", detail=fb[k])
        for k in fb.keys() - fa
        if k not in unknown_a
    ]
    return out


def _keyed_findings(snap: Snapshot) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """Open findings by (id, subjects) with their titles, and the keys the audit left undecided."""
    found: dict[tuple[str, str], str] = {}
    undecided: set[tuple[str, str]] = set()
    for f in audit_findings(snap):
        key = (f.id, ", ".join(s.name for s in f.subjects))
        if f.is_open:
            found[key] = f.title
        else:
            undecided.add(key)
    return found, undecided


def scoped(d: Diff, a: nx.Graph[str], b: nx.Graph[str]) -> Diff:
    """The changes about what two filtered views (of A and of B) show: a `--filter`ed diff."""
    shown_c: set[str] = set()
    shown_n: set[str] = set()
    for view in (a, b):
        names = labels(view)  # as the diff names them (`host/name` where ambiguous)
        shown_c |= {names[r.id] for _, r in containers(view)}
        shown_n |= {names[r.id] for _, r in networks(view)}
    return d.only(shown_c, shown_n)

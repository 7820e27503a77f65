"""`netviz audit --format json`: the stable, versioned machine form (schema in the README)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from visualizer.analysis.baseline import AUDIT_SCHEMA, AUDIT_SCHEMA_VERSION
from visualizer.analysis.findings import CIS_BENCHMARK
from visualizer.text import json_text
from visualizer.version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from visualizer.analysis.audit import AuditReport
    from visualizer.analysis.channels import Channel, ChannelGroups
    from visualizer.analysis.findings import Finding
    from visualizer.analysis.grouped import Grouped
    from visualizer.analysis.policy import Violation
    from visualizer.analysis.reachability import PortPath, Verdict
    from visualizer.model import Port


def audit_json_pieces(report: AuditReport) -> Iterator[str]:
    """The audit as JSON text in pieces, keys in a fixed order, lists sorted.

    The pair lists come item by item, made as they are read.

    The text is the same as `json_text` of the whole document would be; a list made on demand
    (every pair of a large estate) is never held in memory.
    """
    token = secrets.token_hex(16)  # marks where a streamed list goes; no engine text has it
    streamed: dict[str, tuple[Iterable[Any], Callable[[Any], dict[str, Any]]]] = {}
    body: dict[str, Any] = {
        "schema": AUDIT_SCHEMA,
        "schema_version": AUDIT_SCHEMA_VERSION,
        "generator": f"netviz {__version__}",
        "engine": {
            "name": report.engine.name,
            "server_version": report.engine.server_version,
            "api_version": report.engine.api_version,
            "os": report.engine.os,
        },
        "source": report.source,
        "scope": (
            {
                "filters": report.scope.description,
                "containers": len(report.scope.containers),
                "networks": len(report.scope.networks),
            }
            if report.scope is not None
            else None
        ),
        "captured_at": report.captured_at,
        "inspected": report.inspected,
        "caveats": list(report.caveats),
        "summary": {
            "containers": report.containers,
            "running": report.running,
            "reachable_pairs": len(report.pairs) if report.pairs is not None else None,
            "crossing_pairs": (
                sum(1 for v in report.pairs if v.crossing)
                if report.pairs is not None and report.scope is not None
                else 0
                if report.pairs is not None
                else None
            ),
            "port_paths": len(report.port_paths) if report.port_paths is not None else None,
            "channels": len(report.channels) if report.channels is not None else None,
            "findings": report.severity_counts(),
            "violations": len(report.violations),
            "fail_on": report.fail_on.label if report.fail_on is not None else None,
            "failed": report.failed,
        },
    }
    if report.pairs is not None:
        body["reachability"] = f"{token}reachability"
        streamed[f"{token}reachability"] = (report.pairs, pair_json)
    if report.port_paths is not None:
        body["port_paths"] = f"{token}port_paths"
        streamed[f"{token}port_paths"] = (report.port_paths, _port_path)
    if report.grouped is not None:
        body["reachability_grouped"] = _grouped(report.grouped)
    if report.channels is not None:
        body["channels"] = [channel_json(ch) for ch in report.channels]
    if report.channels is None and report.channels_grouped is not None:
        body["channels_grouped"] = channels_grouped_json(report.channels_grouped)
    body["findings"] = [finding_json(f) for f in report.findings]
    body["policy"] = (
        {"file": report.policy, "violations": [violation_json(v) for v in report.violations]}
        if report.policy is not None
        else None
    )
    body["baseline"] = None
    if report.baseline is not None:
        diff = report.baseline
        body["baseline"] = {
            "file": diff.origin,
            "new_pairs": [{"from": a, "to": b} for a, b in diff.new_pairs],
            "lost_pairs": [{"from": a, "to": b} for a, b in diff.lost_pairs],
            "new_findings": [finding_json(f) for f in diff.new_findings],
            "resolved_findings": diff.resolved_findings,
            "new_violations": [violation_json(v) for v in diff.new_violations],
        }
    text = json_text(body) + "\n"
    for marker, (items, as_json) in streamed.items():
        before, text = text.split(f'"{marker}"', 1)
        yield before
        yield from _array(items, as_json)
    yield text


def _array(items: Iterable[Any], as_json: Callable[[Any], dict[str, Any]]) -> Iterator[str]:
    """A list as `json_text` indents it one level down, item by item."""
    first = True
    for item in items:
        lines = json_text(as_json(item)).replace("\n", "\n    ")
        yield ("[\n    " if first else ",\n    ") + lines
        first = False
    yield "[]" if first else "\n  ]"


def pair_json(v: Verdict) -> dict[str, Any]:
    """One reachable pair."""
    return {
        "from": v.source,
        "to": v.target,
        "via": list(v.via),
        "by_name": v.by_name,
        "names": list(v.names),
        "rules": list(v.rules),
        "reason": v.reason,
        "crossing": v.crossing,
    }


def channel_json(ch: Channel) -> dict[str, Any]:
    """One channel between two containers besides the network."""
    return {
        "from": ch.source,
        "to": ch.target,
        "kind": ch.kind.value,
        "resource": ch.resource,
        "direction": ch.direction,
        "reason": ch.reason,
    }


def channels_grouped_json(g: ChannelGroups) -> dict[str, Any]:
    """The channels in linear form."""
    return {
        "data": [
            {
                "kind": d.kind.value,
                "resource": d.resource,
                "host": d.host,
                "writers": list(d.writers),
                "readers": list(d.readers),
                "overlaps": list(d.overlaps),
            }
            for d in g.data
        ],
        "namespaces": [
            {"kind": n.kind.value, "owner": n.owner, "host": n.host, "members": list(n.members)}
            for n in g.namespaces
        ],
        "volumes_from": [
            {"from": src, "to": dst, "read_only": ro} for src, dst, ro in g.volumes_from
        ],
        "host_equivalent": [
            {
                "container": h.container,
                "host": h.host,
                "powers": list(h.powers),
                "running": h.running,
            }
            for h in g.host_equivalent
        ],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    """One finding."""
    return {
        "id": f.id,
        "severity": f.severity.label,
        "status": f.status.value,
        "title": f.title,
        "subjects": [{"kind": s.kind, "name": s.name} for s in f.subjects],
        "explanation": f.explanation,
        "cis": {"id": f.cis, "title": f.cis_title, "benchmark": CIS_BENCHMARK} if f.cis else None,
        "rules": list(f.rules),
        "fingerprint": f.fingerprint,
    }


def _port(p: Port) -> dict[str, Any]:
    return {
        "host_ip": p.host_ip,
        "host_port": p.host_port,
        "container_port": p.container_port,
        "protocol": p.protocol,
    }


def _port_path(p: PortPath) -> dict[str, Any]:
    return {"from": p.source, "to": p.target, "ports": [_port(x) for x in p.ports], "rule": p.rule}


def violation_json(v: Violation) -> dict[str, Any]:
    """One policy violation."""
    return {
        "rule": v.rule,
        "kind": v.kind,
        "from": v.source,
        "to": v.target,
        "detail": v.detail,
        "channel": v.channel or None,
        "fingerprint": v.fingerprint,
    }


def _grouped(g: Grouped) -> dict[str, Any]:
    return {
        "networks": [
            {
                "network": s.network,
                "driver": s.driver,
                "policy": s.policy.value,
                "internal": s.internal,
                "by_name": s.by_name,
                "members": list(s.members),
            }
            for s in g.segments
        ],
        "shared_stacks": [list(members) for members in g.stacks],
        "host_stacks": [
            {
                "host": s.host,
                "containers": list(s.containers),
                "reaches": list(s.reaches),
                "reached_by": list(s.reached_by),
            }
            for s in g.hosts
        ],
        "links": [{"from": a, "to": b, "alias": alias} for a, b, alias in g.links],
        "published": [
            {"container": p.container, "host": p.host, "ports": [_port(x) for x in p.ports]}
            for p in g.published
        ],
    }

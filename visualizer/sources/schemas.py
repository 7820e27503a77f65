"""JSON Schemas of netviz's own documents: snapshot, audit, graph, diff (and policy files).

The snapshot schema is generated from the model's records, so it cannot drift from what
`netviz snapshot` writes; the others describe what the renderers write. `scripts/schemas.py`
publishes them under `docs/schemas/`, and the tests check every output against them.
Snapshots, baselines and policies are validated with them when they are read (`documents`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

DRAFT = "http://json-schema.org/draft-07/schema#"
CHANGE_KINDS = ("network", "container", "endpoint", "reachability", "finding")
BASE_URI = "https://github.com/docker-netviz/docker-netviz/schemas/"
PORT = {"type": "integer", "minimum": 0, "maximum": 65535}
RANGES: Mapping[str, Mapping[str, Any]] = {
    "container_port": PORT,
    "host_port": PORT,
    "target": PORT,
    "published": PORT,
    "ipv4_prefix_len": {"type": "integer", "minimum": 0, "maximum": 32},
    "ipv6_prefix_len": {"type": "integer", "minimum": 0, "maximum": 128},
    "replicas": {"type": "integer", "minimum": 0},
}
"""Numbers with a range, by field name (ports, prefix lengths, replica counts)."""


def _of_type(tp: Any, defs: dict[str, Any], name: str = "") -> dict[str, Any]:  # noqa: ANN401
    origin = typing.get_origin(tp)
    if origin in {typing.Union, types.UnionType}:
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        schema = _of_type(inner[0], defs, name)
        if isinstance(schema.get("type"), str):  # a type list: no failed alternative to try
            return {**schema, "type": [schema["type"], "null"]}
        return {"anyOf": [{"type": "null"}, schema]}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # a placeholder breaks cycles
            defs[tp.__name__] = _record(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if origin is tuple:
        return {"type": "array", "items": _of_type(typing.get_args(tp)[0], defs, name)}
    if origin in {Mapping, dict}:
        return {"type": "object", "additionalProperties": _of_type(typing.get_args(tp)[1], defs)}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return dict(RANGES.get(name, {"type": "integer"}))
    if tp is str:
        return {"type": "string"}
    msg = f"no JSON Schema for {tp!r}"
    raise TypeError(msg)


def _record(cls: type[Any], defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    body: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {f.name: _of_type(hints[f.name], defs, f.name) for f in fields},
    }
    if required:
        body["required"] = required
    return body


def snapshot_schema() -> dict[str, Any]:
    """The snapshot file's schema, from the model's records (unknown keys are allowed)."""
    from visualizer.model import SCHEMA_VERSION, Snapshot  # noqa: PLC0415

    defs: dict[str, Any] = {}
    root = _record(Snapshot, defs)
    root["properties"] = {
        "schema": {"const": "netviz-snapshot"},
        "schema_version": {"const": SCHEMA_VERSION},
        **root["properties"],
    }
    root["required"] = ["schema_version", *root.get("required", [])]
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_URI}netviz-snapshot.schema.json",
        "title": "netviz snapshot",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


_STRINGS = {"type": "array", "items": {"type": "string"}}
_PORTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["container_port", "protocol", "host_ip", "host_port"],
        "properties": {
            "container_port": PORT,
            "protocol": {"type": "string"},
            "host_ip": {"type": ["string", "null"]},
            "host_port": {"anyOf": [PORT, {"type": "null"}]},
        },
    },
}
_PAIR = {
    "type": "object",
    "required": ["from", "to", "via", "by_name", "names", "rules", "reason"],
    "properties": {
        "from": {"type": "string"},
        "to": {"type": "string"},
        "via": _STRINGS,
        "by_name": {"type": "boolean"},
        "names": _STRINGS,
        "rules": _STRINGS,
        "reason": {"type": "string"},
        "crossing": {"enum": [None, "in", "out"]},
    },
}
_FINDING = {
    "type": "object",
    "required": ["id", "severity", "status", "title", "subjects", "fingerprint"],
    "properties": {
        "id": {"type": "string", "pattern": "^A[0-9]+$"},
        "severity": {"enum": ["info", "low", "medium", "high", "critical"]},
        "status": {"enum": ["open", "unknown"]},
        "title": {"type": "string"},
        "subjects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        "explanation": {"type": "string"},
        "cis": {"type": ["object", "null"]},
        "rules": _STRINGS,
        "fingerprint": {"type": "string"},
    },
}
_VIOLATION = {
    "type": "object",
    "required": ["rule", "kind", "from", "to", "fingerprint"],
    "properties": {
        "rule": {"type": "string"},
        "kind": {"enum": ["forbid", "require"]},
        "from": {"type": "string"},
        "to": {"type": "string"},
        "detail": {"type": "string"},
        "fingerprint": {"type": "string"},
    },
}
_ENDS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["from", "to"],
        "properties": {"from": {"type": "string"}, "to": {"type": "string"}},
    },
}

AUDIT_SCHEMA: Mapping[str, Any] = {
    "$schema": DRAFT,
    "$id": f"{BASE_URI}netviz-audit.schema.json",
    "title": "netviz audit (netviz audit --format json)",
    "type": "object",
    "required": ["schema", "schema_version", "summary", "findings", "policy", "baseline"],
    "properties": {
        "schema": {"const": "netviz-audit"},
        "schema_version": {"const": 1},
        "generator": {"type": "string"},
        "engine": {"type": "object"},
        "source": {"type": "string"},
        "scope": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["filters", "containers", "networks"],
                    "properties": {
                        "filters": {"type": "string"},
                        "containers": {"type": "integer", "minimum": 0},
                        "networks": {"type": "integer", "minimum": 0},
                    },
                },
                {"type": "null"},
            ]
        },
        "captured_at": {"type": "string"},
        "inspected": {"type": "boolean"},
        "caveats": _STRINGS,
        "summary": {
            "type": "object",
            "required": ["containers", "running", "findings", "violations", "failed"],
            "properties": {
                "containers": {"type": "integer", "minimum": 0},
                "running": {"type": "integer", "minimum": 0},
                "reachable_pairs": {"type": ["integer", "null"], "minimum": 0},
                "crossing_pairs": {"type": ["integer", "null"], "minimum": 0},
                "port_paths": {"type": ["integer", "null"], "minimum": 0},
                "findings": {"type": "object", "additionalProperties": {"type": "integer"}},
                "violations": {"type": "integer", "minimum": 0},
                "fail_on": {"type": ["string", "null"]},
                "failed": {"type": "boolean"},
            },
        },
        "reachability": {"type": "array", "items": _PAIR},
        "port_paths": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to", "ports", "rule"],
                "properties": {
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                    "ports": _PORTS,
                    "rule": {"type": "string"},
                },
            },
        },
        "reachability_grouped": {"type": "object"},
        "findings": {"type": "array", "items": _FINDING},
        "policy": {
            "anyOf": [
                {
                    "type": "object",
                    "required": ["file", "violations"],
                    "properties": {
                        "file": {"type": "string"},
                        "violations": {"type": "array", "items": _VIOLATION},
                    },
                },
                {"type": "null"},
            ]
        },
        "baseline": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string"},
                        "new_pairs": _ENDS,
                        "lost_pairs": _ENDS,
                        "new_findings": {"type": "array", "items": _FINDING},
                        "resolved_findings": {"type": "integer", "minimum": 0},
                        "new_violations": {"type": "array", "items": _VIOLATION},
                    },
                },
                {"type": "null"},
            ]
        },
    },
}

GRAPH_SCHEMA: Mapping[str, Any] = {
    "$schema": DRAFT,
    "$id": f"{BASE_URI}netviz-graph.schema.json",
    "title": "netviz graph (netviz render --format json), networkx node-link form",
    "type": "object",
    "required": ["schema", "schema_version", "directed", "multigraph", "graph", "nodes", "links"],
    "properties": {
        "schema": {"const": "netviz-graph"},
        "schema_version": {"const": 1},
        "generator": {"type": "string"},
        "directed": {"const": False},
        "multigraph": {"const": False},
        "graph": {
            "type": "object",
            "required": ["hosts", "services"],
            "properties": {"hosts": {"type": "array"}, "services": {"type": "array"}},
        },
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "bipartite", "name"],
                "properties": {
                    "id": {"type": "string", "pattern": "^(network|container):"},
                    "kind": {"enum": ["network", "container"]},
                    "bipartite": {"enum": [0, 1]},
                    "name": {"type": "string"},
                    "ports": _PORTS,
                    "findings": _STRINGS,
                },
            },
        },
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "target"],
                "properties": {
                    "source": {"type": "string", "pattern": "^network:"},
                    "target": {"type": "string", "pattern": "^container:"},
                    "aliases": {"anyOf": [_STRINGS, {"type": "null"}]},
                    "shared_from": {"type": ["string", "null"]},
                },
            },
        },
    },
}

DIFF_SCHEMA: Mapping[str, Any] = {
    "$schema": DRAFT,
    "$id": f"{BASE_URI}netviz-diff.schema.json",
    "title": "netviz diff (netviz diff --format json)",
    "type": "object",
    "required": ["schema", "schema_version", "a", "b", "equal", "summary", "changes"],
    "properties": {
        "schema": {"const": "netviz-diff"},
        "schema_version": {"const": 1},
        "generator": {"type": "string"},
        "a": {"type": "string"},
        "b": {"type": "string"},
        "equal": {"type": "boolean"},
        "summary": {"type": "string"},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "change", "subject", "detail"],
                "properties": {
                    "kind": {
                        "enum": ["network", "container", "endpoint", "reachability", "finding"]
                    },
                    "change": {"enum": ["added", "removed", "changed"]},
                    "subject": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}

_CHANNEL = {
    "type": "object",
    "required": ["from", "to", "kind", "resource", "direction", "reason"],
    "properties": {
        **{k: {"type": "string"} for k in ("from", "to", "resource", "reason")},
        "kind": {"enum": ["volume", "bind", "volumes-from", "ipc", "pid", "host"]},
        "direction": {"enum": ["one-way", "two-way"]},
    },
}


def _object(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:  # noqa: ANN401
    """An object with these properties (strings unless given), all of them required."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {k: properties.get(k, {"type": "string"}) for k in required},
    }


def _new_resolved(item: Mapping[str, Any]) -> dict[str, Any]:
    """`{"new": [item…], "resolved": [item…]}`."""
    return _object(
        ("new", "resolved"),
        new={"type": "array", "items": item},
        resolved={"type": "array", "items": item},
    )


WHATIF_SCHEMA: Mapping[str, Any] = {
    "$schema": DRAFT,
    "$id": f"{BASE_URI}netviz-what-if.schema.json",
    "title": "netviz what-if (netviz what-if --format json)",
    **_object(
        (
            *("schema", "schema_version", "source", "commands", "refusal", "equal", "summary"),
            *("changes", "findings", "policy", "failed", "reasons"),
        ),
        schema={"const": "netviz-what-if"},
        schema_version={"const": 1},
        commands={"type": "array", "items": _object(("origin", "command"))},
        refusal={
            "anyOf": [
                _object(
                    ("origin", "command", "message", "more", "created"),
                    more=_STRINGS,
                    created={"type": "boolean"},
                ),
                {"type": "null"},
            ]
        },
        equal={"type": "boolean"},
        changes=DIFF_SCHEMA["properties"]["changes"],
        findings=_new_resolved(_FINDING),
        policy={
            "anyOf": [
                _object(
                    ("file", "new_violations", "resolved_violations"),
                    new_violations={"type": "array", "items": _VIOLATION},
                    resolved_violations={"type": "array", "items": _VIOLATION},
                ),
                {"type": "null"},
            ]
        },
        failed={"type": "boolean"},
        reasons=_STRINGS,
    ),
}
WHATIF_SCHEMA["properties"].update(
    {
        "generator": {"type": "string"},
        "scope": {"type": ["string", "null"]},
        "channels": {"anyOf": [_new_resolved(_CHANNEL), {"type": "null"}]},
        "fail_on": {"enum": [None, "info", "low", "medium", "high", "critical"]},
        "notes": _STRINGS,
    }
)

_SELECTOR: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {  # {} selects every container
        k: {"type": "string", "minLength": 1}
        for k in ("container", "project", "service", "label", "network")
    },
}
_SELECTORS = {"anyOf": [_SELECTOR, {"type": "array", "minItems": 1, "items": _SELECTOR}]}
_ENDS_SEL: dict[str, Any] = {
    "type": "object",
    "required": ["from", "to"],
    "properties": {"from": _SELECTORS, "to": _SELECTORS},
}

POLICY_SCHEMA: Mapping[str, Any] = {
    "$schema": DRAFT,
    "$id": f"{BASE_URI}netviz-policy.schema.json",
    "title": "netviz reachability policy (netviz audit --policy)",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "rules"],
    "properties": {
        "version": {"const": 1, "type": "integer"},
        "rules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "allow_unmatched": {"type": "boolean"},
                    "forbid": {
                        **_ENDS_SEL,
                        "additionalProperties": False,
                        "properties": {
                            **_ENDS_SEL["properties"],
                            "published_ports": {"type": "boolean"},
                            "channels": {  # the kinds are checked when the policy is read
                                "anyOf": [
                                    {"type": "boolean"},
                                    {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                ]
                            },
                        },
                    },
                    "require": {
                        **_ENDS_SEL,
                        "additionalProperties": False,
                        "properties": {**_ENDS_SEL["properties"], "by_name": {"type": "boolean"}},
                    },
                    "except": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"from": _SELECTORS, "to": _SELECTORS},
                    },
                },
                "oneOf": [{"required": ["forbid"]}, {"required": ["require"]}],
            },
        },
    },
}

DOCUMENTS = ("netviz-snapshot", "netviz-audit", "netviz-graph", "netviz-diff", "netviz-what-if")
"""The `schema` names of the JSON documents netviz writes."""


def schemas() -> dict[str, Mapping[str, Any]]:
    """Every published schema, by file name."""
    return {
        "netviz-snapshot.schema.json": snapshot_schema(),
        "netviz-audit.schema.json": AUDIT_SCHEMA,
        "netviz-graph.schema.json": GRAPH_SCHEMA,
        "netviz-diff.schema.json": DIFF_SCHEMA,
        "netviz-what-if.schema.json": WHATIF_SCHEMA,
        "netviz-policy.schema.json": POLICY_SCHEMA,
    }

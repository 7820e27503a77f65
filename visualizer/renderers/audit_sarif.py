"""`netviz audit --format sarif`: SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from visualizer.analysis.catalogue import CATALOGUE, CIS_BENCHMARK, Severity
from visualizer.text import json_text
from visualizer.version import __version__

if TYPE_CHECKING:
    from visualizer.analysis.audit import AuditReport
    from visualizer.analysis.catalogue import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/docker-netviz/docker-netviz"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def render_audit_sarif(report: AuditReport) -> str:
    """Open findings and policy violations as SARIF results.

    With a baseline, each result carries SARIF's `baselineState` (`new` or `unchanged`), and
    each new reachable pair is a result of its own (rule `NEWPAIR`).
    """
    rules: dict[str, dict[str, Any]] = {}
    results = []
    diff = report.baseline
    new_findings = {f.fingerprint for f in diff.new_findings} if diff else set()
    new_violations = {v.fingerprint for v in diff.new_violations} if diff else set()

    def state(fingerprint: str, new: set[str]) -> dict[str, str]:
        if diff is None:
            return {}
        return {"baselineState": "new" if fingerprint in new else "unchanged"}

    for f in report.findings:
        if not f.is_open:
            continue
        rules.setdefault(f.id, _rule(CATALOGUE[f.id]))
        results.append(
            {
                "ruleId": f.id,
                "level": LEVELS[f.severity],
                "message": {"text": f.explanation},
                "locations": [_location(report, s.kind, s.name) for s in f.subjects],
                "partialFingerprints": {"netvizFinding/v1": f.fingerprint},
                "properties": {"severity": f.severity.label},
                **state(f.fingerprint, new_findings),
            }
        )
    for v in report.violations:
        rule_id = "POLICY"
        rules.setdefault(
            rule_id,
            {
                "id": rule_id,
                "name": "PolicyViolation",
                "shortDescription": {"text": "Reachability policy violated"},
                "defaultConfiguration": {"level": "error"},
                "properties": {"security-severity": "8.0", "tags": ["security", "network"]},
            },
        )
        results.append(
            {
                "ruleId": rule_id,
                "level": "error",
                "message": {"text": f"{v.rule}: {v.source} → {v.target}: {v.detail}"},
                "locations": [_location(report, "container", v.source)],
                "partialFingerprints": {"netvizViolation/v1": v.fingerprint},
                **state(v.fingerprint, new_violations),
            }
        )
    for a, b in diff.new_pairs if diff is not None else ():
        origin = diff.origin if diff is not None else ""
        rules.setdefault(
            "NEWPAIR",
            {
                "id": "NEWPAIR",
                "name": "NewReachablePair",
                "shortDescription": {"text": "A container reaches another it did not reach before"},
                "defaultConfiguration": {"level": "error"},
                "properties": {"security-severity": "5.5", "tags": ["security", "network"]},
            },
        )
        results.append(
            {
                "ruleId": "NEWPAIR",
                "level": "error",
                "message": {"text": f"{a} now reaches {b} (not in the baseline {origin})"},
                "locations": [_location(report, "container", a)],
                "partialFingerprints": {"netvizPair/v1": f"{a}\u2192{b}"},
                "baselineState": "new",
            }
        )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "netviz",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": [rules[k] for k in sorted(rules)],
                    }
                },
                "results": results,
                "properties": {"caveats": list(report.caveats)},
            }
        ],
    }
    return json_text(sarif) + "\n"


def _rule(rule: Rule) -> dict[str, Any]:
    """A rule's metadata, from the catalogue (never from whichever finding came first)."""
    body: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.title.split()),
        "shortDescription": {"text": rule.title},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "help": {"text": rule.remediation},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "network", "docker"],
        },
    }
    if rule.cis:
        body["fullDescription"] = {"text": f"{CIS_BENCHMARK} {rule.cis}: {rule.cis_title}"}
    return body


def _location(report: AuditReport, kind: str, name: str) -> dict[str, Any]:
    """Docker objects have no file: a `docker://` URI and a logical location name them."""
    engine = quote(report.engine.name or "engine", safe="")
    uri = f"docker://{engine}/{kind}/{quote(name, safe='')}"
    return {
        "physicalLocation": {"artifactLocation": {"uri": uri}},
        "logicalLocations": [
            {"name": name, "fullyQualifiedName": f"{kind}/{name}", "kind": "resource"}
        ],
    }

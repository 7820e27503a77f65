"""Findings, policy, baseline and the audit outputs, on the demo snapshot."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.analysis.audit import build_report
from visualizer.analysis.baseline import parse_baseline
from visualizer.analysis.findings import Severity, audit_findings
from visualizer.analysis.policy import parse_policy
from visualizer.errors import ExitCode, InputError
from visualizer.renderers import AuditFormat, TextOptions, render_audit


@pytest.fixture(scope="module")
def demo():
    return nv.load_demo()


def by_id(findings, fid):
    return [f for f in findings if f.id == fid]


def names(f):
    return {s.name for s in f.subjects}


def test_findings_on_the_demo(demo):
    found = audit_findings(demo)
    assert names(by_id(found, "A1")[0]) == {"host-agent"}
    (a3,) = by_id(found, "A3")
    assert names(a3) == {"shop_web_1"}
    assert a3.cis == "5.14"
    assert a3.severity is Severity.MEDIUM
    assert {names(f).pop() for f in by_id(found, "A6")} == {"shop_api_1", "ipv6-app"}
    assert {tuple(sorted(names(f))) for f in by_id(found, "A9")} == {
        ("legacy-app", "legacy-client")
    }
    assert by_id(found, "A10")[0].cis == "2.2"
    assert names(by_id(found, "A11")[0]) == {"legacy-client", "legacy-app"}
    assert names(by_id(found, "A12")[0]) == {"shop_api_1", "shop_backend", "shop_frontend"}
    assert names(by_id(found, "A13")[0]) == {"shop_backend"}
    assert {f.status for f in by_id(found, "A20")} == {"unknown"}
    assert not by_id(found, "A14")
    assert not by_id(found, "A17")


def test_a2_sidecar_of_a_host_mode_container(demo):
    host = next(c for c in demo.containers if c.name == "host-agent")
    side = replace(host, id="a" * 64, name="spy", network_mode=f"container:{host.id}", endpoints=())
    found = audit_findings(replace(demo, containers=(*demo.containers, side)))
    (a2,) = by_id(found, "A2")
    assert a2.severity is Severity.HIGH
    assert names(a2) == {"spy", "host-agent"}


def test_a3_high_for_database_ports(demo):
    web = next(c for c in demo.containers if c.name == "shop_web_1")
    db_port = replace(web.ports[0], container_port=5432, host_port=5432)
    changed = replace(web, ports=(db_port,))
    snap = replace(demo, containers=tuple(changed if c is web else c for c in demo.containers))
    (a3,) = by_id(audit_findings(snap), "A3")
    assert a3.severity is Severity.HIGH
    assert "PostgreSQL" in a3.explanation


def test_version_dependent_findings(demo):
    old = audit_findings(demo)
    assert by_id(old, "A6")
    assert by_id(old, "A7")
    new = audit_findings(replace(demo, engine=replace(demo.engine, server_version="28.0.1")))
    assert not by_id(new, "A6")
    assert not by_id(new, "A7")
    unknown = audit_findings(replace(demo, engine=replace(demo.engine, server_version="")))
    assert {f.status for f in by_id(unknown, "A6")} == {"unknown"}


def test_options_an_engine_ignores_are_reported_not_credited(demo):
    net = next(n for n in demo.networks if n.name == "tenants")
    opts = {
        **net.options,
        "com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected",
        "com.docker.network.bridge.trusted_host_interfaces": "eth0",
    }
    snap = replace(
        demo, networks=tuple(replace(n, options=opts) if n is net else n for n in demo.networks)
    )
    old = audit_findings(snap)
    assert len(by_id(old, "A19")) == 2
    assert not by_id(old, "A8")
    new = audit_findings(replace(snap, engine=replace(snap.engine, server_version="28.2.0")))
    assert not by_id(new, "A19")
    assert {f.severity for f in by_id(new, "A8")} == {Severity.HIGH, Severity.MEDIUM}


def test_multi_homed_with_net_admin_is_high(demo):
    api = next(c for c in demo.containers if c.name == "shop_api_1")
    risky = replace(api, cap_add=("NET_ADMIN",))
    snap = replace(demo, containers=tuple(risky if c is api else c for c in demo.containers))
    (a12,) = by_id(audit_findings(snap), "A12")
    assert a12.severity is Severity.HIGH
    assert "NET_ADMIN" in a12.explanation


def test_report_json_contract(demo):
    report = build_report(nv.build_graph(demo))
    body = json.loads(render_audit(report, AuditFormat.JSON).text)
    assert body["schema"] == "netviz-audit"
    assert body["schema_version"] == 1
    pair = body["reachability"][0]
    assert {"from", "to", "via", "by_name"} <= set(pair)
    pairs = {(p["from"], p["to"]) for p in body["reachability"]}
    assert ("container1", "container2") in pairs
    assert ("tenant-a", "tenant-b") not in pairs
    assert all(not p["from"].startswith("/") for p in body["reachability"])
    assert next(p for p in body["reachability"] if p["from"] == "host-agent")["via"] == []
    assert body["summary"]["reachable_pairs"] == len(body["reachability"])
    finding = body["findings"][0]
    assert {"id", "severity", "title", "subjects", "cis", "explanation", "fingerprint"} <= set(
        finding
    )


def test_grouped_json(demo):
    report = build_report(nv.build_graph(demo), grouped=True)
    body = json.loads(render_audit(report, AuditFormat.JSON).text)
    assert "reachability" not in body
    nets = {n["network"]: n for n in body["reachability_grouped"]["networks"]}
    assert nets["tenants"]["policy"] == "isolated"
    assert set(nets["user-network"]["members"]) == {"container1", "container2", "metrics-sidecar"}


POLICY = """\
version: 1
rules:
  - name: in shop, nothing but api reaches db
    forbid:
      from: {}
      to: {project: shop, service: db}
    except:
      from: [{service: api}, {container: host-*}]
  - name: tenants stay apart
    forbid:
      from: {network: tenants}
      to: {network: tenants}
  - name: web reaches the db
    require:
      from: {container: shop_web_1}
      to: {container: shop_db_1}
"""


def test_policy_violations(demo):
    report = build_report(
        nv.build_graph(demo), policy=parse_policy(POLICY, origin="p.yaml"), fail_on=None
    )
    got = {(v.rule, v.source, v.target) for v in report.violations}
    assert got == {("web reaches the db", "shop_web_1", "shop_db_1")}
    assert report.failed


def test_forbid_counts_published_ports_through_the_host(demo):
    text = (
        "version: 1\nrules:\n"
        "  - forbid: {from: {container: tenant-a}, to: {container: shop_web_1}}\n"
    )
    report = build_report(nv.build_graph(demo), policy=parse_policy(text), fail_on=None)
    (v,) = report.violations
    assert "published ports" in v.detail
    text_off = text.replace("shop_web_1}}", "shop_web_1}, published_ports: false}")
    assert not build_report(
        nv.build_graph(demo), policy=parse_policy(text_off), fail_on=None
    ).violations


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("version: 2\nrules: []\n", ":1:"),
        (
            "version: 1\nrules:\n  - forbid: {from: {}, to: {}}\n    colour: red\n",
            ":4:5: unknown key 'colour'",
        ),
        ("version: 1\nrules:\n  - forbid: {from: {projct: x}, to: {}}\n", "unknown key 'projct'"),
        ("version: 1\nrules:\n  - require: {from: {}}\n", "needs 'to'"),
        (
            "version: 1\nrules:\n  - forbid: {from: {}, to: {}, by_name: true}\n",
            "require rules only",
        ),
        ("version: 1\nrules: [\n", "not valid YAML"),
        (
            "version: 1\nrules:\n  - forbid: {from: {label: 3}, to: {}}\n",
            "must be a non-empty string",
        ),
    ],
)
def test_policy_errors_name_the_place(text, where):
    with pytest.raises(InputError) as err:
        parse_policy(text, origin="p.yaml")
    assert str(err.value).startswith("p.yaml")
    assert where in str(err.value)


def test_yaml_1_2_semantics():
    # In YAML 1.1 `no` would be a boolean and `22:22` a sexagesimal number.
    policy = parse_policy(
        "version: 1\nrules:\n  - forbid: {from: {container: no}, to: {label: 'a=22:22'}}\n"
    )
    assert policy.rules[0].sources[0].container == "no"


def test_baseline_fails_only_on_what_is_new(demo):
    g = nv.build_graph(demo)
    earlier = render_audit(build_report(g), AuditFormat.JSON).text
    same = build_report(g, baseline=parse_baseline(earlier, origin="b.json"))
    assert not same.failed  # the high finding is old
    assert same.baseline is not None
    assert same.baseline.new_pairs == ()
    # connect tenant-a to user-network: new pairs appear
    user = next(n for n in demo.networks if n.name == "user-network")
    ta = next(c for c in demo.containers if c.name == "tenant-a")
    moved = replace(
        ta,
        endpoints=(
            *ta.endpoints,
            replace(
                ta.endpoints[0], network_id=user.id, network_name=user.name, ipv4="192.168.16.99"
            ),
        ),
    )
    changed = nv.build_graph(
        replace(demo, containers=tuple(moved if c is ta else c for c in demo.containers))
    )
    later = build_report(changed, baseline=parse_baseline(earlier, origin="b.json"))
    assert later.failed
    assert later.baseline is not None
    assert ("tenant-a", "container1") in later.baseline.new_pairs


@pytest.mark.parametrize(
    "body", ["{}", "[]", '{"schema": "netviz-audit", "schema_version": 1}', "nope"]
)
def test_bad_baselines(body):
    with pytest.raises(InputError):
        parse_baseline(body, origin="b.json")


def test_markdown_and_sarif(demo):
    report = build_report(nv.build_graph(demo), policy=parse_policy(POLICY))
    md = render_audit(report, AuditFormat.MARKDOWN).text
    assert md.startswith("# netviz audit: vm")
    assert "Configured isolation, not a packet test" in md
    assert "| high | A1 |" in md
    assert "shop\\_web\\_1" in md
    sarif = json.loads(render_audit(report, AuditFormat.SARIF).text)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"A1", "A3", "POLICY"} <= rule_ids
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "docker://"
        )
    assert all(r["ruleId"] != "A20" for r in run["results"])  # unknowns are not results


def test_hostile_names_in_audit_outputs(demo):
    evil = '<img src=x onerror=alert(1)>|*x*\u202e=cmd|"q"'
    c = next(c for c in demo.containers if c.name == "host-agent")
    snap = replace(
        demo, containers=tuple(replace(x, name=evil) if x is c else x for x in demo.containers)
    )
    report = build_report(nv.build_graph(snap))
    md = render_audit(report, AuditFormat.MARKDOWN).text
    assert "<img" not in md
    assert '&lt;img src=x onerror=alert(1)&gt;\\|\\*x\\*\\\\u202e=cmd\\|"q"' in md
    table = render_audit(report, AuditFormat.TABLE, TextOptions(width=400)).text
    assert "\u202e" not in table
    assert "<img src=x onerror=alert(1)>" in table
    body = json.loads(render_audit(report, AuditFormat.JSON).text)
    assert any(p["from"] == evil for p in body["reachability"])  # JSON keeps the exact text
    rows = list(
        csv.reader(
            io.StringIO(nv.matrix(nv.build_graph(snap), fmt=nv.MatrixFormat.CSV).output.text)
        )
    )
    assert "'<img" not in rows[0]
    header = [cell for cell in rows[0] if "img" in cell]
    assert header == ['<img src=x onerror=alert(1)>|*x*\\u202e=cmd|"q"']


def test_csv_formula_guard(demo):
    c = next(c for c in demo.containers if c.name == "tenant-b")
    snap = replace(
        demo,
        containers=tuple(
            replace(x, name="=cmd|'/c calc'!A0") if x is c else x for x in demo.containers
        ),
    )
    rows = list(
        csv.reader(
            io.StringIO(nv.matrix(nv.build_graph(snap), fmt=nv.MatrixFormat.CSV).output.text)
        )
    )
    assert "'=cmd|'/c calc'!A0" in rows[0]


def test_cli_exit_codes(tmp_path):
    assert run_cli("audit", "--demo").returncode == ExitCode.NEGATIVE  # a high finding
    assert run_cli("audit", "--demo", "--exit-zero").returncode == 0
    # host-agent mounts the engine socket: A21 is critical
    assert run_cli("audit", "--demo", "--fail-on", "critical").returncode == ExitCode.NEGATIVE
    assert run_cli("audit", "--demo", "--fail-on", "never").returncode == 0
    (tmp_path / "p.yaml").write_text(POLICY)
    done = run_cli("audit", "--demo", "--fail-on", "never", "--policy", str(tmp_path / "p.yaml"))
    assert done.returncode == ExitCode.NEGATIVE
    assert "web reaches the db" in done.stdout
    (tmp_path / "bad.yaml").write_text("version: 1\nrules:\n  - frobid: {}\n")
    bad = run_cli("audit", "--demo", "--policy", str(tmp_path / "bad.yaml"))
    assert bad.returncode == ExitCode.INPUT
    assert bad.stderr.startswith(f"netviz: error: {tmp_path / 'bad.yaml'}:3:")
    base = tmp_path / "base.json"
    assert run_cli("audit", "--demo", "-f", "json", "-o", str(base)).returncode == ExitCode.NEGATIVE
    assert run_cli("audit", "--demo", "--baseline", str(base)).returncode == 0
    assert run_cli("audit", "--from", "/nope.json").returncode == ExitCode.INPUT
    assert run_cli("audit", "-H", "unix:///nope.sock").returncode == ExitCode.ENGINE


def test_cli_reach_and_matrix():
    yes = run_cli("reach", "--demo", "container1", "container2")
    assert yes.returncode == 0
    assert yes.stdout.startswith("yes: container1 reaches container2 by name over user-network")
    no = run_cli("reach", "--demo", "tenant-a", "tenant-b")
    assert no.returncode == ExitCode.NEGATIVE
    assert "R4" in no.stdout
    assert run_cli("reach", "--demo", "ghost", "tenant-b").returncode == ExitCode.USAGE
    body = json.loads(run_cli("reach", "--demo", "tenant-a", "shop_web_1", "--json").stdout)
    assert body["reachable"] is False
    assert body["port_path"][0]["host_port"] == 8080
    table = run_cli("matrix", "--demo", "--filter", "project=shop", "-f", "csv").stdout
    assert table.splitlines()[0] == "from\\to,shop_api_1,shop_db_1,shop_web_1"
    assert table.splitlines()[2] == "shop_db_1,name,self,no"


def test_render_views():
    reach = run_cli("render", "--demo", "--view", "reachability", "-f", "dot")
    assert reach.returncode == 0
    assert "digraph netviz_reachability" in reach.stdout
    topo = run_cli("render", "--demo", "-f", "dot")
    assert "⚠ critical: A1 A21" in topo.stdout  # host-agent: host network and engine socket
    plain = run_cli("render", "--demo", "-f", "dot", "--no-findings")
    assert "⚠" not in plain.stdout.split("legend [")[0]

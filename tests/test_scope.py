"""Audit what is yours: one selection grammar, scoped audits and reports, compose ergonomics.

The engine tests run on an engine that also runs unrelated containers (every other test's,
and a few made here on purpose): a project's audit, report, matrix and baseline must be about
that project and its border only.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import IMAGE, run_cli

import visualizer as nv
from visualizer.analysis.audit import PAIR_LIMIT, build_report
from visualizer.errors import ExitCode, InputError, UsageError
from visualizer.model import Container, Endpoint, Network, Snapshot
from visualizer.renderers import render_audit
from visualizer.selection import Selection, parse_filters, select

# ---- the grammar, on the demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_graph():
    return nv.build_graph(nv.load_demo())


def names(view):
    from visualizer.graph import containers

    return {c.name for _, c in containers(view)}


def test_name_service_and_container_keys(demo_graph):
    assert names(select(demo_graph, Selection.parse(["name=tenant-*"]))) == {"tenant-a", "tenant-b"}
    assert names(select(demo_graph, Selection.parse(["container=container1"]))) >= {"container1"}
    assert names(select(demo_graph, Selection.parse(["service=db"]))) == {"shop_db_1"}
    both = Selection.parse(["project=shop", "service=db", "service=web"])
    assert names(select(demo_graph, both)) == {"shop_db_1", "shop_web_1"}  # OR in a key, AND across


def test_unknown_filter_keys_are_usage_errors():
    with pytest.raises(UsageError, match="key one of network, driver, label, project, service"):
        parse_filters(["colour=blue"])


def test_a_filter_that_matches_nothing_says_so():
    done = run_cli("render", "--demo", "-f", "dot", "--filter", "network=doesnotexist")
    assert done.returncode == 0
    assert "netviz: warning: --filter network=doesnotexist matches nothing" in done.stderr


def test_scoped_audit_lists_inside_and_crossing_pairs(demo_graph):
    report = build_report(demo_graph, scope=Selection.parse(["project=shop"]), fail_on=None)
    assert report.scope is not None and report.pairs is not None
    shop = {"shop_api_1", "shop_db_1", "shop_web_1"}
    for v in report.pairs:
        assert v.source in shop or v.target in shop
        assert v.crossing == (
            None if {v.source, v.target} <= shop else ("out" if v.source in shop else "in")
        )
    # the host-network container reaches in; its own finding (A1) is not the project's
    assert any(v.source == "host-agent" and v.crossing == "in" for v in report.pairs)
    assert "A1" not in {f.id for f in report.findings}
    assert all(
        any(s.name in shop or s.name.startswith("shop_") or s.kind == "engine" for s in f.subjects)
        for f in report.findings
    )
    body = json.loads(render_audit(report, nv.AuditFormat.JSON).text)
    assert body["scope"] == {"filters": "project=shop", "containers": 3, "networks": 2}
    assert body["summary"]["crossing_pairs"] == sum(1 for v in report.pairs if v.crossing)


def test_scoped_report_is_titled_by_its_scope():
    done = run_cli("report", "--demo", "--filter", "project=shop")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Docker networks of project=shop on vm")
    assert "tenant-a" not in done.stdout  # an unrelated container, nowhere near the project


def test_service_names_are_container_names_for_reach():
    done = run_cli("reach", "--demo", "--filter", "project=shop", "web", "api")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("yes: shop_web_1 reaches shop_api_1")


def test_an_ambiguous_service_name_lists_the_choices(tmp_path):
    demo = nv.load_demo()
    twin = next(c for c in demo.containers if c.name == "shop_web_1")
    other = replace(twin, id="f" * 64, name="shop_web_2")
    path = tmp_path / "s.json"
    path.write_text(nv.dumps_snapshot(replace(demo, containers=(*demo.containers, other))))
    done = run_cli("reach", "--from", str(path), "web", "api")
    assert done.returncode == ExitCode.USAGE
    assert "'web' is a service with several containers (shop_web_1, shop_web_2)" in done.stderr


def test_service_aliases_resolve_without_inspect(demo_graph):
    uninspected = nv.build_graph(
        replace(
            nv.load_demo(),
            containers=tuple(
                replace(c, endpoints=tuple(replace(e, aliases=None) for e in c.endpoints))
                for c in nv.load_demo().containers
            ),
        )
    )
    verdict = nv.reach(uninspected, "shop_web_1", "shop_api_1").value.verdict
    assert "api" in verdict.names


def test_policy_selector_typo_is_an_error_with_its_place(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - name: db apart\n    forbid:\n      from: {project: shpo}\n"
        "      to: {project: shop, service: db}\n"
    )
    done = run_cli("audit", "--demo", "--policy", str(policy), "--fail-on", "never")
    assert done.returncode == ExitCode.INPUT
    assert f"{policy}:5:13: this selector of rule 'db apart' matches no container" in done.stderr
    policy.write_text(
        policy.read_text().replace(
            "  - name: db apart\n", "  - name: db apart\n    allow_unmatched: true\n"
        )
    )
    done = run_cli("audit", "--demo", "--policy", str(policy), "--fail-on", "never")
    assert done.returncode == 0, done.stderr


def test_policy_version_must_be_an_integer():
    from visualizer.analysis.policy import parse_policy

    with pytest.raises(InputError, match="version must be 1, got True"):
        parse_policy("version: true\nrules: [{forbid: {from: {project: a}, to: {project: b}}}]\n")


def test_the_fail_line_names_what_failed():
    done = run_cli("audit", "--demo")
    assert done.returncode == ExitCode.NEGATIVE
    assert (
        "FAIL because: critical finding A21 (host-agent); high finding A1 (host-agent)"
        in done.stdout
    )


def one_big_network(n):
    net = Network(id="n" * 64, name="big", driver="bridge")
    ctrs = tuple(
        Container(
            id=f"{i:064x}",
            name=f"c{i}",
            endpoints=(
                Endpoint(
                    network_id=net.id, network_name="big", ipv4=f"10.0.{i // 250}.{i % 250 + 2}"
                ),
            ),
        )
        for i in range(n)
    )
    return Snapshot(engine=nv.load_demo().engine, networks=(net,), containers=ctrs)


def test_too_many_pairs_are_grouped_by_default_with_a_note():
    g = nv.build_graph(one_big_network(120))  # 14,280 ordered pairs
    outcome = nv.audit(g, fmt=nv.AuditFormat.JSON, fail_on=nv.FailOn.NEVER)
    assert outcome.value.pairs is None and outcome.value.grouped is not None
    assert any(f"more than {PAIR_LIMIT:,}" in w for w in outcome.warnings)
    every = nv.audit(g, fmt=nv.AuditFormat.JSON, grouped=False, fail_on=nv.FailOn.NEVER)
    assert len(every.value.pairs or ()) == 120 * 119


def test_compose_reports_have_no_holes(tmp_path):
    compose = Path(__file__).resolve().parent.parent / "scripts" / "demo" / "compose.yaml"
    done = run_cli("report", "--compose", str(compose), "-p", "shop")
    assert done.returncode == 0, done.stderr
    assert "assigned at deploy" in done.stdout
    assert "?" not in done.stdout.replace("```mermaid", "")
    assert "||" not in done.stdout and "| |" not in done.stdout.replace("| | |", "")
    audit = run_cli("audit", "--compose", str(compose), "-p", "shop", "-f", "markdown")
    assert "?" not in audit.stdout and "Predicted from" in audit.stdout


def test_render_says_where_it_wrote_unless_quiet(tmp_path):
    out = tmp_path / "t.dot"
    done = run_cli("render", "--demo", "-o", str(out))
    assert f"netviz: wrote {out}" in done.stderr
    quiet = run_cli("render", "--demo", "-o", str(out), "-q")
    assert quiet.stderr == ""


# ---- on a shared engine ------------------------------------------------------------------------


@pytest.fixture
def shop(lab):
    """A small project made as Compose makes it (labels, service aliases), among unrelated
    containers on the same engine."""
    project = lab.name("shop")
    front, back = lab.network("front"), lab.network("back", "--internal")

    def service(name, network):
        labels = [f"com.docker.compose.project={project}", f"com.docker.compose.service={name}"]
        args = [a for label in labels for a in ("--label", label)]
        lab.run(name, "--network", network, "--network-alias", name, *args)

    service("web", front)
    service("api", front)
    lab.docker("network", "connect", "--alias", "api", back, lab.name("api"))
    service("db", back)
    lab.run("stranger", "--network", lab.network("elsewhere"))
    lab.run("neighbour", "--network", "host")
    return project


@pytest.mark.docker
def test_a_projects_audit_is_about_the_project_and_its_border(lab, shop, tmp_path):
    done = run_cli("audit", "--filter", f"project={shop}", "-f", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    ours = {lab.name(s) for s in ("web", "api", "db")}
    assert body["scope"]["containers"] == 3
    assert {p["from"] for p in body["reachability"]} | {
        p["to"] for p in body["reachability"]
    } >= ours
    for pair in body["reachability"]:
        inside = pair["from"] in ours, pair["to"] in ours
        assert any(inside)
        assert pair["crossing"] == (None if all(inside) else "out" if inside[0] else "in")
    assert lab.name("stranger") not in done.stdout  # on its own network: no border with us
    crossing_in = {p["from"] for p in body["reachability"] if p["crossing"] == "in"}
    assert lab.name("neighbour") in crossing_in  # a host-network container reaches in
    assert all(lab.name("neighbour") not in json.dumps(f["subjects"]) for f in body["findings"])


@pytest.mark.docker
def test_a_projects_baseline_ignores_unrelated_containers(lab, shop, tmp_path):
    base = tmp_path / "base.json"
    done = run_cli(
        "audit", "--filter", f"project={shop}", "-f", "json", "--fail-on", "never", "-o", str(base)
    )
    assert done.returncode == 0, done.stderr
    lab.run("later", "--network", lab.network("unrelated"))  # someone else's, far away
    again = run_cli("audit", "--filter", f"project={shop}", "--baseline", str(base))
    assert again.returncode == 0, again.stdout + again.stderr
    lab.run("intruder", "--network", lab.name("front"))  # joins our network: a new border pair
    worse = run_cli(
        "audit", "--filter", f"project={shop}", "--baseline", str(base), "-f", "markdown"
    )
    assert worse.returncode == ExitCode.NEGATIVE
    intruder = lab.name("intruder")
    assert f"new reachable pair: {intruder} → {lab.name('web')}".replace("_", "\\_") in worse.stdout
    table = run_cli("audit", "--filter", f"project={shop}", "--baseline", str(base))
    assert "FAIL because: new reachable pair" in table.stdout and intruder in table.stdout


@pytest.mark.docker
def test_a_projects_matrix_and_report_are_about_it(lab, shop):
    matrix = run_cli("matrix", "--filter", f"project={shop}", "-f", "csv")
    assert matrix.returncode == 0, matrix.stderr
    header = matrix.stdout.splitlines()[0].split(",")[1:]
    assert sorted(header) == sorted(lab.name(s) for s in ("api", "db", "web"))
    report = run_cli("report", "--filter", f"project={shop}")
    assert report.stdout.startswith(f"# Docker networks of project={shop} on ")
    assert lab.name("stranger") not in report.stdout


@pytest.mark.docker
def test_reach_by_service_name_and_probe_by_alias(lab, shop):
    done = run_cli("reach", "--filter", f"project={shop}", "web", "api")
    assert done.returncode == 0, done.stderr
    probe = run_cli("probe", "--filter", f"project={shop}", "--json")
    assert probe.returncode == 0, probe.stdout + probe.stderr
    probes = {c["probe"] for c in json.loads(probe.stdout)["checks"]}
    assert "name:api" in probes and "name:db" in probes  # service names, pinged for real


COMPOSE = """
services:
  web:
    image: {image}
    command: ["sleep", "1d"]
    networks: [front]
  api:
    image: {image}
    command: ["sleep", "1d"]
    expose: ["9000"]
    networks: [front, back]
  db:
    image: {image}
    command: ["sleep", "1d"]
    expose: ["5432"]
    networks:
      back:
        aliases: [database]
networks:
  front: {{}}
  back:
    internal: true
"""


@pytest.mark.docker
@pytest.mark.usefixtures("docker_compose")
def test_diff_of_a_freshly_deployed_project_is_equal_with_v1_names(lab, tmp_path):
    project = lab.name("cmp").replace("-", "")
    path = tmp_path / "docker-compose.yml"
    path.write_text(textwrap.dedent(COMPOSE).format(image=IMAGE))
    run = ["docker-compose", "-p", project, "-f", str(path)]
    up = subprocess.run(
        [*run, "up", "-d"], capture_output=True, text=True, check=False, timeout=300
    )
    try:
        assert up.returncode == 0, up.stderr
        # no --compose-naming, no --filter: the live side is scoped and the naming detected
        done = run_cli("diff", str(path), "live", "-p", project)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout == "equal\n"
    finally:
        subprocess.run([*run, "down", "-t", "0"], capture_output=True, check=False, timeout=300)


@pytest.mark.docker
def test_diff_detects_compose_v2_names(lab, tmp_path):
    """Compose v2 is not installable here; its containers are made as it makes them: names
    `p-s-1` and its labels, on its networks."""
    project = lab.name("v2").replace("-", "")
    path = tmp_path / "compose.yml"
    path.write_text(textwrap.dedent(COMPOSE).format(image=IMAGE))
    made = []
    try:
        for key, internal in (("front", False), ("back", True)):
            name = f"{project}_{key}"
            lab.docker(
                "network",
                "create",
                *(["--internal"] if internal else []),
                "--label",
                f"com.docker.compose.project={project}",
                "--label",
                f"com.docker.compose.network={key}",
                name,
            )
            made.append(("network", name))
        for service, nets in (("web", ["front"]), ("api", ["front", "back"]), ("db", ["back"])):
            name = f"{project}-{service}-1"
            labels = [
                f"com.docker.compose.project={project}",
                f"com.docker.compose.service={service}",
                "com.docker.compose.container-number=1",
                "com.docker.compose.version=2.29.7",
            ]
            args = [a for label in labels for a in ("--label", label)]
            first = f"{project}_{min(nets)}"
            expose = {"api": ["--expose", "9000"], "db": ["--expose", "5432"]}.get(service, [])
            aliases = ["--network-alias", service] + (
                ["--network-alias", "database"] if service == "db" else []
            )
            lab.docker(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                first,
                *aliases,
                *args,
                *expose,
                IMAGE,
                "sleep",
                "1d",
            )
            made.append(("container", name))
            for extra in sorted(nets)[1:]:
                lab.docker("network", "connect", "--alias", service, f"{project}_{extra}", name)
        done = run_cli("diff", str(path), "live", "-p", project)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout == "equal\n"
    finally:
        for kind, name in reversed(made):
            if kind == "container":
                lab.docker("rm", "-f", name, check=False)
            else:
                lab.docker("network", "rm", name, check=False)


def test_every_format_lists_what_is_new_since_the_baseline(tmp_path):
    body = json.loads(run_cli("audit", "--demo", "-f", "json", "--fail-on", "never").stdout)
    dropped = body["reachability"].pop(0)
    body["findings"] = [f for f in body["findings"] if f["id"] != "A1"]
    base = tmp_path / "base.json"
    base.write_text(json.dumps(body))
    sarif = json.loads(run_cli("audit", "--demo", "--baseline", str(base), "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    said = f"{dropped['from']} now reaches {dropped['to']}"
    assert any(r["ruleId"] == "NEWPAIR" and said in r["message"]["text"] for r in results)
    assert {r["baselineState"] for r in results if r["ruleId"] == "A1"} == {"new"}
    assert {r["baselineState"] for r in results if r["ruleId"] == "A3"} == {"unchanged"}
    markdown = run_cli("audit", "--demo", "--baseline", str(base), "-f", "markdown").stdout
    assert "new high finding A1" in markdown and "new reachable pair" in markdown
    table = run_cli("audit", "--demo", "--baseline", str(base)).stdout
    assert "New since the baseline" in table and "FAIL because: new reachable pair" in table
    data = json.loads(run_cli("audit", "--demo", "--baseline", str(base), "-f", "json").stdout)
    assert data["baseline"]["new_pairs"] == [{"from": dropped["from"], "to": dropped["to"]}]

"""Every malformed input is a clean exit, and netviz's own documents follow published schemas.

Snapshots, baselines and policies that are nested thousands deep, carry huge numbers or lone
surrogates, are of the wrong kind or the wrong shape: one line, exit 4, never a traceback.
A fuzz harness mutates real documents (the demo snapshot, an audit, a policy) at random.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import visualizer as nv
from visualizer.analysis.baseline import parse_baseline
from visualizer.analysis.policy import parse_policy
from visualizer.errors import ExitCode, InputError
from visualizer.sources.documents import check
from visualizer.sources.schemas import (
    AUDIT_SCHEMA,
    DIFF_SCHEMA,
    GRAPH_SCHEMA,
    POLICY_SCHEMA,
    snapshot_schema,
)
from visualizer.sources.snapshot import loads

sys.path.insert(0, str(ROOT / "scripts"))
from schemas import published

DEMO = (ROOT / "visualizer" / "data" / "demo.json").read_text()
POLICY = """\
version: 1
rules:
  - name: in shop, nothing but api reaches db
    forbid:
      from: {project: shop}
      to: {project: shop, service: db}
    except:
      from: {service: api}
  - name: web talks to api by name
    require:
      from: {container: shop_web_1}
      to: {container: shop_api_1}
      by_name: true
"""


def one_line_error(done):
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1 and lines[0].startswith("netviz: error: "), done.stderr
    return lines[0]


# ---- the published schemas ---------------------------------------------------------------------


def test_published_schemas_are_the_codes():
    for name, text in published().items():
        assert (ROOT / "docs" / "schemas" / name).read_text() == text, name


def test_outputs_follow_their_schemas(tmp_path):
    demo = nv.load_demo()
    g = nv.build_graph(demo)
    check(json.loads(nv.snapshot(demo).output.text), snapshot_schema(), origin="snapshot")
    for scope in (None, nv.Selection.parse(["project=shop"])):
        for grouped in (False, True):
            out = nv.audit(g, fmt=nv.AuditFormat.JSON, selection=scope, grouped=grouped)
            check(json.loads(out.output.text), AUDIT_SCHEMA, origin="audit")
    check(json.loads(nv.render(g, nv.Format.JSON).output.text), GRAPH_SCHEMA, origin="graph")
    changed = nv.diff(
        demo, nv.load_compose([ROOT / "scripts" / "demo" / "compose.yaml"]), fmt="json"
    )
    check(json.loads(changed.output.text), DIFF_SCHEMA, origin="diff")
    from visualizer.yamlfile import load_yaml

    check(load_yaml(POLICY, origin="p"), POLICY_SCHEMA, origin="policy")


# ---- hostile files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"schema_version": 1, "engine": {}, "x": ' + "[" * 50000 + "]" * 50000 + "}",
            "nested too deeply",
        ),
        (
            '{"schema_version": 1, "engine": {}, "x": ' + "9" * 5000 + "}",
            "not valid JSON (Exceeds the limit",
        ),
        (
            '{"schema_version": 1, "engine": {}, "containers": [{"id": "c", "name": "a", "ports": [{"container_port": 99999}]}]}',
            "containers[0].ports[0].container_port: must be smaller than or equal to 65535",
        ),
        (
            '{"schema_version": 1, "engine": {}, "networks": "x"}',
            "networks: expected a list, got a string",
        ),
        (
            '{"schema": "netviz-audit", "schema_version": 1}',
            "this is a netviz-audit document, not a netviz-snapshot",
        ),
        ("[]", "expected a JSON object"),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_bad_snapshots_are_one_line_exit_4(tmp_path, text, expected):
    path = tmp_path / "s.json"
    path.write_text(text, encoding="latin-1" if text.startswith("\xff") else "utf-8")
    done = run_cli("render", "--from", str(path), "-f", "dot")
    assert done.returncode == ExitCode.INPUT
    assert expected in one_line_error(done)


def test_an_audit_given_as_a_snapshot_is_refused_by_name(tmp_path):
    audit = tmp_path / "audit.json"
    audit.write_text(run_cli("audit", "--demo", "-f", "json").stdout)
    done = run_cli("audit", "--from", str(audit))
    assert done.returncode == ExitCode.INPUT
    assert "is a netviz-audit document, not a netviz-snapshot (--from reads those)" in done.stderr
    snap = tmp_path / "snap.json"
    snap.write_text(run_cli("snapshot", "--demo").stdout)
    done = run_cli("audit", "--demo", "--baseline", str(snap))
    assert (
        "is a netviz-snapshot document, not a netviz-audit (--baseline reads those)"
        in one_line_error(done)
    )


def test_lone_surrogates_reach_every_format_as_valid_utf8(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        '{"schema_version": 1, "engine": {"name": "\\ud800e"}, "networks": [{"id": "n", '
        '"name": "\\udfffnet", "driver": "bridge"}], "containers": [{"id": "c", "name": '
        '"\\ud800c", "endpoints": [{"network_id": "n", "network_name": "\\udfffnet"}]}]}'
    )
    snap = nv.load_snapshot(path)
    for fmt in ("dot", "mermaid", "html", "json"):
        nv.render(snap, fmt).output.content.decode("utf-8")
    for fmt in nv.AuditFormat:
        body = nv.audit(snap, fmt=fmt, fail_on="never").output.content.decode("utf-8")
        if fmt in {"json", "sarif"}:
            json.loads(body)
    graph = json.loads(nv.render(snap, "json").output.text)
    assert {n["name"] for n in graph["nodes"]} == {"\udfffnet", "\ud800c"}  # exact, read back


def test_deep_baselines_and_policies_are_clean_errors():
    with pytest.raises(InputError, match="nested too deeply"):
        parse_baseline('{"a": ' + "[" * 50000 + "]" * 50000 + "}", origin="b")
    with pytest.raises(InputError):
        parse_policy("version: 1\nrules:\n" + "  " * 3 + "- " * 3000 + "x\n", origin="p")


# ---- fuzzing real documents -------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def mutate(doc, rng, value):
    """Replace one value somewhere in a JSON document by another of any type."""
    node = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return doc
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.7:
            node = child
            continue
        node[key] = value
        return doc


@settings(max_examples=60)
@given(st.integers(0, 2**32), JSON_VALUES)
def test_mutated_snapshots_load_or_fail_cleanly(seed, value):
    doc = mutate(json.loads(DEMO), random.Random(seed), value)
    try:
        snap = loads(json.dumps(doc), origin="fuzz")
    except InputError:
        return
    g = nv.build_graph(snap)
    for fmt in ("dot", "json", "mermaid"):
        nv.render(g, fmt)
    nv.audit(g, fmt="json", fail_on="never")


@pytest.fixture(scope="module")
def audit_text():
    return nv.audit(nv.load_demo(), fmt="json").output.text


@settings(max_examples=60)
@given(st.integers(0, 2**32), JSON_VALUES)
def test_mutated_baselines_load_or_fail_cleanly(audit_text, seed, value):
    doc = mutate(json.loads(audit_text), random.Random(seed), value)
    try:
        base = parse_baseline(json.dumps(doc), origin="fuzz")
    except InputError:
        return
    nv.audit(nv.load_demo(), baseline=base, fail_on="never")


@settings(max_examples=60)
@given(st.integers(0, 2**32), JSON_VALUES)
def test_mutated_policies_load_or_fail_cleanly(seed, value):
    from visualizer.yamlfile import load_yaml

    plain = json.loads(json.dumps(load_yaml(POLICY, origin="p")))
    doc = mutate(plain, random.Random(seed), value)
    try:
        policy = parse_policy(json.dumps(doc), origin="fuzz")
    except InputError:
        return
    outcome = None
    error = ""
    try:
        outcome = nv.audit(nv.load_demo(), policy=policy, fail_on="never")
    except InputError as exc:  # a selector the mutation made match nothing
        error = str(exc)
    assert outcome is not None or "matches no container" in error


# ---- files ----------------------------------------------------------------------------------


def test_a_rewritten_output_keeps_its_mode(tmp_path):
    out = tmp_path / "audit.json"
    out.write_text("old")
    out.chmod(0o600)
    done = run_cli("audit", "--demo", "-f", "json", "-o", str(out), "--exit-zero")
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert json.loads(out.read_text())["schema"] == "netviz-audit"


def test_several_files_are_written_all_or_none(tmp_path):
    report, diagram = tmp_path / "r.md", tmp_path / "nodir" / "d.svg"
    (tmp_path / "nodir").write_text("a file where a directory should be")
    done = run_cli(
        "diff", "demo", "demo", "-f", "markdown", "-o", str(report), "--diagram", str(diagram)
    )
    assert done.returncode == ExitCode.OUTPUT
    one_line_error(done)
    assert not report.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["nodir"]  # no temporary file left either


# ---- signals -----------------------------------------------------------------------------------


def children(pid):
    """PIDs of a process's children (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture(scope="module")
def big_snapshot(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic

    return synthetic.write(tmp_path_factory.mktemp("big") / "big.json", 3000, 300)


@pytest.mark.usefixtures("dot")
@pytest.mark.parametrize(
    ("signum", "code", "said"), [(15, 143, "terminated"), (2, 130, "interrupted")]
)
def test_a_signal_stops_netviz_and_its_graphviz_child(tmp_path, big_snapshot, signum, code, said):
    import os
    import subprocess
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "visualizer",
            "render",
            "--from",
            str(big_snapshot),
            "-f",
            "svg",
            "-o",
            str(tmp_path / "big.svg"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    child: list[int] = []
    while time.monotonic() < deadline and not child:
        child = children(proc.pid)
        time.sleep(0.1)
    assert child, "Graphviz never started"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err.strip().splitlines()[-1] == f"netviz: {said}"
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() for pid in child), "Graphviz outlived netviz"
    assert not (tmp_path / "big.svg").exists()

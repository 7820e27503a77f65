"""Output never depends on input order: shuffled inputs give byte-identical output everywhere.

The demo snapshot file, the raw captures recorded from a real 3-node swarm and a compose
project are shuffled where their order carries no meaning (lists of networks, containers,
endpoints, ports, links, aliases, subnets, capabilities, the order of compose keys and of the
swarm captures), loaded through their real sources, and rendered in every format and view.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import DATA, load_raw
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import visualizer as nv
from visualizer.analysis.findings import audit_findings
from visualizer.renderers import (
    AuditFormat,
    Direction,
    Format,
    MatrixFormat,
    RenderOptions,
    View,
    render_audit,
    render_matrix,
    render_report,
)
from visualizer.renderers import render as draw
from visualizer.sources.merge import merge
from visualizer.sources.parse import parse_capture
from visualizer.sources.raw import RawCapture

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "visualizer" / "data" / "demo.json"
COMPOSE_FILE = ROOT / "scripts" / "demo" / "compose.yaml"

# Lists whose order carries no meaning, by the key that holds them.
SNAPSHOT_SETS = frozenset(
    {
        "networks",
        "containers",
        "endpoints",
        "ports",
        "requested_ports",
        "links",
        "aliases",
        "dns_names",
        "subnets",
        "cap_add",
        "security_options",
        "warnings",
        "hosts",
        "nodes",
        "services",
        "virtual_ips",
        "mounts",
        "volumes_from",
        "cap_drop",
        "devices",
        "security_opt",
    }
)
RAW_SETS = frozenset(
    {
        "networks",
        "containers",
        "nodes",
        "services",
        "tasks",
        "Ports",
        "Config",
        "Aliases",
        "CapAdd",
        "Mounts",
        "CapDrop",
        "SecurityOpt",
        "Devices",
    }
)
COMPOSE_SETS = frozenset(
    {"ports", "expose", "aliases", "cap_add", "networks", "links", "volumes", "security_opt"}
)


def shuffled(value, rng, sets, key=None):
    """A copy with every list under a key of `sets` shuffled, and mappings in a new key order."""
    if isinstance(value, dict):
        items = [(k, shuffled(v, rng, sets, k)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        items = [shuffled(v, rng, sets) for v in value]
        if key in sets:
            rng.shuffle(items)
        return items
    return value


def everything(snap):
    """Every output of a snapshot: diagrams in every format and view, documents, fingerprints."""
    g = nv.build_graph(snap)
    analysis = nv.analyse(g)
    out = {}
    for fmt in (Format.DOT, Format.MERMAID, Format.HTML, Format.JSON):
        out[fmt.value] = draw(g, fmt, RenderOptions(), analysis).content
    out["dot-reachability"] = draw(
        g, Format.DOT, RenderOptions(view=View.REACHABILITY), analysis
    ).content
    out["dot-tb"] = draw(g, Format.DOT, RenderOptions(direction=Direction.TB), analysis).content
    out["report"] = render_report(g, RenderOptions(), analysis).content
    report = nv.audit(g, fail_on=nv.FailOn.NEVER).value
    grouped = nv.audit(g, grouped=True, fail_on=nv.FailOn.NEVER).value
    for audit_fmt in AuditFormat:
        out[f"audit-{audit_fmt.value}"] = render_audit(report, audit_fmt).content
    out["audit-grouped"] = render_audit(grouped, AuditFormat.JSON).content
    table = nv.matrix(g).value
    for matrix_fmt in MatrixFormat:
        out[f"matrix-{matrix_fmt.value}"] = render_matrix(table, matrix_fmt).content
    out["snapshot"] = nv.dumps_snapshot(snap).encode()
    out["fingerprints"] = "\n".join(f.fingerprint for f in audit_findings(snap)).encode()
    return out


def assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], f"{name} depends on input order"


@pytest.fixture(scope="module")
def demo_outputs():
    return everything(nv.load_snapshot(DEMO_FILE))


@settings(max_examples=6)
@given(st.integers(min_value=0, max_value=2**32))
def test_shuffled_demo_snapshot_gives_identical_outputs(tmp_path_factory, demo_outputs, seed):
    rng = random.Random(seed)
    data = json.loads(DEMO_FILE.read_text())
    path = tmp_path_factory.mktemp("order") / "demo.json"
    path.write_text(json.dumps(shuffled(data, rng, SNAPSHOT_SETS)))
    assert_same(everything(nv.load_snapshot(path)), demo_outputs)


def swarm(order, rng=None):
    captures = []
    for i in order:
        raw = load_raw(f"swarm-node{i}-raw.json")
        if rng is not None:
            body = json.loads((DATA / f"swarm-node{i}-raw.json").read_text())
            body = shuffled(body, rng, RAW_SETS)
            body["warnings"] = tuple(body.get("warnings", ()))
            raw = RawCapture(**body)
        captures.append((f"unix:///run/swarmlab/node{i}.sock", parse_capture(raw), None))
    return merge(captures)


@pytest.fixture(scope="module")
def swarm_outputs():
    return everything(swarm((1, 2, 3)))


@settings(max_examples=6)
@given(st.integers(min_value=0, max_value=2**32))
def test_shuffled_swarm_captures_give_identical_outputs(swarm_outputs, seed):
    rng = random.Random(seed)
    order = [1, 2, 3]
    rng.shuffle(order)
    assert_same(everything(swarm(order, rng)), swarm_outputs)


@pytest.fixture(scope="module")
def compose_project(tmp_path_factory):
    """The demo's compose file and its outputs; shuffled copies are written to the same path."""
    path = tmp_path_factory.mktemp("compose") / "compose.yaml"
    path.write_text(COMPOSE_FILE.read_text())
    return path, everything(nv.load_compose([path], project_name="shop"))


@settings(max_examples=6)
@given(st.integers(min_value=0, max_value=2**32))
def test_shuffled_compose_file_gives_identical_outputs(compose_project, seed):
    rng = random.Random(seed)
    path, expected = compose_project
    data = YAML(typ="safe").load(COMPOSE_FILE.read_text())
    with path.open("w") as fh:
        YAML().dump(shuffled(data, rng, COMPOSE_SETS), fh)
    assert_same(everything(nv.load_compose([path], project_name="shop")), expected)


def test_shuffling_really_reorders_the_inputs():
    """The test above would prove nothing if shuffling left the inputs as they were."""
    data = json.loads(DEMO_FILE.read_text())
    names = [c["name"] for c in data["containers"]]
    again = [c["name"] for c in shuffled(data, random.Random(1), SNAPSHOT_SETS)["containers"]]
    assert sorted(again) == sorted(names)
    assert again != names

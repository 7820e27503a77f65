"""The audit scales with the topology, not with the pairs (issue 12): grouped by default above
`PAIR_LIMIT`, every pair streamed when asked for, human tables bounded."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import visualizer as nv
from visualizer.analysis.audit import PAIR_LIMIT, build_report
from visualizer.analysis.listing import Listing
from visualizer.analysis.reachability import Reachability
from visualizer.graph import containers
from visualizer.renderers.audit_json import audit_json_pieces
from visualizer.renderers.audit_rows import ROWS_PER_RULE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from audit_scale import SHAPES


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_linear_estimate_bounds_the_real_counts(shape):
    g = nv.build_graph(SHAPES[shape](40))
    reach = Reachability(g)
    assert reach.estimate_pairs() >= sum(1 for _ in reach.pairs())
    assert reach.estimate_port_paths() >= sum(1 for _ in reach.port_paths())
    inside = frozenset(k for k, c in containers(g) if c.name.startswith("c0000"))
    assert reach.estimate_pairs(inside) >= sum(1 for _ in reach.around(inside))
    assert reach.estimate_port_paths(inside) >= sum(1 for _ in reach.port_paths_around(inside))


def test_isolated_publishers_are_grouped_by_default_with_their_published_ports():
    snap = SHAPES["isolated-publishing"](120)  # 120 x 119 port paths, no network pair
    done = nv.audit(snap, fmt=nv.AuditFormat.JSON)
    assert any("wrote the grouped form" in w for w in done.output.notes + done.value.notes)
    body = json.loads(done.output.text)
    assert "port_paths" not in body
    assert len(body["reachability_grouped"]["published"]) == 120


def test_every_pair_of_a_large_estate_is_streamed_and_the_same_text():
    snap = SHAPES["one-network"](110)  # 11,990 ordered pairs: above PAIR_LIMIT
    report = build_report(nv.build_graph(snap), grouped=False, fail_on=None)
    pairs = report.pairs
    assert pairs is not None
    assert not pairs.kept
    assert len(pairs) == 110 * 109 > PAIR_LIMIT
    held = replace(
        report,
        pairs=Listing.held(lambda: pairs),
        port_paths=Listing.held(lambda: report.port_paths or ()),
    )
    streamed = "".join(audit_json_pieces(report))
    assert streamed == "".join(audit_json_pieces(held))
    assert len(json.loads(streamed)["reachability"]) == 110 * 109
    done = nv.audit(snap, fmt=nv.AuditFormat.JSON, grouped=False)
    assert callable(done.output.body)  # written as it is made
    assert b"".join(done.output.chunks()) == "".join(audit_json_pieces(done.value)).encode()


def test_many_findings_of_one_rule_are_one_row_in_human_formats():
    snap = SHAPES["isolated-publishing"](50)
    for fmt in (nv.AuditFormat.TABLE, nv.AuditFormat.MARKDOWN):
        text = nv.audit(snap, fmt=fmt).output.text
        assert "50 findings of this rule" in text
        assert "and 42 more" in text
    markdown = nv.audit(snap, fmt=nv.AuditFormat.MARKDOWN).output.text
    assert sum(1 for line in markdown.splitlines() if line.startswith("| info | A5 |")) == 1
    body = json.loads(nv.audit(snap, fmt=nv.AuditFormat.JSON).output.text)
    assert sum(1 for f in body["findings"] if f["id"] == "A5") == 50 > ROWS_PER_RULE


def test_single_member_networks_are_counted_not_listed():
    text = nv.audit(SHAPES["isolated-publishing"](30), fmt=nv.AuditFormat.TABLE, grouped=True)
    assert "30 networks with fewer than two running members" in text.output.text
    assert "n00029" not in text.output.text

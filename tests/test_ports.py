"""Port ranges are summarised everywhere: `1-65535` is one line, not 65,535."""

from __future__ import annotations

import html
import json

import pytest
from conftest import run_cli

from visualizer.model import Port, port_runs, port_texts


def _ports(*specs: tuple[int, int | None, str]) -> list[Port]:
    return [Port(container_port=c, host_port=h, host_ip=ip) for c, h, ip in specs]


def test_consecutive_ports_become_one_run():
    ports = _ports(*((p, p + 1000, "0.0.0.0") for p in range(8000, 8011)))
    assert port_texts(ports) == ["0.0.0.0:9000-9010->8000-8010/tcp"]


def test_a_gap_a_host_address_or_a_protocol_breaks_a_run():
    ports = [
        *_ports((80, 80, "0.0.0.0"), (81, 81, "0.0.0.0"), (83, 83, "0.0.0.0")),
        *_ports((80, 80, "::"), (81, 81, "::")),
        Port(container_port=82, host_port=82, host_ip="0.0.0.0", protocol="udp"),
        *_ports((5000, None, ""), (5001, None, ""), (5002, None, "")),
    ]
    assert port_texts(ports) == [
        "0.0.0.0:80-81->80-81/tcp",
        "[::]:80-81->80-81/tcp",
        "0.0.0.0:82->82/udp",
        "0.0.0.0:83->83/tcp",
        "5000-5002/tcp (exposed)",
    ]


def test_host_ports_that_do_not_follow_break_a_run():
    ports = _ports((80, 8080, "0.0.0.0"), (81, 9090, "0.0.0.0"))
    assert [(a.container_port, b.container_port) for a, b in port_runs(ports)] == [
        (80, 80),
        (81, 81),
    ]


@pytest.fixture
def wide(lab):
    """A container exposing every port and publishing a range, on the real engine."""
    return lab.run("wide", "--expose", "1-65535", "-p", "30000-30009:30000-30009")


@pytest.mark.docker
def test_every_format_summarises_a_real_port_range(lab, wide, tmp_path):
    where = ["--filter", f"name={wide}"]
    dot = run_cli("render", "-f", "dot", "-o", "-", *where).stdout
    assert "0.0.0.0:30000-30009" in dot
    assert "exposed, not published: 1-29999/tcp, 30010-65535/tcp" in dot
    assert len(dot) < 10_000
    svg = tmp_path / "wide.svg"
    run_cli("render", "-o", str(svg), *where)  # Graphviz draws it
    assert "1-29999/tcp, 30010-65535/tcp" in html.unescape(svg.read_text())
    mermaid = run_cli("render", "-f", "mermaid", "-o", "-", *where).stdout
    assert "0.0.0.0:30000-30009 → 30000-30009/tcp" in mermaid
    audit = json.loads(run_cli("audit", "-f", "json", *where).stdout)
    (a5,) = [f for f in audit["findings"] if f["id"] == "A5"]
    assert "0.0.0.0:30000-30009->30000-30009/tcp" in a5["explanation"]
    assert len(a5["explanation"]) < 500

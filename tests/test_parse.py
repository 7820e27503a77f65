"""The parser, on raw API answers recorded from a real engine (scripts/record_raw.py)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import load_raw

import visualizer as nv
from visualizer.errors import EngineError
from visualizer.sources.parse import parse_capture, primary_name


@pytest.fixture(scope="module")
def snap():
    return parse_capture(load_raw("demo-raw.json"))


def by_name(snap, name):
    (found,) = [c for c in snap.containers if c.name == name]
    return found


def net(snap, name):
    (found,) = [n for n in snap.networks if n.name == name]
    return found


def test_bundled_demo_is_the_parse_of_the_recorded_answers(snap):
    assert replace(nv.load_demo(), source=snap.source) == snap


def test_every_container_listed_with_stopped_ones(snap):
    raw = load_raw("demo-raw.json")
    assert len(snap.containers) == len(raw.containers) == 14
    assert by_name(snap, "old-worker").state == "exited"
    assert not by_name(snap, "old-worker").is_running


def test_stopped_container_keeps_its_network_by_name(snap):
    # The list reports NetworkID "" for a stopped container: resolved through the name.
    (ep,) = by_name(snap, "old-worker").endpoints
    assert ep.network_id == net(snap, "user-network").id
    assert ep.ipv4 is None


def test_modes(snap):
    assert by_name(snap, "host-agent").network_mode == "host"
    assert [e.network_name for e in by_name(snap, "host-agent").endpoints] == ["host"]
    assert by_name(snap, "offline-job").is_none_mode
    sidecar = by_name(snap, "metrics-sidecar")
    assert sidecar.netns_target == by_name(snap, "container1").id
    assert sidecar.endpoints == ()


def test_default_bridge_gateway_filled_from_endpoints(snap):
    bridge = net(snap, "bridge")
    assert bridge.is_default_bridge
    raw_bridge = next(n for n in load_raw("demo-raw.json").networks if n["Name"] == "bridge")
    assert "Gateway" not in raw_bridge["IPAM"]["Config"][0]  # the engine leaves it out
    assert bridge.subnets[0].gateway == "172.17.0.1"


def test_dual_stack(snap):
    dual = net(snap, "dualstack")
    assert dual.ipv6
    assert [s.cidr for s in dual.subnets] == ["10.30.0.0/24", "fd00:5eed::/64"]
    assert dual.subnets[1].gateway == "fd00:5eed::1"
    (ep,) = by_name(snap, "ipv6-app").endpoints
    assert ep.ipv4.startswith("10.30.0.")
    assert ep.ipv6.startswith("fd00:5eed::")


def test_published_ports_keep_host_address(snap):
    web = {(p.host_ip, p.host_port, p.container_port) for p in by_name(snap, "shop_web_1").ports}
    assert web == {("0.0.0.0", 8080, 80), ("::", 8080, 80)}
    api = {(p.host_ip, p.host_port, p.container_port) for p in by_name(snap, "shop_api_1").ports}
    assert api == {("127.0.0.1", 9000, 9000)}
    requested = by_name(snap, "shop_web_1").requested_ports
    assert [(p.host_ip, p.host_port) for p in requested] == [("", 8080)]


def test_legacy_link_read_from_names(snap):
    links = by_name(snap, "legacy-client").links
    assert [(lk.target, lk.alias) for lk in links] == [("legacy-app", "legacy")]
    assert by_name(snap, "legacy-app").links == ()


def test_inspect_only_facts(snap):
    c2 = by_name(snap, "container2")
    (ep,) = c2.endpoints
    assert "backup" in ep.aliases
    assert c2.hostname == c2.id[:12]
    assert c2.privileged is False
    assert c2.cap_add == ()


def test_compose_project_and_internal_network(snap):
    assert by_name(snap, "shop_db_1").compose_project == "shop"
    assert by_name(snap, "shop_db_1").compose_service == "db"
    backend = net(snap, "shop_backend")
    assert backend.internal
    assert backend.labels["team"] == "payments"
    assert not net(snap, "tenants").icc


def test_without_inspect_the_unknowns_stay_unknown():
    raw = replace(load_raw("demo-raw.json"), inspected=None)
    snap = parse_capture(raw)
    assert not snap.inspected
    c2 = by_name(snap, "container2")
    assert c2.hostname is None
    assert c2.endpoints[0].aliases is None
    assert c2.privileged is None


def test_container_gone_before_inspect_is_skipped():
    raw = load_raw("demo-raw.json")
    victim = next(c["Id"] for c in raw.containers if primary_name(c) == "container2")
    inspected = {k: v for k, v in raw.inspected.items() if k != victim}
    snap = parse_capture(replace(raw, inspected=inspected))
    assert "container2" not in {c.name for c in snap.containers}
    assert len(snap.containers) == 13


def test_endpoint_on_unknown_network_is_a_warning_not_a_crash():
    raw = load_raw("demo-raw.json")
    networks = [n for n in raw.networks if n["Name"] != "tenants"]
    snap = parse_capture(replace(raw, networks=networks))
    assert by_name(snap, "tenant-a").endpoints == ()
    assert any("tenants" in w and "tenant-a" in w for w in snap.warnings)


def test_garbage_fields_are_ignored_not_trusted():
    raw = load_raw("demo-raw.json")
    containers = json.loads(json.dumps(raw.containers))
    containers[0]["Ports"] = "not a list"
    containers[0]["Labels"] = {"ok": "v", "bad": 3}
    containers[1]["NetworkSettings"] = None
    snap = parse_capture(replace(raw, containers=containers, inspected=None))
    first = next(c for c in snap.containers if c.id == containers[0]["Id"])
    assert first.ports == ()
    assert dict(first.labels) == {"ok": "v"}


def test_not_docker_answers():
    raw = load_raw("demo-raw.json")
    with pytest.raises(EngineError, match="is this a Docker engine"):
        parse_capture(replace(raw, networks={"message": "page not found"}))

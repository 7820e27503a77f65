"""The reachability rules on the demo snapshot (recorded from a real engine)."""

from __future__ import annotations

from dataclasses import replace
from itertools import permutations

import pytest

import visualizer as nv
from visualizer.analysis.reachability import Reachability
from visualizer.errors import NotFoundError, UsageError


@pytest.fixture(scope="module")
def demo():
    return nv.load_demo()


@pytest.fixture(scope="module")
def reach(demo):
    return Reachability(nv.build_graph(demo))


def v(reach, a, b):
    return reach.verdict(reach.find(a), reach.find(b))


def test_r1_same_user_bridge_by_ip_and_name(reach):
    got = v(reach, "container1", "container2")
    assert got.reachable
    assert got.by_name
    assert got.via == ("user-network",)
    assert "R1" in got.rules
    assert {"container2", "container2.user-network", "backup"} <= set(got.names)


def test_r2_default_bridge_ip_only_and_links_one_way(reach):
    forward = v(reach, "legacy-client", "legacy-app")
    back = v(reach, "legacy-app", "legacy-client")
    assert forward.reachable and back.reachable
    assert forward.by_name  # the link writes /etc/hosts on the holder only
    assert set(forward.names) == {"legacy", "legacy-app"}
    assert not back.by_name
    assert back.rules == ("R2",)


def test_r3_different_networks_isolated(reach):
    got = v(reach, "container1", "shop_web_1")
    assert not got.reachable
    assert got.rules == ("R3",)


def test_r4_icc_off(reach):
    got = v(reach, "tenant-a", "tenant-b")
    assert not got.reachable
    assert got.rules == ("R4",)


def test_icc_off_is_open_when_the_kernel_does_not_enforce_it(demo):
    lax = replace(demo, engine=replace(demo.engine, bridge_nf_iptables=False))
    r = Reachability(nv.build_graph(lax))
    assert v(r, "tenant-a", "tenant-b").reachable


def test_r5_internal_members_reach_each_other_and_the_host(reach):
    got = v(reach, "shop_db_1", "shop_api_1")
    assert got.reachable
    assert "R5" in got.rules
    host = v(reach, "shop_db_1", "host-agent")
    assert host.reachable
    assert "R5" in host.rules


def test_r6_multi_homed_reaches_both_sides_which_stay_apart(reach):
    assert v(reach, "shop_api_1", "shop_web_1").reachable
    assert v(reach, "shop_api_1", "shop_db_1").reachable
    assert not v(reach, "shop_web_1", "shop_db_1").reachable
    assert not v(reach, "shop_db_1", "shop_web_1").reachable


def test_r7_sidecar_shares_the_stack_without_a_name(reach):
    assert v(reach, "metrics-sidecar", "container2").by_name
    to_sidecar = v(reach, "container2", "metrics-sidecar")
    assert to_sidecar.reachable
    assert not to_sidecar.by_name
    same = v(reach, "metrics-sidecar", "container1")
    assert same.reachable
    assert same.rules == ("R7",)


def test_r8_none_reaches_nothing(reach, demo):
    for c in demo.containers:
        if c.name != "offline-job":
            assert not v(reach, "offline-job", c.name).reachable
            assert not v(reach, c.name, "offline-job").reachable


def test_r9_r10_host_network(reach, demo):
    running = [
        c.name
        for c in demo.containers
        if c.is_running and c.name not in {"host-agent", "offline-job"}
    ]
    for name in running:
        assert v(reach, "host-agent", name).reachable, name
        assert v(reach, name, "host-agent").reachable, name
        assert not v(reach, name, "host-agent").by_name


def test_stopped_reaches_nothing(reach, demo):
    for c in demo.containers:
        if c.name != "old-worker":
            assert v(reach, "old-worker", c.name).rules == ("STOPPED",)
            assert not v(reach, c.name, "old-worker").reachable


def test_pairs_equal_every_reachable_verdict(reach, demo):
    brute = set()
    for a, b in permutations([c.name for c in demo.containers], 2):
        if v(reach, a, b).reachable:
            brute.add((a, b))
    assert {(p.source, p.target) for p in reach.pairs()} == brute


def test_grouped_form_expands_to_the_same_pairs(reach):
    grouped = reach.grouped()
    expanded = set()
    for seg in grouped.segments:
        if seg.policy.value in {"by-name", "by-ip", "unknown"}:
            expanded |= {(a, b) for a, b in permutations(seg.members, 2)}
    for stack in grouped.stacks:
        expanded |= set(permutations(stack, 2))
    for stack in grouped.hosts:
        expanded |= {(h, c) for h in stack.containers for c in stack.reaches}
        expanded |= {(c, h) for h in stack.containers for c in stack.reached_by}
        expanded |= set(permutations(stack.containers, 2))
    assert expanded == {(p.source, p.target) for p in reach.pairs()}


def test_port_paths(reach):
    paths = {(p.source, p.target): p for p in reach.port_paths()}
    # all-interfaces port of shop_web_1: every container with a non-internal gateway
    assert ("tenant-a", "shop_web_1") in paths
    assert ("container1", "shop_web_1") in paths
    # not from an internal network (measured: DNAT-ed traffic may not leave it)
    assert ("shop_db_1", "shop_web_1") not in paths
    # loopback-only ports are not reachable from containers
    assert not any(target in {"shop_api_1", "ipv6-app"} for _, target in paths)
    # the v6 binding only for a source with IPv6
    assert {p.host_ip for p in paths[("ipv6-app", "shop_web_1")].ports} == {"0.0.0.0", "::"}
    assert {p.host_ip for p in paths[("container1", "shop_web_1")].ports} == {"0.0.0.0"}


def test_find(reach, demo):
    c1 = next(c for c in demo.containers if c.name == "container1")
    assert reach.find("/container1") == reach.find(c1.id[:6])
    with pytest.raises(NotFoundError):
        reach.find("ghost")
    with pytest.raises(UsageError):
        reach.verdict(reach.find("container1"), reach.find("container1"))


def test_gateway_mode_isolated_is_credited_only_where_honoured(demo):
    backend = next(n for n in demo.networks if n.name == "shop_backend")
    opts = {**backend.options, "com.docker.network.bridge.gateway_mode_ipv4": "isolated"}
    nets = tuple(replace(n, options=opts) if n is backend else n for n in demo.networks)
    old = Reachability(nv.build_graph(replace(demo, networks=nets)))
    assert v(old, "shop_db_1", "host-agent").reachable  # 20.10 stores the option and ignores it
    new_engine = replace(demo.engine, server_version="28.2.2")
    new = Reachability(nv.build_graph(replace(demo, networks=nets, engine=new_engine)))
    assert not v(new, "shop_db_1", "host-agent").reachable
    assert v(new, "shop_api_1", "host-agent").reachable  # still has shop_frontend

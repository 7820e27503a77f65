"""The bipartite graph and the filtered views, on the bundled demo (recorded from an engine)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import networkx as nx
import pytest

import visualizer as nv
from visualizer.errors import UsageError
from visualizer.graph import CONTAINER, NETWORK, container_key, containers, network_key, networks
from visualizer.selection import Selection, parse_filters, select


@pytest.fixture(scope="module")
def demo():
    return nv.load_demo()


@pytest.fixture(scope="module")
def g(demo):
    return nv.build_graph(demo)


def ckey(snap, name):
    return container_key(next(c.id for c in snap.containers if c.name == name))


def nkey(snap, name):
    return network_key(next(n.id for n in snap.networks if n.name == name))


def names(view):
    return {r.name for _, r in containers(view)}, {r.name for _, r in networks(view)}


def test_bipartite(g, demo):
    nets = {k for k, d in g.nodes(data=True) if d["bipartite"] == NETWORK}
    ctrs = {k for k, d in g.nodes(data=True) if d["bipartite"] == CONTAINER}
    assert len(nets) == len(demo.networks)
    assert len(ctrs) == len(demo.containers)
    assert nx.bipartite.is_bipartite_node_set(g, nets)
    for u, v in g.edges:
        assert {g.nodes[u]["bipartite"], g.nodes[v]["bipartite"]} == {NETWORK, CONTAINER}


def test_one_edge_per_endpoint_with_addresses(g, demo):
    own = [(u, v) for u, v, d in g.edges(data=True) if d["shared_from"] is None]
    assert len(own) == sum(len(c.endpoints) for c in demo.containers)
    ep = g.edges[nkey(demo, "user-network"), ckey(demo, "container1")]["endpoint"]
    user = next(n for n in demo.networks if n.name == "user-network")
    assert ipaddress.ip_address(ep.ipv4) in ipaddress.ip_network(user.subnets[0].cidr)
    assert ep.mac


def test_classic_example(g, demo):
    user = nkey(demo, "user-network")
    assert g.has_edge(user, ckey(demo, "container1"))
    assert g.has_edge(user, ckey(demo, "container2"))


def test_host_none_multi_homed_and_stopped(g, demo):
    assert set(g[ckey(demo, "host-agent")]) == {nkey(demo, "host")}
    assert set(g[ckey(demo, "offline-job")]) == {nkey(demo, "none")}
    assert set(g[ckey(demo, "shop_api_1")]) == {
        nkey(demo, "shop_frontend"),
        nkey(demo, "shop_backend"),
    }
    stopped = g.edges[nkey(demo, "user-network"), ckey(demo, "old-worker")]["endpoint"]
    assert stopped.addresses == ()


def test_sidecar_is_tied_to_its_stack_owner(g, demo):
    side, owner = ckey(demo, "metrics-sidecar"), ckey(demo, "container1")
    assert g.nodes[side]["netns_of"] == owner
    assert g.nodes[side]["netns_owner"] == owner
    edge = g.edges[nkey(demo, "user-network"), side]
    assert edge["shared_from"] == owner
    assert edge["endpoint"] == g.edges[nkey(demo, "user-network"), owner]["endpoint"]


def test_sidecar_chain_and_missing_owner(demo):
    c1 = next(c for c in demo.containers if c.name == "container1")
    side = next(c for c in demo.containers if c.name == "metrics-sidecar")
    chained = replace(side, id="f" * 64, name="second-sidecar", network_mode=f"container:{side.id}")
    lost = replace(side, id="e" * 64, name="orphan", network_mode="container:" + "0" * 64)
    g = nv.build_graph(replace(demo, containers=(*demo.containers, chained, lost)))
    assert g.nodes[container_key(chained.id)]["netns_of"] == container_key(side.id)
    assert g.nodes[container_key(chained.id)]["netns_owner"] == container_key(c1.id)
    assert g.degree(container_key(chained.id)) == 1
    assert g.nodes[container_key(lost.id)]["netns_missing"] == "0" * 64
    assert any("orphan" in w for w in g.graph["warnings"])


@pytest.mark.parametrize(
    ("filters", "want_containers", "want_networks"),
    [
        (
            ["network=user-network"],
            {"container1", "container2", "old-worker", "metrics-sidecar"},
            {"user-network"},
        ),
        (["driver=host"], {"host-agent"}, {"host"}),
        (
            ["project=shop"],
            {"shop_web_1", "shop_api_1", "shop_db_1"},
            {"shop_frontend", "shop_backend"},
        ),
        (["project=shop", "network=shop_backend"], {"shop_api_1", "shop_db_1"}, {"shop_backend"}),
        (["label=team=payments"], {"shop_api_1", "shop_db_1"}, {"shop_backend"}),
        (
            ["label=team"],
            {"shop_api_1", "shop_db_1", "tenant-a", "tenant-b"},
            {"shop_backend", "tenants"},
        ),
        (["driver=host", "driver=null"], {"host-agent", "offline-job"}, {"host", "none"}),
        (["network=nothing-like-this"], set(), set()),
    ],
)
def test_filters(g, filters, want_containers, want_networks):
    view = select(g, Selection(filters=parse_filters(filters)))
    assert names(view) == (want_containers, want_networks)


def test_filter_that_picks_a_sidecar_brings_its_owner(demo):
    side = next(c for c in demo.containers if c.name == "metrics-sidecar")
    labelled = replace(side, labels={"role": "metrics"})
    snap = replace(demo, containers=tuple(labelled if c is side else c for c in demo.containers))
    view = select(nv.build_graph(snap), Selection(filters=parse_filters(["label=role=metrics"])))
    assert names(view)[0] == {"metrics-sidecar", "container1"}


def test_hide_unused_builtin(demo):
    shop_only = replace(demo, containers=tuple(c for c in demo.containers if c.compose_project))
    g = nv.build_graph(shop_only)
    assert {"bridge", "host", "none"} <= names(select(g, Selection()))[1]
    hidden = names(select(g, Selection(hide_unused_builtin=True)))[1]
    assert hidden == {n.name for n in demo.networks} - {"bridge", "host", "none"}
    # used built-ins stay
    full = names(select(nv.build_graph(demo), Selection(hide_unused_builtin=True)))[1]
    assert {"bridge", "host", "none"} <= full


@pytest.mark.parametrize("bad", ["network", "colour=red", "=x", "network="])
def test_bad_filters(bad):
    with pytest.raises(UsageError, match="bad filter"):
        parse_filters([bad])

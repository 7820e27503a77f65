"""The model against reality: every ordered pair of a topology that exercises every rule
testable on this machine, compared with ping from inside the containers, then `netviz probe`.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from itertools import permutations

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.analysis.reachability import Reachability

pytestmark = pytest.mark.docker

HTTPD = ("sh", "-c", "httpd -p 81 -h /www; httpd -f -p 80 -h /www")
PING_ALL = r"""
for t in "$@"; do
  # a second try: on a busy host a lost packet or a slow lookup is not unreachability
  ( if ping -c 1 -W 1 "${t#*=}" >/dev/null 2>&1 || ping -c 1 -W 3 "${t#*=}" >/dev/null 2>&1
    then echo "ok $t"; else echo "no $t"; fi ) &
done
wait
"""


@pytest.fixture(scope="module")
def world(module_lab):
    lab = module_lab
    parent = lab.prefix[:-1] + "v0"
    subprocess.run(
        ["ip", "link", "add", parent, "type", "veth", "peer", "name", lab.prefix[:-1] + "v1"],
        check=True,
    )
    subprocess.run(["ip", "link", "set", parent, "up"], check=True)
    # the parent needs a carrier, as a real LAN port has: bring its peer up too
    subprocess.run(["ip", "link", "set", lab.prefix[:-1] + "v1", "up"], check=True)
    try:
        lab.network("u1")
        lab.network("u2")
        lab.network("int", "--internal")
        lab.network("noicc", "-o", "com.docker.network.bridge.enable_icc=false")
        lab.network("mv", "-d", "macvlan", "-o", f"parent={parent}", "--subnet", "10.99.0.0/24")
        lab.run("a1", "--network", lab.name("u1"), "-p", "80", "-p", "127.0.0.1::81", cmd=HTTPD)
        lab.run("a2", "--network", lab.name("u1"), "--network-alias", "a2alias")
        lab.run("m", "--network", lab.name("u1"))
        lab.docker("network", "connect", lab.name("u2"), lab.name("m"))
        lab.run("b1", "--network", lab.name("u2"))
        lab.run("i1", "--network", lab.name("int"))
        lab.run("i2", "--network", lab.name("int"))
        lab.run("n1", "--network", lab.name("noicc"), "-p", "80", cmd=HTTPD)
        lab.run("n2", "--network", lab.name("noicc"))
        lab.run("d1", cmd=HTTPD)
        lab.run("d2", "--link", f"{lab.name('d1')}:dl")
        lab.run("d3")
        lab.run("s", "--network", f"container:{lab.name('a1')}")
        lab.run("z", "--network", "none")
        lab.run("h", "--network", "host")
        lab.run("mv1", "--network", lab.name("mv"))
        lab.run("mv2", "--network", lab.name("mv"))
        lab.run("x", "--network", lab.name("u1"))
        lab.docker("stop", "-t", "0", lab.name("x"))
        snap = nv.load(nv.SourceSpec(), inspect=True)
        yield lab, snap
    finally:
        lab.cleanup()
        subprocess.run(["ip", "link", "del", parent], check=False)


def inspect_all(lab, names):
    raw = json.loads(lab.docker("inspect", *names).stdout)
    return {c["Name"].lstrip("/"): c for c in raw}


def observed(lab, names):
    """(source, target) -> (reaches by IP, reaches by name), measured with ping."""
    info = inspect_all(lab, names)
    by_id = {c["Id"]: c for c in info.values()}

    def stack(name):
        c = info[name]
        mode = c["HostConfig"]["NetworkMode"]
        return by_id[mode.removeprefix("container:")] if mode.startswith("container:") else c

    def addresses(c):
        nets = c["NetworkSettings"]["Networks"].values()
        return [n["IPAddress"] for n in nets if n["IPAddress"]]

    def gateway(c):
        return next(
            (n["Gateway"] for n in c["NetworkSettings"]["Networks"].values() if n["Gateway"]), None
        )

    running = [n for n in names if info[n]["State"]["Running"]]

    def measure(src):
        args = []
        for dst in names:
            if dst == src:
                continue
            target = stack(dst)
            if target["HostConfig"]["NetworkMode"] == "host":
                gw = gateway(stack(src))
                addrs = [gw] if gw else []
                if stack(src)["HostConfig"]["NetworkMode"] == "host":
                    addrs = ["127.0.0.1"]
            elif not info[dst]["State"]["Running"]:
                addrs = []
            else:
                addrs = addresses(target)
            args += [f"ip:{dst}={a}" for a in addrs]
            args.append(f"name:{dst}={dst}")
        out = lab.docker("exec", src, "sh", "-c", PING_ALL, "ping-all", *args).stdout
        ok = {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("ok ")}
        result = {}
        for dst in names:
            if dst != src:
                by_ip = any(a.startswith(f"ip:{dst}=") for a in ok)
                result[(src, dst)] = (by_ip, f"name:{dst}={dst}" in ok)
        return result

    found = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for part in pool.map(measure, running):
            found.update(part)
    for src in names:
        if src not in running:
            for dst in names:
                if dst != src:
                    found[(src, dst)] = (False, False)
    return found


def test_every_ordered_pair_matches_ping(world):
    lab, snap = world
    g = nv.build_graph(snap)
    model = Reachability(g)
    names = sorted(c.name for c in snap.containers if c.name.startswith(lab.prefix))
    assert len(names) == 17
    reality = observed(lab, names)
    wrong = []
    for a, b in permutations(names, 2):
        v = model.verdict(model.find(a), model.find(b))
        predicted = (v.reachable, v.reachable and v.by_name)
        if predicted != reality[(a, b)]:
            wrong.append(f"{a} -> {b}: model {predicted} ({v.reason}), ping {reality[(a, b)]}")
    assert not wrong, "\n".join(wrong)
    # the topology really exercises the rules
    yes = {pair for pair, (ip, _) in reality.items() if ip}
    n = lab.name
    assert (n("a1"), n("a2")) in yes  # R1
    assert (n("n1"), n("n2")) not in yes  # R4
    assert (n("m"), n("b1")) in yes and (n("a1"), n("b1")) not in yes  # R6
    assert (n("mv1"), n("mv2")) in yes and (n("h"), n("mv1")) not in yes  # R17
    assert (n("h"), n("i1")) in yes and (n("i1"), n("h")) in yes  # R5, R9, R10
    assert reality[(n("d2"), n("d1"))] == (True, True) and reality[(n("d1"), n("d2"))] == (
        True,
        False,
    )  # R2
    assert reality[(n("s"), n("a2"))] == (True, True) and reality[(n("a2"), n("s"))] == (
        True,
        False,
    )  # R7


def test_probe_agrees_with_the_model(world):
    lab, _ = world
    done = run_cli("probe", "--filter", f"label={lab.label}", "--json", timeout=300)
    body = json.loads(done.stdout)
    assert done.returncode == 0, [c for c in body["checks"] if not c["agrees"]]
    assert body["summary"]["mismatches"] == 0
    kinds = {c["kind"] for c in body["checks"]}
    assert kinds == {"ip", "name", "tcp"}
    tcp = {(c["from"], c["to"]): c for c in body["checks"] if c["kind"] == "tcp"}
    n = lab.name
    assert (
        tcp[(n("n2"), n("n1"))]["observed"] is True
    )  # icc off, but the published port via the host
    assert tcp[(n("i1"), n("a1"))]["observed"] is False  # not from an internal network
    skipped = {s["subject"]: s["reason"] for s in body["skipped"]}
    assert skipped[n("x")].startswith("not running")


def test_probe_reports_containers_without_tools(lab):
    lab.network("bare")
    lab.run("tool", "--network", lab.name("bare"))
    lab.run("noshell", "--network", lab.name("bare"))
    lab.docker("exec", lab.name("noshell"), "busybox", "rm", "/bin/sh")  # as in a distroless image

    done = run_cli("probe", "--filter", f"label={lab.label}", "--json")
    body = json.loads(done.stdout)
    skipped = {s["subject"]: s["reason"] for s in body["skipped"]}
    assert skipped[lab.name("noshell")] == "no shell (sh) in the container"
    assert {c["from"] for c in body["checks"]} == {lab.name("tool")}
    assert body["summary"]["mismatches"] == 0


def test_probe_needs_a_live_engine():
    done = run_cli("probe", "-H", "unix:///nonexistent.sock")
    assert done.returncode == 3


def test_published_ports_through_the_host_match_nc(world):
    lab, snap = world
    model = Reachability(nv.build_graph(snap))
    a1 = next(c for c in snap.containers if c.name == lab.name("a1"))
    wide = next(p for p in a1.ports if p.host_ip == "0.0.0.0")
    local = next(p for p in a1.ports if p.host_ip == "127.0.0.1")
    gw = json.loads(lab.docker("inspect", lab.name("b1")).stdout)[0]["NetworkSettings"]["Networks"]
    gateway = next(iter(gw.values()))["Gateway"]

    def connects(src, port):
        cmd = f"nc -w 2 {gateway} {port} </dev/null >/dev/null 2>&1"
        return lab.docker("exec", lab.name(src), "sh", "-c", cmd, check=False).returncode == 0

    path = model.port_path(model.find(lab.name("b1")), model.find(lab.name("a1")))
    assert path is not None
    assert {p.host_port for p in path.ports} == {wide.host_port}  # loopback binding excluded
    assert connects("b1", wide.host_port)  # all interfaces: reachable through the gateway (X5)
    assert not connects("b1", local.host_port)  # 127.0.0.1 only: not from a container (X6)
    assert model.port_path(model.find(lab.name("i1")), model.find(lab.name("a1"))) is None
    i_gateway = json.loads(lab.docker("inspect", lab.name("i1")).stdout)[0]["NetworkSettings"][
        "Networks"
    ]
    i_gw = next(iter(i_gateway.values()))["Gateway"]
    cmd = f"nc -w 2 {i_gw} {wide.host_port} </dev/null >/dev/null 2>&1"
    assert lab.docker("exec", lab.name("i1"), "sh", "-c", cmd, check=False).returncode != 0


def test_findings_on_the_live_topology(world):
    lab, _ = world
    done = run_cli("audit", "-f", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    by_id: dict[str, set[str]] = {}
    for f in body["findings"]:
        by_id.setdefault(f["id"], set()).update(s["name"] for s in f["subjects"])
    n = lab.name
    assert n("h") in by_id["A1"]
    assert n("a1") in by_id["A3"]
    assert {n("mv"), n("mv1"), n("mv2")} <= by_id["A14"]
    assert n("int") in by_id["A13"]
    assert n("m") in by_id["A12"]
    assert {n("d2"), n("d1")} <= by_id["A11"]
    assert n("d3") in by_id["A9"]
    assert any("macvlan/ipvlan members reach each other only while" in c for c in body["caveats"])

"""`netviz what-if` proved on the real engine: predict, apply the same commands, compare.

Each script starts from a state captured from the engine (objects under the lab's prefix),
is predicted, then run for real with the docker CLI (stopping at the first command that
fails, as `set -e` would). The captured result must equal the prediction for reachability,
channels besides the network, findings (A1-A29) and topology with its mounts, modulo what
only the engine decides (addresses not given, IDs, anonymous volumes' names, ephemeral host
ports); a refused command must be the one the engine refuses, with the same words. One test
goes through the CLI end to end: `netviz what-if` on the live engine, the change made, and the
live `netviz audit` compared with the audit of the saved prediction and with the report.
"""

from __future__ import annotations

import json
import random
import re
import shlex
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import IMAGE, run_cli
from proxy import DockerProxy

import visualizer as nv
from visualizer.analysis.audit import analyse
from visualizer.analysis.diff import diff_graphs
from visualizer.analysis.reachability import Reachability
from visualizer.renderers.diff_report import diff_text
from visualizer.sources.whatif import Prediction, predict, read_changes

if TYPE_CHECKING:
    from visualizer.model import Snapshot

pytestmark = pytest.mark.docker

_ID = re.compile(r"\b[0-9a-f]{64}\b")
_ANONYMOUS = re.compile(r"\b[0-9a-f]{12}(?:[0-9a-f]{52})?\b")
"""Anonymous volumes' names (and short IDs): only the engine decides them."""


# ---- the harness -------------------------------------------------------------------------------


def capture(prefix: str) -> Snapshot:
    """The engine's state, restricted to the lab's objects and the engine's own networks."""
    snap = nv.load(nv.SourceSpec(), inspect=True)
    return replace(
        snap,
        networks=tuple(n for n in snap.networks if n.name.startswith(prefix) or n.is_builtin),
        containers=tuple(c for c in snap.containers if c.name.startswith(prefix)),
        warnings=(),
    )


def for_real(lines: list[str], cwd) -> tuple[int | None, str]:
    """Run the commands with the docker CLI; the index and stderr of the first that fails."""
    autoremove: set[str] = set()
    for index, line in enumerate(lines):
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[:2] == ["docker", "run"] and "--rm" in words:
            autoremove.add(words[words.index("--name") + 1])
        done = subprocess.run(
            words, capture_output=True, text=True, cwd=cwd, timeout=300, check=False
        )
        if done.returncode != 0:
            return index, done.stderr
    settle(autoremove)
    return None, ""


def settle(names: set[str]) -> None:
    """Wait until the engine has removed stopped `--rm` containers (it does so after `stop`)."""
    for _ in range(50):
        left = subprocess.run(
            ["docker", "ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        if not names & set(left):
            return
        time.sleep(0.2)


def pairs(snap: Snapshot) -> set[tuple[str, str, bool, tuple[str, ...]]]:
    return {
        (v.source, v.target, v.by_name, v.via) for v in Reachability(nv.build_graph(snap)).pairs()
    }


def findings(snap: Snapshot) -> set[tuple[str, tuple[str, ...], str, str, str]]:
    """Every finding, those about two containers' data (A29) included, as the audit has them.

    The detail is compared for the isolation findings (A21-A29: the mount, namespace, device
    or option); elsewhere it holds ports the engine picks.
    """
    isolation = {f"A{n}" for n in range(21, 30)}
    return {
        (
            f.id,
            tuple(s.name for s in f.subjects),
            f.severity.label,
            f.status.value,
            _ANONYMOUS.sub("<id>", f.detail) if f.id in isolation else "",
        )
        for f in analyse(nv.build_graph(snap)).findings
    }


def channels(snap: Snapshot) -> set[tuple[str, str, str, str, str]]:
    """Every channel besides the network, anonymous volumes' names left out."""
    return {
        (ch.source, ch.target, ch.kind.value, _ANONYMOUS.sub("<id>", ch.resource), ch.direction)
        for ch in analyse(nv.build_graph(snap)).channels.pairs()
    }


def topology(snap: Snapshot):
    """Networks and endpoints as facts both sides know (no IDs, no engine-chosen addresses)."""
    nets = {
        (n.name, n.driver, n.internal, n.ipv6, n.icc, tuple(s.cidr for s in n.subnets))
        for n in snap.networks
        if n.subnets or not n.is_builtin
    }
    names = {c.id: c.name for c in snap.containers}
    given = {
        (c.name, ep.network_name, c.is_running, c.network_mode.split(":")[0])
        for c in snap.containers
        for ep in c.endpoints
    }
    given |= {
        (c.name, f"container:{names.get(c.netns_target or '', '?')}", c.is_running, "container")
        for c in snap.containers
        if c.netns_target
    }
    return nets, given


def same(predicted: Snapshot, real: Snapshot) -> None:
    """Prediction = reality: the diff finds nothing, and reachability, findings, topology agree."""
    change = diff_graphs(
        nv.build_graph(predicted), nv.build_graph(real), a_label="prediction", b_label="engine"
    )
    assert change.equal, diff_text(change)
    assert pairs(predicted) == pairs(real)
    assert findings(predicted) == findings(real)
    assert channels(predicted) == channels(real)
    real_nets, real_eps = topology(real)
    predicted_nets, predicted_eps = topology(predicted)
    assert predicted_eps == real_eps
    unknown = {n[0] for n in predicted_nets if not n[5]}  # subnets the engine chooses
    assert {n for n in predicted_nets if n[0] not in unknown} == {
        n for n in real_nets if n[0] not in unknown
    }
    assert {n[:5] for n in predicted_nets} == {n[:5] for n in real_nets}


_ENDPOINTS = re.compile(r"(network endpoints: )([^\n]*)")


def worded(message: str) -> str:
    """A message with IDs left out, and the networks of a several-networks refusal sorted (the
    engine lists them in the order of a Go map, which changes from run to run)."""
    message = _ID.sub("<id>", message)
    return _ENDPOINTS.sub(lambda m: m[1] + ", ".join(sorted(m[2].split(", "))), message)


def prove(lab, script: str, cwd) -> Prediction:
    """Predict a script from the captured state, run it for real, and compare."""
    lines = [line for line in script.strip().splitlines() if line.strip()]
    before = capture(lab.prefix)
    prediction = predict(before, read_changes(lines), cwd=cwd)
    failed, stderr = for_real(lines, cwd)
    real = capture(lab.prefix)
    if prediction.refusal is None:
        assert failed is None, f"the engine refused line {failed + 1}: {stderr}"
    else:
        assert failed is not None, f"predicted a refusal, the engine did it: {prediction.refusal}"
        assert prediction.refusal.origin == f"argument {failed + 1}", (prediction.refusal, stderr)
        assert worded(prediction.refusal.message) in worded(stderr)
    same(prediction.after, real)
    return prediction


def base(lab, *lines: str) -> None:
    failed, stderr = for_real(list(lines), None)
    assert failed is None, stderr


@pytest.fixture(scope="module")
def net(module_lab):
    """Second and third octets for this module's subnets, and free host ports."""
    rng = random.Random(module_lab.prefix)
    return {
        "a": rng.randint(100, 250),
        "b": rng.randint(1, 80),
        "c": rng.randint(81, 160),
        "d": rng.randint(161, 240),
        "port": rng.randint(20000, 29000),
    }


def fill(text: str, lab, net) -> str:
    return text.format(P=lab.prefix, IMAGE=IMAGE, **net)


# ---- every supported command and option, applied for real --------------------------------------

NETWORKS_AND_RUN = """
docker network create --driver bridge --subnet 10.{a}.{b}.0/24 --gateway 10.{a}.{b}.254 --ip-range 10.{a}.{b}.128/25 -o com.docker.network.bridge.enable_icc=false --label team=blue {P}iso
docker network create --internal {P}int
docker network create --attachable --ipv6 --subnet 10.{a}.{c}.0/24 --subnet fd00:{a}:{c}::/64 {P}v6
docker network create {P}tmp
docker run -d --name {P}api --network {P}iso --network-alias api --ip 10.{a}.{b}.200 -p 127.0.0.1:{port}:80/tcp -p 90 --expose 99 --cap-add net_admin --label role=api -e X=1 {IMAGE} sleep 1d
docker run -d --name {P}six --net {P}v6 --ip 10.{a}.{c}.10 --ip6 fd00:{a}:{c}::10 --hostname six-host --sysctl net.ipv4.ip_forward=1 {IMAGE} sleep 1d
docker network connect --alias api-int {P}int {P}api
docker network connect --ip 10.{a}.{b}.201 --link {P}api:backend {P}iso {P}six
docker network connect --ip6 fd00:{a}:{c}::20 {P}v6 {P}web
docker network disconnect -f {P}front {P}web
docker run -d --name {P}legacy1 {IMAGE} sleep 1d
docker run -d --name {P}legacy2 --link {P}legacy1:l1 {IMAGE} sleep 1d
docker run -d --name {P}side --network container:{P}api {IMAGE} sleep 1d
docker run -d --name {P}hostnet --network host {IMAGE} sleep 1d
docker run -d --name {P}alone --network none {IMAGE} sleep 1d
docker run -d --name {P}gone --network {P}tmp {IMAGE} sleep 1d
docker stop -t 0 {P}gone
docker network rm {P}tmp
docker stop -t 0 {P}db
docker start {P}db {P}old
docker rename {P}legacy1 {P}legacy1b
docker rm -f {P}alone
docker run -d --rm --name {P}temp --network {P}front {IMAGE} sleep 1d
docker stop -t 0 {P}temp
docker rename {P}api {P}apiserver
docker rm -f {P}legacy1b
"""


def test_every_network_and_container_command_as_the_engine_does_it(module_lab, net, tmp_path):
    lab = module_lab
    base(
        lab,
        f"docker network create {lab.prefix}front",
        f"docker network create --subnet 10.{net['a']}.{net['d']}.0/24 {lab.prefix}back",
        f"docker run -d --name {lab.prefix}web --network {lab.prefix}front -p 127.0.0.1::80"
        f" {IMAGE} sleep 1d",
        f"docker run -d --name {lab.prefix}db --network {lab.prefix}back {IMAGE} sleep 1d",
        f"docker run -d --name {lab.prefix}old --network {lab.prefix}back {IMAGE} sleep 1d",
        f"docker stop -t 0 {lab.prefix}old",
    )
    prediction = prove(lab, fill(NETWORKS_AND_RUN, lab, net), tmp_path)
    assert prediction.refusal is None
    assert len(prediction.steps) == 26
    links = {c.name: c.links for c in prediction.after.containers}
    assert [lk.target for lk in links[f"{lab.prefix}six"]] == [f"{lab.prefix}api"]  # as given
    assert links[f"{lab.prefix}legacy2"] == ()  # a legacy link dies with its target


def test_the_study_note_example_on_the_engine(lab, tmp_path):
    """container2 leaves user-network, then a third container joins it."""
    p = lab.prefix
    base(
        lab,
        f"docker network create {p}user-network",
        f"docker run -d --name {p}container1 --network {p}user-network {IMAGE} sleep 1d",
        f"docker run -d --name {p}container2 --network {p}user-network --network-alias backup"
        f" {IMAGE} sleep 1d",
    )
    script = f"""
    docker network disconnect {p}user-network {p}container2
    docker run -d --name {p}container3 --network {p}user-network {IMAGE} sleep 1d
    """
    prediction = prove(lab, script, tmp_path)
    reach = pairs(prediction.after)
    assert (f"{p}container1", f"{p}container3", True, (f"{p}user-network",)) in reach
    assert not any(f"{p}container2" in (a, b) for a, b, _, _ in reach)


COMPOSE = """
services:
  web:
    image: {IMAGE}
    command: ["sleep", "1d"]
    ports: ["127.0.0.1:{port}:80"]
    networks: [front]
  api:
    image: {IMAGE}
    command: ["sleep", "1d"]
    cap_add: [NET_ADMIN]
    networks:
      front: {{aliases: [api.local]}}
      back: {{}}
  db:
    image: {IMAGE}
    command: ["sleep", "1d"]
    networks: [back]
  probe:
    image: {IMAGE}
    command: ["sleep", "1d"]
    network_mode: "service:api"
  shared:
    image: {IMAGE}
    command: ["sleep", "1d"]
    networks: [outside]
networks:
  front: {{}}
  back: {{internal: true}}
  outside: {{external: true, name: {P}ext}}
"""


@pytest.mark.usefixtures("docker_compose")
def test_compose_up_and_down_as_compose_does_it(lab, net, tmp_path):
    p = lab.prefix
    (tmp_path / "compose.yml").write_text(fill(COMPOSE, lab, {**net, "port": net["port"] + 1}))
    project = f"{p}proj"
    base(lab, f"docker network create {p}ext")
    up = f"""
    docker-compose -f compose.yml -p {project} up -d
    docker network connect {p}ext {project}_db_1
    """
    try:
        prediction = prove(lab, up, tmp_path)
        names = {c.name for c in prediction.after.containers}
        assert {f"{project}_web_1", f"{project}_probe_1", f"{project}_db_1"} <= names
        down = f"""
        docker network disconnect {p}ext {project}_db_1
        docker-compose -f compose.yml -p {project} down -t 0
        """
        prediction = prove(lab, down, tmp_path)
        assert not any(c.name.startswith(project) for c in prediction.after.containers)
        assert f"{p}ext" in {n.name for n in prediction.after.networks}
    finally:
        subprocess.run(
            ["docker-compose", "-f", "compose.yml", "-p", project, "down", "-t", "0"],
            cwd=tmp_path,
            capture_output=True,
            check=False,
        )


def test_privileged_containers_are_predicted_but_cannot_start_on_this_machine(lab, tmp_path):
    """`--privileged` is recorded as the engine records it; this machine cannot start such a
    container (runc cannot apply its capabilities here), so the script stops it once created."""
    p = lab.prefix
    line = f"docker run -d --name {p}priv --privileged {IMAGE} sleep 1d"
    failed, stderr = for_real([line], tmp_path)
    assert failed == 0
    assert "unable to apply caps" in stderr  # the machine's limit, not a refusal of Docker's
    real = capture(p)
    lab.docker("rm", "-f", f"{p}priv")
    before = capture(p)
    prediction = predict(before, read_changes([line, f"docker stop {p}priv"]))
    assert prediction.refusal is None
    (mine,) = [c for c in prediction.after.containers if c.name == f"{p}priv"]
    (theirs,) = [c for c in real.containers if c.name == f"{p}priv"]
    assert mine.privileged is theirs.privileged is True
    same(prediction.after, real)  # created (engine) and stopped (prediction): neither runs


# ---- beyond the network: data, namespaces, privileges -------------------------------------------


def shared_mount() -> str | None:
    """A host directory on a shared mount (`rshared` propagation needs one), if this host has one."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point, optional = fields[4], fields[6 : fields.index("-")]
        system = point == "/" or point.startswith(("/var/lib/docker", "/proc", "/sys", "/dev"))
        if any(o.startswith("shared:") for o in optional) and not system:
            return point
    return None


def remove_volumes(lab) -> None:
    names = lab.docker("volume", "ls", "-q", "--filter", f"name={lab.prefix}", check=False)
    if names.stdout.split():
        lab.docker("volume", "rm", "-f", *names.stdout.split(), check=False)


ISOLATION = """
docker run -d --name {P}writer --network {P}left -v {P}vol:/data -v {share}:/host -v /anon {IMAGE} sleep 1d
docker run -d --name {P}reader --network {P}right -v {P}vol:/data:ro -v {share}/inner:/inner:ro --mount type=volume,src={P}vol2,dst=/v2,readonly --mount type=tmpfs,dst=/t --tmpfs /t2 --read-only {IMAGE} sleep 1d
docker run -d --name {P}heir --network {P}right --volumes-from {P}writer:ro --mount type=bind,src={share},dst=/b {IMAGE} sleep 1d
docker run -d --name {P}ipcowner --ipc shareable --cap-drop net_raw --cap-add sys_ptrace {IMAGE} sleep 1d
docker run -d --name {P}ipcguest --ipc container:{P}ipcowner --pid container:{P}ipcowner --uts host --security-opt no-new-privileges {IMAGE} sleep 1d
docker run -d --name {P}hostns --pid host --ipc host --userns host --cgroupns private --security-opt seccomp=unconfined --device /dev/null:/dev/mynull:r {IMAGE} sleep 1d
docker run -d --name {P}sock -v /var/run/docker.sock:/var/run/docker.sock:ro {IMAGE} sleep 1d
docker run -d --name {P}api --use-api-socket {IMAGE} sleep 1d
docker stop -t 0 {P}ipcguest
docker rm -f {P}heir
docker run -d --name {P}heir2 --volumes-from {P}writer -v {P}vol:/extra {IMAGE} sleep 1d
"""


def test_data_namespaces_and_privileges_as_the_engine_does_them(lab, tmp_path):
    """Every data and namespace option, run for real: mounts, channels and A21-A29 agree."""
    p = lab.prefix
    share = tmp_path / "share"
    (share / "inner").mkdir(parents=True)
    base(lab, f"docker network create {p}left", f"docker network create {p}right")
    script = fill(ISOLATION, lab, {"share": share})
    shared = shared_mount()
    if shared is not None:
        script += f"docker run -d --name {p}prop -v {shared}:/p:ro,rshared {IMAGE} sleep 1d\n"
    try:
        prediction = prove(lab, script, tmp_path)
    finally:
        lab.cleanup()
        remove_volumes(lab)
    assert prediction.refusal is None
    ours = {f[0] for f in findings(prediction.after) if all(n.startswith(p) for n in f[1])}
    assert {"A21", "A24", "A25", "A26", "A27", "A29"} <= ours
    assert ("A28" in ours) is (shared is not None)
    ch = channels(prediction.after)
    assert (f"{p}writer", f"{p}reader", "volume", f"{p}vol", "one-way") in ch
    assert (f"{p}writer", f"{p}heir2", "volumes-from", f"{p}writer", "two-way") in ch
    assert (
        f"{p}hostns",
        f"{p}writer",
        "host",
        "the host's PID namespace (pid=host)",
        "one-way",
    ) in ch
    assert not any(c[2] == "ipc" for c in ch)  # the IPC guest was stopped
    (reader,) = [c for c in prediction.after.containers if c.name == f"{p}reader"]
    assert {m.destination for m in reader.mounts} == {"/data", "/inner", "/v2", "/t"}


def test_the_report_on_a_live_engine_equals_the_live_audit_after_the_change(lab, tmp_path):
    """`netviz what-if` on the live engine, then the change made: the audit finds what it said."""
    p = lab.prefix
    lines = [
        f"docker network create {p}a",
        f"docker network create {p}b",
        f"docker run -d --name {p}w --network {p}a -v {p}v:/d {IMAGE} sleep 1d",
        f"docker run -d --name {p}r --network {p}b -v {p}v:/d:ro {IMAGE} sleep 1d",
        f"docker run -d --name {p}ns --ipc shareable --cap-add sys_admin {IMAGE} sleep 1d",
        (
            f"docker run -d --name {p}j --ipc container:{p}ns --security-opt apparmor=unconfined"
            f" {IMAGE} sleep 1d"
        ),
        f"docker run -d --name {p}s --use-api-socket {IMAGE} sleep 1d",
    ]
    saved = tmp_path / "after.json"
    scope = f"name={p}*"
    try:
        done = run_cli(
            "what-if", "-f", "json", "--fail-on", "never", "--filter", scope, "--save",
            str(saved), *lines,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        failed, stderr = for_real(lines, tmp_path)
        assert failed is None, stderr
        live = run_cli("audit", "-f", "json", "--all-pairs", "--exit-zero", "--filter", scope)
        predicted = run_cli(
            "audit", "--from", str(saved), "-f", "json", "--all-pairs", "--exit-zero",
            "--filter", scope,
        )  # fmt: skip
    finally:
        lab.cleanup()
        remove_volumes(lab)
    live_body, predicted_body = json.loads(live.stdout), json.loads(predicted.stdout)

    def ours(names):
        return all(n.startswith(p) for n in names)

    def audited(body):
        found = {
            (f["id"], tuple(s["name"] for s in f["subjects"]), f["status"])
            for f in body["findings"]
            if ours(s["name"] for s in f["subjects"])
        }
        kept = {
            (c["from"], c["to"], c["kind"], c["resource"], c["direction"])
            for c in body["channels"]
            if ours((c["from"], c["to"]))
        }
        return found, kept

    assert audited(predicted_body) == audited(live_body)
    live_findings, live_channels = audited(live_body)
    assert {
        (c["from"], c["to"], c["kind"], c["resource"], c["direction"])
        for c in report["channels"]["new"]
        if ours((c["from"], c["to"]))
    } == live_channels  # every channel among the lab's containers is new
    assert {
        (f["id"], tuple(s["name"] for s in f["subjects"]), f["status"])
        for f in report["findings"]["new"]
        if ours(s["name"] for s in f["subjects"])
    } == {f for f in live_findings if f[2] == "open"}
    assert {f[0] for f in live_findings} >= {"A21", "A25", "A27", "A29"}
    assert (f"{p}ns", f"{p}j", "ipc", f"{p}ns", "two-way") in live_channels


COMPOSE_DATA = """
services:
  owner:
    image: {IMAGE}
    command: ["sleep", "1d"]
    ipc: shareable
    volumes: [data:/data, ./site:/site:ro, /anon]
    networks: [front]
  guest:
    image: {IMAGE}
    command: ["sleep", "1d"]
    ipc: "service:owner"
    pid: "service:owner"
    volumes_from: ["owner:ro"]
    network_mode: none
  watcher:
    image: {IMAGE}
    command: ["sleep", "1d"]
    pid: host
    cap_drop: [NET_RAW]
    read_only: true
    security_opt: ["no-new-privileges"]
    devices: ["/dev/null:/dev/mynull:r"]
    volumes: [{{type: volume, source: data, target: /d2, read_only: true}}]
    networks: [back]
networks:
  front: {{}}
  back: {{}}
volumes:
  data: {{}}
"""


@pytest.mark.usefixtures("docker_compose")
def test_compose_volumes_and_namespaces_as_compose_does_them(lab, tmp_path):
    p = lab.prefix
    (tmp_path / "site").mkdir()
    (tmp_path / "data.yml").write_text(fill(COMPOSE_DATA, lab, {}))
    project = f"{p}dp"
    try:
        prediction = prove(lab, f"docker-compose -f data.yml -p {project} up -d", tmp_path)
        names = {c.name: c for c in prediction.after.containers}
        owner, guest = names[f"{project}_owner_1"], names[f"{project}_guest_1"]
        assert guest.ipc_mode == guest.pid_mode == f"container:{owner.id}"
        kinds = {(c[0], c[1], c[2]) for c in channels(prediction.after)}
        assert (f"{project}_owner_1", f"{project}_guest_1", "ipc") in kinds
        assert (f"{project}_owner_1", f"{project}_guest_1", "volumes-from") in kinds
        prediction = prove(lab, f"docker-compose -f data.yml -p {project} down -t 0 -v", tmp_path)
        assert not any(c.name.startswith(project) for c in prediction.after.containers)
    finally:
        subprocess.run(
            ["docker-compose", "-f", "data.yml", "-p", project, "down", "-t", "0", "-v"],
            cwd=tmp_path,
            capture_output=True,
            check=False,
        )
        remove_volumes(lab)


# ---- Docker's refusals, in the engine's words ----------------------------------------------------


@pytest.fixture(scope="module")
def refusal_lab(module_lab, net):
    """A state the refusal scripts start from (each script names its own new objects)."""
    lab, p = module_lab, module_lab.prefix
    base(
        lab,
        f"docker network create {p}auto",
        f"docker network create --subnet 10.{net['a']}.{net['b'] + 100}.0/24 {p}fixed",
        f"docker run -d --name {p}c1 --network {p}auto {IMAGE} sleep 1d",
        f"docker run -d --name {p}c2 --network {p}fixed --ip 10.{net['a']}.{net['b'] + 100}.2"
        f" {IMAGE} sleep 1d",
        f"docker run -d --name {p}h --network host {IMAGE} sleep 1d",
        f"docker run -d --name {p}z --network none {IMAGE} sleep 1d",
        f"docker run -d --name {p}stopped --network {p}auto {IMAGE} sleep 1d",
        f"docker stop -t 0 {p}stopped",
        f"docker run -d --name {p}pub -p {net['port'] + 2}:80 {IMAGE} sleep 1d",
    )
    return lab


EXTERNAL = """
services:
  a:
    image: {IMAGE}
    command: ["sleep", "1d"]
    networks: [outside]
networks:
  outside: {{external: true, name: {P}nosuchext}}
"""
TWO_NETWORKS = """
services:
  a:
    image: {IMAGE}
    command: ["sleep", "1d"]
    networks: [default, back]
networks:
  back: {{}}
"""
F = "10.{a}.{b100}"
REFUSALS = {
    "network rm with active endpoints": "docker network rm {P}auto",
    "connect to host": "docker network connect host {P}c1",
    "connect to none": "docker network connect none {P}c1",
    "alias on the default bridge": "docker network connect --alias x bridge {P}c1",
    "duplicate network name": "docker network create {P}auto",
    # a refused connect --ip stays in the container's configuration (it shows when the container
    # stops, and it cannot start again): these cases refuse on containers of their own
    "address outside the subnet": (
        "docker run -d --name {P}a1 --network {P}auto {IMAGE} sleep 1d\n"
        "docker network connect --ip 10.99.99.9 {P}fixed {P}a1"
    ),
    "address without a user subnet": (
        "docker network create {P}n1\n"
        "docker run -d --name {P}a2 --network {P}auto {IMAGE} sleep 1d\n"
        "docker network connect --ip 10.1.2.3 {P}n1 {P}a2"
    ),
    "address in use": (
        "docker run -d --name {P}a3 --network {P}auto {IMAGE} sleep 1d\n"
        "docker network connect --ip " + F + ".2 {P}fixed {P}a3"
    ),
    "connect twice": "docker network connect {P}auto {P}c1",
    "connect an unknown network": "docker network connect {P}nosuch {P}c1",
    "connect an unknown container": "docker network connect {P}auto {P}nosuch",
    "connect a host-mode container": "docker network connect {P}auto {P}h",
    "connect a none-mode container": "docker network connect {P}auto {P}z",
    "disconnect from host": "docker network disconnect host {P}h",
    "disconnect what is not connected": "docker network disconnect {P}fixed {P}c1",
    "remove a pre-defined network": "docker network rm bridge",
    "remove an unknown network among others": (
        "docker network create {P}n2\ndocker network rm {P}n2 {P}nosuch"
    ),
    "overlapping subnet": "docker network create --subnet " + F + ".0/25 {P}n3",
    "gateway without subnet": "docker network create --gateway 10.5.0.1 {P}n4",
    "gateway outside the subnet": (
        "docker network create --subnet 10.{a}.251.0/24 --gateway 10.6.0.1 {P}n5"
    ),
    "ip range outside the subnet": (
        "docker network create --subnet 10.{a}.252.0/24 --ip-range 10.6.0.0/25 {P}n6"
    ),
    "invalid subnet": "docker network create --subnet notacidr {P}n7",
    "ipv6 without a subnet": "docker network create --ipv6 {P}n8",
    "overlay without swarm": "docker network create -d overlay {P}n9",
    "remove a running container": "docker rm {P}c1",
    "stop an unknown container among others": (
        "docker run -d --name {P}r22 --network {P}auto {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}nosuch {P}r22"
    ),
    "rename to a name in use": "docker rename {P}c1 {P}c2",
    "rename to the same name": "docker rename {P}c1 {P}c1",
    "rename to an invalid name": "docker rename {P}c1 'x<y'",
    "run with an invalid name": "docker run -d --name '<b>x' {IMAGE} sleep 1d",
    "run with a name in use": "docker run -d --name {P}c1 {IMAGE} sleep 1d",
    "run with an alias on the default bridge": (
        "docker run -d --name {P}r1 --network-alias x {IMAGE} sleep 1d"
    ),
    "run with an address on the default bridge": (
        "docker run -d --name {P}r2 --ip 172.17.0.99 {IMAGE} sleep 1d"
    ),
    "run with an address outside the subnet": (
        "docker run -d --name {P}r3 --network {P}fixed --ip 10.1.1.1 {IMAGE} sleep 1d"
    ),
    "run on an unknown network": "docker run -d --name {P}r4 --network {P}nosuch {IMAGE} sleep 1d",
    "run on two networks": (
        "docker run -d --name {P}r5 --network {P}auto --network {P}fixed {IMAGE} sleep 1d"
    ),
    "run with a port in use": "docker run -d --name {P}r6 -p {port2}:80 {IMAGE} sleep 1d",
    "run in a shared stack with ports": (
        "docker run -d --name {P}r7 --network container:{P}c1 -p 80 {IMAGE} sleep 1d"
    ),
    "run in a shared stack with links": (
        "docker run -d --name {P}r8 --network container:{P}c1 --link {P}c2:x {IMAGE} sleep 1d"
    ),
    "run in the stack of an unknown container": (
        "docker run -d --name {P}r9 --network container:{P}nosuch {IMAGE} sleep 1d"
    ),
    "link to an unknown container": "docker run -d --name {P}r10 --link {P}nosuch:x {IMAGE} sleep 1d",
    "link to a container off the default bridge": (
        "docker run -d --name {P}r11 --link {P}stopped:x {IMAGE} sleep 1d"
    ),
    "link to a stopped container": (
        "docker run -d --name {P}r20 {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}r20\n"
        "docker run -d --name {P}r21 --link {P}r20:x {IMAGE} sleep 1d"
    ),
    "start after its network was removed": (
        "docker network create {P}n10\n"
        "docker run -d --name {P}r12 --network {P}n10 {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}r12\n"
        "docker network rm {P}n10\n"
        "docker start {P}r12"
    ),
    "start a shared stack whose owner is stopped": (
        "docker run -d --name {P}r13 --network {P}auto {IMAGE} sleep 1d\n"
        "docker run -d --name {P}r14 --network container:{P}r13 {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}r13 {P}r14\n"
        "docker start {P}r14"
    ),
    "start with a port taken meanwhile": (
        "docker run -d --name {P}r15 -p {port3}:80 {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}r15\n"
        "docker run -d --name {P}r16 -p {port3}:80 {IMAGE} sleep 1d\n"
        "docker start {P}r15"
    ),
    "start a legacy link whose target is stopped": (
        "docker run -d --name {P}r17 {IMAGE} sleep 1d\n"
        "docker run -d --name {P}r18 --link {P}r17:t {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}r17 {P}r18\n"
        "docker start {P}r18"
    ),
    "duplicate mount point": "docker run -d --name {P}v1 -v {P}va:/d -v {P}vb:/d {IMAGE} sleep 1d",
    "tmpfs and a volume on one path": (
        "docker run -d --name {P}v2 --tmpfs /t -v {P}vc:/t {IMAGE} sleep 1d"
    ),
    "invalid volume name": "docker run -d --name {P}v3 -v 'bad name:/x' {IMAGE} sleep 1d",
    "relative volume source": "docker run -d --name {P}v4 -v rel/path:/x {IMAGE} sleep 1d",
    "invalid volume mode": "docker run -d --name {P}v5 -v /tmp:/b:rw,ro {IMAGE} sleep 1d",
    "a mode as the target": "docker run -d --name {P}v6 -v /tmp:ro {IMAGE} sleep 1d",
    "relative target": "docker run -d --name {P}v7 -v /tmp:relative {IMAGE} sleep 1d",
    "nocopy on a bind": "docker run -d --name {P}v8 -v /tmp:/x:nocopy {IMAGE} sleep 1d",
    "propagation on a volume": "docker run -d --name {P}v9 -v {P}vd:/x:rshared {IMAGE} sleep 1d",
    "a bind on the root": "docker run -d --name {P}v10 -v /tmp:/ {IMAGE} sleep 1d",
    "too many colons": "docker run -d --name {P}v11 -v /a:/b:ro:z {IMAGE} sleep 1d",
    "an empty section": "docker run -d --name {P}v12 -v :/x {IMAGE} sleep 1d",
    "mount without a target": (
        "docker run -d --name {P}v13 --mount type=volume,src={P}ve {IMAGE} sleep 1d"
    ),
    "bind mount without a source": (
        "docker run -d --name {P}v14 --mount type=bind,dst=/x {IMAGE} sleep 1d"
    ),
    "tmpfs mount with a source": (
        "docker run -d --name {P}v15 --mount type=tmpfs,src=x,dst=/x {IMAGE} sleep 1d"
    ),
    "bind options on a volume": (
        "docker run -d --name {P}v16 --mount type=volume,dst=/x,bind-propagation=rshared"
        " {IMAGE} sleep 1d"
    ),
    "unknown mount key": (
        "docker run -d --name {P}v17 --mount type=volume,dst=/x,bogus=1 {IMAGE} sleep 1d"
    ),
    "unknown capability added": "docker run -d --name {P}v18 --cap-add bogus {IMAGE} sleep 1d",
    "unknown capability dropped": "docker run -d --name {P}v19 --cap-drop bogus {IMAGE} sleep 1d",
    "unknown security option": (
        "docker run -d --name {P}v20 --security-opt foo=bar {IMAGE} sleep 1d"
    ),
    "unreadable security option": (
        "docker run -d --name {P}v21 --security-opt bogus {IMAGE} sleep 1d"
    ),
    "invalid PID mode": "docker run -d --name {P}v22 --pid bogus {IMAGE} sleep 1d",
    "invalid UTS mode": "docker run -d --name {P}v23 --uts bogus {IMAGE} sleep 1d",
    "invalid user namespace mode": "docker run -d --name {P}v24 --userns bogus {IMAGE} sleep 1d",
    "invalid cgroup namespace mode": (
        "docker run -d --name {P}v25 --cgroupns bogus {IMAGE} sleep 1d"
    ),
    "relative device": "docker run -d --name {P}v26 --device dev/null {IMAGE} sleep 1d",
    "PID namespace of an unknown container": (
        "docker run -d --name {P}v27 --pid container:{P}nosuch {IMAGE} sleep 1d"
    ),
    "IPC namespace of an unknown container": (
        "docker run -d --name {P}v28 --ipc container:{P}nosuch {IMAGE} sleep 1d"
    ),
    "volumes from an unknown container": (
        "docker run -d --name {P}v29 --volumes-from {P}nosuch {IMAGE} sleep 1d"
    ),
    "volumes from with an invalid mode": (
        "docker run -d --name {P}v30 --volumes-from {P}c1:bogus {IMAGE} sleep 1d"
    ),
    "invalid IPC mode": "docker run -d --name {P}v31 --ipc bogus {IMAGE} sleep 1d",
    "IPC namespace kept private": (
        "docker run -d --name {P}v32 --ipc container:{P}c1 {IMAGE} sleep 1d"
    ),
    "IPC namespace of a stopped container": (
        "docker run -d --name {P}v33 --ipc container:{P}stopped {IMAGE} sleep 1d"
    ),
    "PID namespace of a stopped container": (
        "docker run -d --name {P}v34 --pid container:{P}stopped {IMAGE} sleep 1d"
    ),
    "IPC namespace whose owner stopped meanwhile": (
        "docker run -d --name {P}v35 --ipc shareable {IMAGE} sleep 1d\n"
        "docker run -d --name {P}v36 --ipc container:{P}v35 {IMAGE} sleep 1d\n"
        "docker stop -t 0 {P}v35 {P}v36\n"
        "docker start {P}v36"
    ),
    "compose with a missing external network": "docker-compose -f external.yml -p {P}p1 up -d",
    "compose down with a network still in use": (
        "docker-compose -f two.yml -p {P}p2 up -d\n"
        "docker run -d --name {P}r19 --network {P}p2_back {IMAGE} sleep 1d\n"
        "docker-compose -f two.yml -p {P}p2 down -t 0"
    ),
}


@pytest.mark.usefixtures("docker_compose")
@pytest.mark.parametrize("case", list(REFUSALS))
def test_the_engine_refuses_what_the_prediction_refuses(refusal_lab, net, tmp_path, case):
    lab = refusal_lab
    values = {**net, "b100": net["b"] + 100, "port2": net["port"] + 2, "port3": net["port"] + 3}
    (tmp_path / "external.yml").write_text(fill(EXTERNAL, lab, values))
    (tmp_path / "two.yml").write_text(fill(TWO_NETWORKS, lab, values))
    script = fill(REFUSALS[case], lab, values)
    try:
        prediction = prove(lab, script, tmp_path)
    finally:
        remove_volumes(lab)  # a refused `docker run` may have created the first of its volumes
        if "docker-compose" in script:
            for project in ("p1", "p2"):
                subprocess.run(
                    ["docker-compose", "-f", "two.yml", "-p", f"{lab.prefix}{project}", "down"],
                    cwd=tmp_path,
                    capture_output=True,
                    check=False,
                )
    assert prediction.refusal is not None
    assert prediction.refusal.origin == f"argument {len(script.splitlines())}"


def test_what_if_only_reads_the_engine(lab, tmp_path):
    never = f"{lab.prefix}never"
    with DockerProxy(tmp_path / "p.sock") as proxy:
        done = run_cli(
            "what-if",
            "-H",
            proxy.url,
            "-f",
            "json",
            f"docker network create {never}",
            f"docker run -d --name {never} --network {never} {IMAGE} sleep 1d",
        )
        methods = {method for method, _ in proxy.requests}
    assert done.returncode == 0, done.stderr
    assert {c["subject"] for c in json.loads(done.stdout)["changes"]} >= {never}
    assert methods == {"GET"}
    assert never not in lab.docker("network", "ls", "--format", "{{.Name}}").stdout.split()
    assert never not in lab.docker("ps", "-a", "--format", "{{.Names}}").stdout.split()

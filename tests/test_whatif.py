"""`netviz what-if` without an engine: the demo, snapshots, compose files and a recorded swarm."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import run_cli, swarm_snapshot
from test_order import SNAPSHOT_SETS, shuffled

import visualizer as nv
from visualizer.errors import ExitCode, UsageError
from visualizer.sources.whatif import predict, read_changes

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = ROOT / "visualizer" / "data" / "demo.json"
JOIN = "docker run -d --name container3 --network user-network netviz/busybox:1 sleep 1d"
LEAVE = "docker network disconnect user-network container2"


def changes(w, kind, change):
    return {c.subject for c in w.diff.changes if c.kind == kind and c.change == change}


def after(*lines, snap=None):
    prediction = predict(snap or nv.load_demo(), read_changes(list(lines)))
    assert prediction.refusal is None, prediction.refusal
    return prediction.after


# ---- the study note's example ------------------------------------------------------------------


def test_container2_leaves_user_network():
    out = nv.what_if(nv.load_demo(), [LEAVE])
    lost = changes(out.value, "reachability", "removed")
    assert {"container1 -> container2", "container2 -> container1"} <= lost
    assert "container2 -> metrics-sidecar" in lost  # the sidecar lives in container1's stack
    assert changes(out.value, "endpoint", "removed") == {"container2@user-network"}
    assert not changes(out.value, "reachability", "added")
    assert not out.negative


def test_a_third_container_joins_user_network():
    out = nv.what_if(nv.load_demo(), [JOIN])
    gained = changes(out.value, "reachability", "added")
    assert {"container3 -> container1", "container1 -> container3"} <= gained
    assert {"container3 -> container2", "container2 -> container3"} <= gained
    answer = nv.reach(after(JOIN), "container3", "container2").value.verdict
    assert answer.reachable and answer.by_name and "backup" in answer.names
    assert changes(out.value, "container", "added") == {"container3"}


def test_the_cli_shows_the_change_and_passes(tmp_path):
    done = run_cli("what-if", "--demo", LEAVE, JOIN)
    assert done.returncode == ExitCode.OK, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("what-if on demo")
    assert "  argument 2: " + JOIN in lines
    assert "- endpoint container2@user-network" in lines
    assert "+ reachability container3 -> container1: user-network" in lines
    assert lines[-1] == "result: passes at --fail-on high"


# ---- outputs -------------------------------------------------------------------------------------


def test_json_and_markdown(tmp_path):
    body = json.loads(run_cli("what-if", "--demo", "-f", "json", JOIN).stdout)
    assert body["schema"] == "netviz-what-if" and body["schema_version"] == 1
    assert body["commands"] == [{"origin": "argument 1", "command": JOIN}]
    assert body["refusal"] is None and body["failed"] is False and body["fail_on"] == "high"
    assert {"kind", "change", "subject", "detail"} == set(body["changes"][0])
    assert body["summary"].startswith("containers +1 -0")
    assert body["findings"] == {"new": [], "resolved": []}
    assert body["policy"] is None
    md = run_cli("what-if", "--demo", "-f", "markdown", "-o", str(tmp_path / "r.md"), JOIN)
    assert md.returncode == 0
    text = (tmp_path / "r.md").read_text()
    assert text.startswith("# netviz what-if")
    assert "| added | container | container3 | running |" in text


def test_save_and_diagram(tmp_path):
    saved, drawn = tmp_path / "after.json", tmp_path / "change.dot"
    done = run_cli("what-if", "--demo", LEAVE, JOIN, "--save", str(saved), "--diagram", str(drawn))
    assert done.returncode == 0, done.stderr
    reach = run_cli("reach", "--from", str(saved), "container3", "container1")
    assert reach.returncode == 0 and reach.stdout.startswith("yes")
    assert run_cli("reach", "--from", str(saved), "container2", "container1").returncode == 1
    audit = run_cli("audit", "--from", str(saved), "-f", "json", "--exit-zero")
    assert "container3" in {p["from"] for p in json.loads(audit.stdout)["reachability"]}
    dot = drawn.read_text()
    added = next(line for line in dot.splitlines() if "<B>container3</B>" in line)
    assert 'color="#16a34a"' in added  # green
    assert "Changes from A to B" in dot
    snap = nv.load_snapshot(saved)
    assert (
        snap.source
        == "what-if: demo (captured from a real engine by scripts/build-demo.sh) + 2 changes"
    )


def test_shuffled_source_gives_identical_output(tmp_path):
    script = [LEAVE, JOIN, "docker network create --subnet 10.9.0.0/24 extra"]

    def outputs(path):
        snap = nv.load_snapshot(path)
        out = [nv.what_if(snap, script, fmt=fmt, save=True) for fmt in ("text", "json", "markdown")]
        return [o.output.content for o in out] + [out[0].attachments[0].content]

    expected = outputs(DEMO_FILE)
    for seed in range(3):
        data = shuffled(json.loads(DEMO_FILE.read_text()), random.Random(seed), SNAPSHOT_SETS)
        path = tmp_path / f"demo{seed}.json"
        path.write_text(json.dumps(data))
        assert outputs(path) == expected


# ---- refusals ------------------------------------------------------------------------------------


def test_a_refusal_stops_the_script_and_says_where(tmp_path):
    plan = tmp_path / "plan.sh"
    plan.write_text(
        "#!/bin/sh\n"
        "# move container2 out, then remove its network\n"
        "\n"
        "docker network disconnect user-network \\\n"
        "  container2   # a continued line\n"
        "docker network rm user-network\n"
        "docker run -d --name never --network user-network netviz/busybox:1\n"
    )
    saved = tmp_path / "after.json"
    done = run_cli("what-if", "--demo", "--script", str(plan), "--save", str(saved))
    assert done.returncode == ExitCode.NEGATIVE
    assert f"refused at {plan}:6: docker network rm user-network" in done.stdout
    assert (
        "  Error response from daemon: error while removing network: network user-network id "
        "42cdaefa2e803bc4d728be24b44a2f564f1b2aa9d15dc526e0bfb8182d3c0452 has active endpoints"
    ) in done.stdout
    assert f"  {plan}:4: docker network disconnect user-network container2" in done.stdout
    assert "never" not in done.stdout.split("changes:")[1]  # the line after it is not applied
    assert "- endpoint container2@user-network" in done.stdout
    assert not saved.exists()
    assert "nothing else written" in done.stderr
    body = json.loads(run_cli("what-if", "--demo", "--script", str(plan), "-f", "json").stdout)
    assert body["refusal"]["origin"] == f"{plan}:6"
    assert body["failed"] is True
    assert body["reasons"] == [f"the engine would refuse {plan}:6"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("docker network create tenants", "network with name tenants already exists"),
        (
            "docker network connect host container1",
            "container cannot be disconnected from host network or connected to host network",
        ),
        (
            "docker network connect --alias db bridge container1",
            "network-scoped alias is supported only for containers in user defined networks",
        ),
        (
            "docker network connect --ip 10.30.1.9 dualstack container1",
            "Invalid address 10.30.1.9: It does not belong to any of this network's subnets",
        ),
        (
            "docker network connect user-network container1",
            "endpoint with name container1 already exists in network user-network",
        ),
        ("docker network rm bridge", "bridge is a pre-defined network and cannot be removed"),
        ("docker rm nosuch", "No such container: nosuch"),
        ("docker run -d --name a2 --network nosuch img", "network nosuch not found"),
        (
            "docker run -d --name c9 --network-alias x img",
            "network-scoped aliases are only supported for user-defined networks",
        ),
        (
            "docker network connect tenants host-agent",
            (
                "container sharing network namespace with another container or host cannot be "
                "connected to any other network"
            ),
        ),
        (
            "docker run -d --name w2 -p 8080:80 img",
            "Bind for 0.0.0.0:8080 failed: port is already allocated",
        ),
        (
            "docker network create -d overlay ov",
            'This node is not a swarm manager. Use "docker swarm init"',
        ),
    ],
)
def test_docker_refusals_in_the_engines_words(line, message):
    prediction = predict(nv.load_demo(), read_changes([line]))
    assert prediction.refusal is not None
    assert message in prediction.refusal.message


def test_a_refused_run_leaves_the_container_created():
    prediction = predict(nv.load_demo(), read_changes(["docker run --name a1 --network x img"]))
    assert prediction.refusal is not None and prediction.refusal.created
    (made,) = [c for c in prediction.after.containers if c.name == "a1"]
    assert made.state == "created" and not made.endpoints


# ---- the gate ------------------------------------------------------------------------------------

POLICY = """
version: 1
rules:
  - name: tenants stay off user-network
    forbid:
      from: {network: tenants}
      to: {network: user-network}
  - name: container1 and container2 talk
    require:
      from: {container: container1}
      to: {container: container2}
"""


def test_a_change_that_opens_a_forbidden_pair_fails(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    opening = "docker network connect user-network tenant-a"
    done = run_cli("what-if", "--demo", "--policy", str(policy), "-f", "json", opening)
    assert done.returncode == ExitCode.NEGATIVE
    body = json.loads(done.stdout)
    new = {(v["from"], v["to"]) for v in body["policy"]["new_violations"]}
    assert ("tenant-a", "container1") in new
    assert body["reasons"][0].startswith("1 new policy violation") or "policy" in body["reasons"][0]
    text = run_cli("what-if", "--demo", "--policy", str(policy), opening).stdout
    assert "+ tenants stay off user-network: tenant-a -> container1" in text
    broken = run_cli("what-if", "--demo", "--policy", str(policy), LEAVE)
    assert broken.returncode == ExitCode.NEGATIVE  # the required pair is lost
    assert "+ container1 and container2 talk: container1 -> container2" in broken.stdout
    fine = run_cli("what-if", "--demo", "--policy", str(policy), JOIN)
    assert fine.returncode == ExitCode.OK, fine.stdout


def test_already_violated_rules_do_not_fail_a_change(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - name: no pairs on user-network\n    forbid:\n"
        "      from: {network: user-network}\n      to: {network: user-network}\n"
    )
    done = run_cli("what-if", "--demo", "--policy", str(policy), "-f", "json", LEAVE)
    assert done.returncode == ExitCode.OK
    resolved = {
        (v["from"], v["to"]) for v in json.loads(done.stdout)["policy"]["resolved_violations"]
    }
    assert ("container1", "container2") in resolved


def test_a_new_finding_at_fail_on_fails(tmp_path):
    host = "docker run -d --name agent2 --network host img"
    done = run_cli("what-if", "--demo", "-f", "json", host)
    assert done.returncode == ExitCode.NEGATIVE
    body = json.loads(done.stdout)
    assert [(f["id"], f["severity"]) for f in body["findings"]["new"]] == [("A1", "high")]
    assert body["reasons"] == ["1 new finding at high or worse"]
    assert run_cli("what-if", "--demo", "--fail-on", "critical", host).returncode == 0
    resolved = nv.what_if(nv.load_demo(), ["docker rm -f host-agent"])
    # the demo's host agent mounts the engine socket too (A21)
    assert [f.id for f in resolved.value.resolved_findings] == ["A21", "A1"]
    assert not resolved.negative


# ---- what it cannot read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("docker network create --foo x", "docker network create: unknown option --foo"),
        ("docker run --dns 1.1.1.1 --name a img", "docker run: option --dns is not modelled"),
        ("docker run --runtime=runsc --name ab img", "docker run: option --runtime is not"),
        ("docker run --gpus all --name ab img", "docker run: option --gpus is not modelled"),
        (
            "docker run --mount type=bind,src=/x,dst=/y,bind-recursive=disabled --name ab img",
            "--mount bind-recursive is not modelled by what-if",
        ),
        ("docker run --mount type=image,src=i,dst=/y --name ab img", "--mount type=image is not"),
        (
            "docker run --security-opt seccomp=profile.json --name ab img",
            "a seccomp profile file is not modelled by what-if",
        ),
        (
            "docker run --security-opt systempaths=unconfined --name ab img",
            "systempaths=unconfined is not modelled",
        ),
        ("docker compose up --build", "docker compose up: option --build is not modelled"),
        (
            "docker-compose --project-directory /srv up",
            "docker-compose: option --project-directory is not modelled",
        ),
        ("docker network create --ipv4=false n", "option --ipv4 is not modelled"),
        ("docker start -a c", "docker start: option -a is not modelled"),
        ("docker run img", "docker run needs --name here"),
        ("docker ps", "docker ps changes nothing"),
        ("docker network ls", "docker network ls changes nothing"),
        ("kubectl apply -f x", "not a docker command: 'kubectl'"),
        ("docker network connect onlyone", "wrong number of arguments"),
        ("docker run --name 'a img", "cannot split the line"),
        ("docker network create -d weave w", "driver 'weave' is not modelled"),
        ("docker --tls network rm x", "option --tls is not modelled"),
        ("docker volume create v", "not a command what-if models"),
    ],
)
def test_what_it_cannot_read_is_refused_by_name(line, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        predict(nv.load_demo(), read_changes([line]))


def test_cli_errors_keep_their_codes(tmp_path):
    none = run_cli("what-if", "--demo")
    assert none.returncode == ExitCode.USAGE and "no change given" in none.stderr
    bad = run_cli("what-if", "--demo", "docker network create --foo x")
    assert bad.returncode == ExitCode.USAGE
    assert bad.stderr == (
        "netviz: error: argument 1: docker network create: unknown option --foo "
        "(usage: docker network create [OPTIONS] NETWORK)\n"
    )
    plan = tmp_path / "plan.sh"
    plan.write_text("docker network create ok\n\ndocker run --shm-size 1g --name a img\n")
    script = run_cli("what-if", "--demo", "--script", str(plan))
    assert script.returncode == ExitCode.INPUT
    assert script.stderr == (
        f"netviz: error: {plan}:3: docker run: option --shm-size is not modelled by what-if\n"
    )
    missing = run_cli("what-if", "--demo", "--script", str(tmp_path / "nope.sh"))
    assert missing.returncode == ExitCode.INPUT and "no such script file" in missing.stderr
    policy = run_cli("what-if", "--demo", "--policy", str(tmp_path / "nope.yaml"), JOIN)
    assert policy.returncode == ExitCode.INPUT
    assert "Traceback" not in script.stderr + bad.stderr + missing.stderr + policy.stderr


def test_options_in_every_place_pflag_accepts():
    line = (
        "docker network create --driver=bridge -o com.docker.network.bridge.enable_icc=false"
        " --label=a=b --subnet 10.8.0.0/24 --internal=false iso"
    )
    snap = after(line, "docker run -dit --name=one --net=iso -p8081:80 img sh -c 'x --name y'")
    (iso,) = [n for n in snap.networks if n.name == "iso"]
    assert not iso.icc and iso.labels == {"a": "b"} and not iso.internal
    (one,) = [c for c in snap.containers if c.name == "one"]
    assert [p.text() for p in one.ports] == ["0.0.0.0:8081->80/tcp", "[::]:8081->80/tcp"]


# ---- other sources -------------------------------------------------------------------------------


def test_several_engines_need_to_be_named():
    estate = swarm_snapshot()
    hosts = [h.name for h in estate.hosts]
    with pytest.raises(UsageError, match="several engines: say which with docker -H"):
        predict(estate, read_changes(["docker network create x"]))
    snap = after(f"docker -H {hosts[1]} network create x", snap=estate)
    (made,) = [n for n in snap.networks if n.name == "x"]
    assert made.host == hosts[1]
    with pytest.raises(UsageError, match="not an engine of the source"):
        predict(estate, read_changes(["docker -H nowhere network create x"]))
    bridge = next(n for n in estate.networks if n.name == "bridge" and n.host == hosts[0])
    refused = predict(estate, read_changes([f"docker -c {hosts[0]} network rm {bridge.id[:12]}"]))
    assert refused.refusal is not None
    assert refused.refusal.message.endswith("bridge is a pre-defined network and cannot be removed")


COMPOSE = """
services:
  web:
    image: netviz/busybox:1
    ports: ["8088:80"]
    networks: [front]
  db:
    image: netviz/busybox:1
    networks: [back]
networks:
  front: {}
  back: {internal: true}
"""


def test_compose_up_and_down_name_containers_like_compose(tmp_path):
    (tmp_path / "compose.yml").write_text(COMPOSE)
    v2 = predict(nv.load_demo(), read_changes(["docker compose -p proj up -d"]), cwd=tmp_path).after
    assert {"proj-web-1", "proj-db-1"} <= {c.name for c in v2.containers}
    assert {"proj_front", "proj_back"} <= {n.name for n in v2.networks}
    v1 = predict(
        nv.load_demo(),
        read_changes(["docker-compose -f compose.yml -p proj up", "docker stop proj_db_1"]),
        cwd=tmp_path,
    ).after
    names = {c.name: c for c in v1.containers}
    assert names["proj_web_1"].is_running and not names["proj_db_1"].is_running
    down = predict(
        v1, read_changes(["docker-compose -f compose.yml -p proj down"]), cwd=tmp_path
    ).after
    assert not {c.name for c in down.containers} & {"proj_web_1", "proj_db_1"}
    assert not {n.name for n in down.networks} & {"proj_front", "proj_back"}
    with pytest.raises(UsageError, match="no compose file in"):
        predict(nv.load_demo(), read_changes(["docker compose up"]), cwd=tmp_path / "nowhere")


def test_compose_file_as_the_source(tmp_path):
    path = tmp_path / "compose.yml"
    path.write_text(COMPOSE)
    done = run_cli(
        "what-if",
        "--compose",
        str(path),
        "-p",
        "proj",
        "docker network connect proj_front proj-db-1",
    )
    assert done.returncode == 0, done.stderr
    assert "+ reachability proj-db-1 -> proj-web-1: proj_front" in done.stdout


def test_hostile_names_stay_text(tmp_path):
    name = '<img src=x onerror=alert(1)>|`*"\u202e'
    out = nv.what_if(
        nv.load_demo(),
        [f"docker network create '{name}'", f"docker network connect '{name}' container1"],
        fmt="markdown",
    )
    text = out.output.text
    assert "<img" not in text and "\u202e" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    plain = nv.what_if(nv.load_demo(), [f"docker network create '{name}'"]).output.text
    assert "\u202e" not in plain and "\\u202e" in plain


def test_by_name_changes_and_the_removed_edge_in_red(tmp_path):
    out = nv.what_if(
        nv.load_demo(),
        [
            "docker network connect user-network legacy-app",
            "docker network connect user-network legacy-client",
        ],
    )
    (named,) = [c for c in out.value.diff.changes if c.change == "changed"]
    assert (named.subject, named.detail) == (
        "legacy-app -> legacy-client",
        "by IP only → by name",
    )  # the default bridge has no DNS; user-network has
    assert "~ reachability legacy-app -> legacy-client: by IP only → by name" in out.output.text
    drawn = tmp_path / "change.dot"
    assert run_cli("what-if", "--demo", LEAVE, "--diagram", str(drawn)).returncode == 0
    removed = next(line for line in drawn.read_text().splitlines() if "container2 on user" in line)
    assert 'color="#dc2626"' in removed and 'style="dashed"' in removed

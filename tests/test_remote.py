"""ssh:// as the docker CLI does it, on a real OpenSSH server (scripts/remote-lab.sh) in front
of the real engine: the user's ssh configuration (a Host alias on a non-22 port, its key and
known_hosts), a port in the URL, contexts whose endpoint is ssh, and one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli

from visualizer.errors import ExitCode, UsageError
from visualizer.sources.address import parse_address
from visualizer.sources.ssh import ssh_argv

pytestmark = pytest.mark.docker

SCRIPT = ROOT / "scripts" / "remote-lab.sh"


@pytest.fixture(scope="session")
def ssh_env(engine):
    """PATH with the lab's `ssh` (the system ssh reading the lab's ssh_config) first."""
    if os.geteuid() != 0:
        pytest.skip("the ssh lab logs in as root")
    up = subprocess.run(
        [str(SCRIPT), "up"], capture_output=True, text=True, timeout=600, check=False
    )
    if up.returncode != 0:
        pytest.fail(f"the ssh lab did not start: {up.stderr[-2000:]}")
    lab = os.environ.get("NETVIZ_REMOTE_LAB", "/tmp/netviz-remote-lab")
    yield {"PATH": f"{lab}/bin:{os.environ['PATH']}"}
    subprocess.run([str(SCRIPT), "down"], capture_output=True, timeout=60, check=False)


def one_line(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("netviz: error: ")
    assert "Traceback" not in done.stderr
    return lines[0]


@pytest.fixture
def pair(lab):
    lab.network("ssh")
    lab.run("a", "--network", lab.name("ssh"))
    lab.run("b", "--network", lab.name("ssh"))
    return lab


def pairs_of(path, lab):
    data = json.loads(path.read_text())
    return {
        (p["from"], p["to"], p["by_name"])
        for p in data["reachability"]
        if p["from"].startswith(lab.prefix) and p["to"].startswith(lab.prefix)
    }


def test_docker_cli_agrees_with_the_lab(ssh_env):
    done = subprocess.run(
        ["docker", "-H", "ssh://nvt-remote", "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        env={**os.environ, **ssh_env},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("url", ["ssh://nvt-remote", "ssh://root@127.0.0.1:42222"])
def test_render_and_audit_over_ssh_match_the_local_socket(ssh_env, pair, tmp_path, url):
    dot = run_cli("render", "-H", url, "-f", "dot", "--filter", f"label={pair.label}", env=ssh_env)
    assert dot.returncode == 0, dot.stderr
    assert pair.name("a") in dot.stdout and pair.name("b") in dot.stdout
    remote, local = tmp_path / "remote.json", tmp_path / "local.json"
    done = run_cli("audit", "-H", url, "-f", "json", "--exit-zero", "-o", str(remote), env=ssh_env)
    assert done.returncode == 0, done.stderr
    assert run_cli("audit", "-f", "json", "--exit-zero", "-o", str(local)).returncode == 0
    expected = {(pair.name("a"), pair.name("b"), True), (pair.name("b"), pair.name("a"), True)}
    assert pairs_of(remote, pair) == pairs_of(local, pair) == expected


def test_context_with_an_ssh_endpoint(ssh_env, pair, tmp_path):
    config = tmp_path / "docker-config"
    subprocess.run(
        [
            "docker",
            "--config",
            str(config),
            "context",
            "create",
            "nvt-ssh",
            "--docker",
            "host=ssh://nvt-remote",
        ],
        check=True,
        capture_output=True,
    )
    done = run_cli(
        "render", "-c", "nvt-ssh", "-f", "dot", env={**ssh_env, "DOCKER_CONFIG": str(config)}
    )
    assert done.returncode == 0, done.stderr
    assert pair.name("a") in done.stdout


def test_watch_over_ssh_follows_changes(ssh_env, pair, tmp_path):
    out = tmp_path / "w.dot"
    env = {**os.environ, **ssh_env, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "visualizer",
            "watch",
            "-H",
            "ssh://nvt-remote",
            "-o",
            str(out),
            "--debounce",
            "0.3",
            "--filter",
            f"label={pair.label}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert "watching engine ssh://nvt-remote" in first, first + proc.stderr.read()
        pair.run("late", "--network", pair.name("ssh"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and pair.name("late") not in out.read_text():
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        rest, errors = proc.communicate(timeout=30)
    assert pair.name("late") in out.read_text(), f"stdout: {first}{rest}\nstderr: {errors}"


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("nvt-down", "cannot reach nvt-down over ssh: connection refused"),
        ("nvt-stranger", "nvt-stranger refused the ssh login"),
        ("nvt-unknown", "the host key of nvt-unknown is not known"),
        ("nvt-nodocker", "no docker CLI on nvt-nodocker"),
    ],
)
def test_ssh_failures_are_one_line_engine_errors(ssh_env, alias, expected):
    done = run_cli("render", "-H", f"ssh://{alias}", "-f", "dot", "--timeout", "20", env=ssh_env)
    assert done.returncode == ExitCode.ENGINE
    assert expected in one_line(done)


def test_no_ssh_client_is_a_clear_error(tmp_path):
    done = run_cli("render", "-H", "ssh://nvt-remote", "-f", "dot", env={"PATH": str(tmp_path)})
    assert done.returncode == ExitCode.ENGINE
    assert "no `ssh` on PATH" in one_line(done)


def test_ssh_argv_is_the_docker_clis_and_never_prompts():
    a = parse_address("ssh://me@node1:2200")
    assert ssh_argv(a, timeout=30) == [
        "ssh",
        "-T",
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=30",
        "-l",
        "me",
        "-p",
        "2200",
        "--",
        "node1",
        "docker",
        "system",
        "dial-stdio",
    ]
    assert ssh_argv(parse_address("ssh://node1"))[-5:] == [
        "--",
        "node1",
        "docker",
        "system",
        "dial-stdio",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "ssh://-oProxyCommand=touch%20x",
        "ssh://-x@host",
        "ssh://a:b@host",
        "ssh://host/path",
        "ssh://",
    ],
)
def test_hostile_ssh_urls_are_refused(url):
    with pytest.raises(UsageError):
        parse_address(url)


@pytest.mark.swarm
def test_swarm_node_over_ssh_joins_the_estate(ssh_env, swarm_lab, tmp_path):
    # The lab's sshd gives sessions on nvt-swarm1 DOCKER_HOST=node1's socket: node1 is reached
    # over ssh, node2 over its unix socket, and both join one picture with the swarm's tasks.
    assert swarm_lab[1] == "unix:///run/swarmlab/node1.sock"
    out = tmp_path / "estate.json"
    done = run_cli(
        "render",
        "-H",
        "ssh://nvt-swarm1",
        "-H",
        swarm_lab[2],
        "-f",
        "json",
        "-o",
        str(out),
        env=ssh_env,
    )
    assert done.returncode == 0, done.stderr
    graph = json.loads(out.read_text())["graph"]
    hosts = {h["name"]: h for h in graph["hosts"]}
    assert {"swarmlab-node1", "swarmlab-node2"} <= set(hosts)
    assert hosts["swarmlab-node1"]["source"] == "ssh://nvt-swarm1"
    assert not any(h["error"] for h in hosts.values())
    # node3 was not captured: it is known from the manager's node list, read over ssh.
    assert hosts["swarmlab-node3"]["source"] == "swarm node (seen from a manager)"

"""Compose files as a source: Compose's rules, errors with locations, and predictions proved
against what Debian's docker-compose really creates on the engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.analysis.audit import build_report
from visualizer.errors import ExitCode, InputError
from visualizer.sources.compose import ComposeOptions, load_compose

BASE = """
services:
  web:
    image: ${IMAGE:-netviz/busybox:1}
    command: ["sleep", "1d"]
    ports:
      - 8080:80
      - "127.0.0.1:9000:9000/udp"
      - 22:22
      - "81"
      - "[::1]:8443:443"
      - target: 90
        published: "9090"
        host_ip: 10.0.0.5
        protocol: tcp
    expose: ["5000-5001"]
    labels: {tier: front}
    networks:
      front:
        aliases: [www]
  api:
    image: netviz/busybox:1
    command: ["sleep", "1d"]
    networks:
      front: {}
      back:
        ipv4_address: 10.77.0.10
    links: ["db:database"]
    cap_add: [NET_ADMIN]
  db:
    image: netviz/busybox:1
    command: ["sleep", "1d"]
    networks: [back]
    ports: ["5432:5432"]
  side:
    image: netviz/busybox:1
    command: ["sleep", "1d"]
    network_mode: "service:api"
  lonely:
    image: netviz/busybox:1
    command: ["sleep", "1d"]
  debug:
    image: netviz/busybox:1
    command: ["sleep", "1d"]
    profiles: [debug]
    network_mode: host
networks:
  front: {}
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.77.0.0/24
"""


def write(tmp_path, text, name="docker-compose.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def predict(*files, env=None, **kw):
    return load_compose(ComposeOptions(files=tuple(files), environ=env or {}, **kw))


def by_name(snap, name):
    return next(c for c in snap.containers if c.name == name)


def test_names_networks_and_aliases(tmp_path):
    snap = predict(write(tmp_path, BASE), project_name="shop")
    assert {n.name for n in snap.networks} == {"shop_front", "shop_back", "shop_default"}
    assert {c.name for c in snap.containers} == {
        "shop-web-1",
        "shop-api-1",
        "shop-db-1",
        "shop-side-1",
        "shop-lonely-1",
    }
    web = by_name(snap, "shop-web-1")
    assert web.endpoints[0].aliases == ("web", "www")
    assert web.compose_project == "shop"
    assert web.compose_service == "web"
    back = next(n for n in snap.networks if n.name == "shop_back")
    assert back.internal
    assert [s.cidr for s in back.subnets] == ["10.77.0.0/24"]
    api = by_name(snap, "shop-api-1")
    assert {e.network_name: e.ipv4 for e in api.endpoints} == {
        "shop_back": "10.77.0.10",
        "shop_front": None,
    }
    assert api.network_mode == "shop_back"
    assert [(lk.target, lk.alias) for lk in api.links] == [("shop-db-1", "database")]
    assert api.cap_add == ("NET_ADMIN",)
    assert by_name(snap, "shop-side-1").netns_target == api.id
    v1 = predict(write(tmp_path, BASE), project_name="shop", naming="v1")
    assert "shop_web_1" in {c.name for c in v1.containers}


def test_ports_short_and_long_syntax_yaml_1_2(tmp_path):
    web = by_name(predict(write(tmp_path, BASE), project_name="p"), "p-web-1")
    got = {(p.host_ip, p.host_port, p.container_port, p.protocol) for p in web.ports}
    assert got == {
        ("0.0.0.0", 8080, 80, "tcp"),
        ("::", 8080, 80, "tcp"),
        ("127.0.0.1", 9000, 9000, "udp"),
        ("0.0.0.0", 22, 22, "tcp"),
        ("::", 22, 22, "tcp"),  # YAML 1.1 would read 22:22 as 1342
        ("0.0.0.0", 0, 81, "tcp"),
        ("::", 0, 81, "tcp"),  # ephemeral: unknown until up
        ("::1", 8443, 443, "tcp"),
        ("10.0.0.5", 9090, 90, "tcp"),
        (None, None, 5000, "tcp"),
        (None, None, 5001, "tcp"),
    }


def test_internal_only_container_publishes_nothing(tmp_path):
    db = by_name(predict(write(tmp_path, BASE), project_name="p"), "p-db-1")
    assert db.ports == ()  # the engine ignores -p on an internal network
    assert [(p.host_ip, p.host_port) for p in db.requested_ports] == [("", 5432)]


def test_profiles(tmp_path):
    path = write(tmp_path, BASE)
    assert "p-debug-1" not in {c.name for c in predict(path, project_name="p").containers}
    with_profile = predict(path, project_name="p", profiles=("debug",))
    assert by_name(with_profile, "p-debug-1").is_host_mode
    from_env = predict(path, project_name="p", env={"COMPOSE_PROFILES": "x,debug"})
    assert "p-debug-1" in {c.name for c in from_env.containers}


def test_project_name_rules(tmp_path):
    folder = tmp_path / "My_App.v2"
    folder.mkdir()
    path = write(folder, "services:\n  a:\n    image: x\n")
    assert predict(path).containers[0].name == "my_appv2-a-1"
    assert (
        predict(path, env={"COMPOSE_PROJECT_NAME": "envname"}).containers[0].name == "envname-a-1"
    )
    named = write(folder, "name: Top\nservices:\n  a:\n    image: x\n", "named.yml")
    assert predict(named).containers[0].name == "top-a-1"
    assert predict(named, project_name="cli").containers[0].name == "cli-a-1"


def test_interpolation(tmp_path):
    (tmp_path / ".env").write_text('# comment\nFROM_ENV=envfile\nexport QUOTED="q v"\nEMPTY=\n')
    path = write(
        tmp_path,
        """
        services:
          a:
            image: "${FROM_ENV}/${QUOTED}/${SHELL_ONLY}/${UNSET:-dflt}/${EMPTY-set}/${EMPTY:-nonempty}"
            labels:
              alt: "${FROM_ENV:+yes}${UNSET:+no}"
              nested: "${UNSET:-${FROM_ENV:-x}}"
              dollar: "$$HOME and $FROM_ENV"
        """,
    )
    snap = predict(path, project_name="p", env={"SHELL_ONLY": "shell", "FROM_ENV": "shell-wins"})
    a = snap.containers[0]
    assert a.image == "shell-wins/q v/shell/dflt//nonempty"
    assert a.labels["alt"] == "yes"
    assert a.labels["nested"] == "shell-wins"
    assert a.labels["dollar"] == "$HOME and shell-wins"
    with pytest.raises(InputError, match="required variable NEEDED is missing: set it"):
        predict(
            write(tmp_path, "services:\n  a:\n    image: ${NEEDED:?set it}\n", "r.yml"),
            project_name="p",
        )
    warned = predict(
        write(tmp_path, "services:\n  a:\n    image: x${NOPE}\n", "w.yml"), project_name="p"
    )
    assert any("NOPE" in w for w in warned.warnings)


def test_merge_like_compose(tmp_path):
    base = write(tmp_path, BASE)
    override = write(
        tmp_path,
        """
        services:
          web:
            command: ["true"]
            ports: ["8080:80", "7000:7000"]
            labels: {extra: "1"}
            networks: [back]
          api:
            ports: !reset []
            cap_add: !override [SYS_TIME]
          db:
            image: other/db:2
        """,
        "override.yml",
    )
    snap = predict(base, override, project_name="p")
    web = by_name(snap, "p-web-1")
    assert {e.network_name for e in web.endpoints} == {"p_front", "p_back"}
    assert web.labels["tier"] == "front" and web.labels["extra"] == "1"
    assert sum(1 for p in web.ports if p.host_port == 8080) == 2  # not doubled
    assert any(p.host_port == 7000 for p in web.ports)
    assert by_name(snap, "p-api-1").cap_add == ("SYS_TIME",)
    assert by_name(snap, "p-db-1").image == "other/db:2"


def test_external_and_named_networks(tmp_path):
    path = write(
        tmp_path,
        """
        services:
          a:
            image: x
            networks: [ext, named]
        networks:
          ext:
            external: true
            name: shared-net
          named:
            name: exact-name
        """,
    )
    snap = predict(path, project_name="p")
    assert {n.name for n in snap.networks} == {"shared-net", "exact-name"}
    assert any("external" in w for w in snap.warnings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "services:\n  a:\n    image: x\n    colour: red\n",
            ":4:5: services.a: unknown key 'colour'",
        ),
        ("servics:\n  a: {}\n", ":1:1: unknown top-level key 'servics'"),
        ("services:\n  a:\n    ports: 8080\n", ":3:5: services.a.ports must be a list"),
        (
            "services:\n  a:\n    image: x\n    networks: [nope]\n",
            ":4:16: service 'a' refers to undefined network 'nope'",
        ),
        (
            "services:\n  a:\n    image: x\n    network_mode: service:ghost\n",
            ":4:5: service 'a': network_mode names unknown or disabled service 'ghost'",
        ),
        (
            "networks:\n  n:\n    internal: maybe\n",
            ":3:5: networks.n.internal must be a boolean, not 'maybe'",
        ),
        ("services:\n  a: [\n", ":3:1: not valid YAML"),
        ("services:\n  a:\n    image: ${BAD\n", ":3:5: unterminated ${...} in '${BAD'"),
        ("- a list\n", ":1:1: a compose file must be a mapping at the top level"),
    ],
)
def test_errors_name_file_and_place(tmp_path, text, message):
    path = write(tmp_path, text, "bad.yml")
    with pytest.raises(InputError) as err:
        predict(path, project_name="p")
    assert str(err.value).startswith(f"{path}{message}")


def test_cli_errors_are_one_line(tmp_path):
    path = write(tmp_path, "services:\n  a:\n    image: x\n    colour: red\n", "bad.yml")
    done = run_cli("render", "--compose", str(path), "-f", "dot")
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.strip() == f"netviz: error: {path}:4:5: services.a: unknown key 'colour'"
    missing = run_cli("audit", "--compose", str(tmp_path / "nope.yml"))
    assert missing.returncode == ExitCode.INPUT
    assert run_cli("render", "--compose", str(path), "--demo").returncode == ExitCode.USAGE


def test_audit_before_deploying(tmp_path):
    path = write(tmp_path, BASE)
    done = run_cli("audit", "--compose", str(path), "-p", "shop", "-f", "json", "--exit-zero")
    body = json.loads(done.stdout)
    pairs = {(p["from"], p["to"]) for p in body["reachability"]}
    assert ("shop-api-1", "shop-db-1") in pairs
    assert ("shop-web-1", "shop-db-1") not in pairs
    assert ("shop-side-1", "shop-db-1") in pairs  # shares api's stack
    ids = {f["id"] for f in body["findings"]}
    assert {"A3", "A12", "A13"} <= ids  # 8080 on all interfaces; api with NET_ADMIN on two networks
    high = next(f for f in body["findings"] if f["id"] == "A12")
    assert high["severity"] == "high"


# ---- prediction against reality ----------------------------------------------------------------

needs_compose = pytest.mark.usefixtures("docker_compose")
DEMO_SITE = Path("/srv/netviz-demo/site")


def compose(project, *args, cwd):
    return subprocess.run(
        ["docker-compose", "-p", project, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.docker
@needs_compose
@pytest.mark.parametrize("case", ["demo", "rich"])
def test_prediction_equals_what_compose_creates(engine, tmp_path, case):
    project = f"nvc{os.getpid() % 10000}{case}"
    site_existed = DEMO_SITE.parent.exists()
    if case == "demo":
        DEMO_SITE.mkdir(parents=True, exist_ok=True)  # the demo's bind mount
        files = [Path(__file__).resolve().parent.parent / "scripts" / "demo" / "compose.yaml"]
        extra = []
    else:
        # Compose 1.29 knows no host_ip in the long port syntax, and reads an unquoted 22:22
        # as YAML 1.1's 1342 (test_yaml_1_1_drift_is_caught)
        write(
            tmp_path,
            BASE.replace("        host_ip: 10.0.0.5\n", "").replace("- 22:22", '- "22:22"'),
        )
        write(
            tmp_path,
            """
            services:
              web:
                ports: ["127.0.0.1:7000:7000"]
              lonely:
                networks: [default, front]
            """,
            "override.yml",
        )
        (tmp_path / ".env").write_text("IMAGE=netviz/busybox:1\n")
        files = [tmp_path / "docker-compose.yml", tmp_path / "override.yml"]
        extra = ["--profile", "debug"]
    args = [a for f in files for a in ("-f", str(f))]
    up = compose(project, *args, *extra, "up", "-d", cwd=files[0].parent)
    try:
        assert up.returncode == 0, up.stderr
        spec = ",".join(str(f) for f in files)
        done = run_cli(
            "diff",
            spec,
            "live",
            "-p",
            project,
            "--compose-naming",
            "v1",
            *extra,
            "--filter",
            f"project={project}",
            cwd=files[0].parent,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith("equal")
        live = nv.load(nv.SourceSpec(), inspect=True)
        predicted = nv.load_compose(
            files, project_name=project, profiles=tuple(extra[1:]), naming="v1"
        )
        mine = {c.name for c in predicted.containers}
        assert mine and mine <= {c.name for c in live.containers}

        # reachability, pair by pair, among the project's containers
        def pairs(snap):
            return {
                (v.source, v.target, v.by_name)
                for v in build_report(nv.build_graph(snap)).pairs or ()
                if v.source in mine and v.target in mine
            }

        assert pairs(predicted) == pairs(live)
    finally:
        compose(project, *args, *extra, "down", "-v", "-t", "0", cwd=files[0].parent)
        if case == "demo" and not site_existed:
            shutil.rmtree(DEMO_SITE.parent, ignore_errors=True)


@pytest.mark.docker
@needs_compose
def test_yaml_1_1_drift_is_caught(engine, tmp_path):
    """Compose v1 parses `22:22` as YAML 1.1 (1342); the file means port 22; diff says so."""
    project = f"nvy{os.getpid() % 10000}"
    path = write(
        tmp_path,
        """
        services:
          ssh:
            image: netviz/busybox:1
            command: ["sleep", "1d"]
            ports:
              - 22:22
        """,
    )
    up = compose(project, "-f", str(path), "up", "-d", cwd=tmp_path)
    try:
        assert up.returncode == 0, up.stderr
        done = run_cli(
            "diff",
            str(path),
            "live",
            "-p",
            project,
            "--compose-naming",
            "v1",
            "--filter",
            f"project={project}",
            "-f",
            "json",
        )
        assert done.returncode == ExitCode.NEGATIVE
        changes = json.loads(done.stdout)["changes"]
        details = {c["detail"] for c in changes if c["kind"] == "container"}
        assert "port removed: 0.0.0.0:22->22/tcp" in details
        assert any("->1342/tcp" in d for d in details)
    finally:
        compose(project, "-f", str(path), "down", "-t", "0", cwd=tmp_path)

"""Compose as Compose does it: `extends`, `include`, the empty host address, file:line:col on
every error, keys not modelled named in warnings, `--env-file`, and bounded resources."""

from __future__ import annotations

import textwrap

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.errors import ExitCode, InputError
from visualizer.sources.compose import ComposeOptions, load_compose
from visualizer.sources.compose.checks import MAX_CONTAINERS, MAX_PORTS, MAX_SCALE
from visualizer.sources.compose.interpolate import MAX_NESTING
from visualizer.sources.compose.modelled import MODELLED
from visualizer.yamlfile import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def predict(*files, env=None, **kw):
    return load_compose(ComposeOptions(files=tuple(files), environ=env or {}, **kw))


def by_name(snap, name):
    return next(c for c in snap.containers if c.name == name)


def nets(container):
    return {e.network_name: e.aliases for e in container.endpoints}


def refused(*files, env=None, **kw) -> str:
    with pytest.raises(InputError) as err:
        predict(*files, env=env, **kw)
    return str(err.value)


# ---- extends -----------------------------------------------------------------------------------


def test_extends_in_the_same_file_merges_like_compose(tmp_path):
    path = write(
        tmp_path,
        "compose.yml",
        """
        services:
          base:
            image: netviz/busybox:1
            networks: [back]
            ports: ["8080:80"]
            labels: {tier: base, keep: "yes"}
            cap_add: [NET_ADMIN]
            scale: 2
          web:
            extends: base
            networks:
              front: {aliases: [www]}
            ports: ["8080:80", "8443:443"]
            labels: {tier: web}
        networks:
          front: {}
          back: {}
        """,
    )
    snap = predict(path, project_name="p")
    web = [c for c in snap.containers if c.compose_service == "web"]
    assert [c.name for c in web] == ["p-web-1", "p-web-2"]  # scale comes from the base
    one = web[0]
    assert nets(one) == {"p_back": ("web",), "p_front": ("web", "www")}
    assert one.labels["tier"] == "web" and one.labels["keep"] == "yes"
    assert sorted({p.host_port for p in one.ports}) == [8080, 8443]  # 8080 not doubled
    assert sum(1 for p in one.ports if p.host_port == 8080) == 2  # 0.0.0.0 and ::
    assert one.cap_add == ("NET_ADMIN",)


def test_extends_another_file_chained_with_relative_paths(tmp_path):
    write(
        tmp_path,
        "lib/root.yml",
        """
        services:
          root:
            image: netviz/busybox:1
            expose: ["9000"]
            networks: [back]
        """,
    )
    write(
        tmp_path,
        "lib/common.yml",
        """
        services:
          app:
            extends: {file: root.yml, service: root}
            hostname: app-host
        """,
    )
    path = write(
        tmp_path,
        "compose.yml",
        """
        services:
          api:
            extends: {file: lib/common.yml, service: app}
            networks: [back, front]
        networks: {front: {}, back: {internal: true}}
        """,
    )
    api = by_name(predict(path, project_name="p"), "p-api-1")
    assert set(nets(api)) == {"p_back", "p_front"}
    assert api.hostname == "app-host"
    assert [(p.container_port, p.host_port) for p in api.ports] == [(9000, None)]


def test_extends_mistakes_name_the_place(tmp_path):
    path = write(
        tmp_path,
        "compose.yml",
        """
        services:
          a:
            extends: {service: ghost}
        """,
    )
    assert refused(path).startswith(f"{path}:4:15: service 'a' extends unknown service 'ghost'")
    path = write(
        tmp_path,
        "cycle.yml",
        """
        services:
          a: {extends: b, image: x}
          b: {extends: a, image: x}
        """,
    )
    assert "extends cycle: cycle.yml:a -> cycle.yml:b -> cycle.yml:a" in refused(path)
    path = write(
        tmp_path, "far.yml", "services:\n  a:\n    extends: {file: nope.yml, service: x}\n"
    )
    assert refused(path).startswith(f"{path}:3:15: extends file {tmp_path / 'nope.yml'} does not")


def test_an_error_in_an_extended_file_names_that_file(tmp_path):
    base = write(tmp_path, "base.yml", "services:\n  b:\n    image: x\n    expose: [abc]\n")
    path = write(
        tmp_path, "compose.yml", "services:\n  a:\n    extends: {file: base.yml, service: b}\n"
    )
    assert refused(path).startswith(f"{base}:4:14: services.b.expose[0]: invalid exposed port")


# ---- include -----------------------------------------------------------------------------------


def test_include_is_a_project_of_its_own(tmp_path):
    write(
        tmp_path,
        "sub/compose.yml",
        """
        services:
          side:
            image: ${SIDE_IMAGE}
            networks: [subnet]
            env_file: ./side.env
        networks:
          subnet: {}
        """,
    )
    write(tmp_path, "sub/.env", "SIDE_IMAGE=side:from-its-own-env\nSHARED=sub\n")
    write(
        tmp_path,
        "db/db.yml",
        """
        services:
          db:
            image: ${DB_IMAGE:-none}:${SHARED}
            networks: [back]
        networks:
          back: {}
        """,
    )
    write(tmp_path, "envs/db.env", "DB_IMAGE=postgres\nSHARED=db\n")
    write(tmp_path, ".env", "SHARED=main\n")
    path = write(
        tmp_path,
        "compose.yml",
        """
        include:
          - sub/compose.yml
          - path: db/db.yml
            env_file: envs/db.env
        services:
          web:
            image: netviz/busybox:1
            networks: [back, subnet]
        networks:
          back: {internal: true}
        """,
    )
    snap = predict(path, project_name="p")
    assert by_name(snap, "p-side-1").image == "side:from-its-own-env"
    assert by_name(snap, "p-db-1").image == "postgres:main"  # the including project's env wins
    back = next(n for n in snap.networks if n.name == "p_back")
    assert back.internal  # what the including file says is merged over the included one
    assert {n.name for n in snap.networks} == {"p_back", "p_subnet"}
    assert set(nets(by_name(snap, "p-web-1"))) == {"p_back", "p_subnet"}
    assert any("services.*.env_file" in w for w in snap.warnings)


def test_include_cycle_and_missing_file_are_errors_at_their_place(tmp_path):
    a = write(tmp_path, "a.yml", "include: [b.yml]\nservices:\n  a: {image: x}\n")
    b = write(tmp_path, "b.yml", "include:\n  - a.yml\n")
    message = refused(a)
    assert message.startswith(f"{b}:2:5: include cycle: ")
    assert message.endswith(f"{a.resolve()} -> {b.resolve()} -> {a.resolve()}")
    lone = write(tmp_path, "lone.yml", "include:\n  - path: [gone.yml]\n")
    assert refused(lone).startswith(f"{lone}:2:5: included file {tmp_path / 'gone.yml'} does not")


def test_an_error_in_an_included_file_names_that_file(tmp_path):
    inner = write(tmp_path, "inner/compose.yml", "services:\n  x:\n    image: x\n    deploy: x\n")
    path = write(tmp_path, "compose.yml", "include: [inner/compose.yml]\n")
    assert refused(path) == f"{inner}:4:5: services.x.deploy must be a mapping"


# ---- ports -------------------------------------------------------------------------------------


def test_empty_host_address_means_every_address(tmp_path):
    path = write(
        tmp_path,
        "compose.yml",
        """
        services:
          mail:
            image: netviz/busybox:1
            ports: ["${BIND:-}:443:443", "${BIND:-}:25:25/tcp", "::1:8080:80"]
        """,
    )
    mail = by_name(predict(path, project_name="p"), "p-mail-1")
    got = {(p.host_ip, p.host_port, p.container_port) for p in mail.ports}
    assert got == {
        ("0.0.0.0", 443, 443),
        ("::", 443, 443),
        ("0.0.0.0", 25, 25),
        ("::", 25, 25),
        ("::1", 8080, 80),
    }
    done = run_cli("audit", "--compose", str(path), "-f", "json", "--exit-zero")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("ports", "message"),
    [
        ('["1-999999999"]', ":4:13: services.a.ports[0]: container port '1-999999999' is out of"),
        ('["0:0"]', ":4:13: services.a.ports[0]: container port '0' is out of range (1-65535)"),
        ('["70000:80"]', ":4:13: services.a.ports[0]: host port '70000' is out of range"),
        ('["8080-8081:80-82"]', ":4:13: services.a.ports[0]: host and container port ranges"),
        ('["90-80"]', ":4:13: services.a.ports[0]: invalid container port range '90-80'"),
        ('["80/icmp"]', ":4:13: services.a.ports[0]: invalid protocol 'icmp'"),
        ('["nothere:80:80"]', ":4:13: services.a.ports[0]: invalid host address 'nothere'"),
        ("[{target: 0}]", ":4:13: services.a.ports[0]: target port 0 is out of range"),
        ("[{published: 80}]", ":4:13: services.a.ports[0]: a port in long syntax needs a target"),
    ],
)
def test_ports_docker_would_refuse(tmp_path, ports, message):
    path = write(tmp_path, "c.yml", f"services:\n  a:\n    image: x\n    ports: {ports}\n")
    assert refused(path).startswith(f"{path}{message}")


def test_host_range_for_one_port_and_whole_range(tmp_path):
    path = write(
        tmp_path,
        "c.yml",
        'services:\n  a:\n    image: x\n    ports: ["8000-8010:80", "1-65535:1-65535/udp"]\n',
    )
    a = by_name(predict(path, project_name="p"), "p-a-1")
    assert {p.host_port for p in a.ports if p.container_port == 80 and p.protocol == "tcp"} == {0}
    assert len([p for p in a.requested_ports if p.protocol == "udp"]) == 65535


# ---- what netviz does not model -----------------------------------------------------------------


def test_keys_not_modelled_are_named_in_warnings(tmp_path):
    path = write(
        tmp_path,
        "compose.yml",
        """
        x-common: &common {restart: always}
        services:
          web:
            image: x
            <<: *common
            healthcheck: {test: [CMD, "true"]}
            x-note: ignored as Compose ignores it
            networks:
              front: {priority: 5, aliases: [w]}
            deploy: {replicas: 1, resources: {limits: {cpus: "1"}}}
          db: {image: x, restart: always}
        networks:
          front: {driver_opts: {a: b}, enable_ipv4: true}
        volumes:
          data: {driver_opts: {a: b}}
        secrets:
          token: {file: ./token}
        """,
    )
    warnings = [w for w in predict(path, project_name="p").warnings if "not modelled" in w]
    assert warnings == [
        "compose key networks.*.enable_ipv4 is not modelled by netviz: ignored (in front)",
        "compose key secrets is not modelled by netviz: ignored",
        "compose key services.*.deploy.resources is not modelled by netviz: ignored (in web)",
        "compose key services.*.healthcheck is not modelled by netviz: ignored (in web)",
        "compose key services.*.networks.*.priority is not modelled by netviz: ignored (in web/front)",
        "compose key services.*.restart is not modelled by netviz: ignored (in db, web)",
        "compose key volumes.*.driver_opts is not modelled by netviz: ignored (in data)",
    ]
    assert ("services", "*") in MODELLED and "ports" in MODELLED[("services", "*")]


# ---- --env-file -------------------------------------------------------------------------------


def test_env_file_from_the_cli_and_the_library(tmp_path):
    path = write(tmp_path, "c.yml", 'services:\n  a:\n    image: x\n    ports: ["${P:-80}:80"]\n')
    env = write(tmp_path, "e.env", "P=8181\n")
    done = run_cli(
        "audit", "--compose", str(path), "--env-file", str(env), "-f", "json", "--exit-zero"
    )
    assert done.returncode == 0, done.stderr
    assert '"0.0.0.0:8181->80/tcp"' in done.stdout or "8181" in done.stdout
    snap = nv.load_compose([str(path)], env_file=str(env))
    assert {p.host_port for p in snap.containers[0].ports} == {8181}
    spec = nv.SourceSpec(compose=(str(path),), env_file=str(env))  # type: ignore[arg-type]
    assert {p.host_port for p in nv.load(spec).containers[0].ports} == {8181}
    missing = run_cli("render", "--compose", str(path), "--env-file", str(tmp_path / "no.env"))
    assert missing.returncode == ExitCode.INPUT
    assert missing.stderr.strip() == f"netviz: error: {tmp_path / 'no.env'}: no such env file"


# ---- bounded resources ------------------------------------------------------------------------


def test_scale_and_replicas_capped(tmp_path):
    path = write(tmp_path, "c.yml", "services:\n  a:\n    image: x\n    scale: 100000000\n")
    assert refused(path) == (
        f"{path}:4:5: services.a.scale: 100000000 containers is over netviz's limit of "
        f"{MAX_SCALE} per service"
    )
    path = write(tmp_path, "d.yml", "services:\n  a:\n    image: x\n    deploy: {replicas: -1}\n")
    assert refused(path) == f"{path}:4:14: services.a.deploy.replicas: must be 0 or more"
    many = "services:\n" + "".join(
        f"  s{i}:\n    image: x\n    scale: {MAX_SCALE}\n"
        for i in range(MAX_CONTAINERS // MAX_SCALE + 1)
    )
    path = write(tmp_path, "many.yml", many)
    assert f"over netviz's limit of {MAX_CONTAINERS}" in refused(path)
    wide = "services:\n  a:\n    image: x\n    scale: 4\n    ports: ['1-65535:1-65535']\n"
    path = write(tmp_path, "wide.yml", wide)
    assert refused(path).startswith(
        f"{path}:5:5: the project would bind or expose over {MAX_PORTS}"
    )
    both = "services:\n  a:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n"
    assert "sets scale 2 and deploy.replicas 3" in refused(write(tmp_path, "both.yml", both))


@pytest.mark.parametrize("kind", ["compose", "policy"])
def test_hostile_yaml_is_a_clean_error(tmp_path, kind):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    )
    cases = {
        "bomb.yml": (bomb, f"more than {MAX_YAML_NODES} nodes once aliases are expanded"),
        "deep.yml": ("a: " + "[" * 5000 + "]" * 5000, f"nested deeper than {MAX_YAML_DEPTH}"),
        "deepblock.yml": ("".join(" " * i + "k:\n" for i in range(1000)), "nested deeper"),
        "self.yml": ("a: &x [*x]\n", "alias *x refers to itself"),
        "int.yml": ("a: " + "9" * 5000 + "\n", "cannot read this value"),
        "big.yml": ("# " + "x" * MAX_YAML_BYTES + "\n", f"over {MAX_YAML_BYTES} bytes"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        if kind == "compose":
            done = run_cli("render", "--compose", str(path), "-f", "dot")
        else:
            done = run_cli("audit", "--demo", "--policy", str(path))
        assert done.returncode == ExitCode.INPUT, (name, done.stderr)
        line = done.stderr.strip()
        assert "\n" not in line and line.startswith(f"netviz: error: {path}"), (name, line)
        assert message in line, (name, line)


def test_interpolation_nesting_is_bounded(tmp_path):
    def nested(depth):
        return "${A:-" * depth + "x" + "}" * depth

    ok = write(tmp_path, "ok.yml", f'services:\n  a:\n    image: "{nested(MAX_NESTING)}"\n')
    assert by_name(predict(ok, project_name="p"), "p-a-1").image == "x"
    deep = write(tmp_path, "deep.yml", f'services:\n  a:\n    image: "{nested(5000)}"\n')
    assert refused(deep) == (f"{deep}:3:5: interpolation nested deeper than {MAX_NESTING} levels")


# ---- the vendored schema ----------------------------------------------------------------------


def test_vendored_schema_is_the_published_one():
    import hashlib
    from importlib import resources

    from visualizer.sources.compose.schema import SCHEMA_SHA256, SCHEMA_SOURCE

    vendor = resources.files("visualizer").joinpath("data/vendor")
    body = vendor.joinpath("compose-spec.json").read_bytes()
    assert hashlib.sha256(body).hexdigest() == SCHEMA_SHA256
    note = vendor.joinpath("compose-spec.SOURCE").read_text()
    assert SCHEMA_SOURCE in note and SCHEMA_SHA256 in note
    assert "Apache License" in vendor.joinpath("compose-spec.LICENSE").read_text()


def test_the_schema_decides_not_a_hand_written_list(tmp_path):
    """Keys the Compose schema knows pass; a key it does not know is refused, wherever it is."""
    known = write(
        tmp_path,
        "known.yml",
        """
        services:
          a:
            image: x
            gpus: all
            develop: {watch: [{path: ., action: rebuild}]}
            networks: {n: {gw_priority: 1, interface_name: eth5}}
        networks:
          n: {enable_ipv4: true}
        models:
          m: {model: ai/smollm2}
        """,
    )
    assert predict(known, project_name="p").containers
    deep = write(
        tmp_path,
        "deep.yml",
        "services:\n  a:\n    image: x\n    deploy:\n      resources: {limits: {cpu: 1}}\n",
    )
    assert refused(deep) == f"{deep}:5:28: services.a.deploy.resources.limits: unknown key 'cpu'"


def test_json_schema_is_imported_only_for_compose_files():
    done = run_cli("--help")
    assert done.returncode == 0
    import os
    import subprocess
    import sys

    from conftest import ROOT

    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import visualizer as nv, sys; nv.render(nv.SourceSpec(demo=True), nv.Format.DOT); print('jsonschema' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert probe.stdout.strip() == "False"


def test_project_name_mistakes_name_their_source(tmp_path):
    path = write(tmp_path, "c.yml", "name: '-bad'\nservices:\n  a: {image: x}\n")
    assert refused(path) == (
        f"{path}:1:1: name: '-bad' is not a valid project name: use lowercase letters, digits, "
        "- and _"
    )
    done = run_cli("render", "--compose", str(path), "-p", "!!", "-f", "dot")
    assert done.returncode == ExitCode.USAGE
    assert "--project-name '!!' is not a valid project name" in done.stderr
    listed = write(tmp_path, "list.yml", "- a\n")
    assert refused(listed) == f"{listed}:1:1: a compose file must be a mapping at the top level"


def test_a_null_override_keeps_what_it_would_override(tmp_path):
    base = write(
        tmp_path,
        "a.yml",
        "services:\n  a:\n    image: x\n    networks:\n      n: {aliases: [al]}\nnetworks: {n: {}}\n",
    )
    over = write(tmp_path, "b.yml", "services:\n  a:\n    networks:\n      n:\n")
    a = by_name(predict(base, over, project_name="p"), "p-a-1")
    assert nets(a) == {"p_n": ("a", "al")}


def test_long_include_and_extends_chains_are_refused(tmp_path):
    from visualizer.sources.compose.project import MAX_CHAIN

    count = 200
    chain = "services:\n  s0: {image: x}\n" + "".join(
        f"  s{i}: {{extends: s{i - 1}}}\n" for i in range(1, count)
    )
    path = write(tmp_path, "chain.yml", chain)
    assert f"extends chain longer than {MAX_CHAIN} services" in refused(path)
    for i in range(100):
        write(tmp_path, f"inc/{i}.yml", f"include: [{i + 1}.yml]\n")
    write(tmp_path, "inc/100.yml", "services:\n  a: {image: x}\n")
    assert f"includes nested deeper than {MAX_CHAIN} files" in refused(tmp_path / "inc" / "0.yml")
    short = write(
        tmp_path,
        "short.yml",
        "services:\n  s0: {image: x}\n"
        + "".join(f"  s{i}: {{extends: s{i - 1}}}\n" for i in range(1, MAX_CHAIN)),
    )
    assert len(predict(short, project_name="p").containers) == MAX_CHAIN

"""Every malformed compose file is a one-line error at its file:line:col, exit 4, never a traceback.

A sweep puts wrong values under every key the Compose schema knows (services, their networks,
ports in long syntax, deploy, networks, IPAM, include, top level), and hypothesis puts random
YAML values at random places of a real compose file (`ci` profile: the same examples each run;
`--hypothesis-profile=fuzz` explores many more).
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from visualizer.errors import ExitCode, InputError
from visualizer.sources.compose import ComposeOptions, load_compose

SCHEMA = json.loads(
    resources.files("visualizer").joinpath("data/vendor/compose-spec.json").read_text()
)
DEFS = SCHEMA["$defs"]

BASE = {
    "services": {
        "web": {
            "image": "netviz/busybox:1",
            "ports": ["8080:80", {"target": 90, "published": "9090"}],
            "expose": ["5000"],
            "networks": {"front": {"aliases": ["www"]}, "back": None},
            "deploy": {"replicas": 2},
        },
        "db": {"image": "netviz/busybox:1", "networks": ["back"], "links": ["web"]},
    },
    "networks": {
        "front": {"ipam": {"config": [{"subnet": "10.9.0.0/24"}]}},
        "back": {"internal": True},
    },
}

WRONG = [
    "abc",
    "x:y:z:w",
    -1,
    99999999999,
    1.5,
    True,
    None,
    ["abc"],
    [{"x": 1}],
    {"x": {"y": [1]}},
    "${UNSET_VAR:?boom}",
    "1-999999999",
    "${",
]
"""Values of the wrong type or form, put under each key in turn."""

LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>[0-9]+):(?P<col>[0-9]+): \S")


def places() -> list[tuple[str | int, ...]]:
    """Every key the schema lists for a service, a service's network, a long port, deploy,
    a network, IPAM and the top level, as a path into BASE."""
    out: list[tuple[str | int, ...]] = [(key,) for key in SCHEMA["properties"]]
    out += [("services", "web", key) for key in DEFS["service"]["properties"]]
    nets = DEFS["service"]["properties"]["networks"]["oneOf"][1]["patternProperties"]
    net_entry = next(iter(nets.values()))["oneOf"][0]["properties"]
    out += [("services", "web", "networks", "front", key) for key in net_entry]
    out += [("services", "web", "deploy", key) for key in DEFS["deployment"]["properties"]]
    out += [("networks", "front", key) for key in DEFS["network"]["properties"]]
    ipam = DEFS["network"]["properties"]["ipam"]["properties"]
    out += [("networks", "front", "ipam", key) for key in ipam]
    out += [("networks", "front", "ipam", "config", 0, key) for key in ("subnet", "gateway")]
    return out


def put(doc, path, value):
    doc = json.loads(json.dumps(doc))
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


def check(path_on_disk, env=None):
    """Load a compose file: a snapshot, or an InputError at file:line:col; nothing else."""
    try:
        return load_compose(ComposeOptions(files=(path_on_disk,), environ=env or {}))
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message, message
        match = LOCATED.match(message)
        assert match is not None, f"no file:line:col in {message!r}"
        assert match.group("file") == str(path_on_disk), message
        return exc


def test_sweep_finds_every_schema_key():
    found = places()
    assert len(found) > 120  # the Compose schema's keys, not a hand-made list
    assert ("services", "web", "expose") in found
    assert ("networks", "front", "ipam") in found
    assert ("services", "web", "deploy", "replicas") in found


@pytest.mark.parametrize("value", WRONG, ids=repr)
def test_wrong_values_under_every_key(tmp_path, value):
    path = tmp_path / "compose.yml"
    errors = 0
    for place in places():
        path.write_text(json.dumps(put(BASE, place, value)))  # JSON is YAML 1.2
        errors += isinstance(check(path), InputError)
    assert errors > 0


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        (put(BASE, ("services", "web", "expose"), ["abc"]), "services.web.expose[0]"),
        (put(BASE, ("services", "web", "deploy"), "x"), "services.web.deploy must be a mapping"),
        (put(BASE, ("networks", "front", "ipam"), "x"), "networks.front.ipam must be a mapping"),
        (put(BASE, ("services", "web", "ports"), ["1-999999999"]), "out of range (1-65535)"),
        (put(BASE, ("services", "web", "scale"), 100000000), "over netviz's limit of 1000"),
        (put(BASE, ("services", "db", "scale"), 100000000), "over netviz's limit of 1000"),
    ],
)
def test_reported_crashes_are_one_line_exit_4(tmp_path, doc, where):
    path = tmp_path / "compose.yml"
    path.write_text(json.dumps(doc, indent=2))
    done = run_cli("render", "--compose", str(path), "-f", "dot")
    assert done.returncode == ExitCode.INPUT, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"netviz: error: {path}:")
    assert where in lines[0]


YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["${X}", "${X:-8080}:80", "$$", "::1", "[::1]:80:80", "65536", "0", "tcp"]),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(place=st.sampled_from(places()), value=YAML_VALUES)
def test_random_values_at_random_places(tmp_path_factory, place, value):
    path = tmp_path_factory.mktemp("fuzz") / "compose.yml"
    doc = json.loads(json.dumps(BASE))
    node = doc
    for step in place[:-1]:
        node = node[step]
    node[place[-1]] = value
    with path.open("w") as fh:
        YAML(typ="safe", pure=True).dump(doc, fh)
    check(path, env={"X": "1"})


@given(text=st.text(alphabet="{}[]:-,&*!|>'\"#\n abc12$", max_size=60))
def test_random_yaml_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "compose.yml"
    path.write_text("services:\n  web:\n    image: x\n    ports: " + text)
    check(path)

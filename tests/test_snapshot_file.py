"""The snapshot file: round trip, versioning, and precise errors on malformed input."""

from __future__ import annotations

import json

import pytest

import visualizer as nv
from visualizer.errors import ExitCode, InputError
from visualizer.model import SCHEMA_VERSION
from visualizer.sources.snapshot import dumps, loads


def test_demo_round_trips_exactly():
    demo = nv.load_demo()
    assert loads(dumps(demo)) == demo
    assert dumps(loads(dumps(demo))) == dumps(demo)


def test_file_carries_schema_version_and_engine_facts():
    body = json.loads(dumps(nv.load_demo()))
    assert body["schema_version"] == SCHEMA_VERSION
    engine = body["engine"]
    assert engine["server_version"].startswith("20.10")
    assert engine["api_version"] == "1.41"
    assert engine["os_type"] == "linux"
    assert engine["os"]


def test_unknown_keys_are_ignored_missing_optional_fields_default():
    body = json.loads(dumps(nv.load_demo()))
    body["future_field"] = {"x": 1}
    body["containers"][0]["new_thing"] = True
    del body["containers"][0]["labels"]
    snap = loads(json.dumps(body))
    assert snap.containers[0].labels == {}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update(schema_version=99), "unsupported schema_version 99"),
        (lambda b: b.pop("schema_version"), "no schema_version"),
        (lambda b: b["containers"][1].pop("id"), "containers[1]: missing required field 'id'"),
        (
            lambda b: b["containers"][0]["ports"].append({"container_port": "80"}),
            "containers[0].ports[",
        ),
        (lambda b: b["networks"][2].update(internal="yes"), "networks[2].internal: expected true"),
        (lambda b: b.update(containers={}), "containers: expected a list, got an object"),
    ],
)
def test_malformed_snapshot_names_the_place(mutate, message):
    body = json.loads(dumps(nv.load_demo()))
    mutate(body)
    with pytest.raises(InputError) as err:
        loads(json.dumps(body), origin="snap.json")
    assert str(err.value).startswith("snap.json: ")
    assert message in str(err.value)
    assert err.value.exit_code is ExitCode.INPUT


@pytest.mark.parametrize("text", ["", "{", "[]", "null", b"\xff\xfe{"])
def test_not_a_snapshot(text):
    with pytest.raises(InputError):
        loads(text, origin="x")


def test_load_file_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        nv.load_snapshot(tmp_path / "missing.json")
    with pytest.raises(InputError, match="is a directory"):
        nv.load_snapshot(tmp_path)

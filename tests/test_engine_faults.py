"""An engine that misbehaves is one line and exit 3, never a traceback, a hang or a memory
blow-up: a fuzz-ish harness over fake engines serving real recorded answers with one fault
(tests/fakeengine.py), and the option values that name an engine or a timeout (exit 2)."""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli
from fakeengine import FAULTS, FakeEngine
from hypothesis import given
from hypothesis import strategies as st

import visualizer as nv
from visualizer.errors import EngineError, ExitCode, UsageError
from visualizer.sources import transport
from visualizer.sources.engine import EngineTarget
from visualizer.sources.events import follow_events

WHERE = ("/version", "/info", "/networks", "/containers/json", "/json")


def one_line(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("netviz: error: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_the_fake_engine_serves_a_real_capture(tmp_path):
    with FakeEngine(tmp_path / "e.sock") as fake:
        snap = nv.load(nv.SourceSpec(hosts=(fake.url,)), inspect=True)
    assert len(snap.containers) == 14
    assert snap.inspected


@pytest.mark.parametrize(
    ("fault", "where", "expected"),
    [
        ("endless", "/containers/json", "larger than netviz's limit of 128 MiB"),
        ("drip", "/networks", "did not answer in time"),
        ("garbage", "/info", "does not look like a Docker engine"),
        ("nested", "/networks", "nested too deeply"),
        ("wrong-types", "/networks", "are not JSON arrays"),
        ("error", "/containers/json", "answered 500: internal failure"),
        ("reset", "/networks", "cannot talk to the engine"),
        ("not-http", "/version", "does not look like a Docker engine (not an HTTP answer"),
        ("long-header", "/version", "does not look like a Docker engine (not an HTTP answer"),
    ],
)
def test_each_fault_is_one_line_and_exit_3(tmp_path, fault, where, expected):
    with FakeEngine(tmp_path / "e.sock", fault, where) as fake:
        started = time.monotonic()
        done = run_cli("audit", "-H", fake.url, "--timeout", "2", "-f", "json", timeout=60)
        elapsed = time.monotonic() - started
    assert done.returncode == ExitCode.ENGINE, done.stderr
    assert expected in one_line(done)
    assert elapsed < 30  # a drip is cut off at the deadline, not after the whole body


def test_an_endless_body_does_not_exhaust_memory(tmp_path):
    code = (
        "import resource, sys\n"
        "from visualizer.cli import main\n"
        "rc = main(['render', '-H', sys.argv[1], '-f', 'dot'])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    with FakeEngine(tmp_path / "e.sock", "endless", "/networks") as fake:
        done = subprocess.run(
            [sys.executable, "-c", code, fake.url],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            timeout=120,
            check=False,
        )
    assert done.returncode == ExitCode.ENGINE, done.stderr
    assert "larger than netviz's limit" in done.stderr
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib < 1024 * 1024  # under 1 GiB while the engine sent without end
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0


@given(
    fault=st.sampled_from([f for f in FAULTS if f != "drip"]),
    where=st.sampled_from(WHERE),
    inspect=st.booleans(),
)
def test_fuzz_faults_in_process(tmp_path_factory, monkeypatch_module, fault, where, inspect):
    path = tmp_path_factory.mktemp("f") / "e.sock"
    with FakeEngine(path, fault, where) as fake:
        error: EngineError | None = None
        try:
            snap = nv.load(nv.SourceSpec(hosts=(fake.url,), timeout=2), inspect=inspect)
        except EngineError as exc:
            error = exc
    if error is not None:
        assert "\n" not in str(error)
        assert error.exit_code == ExitCode.ENGINE
        return
    # Tolerated faults only: wrong types where a value is optional, or faults on a request
    # this capture does not make.
    assert fault == "wrong-types" or not any(where in r for r in fake.requests), fake.requests
    nv.render(nv.build_graph(snap), nv.Format.DOT)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setattr(transport, "MAX_RESPONSE_BYTES", 4 * 1024 * 1024)  # endless bodies end sooner
    yield mp
    mp.undo()


def test_malformed_events_are_reported_and_following_goes_on(tmp_path):
    events: list[str] = []
    problems: list[str] = []
    with FakeEngine(tmp_path / "e.sock") as fake:
        follow_events(EngineTarget(host=fake.url), events.append, on_problem=problems.append)
    assert events == ["container start (unnamed)", "container create late"]
    assert len(problems) == 4
    assert all(p.startswith("unreadable event from the engine, skipped") for p in problems)


@pytest.mark.parametrize(
    "args",
    [
        ["-H", "tcp://[::1"],
        ["-H", "tcp://host:notaport"],
        ["-H", "tcp://host:99999"],
        ["-H", "ftp://host"],
        ["-H", "unix://relative/path"],
        ["--timeout", "nan"],
        ["--timeout", "inf"],
        ["--timeout", "-1"],
        ["--timeout", "1e300"],
    ],
)
def test_bad_engine_options_are_usage_errors(args):
    done = run_cli("render", "-f", "dot", *args)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(("netviz: error: invalid", "Error: Invalid value")), lines


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, 0.0, True])
def test_engine_target_refuses_bad_timeouts(bad):
    with pytest.raises(UsageError):
        EngineTarget(timeout=bad)


def test_all_contexts_goes_on_past_broken_contexts(tmp_path, engine):
    config = tmp_path / "cfg"
    for name, host in (("nvt-good", "unix:///var/run/docker.sock"), ("nvt-badhost", "tcp://[::1")):
        meta = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
        meta.mkdir(parents=True)
        (meta / "meta.json").write_text(
            json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}})
        )
    broken = config / "contexts" / "meta" / "zzbroken"
    broken.mkdir(parents=True)
    (broken / "meta.json").write_text("{not json")
    done = run_cli(
        "render", "--all-contexts", "-f", "dot", env={"DOCKER_CONFIG": str(config)}, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "context nvt-badhost: could not be captured" in done.stderr
    assert "cannot read a Docker context" in done.stderr

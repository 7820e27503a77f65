"""Shared fixtures: the real engine (started when possible), a prefixed lab, the CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI draws the same examples every run; `pytest --hypothesis-profile=fuzz` explores new ones.
settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", settings.get_profile("ci"), max_examples=2000, derandomize=False)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
IMAGE = os.environ.get("NETVIZ_TEST_IMAGE", "netviz/busybox:1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden from the current output",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m visualizer ARGS` in a fresh process, as the user would."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "visualizer", *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--", *cmd]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout, check=False
    )


def load_raw(name: str):
    """A raw capture recorded from a real engine by scripts/record_raw.py."""
    from visualizer.sources.raw import RawCapture

    body = json.loads((DATA / name).read_text())
    body["warnings"] = tuple(body.get("warnings", ()))
    return RawCapture(**body)


def swarm_snapshot(nodes=(1, 2, 3)):
    """The 3-node swarm recorded by scripts/record-swarm.sh, merged as `netviz -H … -H …` does."""
    from visualizer.sources.merge import merge
    from visualizer.sources.parse import parse_capture

    return merge(
        [
            (
                f"unix:///run/swarmlab/node{i}.sock",
                parse_capture(load_raw(f"swarm-node{i}-raw.json")),
                None,
            )
            for i in nodes
        ]
    )


def _engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install and start what the tests need (Graphviz, Chromium, dockerd, the image) when root."""
    needed = (
        shutil.which("dot") is None or shutil.which("chromium") is None or not _engine_answers()
    )
    if needed and os.geteuid() == 0 and not os.environ.get("NETVIZ_NO_SETUP"):
        sys.stderr.write(
            "conftest: setting up Graphviz and a Docker engine (scripts/engine.sh up)\n"
        )
        subprocess.run([str(ROOT / "scripts" / "engine.sh"), "up"], check=False)


@pytest.fixture(scope="session")
def engine() -> None:
    """A real Docker engine with the test image (set up at session start when possible)."""
    if not _engine_answers():
        if os.environ.get("NETVIZ_REQUIRE_ENGINE"):
            pytest.fail("no Docker engine answers and NETVIZ_REQUIRE_ENGINE is set")
        pytest.skip("no Docker engine answers (run scripts/engine.sh up as root)")
    done = subprocess.run([str(ROOT / "scripts" / "engine.sh"), "image"], check=False)
    if done.returncode != 0:
        pytest.fail(f"could not build the test image {IMAGE}")


class Lab:
    """Docker objects created under one unique prefix, removed at the end."""

    def __init__(self) -> None:
        self.prefix = f"nvt{uuid.uuid4().hex[:6]}-"

    def name(self, short: str) -> str:
        return self.prefix + short

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["docker", *args], capture_output=True, text=True, check=False, timeout=120
        )
        if check and done.returncode != 0:
            msg = f"docker {' '.join(args)} failed: {done.stderr.strip()}"
            raise RuntimeError(msg)
        return done

    def network(self, short: str, *opts: str) -> str:
        name = self.name(short)
        self.docker("network", "create", *opts, name)
        return name

    @property
    def label(self) -> str:
        """A label every container of this lab carries (`--filter label=...` selects them)."""
        return f"netviz.lab={self.prefix}"

    def run(self, short: str, *opts: str, cmd: tuple[str, ...] = ("sleep", "1d")) -> str:
        name = self.name(short)
        self.docker("run", "-d", "--name", name, "--label", self.label, *opts, IMAGE, *cmd)
        return name

    def exec_ok(self, short: str, *cmd: str) -> bool:
        return self.docker("exec", self.name(short), *cmd, check=False).returncode == 0

    def ping(self, src: str, dst: str) -> bool:
        return self.exec_ok(src, "ping", "-c1", "-W1", dst)

    def cleanup(self) -> None:
        ids = self.docker(
            "ps", "-aq", "--filter", f"name={self.prefix}", check=False
        ).stdout.split()
        if ids:
            self.docker("rm", "-f", "-v", *ids, check=False)
        nets = self.docker(
            "network", "ls", "-q", "--filter", f"name={self.prefix}", check=False
        ).stdout.split()
        if nets:
            self.docker("network", "rm", *nets, check=False)


@pytest.fixture
def lab(engine: None):
    """A fresh prefix for one test; everything under it is removed afterwards."""
    created = Lab()
    yield created
    created.cleanup()


@pytest.fixture(scope="module")
def module_lab(engine: None):
    """A prefix shared by the tests of one module (for topologies that take time to build)."""
    created = Lab()
    yield created
    created.cleanup()


MERMAID_VERSION = "11.17.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "netviz-tests"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _require(what: str) -> None:
    if strict():
        pytest.fail(f"{what} (CI provides it: NETVIZ_REQUIRE_* is set)")
    pytest.skip(what)


def strict() -> bool:
    """Whether missing tools fail tests: CI (`.ci/run`) installs everything the tests need."""
    return any(os.environ.get(v) for v in ("NETVIZ_REQUIRE_ENGINE", "NETVIZ_REQUIRE_BROWSER"))


def require(available: object, what: str) -> None:
    """Skip a test whose tool is missing on a developer's machine; fail it in CI."""
    if not available:
        _require(what)


@pytest.fixture(scope="session")
def dot() -> None:
    """Graphviz's executables."""
    require(shutil.which("dot"), "Graphviz is not installed (apt-get install graphviz)")


@pytest.fixture(scope="session")
def docker_compose() -> None:
    """Debian's docker-compose, to bring projects up for real."""
    require(shutil.which("docker-compose"), "needs docker-compose (apt-get install docker-compose)")


@pytest.fixture(scope="session")
def openssl() -> None:
    """openssl, to make certificates."""
    require(shutil.which("openssl"), "needs openssl to make a certificate")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require("playwright is not installed (pip install -e '.[test]')")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        _require("no chromium executable (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def mermaid_js() -> str:
    """The real Mermaid library from the npm registry, cached between runs."""
    target = CACHE / f"mermaid-{MERMAID_VERSION}" / "dist" / "mermaid.min.js"
    if not target.exists():
        if shutil.which("npm") is None:
            _require("npm is not installed: cannot fetch Mermaid")
        CACHE.mkdir(parents=True, exist_ok=True)
        work = CACHE / "download"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        subprocess.run(
            ["npm", "pack", "--silent", f"mermaid@{MERMAID_VERSION}"],
            cwd=work,
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(["tar", "xzf", f"mermaid-{MERMAID_VERSION}.tgz"], cwd=work, check=True)
        shutil.rmtree(CACHE / f"mermaid-{MERMAID_VERSION}", ignore_errors=True)
        (work / "package").rename(CACHE / f"mermaid-{MERMAID_VERSION}")
        shutil.rmtree(work, ignore_errors=True)
    return target.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def swarm_lab(engine):
    """A real 3-node swarm on this machine (one dockerd per network namespace), torn down after."""
    script = ROOT / "scripts" / "swarmlab.sh"
    require(os.geteuid() == 0, "the swarm lab needs root")
    env = {**os.environ, "SWARMLAB_IMAGE": IMAGE, "SWARMLAB_NODES": "3"}
    up = subprocess.run(
        [str(script), "up"], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if up.returncode != 0:
        pytest.fail(f"swarm lab did not start: {up.stderr[-2000:]}")
    nodes = {}
    for line in up.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        if key.startswith("SWARMLAB_NODE") and key.endswith("_HOST"):
            nodes[int(key[len("SWARMLAB_NODE") : -len("_HOST")])] = value.strip("'\"")
    yield nodes
    subprocess.run(
        [str(script), "down"],
        capture_output=True,
        env={**env, "SWARMLAB_DOWN_GRACE": "0"},
        timeout=300,
        check=False,
    )

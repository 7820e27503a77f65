"""tcp:// with TLS, as `dockerd --tlsverify` serves it (tests/tlsengine.py): DOCKER_TLS_VERIFY and
DOCKER_CERT_PATH, TLS contexts, and a wrong CA or expired certificates refused in one line.
REQUESTS_CA_BUNDLE, set on many machines, must not replace the engine's CA."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli
from tlsengine import TLSEngine, cert_dir, make_pki

from visualizer.errors import ExitCode

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl"),
]

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_engine(pki, engine):
    with TLSEngine(pki) as server:
        yield server


def env_for(server, certs):
    return {
        "DOCKER_HOST": server.url,
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(certs),
        "REQUESTS_CA_BUNDLE": SYSTEM_BUNDLE,  # must not override the engine's CA
        "CURL_CA_BUNDLE": SYSTEM_BUNDLE,
    }


def one_line(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("netviz: error: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_docker_cli_connects_with_the_same_settings(tls_engine, pki, tmp_path):
    env = env_for(tls_engine, cert_dir(pki, tmp_path / "certs"))
    done = subprocess.run(
        ["docker", "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_render_and_audit_over_tls_with_requests_ca_bundle_set(tls_engine, pki, lab, tmp_path):
    lab.network("tls")
    lab.run("a", "--network", lab.name("tls"))
    lab.run("b", "--network", lab.name("tls"))
    env = env_for(tls_engine, cert_dir(pki, tmp_path / "certs"))
    dot = run_cli("render", "-f", "dot", "--filter", f"label={lab.label}", env=env)
    assert dot.returncode == 0, dot.stderr
    assert lab.name("a") in dot.stdout
    out = tmp_path / "a.json"
    audit = run_cli("audit", "-f", "json", "--exit-zero", "-o", str(out), env=env)
    assert audit.returncode == 0, audit.stderr
    pairs = {(p["from"], p["to"]) for p in json.loads(out.read_text())["reachability"]}
    assert (lab.name("a"), lab.name("b")) in pairs


def test_watch_over_tls(tls_engine, pki, lab, tmp_path):
    lab.network("tlsw")
    env = {**os.environ, **env_for(tls_engine, cert_dir(pki, tmp_path / "certs"))}
    env["PYTHONPATH"] = str(ROOT)
    out = tmp_path / "w.dot"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "visualizer",
            "watch",
            "-o",
            str(out),
            "--debounce",
            "0.3",
            "--filter",
            f"label={lab.label}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        assert "watching engine tcp://127.0.0.1" in first, first + proc.stderr.read()
        lab.run("late", "--network", lab.name("tlsw"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and lab.name("late") not in out.read_text():
            time.sleep(0.3)
        assert lab.name("late") in out.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_tls_contexts_verify_and_skip_verify(tls_engine, pki, tmp_path):
    config = tmp_path / "docker-config"
    base = ["docker", "--config", str(config), "context", "create"]
    subprocess.run(
        [
            *base,
            "nvt-tls",
            "--docker",
            f"host={tls_engine.url},ca={pki}/ca.pem,cert={pki}/client.pem,key={pki}/client-key.pem",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *base,
            "nvt-skip",
            "--docker",
            f"host={tls_engine.url},cert={pki}/client.pem,key={pki}/client-key.pem,skip-tls-verify=true",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *base,
            "nvt-wrongca",
            "--docker",
            f"host={tls_engine.url},ca={pki}/other.pem,cert={pki}/client.pem,key={pki}/client-key.pem",
        ],
        check=True,
        capture_output=True,
    )
    env = {"DOCKER_CONFIG": str(config), "REQUESTS_CA_BUNDLE": SYSTEM_BUNDLE}
    for name in ("nvt-tls", "nvt-skip"):
        done = run_cli("render", "-c", name, "-f", "dot", env=env)
        assert done.returncode == 0, (name, done.stderr)
    done = run_cli("render", "-c", "nvt-wrongca", "-f", "dot", env=env)
    assert done.returncode == ExitCode.ENGINE
    assert "not signed by the CA given" in one_line(done)


@pytest.mark.parametrize(
    ("server", "ca", "client", "expected"),
    [
        ("server", "other", "client", "not signed by the CA given"),
        ("server-expired", "ca", "client", "the engine's certificate has expired"),
        ("server", "ca", "client-expired", "refused netviz's client certificate"),
    ],
)
def test_wrong_ca_and_expired_certificates_are_refused(  # noqa: PLR0917 - parametrized
    pki, tmp_path, engine, server, ca, client, expected
):
    with TLSEngine(pki, server=server) as srv:
        certs = cert_dir(pki, tmp_path / "certs", ca=ca, client=client)
        done = run_cli("render", "-f", "dot", "--timeout", "10", env=env_for(srv, certs))
    assert done.returncode == ExitCode.ENGINE
    assert expected in one_line(done)


def test_missing_client_certificate_is_refused(tls_engine, pki, tmp_path):
    certs = cert_dir(pki, tmp_path / "certs")
    (certs / "cert.pem").unlink()
    (certs / "key.pem").unlink()
    done = run_cli("render", "-f", "dot", "--timeout", "10", env=env_for(tls_engine, certs))
    assert done.returncode == ExitCode.ENGINE
    assert "TLS handshake with tcp://127.0.0.1" in one_line(done)

"""Faults on the real engine: it stops mid-run, is slow, is too old, speaks bad TLS, changes
under our feet; and the read-only guarantee, checked on the wire."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
from conftest import IMAGE, ROOT, run_cli
from proxy import DROP, DockerProxy

import visualizer as nv
from visualizer.analysis.audit import build_report
from visualizer.errors import EngineError, ExitCode
from visualizer.renderers import render as draw

pytestmark = pytest.mark.docker


def one_line(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("netviz: error: ")
    return lines[0]


def test_engine_stops_mid_run(engine, tmp_path):
    seen = []

    def hook(method, path):
        seen.append(path)
        return DROP if "/containers/json" in path else None  # the engine dies after /version

    with DockerProxy(tmp_path / "p.sock", hook=hook) as proxy:
        done = run_cli("render", "-H", proxy.url, "-f", "dot")
    assert done.returncode == ExitCode.ENGINE
    assert "cannot connect to the Docker engine" in one_line(done) or "cannot talk" in one_line(
        done
    )
    assert any("/version" in p for p in seen)


def test_slow_engine_and_timeout(engine, tmp_path):
    def hook(method, path):
        if "/networks" in path:
            time.sleep(3)

    with DockerProxy(tmp_path / "p.sock", hook=hook) as proxy:
        done = run_cli("render", "-H", proxy.url, "-f", "dot", "--timeout", "1")
    assert done.returncode == ExitCode.ENGINE
    assert "did not answer in time (raise --timeout if it is slow)" in one_line(done)


def test_engine_api_too_old(engine, tmp_path):
    # A real /version answer with ApiVersion rewritten, as an engine before 1.12 would send.
    def rewrite(chunk):
        return chunk.replace(b'"ApiVersion":"1.41"', b'"ApiVersion":"1.20"')

    with DockerProxy(tmp_path / "p.sock", rewrite=rewrite) as proxy:
        done = run_cli("render", "-H", proxy.url, "-f", "dot")
    assert done.returncode == ExitCode.ENGINE
    assert "speaks API 1.20; netviz needs 1.24 or newer" in one_line(done)


@pytest.mark.usefixtures("openssl")
def test_bad_tls(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=not-docker",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    certs = tmp_path / "client"
    certs.mkdir()
    shutil.copy(cert, certs / "ca.pem")  # a CA that did not sign anything the client trusts
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(certs / "key.pem"),
            "-out",
            str(certs / "ca.pem"),
            "-days",
            "1",
            "-subj",
            "/CN=other-ca",
        ],
        check=True,
        capture_output=True,
    )
    shutil.copy(certs / "ca.pem", certs / "cert.pem")
    try:
        done = run_cli(
            "render",
            "-f",
            "dot",
            env={
                "DOCKER_HOST": f"tcp://127.0.0.1:{port}",
                "DOCKER_TLS_VERIFY": "1",
                "DOCKER_CERT_PATH": str(certs),
            },
        )
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
    assert done.returncode == ExitCode.ENGINE
    assert "TLS handshake with tcp://127.0.0.1:" in one_line(done), done.stderr


def test_churn_never_crashes(lab):
    """Containers and networks come and go while netviz captures, 100 times."""
    stop = threading.Event()
    errors: list[str] = []

    def churn():
        i = 0
        while not stop.is_set():
            net = lab.name(f"churn{i % 3}")
            name = lab.name(f"c{i % 7}")
            subprocess.run(["docker", "network", "create", net], capture_output=True, check=False)
            subprocess.run(
                ["docker", "run", "-d", "--name", name, "--network", net, IMAGE, "sleep", "1d"],
                capture_output=True,
                check=False,
            )
            subprocess.run(
                ["docker", "rm", "-f", lab.name(f"c{(i + 3) % 7}")],
                capture_output=True,
                check=False,
            )
            subprocess.run(
                ["docker", "network", "rm", lab.name(f"churn{(i + 1) % 3}")],
                capture_output=True,
                check=False,
            )
            i += 1

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    runs = 0
    try:
        for _ in range(100):
            try:
                snap = nv.load(nv.SourceSpec(), inspect=True)
            except EngineError as exc:  # a clear engine error is allowed, a crash is not
                errors.append(str(exc))
                continue
            runs += 1
            net_ids = {n.id for n in snap.networks}
            for c in snap.containers:
                assert all(ep.network_id in net_ids for ep in c.endpoints)  # consistent picture
            g = nv.build_graph(snap)
            draw(g, nv.Format.DOT, None, nv.analyse(g))
            build_report(g, grouped=True)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert runs >= 95, errors
    for _ in range(5):
        done = run_cli("snapshot", "-o", os.devnull)
        assert done.returncode == 0, done.stderr


def read_only_commands(lab):
    return [
        ["render", "-f", "dot"],
        ["render", "--view", "reachability", "-f", "dot"],
        ["snapshot", "-o", os.devnull],
        ["audit", "-f", "json", "--exit-zero"],
        ["audit", "--grouped", "-f", "sarif", "--exit-zero"],
        ["reach", lab.name("a"), lab.name("b")],
        ["matrix", "-f", "csv"],
    ]


def test_read_commands_only_read(lab, tmp_path):
    lab.network("ro")
    lab.run("a", "--network", lab.name("ro"))
    lab.run("b", "--network", lab.name("ro"))
    with DockerProxy(tmp_path / "p.sock") as proxy:
        for args in read_only_commands(lab):
            done = run_cli(*args, "-H", proxy.url)
            assert done.returncode in {0, 1}, (args, done.stderr)
        methods = {m for m, _ in proxy.requests}
        paths = {p.split("?")[0].split("/", 2)[-1].split("/")[0] for _, p in proxy.requests}
    assert methods == {"GET"}
    assert paths <= {"version", "info", "networks", "containers"}
    with DockerProxy(tmp_path / "q.sock") as proxy:
        done = run_cli("probe", "-H", proxy.url, "--filter", f"label={lab.label}", "--json")
        assert done.returncode == 0, done.stderr
        writes = {(m, p.split("?")[0].rsplit("/", 1)[-1]) for m, p in proxy.requests if m != "GET"}
    assert writes == {("POST", "exec"), ("POST", "start")}  # exec create + start, nothing else


def test_ctrl_c_leaves_no_partial_file(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import write

    snap = write(tmp_path / "big.json", 3000, 300)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "visualizer",
            "render",
            "--from",
            str(snap),
            "--view",
            "reachability",
            "--detail",
            "container",  # every container: a drawing long enough to be interrupted
            "-o",
            str(out / "big.svg"),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(2.5)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert "Traceback" not in err
    leftovers = list(out.iterdir()) if out.exists() else []
    assert leftovers == []


def test_debug_shows_the_traceback(tmp_path):
    plain = run_cli("render", "--from", str(tmp_path / "nope.json"))
    assert "Traceback" not in plain.stderr
    debug = run_cli("--debug", "render", "--from", str(tmp_path / "nope.json"))
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr
    assert "InputError" in debug.stderr


def test_missing_output_directory_is_created(tmp_path):
    target = tmp_path / "a" / "b" / "c.json"
    done = run_cli("audit", "--demo", "-f", "json", "--exit-zero", "-o", str(target))
    assert done.returncode == 0
    assert json.loads(target.read_text())["schema"] == "netviz-audit"
    assert sorted(p.name for p in target.parent.iterdir()) == ["c.json"]

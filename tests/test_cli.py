"""The `netviz` command as a user runs it: outputs, exit codes, one-line errors, no leftovers."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, require, run_cli

from visualizer import __version__
from visualizer.errors import ExitCode

GOLDEN = Path(__file__).parent / "golden"


def one_line_error(done):
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith("netviz: error: ")
    return lines[0]


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"netviz {__version__}"


def test_help_lists_commands():
    done = run_cli("--help")
    assert done.returncode == 0
    assert "render" in done.stdout and "snapshot" in done.stdout


def test_dot_goes_to_stdout():
    done = run_cli("render", "--demo", "-f", "dot")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / "demo.dot").read_text()


def test_default_output_file(tmp_path):
    done = run_cli("render", "--demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["topology.svg"]
    assert (tmp_path / "output" / "topology.svg").read_bytes().startswith(b"<?xml")


def test_format_from_suffix_and_stdout_binary(tmp_path):
    assert run_cli("render", "--demo", "-o", str(tmp_path / "d.pdf")).returncode == 0
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        [sys.executable, "-m", "visualizer", "render", "--demo", "-f", "png", "-o", "-"],
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(b"\x89PNG")


def test_snapshot_then_render_from_it(tmp_path):
    snap = tmp_path / "snap.json"
    assert run_cli("snapshot", "--demo", "-o", str(snap)).returncode == 0
    a = run_cli("render", "--from", str(snap), "-f", "dot")
    b = run_cli("render", "--demo", "-f", "dot")
    assert a.returncode == 0
    assert a.stdout.replace(a.stdout.splitlines()[1], "") == b.stdout.replace(
        b.stdout.splitlines()[1], ""
    )


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["render", "--from", "/nonexistent/snap.json"], ExitCode.INPUT, "no such file"),
        (["render", "--demo", "--from", "x.json"], ExitCode.USAGE, "choose one source"),
        (["render", "--demo", "--filter", "colour=red"], ExitCode.USAGE, "bad filter"),
        (["render", "--demo", "-o", "out.txt"], ExitCode.USAGE, "cannot tell the format"),
        (["render", "-H", "unix:///nonexistent/docker.sock"], ExitCode.ENGINE, "no such socket"),
        (["render", "-H", "tcp://127.0.0.1:1"], ExitCode.ENGINE, "connection refused"),
        (
            ["render", "-H", "unix:///x.sock", "-c", "y"],
            ExitCode.USAGE,
            "either specify --host or --context",
        ),
        (["render", "--demo", "-o", "/proc/netviz/x.svg"], ExitCode.OUTPUT, "cannot"),
    ],
)
def test_errors_are_one_line_with_documented_codes(args, code, fragment, tmp_path):
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    assert fragment in one_line_error(done)


def test_malformed_snapshots(tmp_path):
    cases = {
        "trunc.json": '{"schema_version": 1, "engine": {',
        "future.json": '{"schema_version": 7, "engine": {}}',
        "types.json": '{"schema_version": 1, "engine": {}, "containers": [{"id": 1, "name": "x"}]}',
    }
    for name, body in cases.items():
        (tmp_path / name).write_text(body)
        done = run_cli("render", "--from", str(tmp_path / name), "-f", "dot")
        assert done.returncode == ExitCode.INPUT
        line = one_line_error(done)
        assert name in line
    assert "containers[0].id: expected a string, got a number" in one_line_error(
        run_cli("render", "--from", str(tmp_path / "types.json"))
    )


def test_unknown_context(tmp_path):
    done = run_cli("render", "-c", "no-such-ctx", env={"DOCKER_CONFIG": str(tmp_path)})
    assert done.returncode == ExitCode.USAGE
    assert "unknown Docker context 'no-such-ctx'" in one_line_error(done)
    done = run_cli("render", env={"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "gone"})
    assert done.returncode == ExitCode.USAGE


def test_bad_tls_settings_are_an_engine_error(tmp_path):
    env = {
        "DOCKER_HOST": "tcp://127.0.0.1:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": str(tmp_path / "no-certs"),
    }
    done = run_cli("render", "-f", "dot", env=env)
    assert done.returncode == ExitCode.ENGINE
    assert "cannot use the Docker settings" in one_line_error(done)


def test_something_that_is_not_docker(tmp_path):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run_cli("render", "-H", f"tcp://127.0.0.1:{server.server_port}", "-f", "dot")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == ExitCode.ENGINE
    assert "does not look like a Docker engine" in one_line_error(done)


def test_socket_permission_denied(tmp_path):
    require(shutil.which("setpriv") and os.geteuid() == 0, "needs root and setpriv")
    path = tmp_path / "locked.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(1)
    path.chmod(0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
            sys.executable,
            "-m",
            "visualizer",
            "render",
            "-H",
            f"unix://{path}",
            "-f",
            "dot",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    srv.close()
    assert done.returncode == ExitCode.ENGINE, done.stderr
    assert "permission denied" in one_line_error(done)


def test_fallback_demo_when_no_engine(tmp_path):
    done = run_cli("render", "--fallback-demo", "-H", "unix:///nonexistent.sock", cwd=tmp_path)
    assert done.returncode == 0
    assert "drawing the bundled demo topology instead" in done.stderr
    assert (tmp_path / "output" / "topology.svg").exists()


def test_missing_graphviz_leaves_nothing(tmp_path):
    env = {"PATH": str(tmp_path / "empty-bin")}
    done = run_cli("render", "--demo", cwd=tmp_path, env=env)
    assert done.returncode == ExitCode.RENDERER
    assert "apt-get install graphviz" in one_line_error(done)
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())
    assert run_cli("render", "--demo", "-f", "dot", env=env).returncode == 0


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "blocker"
    target.write_text("a file where a directory should be")
    done = run_cli("render", "--demo", "-o", str(target / "x.svg"))
    assert done.returncode == ExitCode.OUTPUT
    assert target.read_text() == "a file where a directory should be"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_closed_pipe_is_quiet():
    proc = subprocess.Popen(
        [sys.executable, "-m", "visualizer", "render", "--demo", "-f", "dot"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert err == b""


def test_python_m_visualizer_equals_netviz():
    exe = shutil.which("netviz")
    require(exe, "netviz is not installed on PATH (pip install -e .)")
    assert exe is not None
    a = subprocess.run(
        [exe, "render", "--demo", "-f", "dot"], capture_output=True, text=True, check=False
    )
    assert a.returncode == 0
    assert a.stdout == run_cli("render", "--demo", "-f", "dot").stdout


def test_special_files_are_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = run_cli("render", "--demo", "-f", "dot", "-o", str(fifo))
    out, _ = reader.communicate(timeout=30)
    assert done.returncode == 0, done.stderr
    assert out.startswith(b"digraph")
    assert fifo.is_fifo()  # still a FIFO: not replaced by a regular file
    assert run_cli("render", "--demo", "-f", "dot", "-o", os.devnull).returncode == 0
    assert Path(os.devnull).is_char_device()


def test_help_and_version_stay_light():
    code = (
        "import sys, runpy\n"
        "for argv in (['netviz', '--help'], ['netviz', '--version'],\n"
        "             ['netviz', 'render', '--help']):\n"
        "    sys.argv = argv\n"
        "    try:\n"
        "        runpy.run_module('visualizer', run_name='__main__')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('docker', 'networkx', 'requests', 'graphviz', 'ruamel', 'rich')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.strip().splitlines()[-1]
    assert "docker" not in loaded
    assert "networkx" not in loaded

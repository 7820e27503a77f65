"""`netviz diff` between any two sources, and `netviz watch` on the real engine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from conftest import ROOT, run_cli
from proxy import DockerProxy

import visualizer as nv
from visualizer.analysis.diff import diff_graphs
from visualizer.errors import ExitCode
from visualizer.model import Endpoint, Network, Port
from visualizer.sources.spec import load_demo
from visualizer.sources.watch import READY, watch


def changed_demo():
    """The demo with a network added, a container gone, an endpoint moved, a port published."""
    demo = nv.load_demo()
    extra = Network(id="e" * 64, name="extra-net", driver="bridge")
    containers = []
    for original in demo.containers:
        c = original
        if c.name == "offline-job":
            continue  # removed
        if c.name == "tenant-a":  # joins user-network too
            user = next(n for n in demo.networks if n.name == "user-network")
            c = replace(
                c,
                endpoints=(
                    *c.endpoints,
                    Endpoint(network_id=user.id, network_name=user.name, ipv4="192.168.16.50"),
                ),
            )
        if c.name == "container2":
            c = replace(
                c,
                ports=(
                    *c.ports,
                    Port(container_port=80, protocol="tcp", host_ip="0.0.0.0", host_port=8081),
                ),
            )
        containers.append(c)
    return replace(demo, networks=(*demo.networks, extra), containers=tuple(containers))


def write_snapshots(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(nv.dumps_snapshot(nv.load_demo()))
    b.write_text(nv.dumps_snapshot(changed_demo()))
    return a, b


def test_diff_finds_every_kind_of_change():
    d = diff_graphs(nv.build_graph(nv.load_demo()), nv.build_graph(changed_demo()))
    got = {(c.kind, c.change, c.subject) for c in d.changes}
    assert ("network", "added", "extra-net") in got
    assert ("container", "removed", "offline-job") in got
    assert ("endpoint", "added", "tenant-a@user-network") in got
    assert ("reachability", "added", "tenant-a -> container1") in got
    assert ("reachability", "added", "container1 -> tenant-a") in got
    assert ("finding", "added", "A3 container2") in got
    assert ("finding", "added", "A12 tenant-a, tenants, user-network") in got
    port = [c for c in d.changes if c.kind == "container" and c.subject == "container2"]
    assert [c.detail for c in port] == ["port added: 0.0.0.0:8081->80/tcp"]
    assert not d.equal
    assert d.summary().startswith("networks +1 -0 · containers +0 -1 ~1")


def test_diff_of_equal_sources_is_empty():
    g = nv.build_graph(nv.load_demo())
    assert diff_graphs(g, nv.build_graph(nv.load_demo())).equal


def test_diff_cli_formats_and_exit_codes(tmp_path):
    a, b = write_snapshots(tmp_path)
    same = run_cli("diff", str(a), str(a))
    assert same.returncode == 0
    assert same.stdout.strip().endswith("equal")
    text = run_cli("diff", str(a), str(b))
    assert text.returncode == ExitCode.NEGATIVE
    assert "+ network extra-net" in text.stdout
    assert "- container offline-job" in text.stdout
    body = json.loads(run_cli("diff", str(a), str(b), "-f", "json").stdout)
    assert body["schema"] == "netviz-diff"
    assert body["equal"] is False
    assert {"kind", "change", "subject", "detail"} <= set(body["changes"][0])
    md = run_cli("diff", str(a), str(b), "-f", "markdown").stdout
    assert md.startswith("# netviz diff")
    assert "| added | network | extra-net |" in md
    narrowed = json.loads(
        run_cli("diff", str(a), str(b), "-f", "json", "--filter", "project=shop").stdout
    )
    assert narrowed["equal"] is True  # nothing changed in the compose project
    assert (
        run_cli("diff", "demo", str(b), "--filter", "network=tenants").returncode
        == ExitCode.NEGATIVE
    )


def test_diff_diagram_colours_changes(tmp_path):
    a, b = write_snapshots(tmp_path)
    out = tmp_path / "changes.dot"
    done = run_cli("diff", str(a), str(b), "--diagram", str(out))
    assert done.returncode == ExitCode.NEGATIVE
    dot = out.read_text()
    assert "Changes from A to B" in dot
    added = next(line for line in dot.splitlines() if "<B>extra-net</B>" in line)
    assert 'color="#16a34a"' in added
    removed = next(line for line in dot.splitlines() if "<B>offline-job</B>" in line)
    assert 'color="#dc2626"' in removed and "dashed" in removed
    svg = tmp_path / "changes.svg"
    assert run_cli("diff", str(a), str(b), "--diagram", str(svg)).returncode == ExitCode.NEGATIVE
    assert svg.read_bytes().startswith(b"<?xml")


def test_diff_bad_specs(tmp_path):
    done = run_cli("diff", "nonsense", "demo")
    assert done.returncode == ExitCode.USAGE
    assert "cannot tell what source 'nonsense' is" in done.stderr
    assert run_cli("diff", str(tmp_path / "missing.json"), "demo").returncode == ExitCode.INPUT


# ---- watch -------------------------------------------------------------------------------------


class Watcher:
    """`netviz watch` in the background, its lines collected as they come."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "visualizer", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        threading.Thread(
            target=self._read, args=(self.proc.stdout, self.lines), daemon=True
        ).start()
        threading.Thread(
            target=self._read, args=(self.proc.stderr, self.errors), daemon=True
        ).start()

    @staticmethod
    def _read(stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in [*self.lines, *self.errors]:
                if predicate(line):
                    return line
            time.sleep(0.1)
        msg = f"not seen in time; stdout={self.lines} stderr={self.errors}"
        raise AssertionError(msg)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=30)
        time.sleep(0.2)  # let the readers drain
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return code


@pytest.mark.docker
def test_watch_follows_connect_and_disconnect(lab, tmp_path):
    lab.network("w1")
    lab.network("w2")
    lab.run("wa", "--network", lab.name("w1"))
    out = tmp_path / "live.json"
    watcher = Watcher("-o", str(out), "--filter", f"label={lab.label}", "--debounce", "0.5")
    try:
        watcher.wait_for(lambda line: "watching" in line)
        first = json.loads(out.read_text())
        assert {n["name"] for n in first["nodes"]} >= {lab.name("wa"), lab.name("w1")}
        lab.docker("network", "connect", lab.name("w2"), lab.name("wa"))
        line = watcher.wait_for(lambda line: f"+endpoint {lab.name('wa')}@{lab.name('w2')}" in line)
        assert "endpoints +1 -0" in line
        after = json.loads(out.read_text())
        assert any(
            link["source"].startswith("network:")
            and lab.name("w2") in [n["name"] for n in after["nodes"] if n["id"] == link["source"]]
            for link in after["links"]
        )
        lab.docker("network", "disconnect", lab.name("w2"), lab.name("wa"))
        watcher.wait_for(lambda line: f"-endpoint {lab.name('wa')}@{lab.name('w2')}" in line)
        lab.run("wb", "--network", lab.name("w1"))
        watcher.wait_for(lambda line: f"+container {lab.name('wb')}" in line)
    finally:
        code = watcher.stop()
    assert code == 0
    assert "stopped watching" in "\n".join(watcher.errors)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


@pytest.mark.docker
def test_watch_redraws_at_its_level_with_the_data_layer(lab, tmp_path):
    """`watch --detail service`: replicas drawn once, a volume drawn when two services share
    it, and what the level does not draw said on stderr when it changes."""
    volume = lab.name("data")
    lab.docker("volume", "create", "--label", lab.label, volume)
    try:
        net = lab.network("svc")
        compose = ("--label", "com.docker.compose.project=" + lab.name("p"), "--network", net)
        for n in (1, 2):
            lab.run(
                f"api{n}",
                *compose,
                "--label",
                "com.docker.compose.service=api",
                "-v",
                f"{volume}:/data",
            )
        out = tmp_path / "live.dot"
        watcher = Watcher(
            "-o", str(out), "--detail", "service", "--filter", f"label={lab.label}",
            "--debounce", "0.5",
        )  # fmt: skip
        try:
            watcher.wait_for(lambda line: "watching" in line)
            first = out.read_text()
            assert "api ×2" in first and "cylinder" not in first  # the volume is api's own
            watcher.wait_for(lambda line: "1 volumes and host paths that only" in line)
            lab.run(
                "web",
                *compose,
                "--label",
                "com.docker.compose.service=web",
                "-v",
                f"{volume}:/srv:ro",
            )
            watcher.wait_for(lambda line: f"+container {lab.name('web')}" in line)
            after = out.read_text()
            assert 'shape="cylinder"' in after and f"<B>{volume}</B>" in after
            assert 'label="/srv · read-only"' in after and 'label="/data"' in after
        finally:
            assert watcher.stop() == 0
        notes = [e for e in watcher.errors if "not drawn" in e]
        assert len(notes) == 1  # said once, and not again when the volume got drawn
    finally:
        lab.cleanup()
        lab.docker("volume", "rm", "-f", volume, check=False)


@pytest.mark.docker
def test_watch_reconnects_when_the_engine_comes_back(lab, tmp_path):
    lab.network("rc")
    lab.run("r1", "--network", lab.name("rc"))
    sock = tmp_path / "engine.sock"
    proxy = DockerProxy(sock)
    out = tmp_path / "live.json"
    watcher = Watcher(
        "-H",
        f"unix://{sock}",
        "-o",
        str(out),
        "--filter",
        f"label={lab.label}",
        "--debounce",
        "0.3",
    )
    try:
        watcher.wait_for(lambda line: "watching" in line)
        proxy.close()  # the engine goes away
        watcher.wait_for(lambda line: "connection to the engine lost" in line)
        lab.run("r2", "--network", lab.name("rc"))  # changes while we are away
        proxy = DockerProxy(sock)  # and comes back
        watcher.wait_for(lambda line: "reconnected to the engine" in line, timeout=45)
        watcher.wait_for(lambda line: f"+container {lab.name('r2')}" in line, timeout=45)
    finally:
        watcher.stop()
        proxy.close()


def test_watch_opens_the_event_stream_before_its_first_capture():
    """A change made right after the first drawing is seen even when the stream opens slowly."""
    snap = load_demo()
    stop = threading.Event()
    opened = threading.Event()
    order: list[str] = []
    published: list[bool] = []

    def follow(push):
        time.sleep(0.5)  # an ssh handshake
        opened.set()
        push(READY)
        push("container start late")  # the change made as soon as the first drawing appeared
        stop.wait()

    def capture():
        order.append("capture after the stream opened" if opened.is_set() else "capture first")
        return snap

    def publish(fresh, before):
        published.append(before is None)
        if len(published) == 2:
            stop.set()

    watch(capture=capture, follow=follow, publish=publish, log=print, debounce=0.05, stop=stop)
    assert order == ["capture after the stream opened"] * 2
    assert published == [True, False]  # the first drawing, then the one after the change


def test_watch_needs_an_output_file():
    done = run_cli("watch", "-f", "dot")
    assert done.returncode == ExitCode.USAGE
    assert "watch needs a file" in done.stderr

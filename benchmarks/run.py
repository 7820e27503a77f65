"""The benchmark suite: `python3 benchmarks/run.py` (add `--write-readme` to update README.md).

It creates and removes its own containers (prefix `nvbench-`) and synthetic snapshots, runs
every measurement several times in fresh processes (start-up included), prints a table and
checks each target of the speed-and-scale issue. Requests are counted through a logging
proxy on a unix socket in front of the engine. Nothing here asserts timings in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the recording proxy lives with the tests
sys.path.insert(0, str(ROOT / "benchmarks"))

from proxy import DockerProxy  # noqa: E402

PY = sys.executable
PREFIX = "nvbench-"
IMAGE = os.environ.get("NETVIZ_TEST_IMAGE", "netviz/busybox:1")
# Measure what an installed netviz does: with bytecode (pip compiles it at install time).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = str(ROOT)

HELP_IMPORTS = """
import sys, runpy
sys.argv = ["netviz", "--help"]
try:
    runpy.run_module("visualizer", run_name="__main__")
except SystemExit:
    pass
heavy = ("docker", "networkx", "requests", "graphviz", "ruamel")
print(" ".join(m for m in heavy if m in sys.modules), file=sys.stderr)
"""
FLOOR = """
import docker, networkx
c = docker.APIClient(base_url=__import__("os").environ.get("BENCH_HOST", "unix:///var/run/docker.sock"), version="auto")
c.containers(all=True); c.networks()
"""
INSPECTOR = """
# The common approach (docker-network-graph and friends): the SDK's high-level client, whose
# containers.list() inspects every container, then a networkx graph and a DOT text.
import os, docker, networkx as nx
c = docker.DockerClient(base_url=os.environ.get("BENCH_HOST", "unix:///var/run/docker.sock"), version="auto")
g = nx.Graph()
for n in c.networks.list():
    g.add_node(n.id, name=n.name)
for s in c.containers.list(all=True):
    for name, ep in s.attrs["NetworkSettings"]["Networks"].items():
        g.add_edge(ep["NetworkID"] or name, s.id, ip=ep["IPAddress"], aliases=ep.get("Aliases"))
print("graph G {", *(f'"{u}" -- "{v}";' for u, v in g.edges), "}")
"""


@dataclass
class Row:
    what: str
    value: str
    target: str
    ok: bool | None


def generate(path: Path, call: str) -> Path:
    """Write a synthetic snapshot in a child process.

    Not in this one: a child started later would report this process's peak memory as its
    own (Linux keeps the larger maximum RSS across fork and exec).
    """
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import synthetic; "
    code += f"synthetic.{call}"
    subprocess.run([PY, "-c", code, str(path)], check=True, env=ENV, cwd=ROOT)
    return path


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV, cwd=ROOT
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in {0, 1}:
        err = proc.stderr.read().decode() if proc.stderr else ""
        msg = f"{' '.join(argv[:6])} failed: {err.strip()[:300]}"
        raise RuntimeError(msg)
    if proc.stderr:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss


def median(argv: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Median seconds over `runs` fresh processes, and the highest peak RSS seen."""
    times, peaks = [], []
    for _ in range(runs):
        t, peak = run_once(argv, env)
        times.append(t)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout


def cleanup() -> None:
    ids = docker("ps", "-aq", "--filter", f"name={PREFIX}").split()
    for chunk in range(0, len(ids), 100):
        subprocess.run(
            ["docker", "rm", "-f", *ids[chunk : chunk + 100]], capture_output=True, check=False
        )
    nets = docker("network", "ls", "-q", "--filter", f"name={PREFIX}").split()
    if nets:
        subprocess.run(["docker", "network", "rm", *nets], capture_output=True, check=False)


def populate(n: int, networks: int) -> None:
    """Bring the engine to exactly `n` benchmark containers over `networks` networks."""
    existing_nets = set(
        docker("network", "ls", "--format", "{{.Name}}", "--filter", f"name={PREFIX}").split()
    )
    for i in range(networks):
        name = f"{PREFIX}net{i}"
        if name not in existing_nets:
            docker("network", "create", name)
    have = set(docker("ps", "-a", "--format", "{{.Names}}", "--filter", f"name={PREFIX}c").split())

    def start(i: int) -> None:
        name = f"{PREFIX}c{i:04d}"
        if name not in have:
            subprocess.run(
                [
                    "docker",
                    "run",
                    "-d",
                    "--name",
                    name,
                    "--network",
                    f"{PREFIX}net{i % networks}",
                    IMAGE,
                    "sleep",
                    "1d",
                ],
                capture_output=True,
                check=True,
            )

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(start, range(n)))


def count_requests(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp, DockerProxy(Path(tmp) / "p.sock") as proxy:
        env = {**ENV, "BENCH_HOST": proxy.url}
        argv = [a.replace("@HOST@", proxy.url) for a in argv]
        run_once(argv, env)
        return len(proxy.requests)


def startup(rows: list[Row], runs: int) -> None:
    bare, _ = median([PY, "-c", "pass"], runs)
    help_t, _ = median([PY, "-m", "visualizer", "--help"], runs)
    probe = subprocess.run(
        [
            PY,
            "-c",
            HELP_IMPORTS,
        ],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        cwd=ROOT,
    )
    heavy = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ""
    rows.append(
        Row("`netviz --help` start-up", f"{help_t:.2f} s (bare Python {bare:.2f} s)", "fast", None)
    )
    rows.append(
        Row(
            "heavy modules imported by `--help`",
            heavy or "none",
            "no docker, no networkx",
            "docker" not in heavy and "networkx" not in heavy,
        )
    )


def live(rows: list[Row], runs: int, sizes: list[tuple[int, int]]) -> None:
    counts: list[int] = []
    try:
        for n, nets in sizes:
            cleanup() if not counts else None
            populate(n, nets)
            total = len(docker("ps", "-aq").split())
            floor_t, _ = median([PY, "-c", FLOOR], runs)
            ours_t, ours_mem = median(
                [PY, "-m", "visualizer", "render", "-f", "dot", "-o", os.devnull], runs
            )
            # the drawing issue 11 measured: one node per container, no level of detail to choose
            flat = ["render", "-f", "dot", "--detail", "container", "-o", os.devnull]
            flat_t, _ = median([PY, "-m", "visualizer", *flat], runs)
            insp_t, _ = median([PY, "-c", INSPECTOR], runs)
            requests = count_requests(
                [PY, "-m", "visualizer", "render", "-H", "@HOST@", "-f", "dot", "-o", os.devnull]
            )
            insp_requests = count_requests([PY, "-c", INSPECTOR])
            counts.append(requests)
            ratio_floor, ratio_insp = flat_t / floor_t, flat_t / insp_t
            label = f"live N={total} ({nets} networks)"
            rows.append(
                Row(
                    f"{label}: `netviz render -f dot` (level of detail chosen)",
                    f"{ours_t:.2f} s, {ours_mem // 1024} MiB, {requests} requests"
                    f" → {ours_t / floor_t:.2f}× floor",
                    "",
                    None,
                )
            )
            rows.append(
                Row(
                    f"{label}: `netviz render -f dot --detail container`",
                    f"{flat_t:.2f} s",
                    "",
                    None,
                )
            )
            rows.append(
                Row(
                    f"{label}: floor (import docker+networkx, 2 lists)",
                    f"{floor_t:.2f} s → per container {ratio_floor:.2f}×",
                    "netviz ≤ 1.25× floor",
                    ratio_floor <= 1.25,
                )
            )
            want = 0.6 if n == 200 else 0.4 if n >= 500 else None
            rows.append(
                Row(
                    f"{label}: inspect-per-container gatherer",
                    f"{insp_t:.2f} s, {insp_requests} requests → per container {ratio_insp:.2f}×",
                    f"netviz ≤ {want}× its time" if want else "(reference)",
                    ratio_insp <= want if want else None,
                )
            )
    finally:
        cleanup()
    rows.append(
        Row(
            "requests per render, by N",
            " / ".join(map(str, counts)),
            "constant",
            len(set(counts)) == 1,
        )
    )


def synthetic_scale(rows: list[Row], runs: int, sizes: list[tuple[int, int, float]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n, nets, budget in sizes:
            path = generate(Path(tmp) / f"s{n}.json", f"write(sys.argv[1], {n}, {nets})")
            t, mem = median(
                [
                    PY,
                    "-m",
                    "visualizer",
                    "render",
                    "--from",
                    str(path),
                    "-f",
                    "dot",
                    "-o",
                    os.devnull,
                ],
                runs,
            )
            ok = t <= budget and (n < 50000 or mem < 1024 * 1024)
            rows.append(
                Row(
                    f"synthetic {n} containers / {nets} networks: load+graph+analysis+DOT",
                    f"{t:.2f} s, {mem // 1024} MiB",
                    f"≤ {budget:g} s" + (", < 1 GiB" if n >= 50000 else ""),
                    ok,
                )
            )
            if n >= 10000:
                t, mem = median(
                    [
                        PY,
                        "-m",
                        "visualizer",
                        "reach",
                        "--from",
                        str(path),
                        "ctr-000010",
                        "ctr-000020",
                    ],
                    1,
                )
                rows.append(
                    Row(
                        f"synthetic {n}: `reach A B` (no pairs materialised)",
                        f"{t:.2f} s, {mem // 1024} MiB",
                        "",
                        None,
                    )
                )
                t, mem = median(
                    [
                        PY,
                        "-m",
                        "visualizer",
                        "audit",
                        "--from",
                        str(path),
                        "--grouped",
                        "-f",
                        "json",
                        "--exit-zero",
                        "-o",
                        os.devnull,
                    ],
                    1,
                )
                rows.append(
                    Row(f"synthetic {n}: grouped audit", f"{t:.2f} s, {mem // 1024} MiB", "", None)
                )


def estate(rows: list[Row], runs: int, hosts: int, per_host: int, budget: float) -> None:
    """Several engines in one snapshot: every host has `bridge`, container names collide."""
    with tempfile.TemporaryDirectory() as tmp:
        path = generate(
            Path(tmp) / "estate.json",
            f"write_estate(sys.argv[1], {hosts}, {per_host}, {per_host // 10})",
        )
        for what, args in (
            ("load+graph+analysis+DOT", ["render", "-f", "dot"]),
            ("grouped audit", ["audit", "--grouped", "-f", "json", "--exit-zero"]),
        ):
            argv = [PY, "-m", "visualizer", *args, "--from", str(path), "-o", os.devnull]
            t, mem = median(argv, runs)
            rows.append(
                Row(
                    f"{hosts} engines × {per_host} containers: {what}",
                    f"{t:.2f} s, {mem // 1024} MiB",
                    f"≤ {budget:g} s",
                    t <= budget,
                )
            )


def rendering(rows: list[Row], runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = generate(Path(tmp) / "s2000.json", "write(sys.argv[1], 2000, 200)")
        for view in ("topology", "reachability"):
            t, _ = median(
                [
                    PY,
                    "-m",
                    "visualizer",
                    "render",
                    "--from",
                    str(path),
                    "--view",
                    view,
                    "--detail",
                    "container",
                    "-o",
                    str(Path(tmp) / f"{view}.svg"),
                ],
                runs,
            )
            rows.append(
                Row(
                    f"SVG of 2,000 containers, {view} view, one node per container",
                    f"{t:.2f} s",
                    "≤ 30 s",
                    t <= 30,
                )
            )


def table(rows: list[Row]) -> str:
    lines = ["| measurement | result | target | met |", "|---|---|---|---|"]
    for r in rows:
        met = "" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(f"| {r.what} | {r.value} | {r.target} | {met} |")
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f", {kb // 1024 // 1024} GiB"
    except (OSError, AttributeError):
        pass
    engine = (
        docker("version", "--format", "{{.Server.Version}}").strip()
        if shutil.which("docker")
        else "?"
    )
    return (
        f"{platform.machine()}, {cpus} CPUs{mem}, Linux {platform.release()}, Python "
        f"{platform.python_version()}, Docker Engine {engine}, Graphviz "
        f"{subprocess.run(['dot', '-V'], capture_output=True, text=True, check=False).stderr.split()[4] if shutil.which('dot') else '?'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="small sizes, 3 runs (a smoke test)")
    parser.add_argument(
        "--write-readme", action="store_true", help="update README.md's performance section"
    )
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    live_sizes = [(20, 5)] if args.quick else [(50, 10), (200, 15), (500, 20)]
    synth_sizes = (
        [(1000, 100, 1.0)]
        if args.quick
        else [(1000, 100, 1.0), (10000, 1000, 5.0), (50000, 5000, 30.0)]
    )
    rows: list[Row] = []
    started = time.time()
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "visualizer")], check=True, env=ENV)
    startup(rows, runs)
    live(rows, runs, live_sizes)
    synthetic_scale(rows, runs, synth_sizes)
    estate(rows, runs, *((3, 300, 1.0) if args.quick else (10, 1000, 5.0)))
    rendering(rows, 1 if args.quick else 3)
    text = table(rows)
    print(f"Machine: {machine()}\nMedians of {runs} runs in fresh processes, start-up included.\n")
    print(text)
    print(f"\n({time.time() - started:.0f} s)")
    if args.write_readme:
        readme = ROOT / "README.md"
        body = readme.read_text()
        section = (
            f"<!-- bench:start -->\nMeasured by `python3 benchmarks/run.py` on {machine()}; "
            f"medians of {runs} runs, each a fresh process with start-up included.\n\n{text}\n<!-- bench:end -->"
        )
        body = re.sub(
            r"<!-- bench:start -->.*<!-- bench:end -->", lambda _: section, body, flags=re.DOTALL
        )
        readme.write_text(body)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Slow link: `python3 benchmarks/slowlink.py` (add `--write-readme` to update README.md).

An engine reached over a link that adds 10 ms to each request (the recording proxy of the
tests, with a hook that sleeps), ~200 containers on 15 networks, every tenth on a second
network. It times, in fresh processes through that proxy, a gatherer that inspects every
container (the SDK's `containers.list()`), `netviz render -f dot`, `netviz audit` (which
inspects every container: privileged mode, namespaces and capabilities decide findings
A23–A27 and are in no list) and `netviz audit --no-inspect` (constant requests), and counts
their requests. Goals: audit ≤ 0.3× and render ≤ 0.2× of the
gatherer's time. It creates and removes its own containers (prefix `nvslow-`).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from proxy import DockerProxy  # noqa: E402
from run import ENV, IMAGE, INSPECTOR, PY, docker, median  # noqa: E402

PREFIX = "nvslow-"
DELAY = 0.010


def cleanup() -> None:
    ids = docker("ps", "-aq", "--filter", f"name={PREFIX}").split()
    for chunk in range(0, len(ids), 100):
        subprocess.run(
            ["docker", "rm", "-f", *ids[chunk : chunk + 100]], capture_output=True, check=False
        )
    nets = docker("network", "ls", "-q", "--filter", f"name={PREFIX}").split()
    if nets:
        subprocess.run(["docker", "network", "rm", *nets], capture_output=True, check=False)


def populate(n: int, networks: int) -> int:
    for i in range(networks):
        docker("network", "create", f"{PREFIX}net{i}")

    def start(i: int) -> None:
        name = f"{PREFIX}c{i:04d}"
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
        if i % 10 == 0:  # multi-homed: its capabilities decide A12
            docker("network", "connect", f"{PREFIX}net{(i + 1) % networks}", name)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(start, range(n)))
    return len(docker("ps", "-aq").split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()

    def hook(method: str, path: str) -> None:  # noqa: ARG001 - the proxy hook interface
        time.sleep(DELAY)

    rows: list[tuple[str, str, str, str]] = []
    cleanup()
    try:
        total = populate(args.n, 15)
        with (
            tempfile.TemporaryDirectory() as tmp,
            DockerProxy(Path(tmp) / "slow.sock", hook=hook) as proxy,
        ):
            env = {**ENV, "BENCH_HOST": proxy.url}
            nv = [PY, "-m", "visualizer"]
            cases = [
                ("inspect-per-container gatherer", [PY, "-c", INSPECTOR], None),
                (
                    "`netviz render -f dot`",
                    [*nv, "render", "-H", proxy.url, "-f", "dot", "-o", os.devnull],
                    0.2,
                ),
                (
                    "`netviz audit -f json`",
                    [*nv, "audit", "-H", proxy.url, "-f", "json", "--exit-zero", "-o", os.devnull],
                    0.3,
                ),
                (
                    "`netviz audit --no-inspect` (constant requests; A23–A27 unchecked)",
                    [
                        *nv,
                        "audit",
                        "-H",
                        proxy.url,
                        "--no-inspect",
                        "-f",
                        "json",
                        "--exit-zero",
                        "-o",
                        os.devnull,
                    ],
                    None,
                ),
            ]
            base = 0.0
            for label, argv, goal in cases:
                before = len(proxy.requests)
                t, _ = median(argv, args.runs, env)
                requests = (len(proxy.requests) - before) // args.runs
                if not base:
                    base = t
                ratio = t / base
                met = "" if goal is None else ("yes" if ratio <= goal else "**no**")
                rows.append(
                    (
                        label,
                        f"{t:.2f} s, {requests} requests → {ratio:.2f}×",
                        f"≤ {goal}×" if goal else "(reference)",
                        met,
                    )
                )
    finally:
        cleanup()
    lines = [
        f"{total} containers on 15 networks (every tenth on two), {DELAY * 1000:.0f} ms added to each request; medians of {args.runs} fresh processes.",
        "",
        "| measurement (slow link) | result | goal | met |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_readme:
        readme = ROOT / "README.md"
        body = readme.read_text()
        body = re.sub(
            r"<!-- slowlink:start -->.*<!-- slowlink:end -->",
            lambda _: f"<!-- slowlink:start -->\n{text}\n<!-- slowlink:end -->",
            body,
            flags=re.DOTALL,
        )
        readme.write_text(body)
    return 0 if all(r[3] != "**no**" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

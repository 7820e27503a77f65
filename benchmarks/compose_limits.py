"""Compose input against its limits: `python3 benchmarks/compose_limits.py`.

Interpolation is linear in the text (each value read once, whatever its nesting), and hostile
YAML (an alias bomb, deep nesting, a huge flat file) stops at a limit in bounded time and
memory. Prints one row per case: size, seconds, peak memory of the process, what happened.
Nothing here asserts timings in tests.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visualizer.errors import InputError  # noqa: E402
from visualizer.sources.compose import ComposeOptions, load_compose  # noqa: E402
from visualizer.sources.compose.interpolate import MAX_NESTING, _Context, expand  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func: Callable[[], object]) -> None:
    start = time.perf_counter()
    try:
        func()
        outcome = "ok"
    except InputError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[-1][:60]
    print(f"| {label} | {time.perf_counter() - start:.3f} | {peak_mib():.0f} | {outcome} |")


def interpolation() -> None:
    env = {"A": "", "B": "b"}
    for refs in (10_000, 100_000, 1_000_000):
        text = "${A:-${B}}-" * (refs // 2)
        timed(f"interpolate {refs:,} references", partial(expand, text, _Context(env, "x", [])))
    nested = "${A:-" * MAX_NESTING + "x" + "}" * MAX_NESTING
    for copies in (1_000, 10_000):
        text = nested * copies
        timed(
            f"interpolate {copies:,} values nested {MAX_NESTING} deep",
            partial(expand, text, _Context(env, "x", [])),
        )


def yaml_cases(folder: Path) -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    )
    cases = {
        "alias bomb (9^9 nodes)": bomb,
        "nesting 100,000 deep": "a: " + "[" * 100_000 + "]" * 100_000,
        "flat file of 60,000 keys": "x-a:\n" + "".join(f"  k{i}: v{i}\n" for i in range(60_000)),
        "one port range 1-65535": "services:\n  a:\n    image: x\n    ports: ['1-65535:1-65535']\n",
    }
    for label, text in cases.items():
        path = folder / "compose.yml"
        path.write_text(text)
        timed(label, partial(load_compose, ComposeOptions(files=(path,), environ={})))


def main() -> None:
    print("| case | seconds | peak MiB | outcome |")
    print("| --- | ---: | ---: | --- |")
    interpolation()
    with tempfile.TemporaryDirectory() as tmp:
        yaml_cases(Path(tmp))


if __name__ == "__main__":
    main()

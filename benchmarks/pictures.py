"""Pictures at every size: `python3 benchmarks/pictures.py` (`--write-readme` updates README.md).

On synthetic estates of 30, 300, 3,000 and 10,000 containers (`synthetic.estate`: compose
projects with replicas, shared networks, standalone containers; about a tenth as many networks
as containers) it draws the default picture (`netviz render`, SVG, every option left alone) in
fresh processes and measures, from the SVG itself, its shape (width / height of the viewBox) and
how tall its smallest text is once fitted on a 1920 × 1080 screen; and it opens the default
HTML page in headless Chromium (Debian's, through Playwright) and times, from the start of the
navigation, the first paint of the whole graph and a click on a node that shows its details.
Nothing here asserts timings in tests.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import ENV, PY, Row, generate, machine, table  # noqa: E402

SCREEN = (1920, 1080)
SVG_NS = "{http://www.w3.org/2000/svg}"
SIZES = (30, 300, 3000, 10000)
HTML_SIZES = (30, 300, 1000, 3000, 10000)
HTML_TARGETS = {1000: 1.0, 10000: 3.0}


def svg_picture(svg: bytes) -> tuple[float, float, float]:
    """Width, height (viewBox) and the smallest font size of an SVG drawn by netviz."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    sizes = [
        float(t.attrib["font-size"]) for t in root.iter(f"{SVG_NS}text") if "font-size" in t.attrib
    ]
    return width, height, min(sizes)


def fitted_px(width: float, height: float, font: float) -> float:
    """How tall text of `font` units is when the picture is fitted on the screen."""
    return font * min(SCREEN[0] / width, SCREEN[1] / height)


def timed(argv: list[str], runs: int) -> tuple[float, str]:
    """Median wall time of `runs` fresh processes, and the last one's stderr."""
    times, err = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=ENV, cwd=ROOT, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            msg = f"{' '.join(argv[:6])} failed: {done.stderr.strip()[:300]}"
            raise RuntimeError(msg)
        err = done.stderr
    return statistics.median(times), err


def level_of(stderr: str) -> str:
    found = re.search(r"one node per ([\w-]+)", stderr)
    return found.group(1).replace("shared-network", "network") if found else "container"


def svg_rows(rows: list[Row], runs: int, tmp: Path) -> None:
    for n in SIZES:
        snap = generate(tmp / f"e{n}.json", f"write_estate_file(sys.argv[1], {n})")
        for view in ("topology", "reachability"):
            out = tmp / f"e{n}-{view}.svg"
            argv = [PY, "-m", "visualizer", "render", "--from", str(snap), "-o", str(out)]
            if view != "topology":
                argv += ["--view", view]
            seconds, err = timed(argv, runs)
            width, height, font = svg_picture(out.read_bytes())
            aspect = width / height
            px = fitted_px(width, height, font)
            label = f"{n:,} containers, default SVG" + (
                " (reachability view)" if view != "topology" else ""
            )
            rows.append(
                Row(
                    f"{label}: level chosen, shape",
                    f"{level_of(err)} · {width:.0f}×{height:.0f} pt (aspect {aspect:.2f})",
                    "aspect within 1:3–3:1",
                    1 / 3 <= aspect <= 3,
                )
            )
            rows.append(
                Row(
                    f"{label}: smallest text fitted on 1920×1080",
                    f"{px:.1f} px ({font:g} pt text)",
                    "≥ 8 px",
                    px >= 8,
                )
            )
            target = "≤ 5 s" if n == 3000 and view == "topology" else ""
            rows.append(
                Row(
                    f"{label}: drawn in (fresh process, start-up included)",
                    f"{seconds:.2f} s",
                    target,
                    seconds <= 5 if target else None,
                )
            )


HTML_CLICK = """async () => {
    const shown = netviz.cy.nodes("[kind = 'network']").filter(n => !n.hasClass('hidden'));
    const target = shown.length ? shown[0] : netviz.cy.nodes('[name]').filter(n => !n.hasClass('hidden'))[0];
    const p = target.renderedPosition(), r = document.getElementById('graph').getBoundingClientRect();
    return {x: p.x + r.left, y: p.y + r.top, name: target.data('name')};
}"""


def html_rows(rows: list[Row], runs: int, tmp: Path) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        rows.append(Row("HTML page", "not measured: no chromium", "", None))
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        for n in HTML_SIZES:
            snap = tmp / f"e{n}.json"
            if not snap.exists():
                generate(snap, f"write_estate_file(sys.argv[1], {n})")
            page_path = tmp / f"e{n}.html"
            made, err = timed(
                [PY, "-m", "visualizer", "render", "--from", str(snap), "-o", str(page_path)], 1
            )
            painted, clicked = [], []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(page_path.as_uri())
                page.wait_for_function("window.netviz && window.netviz.ready", timeout=120000)
                painted.append(
                    page.evaluate(
                        "() => new Promise(r => requestAnimationFrame(() => r(performance.now())))"
                    )
                    / 1000
                )
                spot = page.evaluate(HTML_CLICK)
                page.mouse.click(spot["x"], spot["y"])
                page.wait_for_function(
                    "(name) => document.getElementById('details').textContent.includes(name)",
                    arg=spot["name"],
                    timeout=120000,
                )
                clicked.append(
                    page.evaluate(
                        "() => new Promise(r => requestAnimationFrame(() => r(performance.now())))"
                    )
                    / 1000
                )
                page.close()
            first, click = statistics.median(painted), statistics.median(clicked)
            size_mb = page_path.stat().st_size / 1e6
            target = HTML_TARGETS.get(n)
            rows.append(
                Row(
                    f"{n:,} containers, HTML page ({size_mb:.1f} MB, written in {made:.1f} s): "
                    f"opens at {level_of(err)} level",
                    f"first paint {first:.2f} s, click answered {click:.2f} s",
                    f"interactive ≤ {target:g} s" if target else "",
                    click <= target if target else None,
                )
            )
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--write-readme", action="store_true", help="update README.md's table")
    args = parser.parse_args()
    rows: list[Row] = []
    started = time.time()
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "visualizer")], check=True, env=ENV)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        svg_rows(rows, args.runs, tmp)
        html_rows(rows, args.runs, tmp)
    text = table(rows)
    print(f"Machine: {machine()}\n")
    print(text)
    print(f"\n({time.time() - started:.0f} s)")
    if args.write_readme:
        readme = ROOT / "README.md"
        section = (
            f"<!-- pictures:start -->\nMeasured by `python3 benchmarks/pictures.py` on {machine()}; "
            f"medians of {args.runs} runs.\n\n{text}\n<!-- pictures:end -->"
        )
        body = re.sub(
            r"<!-- pictures:start -->.*<!-- pictures:end -->",
            lambda _: section,
            readme.read_text(),
            flags=re.DOTALL,
        )
        readme.write_text(body)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The code keeps the shape the README describes: layers, module sizes, a light start-up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "visualizer"

# Each layer may import its own and lower ranks only (data flows sources → … → cli).
LAYERS = (
    ("visualizer.version", 0),
    ("visualizer.errors", 0),
    ("visualizer.text", 0),
    ("visualizer.yamlfile", 0),
    ("visualizer.model", 1),
    ("visualizer.sources", 2),
    ("visualizer.graph", 3),
    ("visualizer.selection", 3),
    ("visualizer.analysis", 4),
    ("visualizer.renderers", 5),
    ("visualizer.results", 6),
    ("visualizer.pipeline", 6),
    ("visualizer.changes", 6),
    ("visualizer.api", 6),
    ("visualizer.preview", 6),
    ("visualizer.outputs", 7),
    ("visualizer.cli", 7),
    ("visualizer.__main__", 8),
)
MAX_LINES = 500


def rank(module):
    found = [r for prefix, r in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return found[-1] if found else None


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        if name != "visualizer":
            yield name, path


def imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "visualizer":
            yield from (f"visualizer.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("visualizer."):
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("visualizer"))


@pytest.mark.parametrize(("name", "path"), list(modules()))
def test_no_module_imports_a_layer_above_its_own(name, path):
    own = rank(name)
    assert own is not None, f"{name} belongs to no layer: add it to LAYERS"
    for other in imported(ast.parse(path.read_text())):
        theirs = rank(other)
        assert theirs is not None, f"{name} imports {other}, which belongs to no layer"
        assert theirs <= own, f"{name} (layer {own}) imports {other} (layer {theirs})"


@pytest.mark.parametrize(("name", "path"), list(modules()))
def test_no_module_is_over_500_lines(name, path):
    assert len(path.read_text().splitlines()) <= MAX_LINES, name


def test_cli_is_thin():
    assert len((PACKAGE / "cli" / "__init__.py").read_text().splitlines()) <= 450


def test_help_imports_neither_docker_nor_networkx():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['netviz', '--help']\n"
        "try:\n    runpy.run_module('visualizer', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('docker', 'networkx', 'requests', 'graphviz', 'ruamel', 'rich')\n"
        "print(' '.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stderr.strip() == ""

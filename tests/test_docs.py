"""The README tells the truth: its commands, options, example and formats match the code."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import typer.main

from visualizer import model
from visualizer.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def block(kind, text=README):
    found = re.search(rf"```{kind}\n(.*?)```", text, re.DOTALL)
    assert found is not None
    return found.group(1)


def first_block(text):
    return block("sh", text)


def test_readme_opens_with_the_two_commands():
    head = README.split("```sh", 1)[0]
    assert head.strip() == "# docker-netviz"
    lines = [ln.split("#")[0].strip() for ln in first_block(README).splitlines() if ln.strip()]
    assert lines == [
        "scripts/engine.sh graphviz && python3 -m pip install -e . && netviz render --fallback-demo",
        "python3 -m pip install -e '.[test]' && python3 -m pytest",
    ]


def test_ci_runs_exactly_the_readme_test_command():
    test_command = first_block(README).splitlines()[1].split("#")[0].strip()
    assert test_command + ' "$@"' in (ROOT / ".ci" / "run").read_text()


def commands():
    group = typer.main.get_command(app)
    return group.commands.items()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "command"), list(commands()))
def test_every_command_and_option_is_documented(name, command):
    assert f"### `netviz {name}`" in README or f"### `netviz {name} " in README
    for param in command.params:
        for opt in param.opts + param.secondary_opts:
            if opt in {"-h", "--help"}:
                continue
            assert f"`{opt}" in README or f" {opt}" in README, f"{name} {opt}"


def test_library_example_runs():
    code = block("python")
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README


@pytest.mark.parametrize(
    "record",
    [
        model.Engine,
        model.Network,
        model.Subnet,
        model.Container,
        model.Endpoint,
        model.Port,
        model.Link,
        model.Snapshot,
        model.Host,
        model.SwarmNode,
        model.Service,
        model.ServicePort,
        model.VirtualIP,
    ],
)
def test_snapshot_format_lists_every_field(record):
    section = README.split("## Snapshot format", 1)[1].split("\n## ", 1)[0]
    for field in dataclasses.fields(record):
        assert f"`{field.name}`" in section or f"`{field.name}[]`" in section, field.name


def test_exit_codes_documented():
    from visualizer.errors import ExitCode

    table = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ExitCode:
        assert f"| {int(code)} |" in table

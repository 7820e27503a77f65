"""The README tells the truth: its commands, options, example and formats match the code."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import typer.main

from visualizer import model
from visualizer.cli import app
from visualizer.cli.options import SOURCE_OPTIONS

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


def section(heading):
    """The README text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = README.index(heading)
    rest = README[start + len(heading) :]
    ends = [rest.find(f"\n{h} ") for h in ("#" * n for n in range(1, len(level) + 1))]
    return rest[: min((e for e in ends if e >= 0), default=len(rest))]


SOURCE_TABLE = section("### Where the data comes from")


def names_option(text, opt):
    """Whether `text` writes the option as code: `--opt`, `-o, --opt`, `--a / --opt`, `--opt=…`."""
    return re.search(rf"(`|, |/ ?){re.escape(opt)}(?![\w-])", text) is not None


@pytest.mark.parametrize(("name", "command"), list(commands()))
def test_every_command_and_option_is_documented_in_its_own_section(name, command):
    heading = next(line for line in README.splitlines() if line.startswith(f"### `netviz {name}"))
    own = section(heading)
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.metavar in heading, f"{name}: argument {param.metavar} not in {heading}"
            continue
        for opt in param.opts + param.secondary_opts:
            if opt in {"-h", "--help"}:
                continue
            shared = param.name in SOURCE_OPTIONS and names_option(SOURCE_TABLE, opt)
            assert shared or names_option(own, opt), f"netviz {name} {opt} is not documented there"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README, re.DOTALL)


def test_library_example_runs_and_asserts():
    code = python_blocks()[0]
    assert code.count("assert ") >= 5
    for command in ("render", "snapshot", "audit", "reach", "matrix", "report", "diff"):
        assert f"nv.{command}(" in code, command
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README


@pytest.mark.docker
def test_live_library_example_runs_on_a_real_engine(lab):
    """The probe and watch example, against a project of the test's own on the real engine."""
    code = python_blocks()[1]
    for command in ("probe", "watch"):
        assert f"nv.{command}(" in code, command
    project = lab.name("shop")
    net = lab.network("net")
    for short in ("web", "db"):
        lab.run(short, "--network", net, "--label", f"com.docker.compose.project={project}")
    code = code.replace('PROJECT = "shop"', f"PROJECT = {project!r}")
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


def test_findings_table_is_the_catalogue():
    from visualizer.analysis.catalogue import CATALOGUE

    rows = [
        line for line in section("### `netviz audit`").splitlines() if re.match(r"\| A\d+ ", line)
    ]
    expected = [
        f"| {r.id} {r.summary} | {r.severity_text} | {r.cis_text} |" for r in CATALOGUE.values()
    ]
    assert rows == expected

"""The environment of a compose project and its interpolation (`${VAR:-default}` …).

Interpolation reads each value once, left to right, whatever its nesting (`${A:-${B:-x}}`):
its cost is linear in the text. Nesting is limited to `MAX_NESTING` levels and the text a file
interpolates to is limited to `MAX_INTERPOLATED` characters (a variable can be long and used
often), both with a clear error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.compose.merge import RESET, Override
from visualizer.yamlfile import MAX_YAML_BYTES, position

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

MAX_NESTING = 32
"""The deepest `${...}` nesting accepted in one value."""
MAX_INTERPOLATED = 16 * MAX_YAML_BYTES
"""The most characters a compose file may interpolate to (16 MiB)."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


def environment(
    env_files: Iterable[Path | str],
    *,
    shell: Mapping[str, str] | None,
    required: bool,
) -> dict[str, str]:
    """The variables to interpolate from: the env files in order, then the shell (which wins).

    `required` env files must exist (`--env-file`, `include: env_file`); otherwise a missing
    one (the default `.env`) is skipped.
    """
    env: dict[str, str] = {}
    for given in env_files:
        path = Path(given)
        if not path.is_file():
            if required:
                raise InputError(f"{path}: no such env file")
            continue
        env.update(read_dotenv(path))
    env.update(os.environ if shell is None else shell)  # the shell wins
    return env


def read_dotenv(path: Path) -> dict[str, str]:
    """The `KEY=VALUE` lines of an env file (`export`, quotes and `#` comments allowed)."""
    values = {}
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise InputError(f"{path}: too large for an env file (over {MAX_YAML_BYTES} bytes)")
        lines = raw.decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":  # noqa: PLR2004
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


@dataclass
class _Context:
    """What interpolating one file needs, and what it has spent."""

    env: Mapping[str, str]
    origin: str
    warnings: list[str]
    budget: int = MAX_INTERPOLATED
    missing: set[str] = field(default_factory=set)


def plain(node: Any, env: Mapping[str, str], origin: str, warnings: list[str]) -> Any:  # noqa: ANN401
    """Interpolated plain data of a YAML tree; the `!reset` / `!override` tags become markers.

    Errors name the file, line and column of the value.
    """
    return _plain(node, _Context(env=env, origin=origin, warnings=warnings), None, None)


def _plain(node: Any, ctx: _Context, parent: Any, key: Any) -> Any:  # noqa: ANN401
    tag = getattr(getattr(node, "tag", None), "value", None)
    if hasattr(node, "value") and type(node).__name__ == "TaggedScalar":
        node = node.value
    if isinstance(node, str):
        try:
            value: Any = expand(node, ctx)
        except _TemplateError as exc:
            where = position(parent, key) if parent is not None else ""
            raise InputError(f"{ctx.origin}{where}: {exc}") from None
    elif isinstance(node, dict):
        value = {str(k): _plain(v, ctx, node, k) for k, v in node.items()}
    elif isinstance(node, list):
        value = [_plain(v, ctx, node, i) for i, v in enumerate(node)]
    else:
        value = node
    if tag == "!reset":
        return RESET
    if tag == "!override":
        return Override(value)
    return value


class _TemplateError(Exception):
    """A value that cannot be interpolated (the caller adds the place)."""


@dataclass
class _Var:
    """`${name<op>arg}`, `${name}` or `$name`; `arg` is a list of text and variables."""

    name: str
    op: str | None
    arg: list[str | _Var] = field(default_factory=list)


def expand(text: str, ctx: _Context) -> str:
    """Interpolate like Compose: `$$`, `$VAR`, `${VAR}` and its `-`, `:-`, `?`, `:?`, `+`, `:+`.

    Defaults may themselves hold `${...}`. The text is read once (`_parse`), then evaluated.
    """
    if "$" not in text:
        return _spend(text, ctx)
    return "".join(_evaluate(_parse(text), ctx))


def _spend(text: str, ctx: _Context) -> str:
    ctx.budget -= len(text)
    if ctx.budget < 0:
        raise _TemplateError(f"the file interpolates to more than {MAX_INTERPOLATED} characters")
    return text


def _parse(text: str) -> list[str | _Var]:
    """The parts of `text`, in one left-to-right pass with an explicit stack."""
    top: list[str | _Var] = []
    parts = top
    open_vars: list[tuple[list[str | _Var], _Var]] = []  # (the parts it sits in, the variable)
    literal: list[str] = []

    def flush() -> None:
        if literal:
            parts.append("".join(literal))
            literal.clear()

    i, end = 0, len(text)
    while i < end:
        ch = text[i]
        if ch == "}" and open_vars:
            flush()
            parts, var = open_vars.pop()
            parts.append(var)
            i += 1
            continue
        if ch != "$":
            literal.append(ch)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            literal.append("$")
            i += 2
            continue
        if nxt != "{":
            match = _NAME.match(text, i + 1)
            if match is None:
                literal.append("$")
                i += 1
                continue
            flush()
            parts.append(_Var(name=match.group(0), op=None))
            i = match.end()
            continue
        match = _NAME.match(text, i + 2)
        if match is None:
            raise _TemplateError(f"invalid interpolation in {_short(text)}")
        j = match.end()
        op = next((o for o in _OPERATORS if text.startswith(o, j)), None)
        if op is None and text[j : j + 1] != "}":
            problem = "unterminated ${...}" if j >= end else "invalid interpolation"
            raise _TemplateError(f"{problem} in {_short(text)}")
        flush()
        var = _Var(name=match.group(0), op=op)
        if op is None:
            parts.append(var)
            i = j + 1
            continue
        if len(open_vars) >= MAX_NESTING:
            raise _TemplateError(f"interpolation nested deeper than {MAX_NESTING} levels")
        open_vars.append((parts, var))
        parts = var.arg
        i = j + len(op)
    if open_vars:
        raise _TemplateError(f"unterminated ${{...}} in {_short(text)}")
    flush()
    return top


def _evaluate(parts: list[str | _Var], ctx: _Context) -> list[str]:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(_spend(part, ctx))
            continue
        value = ctx.env.get(part.name)
        op = part.op
        if op is None:
            if value is None:
                if part.name not in ctx.missing:
                    ctx.missing.add(part.name)
                    ctx.warnings.append(
                        f"{ctx.origin}: the {part.name} variable is not set; using an empty string"
                    )
                value = ""
            out.append(_spend(value, ctx))
            continue
        missing = (value is None or value == "") if op.startswith(":") else value is None
        if op.endswith("-"):
            out.extend(_evaluate(part.arg, ctx) if missing else [_spend(str(value), ctx)])
        elif op.endswith("?"):
            if missing:
                reason = "".join(_evaluate(part.arg, ctx)) or "no value"
                raise _TemplateError(f"required variable {part.name} is missing: {reason}")
            out.append(_spend(str(value), ctx))
        elif not missing:
            out.extend(_evaluate(part.arg, ctx))
    return out


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")

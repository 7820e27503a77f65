"""The environment of a compose project and its interpolation (`${VAR:-default}` …)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.compose.merge import RESET, Override

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from visualizer.sources.compose.options import ComposeOptions


def environment(options: ComposeOptions, project_dir: Path) -> dict[str, str]:
    """The variables to interpolate from: the env file, then the shell (which wins)."""
    env: dict[str, str] = {}
    dotenv = options.env_file or project_dir / ".env"
    if options.env_file is not None and not dotenv.exists():
        raise InputError(f"{dotenv}: no such env file")
    if dotenv.exists():
        env.update(_read_dotenv(dotenv))
    env.update(os.environ if options.environ is None else options.environ)  # the shell wins
    return env


def _read_dotenv(path: Path) -> dict[str, str]:
    values = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
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


def plain(node: Any, env: Mapping[str, str], origin: str, warnings: list[str]) -> Any:  # noqa: ANN401
    """Interpolated plain data; the `!reset` / `!override` tags become markers."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if hasattr(node, "value") and type(node).__name__ == "TaggedScalar":
        node = node.value
    if isinstance(node, str):
        value: Any = _expand(node, env, origin, warnings)
    elif isinstance(node, dict):
        value = {str(k): plain(v, env, origin, warnings) for k, v in node.items()}
    elif isinstance(node, list):
        value = [plain(v, env, origin, warnings) for v in node]
    else:
        value = node
    if tag == "!reset":
        return RESET
    if tag == "!override":
        return Override(value)
    return value


def _expand(text: str, env: Mapping[str, str], origin: str, warnings: list[str]) -> str:
    """Interpolate like Compose: `$$`, `$VAR`, `${VAR}` and its `-`, `:-`, `?`, `:?`, `+`, `:+`.

    Defaults may themselves hold `${...}`.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            depth, j = 1, i + 2
            while j < len(text) and depth:
                if text.startswith("${", j):
                    depth += 1
                    j += 2
                    continue
                if text[j] == "}":
                    depth -= 1
                j += 1
            if depth:
                raise InputError(f"{origin}: unterminated ${{...}} in {text!r}")
            out.append(_resolve(text[i + 2 : j - 1], env, origin, warnings))
            i = j
        else:
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i + 1 :])
            if match is None:
                out.append("$")
                i += 1
                continue
            out.append(_resolve(match.group(0), env, origin, warnings))
            i += 1 + match.end()
    return "".join(out)


def _resolve(body: str, env: Mapping[str, str], origin: str, warnings: list[str]) -> str:
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?(.*)$", body, re.DOTALL)
    if match is None or (match.group(2) is None and match.group(3)):
        raise InputError(f"{origin}: invalid interpolation ${{{body}}}")
    name, op, arg = match.group(1), match.group(2), match.group(3)
    value = env.get(name)
    if op is None:
        if value is None:
            warnings.append(f"{origin}: the {name} variable is not set; using an empty string")
            return ""
        return value
    missing = (value is None or value == "") if op.startswith(":") else value is None
    if op.endswith("-"):
        return _expand(arg, env, origin, warnings) if missing else str(value)
    if op.endswith("?"):
        if missing:
            reason = _expand(arg, env, origin, warnings) or "no value"
            raise InputError(f"{origin}: required variable {name} is missing: {reason}")
        return str(value)
    return "" if missing else _expand(arg, env, origin, warnings)

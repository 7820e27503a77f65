"""YAML 1.2 input (compose files, policies): loading and error positions, `file:line:col`."""

from __future__ import annotations

from typing import Any

from visualizer.errors import InputError


def load_yaml(text: str, *, origin: str) -> Any:  # noqa: ANN401 - any YAML document
    """The round-trip tree of `text` (its nodes know their positions); errors name the place."""
    from ruamel.yaml import YAML  # noqa: PLC0415 - only compose sources and policies need YAML
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{origin}{where}: not valid YAML ({problem})") from None


def position(node: Any, key: str | int | None = None) -> str:  # noqa: ANN401 - YAML nodes
    """`:line:col` of a node, or of one key or item in it; empty when unknown."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return ""
    try:
        if key is not None and isinstance(node, dict):
            line, col = lc.key(key)
        elif key is not None and isinstance(node, list):
            line, col = lc.item(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, IndexError, TypeError):
        line, col = lc.line, lc.col
    return f":{line + 1}:{col + 1}"

"""Reading netviz's own JSON documents: bounded parsing, schema checks, errors at their place.

Snapshots, baselines and policies go through here; the schemas are in `schemas`.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.schemas import DOCUMENTS, schemas

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MESSAGE_LIMIT = 200


def check(data: Any, schema: Mapping[str, Any], *, origin: str) -> None:  # noqa: ANN401
    """Validate a document; an error is an `InputError` naming where it is.

    `fastjsonschema` compiles the schema once per process: a 10,000-container snapshot is
    checked in well under two seconds (`jsonschema` took ten times as long).
    """
    from fastjsonschema import JsonSchemaValueException  # noqa: PLC0415 - read files only

    try:
        _validator(str(schema["$id"]))(data)
    except JsonSchemaValueException as exc:
        where = str(exc.name).removeprefix("data").lstrip(".") or "top level"
        message = _plain(str(exc.message).removeprefix(str(exc.name) + " "), exc.value)
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        line = _line_of(data, list(exc.path)[1:])
        raise InputError(f"{origin}{line}: {where}: {message}") from None


_KINDS = {
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


def _plain(message: str, value: Any) -> str:  # noqa: ANN401 - the offending value
    """The validator's wording in netviz's: `expected a list, got an object`."""
    if kinds := re.fullmatch(
        r"must be ((?:array|object|boolean|string|integer|number|null)"
        r"(?: or (?:array|object|boolean|string|integer|number|null))*)",
        message,
    ):
        wanted = " or ".join(_KINDS[k] for k in kinds[1].split(" or "))
        return f"expected {wanted}, got {_kind(value)}"
    if missing := re.fullmatch(r"must contain \[(.*)\] properties", message):
        names = missing[1]
        return f"missing required field{'s' if ',' in names else ''} {names}"
    if unknown := re.fullmatch(r"must not contain \{(.*)\} properties", message):
        return f"unknown field {unknown[1]}"
    return message


def _kind(value: Any) -> str:  # noqa: ANN401
    for kind, classes in (
        ("true or false", bool),
        ("null", type(None)),
        ("a number", (int, float)),
        ("a string", str),
        ("a list", list),
        ("an object", dict),
    ):
        if isinstance(value, classes):
            return kind
    return type(value).__name__


def _line_of(data: Any, path: list[Any]) -> str:  # noqa: ANN401 - a parsed document
    """`:line:col` of a path in a YAML document read with positions (else empty)."""
    from visualizer.yamlfile import position  # noqa: PLC0415

    node, key = data, None
    for step in path:
        if key is not None:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        key = step
    return position(node, key)


@functools.cache
def _validator(schema_id: str) -> Callable[[Any], Any]:
    import fastjsonschema  # noqa: PLC0415

    found = next(s for s in schemas().values() if s["$id"] == schema_id)
    validate: Callable[[Any], Any] = fastjsonschema.compile(dict(found))
    return validate


def refuse_other_documents(data: Any, expected: str, *, origin: str, option: str) -> None:  # noqa: ANN401
    """Refuse a netviz document of another kind (an audit given where a snapshot goes)."""
    kind = data.get("schema") if isinstance(data, dict) else None
    if isinstance(kind, str) and kind != expected:
        what = f"a {kind} document" if kind in DOCUMENTS else f"a {kind!r} document"
        raise InputError(f"{origin}: this is {what}, not a {expected} ({option} reads those)")


MAX_INPUT_BYTES = 512 * 1024 * 1024
"""The largest snapshot, baseline or policy file netviz reads (512 MiB)."""


def read_json(text: str | bytes, *, origin: str) -> Any:  # noqa: ANN401 - any JSON value
    """Parse JSON input; malformed, too deep, too large or oversized numbers are one line."""
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"{origin}: larger than {MAX_INPUT_BYTES // 2**20} MiB; refusing to read")
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{origin}: nested too deeply to be a netviz document") from None
    except UnicodeDecodeError:
        raise InputError(f"{origin}: not UTF-8 text") from None
    except ValueError as exc:  # JSONDecodeError, and integers beyond 4,300 digits
        reason = " ".join(str(exc).split())[:MESSAGE_LIMIT]
        raise InputError(f"{origin}: not valid JSON ({reason})") from None

"""The snapshot file: a versioned JSON form of `model.Snapshot`, written and read here only.

Layout (documented in the README): `{"schema_version": 1, "engine": {...}, "networks": [...],
"containers": [...], ...}` with the field names of the model records. Missing optional
fields take their defaults; unknown keys are ignored so additive changes stay readable.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.model import SCHEMA_VERSION, Snapshot
from visualizer.sources.documents import check, read_json, refuse_other_documents
from visualizer.sources.schemas import snapshot_schema
from visualizer.text import json_text

if TYPE_CHECKING:
    from pathlib import Path

SNAPSHOT = "netviz-snapshot"


def dumps(snapshot: Snapshot) -> str:
    """Serialise a snapshot to its JSON file form (stable key order, trailing newline)."""
    body = {"schema": SNAPSHOT, "schema_version": SCHEMA_VERSION, **_encode(snapshot)}
    return json_text(body) + "\n"


def loads(text: str | bytes, *, origin: str = "snapshot", trusted: bool = False) -> Snapshot:
    """Parse a snapshot from JSON text; `origin` names the input in error messages.

    The document is checked against the published snapshot schema first (ranges included),
    unless it is `trusted` (the bundled demo). Another netviz document (an audit…) is refused.
    """
    data = read_json(text, origin=origin)
    if not isinstance(data, dict):
        raise InputError(f"{origin}: expected a JSON object at the top level")
    refuse_other_documents(data, SNAPSHOT, origin=origin, option="--from")
    version = data.get("schema_version")
    if version is None:
        raise InputError(f"{origin}: no schema_version (is this a netviz snapshot?)")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{origin}: unsupported schema_version {version!r} (this netviz reads {SCHEMA_VERSION})"
        )
    if not trusted:
        check(data, snapshot_schema(), origin=origin)
    try:
        snapshot: Snapshot = _decode(Snapshot, data, "")
    except _DecodeError as exc:
        raise InputError(f"{origin}: {exc.where or 'top level'}: {exc.what}") from None
    return snapshot


def load_file(path: Path) -> Snapshot:
    """Read a snapshot file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a snapshot file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return loads(raw, origin=str(path))


class _DecodeError(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _encode(value: Any) -> Any:  # noqa: ANN401 - JSON values are untyped by nature
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _decode(tp: Any, data: Any, where: str) -> Any:  # noqa: ANN401
    origin = typing.get_origin(tp)
    if tp is Any:
        return data
    if origin in {typing.Union, types.UnionType}:
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, data, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_record(tp, data, where)
    if origin is tuple:
        _expect(data, list, "a list", where)
        (item,) = typing.get_args(tp)[:1]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(data))
    if origin in {Mapping, dict} or tp is dict:
        _expect(data, dict, "an object", where)
        _, vtype = typing.get_args(tp)
        return {str(k): _decode(vtype, v, _join(where, str(k))) for k, v in data.items()}
    if tp is bool:
        _expect(data, bool, "true or false", where)
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _DecodeError(where, f"expected an integer, got {_kind(data)}")
        return data
    if tp is str:
        _expect(data, str, "a string", where)
        return data
    msg = f"cannot decode type {tp!r}"  # a model field of a kind this codec does not know
    raise TypeError(msg)


def _decode_record(cls: type[Any], data: Any, where: str) -> Any:  # noqa: ANN401
    _expect(data, dict, "an object", where)
    hints = _type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _decode(hints[f.name], data[f.name], _join(where, f.name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _DecodeError(where, f"missing required field {f.name!r}")
    return cls(**kwargs)


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _expect(data: Any, kind: type, what: str, where: str) -> None:  # noqa: ANN401
    if not isinstance(data, kind):
        raise _DecodeError(where, f"expected {what}, got {_kind(data)}")


def _kind(data: Any) -> str:  # noqa: ANN401
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(data), "null" if data is None else type(data).__name__
    )

"""The snapshot file: a versioned JSON form of `model.Snapshot`, written and read here only.

Layout (documented in the README): `{"schema_version": 1, "engine": {...}, "networks": [...],
"containers": [...], ...}` with the field names of the model records. Missing optional
fields take their defaults; unknown keys are ignored so additive changes stay readable.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
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
        snapshot: Snapshot = _decode(Snapshot, data)
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
    """A value of the wrong kind; `where` is built while the error unwinds (no cost otherwise)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.parts: list[str] = []  # innermost first: "[2]", ".ipv4"

    @property
    def where(self) -> str:
        return "".join(reversed(self.parts)).lstrip(".")


def _encode(value: Any) -> Any:  # noqa: ANN401 - JSON values are untyped by nature
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _decode(tp: Any, data: Any) -> Any:  # noqa: ANN401
    return _decoder(tp)(data)


@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:  # noqa: ANN401 - one branch per kind
    """A function that checks and converts JSON data to `tp`, built once per type."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return lambda data: data
    if origin in {typing.Union, types.UnionType}:
        args = typing.get_args(tp)
        (inner,) = [a for a in args if a is not type(None)]
        decode = _decoder(inner)
        if type(None) not in args:
            return decode
        return lambda data: None if data is None else decode(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record_decoder(tp)
    if origin is tuple:
        item = _decoder(typing.get_args(tp)[0])

        def tuple_of(data: Any) -> tuple[Any, ...]:  # noqa: ANN401
            _expect(data, list, "a list")
            out = []
            for i, v in enumerate(data):
                try:
                    out.append(item(v))
                except _DecodeError as exc:
                    exc.parts.append(f"[{i}]")
                    raise
            return tuple(out)

        return tuple_of
    if origin in {Mapping, dict} or tp is dict:
        value = _decoder(typing.get_args(tp)[1])

        def mapping_of(data: Any) -> dict[str, Any]:  # noqa: ANN401
            _expect(data, dict, "an object")
            out = {}
            for k, v in data.items():
                try:
                    out[str(k)] = value(v)
                except _DecodeError as exc:
                    exc.parts.append(f".{k}")
                    raise
            return out

        return mapping_of
    if tp is bool:
        return functools.partial(_checked, kind=bool, what="true or false")
    if tp is int:
        return _integer
    if tp is str:
        return functools.partial(_checked, kind=str, what="a string")
    msg = f"cannot decode type {tp!r}"  # a model field of a kind this codec does not know
    raise TypeError(msg)


def _integer(data: Any) -> int:  # noqa: ANN401
    if isinstance(data, bool) or not isinstance(data, int):
        raise _DecodeError(f"expected an integer, got {_kind(data)}")
    return data


def _record_decoder(cls: type[Any]) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = [
        (
            f.name,
            _decoder(hints[f.name]),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    ]

    def record(data: Any) -> Any:  # noqa: ANN401
        _expect(data, dict, "an object")
        kwargs: dict[str, Any] = {}
        for name, decode, required in fields:
            if name in data:
                try:
                    kwargs[name] = decode(data[name])
                except _DecodeError as exc:
                    exc.parts.append(f".{name}")
                    raise
            elif required:
                raise _DecodeError(f"missing required field {name!r}")
        return cls(**kwargs)

    return record


def _checked(data: Any, *, kind: type, what: str) -> Any:  # noqa: ANN401
    _expect(data, kind, what)
    return data


def _expect(data: Any, kind: type, what: str) -> None:  # noqa: ANN401
    if not isinstance(data, kind):
        raise _DecodeError(f"expected {what}, got {_kind(data)}")


def _kind(data: Any) -> str:  # noqa: ANN401
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(data), "null" if data is None else type(data).__name__
    )

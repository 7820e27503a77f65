"""Compose files checked against the Compose Specification's own JSON schema.

The schema is vendored, unchanged, as `visualizer/data/vendor/compose-spec.json` (see
`SCHEMA_SOURCE`) and checked with `jsonschema`, imported only when a compose file is read.
Like Compose, a file is checked once interpolated, after the strings that stand for numbers
and booleans (`scale: ${N}`, `internal: "true"`) are cast at the paths Compose casts them.
A mistake is an error at the file, line and column of the part of the file it is about.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.compose.merge import RESET, Override
from visualizer.yamlfile import locate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from jsonschema import ValidationError

SCHEMA_SOURCE = "https://github.com/compose-spec/compose-go/blob/v2.13.0/schema/compose-spec.json"
"""Where the vendored schema comes from: compose-go v2.13.0, the schema's original (the
compose-spec repository keeps an older copy), commit faa67b213c471d63997f55cc145e6eab9dc3630f,
Apache-2.0 (`compose-spec.LICENSE` beside it)."""
SCHEMA_SHA256 = "73ca5878c77570ba222a558016c7b3c6770ba5f3377786593e32180666512f8f"
"""The vendored file's SHA-256: it is kept byte for byte as published."""

Path_ = tuple[str | int, ...]


def dotted(path: Sequence[str | int]) -> str:
    """`services.web.ports[0]`: a path in a compose file as Compose writes it."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


# ---- casts: what Compose's interpolation turns into numbers and booleans ------------------------

_TRUE = frozenset({"true", "y", "yes", "on"})
_FALSE = frozenset({"false", "n", "no", "off"})
_INT = re.compile(r"[+-]?[0-9]{1,18}")


def _to_bool(value: str) -> bool:
    low = value.lower()
    if low in _TRUE | _FALSE:
        return low in _TRUE
    raise ValueError(f"must be a boolean, not {value!r}")


def _to_int(value: str) -> int:
    if not _INT.fullmatch(value.strip()):
        raise ValueError(f"must be an integer, not {value!r}")
    return int(value)


def _to_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"must be a number, not {value!r}") from None


_S = ("services", "*")
CASTS: dict[Path_, Callable[[str], Any]] = {
    (*_S, "cpu_count"): _to_int,
    (*_S, "cpu_percent"): _to_float,
    (*_S, "cpu_period"): _to_int,
    (*_S, "cpu_quota"): _to_int,
    (*_S, "cpu_rt_period"): _to_int,
    (*_S, "cpu_rt_runtime"): _to_int,
    (*_S, "cpus"): _to_float,
    (*_S, "cpu_shares"): _to_int,
    (*_S, "init"): _to_bool,
    (*_S, "depends_on", "*", "required"): _to_bool,
    (*_S, "depends_on", "*", "restart"): _to_bool,
    (*_S, "deploy", "replicas"): _to_int,
    (*_S, "deploy", "update_config", "parallelism"): _to_int,
    (*_S, "deploy", "update_config", "max_failure_ratio"): _to_float,
    (*_S, "deploy", "rollback_config", "parallelism"): _to_int,
    (*_S, "deploy", "rollback_config", "max_failure_ratio"): _to_float,
    (*_S, "deploy", "restart_policy", "max_attempts"): _to_int,
    (*_S, "deploy", "placement", "max_replicas_per_node"): _to_int,
    (*_S, "healthcheck", "retries"): _to_int,
    (*_S, "healthcheck", "disable"): _to_bool,
    (*_S, "oom_kill_disable"): _to_bool,
    (*_S, "oom_score_adj"): _to_int,
    (*_S, "pids_limit"): _to_int,
    (*_S, "ports", "[]", "target"): _to_int,
    (*_S, "privileged"): _to_bool,
    (*_S, "read_only"): _to_bool,
    (*_S, "scale"): _to_int,
    (*_S, "stdin_open"): _to_bool,
    (*_S, "tty"): _to_bool,
    (*_S, "ulimits", "*"): _to_int,
    (*_S, "ulimits", "*", "hard"): _to_int,
    (*_S, "ulimits", "*", "soft"): _to_int,
    (*_S, "volumes", "[]", "read_only"): _to_bool,
    (*_S, "volumes", "[]", "volume", "nocopy"): _to_bool,
    ("networks", "*", "external"): _to_bool,
    ("networks", "*", "internal"): _to_bool,
    ("networks", "*", "attachable"): _to_bool,
    ("networks", "*", "enable_ipv4"): _to_bool,
    ("networks", "*", "enable_ipv6"): _to_bool,
    ("volumes", "*", "external"): _to_bool,
    ("secrets", "*", "external"): _to_bool,
    ("configs", "*", "external"): _to_bool,
}
"""Compose's own table (compose-go `loader/interpolate.go`): `*` is any key, `[]` any item."""


def cast(data: Any, tree: Any, origin: str, prefix: Path_ = ()) -> Any:  # noqa: ANN401
    """`data` with the strings at `CASTS` paths turned into numbers and booleans."""
    return _cast(data, tree, origin, prefix)


def _cast(value: Any, tree: Any, origin: str, path: Path_) -> Any:  # noqa: ANN401
    if isinstance(value, Override):
        return Override(_cast(value.value, tree, origin, path))
    if isinstance(value, dict):
        return {k: _cast(v, tree, origin, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_cast(v, tree, origin, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str):
        convert = _cast_for(path)
        if convert is not None:
            try:
                return convert(value)
            except ValueError as exc:
                raise InputError(f"{origin}{locate(tree, path)}: {dotted(path)} {exc}") from None
    return value


def _cast_for(path: Path_) -> Callable[[str], Any] | None:
    for pattern, convert in CASTS.items():
        if len(pattern) == len(path) and all(
            p == s or (p == "*" and isinstance(s, str)) or (p == "[]" and isinstance(s, int))
            for p, s in zip(pattern, path, strict=True)
        ):
            return convert
    return None


# ---- the schema ------------------------------------------------------------------------------


@functools.cache
def _validator() -> Any:  # noqa: ANN401 - a jsonschema validator
    from jsonschema import Draft202012Validator  # noqa: PLC0415 - only compose files need it

    text = resources.files("visualizer").joinpath("data/vendor/compose-spec.json").read_bytes()
    return Draft202012Validator(json.loads(text))


def validate(data: dict[str, Any], tree: Any, origin: str) -> None:  # noqa: ANN401
    """Check a compose file against the Compose schema; the first mistake is an error."""
    errors = list(_validator().iter_errors(unmarked(data)))
    if not errors:
        return
    best = min((_most_specific(e) for e in errors), key=_order)
    path, message = _describe(best)
    raise InputError(f"{origin}{locate(tree, path)}: {message}")


def unmarked(value: Any) -> Any:  # noqa: ANN401
    """The document as the schema sees it: `!override` values as given, `!reset` keys gone."""
    if isinstance(value, Override):
        return unmarked(value.value)
    if isinstance(value, dict):
        return {k: unmarked(v) for k, v in value.items() if v is not RESET}
    if isinstance(value, list):
        return [unmarked(v) for v in value if v is not RESET]
    return value


def _most_specific(error: ValidationError) -> ValidationError:
    """Among the causes of a `oneOf`/`anyOf` failure, the one deepest in the document."""
    best = error
    for cause in error.context or ():
        deepest = _most_specific(cause)
        if _specificity(deepest) > _specificity(best):
            best = deepest
    return best


def _specificity(error: ValidationError) -> int:
    return len(error.absolute_path) + (1 if error.validator == "additionalProperties" else 0)


def _order(error: ValidationError) -> tuple[int, str]:
    """Errors in document order of their paths, so the same file gives the same error."""
    return (-_specificity(error), json.dumps(list(error.absolute_path)))


_KINDS = {
    "object": "mapping",
    "array": "list",
    "string": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
}


def _describe(error: ValidationError) -> tuple[list[str | int], str]:
    """Where an error is, and what to say about it, in Compose's words."""
    path: list[str | int] = list(error.absolute_path)
    where = dotted(path) or "the top level"
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        extra = _extra_keys(error.instance, error.schema)
        if extra:
            key = extra[0]
            if not path:
                return [key], f"unknown top-level key {key!r}"
            if "properties" in error.schema:
                return [*path, key], f"{where}: unknown key {key!r}"
            return [*path, key], f"{where}: {key!r} is not a valid name"
    if kind == "type":
        wanted = error.validator_value
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        shown = [_KINDS.get(n, n) for n in names if n != "null"] or ["null"]
        return path, f"{where} must be a {' or '.join(shown)}"
    if kind == "required":
        return path, f"{where}: {error.message}"
    if kind in {"oneOf", "anyOf"}:
        return path, f"{where} is not in any of the forms Compose accepts"
    if kind == "uniqueItems":
        return path, f"{where} holds the same item twice"
    return path, f"{where}: {error.message}"


def _extra_keys(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    known = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]

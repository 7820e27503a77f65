"""Compose files as a source: the topology `docker compose up` would create, predicted.

Files are read as YAML 1.2 (`22:22` stays a string), merged the way `docker compose -f a
-f b` merges them (mappings recursively, most sequences appended, `ports`/`expose`/`links`
de-duplicated, `command`/`entrypoint` replaced, `!reset` and `!override` tags honoured),
interpolated from the environment and the project's `.env` (`${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}`, `$$`), and filtered by profiles. The
prediction follows Compose's rules: the project name, `<project>_default`, prefixed network
names unless `name:` or `external:`, container names (`<project>-<service>-N`, or
`<project>_<service>_N` for Compose v1), the service name as an alias on every network,
`network_mode` (`host`, `none`, `bridge`, `service:X`, `container:X`), ports in short and long
syntax. What only a running engine knows (addresses not declared, ephemeral host ports) is
left unknown: `None` addresses, host port `0`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.compose.interpolate import environment, plain
from visualizer.sources.compose.merge import merge_maps
from visualizer.sources.compose.options import ComposeOptions
from visualizer.sources.compose.predict import predict, project_name
from visualizer.sources.compose.schema import validate
from visualizer.sources.spec import ComposeNaming
from visualizer.yamlfile import load_yaml

if TYPE_CHECKING:
    from pathlib import Path

    from visualizer.model import Snapshot

__all__ = ["ComposeNaming", "ComposeOptions", "load_compose"]


def load_compose(options: ComposeOptions) -> Snapshot:
    """Predict the snapshot `docker compose up` would produce."""
    if not options.files:
        raise InputError("no compose file given")
    project_dir = options.files[0].resolve().parent
    env = environment(options, project_dir)
    warnings: list[str] = []
    merged: dict[str, Any] = {}
    for path in options.files:
        raw = _read(path)
        validate(raw, path)
        data = plain(raw, env, str(path), warnings)
        merged = merge_maps(merged, data)
    name = project_name(options, env, merged, project_dir)
    profiles = set(options.profiles) or {p for p in env.get("COMPOSE_PROFILES", "").split(",") if p}
    return predict(merged, name, profiles, options, warnings)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such compose file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    data = load_yaml(text, origin=str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: a compose file must be a mapping at the top level")
    return data

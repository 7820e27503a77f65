"""Compose files as a source: the topology `docker compose up` would create, predicted.

Files are read as YAML 1.2 (`22:22` stays a string), bounded (size, nesting, aliases),
interpolated from the environment and the project's `.env` (`${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?error}`, `${VAR:+alt}`, `$$`), checked against the Compose
Specification's JSON schema, with `include` and `extends` resolved, merged the way
`docker compose -f a -f b` merges them (mappings recursively, most sequences appended,
`ports`/`expose`/`links` de-duplicated, `command`/`entrypoint` replaced, `!reset` and
`!override` tags honoured), and filtered by profiles. The prediction follows Compose's rules:
the project name, `<project>_default`, prefixed network names unless `name:` or `external:`,
container names (`<project>-<service>-N`, or `<project>_<service>_N` for Compose v1), the
service name as an alias on every network, `network_mode` (`host`, `none`, `bridge`,
`service:X`, `container:X`), ports in short and long syntax. What only a running engine knows
(addresses not declared, ephemeral host ports) is left unknown: `None` addresses, host port
`0`. Keys netviz does not model are named in warnings (`modelled.MODELLED`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.errors import InputError
from visualizer.sources.compose.modelled import unmodelled
from visualizer.sources.compose.options import ComposeOptions
from visualizer.sources.compose.predict import predict, project_name
from visualizer.sources.compose.project import Loader
from visualizer.sources.settings import ComposeNaming

if TYPE_CHECKING:
    from visualizer.model import Snapshot

__all__ = ["ComposeNaming", "ComposeOptions", "load_compose"]


def load_compose(options: ComposeOptions) -> Snapshot:
    """Predict the snapshot `docker compose up` would produce."""
    if not options.files:
        raise InputError("no compose file given")
    base_dir = options.files[0].parent  # as given: file names in messages stay as the user wrote
    project_dir = base_dir.absolute()
    warnings: list[str] = []
    loader = Loader(shell=options.environ, warnings=warnings)
    env = loader.main_environment(options.env_file, base_dir)
    merged, origins = loader.project(options.files, env, base_dir)
    name = project_name(options, env, merged, project_dir, origins=origins)
    profiles = set(options.profiles) or {p for p in env.get("COMPOSE_PROFILES", "").split(",") if p}
    warnings.extend(unmodelled(merged))
    return predict(merged, name, profiles, options, warnings, origins=origins)

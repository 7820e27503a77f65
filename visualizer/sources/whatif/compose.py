"""`docker compose up | down` (and `docker-compose`, Compose v1), read with the compose source.

The project is predicted by `visualizer.sources.compose.load_compose`, then placed on the
engine the way Compose places it: existing networks of the same name are reused, external
ones must exist, the project's containers are (re)created and started; `down` removes the
project's containers and its networks. Compose prints the engine's messages without the
`Error response from daemon: ` prefix, and so do these refusals.
"""

from __future__ import annotations

import ipaddress
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.model import VOLUME
from visualizer.sources.compose import ComposeOptions, load_compose
from visualizer.sources.settings import ComposeNaming
from visualizer.sources.whatif import refusals
from visualizer.sources.whatif.containers import start_container
from visualizer.sources.whatif.grammar import CommandError
from visualizer.sources.whatif.mounts import volume_source
from visualizer.sources.whatif.networks import overlapping, raise_first, remove_network
from visualizer.sources.whatif.refusals import DAEMON, Refused

if TYPE_CHECKING:
    from collections.abc import Iterator

    from visualizer.model import Container, Network, Snapshot
    from visualizer.sources.whatif.grammar import Command
    from visualizer.sources.whatif.state import World

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


def up(world: World, cmd: Command, cwd: Path) -> None:
    """`docker compose up`: networks created or reused, containers (re)created and started."""
    with _compose_wording():
        project, predicted = _project(world, cmd, cwd)
        ids = {n.id: _place_network(world, n, v1=cmd.compose_v1) for n in predicted.networks}
        wanted = {c.name for c in predicted.containers}
        for c in world.local_containers():
            if c.compose_project == project and (c.name in wanted or cmd.flag("remove-orphans")):
                world.drop(c)  # recreated below (or an orphan removed)
        new_ids = {c.id: world.new_id("container", c.name) for c in predicted.containers}
        placed = [_place_container(world, c, ids, new_ids) for c in predicted.containers]
        for c in _in_start_order(placed):
            start_container(world, world.containers[c.id], created=True)


def down(world: World, cmd: Command, cwd: Path) -> None:
    """`docker compose down`: the project's containers, then its networks, removed."""
    with _compose_wording():
        project, predicted = _project(world, cmd, cwd)
        services = {c.compose_service for c in predicted.containers}
        for c in world.local_containers():
            if c.compose_project == project and (
                c.compose_service in services or cmd.flag("remove-orphans")
            ):
                world.drop(c)
        failed: list[Refused] = []
        for net in predicted.networks:
            found = next((n for n in world.local_networks() if n.name == net.name), None)
            if found is None or found.is_builtin or net.compose_project is None:
                continue  # absent, the engine's own, or external: compose leaves them
            try:
                remove_network(world, found, daemon=False)
            except Refused as exc:
                failed.append(exc)
        raise_first(failed)


@contextmanager
def _compose_wording() -> Iterator[None]:
    """Compose shows the engine's messages without the CLI's `Error response from daemon`."""
    try:
        yield
    except Refused as exc:
        exc.message = exc.message.removeprefix(DAEMON)
        exc.more = tuple(m.removeprefix(DAEMON) for m in exc.more)
        raise


def _project(world: World, cmd: Command, cwd: Path) -> tuple[str, Snapshot]:
    files = tuple(_path(cwd, f) for f in cmd.compose.get("file", ()))
    if not files:
        found = next((cwd / name for name in DEFAULT_FILES if (cwd / name).is_file()), None)
        if found is None:
            raise CommandError(f"no compose file in {cwd}: give -f FILE")
        files = (found,)
    env_file = cmd.compose.get("env-file")
    options = ComposeOptions(
        files=files,
        project_name=(cmd.compose.get("project-name") or (None,))[-1],
        profiles=cmd.compose.get("profile", ()),
        env_file=_path(cwd, env_file[-1]) if env_file else None,
        naming=ComposeNaming.V1 if cmd.compose_v1 else ComposeNaming.V2,
    )
    predicted = load_compose(options)
    projects = [c.compose_project for c in predicted.containers]
    projects += [n.compose_project for n in predicted.networks]
    project = next((p for p in projects if p), "")
    for warning in predicted.warnings:
        external = [
            n.name
            for n in predicted.networks
            if n.compose_project is None and world.network(n.name) is not None
        ]
        if not any(f"network {name!r} is external" in warning for name in external):
            world.warnings.append(f"{cmd.origin}: {warning}")
    return project, predicted


def _path(cwd: Path, text: str) -> Path:
    path = Path(text)
    return path if path.is_absolute() else cwd / path


def _place_network(world: World, net: Network, *, v1: bool) -> str:
    """The ID of the engine's network a predicted one is: the engine's own, or created."""
    if net.is_builtin:
        builtin = world.builtin(net.name)
        if builtin is None:
            raise CommandError(f"the engine has no {net.name!r} network")
        return builtin.id
    existing = next((n for n in world.local_networks() if n.name == net.name), None)
    if existing is not None:
        return existing.id
    if net.compose_project is None:  # external, and not there
        raise refusals.external_missing(net.name, v1=v1)
    pools = [ipaddress.ip_network(s.cidr, strict=False) for s in net.subnets]
    overlapping(world, pools, "local")
    made = replace(net, id=world.new_id("network", net.name), host=world.host)
    world.networks[made.id] = made
    world.user_subnet[made.id] = bool(net.subnets)
    return made.id


def _place_container(
    world: World, c: Container, ids: dict[str, str], new_ids: dict[str, str]
) -> Container:
    """A predicted container on the engine, created (not yet started)."""
    holder = next((o for o in world.local_containers() if o.name == c.name), None)
    if holder is not None:
        raise refusals.name_in_use(c.name, holder.id)
    placed = replace(
        c,
        id=new_ids[c.id],
        host=world.host,
        state="created",
        network_mode=_joined(world, c.network_mode, new_ids),
        pid_mode=_joined(world, c.pid_mode or "", new_ids),
        ipc_mode=_joined(world, c.ipc_mode or "", new_ids),
        ports=(),
        endpoints=tuple(replace(ep, network_id=ids[ep.network_id]) for ep in c.endpoints),
        mounts=tuple(
            replace(m, source=volume_source(world, m.name, world.host))
            if m.type == VOLUME and not m.anonymous and not m.source
            else m
            for m in c.mounts
        ),
    )
    facts = world.facts_of(placed.id)
    facts.exposed = tuple(p for p in c.ports if not p.published)
    for lk in c.links:
        facts.link_kinds[lk.alias] = placed.network_mode in {"default", "bridge"}
    world.put(placed)
    return placed


def _joined(world: World, mode: str, new_ids: dict[str, str]) -> str:
    """A `container:` mode naming the container the engine would resolve it to (by ID)."""
    if not mode.startswith("container:"):
        return mode
    ref = mode.removeprefix("container:")
    target = new_ids.get(ref)
    if target is None:
        found = world.container(ref)
        if found is None:
            raise refusals.no_such_container(ref)
        target = found.id
    return f"container:{target}"


def _in_start_order(placed: list[Container]) -> list[Container]:
    """Containers whose network, IPC or PID namespace another one joins start before it."""
    ids = {c.id for c in placed}
    done: list[Container] = []
    seen: set[str] = set()

    def visit(c: Container, path: frozenset[str]) -> None:
        if c.id in seen or c.id in path:
            return
        for mode in (c.network_mode, c.ipc_mode or "", c.pid_mode or ""):
            owner = mode.removeprefix("container:") if mode.startswith("container:") else None
            if owner in ids and owner != c.id:
                visit(next(o for o in placed if o.id == owner), path | {c.id})
        seen.add(c.id)
        done.append(c)

    for c in placed:
        visit(c, frozenset())
    return done

"""`docker run | stop | start | rm | rename`, with the engine's checks and refusals.

`docker run` fails in two places, as the engine does: before the container exists (options
the CLI or the engine reject, a name in use) and after it is created but while it starts
(unknown network, addresses, links to stopped containers, ports in use). In the second case
the container stays, created and not started.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.model import Container, Endpoint
from visualizer.sources.whatif import data, refusals
from visualizer.sources.whatif.grammar import CommandError
from visualizer.sources.whatif.networks import (
    addressed,
    check_address,
    cleared,
    key_values,
    new_endpoint,
    parse_link,
    raise_first,
    version,
)
from visualizer.sources.whatif.ports import check_free, in_effect, parse_expose, parse_publish
from visualizer.sources.whatif.refusals import Refused

if TYPE_CHECKING:
    from visualizer.model import Link, Network
    from visualizer.sources.whatif.grammar import Command
    from visualizer.sources.whatif.state import World

VALID_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
"""Container names the engine accepts."""
_BUILTIN_MODES = frozenset({"default", "bridge", "host", "none"})


def run(world: World, cmd: Command) -> None:
    """`docker run` (detached or not: the prediction is the state once it runs)."""
    name = cmd.value("name")
    if not name:
        raise CommandError("docker run needs --name here: the engine would pick a random name")
    networks = cmd.values("network") or ("default",)
    wanted = list(dict.fromkeys(networks))
    mode = networks[0]
    shared = mode.startswith("container:")
    aliases = cmd.values("network-alias")
    if aliases and (mode in _BUILTIN_MODES or shared):
        raise refusals.alias_on_default(run=True)
    publish = [p for spec in cmd.values("publish") for p in parse_publish(spec)]
    links = [parse_link(text) for text in cmd.values("link")]
    if shared and publish:
        raise refusals.ports_with_container_mode()
    if shared and links:
        raise refusals.links_with_container_mode()
    plan = data.read(world, cmd)
    cap_add = tuple(data.capability(c) for c in cmd.values("cap-add"))
    data.check_capabilities("CapAdd", cap_add)
    engine = world.snapshot.engine_of(world.host)
    api = version(engine.api_version)
    if len(wanted) > 1 and api and api < (1, 44):  # an unknown version (a compose source) allows it
        raise refusals.several_networks(list(networks))
    if not VALID_NAME.match(name):
        raise refusals.invalid_name(name)
    holder = next((c for c in world.local_containers() if c.name == name), None)
    if holder is not None:
        raise refusals.name_in_use(name, holder.id)
    mounts = data.place(world, plan)
    legacy = mode in {"default", "bridge"}
    if legacy:
        for lk in links:
            if world.container(lk.target) is None:
                raise refusals.link_target_missing(lk.target)
    cid = world.new_id("container", name)
    if mode == "host" and publish:
        publish = []  # the CLI discards them, with a warning
        world.warnings.append(f"{cmd.origin}: published ports are discarded in host mode")
    exposed = [p for spec in cmd.values("expose") for p in parse_expose(spec)]
    facts = world.facts_of(cid)
    facts.autoremove = cmd.flag("rm")
    bound = {(p.container_port, p.protocol) for p in publish}
    facts.exposed = tuple(
        dict.fromkeys(p for p in exposed if (p.container_port, p.protocol) not in bound)
    )
    created = Container(
        id=cid,
        name=name,
        image=cmd.args[0],
        state="created",
        network_mode=mode,
        labels=key_values(cmd.values("label"), "--label"),
        links=tuple(_resolved(world, lk) if legacy else lk for lk in links),
        hostname=cmd.value("hostname") or (engine.name if mode == "host" else cid[:12]),
        privileged=cmd.flag("privileged"),
        cap_add=cap_add,
        sysctls=key_values(cmd.values("sysctl"), "--sysctl"),
        requested_ports=tuple(publish),
    )
    created = data.applied(created, plan, mounts)
    for lk in links:
        facts.link_kinds[lk.alias] = legacy
    nets = [] if shared else [_network(world, ref) for ref in wanted]
    world.put(
        replace(
            created, endpoints=tuple(new_endpoint(world, created, n, aliases) for n in nets if n)
        )
    )
    missing = next((ref for ref, n in zip(wanted, nets, strict=False) if not n), None)
    if missing is not None:
        raise refusals.network_not_found(missing, created=True)
    ip, ip6 = cmd.value("ip"), cmd.value("ip6")
    for net in nets if (ip or ip6) else ():
        if net is not None:
            check_address(world, net, ip, ip6, created=True)
            facts.static[net.id] = (ip, ip6)
    start_container(world, world.containers[cid], created=True)


def _network(world: World, ref: str) -> Network | None:
    if ref in {"default", "bridge", "host", "none"}:
        return world.builtin("bridge" if ref == "default" else ref)
    return world.network(ref)


def _resolved(world: World, lk: Link) -> Link:
    """A legacy link names its target by name, however it was given."""
    target = world.container(lk.target)
    return replace(lk, target=target.name) if target is not None else lk


def stop(world: World, cmd: Command) -> None:
    """`docker stop`: each container in turn (`--rm` ones are removed)."""
    failed: list[Refused] = []
    for ref in cmd.args:
        c = world.container(ref)
        if c is None:
            failed.append(refusals.no_such_container(ref))
            continue
        if not c.is_running:
            continue
        if world.facts_of(c.id).autoremove:
            world.drop(c)
            continue
        world.put(
            replace(
                c,
                state="exited",
                ports=(),
                endpoints=tuple(cleared(ep) for ep in c.endpoints),
            )
        )
    raise_first(failed)


def start(world: World, cmd: Command) -> None:
    """`docker start`: each container in turn."""
    failed: list[Refused] = []
    for ref in cmd.args:
        c = world.container(ref)
        try:
            if c is None:
                raise refusals.no_such_container(ref)
            if not c.is_running:
                start_container(world, c)
        except Refused as exc:
            failed.append(exc)
    raise_first(failed)


def start_container(world: World, c: Container, *, created: bool = False) -> None:
    """Start a container: what blocks it, then its addresses and ports."""
    facts = world.facts_of(c.id)
    if facts.dangling:
        raise refusals.network_not_found(facts.dangling[0], created=created)
    if c.netns_target is not None:
        owner = world.container(c.netns_target)
        if owner is None:
            raise refusals.no_such_container(c.netns_target, created=created)
        if not owner.is_running:
            raise refusals.owner_stopped(owner.id, created=created)
        c = replace(c, network_mode=f"container:{owner.id}")
        world.put(c)
    for net in (world.networks.get(ep.network_id) for ep in c.endpoints):
        if net is not None and net.driver == "overlay" and not net.attachable:
            raise refusals.not_attachable(net.name, created=created)
    for lk in c.links:
        if world.legacy(c, lk.alias):
            target = world.container(lk.target)
            if target is None:
                continue
            if not any(_on_default_bridge(world, ep) for ep in target.endpoints):
                raise refusals.link_off_default(target.name, created=created)
            if not target.is_running:
                raise refusals.link_target_stopped(lk.target, c.name, lk.alias, created=created)
    running = replace(c, state="running")
    running = replace(
        running,
        endpoints=tuple(_up(world, ep, facts.static.get(ep.network_id)) for ep in c.endpoints),
    )
    if c.requested_ports is None:
        world.warnings.append(
            f"container {c.name!r}: its port bindings are unknown (the source was not "
            "inspected), so its published ports are not predicted"
        )
    running = replace(running, ports=in_effect(world, running))
    check_free(world, running, world.new_id("endpoint", c.name), created=created)
    data.check_start(world, running, created=created)
    world.put(running)


def _on_default_bridge(world: World, ep: Endpoint) -> bool:
    net = world.networks.get(ep.network_id)
    return net is not None and net.is_default_bridge


def _up(world: World, ep: Endpoint, static: tuple[str | None, str | None] | None) -> Endpoint:
    net = world.networks.get(ep.network_id)
    return addressed(ep, net, static or (None, None)) if net is not None else ep


def remove(world: World, cmd: Command) -> None:
    """`docker rm`: each container in turn."""
    failed: list[Refused] = []
    for ref in cmd.args:
        c = world.container(ref)
        if c is None:
            failed.append(refusals.no_such_container(ref))
        elif c.is_running and not cmd.flag("force"):
            failed.append(refusals.remove_running(c.id))
        else:
            world.drop(c)
    raise_first(failed)


def rename(world: World, cmd: Command) -> None:
    """`docker rename`: legacy links follow the new name; links on user networks do not."""
    ref, new = cmd.args
    c = world.container(ref)
    if c is None:
        raise refusals.no_such_container(ref)
    if new == c.name:
        raise refusals.same_name()
    if not VALID_NAME.match(new):
        raise refusals.invalid_name(new, rename=True)
    holder = next((o for o in world.local_containers() if o.name == new), None)
    if holder is not None:
        raise refusals.name_in_use(new, holder.id, rename=True)
    world.put(replace(c, name=new))
    for other in list(world.containers.values()):
        moved = tuple(
            replace(lk, target=new) if lk.target == c.name and world.legacy(other, lk.alias) else lk
            for lk in other.links
        )
        if moved != other.links:
            world.put(replace(other, links=moved))

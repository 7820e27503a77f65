"""What a compose service holds besides its networks: mounts, namespaces and privileges.

`volumes:` in short (`[SOURCE:]TARGET[:MODE]`) and long syntax, named volumes (prefixed with
the project unless `name:` or `external:`), anonymous volumes, binds (relative to the project
directory, `~` expanded), `type: tmpfs` and `type: npipe`; `volumes_from` (`service:` and
`container:` forms, `:ro`), whose mounts the container inherits; `pid`, `ipc`, `uts`,
`userns_mode`, `cgroup`, `cap_drop`, `devices`, `security_opt` and `read_only`. The engine's
container list does not show the `tmpfs:` key (it is private to the container, like any tmpfs),
so neither does the prediction.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.model import BIND, NPIPE, TMPFS, VOLUME, Device, Mount
from visualizer.sources.compose.merge import declared_name

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from visualizer.model import Container
    from visualizer.sources.compose.project import Origins

MODES = frozenset({"ro", "rw", "z", "Z", "nocopy", "consistent", "cached", "delegated"})
PROPAGATIONS = frozenset({"shared", "rshared", "slave", "rslave", "private", "rprivate"})
DEFAULT_BIND_PROPAGATION = "rprivate"
"""What the engine reports for a bind given no propagation."""


def engine_security_opt(
    given: tuple[str, ...], *, privileged: bool, pid_mode: str, ipc_mode: str
) -> tuple[str, ...]:
    """The security options as the engine stores them (`label=disable` added where it adds it).

    The engine adds it to a container in the host's PID or IPC namespace, or privileged,
    unless a `label=` option is given (`label:…` does not count).
    """
    if any(opt.split("=", 1)[0] == "label" for opt in given):
        return given
    if privileged or "host" in {pid_mode, ipc_mode}:
        return (*given, "label=disable")
    return given


def _ident(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()


def with_data(
    containers: list[Container],
    services: Mapping[str, dict[str, Any]],
    merged: Mapping[str, Any],
    *,
    project: str,
    names: Mapping[str, list[str]],
    project_dir: Path,
    warnings: list[str],
    origins: Origins,
) -> list[Container]:
    """The containers with their mounts, namespaces and privileges as the engine would report.

    An error names the file:line:col of the value it is about.
    """
    declared = {str(k): (v or {}) for k, v in (merged.get("volumes") or {}).items()}
    volumes = {key: _volume(key, spec, project, warnings) for key, spec in declared.items()}
    first = {service: found[0] for service, found in names.items() if found}
    done: list[Container] = []
    for c in containers:
        service = c.compose_service or ""
        svc = services.get(service, {})

        def at(*path: str | int, service: str = service) -> str:
            return f"{origins.service(service, *path)}: service {service!r}"

        mounts = tuple(
            _mount(entry, at("volumes", i), volumes, project_dir, c.name)
            for i, entry in enumerate(svc.get("volumes") or [])
        )
        done.append(
            replace(
                c,
                mounts=mounts,
                volumes_from=tuple(
                    _volumes_from(svc.get("volumes_from") or [], at("volumes_from"), first)
                ),
                pid_mode=_mode(svc.get("pid"), "pid", at("pid"), first, project),
                ipc_mode=_mode(svc.get("ipc"), "ipc", at("ipc"), first, project),
                uts_mode=str(svc.get("uts") or ""),
                userns_mode=str(svc.get("userns_mode") or ""),
                cgroupns_mode=str(svc.get("cgroup") or ""),
                cap_drop=tuple(str(cap) for cap in svc.get("cap_drop") or []),
                devices=tuple(
                    _device(entry, at("devices", i))
                    for i, entry in enumerate(svc.get("devices") or [])
                ),
                security_opt=engine_security_opt(
                    tuple(str(opt) for opt in svc.get("security_opt") or []),
                    privileged=bool(c.privileged),
                    pid_mode=str(svc.get("pid") or ""),
                    ipc_mode=str(svc.get("ipc") or ""),
                ),
                read_only_rootfs=svc.get("read_only") is True,
            )
        )
    return _inherit(done)


def _volume(key: str, spec: Any, project: str, warnings: list[str]) -> tuple[str, str]:  # noqa: ANN401
    """A declared volume's engine name and driver."""
    spec = spec if isinstance(spec, dict) else {}
    name, external = declared_name(key, spec, project)
    if external:
        warnings.append(
            f"volume {name!r} is external: its driver and contents are not in the compose "
            "files; predicted as a local volume of that name"
        )
    return name, str(spec.get("driver") or "local")


def _mount(
    entry: Any,  # noqa: ANN401
    where: str,
    volumes: Mapping[str, tuple[str, str]],
    project_dir: Path,
    container: str,
) -> Mount:
    if isinstance(entry, dict):
        kind = str(entry.get("type") or VOLUME)
        target = str(entry.get("target") or "")
        source = str(entry.get("source") or "")
        rw = entry.get("read_only") is not True
        bind = entry.get("bind")
        propagation = str(bind.get("propagation") or "") if isinstance(bind, dict) else ""
    else:
        source, target, options = _short(str(entry), where)
        kind = (VOLUME if not _is_path(source) else BIND) if source else VOLUME
        rw = "ro" not in options
        propagation = next((o for o in options if o in PROPAGATIONS), "")
    if not target.startswith("/") and kind != NPIPE:
        raise InputError(f"{where}: volume target {target!r} must be an absolute path")
    if kind == VOLUME:
        if not source:  # anonymous: the engine names it by 64 hex digits
            return Mount(
                type=VOLUME,
                destination=target,
                name=_ident(container, target),
                driver="local",
                rw=rw,
            )
        if source not in volumes:
            raise InputError(f"{where} refers to undefined volume {source!r}")
        name, driver = volumes[source]
        return Mount(type=VOLUME, destination=target, name=name, driver=driver, rw=rw)
    if kind in {BIND, NPIPE}:
        if not source:
            raise InputError(f"{where}: a {kind} mount needs a source")
        path = _host_path(source, project_dir) if kind == BIND else source
        return Mount(
            type=kind,
            destination=target,
            source=path,
            rw=rw,
            propagation=(propagation or DEFAULT_BIND_PROPAGATION) if kind == BIND else "",
        )
    if kind == TMPFS:
        return Mount(type=TMPFS, destination=target)
    return Mount(type=kind, destination=target, source=source, rw=rw)


def _short(text: str, where: str) -> tuple[str, str, list[str]]:
    """`[SOURCE:]TARGET[:MODE]` → source, target, mode options."""
    parts = text.split(":")
    if len(parts) == 1:
        return "", parts[0], []
    if len(parts) == 2:  # noqa: PLR2004
        if parts[1].startswith("/"):
            return parts[0], parts[1], []
        if all(o in MODES | PROPAGATIONS for o in parts[1].split(",")):
            return "", parts[0], parts[1].split(",")  # an anonymous volume with a mode
        raise InputError(f"{where}: cannot read volume {text!r}")
    if len(parts) == 3:  # noqa: PLR2004
        options = parts[2].split(",")
        bad = [o for o in options if o not in MODES | PROPAGATIONS]
        if bad:
            raise InputError(f"{where}: volume {text!r} has unknown mode {bad[0]!r}")
        return parts[0], parts[1], options
    raise InputError(f"{where}: cannot read volume {text!r}")


def _is_path(source: str) -> bool:
    return source.startswith(("/", ".", "~"))


def _host_path(source: str, project_dir: Path) -> str:
    path = os.path.expanduser(source) if source.startswith("~") else source  # noqa: PTH111
    return os.path.normpath(project_dir / path) if not path.startswith("/") else path


def _volumes_from(entries: list[Any], where: str, first: Mapping[str, str]) -> list[str]:
    found = []
    for entry in entries:
        text = str(entry)
        if text.startswith("container:"):
            found.append(text.removeprefix("container:"))
            continue
        service, sep, mode = text.partition(":")
        if service not in first:
            raise InputError(f"{where}: volumes_from names unknown or disabled service {service!r}")
        found.append(first[service] + (sep + mode if sep else ""))
    return found


def _mode(
    value: Any,  # noqa: ANN401
    what: str,
    where: str,
    first: Mapping[str, str],
    project: str,
) -> str:
    """`pid` / `ipc`: `host`, `shareable`, … as given; `service:X` becomes `container:<id>`."""
    text = str(value or "")
    if text.startswith("service:"):
        service = text.removeprefix("service:")
        if service not in first:
            raise InputError(f"{where}: {what} names unknown or disabled service {service!r}")
        return f"container:{_ident(project, 'container', first[service])}"
    return text


def _device(entry: Any, where: str) -> Device:  # noqa: ANN401
    if isinstance(entry, dict):
        source = str(entry.get("source") or "")
        return Device(
            host_path=source,
            container_path=str(entry.get("target") or source),
            permissions=str(entry.get("permissions") or "rwm"),
        )
    parts = str(entry).split(":")
    if not parts[0] or len(parts) > 3:  # noqa: PLR2004
        raise InputError(f"{where}: cannot read device {entry!r}")
    return Device(
        host_path=parts[0],
        container_path=parts[1] if len(parts) > 1 and parts[1] else parts[0],
        permissions=parts[2] if len(parts) > 2 else "rwm",  # noqa: PLR2004
    )


def _inherit(containers: list[Container]) -> list[Container]:
    """`volumes_from`: each container also mounts its sources' volumes and binds.

    `:ro` makes them read-only, as the engine lists them; its own mounts win on the same
    destination.
    """
    by_ref = {c.name: c for c in containers} | {c.id: c for c in containers}
    done: dict[str, tuple[Mount, ...]] = {}

    def mounts_of(c: Container, seen: frozenset[str]) -> tuple[Mount, ...]:
        if c.id in done:
            return done[c.id]
        mounts = {m.destination: m for m in c.mounts}
        for entry in c.volumes_from or ():
            ref, _, mode = entry.partition(":")
            source = by_ref.get(ref)
            if source is None or source.id in seen:
                continue
            for m in mounts_of(source, seen | {c.id}):
                if m.type != TMPFS and m.destination not in mounts:
                    mounts[m.destination] = replace(m, rw=m.rw and mode != "ro")
        done[c.id] = tuple(mounts.values())
        return done[c.id]

    return [replace(c, mounts=mounts_of(c, frozenset({c.id}))) for c in containers]

"""The live engine source: the only module that imports the Docker SDK.

A capture makes a constant number of requests whatever the number of containers:
`GET /version` (to negotiate the API version), then `GET /info`, `GET /networks` and
`GET /containers/json?all=1` in parallel; a swarm manager adds `GET /nodes`, `/services` and
`/tasks`. Only `inspect=True` adds one `GET /containers/{id}/json` per container, for facts
that exist nowhere else. Several engines are captured in parallel and merged.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError, UsageError
from visualizer.sources import contexts
from visualizer.sources.parse import RawCapture, parse_capture

if TYPE_CHECKING:
    from visualizer.model import Snapshot

MIN_API_VERSION = "1.24"
"""Oldest Engine API this tool reads (Docker 1.12): networks report `Internal` and `EnableIPv6`."""
MAX_API_VERSION = "1.51"
"""Newest Engine API whose payloads this tool was written against; newer engines are asked
for this version (engines serve older versions unchanged)."""
DEFAULT_HOST = "unix:///var/run/docker.sock"
INSPECT_WORKERS = 8

ProgressCallback = Callable[[int, int], None]
"""Called with (done, total) while containers are inspected."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineTarget:
    """Which engine to talk to, resolved like the docker CLI resolves `-H` and `-c`."""

    host: str | None = None
    """`-H/--host`: a daemon socket URL (`unix://`, `tcp://`, `ssh://`)."""
    context: str | None = None
    """`-c/--context`: the name of a Docker context."""
    timeout: float = 30.0
    """Seconds to wait for each API answer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """A resolved engine address and its TLS settings."""

    base_url: str
    tls: Any = None
    label: str = ""


def resolve(target: EngineTarget, environ: Mapping[str, str] | None = None) -> Connection:
    """Resolve the engine like the docker CLI: `-H`, `-c`, `DOCKER_HOST`, then the context."""
    from docker.errors import DockerException  # noqa: PLC0415 - the SDK loads only when needed
    from docker.utils import kwargs_from_env  # noqa: PLC0415

    env = dict(os.environ if environ is None else environ)
    if target.host and target.context:
        raise UsageError("conflicting options: either specify --host or --context, not both")
    name = target.context
    if target.host:
        env["DOCKER_HOST"] = target.host
    elif name is None and not env.get("DOCKER_HOST"):
        name = contexts.current_context(env)
    try:
        if name is None or name == "default":
            kwargs = kwargs_from_env(environment=env)
            url = kwargs.get("base_url") or DEFAULT_HOST
            return Connection(base_url=url, tls=kwargs.get("tls"), label=url)
        ctx = contexts.load_context(name, env)
        return Connection(
            base_url=ctx.host, tls=_context_tls(ctx), label=f"context {name} ({ctx.host})"
        )
    except DockerException as exc:
        raise EngineError(f"cannot use the Docker settings: {_one_line(exc)}") from None


def _context_tls(ctx: contexts.ContextEndpoint) -> Any:  # noqa: ANN401 - docker.tls.TLSConfig
    if ctx.ca_cert is None and ctx.client_cert is None:
        return None
    from docker.tls import TLSConfig  # noqa: PLC0415

    cert = (str(ctx.client_cert[0]), str(ctx.client_cert[1])) if ctx.client_cert else None
    return TLSConfig(
        client_cert=cert,
        ca_cert=str(ctx.ca_cert) if ctx.ca_cert else None,
        verify=not ctx.skip_tls_verify,
    )


def capture(
    target: EngineTarget,
    *,
    inspect: bool = False,
    progress: ProgressCallback | None = None,
    environ: Mapping[str, str] | None = None,
) -> RawCapture:
    """Ask the engine for everything a snapshot holds, in a constant number of requests."""
    conn = resolve(target, environ)
    with _translated(conn):
        client, version = _connect(conn, target.timeout)
        captured_at = datetime.now(UTC).isoformat(timespec="seconds")
        with closing(client), ThreadPoolExecutor(max_workers=3) as pool:
            info_f = pool.submit(client.info)
            networks_f = pool.submit(client.networks)
            containers_f = pool.submit(client.containers, all=True)
            info, networks, containers = info_f.result(), networks_f.result(), containers_f.result()
            nodes = services = tasks = None
            if _is_manager(info):  # the swarm, in three more requests
                nodes_f = pool.submit(client.nodes)
                services_f = pool.submit(client.services)
                tasks_f = pool.submit(client.tasks)
                nodes, services, tasks = nodes_f.result(), services_f.result(), tasks_f.result()
            inspected = None
            warnings: list[str] = []
            if inspect and isinstance(containers, list):
                inspected = _inspect_all(client, containers, warnings, progress)
    return RawCapture(
        version=version,
        info=info,
        networks=networks,
        containers=containers,
        inspected=inspected,
        nodes=nodes,
        services=services,
        tasks=tasks,
        source=f"engine {conn.label}",
        captured_at=captured_at,
        warnings=tuple(warnings),
    )


def load_many(
    targets: list[EngineTarget],
    *,
    inspect: bool = False,
) -> Snapshot:
    """Capture several engines in parallel into one snapshot with a host dimension.

    An engine that cannot be reached is reported (a warning, and a host with its error) and
    the others are still merged; only when none answers is it an error.
    """
    from visualizer.sources.merge import merge  # noqa: PLC0415

    def one(target: EngineTarget) -> tuple[str, Snapshot | None, str | None]:
        label = target.host or (f"context {target.context}" if target.context else "default engine")
        try:
            return label, load_live(target, inspect=inspect), None
        except EngineError as exc:
            return label, None, str(exc)

    with ThreadPoolExecutor(max_workers=min(len(targets), 16)) as pool:
        results = list(pool.map(one, targets))
    if all(snap is None for _, snap, _ in results):
        raise EngineError(f"no engine could be captured: {results[0][2]}")
    return merge(results)


def _is_manager(info: Any) -> bool:  # noqa: ANN401 - the raw /info answer
    swarm = info.get("Swarm") if isinstance(info, dict) else None
    return isinstance(swarm, dict) and swarm.get("ControlAvailable") is True


def load_live(
    target: EngineTarget,
    *,
    inspect: bool = False,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Capture a live engine and parse it into a snapshot."""
    return parse_capture(capture(target, inspect=inspect, progress=progress))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecResult:
    """What one command run inside a container returned."""

    exit_code: int | None
    """The command's exit code; `None` when it could not run at all."""
    output: str = ""
    """stdout and stderr together."""
    error: str = ""
    """Why the command could not run (container stopped, removed, no such program)."""


def exec_commands(
    target: EngineTarget,
    jobs: list[tuple[str, list[str]]],
    *,
    parallel: int = 8,
    progress: ProgressCallback | None = None,
) -> list[ExecResult]:
    """Run `argv` in each container `(container_id, argv)`, several at a time.

    The only code in netviz that changes anything on an engine: it creates exec instances.
    Only `netviz probe` calls it.
    """
    conn = resolve(target)
    with _translated(conn):
        client, _ = _connect(conn, target.timeout)
        with closing(client):

            def one(job: tuple[str, list[str]]) -> ExecResult:
                return _exec_one(client, job[0], job[1])

            results: list[ExecResult] = []
            with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
                for done, result in enumerate(pool.map(one, jobs), start=1):
                    results.append(result)
                    if progress is not None:
                        progress(done, len(jobs))
    return results


def _exec_one(client: Any, container_id: str, argv: list[str]) -> ExecResult:  # noqa: ANN401
    from docker.errors import APIError  # noqa: PLC0415

    try:
        created = client.exec_create(container_id, argv, stdout=True, stderr=True)
        raw = client.exec_start(created["Id"])
        code = client.exec_inspect(created["Id"]).get("ExitCode")
    except APIError as exc:
        return ExecResult(exit_code=None, error=_explanation(exc))
    output = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return ExecResult(exit_code=code if isinstance(code, int) else None, output=output)


WATCHED_ACTIONS = {
    "container": frozenset(
        {"create", "start", "die", "stop", "destroy", "rename", "pause", "unpause"}
    ),
    "network": frozenset({"create", "destroy", "remove", "connect", "disconnect"}),
}


def follow_events(target: EngineTarget, on_event: Callable[[str], None]) -> None:
    """Follow `GET /events` for container and network changes, calling `on_event` for each.

    `on_event` gets a short description; this returns when the stream ends and raises
    `EngineError` when it breaks.
    """
    conn = resolve(target)
    with _translated(conn):
        client, _ = _connect(conn, target.timeout)
        with closing(client):
            stream = client.events(decode=True, filters={"type": ["container", "network"]})
            for event in stream:
                if not isinstance(event, dict):
                    continue
                kind = str(event.get("Type", ""))
                action = str(event.get("Action", "")).split(":")[0]
                if action in WATCHED_ACTIONS.get(kind, ()):
                    actor: dict[str, Any] = event.get("Actor") or {}
                    attrs: dict[str, Any] = actor.get("Attributes") or {}
                    name = attrs.get("name") or str(actor.get("ID", ""))[:12]
                    on_event(f"{kind} {action} {name}")


def _connect(conn: Connection, timeout: float) -> tuple[Any, dict[str, Any]]:
    """A client speaking min(engine, netviz) API version, and the engine's `GET /version`.

    `/version` is the one answer every Docker engine gives whatever its API version; the
    client is created for the oldest version we read, then switched to the negotiated one
    (what the SDK's own `version="auto"` does, without a second client).
    """
    import requests  # noqa: PLC0415
    from docker.errors import APIError  # noqa: PLC0415

    client = _client(conn, MIN_API_VERSION, timeout)
    try:
        version = client.version(api_version=False)
    except (APIError, requests.exceptions.JSONDecodeError) as exc:
        client.close()
        raise EngineError(f"{conn.label} does not look like a Docker engine ({exc})") from None
    if not isinstance(version, dict) or "ApiVersion" not in version:
        client.close()
        raise EngineError(f"{conn.label} does not look like a Docker engine (no ApiVersion)")
    server_api = str(version["ApiVersion"])
    if _vkey(server_api) < _vkey(MIN_API_VERSION):
        client.close()
        raise EngineError(
            f"the engine at {conn.label} speaks API {server_api}; "
            f"netviz needs {MIN_API_VERSION} or newer"
        )
    client._version = min(server_api, MAX_API_VERSION, key=_vkey)  # noqa: SLF001
    return client, version


def _inspect_all(
    client: Any,  # noqa: ANN401 - docker.APIClient, untyped
    containers: list[Any],
    warnings: list[str],
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    from docker.errors import NotFound  # noqa: PLC0415

    ids = [c["Id"] for c in containers if isinstance(c, dict) and isinstance(c.get("Id"), str)]

    def one(cid: str) -> tuple[str, Any]:
        try:
            return cid, client.inspect_container(cid)
        except NotFound:
            return cid, None

    found: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=INSPECT_WORKERS) as pool:
        for done, (cid, detail) in enumerate(pool.map(one, ids), start=1):
            if detail is None:
                warnings.append(f"container {cid[:12]} was removed during the capture; skipped")
            else:
                found[cid] = detail
            if progress is not None:
                progress(done, len(ids))
    return found


def _client(conn: Connection, version: str, timeout: float) -> Any:  # noqa: ANN401
    import docker  # noqa: PLC0415

    return docker.APIClient(
        base_url=conn.base_url,
        version=version,
        timeout=timeout,
        tls=conn.tls or False,
        use_ssh_client=conn.base_url.startswith("ssh://"),
    )


def _vkey(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


@contextmanager
def _translated(conn: Connection) -> Iterator[None]:
    """Turn SDK, HTTP and socket failures into one-line `EngineError`s."""
    import requests  # noqa: PLC0415
    from docker.errors import APIError, DockerException  # noqa: PLC0415

    where = conn.label
    try:
        yield
    except APIError as exc:
        status = exc.status_code or "an error"
        raise EngineError(f"the engine at {where} answered {status}: {_explanation(exc)}") from None
    except requests.exceptions.Timeout:
        raise EngineError(
            f"the engine at {where} did not answer in time (raise --timeout if it is slow)"
        ) from None
    except requests.exceptions.JSONDecodeError as exc:  # something else listens there
        raise EngineError(f"{where} does not look like a Docker engine ({exc})") from None
    except requests.exceptions.SSLError as exc:
        raise EngineError(f"TLS handshake with {where} failed: {_root_cause(exc)}") from None
    except requests.exceptions.ConnectionError as exc:
        raise EngineError(_connection_message(where, exc)) from None
    except requests.exceptions.RequestException as exc:
        raise EngineError(f"cannot talk to the engine at {where}: {_root_cause(exc)}") from None
    except DockerException as exc:
        raise EngineError(f"cannot connect to {where}: {_one_line(exc)}") from None
    except (ssl.SSLError, OSError) as exc:
        raise EngineError(_connection_message(where, exc)) from None


def _connection_message(where: str, exc: BaseException) -> str:
    cause = _root(exc)
    if isinstance(cause, FileNotFoundError):
        return (
            f"cannot connect to the Docker engine at {where}: no such socket (is dockerd running?)"
        )
    if isinstance(cause, PermissionError):
        return (
            f"permission denied connecting to the Docker engine at {where} "
            "(add your user to the 'docker' group, or run with sudo)"
        )
    if isinstance(cause, ConnectionRefusedError):
        return f"cannot connect to the Docker engine at {where}: connection refused"
    if isinstance(cause, socket.gaierror):
        return f"cannot connect to the Docker engine at {where}: unknown host"
    return f"cannot connect to the Docker engine at {where}: {_one_line(cause)}"


def _root(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None and exc.args and isinstance(exc.args[0], BaseException):
            nxt = exc.args[0]
        if nxt is None and len(exc.args) > 1 and isinstance(exc.args[1], BaseException):
            nxt = exc.args[1]
        if nxt is None:
            break
        exc = nxt
    return exc


def _root_cause(exc: BaseException) -> str:
    return _one_line(_root(exc))


def _explanation(exc: Any) -> str:  # noqa: ANN401 - docker.errors.APIError
    return _one_line(exc.explanation or exc)


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:300] or type(value).__name__

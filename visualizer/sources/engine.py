"""The live engine source: the only module that imports the Docker SDK.

A capture makes a constant number of requests whatever the number of containers:
`GET /version` (to negotiate the API version), then `GET /info`, `GET /networks` and
`GET /containers/json?all=1` in parallel; a swarm manager adds `GET /nodes`, `/services` and
`/tasks`. Only `inspect=True` adds one `GET /containers/{id}/json` per container, for facts
that exist nowhere else. Several engines are captured in parallel and merged.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError, InputError, UsageError, VisualizerError
from visualizer.sources import contexts
from visualizer.sources.parse import RawCapture, containers_to_inspect, is_podman, parse_capture
from visualizer.sources.transport import Address, TLSSettings, TransportError, parse_address

if TYPE_CHECKING:
    from visualizer.model import Snapshot

MIN_API_VERSION = "1.24"
"""Oldest Engine API this tool reads (Docker 1.12): networks report `Internal` and `EnableIPv6`."""
MAX_API_VERSION = "1.51"
"""Newest Engine API whose payloads this tool was written against; newer engines are asked
for this version (engines serve older versions unchanged)."""
DEFAULT_HOST = "unix:///var/run/docker.sock"
INSPECT_WORKERS = 8
"""Requests in flight at once to one engine (the connection pool's size): enough to hide a
slow link's latency, few enough not to load the engine."""
SSH_WORKERS = 4
"""The same over ssh, where each pooled connection is one ssh session."""
MAX_TIMEOUT = 86400.0
"""The longest `--timeout` accepted (one day)."""

ProgressCallback = Callable[[int, int], None]
"""Called with (done, total) while containers are inspected."""


class Inspect(Enum):
    """Which containers a capture inspects one by one (`GET /containers/{id}/json`)."""

    NEEDED = "needed"
    """Only those whose inspect-only facts can change a verdict or a finding: containers on
    several networks, whose capabilities decide A12. The others keep `None` for what only an
    inspect knows (aliases, host name, capabilities), and the audit says so."""
    ALL = "all"
    """Every container: aliases, host names, capabilities and requested ports of all."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineTarget:
    """Which engine to talk to, resolved like the docker CLI resolves `-H` and `-c`."""

    host: str | None = None
    """`-H/--host`: a daemon socket URL (`unix://`, `tcp://`, `ssh://`)."""
    context: str | None = None
    """`-c/--context`: the name of a Docker context."""
    timeout: float = 30.0
    """Seconds an answer may take, whole (a deadline per request, not per socket read)."""
    problem: str | None = None
    """Why this target cannot be used at all (a context whose files are unreadable, found by
    `--all-contexts`); it is then reported like an engine that cannot be reached."""

    def __post_init__(self) -> None:
        """Refuse a timeout that is not a positive number and a malformed `-H` (exit 2)."""
        t = self.timeout
        if (
            isinstance(t, bool)
            or not isinstance(t, int | float)
            or not math.isfinite(t)
            or not 0 < t <= MAX_TIMEOUT
        ):
            raise UsageError(
                f"invalid --timeout {t!r}: give a number of seconds above 0 and at most "
                f"{MAX_TIMEOUT:g}"
            )
        if self.host is not None:
            parse_address(self.host)

    @property
    def label(self) -> str:
        """How the target is named in messages."""
        return self.host or (f"context {self.context}" if self.context else "default engine")


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """A resolved engine address and its TLS settings."""

    address: Address
    tls: TLSSettings | None = None
    label: str = ""

    @property
    def base_url(self) -> str:
        """The engine URL."""
        return self.address.url


def resolve(target: EngineTarget, environ: Mapping[str, str] | None = None) -> Connection:
    """Resolve the engine like the docker CLI: `-H`, `-c`, `DOCKER_HOST`, then the context."""
    env = dict(os.environ if environ is None else environ)
    if target.host and target.context:
        raise UsageError("conflicting options: either specify --host or --context, not both")
    name = target.context
    if target.host:
        env["DOCKER_HOST"] = target.host
    elif name is None and not env.get("DOCKER_HOST"):
        name = contexts.current_context(env)
    if name is None or name == "default":
        url = env.get("DOCKER_HOST") or DEFAULT_HOST
        tls = _env_tls(env)
        address = parse_address(url, tls=tls is not None)
        return Connection(address=address, tls=tls if address.scheme == "tcp" else None, label=url)
    ctx = contexts.load_context(name, env)
    try:
        address = parse_address(ctx.host, tls=ctx.uses_tls)
    except UsageError as exc:
        raise InputError(f"Docker context {name!r}: {exc}") from None
    tls = None
    if ctx.uses_tls and address.scheme == "tcp":
        tls = TLSSettings(
            ca_cert=ctx.ca_cert, client_cert=ctx.client_cert, verify=not ctx.skip_tls_verify
        )
    return Connection(address=address, tls=tls, label=f"context {name} ({ctx.host})")


def _env_tls(env: Mapping[str, str]) -> TLSSettings | None:
    """TLS from `DOCKER_TLS_VERIFY`, `DOCKER_TLS` and `DOCKER_CERT_PATH`, as the CLI reads them.

    Any non-empty value of the first two turns TLS on; the files default to `$DOCKER_CONFIG`.
    """
    verify = bool(env.get("DOCKER_TLS_VERIFY"))
    if not verify and not env.get("DOCKER_TLS"):
        return None
    base = (
        Path(env["DOCKER_CERT_PATH"]) if env.get("DOCKER_CERT_PATH") else contexts.config_dir(env)
    )
    ca, cert, key = base / "ca.pem", base / "cert.pem", base / "key.pem"
    if verify and not ca.is_file():
        raise EngineError(
            f"cannot use the Docker settings: DOCKER_TLS_VERIFY is set but there is no CA "
            f"certificate {ca} "
            "(set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem)"
        )
    return TLSSettings(
        ca_cert=ca if ca.is_file() else None,
        client_cert=(cert, key) if cert.is_file() and key.is_file() else None,
        verify=verify,
    )


def context_targets(
    timeout: float = 30.0, environ: Mapping[str, str] | None = None
) -> list[EngineTarget]:
    """A target for every context the docker CLI knows (`--all-contexts`).

    A context whose files cannot be read becomes a target with a `problem`, reported like an
    engine that cannot be reached, so one broken context does not stop the others.
    """
    found = []
    for name, problem in contexts.scan(environ):
        found.append(EngineTarget(context=name, timeout=timeout, problem=problem))
    return found


def capture(
    target: EngineTarget,
    *,
    inspect: bool | Inspect = False,
    progress: ProgressCallback | None = None,
    environ: Mapping[str, str] | None = None,
) -> RawCapture:
    """Ask the engine for everything a snapshot holds, in a constant number of requests.

    `inspect` adds one request per container: every one (`True`, `Inspect.ALL`) or only those
    whose facts can change a verdict or a finding (`Inspect.NEEDED`).
    """
    if target.problem:
        raise EngineError(target.problem)
    conn = resolve(target, environ)
    mode = Inspect.ALL if inspect is True else inspect or None
    with _translated(conn):
        client, version = _connect(conn, target.timeout)
        captured_at = datetime.now(UTC).isoformat(timespec="seconds")
        t = target.timeout
        with closing(client), ThreadPoolExecutor(max_workers=3) as pool:
            info_f = pool.submit(_get, client, "/info", t)
            networks_f = pool.submit(_get, client, "/networks", t)
            containers_f = pool.submit(_get, client, "/containers/json", t, params={"all": 1})
            info, networks, containers = info_f.result(), networks_f.result(), containers_f.result()
            nodes = services = tasks = libpod = None
            if _is_manager(info):  # the swarm, in three more requests
                nodes_f = pool.submit(_get, client, "/nodes", t)
                services_f = pool.submit(_get, client, "/services", t)
                tasks_f = pool.submit(_get, client, "/tasks", t)
                nodes, services, tasks = nodes_f.result(), services_f.result(), tasks_f.result()
            if is_podman(version):  # DNS per network is only in Podman's own network list
                libpod = _get(client, "/v4.0.0/libpod/networks/json", t, versioned=False)
            inspected = None
            requested: tuple[str, ...] | None = None
            warnings: list[str] = []
            if mode is not None and isinstance(containers, list):
                ids = _ids(containers)
                if mode is Inspect.NEEDED:
                    ids = containers_to_inspect(networks, containers)
                    requested = tuple(ids)
                inspected = _inspect_all(client, ids, t, warnings, progress)
    return RawCapture(
        version=version,
        info=info,
        networks=networks,
        containers=containers,
        inspected=inspected,
        inspect_requested=requested,
        nodes=nodes,
        services=services,
        tasks=tasks,
        libpod_networks=libpod,
        source=f"engine {conn.label}",
        captured_at=captured_at,
        warnings=tuple(warnings),
    )


def load_many(
    targets: list[EngineTarget],
    *,
    inspect: bool | Inspect = False,
) -> Snapshot:
    """Capture several engines in parallel into one snapshot with a host dimension.

    An engine that cannot be reached, or a context that cannot be read, is reported (a
    warning, and a host with its error) and the others are still merged; only when none
    answers is it an error.
    """
    from visualizer.sources.merge import merge  # noqa: PLC0415

    def one(target: EngineTarget) -> tuple[str, Snapshot | None, str | None]:
        try:
            return target.label, load_live(target, inspect=inspect), None
        except (EngineError, InputError) as exc:
            return target.label, None, str(exc)

    with ThreadPoolExecutor(max_workers=min(len(targets), 16)) as pool:
        results = list(pool.map(one, targets))
    if all(snap is None for _, snap, _ in results):
        raise EngineError(f"no engine could be captured: {results[0][2]}")
    return merge(results)


def _is_manager(info: Any) -> bool:  # noqa: ANN401 - the raw /info answer
    swarm = info.get("Swarm") if isinstance(info, dict) else None
    return isinstance(swarm, dict) and swarm.get("ControlAvailable") is True


def _ids(containers: list[Any]) -> list[str]:
    return [c["Id"] for c in containers if isinstance(c, dict) and isinstance(c.get("Id"), str)]


def load_live(
    target: EngineTarget,
    *,
    inspect: bool | Inspect = False,
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
        client, _ = _connect(conn, target.timeout, pool_size=max(parallel, 1), sdk=True)
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


def follow_events(
    target: EngineTarget,
    on_event: Callable[[str], None],
    *,
    on_problem: Callable[[str], None] | None = None,
) -> None:
    """Follow `GET /events` for container and network changes, calling `on_event` for each.

    `on_event` gets a short description; this returns when the stream ends and raises
    `EngineError` when it breaks. An event that cannot be read (not JSON, wrong types, over
    `MAX_EVENT_BYTES`) is reported to `on_problem` (default: to `on_event`, as a change of
    unknown kind) and following goes on.
    """
    from visualizer.sources.transport import read_lines  # noqa: PLC0415

    report = on_problem or on_event
    conn = resolve(target)
    with _translated(conn):
        client, _ = _connect(conn, target.timeout, pool_size=1)
        with closing(client):
            filters = json.dumps({"type": ["container", "network"]})
            url = client._url("/events")  # noqa: SLF001
            response = client.get(
                url,
                params={"filters": filters},
                stream=True,
                timeout=(target.timeout, None),  # connect in time, then wait for events forever
                headers={"Accept-Encoding": "identity"},
            )
            with closing(response):
                if response.status_code >= 400:  # noqa: PLR2004
                    raise _HTTPStatus(response.status_code, _error_message(response.content))
                for line in read_lines(response):
                    if not line.strip():
                        continue
                    described = describe_event(line)
                    if described is None:
                        continue
                    if described.startswith(UNREADABLE_EVENT):
                        report(described)
                    else:
                        on_event(described)


UNREADABLE_EVENT = "unreadable event from the engine, skipped"


def describe_event(line: bytes) -> str | None:
    """One line of `GET /events` as a short description; `None` when it is not watched."""
    try:
        event = json.loads(line)
    except (ValueError, RecursionError):
        return f"{UNREADABLE_EVENT}: not JSON ({_one_line(line[:80].decode('utf-8', 'replace'))})"
    if not isinstance(event, dict):
        return f"{UNREADABLE_EVENT}: a JSON {type(event).__name__}, not an object"
    kind = event.get("Type")
    action = event.get("Action")
    actor = event.get("Actor")
    if not isinstance(kind, str) or not isinstance(action, str):
        return f"{UNREADABLE_EVENT}: no Type or Action"
    verb = action.split(":")[0]
    if verb not in WATCHED_ACTIONS.get(kind, ()):
        return None
    actor = actor if isinstance(actor, dict) else {}
    attrs = actor.get("Attributes")
    attrs = attrs if isinstance(attrs, dict) else {}
    name = attrs.get("name")
    if not isinstance(name, str) or not name:
        name = str(actor.get("ID", ""))[:12] or "(unnamed)"
    return f"{kind} {verb} {name}"


class _HTTPStatus(Exception):  # noqa: N818 - an answer, not a failure of ours
    """The engine answered with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


class _NotDocker(Exception):  # noqa: N818
    """The answer is not the JSON a Docker engine sends."""


def _get(
    client: Any,  # noqa: ANN401 - docker.APIClient, untyped
    path: str,
    timeout: float,
    *args: str,
    params: Mapping[str, Any] | None = None,
    versioned: bool = True,
) -> Any:  # noqa: ANN401 - decoded JSON, parsed by parse.py
    """GET one JSON answer: whole within `timeout`, at most `MAX_RESPONSE_BYTES`."""
    from visualizer.sources import transport  # noqa: PLC0415

    url = client._url(path, *args, versioned_api=versioned)  # noqa: SLF001
    with transport.deadline(timeout):
        response = client.get(
            url,
            params=params,
            stream=True,
            timeout=timeout,
            headers={"Accept-Encoding": "identity"},  # no compression: the size limit is real
        )
        with closing(response):
            body = transport.read_body(response)
    if response.status_code >= 400:  # noqa: PLR2004
        raise _HTTPStatus(response.status_code, _error_message(body))
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else _one_line(exc)
        raise _NotDocker(f"{path} is not JSON: {detail}") from None


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return _one_line(data["message"])
    return _one_line(body[:300].decode("utf-8", "replace")) or "no explanation"


def _connect(
    conn: Connection, timeout: float, *, pool_size: int | None = None, sdk: bool = False
) -> tuple[Any, dict[str, Any]]:
    """A client speaking min(engine, netviz) API version, and the engine's `GET /version`.

    `/version` is the one answer every Docker engine gives whatever its API version; the
    client is created for the oldest version we read, then switched to the negotiated one
    (what the SDK's own `version="auto"` does, without a second client).
    """
    client = _client(conn, MIN_API_VERSION, timeout, pool_size, sdk=sdk)
    try:
        version = _get(client, "/version", timeout, versioned=False)
    except _NotDocker as exc:
        client.close()
        raise EngineError(f"{conn.label} does not look like a Docker engine ({exc})") from None
    except BaseException:
        client.close()
        raise
    if not isinstance(version, dict) or not isinstance(version.get("ApiVersion"), str):
        client.close()
        raise EngineError(f"{conn.label} does not look like a Docker engine (no ApiVersion)")
    server_api = version["ApiVersion"]
    if _vkey(server_api) < _vkey(MIN_API_VERSION):
        client.close()
        raise EngineError(
            f"the engine at {conn.label} speaks API {_one_line(server_api)[:20]}; "
            f"netviz needs {MIN_API_VERSION} or newer"
        )
    client._version = min(server_api, MAX_API_VERSION, key=_vkey)  # noqa: SLF001
    return client, version


def _inspect_all(
    client: Any,  # noqa: ANN401 - docker.APIClient, untyped
    ids: list[str],
    timeout: float,
    warnings: list[str],
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    def one(cid: str) -> tuple[str, Any]:
        try:
            return cid, _get(client, "/containers/{0}/json", timeout, cid)
        except _HTTPStatus as exc:
            if exc.status == 404:  # noqa: PLR2004
                return cid, None
            raise

    found: dict[str, Any] = {}
    workers = SSH_WORKERS if client.netviz_scheme == "ssh" else INSPECT_WORKERS
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, (cid, detail) in enumerate(pool.map(one, ids), start=1):
            if detail is None:
                warnings.append(f"container {cid[:12]} was removed during the capture; skipped")
            else:
                found[cid] = detail
            if progress is not None:
                progress(done, len(ids))
    return found


class _EngineSession:
    """What a capture needs of a client: a pooled session and the SDK's way to build URLs.

    Captures do not import the Docker SDK (half a second of start-up); `netviz probe`, which
    creates exec instances, uses the SDK's client over the same transport.
    """

    def __init__(self, session: Any, scheme: str, version: str) -> None:  # noqa: ANN401
        self.session = session
        self.netviz_scheme = scheme
        self._version = version

    def _url(self, pathfmt: str, *args: str, versioned_api: bool = True) -> str:
        from urllib.parse import quote  # noqa: PLC0415

        from visualizer.sources.transport import BASE_URL  # noqa: PLC0415

        path = pathfmt.format(*(quote(a, safe="/:") for a in args))
        return f"{BASE_URL}/v{self._version}{path}" if versioned_api else f"{BASE_URL}{path}"

    def get(self, url: str, **kwargs: Any) -> Any:  # noqa: ANN401
        return self.session.get(url, **kwargs)

    def close(self) -> None:
        self.session.close()


def _client(
    conn: Connection,
    version: str,
    timeout: float,
    pool_size: int | None = None,
    *,
    sdk: bool = False,
) -> Any:  # noqa: ANN401 - _EngineSession, or docker.APIClient when `sdk`
    """A client over netviz's transport (see `transport`); the SDK's own when `sdk`."""
    from visualizer.sources import transport  # noqa: PLC0415

    context = None
    if conn.tls is not None:
        try:
            context = transport.ssl_context(conn.tls)
        except (ssl.SSLError, OSError) as exc:
            raise EngineError(
                f"cannot use the TLS files for {conn.label}: {_one_line(exc)}"
            ) from None
    ssh = conn.address.scheme == "ssh"
    size = pool_size or (SSH_WORKERS if ssh else INSPECT_WORKERS)
    adapter = transport.EngineAdapter(conn.address, context, pool_size=size)
    if sdk:
        import docker  # noqa: PLC0415

        # The URL only satisfies the constructor: no request goes there, the adapter does the I/O.
        client = docker.APIClient(base_url="tcp://127.0.0.1:2375", version=version, timeout=timeout)
        client.trust_env = False  # no proxies, .netrc or REQUESTS_CA_BUNDLE for an engine socket
        client.mount(transport.BASE_URL + "/", adapter)
        client.base_url = transport.BASE_URL
        client.netviz_scheme = conn.address.scheme
        return client
    import requests  # noqa: PLC0415

    session = requests.Session()
    session.trust_env = False
    session.mount(transport.BASE_URL + "/", adapter)
    return _EngineSession(session, conn.address.scheme, version)


def _vkey(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


@contextmanager
def _translated(conn: Connection) -> Iterator[None]:
    """Turn transport, HTTP and SDK failures into one-line `EngineError`s."""
    import requests  # noqa: PLC0415
    import urllib3.exceptions  # noqa: PLC0415
    from docker.errors import APIError, DockerException  # noqa: PLC0415

    where = conn.label
    try:
        yield
    except VisualizerError:
        raise
    except _HTTPStatus as exc:
        raise EngineError(f"the engine at {where} answered {exc.status}: {exc.message}") from None
    except _NotDocker as exc:
        raise EngineError(f"{where} does not look like a Docker engine ({exc})") from None
    except APIError as exc:
        status = exc.status_code or "an error"
        raise EngineError(f"the engine at {where} answered {status}: {_explanation(exc)}") from None
    except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        raise EngineError(
            f"the engine at {where} did not answer in time (raise --timeout if it is slow)"
        ) from None
    except (
        requests.exceptions.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        ssl.SSLError,
        OSError,
    ) as exc:
        raise EngineError(_connection_message(where, exc)) from None
    except DockerException as exc:
        raise EngineError(f"cannot connect to {where}: {_one_line(exc)}") from None


def _connection_message(where: str, exc: BaseException) -> str:
    chain = _chain(exc)
    own = next((e for e in chain if isinstance(e, TransportError)), None)
    if own is not None:
        return f"cannot use the Docker engine at {where}: {own}"
    if any(isinstance(e, (TimeoutError, socket.timeout)) for e in chain):
        return f"the engine at {where} did not answer in time (raise --timeout if it is slow)"
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS handshake with {where} failed: {_tls_reason(tls)}"
    cause = chain[-1]
    odd = next(
        (
            e
            for e in chain
            if isinstance(e, http.client.HTTPException)
            and not isinstance(e, (http.client.IncompleteRead, http.client.RemoteDisconnected))
        ),
        None,
    )
    if odd is not None:
        return f"{where} does not look like a Docker engine (not an HTTP answer: {_one_line(odd)})"
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
    if isinstance(cause, (ConnectionResetError, http.client.IncompleteRead)) or "reset" in str(
        cause
    ):
        return (
            f"cannot talk to the engine at {where}: it broke the connection mid-answer "
            f"({_one_line(cause)})"
        )
    return f"cannot connect to the Docker engine at {where}: {_one_line(cause)}"


_TLS_HINTS = (
    ("certificate has expired", "the engine's certificate has expired"),
    ("alert certificate expired", "the engine refused netviz's client certificate: expired"),
    ("unknown ca", "the engine does not trust netviz's client certificate (unknown CA)"),
    ("alert bad certificate", "the engine refused netviz's client certificate"),
    ("certificate required", "the engine requires a client certificate (cert.pem, key.pem)"),
    ("self-signed certificate", "the engine's certificate is not signed by the CA given"),
    ("unable to get local issuer", "the engine's certificate is not signed by the CA given"),
    ("ip address mismatch", "the engine's certificate is not for this address"),
    ("hostname mismatch", "the engine's certificate is not for this host name"),
    ("wrong version number", "the engine does not speak TLS there"),
)


def _tls_reason(exc: ssl.SSLError) -> str:
    text = _one_line(exc)
    low = text.lower()
    for needle, hint in _TLS_HINTS:
        if needle in low:
            return f"{hint} ({text})"
    return text


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first (cause, context and wrapped args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [x for x in (e.__cause__, e.__context__) if x is not None]
        todo += [a for a in e.args if isinstance(a, BaseException)]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return seen


def _explanation(exc: Any) -> str:  # noqa: ANN401 - docker.errors.APIError
    return _one_line(exc.explanation or exc)


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:300] or type(value).__name__

"""The live engine source: the only module that imports the Docker SDK.

A capture makes a constant number of requests whatever the number of containers:
`GET /version` (to negotiate the API version), then `GET /info`, `GET /networks` and
`GET /containers/json?all=1` in parallel; a swarm manager adds `GET /nodes`, `/services` and
`/tasks`. Only `inspect=True` adds one `GET /containers/{id}/json` per container, for facts
that exist nowhere else. Several engines are captured in parallel and merged.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visualizer.errors import EngineError, InputError, UsageError
from visualizer.sources import contexts
from visualizer.sources.address import Address, TLSSettings, parse_address, ssl_context
from visualizer.sources.deadline import deadline
from visualizer.sources.failures import HTTPStatus, NotDocker, error_message, one_line, translated
from visualizer.sources.parse import parse_capture
from visualizer.sources.podman import is_podman
from visualizer.sources.raw import RawCapture
from visualizer.sources.settings import check_timeout

if TYPE_CHECKING:
    from visualizer.model import Snapshot

MIN_API_VERSION = "1.24"
"""Oldest Engine API this tool reads (Docker 1.12): networks report `Internal` and `EnableIPv6`."""
MAX_API_VERSION = "1.51"
"""Newest Engine API whose payloads this tool was written against; newer engines are asked
for this version (engines serve older versions unchanged)."""
DEFAULT_HOST = "unix:///var/run/docker.sock"
INSPECT_WORKERS = 16
"""Requests in flight at once to one engine (the connection pool's size): enough to hide a
slow link's latency, few enough not to load the engine."""
SSH_WORKERS = 4
"""The same over ssh, where each pooled connection is one ssh session."""

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
    """Seconds an answer may take, whole (a deadline per request, not per socket read)."""
    problem: str | None = None
    """Why this target cannot be used at all (a context whose files are unreadable, found by
    `--all-contexts`); it is then reported like an engine that cannot be reached."""

    def __post_init__(self) -> None:
        """Refuse a timeout that is not a positive number and a malformed `-H` (exit 2)."""
        check_timeout(self.timeout)
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
    inspect: bool = False,
    progress: ProgressCallback | None = None,
    environ: Mapping[str, str] | None = None,
) -> RawCapture:
    """Ask the engine for everything a snapshot holds, in a constant number of requests.

    `inspect` adds one request per container, sent in parallel.
    """
    if target.problem:
        raise EngineError(target.problem)
    conn = resolve(target, environ)
    with translated(conn.label):
        client, version = connect(conn, target.timeout)
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
            warnings: list[str] = []
            if inspect and isinstance(containers, list):
                inspected = _inspect_all(client, _ids(containers), t, warnings, progress)
    return RawCapture(
        version=version,
        info=info,
        networks=networks,
        containers=containers,
        inspected=inspected,
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
    inspect: bool = False,
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
    inspect: bool = False,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Capture a live engine and parse it into a snapshot."""
    return parse_capture(capture(target, inspect=inspect, progress=progress))


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
    with deadline(timeout):
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
        raise HTTPStatus(response.status_code, error_message(body))
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else one_line(exc)
        raise NotDocker(f"{path} is not JSON: {detail}") from None


def connect(
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
    except NotDocker as exc:
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
            f"the engine at {conn.label} speaks API {one_line(server_api)[:20]}; "
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
        except HTTPStatus as exc:
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
            context = ssl_context(conn.tls)
        except (ssl.SSLError, OSError) as exc:
            raise EngineError(
                f"cannot use the TLS files for {conn.label}: {one_line(exc)}"
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

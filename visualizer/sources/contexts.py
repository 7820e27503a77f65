"""Docker CLI contexts and config, read the way the docker CLI reads them.

`$DOCKER_CONFIG` (default `~/.docker`) holds `config.json` (`currentContext`) and
`contexts/meta/<sha256(name)>/meta.json` with the endpoint; TLS material, if any, sits in
`contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem`. Read here rather than through the
SDK, which looks for contexts beside `config.json` only when that file exists.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextEndpoint:
    """The Docker endpoint of a context."""

    name: str
    host: str
    skip_tls_verify: bool = False
    ca_cert: Path | None = None
    client_cert: tuple[Path, Path] | None = None

    @property
    def uses_tls(self) -> bool:
        """Whether the docker CLI speaks TLS to it: TLS files stored, or `SkipTLSVerify`."""
        return self.skip_tls_verify or self.ca_cert is not None or self.client_cert is not None


def config_dir(env: Mapping[str, str]) -> Path:
    """Return the docker CLI's configuration directory."""
    configured = env.get("DOCKER_CONFIG")
    if configured:
        return Path(configured)
    return Path(env.get("HOME") or Path.home()) / ".docker"


def current_context(env: Mapping[str, str]) -> str:
    """`DOCKER_CONTEXT`, else `currentContext` of `config.json`, else `default`."""
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    path = config_dir(env) / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "default"
    except (OSError, ValueError, RecursionError) as exc:
        raise InputError(f"{path}: cannot read the Docker CLI configuration ({exc})") from None
    name = data.get("currentContext") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else "default"


def load_context(name: str, env: Mapping[str, str]) -> ContextEndpoint:
    """Read a named context's Docker endpoint."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    base = config_dir(env) / "contexts"
    meta_path = base / "meta" / digest / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"unknown Docker context {name!r} (see `docker context ls`)") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise InputError(f"{meta_path}: cannot read Docker context {name!r} ({exc})") from None
    endpoints = meta.get("Endpoints") if isinstance(meta, dict) else None
    endpoint = endpoints.get("docker") if isinstance(endpoints, dict) else None
    if not isinstance(endpoint, dict):
        endpoint = {}
    host = endpoint.get("Host")
    if not isinstance(host, str) or not host:
        raise InputError(f"{meta_path}: Docker context {name!r} has no Docker endpoint")
    tls = base / "tls" / digest / "docker"
    ca, cert, key = tls / "ca.pem", tls / "cert.pem", tls / "key.pem"
    if cert.is_file() != key.is_file():
        raise InputError(
            f"{tls}: Docker context {name!r} has one of cert.pem and key.pem but not the other"
        )
    return ContextEndpoint(
        name=name,
        host=host,
        skip_tls_verify=bool(endpoint.get("SkipTLSVerify")),
        ca_cert=ca if ca.is_file() else None,
        client_cert=(cert, key) if cert.is_file() and key.is_file() else None,
    )


def context_names(env: Mapping[str, str] | None = None) -> list[str]:
    """Every context the docker CLI knows: `default` and those under `contexts/meta`.

    Unreadable context files are left out here; `scan` reports them.
    """
    return [name for name, problem in scan(env) if problem is None]


def scan(env: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Every context as `(name, None)`, and each unreadable one as `(label, why)`.

    `default` comes first, then the stored contexts sorted by their directory. A context whose
    `meta.json` cannot be read or names no context is listed by its directory, with the reason,
    so a caller can report it and carry on with the others.
    """
    import os  # noqa: PLC0415

    environ = os.environ if env is None else env
    meta = config_dir(environ) / "contexts" / "meta"
    found: list[tuple[str, str | None]] = [("default", None)]
    for path in sorted(meta.glob("*/meta.json")) if meta.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            found.append(
                (
                    f"<unreadable {path.parent.name[:12]}>",
                    f"{path}: cannot read a Docker context ({' '.join(reason.split())[:200]})",
                )
            )
            continue
        name = data.get("Name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name:
            found.append(
                (f"<unnamed {path.parent.name[:12]}>", f"{path}: a Docker context without a name")
            )
        elif name != "default":
            found.append((name, None))
    return found

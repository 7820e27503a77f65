"""What the schema cannot say: ports and replicas Docker would refuse, and netviz's limits.

Each mistake is an error at its file, line and column.

Limits, so that a few bytes of compose file cannot ask for unbounded work: `MAX_SCALE`
containers per service (`scale`, `deploy.replicas`), `MAX_CONTAINERS` per project, and
`MAX_PORTS` port bindings and exposed ports over the whole project (`1-65535:1-65535` is one
entry and 65,535 bindings).
"""

from __future__ import annotations

from typing import Any

from visualizer.errors import InputError
from visualizer.sources.compose.ports import PortError, parse_expose, parse_port
from visualizer.sources.compose.schema import dotted, unmarked
from visualizer.yamlfile import locate

MAX_SCALE = 1000
"""The most containers one service may ask for."""
MAX_CONTAINERS = 10_000
"""The most containers a project may predict."""
MAX_PORTS = 200_000
"""The most port bindings and exposed ports a project may predict, over all its containers."""

NETWORK_MODES = frozenset({"host", "none", "bridge"})


def check_file(data: dict[str, Any], tree: Any, origin: str) -> None:  # noqa: ANN401
    """Check the values netviz reads in one interpolated, schema-valid compose file."""
    services = unmarked(data).get("services") or {}
    for name, svc in services.items():
        base = ("services", name)

        def fail(path: tuple[str | int, ...], message: str) -> InputError:
            return InputError(f"{origin}{locate(tree, path)}: {dotted(path)}: {message}")

        for i, entry in enumerate(svc.get("ports") or ()):
            try:
                parse_port(entry)
            except PortError as exc:
                raise fail((*base, "ports", i), str(exc)) from None
        for i, entry in enumerate(svc.get("expose") or ()):
            try:
                parse_expose(entry)
            except PortError as exc:
                raise fail((*base, "expose", i), str(exc)) from None
        deploy = svc.get("deploy") or {}
        for path, count in (
            ((*base, "scale"), svc.get("scale")),
            ((*base, "deploy", "replicas"), deploy.get("replicas")),
        ):
            if count is None:
                continue
            if count < 0:
                raise fail(path, "must be 0 or more")
            if count > MAX_SCALE:
                raise fail(
                    path, f"{count} containers is over netviz's limit of {MAX_SCALE} per service"
                )
        mode = svc.get("network_mode")
        if mode is not None and not (
            mode in NETWORK_MODES or mode.startswith(("service:", "container:"))
        ):
            raise fail(
                (*base, "network_mode"),
                f"unsupported network mode {mode!r} (host, none, bridge, service:NAME or "
                "container:NAME)",
            )


def replicas(svc: dict[str, Any]) -> int:
    """How many containers a merged service runs (`scale`, else `deploy.replicas`, else 1)."""
    for value in (svc.get("scale"), (svc.get("deploy") or {}).get("replicas")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 1

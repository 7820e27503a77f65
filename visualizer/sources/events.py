"""`GET /events` followed for `netviz watch`: container and network changes, one line each."""

from __future__ import annotations

import json
from contextlib import closing
from typing import TYPE_CHECKING

from visualizer.sources.engine import connect, resolve
from visualizer.sources.failures import HTTPStatus, error_message, one_line, translated

if TYPE_CHECKING:
    from collections.abc import Callable

    from visualizer.sources.engine import EngineTarget


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
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Follow `GET /events` for container and network changes, calling `on_event` for each.

    `on_event` gets a short description; this returns when the stream ends and raises
    `EngineError` when it breaks. An event that cannot be read (not JSON, wrong types, over
    `MAX_EVENT_BYTES`) is reported to `on_problem` (default: to `on_event`, as a change of
    unknown kind) and following goes on. `on_ready` is called once the engine has answered,
    before the first event: from then on no change is missed.
    """
    from visualizer.sources.transport import read_lines  # noqa: PLC0415

    report = on_problem or on_event
    conn = resolve(target)
    with translated(conn.label):
        client, _ = connect(conn, target.timeout, pool_size=1)
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
                    raise HTTPStatus(response.status_code, error_message(response.content))
                if on_ready is not None:
                    on_ready()
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
        return f"{UNREADABLE_EVENT}: not JSON ({one_line(line[:80].decode('utf-8', 'replace'))})"
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

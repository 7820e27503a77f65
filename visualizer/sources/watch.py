"""`netviz watch`: follow the engine's events, re-capture after a quiet moment, report changes.

The loop is written against three callables (capture, follow events, publish a snapshot), so
the CLI wires it to the engine and the renderer, and the logic stays testable on its own.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING

from visualizer.errors import EngineError

if TYPE_CHECKING:
    from collections.abc import Callable

    from visualizer.model import Snapshot

LOST = "\x00lost"
BACK = "\x00back"
RETRY_DELAYS = (1.0, 2.0, 5.0)


def watch(
    *,
    capture: Callable[[], Snapshot],
    follow: Callable[[Callable[[str], None]], None],
    publish: Callable[[Snapshot, Snapshot | None], None],
    log: Callable[[str], None],
    debounce: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Publish a first snapshot, then one after each burst of events, until `stop` is set.

    `follow(push)` blocks while it reads events, calling `push(description)`; when it returns
    or raises `EngineError`, the connection is retried (1 s, 2 s, 5 s, 5 s…) and the engine is
    captured again once it answers, since anything may have changed meanwhile.
    """
    stop = stop or threading.Event()
    inbox: queue.Queue[str] = queue.Queue()
    current = capture()
    publish(current, None)

    def reader() -> None:
        attempt = 0
        while not stop.is_set():
            try:
                follow(inbox.put)
                inbox.put(LOST + " the event stream ended")
            except EngineError as exc:
                inbox.put(f"{LOST} {exc}")
            if stop.is_set():
                return
            time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            attempt += 1
            inbox.put(BACK)

    threading.Thread(target=reader, name="netviz-events", daemon=True).start()
    pending: list[str] = []
    lost = False
    while not stop.is_set():
        try:
            item = inbox.get(timeout=debounce if pending else 0.5)
        except queue.Empty:
            if pending:
                fresh = _refresh(capture, publish, current, (lambda _: None) if lost else log)
                if fresh is not None:  # else keep the events: try again after another pause
                    if lost:
                        log("reconnected to the engine")
                        lost = False
                    current = fresh
                    pending = []
            continue
        if item.startswith(LOST):
            if not lost:
                log(f"connection to the engine lost ({item[len(LOST) :].strip()}); reconnecting")
            lost = True
        else:
            pending.append(item)


def _refresh(
    capture: Callable[[], Snapshot],
    publish: Callable[[Snapshot, Snapshot | None], None],
    current: Snapshot,
    log: Callable[[str], None],
) -> Snapshot | None:
    try:
        fresh = capture()
    except EngineError as exc:
        log(f"could not capture the engine after a change ({exc}); trying again")
        return None
    publish(fresh, current)
    return fresh

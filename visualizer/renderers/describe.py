"""How documents name where their data comes from: engine, prediction, scope (no holes, no `?`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.analysis.scope import Scope
    from visualizer.model import Container, Endpoint, Engine

ASSIGNED_AT_DEPLOY = "assigned at deploy"
"""What a prediction says where only the engine can know (addresses, ephemeral ports, times)."""


def origin(engine: Engine, *, source: str, captured_at: str, predicted: bool) -> str:
    """One sentence: the engine and the capture, or that the data is a prediction."""
    if predicted:
        return (
            f"Predicted from {source or 'compose files'}, before deploying: addresses, "
            f"ephemeral host ports and times are {ASSIGNED_AT_DEPLOY}."
        )
    facts = [f"Docker {engine.server_version}" if engine.server_version else "Docker engine"]
    if engine.api_version:
        facts.append(f"API {engine.api_version}")
    if engine.os:
        facts.append(engine.os)
    when = f"captured {captured_at}" if captured_at else "capture time not recorded"
    return f"{', '.join(facts)}; {when} from {source or 'an engine'}."


def subject(engine: Engine, scope: Scope | None) -> str:
    """What a document is about: the engine, or a scope on it (`project=shop on vm`)."""
    where = engine.name or "the engine"
    return f"{scope.description} on {where}" if scope is not None else where


def addresses(c: Container, ep: Endpoint, *, predicted: bool) -> str:
    """What a diagram writes for an endpoint's addresses (plain text: the caller escapes it)."""
    if c.is_host_mode:
        return "the host's own addresses"
    if c.is_none_mode:
        return "no interface but loopback"
    if ep.addresses:
        return ", ".join(ep.addresses)
    if predicted and c.is_running:
        return f"address {ASSIGNED_AT_DEPLOY}"
    return "no address" if c.is_running else "no address (not running)"

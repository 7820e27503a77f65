"""A finding and what it is about; raised through `finding()`, which reads the catalogue."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import CATALOGUE, CIS_TITLES, FindingStatus, Rule, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.model import Container, Engine, Network


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What a finding is about."""

    kind: str
    """`container`, `network`, `engine`, `service` or `port`."""
    name: str
    """Its name; `host/name` (or `name@short-ID`) when several objects of the snapshot use it."""
    id: str = ""
    """The engine ID of a container, network or service: how its name is qualified."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One audit finding."""

    id: str
    """Rule ID, a key of the catalogue (`A1`–`A20`)."""
    severity: Severity
    title: str
    subjects: tuple[Subject, ...]
    explanation: str
    cis: str | None = None
    """CIS Docker Benchmark v1.6.0 control number, when one applies."""
    status: FindingStatus = FindingStatus.OPEN
    rules: tuple[str, ...] = ()
    """Reachability rules behind it (R-numbers)."""
    detail: str = ""
    """What makes this instance distinct (e.g. the ports), part of the fingerprint."""

    @property
    def rule(self) -> Rule:
        """The catalogue entry of this finding's rule."""
        return CATALOGUE[self.id]

    @property
    def is_open(self) -> bool:
        """Whether the finding was seen in the data (not undecidable)."""
        return self.status is FindingStatus.OPEN

    @property
    def cis_title(self) -> str | None:
        """Title of the CIS control."""
        return CIS_TITLES.get(self.cis) if self.cis else None

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines: rule, subjects and detail, not wording."""
        subjects = ",".join(f"{s.kind}:{s.name}" for s in self.subjects)
        raw = f"{self.id}|{subjects}|{self.detail}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def finding(
    rule_id: str,
    *,
    subjects: tuple[Subject, ...],
    explanation: str,
    severity: Severity | None = None,
    title: str | None = None,
    status: FindingStatus = FindingStatus.OPEN,
    detail: str = "",
    cis: str | None = None,
    cite: bool = True,
    rules: tuple[str, ...] | None = None,
) -> Finding:
    """Raise a finding of a catalogued rule; only what varies per instance is given here.

    `cis` names another control the rule allows (`also_cis`); `cite=False` drops the rule's
    control where it does not apply to this instance.
    """
    rule = CATALOGUE[rule_id]
    if cis is not None and cis not in (rule.cis, *rule.also_cis):
        msg = f"{rule_id} does not cite CIS {cis}"
        raise ValueError(msg)
    return Finding(
        id=rule_id,
        severity=rule.severity if severity is None else severity,
        title=title or rule.title,
        subjects=subjects,
        explanation=explanation,
        cis=(cis or rule.cis) if cite else None,
        status=status,
        rules=rule.rules if rules is None else rules,
        detail=detail,
    )


def container_subject(c: Container) -> Subject:
    """A container as a finding's subject."""
    return Subject(kind="container", name=c.name, id=c.id)


def network_subject(n: Network) -> Subject:
    """A network as a finding's subject."""
    return Subject(kind="network", name=n.name, id=n.id)


def status_of(decided: bool | None) -> FindingStatus:  # noqa: FBT001 - a tri-state fact
    """`open` when the data decides (`True` or `False`), `unknown` when it cannot (`None`)."""
    return FindingStatus.UNKNOWN if decided is None else FindingStatus.OPEN


def all_interfaces(ip: str | None) -> bool:
    """Whether a host address means every interface (`0.0.0.0`, `::`, or none given)."""
    try:
        return ipaddress.ip_address(ip or "0.0.0.0").is_unspecified  # noqa: S104
    except ValueError:
        return False


@functools.cache
def loopback(ip: str | None) -> bool:
    """Whether a host address is a loopback address (a few distinct addresses: cached)."""
    try:
        return ipaddress.ip_address(ip or "0.0.0.0").is_loopback  # noqa: S104
    except ValueError:
        return False


def engine_text(engine: Engine) -> str:
    """How explanations name an engine: `Docker 20.10.24` or `this engine (version unknown)`."""
    return (
        f"Docker {engine.server_version}"
        if engine.server_version
        else "this engine (version unknown)"
    )


def names(containers: Iterable[Container], limit: int = 8) -> str:
    """A short list of container names for an explanation."""
    found = [c.name for c in containers]
    shown = ", ".join(found[:limit])
    return shown + (f" and {len(found) - limit} more" if len(found) > limit else "")


def members(containers: Iterable[Container], *, running: bool) -> dict[str, list[Container]]:
    """Containers per network ID (only running ones when `running`)."""
    found: dict[str, list[Container]] = {}
    for c in containers:
        if running and not c.is_running:
            continue
        for ep in c.endpoints:
            found.setdefault(ep.network_id, []).append(c)
    return found

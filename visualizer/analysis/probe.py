"""`netviz probe`: the checks that put the model to the test, and how to judge their answers.

For each selected source container, one shell script runs inside it (through `docker exec`,
which `visualizer.api.probe` runs) and tests every target in parallel: `ping` to an address
(IP reachability), `ping` to a container name (name resolution and reachability), `nc` to a
host address and port (a published port through the host). Targets go to the script as
arguments, never as shell text. Containers without `sh`, `ping` or `nc`, and stopped ones, are
skipped and reported. Everything here is pure: planning, then judging what came back.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from visualizer.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from visualizer.analysis.reachability import Reachability
    from visualizer.model import Container
    from visualizer.sources.execs import ExecResult

SCRIPT = r"""
NETVIZ_WAIT=$1; shift
need="ping"
for arg in "$@"; do case "$arg" in tcp:*) need="ping nc";; esac; done
for tool in $need; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool"; exit 3; }
done
for arg in "$@"; do
  (
    kind=${arg%%:*}; rest=${arg#*:}
    case "$kind" in
      ip|name)
        fam=""; case "$rest" in *:*) fam="-6";; esac
        if ping $fam -c 1 -W "$NETVIZ_WAIT" "$rest" >/dev/null 2>&1 ||
           ping $fam -c 1 -W "$NETVIZ_WAIT" "$rest" >/dev/null 2>&1
        then echo "ok $arg"; else echo "no $arg"; fi ;;
      tcp)
        host=${rest%:*}; port=${rest##*:}
        if nc -w "$NETVIZ_WAIT" "$host" "$port" </dev/null >/dev/null 2>&1 ||
           nc -w "$NETVIZ_WAIT" "$host" "$port" </dev/null >/dev/null 2>&1
        then echo "ok $arg"; else echo "no $arg"; fi ;;
    esac
  ) &
done
wait
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One test from a source container, with what the model expects."""

    source: str
    target: str
    kind: str
    """`ip` (ping an address), `name` (ping a name) or `tcp` (connect to host:port)."""
    token: str
    """The argument handed to the in-container script, e.g. `ip:172.18.0.3`."""
    expected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A check and what really happened."""

    check: Check
    observed: bool

    @property
    def agrees(self) -> bool:
        """Whether reality matches the model."""
        return self.observed == self.check.expected


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeReport:
    """Everything `probe` found."""

    outcomes: tuple[Outcome, ...]
    skipped: tuple[tuple[str, str], ...]
    """(container or pair, reason) that could not be probed."""

    @property
    def mismatches(self) -> tuple[Outcome, ...]:
        """Checks where reality and the model disagree."""
        return tuple(o for o in self.outcomes if not o.agrees)


def plan(
    reach: Reachability, keys: Iterable[str]
) -> tuple[dict[str, list[Check]], list[tuple[str, str]]]:
    """The checks to run per source container key, and what cannot be probed."""
    chosen = list(keys)
    checks: dict[str, list[Check]] = {}
    skipped: list[tuple[str, str]] = []
    for a in chosen:
        ca = reach.container(a)
        if not reach.is_running(a):
            skipped.append((ca.name, f"not running ({ca.state})"))
            continue
        found: list[Check] = []
        for b in chosen:
            if a != b:
                found.extend(_pair_checks(reach, a, b, skipped))
        if found:
            checks[a] = found
    return checks, skipped


def _pair_checks(
    reach: Reachability, a: str, b: str, skipped: list[tuple[str, str]]
) -> list[Check]:
    ca, cb = reach.container(a), reach.container(b)
    pair = f"{ca.name} -> {cb.name}"
    if not reach.is_running(b):
        return []  # stopped: no address to try; the model's "no" needs no probe
    oa, ob = reach.owner(a), reach.owner(b)
    if oa is None or ob is None or oa == ob:
        skipped.append((pair, "same network stack"))
        return []
    v = reach.verdict(a, b)
    found: list[Check] = []

    def add(kind: str, token: str, expected: bool) -> None:  # noqa: FBT001
        found.append(
            Check(source=ca.name, target=cb.name, kind=kind, token=token, expected=expected)
        )

    gateway = reach.gateway(oa)
    if reach.container(ob).is_host_mode:
        if gateway is None:
            skipped.append((pair, "no host address known to try from the source"))
        else:
            add("ip", f"ip:{gateway}", v.reachable)
    else:
        addresses = reach.addresses(ob, via=v.via if v.reachable else ())
        if not addresses:
            skipped.append((pair, "the target has no address"))
            return found
        for address in addresses[:1] if v.reachable else addresses:
            add("ip", f"ip:{address}", v.reachable)
        if ob == b:
            add("name", f"name:{cb.name}", v.reachable and v.by_name)
            for alias in _aliases(cb, v.names) if v.reachable else ():
                add("name", f"name:{alias}", v.reachable)
    published = [p for p in cb.ports if p.published and p.host_port] if ob == b else []
    if published and not v.reachable and gateway is not None:
        path = reach.port_path(a, b)
        port = path.ports[0] if path is not None else published[0]
        host_ip = port.host_ip or "0.0.0.0"  # noqa: S104
        try:
            unspecified = ipaddress.ip_address(host_ip).is_unspecified
        except ValueError:
            unspecified = False
        address = gateway if unspecified or ipaddress.ip_address(host_ip).is_loopback else host_ip
        add("tcp", f"tcp:{address}:{port.host_port}", path is not None)
    return found


def jobs(
    reach: Reachability, checks: dict[str, list[Check]], *, wait: int
) -> list[tuple[str, list[str]]]:
    """What to run in each source container: `(container ID, argv)`, in the order of `checks`."""
    if wait < 1:
        raise UsageError("--wait must be at least 1 second")
    return [
        (
            reach.container(a).id,
            ["sh", "-c", SCRIPT, "netviz-probe", str(wait), *(c.token for c in found)],
        )
        for a, found in checks.items()
    ]


def judge(
    reach: Reachability,
    checks: dict[str, list[Check]],
    skipped: list[tuple[str, str]],
    results: list[ExecResult],
) -> ProbeReport:
    """Compare what each container answered (in the order of `checks`) with the model."""
    outcomes: list[Outcome] = []
    for (a, found), result in zip(checks.items(), results, strict=True):
        reason = _unusable(result)
        if reason is not None:
            skipped.append((reach.container(a).name, reason))
            continue
        seen = _parse(result.output)
        for c in found:
            if c.token in seen:
                outcomes.append(Outcome(check=c, observed=seen[c.token]))
            else:
                skipped.append((f"{c.source} -> {c.target}", f"no answer for {c.token}"))
    return ProbeReport(outcomes=tuple(outcomes), skipped=tuple(skipped))


def restrict(
    report: ProbeReport, sources: set[str] | None, targets: set[str] | None
) -> ProbeReport:
    """Keep the checks whose source and target (by name) were asked for (`None`: any)."""
    kept = tuple(
        o
        for o in report.outcomes
        if (sources is None or o.check.source in sources)
        and (targets is None or o.check.target in targets)
    )
    return ProbeReport(outcomes=kept, skipped=report.skipped)


def _unusable(result: ExecResult) -> str | None:
    if result.exit_code is None:
        return f"could not run a command: {result.error or 'unknown error'}"
    if result.exit_code == 3 and result.output.startswith("missing "):  # noqa: PLR2004
        return f"no {result.output.split()[1]} in the container"
    if result.exit_code in {126, 127}:
        return "no shell (sh) in the container"
    if result.exit_code != 0:
        return f"the probe script failed (exit {result.exit_code})"
    return None


def _parse(output: str) -> dict[str, bool]:
    seen = {}
    for line in output.splitlines():
        status, _, token = line.partition(" ")
        if status in {"ok", "no"} and token:
            seen[token] = status == "ok"
    return seen


def _aliases(c: Container, names: tuple[str, ...]) -> list[str]:
    """The service name and declared aliases of a target that resolve, besides its name.

    Tested only where the target is reachable: a name that does not resolve to it may
    resolve to another container, and a ping would prove nothing.
    """
    declared = {a for ep in c.endpoints for a in ep.aliases or ()}
    if c.compose_service:
        declared.add(c.compose_service)
    skip = {c.name, c.id[:12], c.hostname or ""}
    return sorted(a for a in declared if a in names and a not in skip and "." not in a)

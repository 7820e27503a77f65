"""Reachability policy: allow / forbid / require assertions between groups of containers.

    version: 1
    rules:
      - name: in shop, nothing but api reaches db
        forbid:
          from: {project: shop}
          to: {project: shop, service: db}
        except:
          from: {service: api}
      - name: web talks to api by name
        require:
          from: {container: shop_web_1}
          to: {container: shop_api_1}
          by_name: true

A selector is a mapping of `container` (name or glob), `project`, `service`, `label`
(`key` or `key=value`) and `network` (attached to it); its keys are AND-ed, and a list of
selectors is OR-ed. `forbid` reports every pair that can reach (also through published ports
unless `published_ports: false`), and with `channels: true` (or a list of channel kinds:
`volume`, `bind`, `volumes-from`, `ipc`, `pid`, `host`) every channel besides the network
between them; `require` reports every pair that cannot (or not by name).
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.model import SWARM_SERVICE_LABEL, port_texts
from visualizer.sources.documents import check, refuse_other_documents
from visualizer.sources.schemas import POLICY_SCHEMA
from visualizer.yamlfile import load_yaml, position

if TYPE_CHECKING:
    from visualizer.analysis.channels import Channels
    from visualizer.analysis.reachability import Reachability
    from visualizer.model import Container

SELECTOR_KEYS = ("container", "project", "service", "label", "network")
POLICY_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Selector:
    """Containers matching every given key."""

    container: str | None = None
    project: str | None = None
    service: str | None = None
    label: str | None = None
    network: str | None = None
    where: str = field(default="", compare=False)
    """`file:line:col` of the selector, for errors."""

    def matches(self, c: Container, networks: set[str]) -> bool:
        """Whether a container (attached to `networks`) matches every key of this selector."""
        if self.container is not None and not fnmatch.fnmatchcase(c.name, self.container):
            return False
        if self.project is not None and c.compose_project != self.project:
            return False
        if self.service is not None and self.service not in {
            c.compose_service,
            c.labels.get(SWARM_SERVICE_LABEL),
        }:
            return False
        if self.label is not None:
            key, sep, value = self.label.partition("=")
            if key not in c.labels or (sep and c.labels[key] != value):
                return False
        return self.network is None or self.network in networks


class RuleKind(StrEnum):
    """What a rule asserts about the pairs it selects."""

    FORBID = "forbid"
    """No source reaches a target (by default not even through published ports)."""
    REQUIRE = "require"
    """Every source reaches every target (optionally by name)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyRule:
    """One assertion."""

    name: str
    kind: RuleKind
    sources: tuple[Selector, ...]
    targets: tuple[Selector, ...]
    except_sources: tuple[Selector, ...] = ()
    except_targets: tuple[Selector, ...] = ()
    by_name: bool = False
    """`require` only: the target must resolve by name."""
    published_ports: bool = True
    """`forbid` only: reaching a published port through the host counts as reaching."""
    allow_unmatched: bool = False
    """A selector of this rule may match nothing (else that is an error: a typo would make
    the rule pass silently)."""
    channels: tuple[str, ...] = ()
    """`forbid` only: the channel kinds besides the network that also break the rule."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A parsed policy file."""

    rules: tuple[PolicyRule, ...]
    origin: str = "policy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """A pair that breaks a rule."""

    rule: str
    kind: RuleKind
    source: str
    target: str
    detail: str
    channel: str = ""
    """For a forbidden channel: its kind and resource (`volume:db-data`); empty for a pair."""

    @property
    def fingerprint(self) -> str:
        """Stable identity for baselines."""
        raw = f"{self.rule}|{self.kind}|{self.source}|{self.target}"
        raw += f"|{self.channel}" if self.channel else ""
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def parse_policy(text: str, *, origin: str = "policy") -> Policy:
    """Parse a policy from YAML 1.2 text; errors name the file, line and column."""
    data = load_yaml(text, origin=origin)
    refuse_other_documents(data, "netviz-policy", origin=origin, option="--policy")
    reader = _Reader(origin)
    top = reader.mapping(data, "", {"version", "rules"})
    version = top.get("version")
    if type(version) is not int or version != POLICY_VERSION:
        where = position(data, "version")
        raise InputError(f"{origin}{where}: version must be {POLICY_VERSION}, got {version!r}")
    rules_data = top.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise InputError(f"{origin}{position(data, 'rules')}: rules must be a non-empty list")
    rules = tuple(reader.rule(item, i) for i, item in enumerate(rules_data))
    check(data, POLICY_SCHEMA, origin=origin)  # the published schema agrees with the reader
    return Policy(rules=rules, origin=origin)


class _Reader:
    """Typed access to the YAML tree with precise error locations."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, node: Any, key: str | int | None, message: str) -> InputError:  # noqa: ANN401
        return InputError(f"{self.origin}{position(node, key)}: {message}")

    def mapping(self, node: Any, what: str, allowed: set[str]) -> dict[str, Any]:  # noqa: ANN401
        if not isinstance(node, dict):
            raise self.fail(node, None, f"{what or 'the policy'} must be a mapping")
        for key in node:
            if key not in allowed:
                raise self.fail(
                    node,
                    key,
                    f"unknown key {key!r} in {what or 'the policy'} (expected "
                    f"{', '.join(sorted(allowed))})",
                )
        return dict(node)

    def rule(self, node: Any, index: int) -> PolicyRule:  # noqa: ANN401
        what = f"rules[{index}]"
        data = self.mapping(node, what, {"name", "forbid", "require", "except", "allow_unmatched"})
        kinds = [k for k in ("forbid", "require") if k in data]
        if len(kinds) != 1:
            raise self.fail(node, None, f"{what} needs exactly one of forbid, require")
        kind = kinds[0]
        name = data.get("name", f"{what} ({kind})")
        if not isinstance(name, str):
            raise self.fail(node, "name", f"{what}.name must be a string")
        body = self.mapping(
            data[kind], f"{what}.{kind}", {"from", "to", "by_name", "published_ports", "channels"}
        )
        for key in ("from", "to"):
            if key not in body:
                raise self.fail(data[kind], None, f"{what}.{kind} needs '{key}'")
        flags: dict[str, Any] = {}
        if "allow_unmatched" in data:
            if not isinstance(data["allow_unmatched"], bool):
                raise self.fail(
                    node, "allow_unmatched", f"{what}.allow_unmatched must be true or false"
                )
            flags["allow_unmatched"] = data["allow_unmatched"]
        for flag in ("by_name", "published_ports"):
            if flag in body:
                if not isinstance(body[flag], bool):
                    raise self.fail(data[kind], flag, f"{what}.{kind}.{flag} must be true or false")
                flags[flag] = body[flag]
        if kind == "forbid" and "by_name" in flags:
            raise self.fail(data[kind], "by_name", "by_name applies to require rules only")
        if kind == "require" and "published_ports" in flags:
            raise self.fail(
                data[kind], "published_ports", "published_ports applies to forbid rules only"
            )
        if "channels" in body:
            flags["channels"] = self.channels(data[kind], kind, what)
        exc = self.mapping(data.get("except", {}), f"{what}.except", {"from", "to"})
        return PolicyRule(
            name=name,
            kind=RuleKind(kind),
            sources=self.selectors(data[kind], "from", f"{what}.{kind}.from"),
            targets=self.selectors(data[kind], "to", f"{what}.{kind}.to"),
            except_sources=self.selectors(exc, "from", f"{what}.except.from")
            if "from" in exc
            else (),
            except_targets=self.selectors(exc, "to", f"{what}.except.to") if "to" in exc else (),
            **flags,
        )

    def channels(self, body: Any, kind: str, what: str) -> tuple[str, ...]:  # noqa: ANN401
        from visualizer.analysis.channels import ChannelKind  # noqa: PLC0415

        value = body["channels"]
        known = [k.value for k in ChannelKind]
        if kind != "forbid":
            raise self.fail(body, "channels", "channels applies to forbid rules only")
        if value is True:
            return tuple(known)
        if value is False:
            return ()
        if not isinstance(value, list) or not value or any(v not in known for v in value):
            raise self.fail(
                body,
                "channels",
                f"{what}.{kind}.channels must be true, false or a list of {', '.join(known)}",
            )
        return tuple(dict.fromkeys(str(v) for v in value))

    def selectors(self, parent: Any, key: str, what: str) -> tuple[Selector, ...]:  # noqa: ANN401
        node = parent[key]
        items = node if isinstance(node, list) else [node]
        result = []
        for item in items:
            data = self.mapping(item, what, set(SELECTOR_KEYS))
            for k, v in data.items():
                if not isinstance(v, str) or not v:
                    raise self.fail(item, k, f"{what}.{k} must be a non-empty string")
            result.append(Selector(**data, where=f"{self.origin}{position(item)}"))
        return tuple(result)


def evaluate(
    policy: Policy,
    reach: Reachability,
    channels: Channels | None = None,
    *,
    within: frozenset[str] | None = None,
    checked: bool = False,
) -> list[Violation]:
    """Every pair that breaks a rule, in rule order, then source and target name order.

    `channels` (the same graph's) is needed for forbid rules with `channels:`. `within` (a
    scope's container keys) keeps the pairs with an end inside. A selector that matches no
    container at all is an error naming its place, unless its rule says
    `allow_unmatched: true`: a typo must not make a rule pass. `checked`: the caller has
    checked the selectors already (`check_selectors`, over several states).
    """
    if not checked:
        check_selectors(policy, reach)
    keys = reach.container_keys()
    found: list[Violation] = []
    for rule in policy.rules:
        sources = [k for k in keys if _any(rule.sources, reach, k)]
        targets = {k for k in keys if _any(rule.targets, reach, k)}
        sources = [k for k in sources if not _any(rule.except_sources, reach, k)]
        targets = {k for k in targets if not _any(rule.except_targets, reach, k)}
        if rule.kind is RuleKind.FORBID:
            hits = _forbidden(rule, reach, sources, targets, within)
            if rule.channels and channels is not None:
                hits += _forbidden_channels(rule, channels, sources, targets, within)
        else:
            hits = _required(rule, reach, sources, targets, within)
        found.extend(hits)
    return found


def check_selectors(policy: Policy, *reaches: Reachability) -> None:
    """Refuse a selector that matches no container in any of the states (a typo?)."""
    for rule in policy.rules:
        if not rule.allow_unmatched:
            _check_matches(rule, reaches)


def _check_matches(rule: PolicyRule, reaches: tuple[Reachability, ...]) -> None:
    selectors = (*rule.sources, *rule.targets, *rule.except_sources, *rule.except_targets)
    for selector in selectors:
        if not any(
            _any((selector,), reach, k) for reach in reaches for k in reach.container_keys()
        ):
            raise InputError(
                f"{selector.where}: this selector of rule {rule.name!r} matches no container "
                "(a typo?); add `allow_unmatched: true` to the rule if that is expected"
            )


def _forbidden(
    rule: PolicyRule,
    reach: Reachability,
    sources: list[str],
    targets: set[str],
    within: frozenset[str] | None,
) -> list[Violation]:
    found = []
    for a in sources:
        outside = within is not None and a not in within
        targets_of_a = targets & within if outside and within is not None else targets
        hit = set()
        for b in reach.candidates(a):
            if b in targets_of_a:
                v = reach.verdict(a, b)
                if v.reachable:
                    hit.add(b)
                    found.append(_violation(rule, reach, a, b, f"reachable: {v.reason}"))
        if rule.published_ports:
            for b in sorted(targets_of_a - hit - {a}, key=reach.label):
                path = reach.port_path(a, b)
                if path is not None:
                    ports = ", ".join(port_texts(path.ports))
                    found.append(
                        _violation(
                            rule, reach, a, b, f"reaches its published ports {ports} via the host"
                        )
                    )
    return found


def _forbidden_channels(
    rule: PolicyRule,
    channels: Channels,
    sources: list[str],
    targets: set[str],
    within: frozenset[str] | None,
) -> list[Violation]:
    found: list[Violation] = []
    for a in sources:
        for b in channels.targets(a):
            if b not in targets or (within is not None and a not in within and b not in within):
                continue
            found.extend(
                Violation(
                    rule=rule.name,
                    kind=rule.kind,
                    source=ch.source,
                    target=ch.target,
                    detail=f"{ch.kind.value} channel: {ch.reason}",
                    channel=f"{ch.kind.value}:{ch.resource}",
                )
                for ch in channels.between(a, b)
                if ch.kind.value in rule.channels
            )
    return found


def _required(
    rule: PolicyRule,
    reach: Reachability,
    sources: list[str],
    targets: set[str],
    within: frozenset[str] | None,
) -> list[Violation]:
    found = []
    for a in sources:
        wanted = targets if within is None or a in within else targets & within
        for b in sorted(wanted - {a}, key=reach.label):
            v = reach.verdict(a, b)
            if not v.reachable:
                found.append(_violation(rule, reach, a, b, f"not reachable: {v.reason}"))
            elif rule.by_name and not v.by_name:
                found.append(_violation(rule, reach, a, b, f"reachable by IP only: {v.reason}"))
    return found


def _violation(rule: PolicyRule, reach: Reachability, a: str, b: str, detail: str) -> Violation:
    return Violation(
        rule=rule.name,
        kind=rule.kind,
        source=reach.label(a),
        target=reach.label(b),
        detail=detail,
    )


def _any(selectors: tuple[Selector, ...], reach: Reachability, key: str) -> bool:
    c = reach.container(key)
    return any(s.matches(c, reach.network_names(key)) for s in selectors)

"""The frozen catalogue of audit findings: one record per rule, used wherever a rule is named.

The checks raise findings by rule ID and say only what varies (subjects, explanation, a
severity or title of their own); SARIF takes its rule metadata from here, and the README's
table of findings is checked against it. CIS numbers and titles follow CIS Docker Benchmark
v1.6.0 as implemented by docker-bench-security; other CIS versions number them differently,
so both number and title are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

CIS_BENCHMARK = "CIS Docker Benchmark v1.6.0"


class Severity(IntEnum):
    """How bad a finding is; ordered, so `--fail-on` compares."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """Lower-case name, as written in every output."""
        return self.name.lower()


class FailOn(StrEnum):
    """When an audit fails on findings: at a severity or worse, or never."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    NEVER = "never"

    @property
    def severity(self) -> Severity | None:
        """The threshold as a severity (`None` for never)."""
        return None if self is FailOn.NEVER else Severity[self.name]


class FindingStatus(StrEnum):
    """Whether a finding was seen in the data or cannot be decided from it."""

    OPEN = "open"
    """Found in the data."""
    UNKNOWN = "unknown"
    """The API cannot tell (a daemon flag, an engine version it does not report)."""


CIS_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "2.2": "Ensure network traffic is restricted between containers on the default bridge",
        "2.4": "Ensure Docker is allowed to make changes to iptables",
        "2.16": "Ensure that userland proxy is disabled",
        "5.1": "Ensure swarm mode is not Enabled, if not needed",
        "5.2": "Ensure that, if applicable, an AppArmor Profile is enabled",
        "5.3": "Ensure that, if applicable, SELinux security options are set",
        "5.4": "Ensure that Linux kernel capabilities are restricted within containers",
        "5.5": "Ensure that privileged containers are not used",
        "5.6": "Ensure sensitive host system directories are not mounted on containers",
        "5.8": "Ensure that privileged ports are not mapped within containers",
        "5.9": "Ensure that only needed ports are open on the container",
        "5.10": "Ensure that the host's network namespace is not shared",
        "5.14": "Ensure that incoming container traffic is bound to a specific host interface",
        "5.16": "Ensure that the host's process namespace is not shared",
        "5.17": "Ensure that the host's IPC namespace is not shared",
        "5.18": "Ensure that host devices are not directly exposed to containers",
        "5.20": "Ensure mount propagation mode is not set to shared",
        "5.21": "Ensure that the host's UTS namespace is not shared",
        "5.22": "Ensure the default seccomp profile is not Disabled",
        "5.30": 'Ensure that Docker\'s default bridge "docker0" is not used',
        "5.31": "Ensure that the host's user namespaces are not shared",
        "5.32": "Ensure that the Docker socket is not mounted inside any containers",
        "7.3": "Ensure that all Docker swarm overlay networks are encrypted",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One kind of finding."""

    id: str
    """`A1`…"""
    title: str
    """What it is, in a few words (an instance may word it more precisely)."""
    severity: Severity
    """The usual severity; some instances are raised higher or lower (`severity_text`)."""
    severity_text: str
    """How its severity is decided, as the README's table says it."""
    summary: str
    """The README's one-line description (Markdown)."""
    cis: str | None = None
    """CIS Docker Benchmark v1.6.0 control, when one exists."""
    also_cis: tuple[str, ...] = ()
    """Further controls some instances cite (A20: 2.16 for the userland proxy)."""
    rules: tuple[str, ...] = ()
    """Reachability rules (R-numbers of docker-network-semantics.md) behind it."""
    remediation: str = ""
    """What to do about it."""

    @property
    def cis_title(self) -> str | None:
        """Title of the CIS control."""
        return CIS_TITLES.get(self.cis) if self.cis else None

    @property
    def cis_text(self) -> str:
        """Every CIS control the rule cites, as the README's table writes them."""
        return " / ".join(c for c in (self.cis, *self.also_cis) if c) or "—"


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({r.id: r for r in rules})


CATALOGUE: Mapping[str, Rule] = _rules(
    Rule(
        id="A1",
        title="Container uses the host's network stack",
        severity=Severity.HIGH,
        severity_text="high",
        summary="container in the host network",
        cis="5.10",
        rules=("R9",),
        remediation="Run it on a user-defined network and publish only the ports it needs.",
    ),
    Rule(
        id="A2",
        title="Container inherits another container's exposure",
        severity=Severity.MEDIUM,
        severity_text="that container's",
        summary="`container:` mode sharing a host-mode or exposed container's stack",
        rules=("R7",),
        remediation="Share the stack of a container that is not exposed, or give it its own.",
    ),
    Rule(
        id="A3",
        title="Port published on all host interfaces",
        severity=Severity.MEDIUM,
        severity_text="medium; high for admin and database ports",
        summary="port published on all interfaces (`0.0.0.0`, `::`)",
        cis="5.14",
        rules=("R11",),
        remediation="Bind it to one host address (-p 127.0.0.1:PORT:PORT) unless public.",
    ),
    Rule(
        id="A4",
        title="Port published on a privileged host port",
        severity=Severity.LOW,
        severity_text="low",
        summary="published on a privileged host port",
        cis="5.8",
        remediation="Publish on a host port of 1024 or above.",
    ),
    Rule(
        id="A5",
        title="Published ports",
        severity=Severity.INFO,
        severity_text="info",
        summary="published ports (inventory)",
        cis="5.9",
        rules=("R11",),
        remediation="Publish only the ports that must be reached from outside.",
    ),
    Rule(
        id="A6",
        title="Loopback-published port reachable from the local network",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="loopback-published port reachable from the LAN on engines before 28.0",
        rules=("R12",),
        remediation="Upgrade the engine to Docker 28.0 or later.",
    ),
    Rule(
        id="A7",
        title="Published container ports reachable by direct routing",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="published container ports reachable by direct routing on engines before 28.0",
        rules=("R14",),
        remediation="Upgrade the engine to Docker 28.0 or later, or filter in DOCKER-USER.",
    ),
    Rule(
        id="A8",
        title="Network gateway mode lets traffic in directly",
        severity=Severity.MEDIUM,
        severity_text="high / medium",
        summary=(
            "`gateway_mode` `nat-unprotected` / `routed`, `trusted_host_interfaces` "
            "(where honoured)"
        ),
        rules=("R15",),
        remediation="Use the default nat gateway mode unless direct routing is intended.",
    ),
    Rule(
        id="A9",
        title="Containers on the default bridge",
        severity=Severity.LOW,
        severity_text="low",
        summary="containers on the default bridge",
        cis="5.30",
        rules=("R2",),
        remediation="Put containers on user-defined networks.",
    ),
    Rule(
        id="A10",
        title="Inter-container traffic allowed on the default bridge",
        severity=Severity.LOW,
        severity_text="low–medium",
        summary="default bridge allows inter-container traffic",
        cis="2.2",
        rules=("R2",),
        remediation="Start dockerd with --icc=false, or keep containers off the default bridge.",
    ),
    Rule(
        id="A11",
        title="Legacy container link",
        severity=Severity.LOW,
        severity_text="low",
        summary="legacy `--link`",
        rules=("R2",),
        remediation="Replace links by a user-defined network, where names resolve by DNS.",
    ),
    Rule(
        id="A12",
        title="Container bridges several networks",
        severity=Severity.MEDIUM,
        severity_text="low–high",
        summary=(
            "container bridging several networks (high with `NET_ADMIN`, `--privileged` or "
            "`ip_forward`)"
        ),
        cis="5.4",
        also_cis=("5.5",),
        rules=("R6",),
        remediation="Attach it to one network, or drop NET_ADMIN and privileged mode.",
    ),
    Rule(
        id="A13",
        title="Internal network can still reach host services",
        severity=Severity.LOW,
        severity_text="low–medium",
        summary="internal network that still reaches host services",
        rules=("R5", "R9"),
        remediation="On Docker 28.0 or later, create it with gateway_mode_ipv4=isolated.",
    ),
    Rule(
        id="A14",
        title="Containers directly on the physical network",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="macvlan / ipvlan containers directly on the LAN",
        rules=("R17",),
        remediation="Filter the LAN in front of the parent interface, or use a bridge network.",
    ),
    Rule(
        id="A15",
        title="Overlay network is not encrypted",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="unencrypted overlay",
        cis="7.3",
        rules=("R21",),
        remediation="Create the overlay with --opt encrypted.",
    ),
    Rule(
        id="A16",
        title="Swarm service published through the ingress mesh",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary=(
            "swarm service published on the ingress mesh (`unknown` when no manager was captured)"
        ),
        cis="5.14",
        rules=("R20",),
        remediation="Publish in host mode, or put a proxy in front.",
    ),
    Rule(
        id="A17",
        title="Swarm mode is active",
        severity=Severity.LOW,
        severity_text="low",
        summary="swarm mode active",
        cis="5.1",
        remediation="Leave swarm mode off unless it is needed (docker swarm leave).",
    ),
    Rule(
        id="A18",
        title="Attachable overlay network",
        severity=Severity.LOW,
        severity_text="low",
        summary="attachable overlay",
        rules=("R19",),
        remediation="Create overlays without --attachable unless standalone containers need them.",
    ),
    Rule(
        id="A19",
        title="Network option stored but not honoured",
        severity=Severity.INFO,
        severity_text="info",
        summary="network option stored but not honoured by this engine version (never credited)",
        rules=("R15",),
        remediation="Upgrade the engine, or drop the option so nobody relies on it.",
    ),
    Rule(
        id="A20",
        title="Daemon setting not visible in the API",
        severity=Severity.CRITICAL,
        severity_text="critical / low",
        summary="daemon `iptables=false` / userland proxy: not visible in the API (`unknown`)",
        cis="2.4",
        also_cis=("2.16",),
        remediation="Check the daemon configuration (iptables on, userland-proxy off).",
    ),
    Rule(
        id="A21",
        title="Engine socket mounted in a container",
        severity=Severity.CRITICAL,
        severity_text="critical",
        summary=(
            "the Docker (or Podman, containerd) socket mounted in a container, even read-only: "
            "it controls the engine, so the host and every container"
        ),
        cis="5.32",
        remediation=(
            "Do not mount the engine socket; give the tool a narrowly filtered API proxy "
            "if it truly needs one."
        ),
    ),
    Rule(
        id="A22",
        title="Sensitive host directory mounted",
        severity=Severity.HIGH,
        severity_text="critical / high / medium",
        summary=(
            "bind mount of `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/lib/modules`, `/proc`, "
            "`/sys`, `/usr`, `/var/run`, `/run` or `/var/lib/docker` (critical for `/` "
            "read-write, high read-write, medium read-only)"
        ),
        cis="5.6",
        remediation="Mount only the application's own directories, read-only where possible.",
    ),
    Rule(
        id="A23",
        title="Privileged container",
        severity=Severity.CRITICAL,
        severity_text="critical",
        summary="`--privileged`: every capability and device, no confinement: it is the host",
        cis="5.5",
        remediation="Drop --privileged; add only the capabilities and devices it needs.",
    ),
    Rule(
        id="A24",
        title="Host namespace shared",
        severity=Severity.HIGH,
        severity_text="high / medium / low",
        summary=(
            "host PID (high), IPC (medium), user (medium) or UTS (low) namespace shared with "
            "the container"
        ),
        cis="5.16",
        also_cis=("5.17", "5.31", "5.21"),
        remediation="Remove --pid/--ipc/--userns/--uts=host (pid, ipc, userns_mode, uts).",
    ),
    Rule(
        id="A25",
        title="Dangerous capability added",
        severity=Severity.HIGH,
        severity_text="critical / high / medium",
        summary=(
            "capabilities such as `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `DAC_READ_SEARCH`, "
            "`NET_ADMIN` added (critical for `ALL`)"
        ),
        cis="5.4",
        remediation="Drop all capabilities and add back only those the process needs.",
    ),
    Rule(
        id="A26",
        title="Host device exposed",
        severity=Severity.MEDIUM,
        severity_text="high / medium",
        summary="host devices passed in with `--device` (high for disks and memory, writable)",
        cis="5.18",
        remediation="Pass no host devices, or only the one needed, read-only.",
    ),
    Rule(
        id="A27",
        title="Confinement disabled",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="`seccomp=unconfined`, `apparmor=unconfined` or `label=disable` security options",
        cis="5.22",
        also_cis=("5.2", "5.3"),
        remediation="Keep the default seccomp and AppArmor profiles, or write a narrower one.",
    ),
    Rule(
        id="A28",
        title="Mount with shared propagation",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary="bind mount with `shared` / `rshared` propagation: mounts flow back to the host",
        cis="5.20",
        remediation="Use the default rprivate propagation.",
    ),
    Rule(
        id="A29",
        title="Writable data shared across a network isolation boundary",
        severity=Severity.MEDIUM,
        severity_text="medium",
        summary=(
            "containers that cannot reach each other by network share a volume or host path "
            "one of them writes (a channel: files, unix sockets)"
        ),
        remediation=(
            "Give each side its own volume, or mount it read-only where the data must flow "
            "one way only."
        ),
    ),
)
"""Every finding netviz raises, by ID, in order."""


def rule_order(rule_id: str) -> int:
    """Position of a rule in the catalogue (unknown IDs last)."""
    return next((i for i, key in enumerate(CATALOGUE) if key == rule_id), len(CATALOGUE))

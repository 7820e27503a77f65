"""How members of one network may talk to each other: the per-network half of reachability.

Rules from `docker-network-semantics.md`: R1 (user-defined bridge: IP and name), R2 (default
bridge: IP only), R4 (`enable_icc=false`: members blocked, unless the kernel does not pass
bridged traffic to iptables, moby#11404), R9 (host), R8 (none), R17/R18 (macvlan, ipvlan),
R19 (overlay), R21 (a Podman network without DNS). Drivers this tool does not know are
reported as unknown, never guessed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visualizer.model import Engine, Network


class Peering(StrEnum):
    """What a network lets its members do to each other."""

    BY_NAME = "by-name"
    """Members reach each other by IP and by DNS name (embedded DNS)."""
    BY_IP = "by-ip"
    """Members reach each other by IP only: no embedded DNS (the default bridge)."""
    ISOLATED = "isolated"
    """Members cannot reach each other (inter-container communication disabled)."""
    HOST = "host"
    """Members use the host's own network stack: they are the host."""
    NONE = "none"
    """No network at all, only loopback."""
    UNKNOWN = "unknown"
    """A driver whose rules this tool does not know."""


PEERING_TEXT = {
    Peering.BY_NAME: "members reach each other by IP and by name",
    Peering.BY_IP: "members reach each other by IP only (no embedded DNS)",
    Peering.ISOLATED: "members cannot reach each other (inter-container communication off)",
    Peering.HOST: "members share the host's network stack",
    Peering.NONE: "no network: loopback only",
    Peering.UNKNOWN: "driver unknown to netviz: not analysed",
}

_PEER_DRIVERS = frozenset({"bridge", "overlay", "macvlan", "ipvlan"})


def peering(network: Network, engine: Engine | None = None) -> Peering:
    """Classify a network's member-to-member policy as configured on this engine."""
    if network.driver == "host":
        return Peering.HOST
    if network.driver == "null":
        return Peering.NONE
    if network.driver not in _PEER_DRIVERS:
        return Peering.UNKNOWN
    if network.driver == "bridge" and not network.icc and icc_enforced(engine):
        return Peering.ISOLATED
    if network.dns_enabled is not None:  # Podman: its own DNS setting decides (R21)
        return Peering.BY_NAME if network.dns_enabled else Peering.BY_IP
    if network.is_default_bridge:
        return Peering.BY_IP
    return Peering.BY_NAME


def icc_enforced(engine: Engine | None) -> bool:
    """Whether `enable_icc=false` takes effect: not when bridged traffic skips iptables."""
    return engine is None or engine.bridge_nf_iptables is not False

"""The snapshot model: plain, frozen, typed records that every layer above the sources uses.

Nothing here knows Docker's raw API keys; the live source's parser translates them once.
Fields that only a per-container inspect reveals are `None` when the snapshot was taken
without inspecting ("unknown"), never a guessed default. Records sort what they hold when they
are built, so every source yields the same records whatever order its input came in.
"""

from __future__ import annotations

from visualizer.model.base import (
    BUILTIN_NETWORKS,
    COMPOSE_PROJECT_LABEL,
    COMPOSE_SERVICE_LABEL,
    DEFAULT_BRIDGE_OPTION,
    ICC_OPTION,
    SCHEMA_VERSION,
    SWARM_SERVICE_ID_LABEL,
    SWARM_SERVICE_LABEL,
    SWARM_TASK_LABEL,
    parse_go_bool,
)
from visualizer.model.data import BIND, NPIPE, TMPFS, VOLUME, Device, Mount, host_path
from visualizer.model.estate import (
    Host,
    Service,
    ServicePort,
    Snapshot,
    SwarmNode,
    VirtualIP,
    qualified_names,
)
from visualizer.model.records import (
    Container,
    Endpoint,
    Engine,
    Link,
    Network,
    Port,
    Subnet,
    port_runs,
    port_texts,
    run_parts,
    run_text,
)

__all__ = [
    "BIND",
    "BUILTIN_NETWORKS",
    "COMPOSE_PROJECT_LABEL",
    "COMPOSE_SERVICE_LABEL",
    "DEFAULT_BRIDGE_OPTION",
    "ICC_OPTION",
    "NPIPE",
    "SCHEMA_VERSION",
    "SWARM_SERVICE_ID_LABEL",
    "SWARM_SERVICE_LABEL",
    "SWARM_TASK_LABEL",
    "TMPFS",
    "VOLUME",
    "Container",
    "Device",
    "Endpoint",
    "Engine",
    "Host",
    "Link",
    "Mount",
    "Network",
    "Port",
    "Service",
    "ServicePort",
    "Snapshot",
    "Subnet",
    "SwarmNode",
    "VirtualIP",
    "host_path",
    "parse_go_bool",
    "port_runs",
    "port_texts",
    "qualified_names",
    "run_parts",
    "run_text",
]

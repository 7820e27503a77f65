"""What a swarm manager adds to a capture: nodes, services, and tasks on other nodes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.model import (
    SWARM_SERVICE_ID_LABEL,
    SWARM_SERVICE_LABEL,
    SWARM_TASK_LABEL,
    Container,
    Endpoint,
    Engine,
    Host,
    Network,
    Port,
    Service,
    ServicePort,
    Snapshot,
    SwarmNode,
    VirtualIP,
)
from visualizer.sources.raw import (
    Json,
    RawCapture,
    as_dict,
    as_int,
    as_list,
    as_str,
    as_str_map,
    as_strs,
)

if TYPE_CHECKING:
    from collections.abc import Mapping


def with_swarm(snapshot: Snapshot, raw: RawCapture) -> Snapshot:
    """Add what a manager knows: nodes, services, and the tasks running on other nodes."""
    nodes = tuple(
        sorted((parse_node(n) for n in raw.nodes if isinstance(n, dict)), key=lambda n: n.hostname)
    )
    services = tuple(
        sorted(
            (s for s in (parse_service(item) for item in as_list(raw.services)) if s),
            key=lambda s: s.name,
        )
    )
    me = snapshot.engine.name
    hostnames = {n.id: n.hostname for n in nodes}
    by_service = {s.id: s for s in services}
    networks = {n.id: n for n in snapshot.networks}
    seen_ids = {c.id for c in snapshot.containers}
    seen_tasks = {c.labels.get(SWARM_TASK_LABEL) for c in snapshot.containers}
    tasks = []
    for item in as_list(raw.tasks):
        task = _task_container(as_dict(item), by_service, hostnames, networks)
        if (
            task is not None
            and task.id not in seen_ids
            and task.labels.get(SWARM_TASK_LABEL) not in seen_tasks
        ):
            tasks.append(task)
    local = tuple(replace(c, host=me) for c in snapshot.containers)
    nets = tuple(replace(n, host=me) if n.scope == "local" else n for n in snapshot.networks)
    hosts = tuple(
        Host(
            name=n.hostname,
            engine=snapshot.engine
            if n.hostname == me
            else Engine(name=n.hostname, server_version=n.engine_version),
            source=snapshot.source if n.hostname == me else "swarm node (seen from a manager)",
        )
        for n in nodes
    )
    return replace(
        snapshot,
        networks=nets,
        containers=(*local, *sorted(tasks, key=lambda c: c.name)),
        nodes=nodes,
        services=services,
        hosts=hosts,
    )


def parse_node(item: Json) -> SwarmNode:
    """One entry of `GET /nodes`."""
    spec, status = as_dict(item.get("Spec")), as_dict(item.get("Status"))
    description = as_dict(item.get("Description"))
    return SwarmNode(
        id=as_str(item.get("ID")),
        hostname=as_str(description.get("Hostname")) or as_str(item.get("ID"))[:12],
        role=as_str(spec.get("Role")) or "worker",
        state=as_str(status.get("State")),
        availability=as_str(spec.get("Availability")),
        address=as_str(status.get("Addr")),
        leader=as_dict(item.get("ManagerStatus")).get("Leader") is True,
        engine_version=as_str(as_dict(description.get("Engine")).get("EngineVersion")),
        labels=as_str_map(spec.get("Labels")),
    )


def parse_service(item: Json) -> Service | None:
    """One entry of `GET /services`."""
    if not isinstance(item, dict) or not as_str(item.get("ID")):
        return None
    spec = as_dict(item.get("Spec"))
    endpoint = as_dict(item.get("Endpoint"))
    endpoint_spec = as_dict(endpoint.get("Spec")) or as_dict(spec.get("EndpointSpec"))
    mode = as_dict(spec.get("Mode"))
    ports = tuple(
        ServicePort(
            target=as_int(p.get("TargetPort")) or 0,
            published=as_int(p.get("PublishedPort")),
            protocol=as_str(p.get("Protocol")) or "tcp",
            mode=as_str(p.get("PublishMode")) or "ingress",
        )
        for p in map(as_dict, as_list(endpoint.get("Ports")) or as_list(endpoint_spec.get("Ports")))
    )
    networks = as_list(as_dict(spec.get("TaskTemplate")).get("Networks")) or as_list(
        spec.get("Networks")
    )
    return Service(
        id=item["ID"],
        name=as_str(spec.get("Name")) or item["ID"][:12],
        mode="global" if "Global" in mode else "replicated",
        replicas=as_int(as_dict(mode.get("Replicated")).get("Replicas")),
        endpoint_mode=as_str(endpoint_spec.get("Mode")) or "vip",
        ports=ports,
        virtual_ips=tuple(
            VirtualIP(network_id=as_str(v.get("NetworkID")), address=as_str(v.get("Addr")))
            for v in map(as_dict, as_list(endpoint.get("VirtualIPs")))
        ),
        networks=tuple(
            as_str(as_dict(n).get("Target")) for n in networks if as_str(as_dict(n).get("Target"))
        ),
        labels=as_str_map(spec.get("Labels")),
    )


def _task_container(
    task: Json,
    services: Mapping[str, Service],
    hostnames: Mapping[str, str],
    networks: Mapping[str, Network],
) -> Container | None:
    """A task the manager knows of, as the container it is (on whichever node)."""
    if as_str(task.get("DesiredState")) != "running":
        return None  # history: a replaced or finished task
    service = services.get(as_str(task.get("ServiceID")))
    task_id = as_str(task.get("ID"))
    if service is None or not task_id:
        return None
    status = as_dict(task.get("Status"))
    container_id = as_str(as_dict(status.get("ContainerStatus")).get("ContainerID")) or task_id
    node_id = as_str(task.get("NodeID"))
    slot = as_int(task.get("Slot"))
    name = f"{service.name}.{slot or node_id}.{task_id}"
    endpoints = []
    for attachment in map(as_dict, as_list(task.get("NetworksAttachments"))):
        net = networks.get(as_str(as_dict(attachment.get("Network")).get("ID")))
        if net is None:
            continue
        address, _, prefix = (as_strs(attachment.get("Addresses")) or [""])[0].partition("/")
        endpoints.append(
            Endpoint(
                network_id=net.id,
                network_name=net.name,
                ipv4=address or None,
                ipv4_prefix_len=as_int(prefix),
                dns_names=None,
            )
        )
    ports = [
        Port(container_port=p.target, protocol=p.protocol, host_ip=ip, host_port=p.published)
        for p in service.ports
        if p.mode == "host" and p.published
        for ip in ("0.0.0.0", "::")  # noqa: S104 - what the engine reports for such a binding
    ]
    state = as_str(status.get("State")) or "unknown"
    image = as_str(as_dict(as_dict(task.get("Spec")).get("ContainerSpec")).get("Image")).split("@")[
        0
    ]
    return Container(
        id=container_id,
        name=name,
        image=image,
        state=state,
        network_mode=min((e.network_name for e in endpoints), default="default"),
        labels={
            SWARM_SERVICE_LABEL: service.name,
            SWARM_SERVICE_ID_LABEL: service.id,
            SWARM_TASK_LABEL: task_id,
            "com.docker.swarm.node.id": node_id,
        },
        ports=tuple(ports),
        endpoints=tuple(endpoints),
        host=hostnames.get(node_id, node_id[:12]),
    )

"""Synthetic snapshots of any size, shaped like real engines (for the scale benchmarks).

They are model records, not Engine API payloads: the benchmark measures netviz's own
pipeline from the snapshot file onwards. The mix: user-defined bridges (some internal, some
with icc off, a few overlays and a macvlan), the default bridge, a few host-network, `none`
and `container:` sidecars, some stopped containers, multi-homed containers, published ports,
compose projects.
"""

from __future__ import annotations

import random
from pathlib import Path

from visualizer.model import Container, Endpoint, Engine, Network, Port, Snapshot, Subnet
from visualizer.sources.snapshot import dumps

ENGINE = Engine(
    id="SYNT:HETI:C000",
    name="synthetic",
    server_version="27.5.1",
    api_version="1.47",
    os="Debian GNU/Linux 12 (bookworm)",
    os_type="linux",
    arch="x86_64",
    kernel_version="6.1.0",
    swarm_state="inactive",
    ipv4_forwarding=True,
    bridge_nf_iptables=True,
    bridge_nf_ip6tables=True,
)


def _hex(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def synthetic(containers: int, networks: int, *, seed: int = 7) -> Snapshot:
    """A snapshot with `containers` containers over `networks` networks."""
    rng = random.Random(seed)
    nets = [
        Network(
            id=_hex(rng),
            name="bridge",
            driver="bridge",
            subnets=(Subnet(cidr="172.17.0.0/16", gateway="172.17.0.1"),),
            options={
                "com.docker.network.bridge.default_bridge": "true",
                "com.docker.network.bridge.enable_icc": "true",
            },
        ),
        Network(id=_hex(rng), name="host", driver="host"),
        Network(id=_hex(rng), name="none", driver="null"),
    ]
    for i in range(max(networks - 3, 1)):
        a, b = divmod(i, 256)
        options = {"com.docker.network.bridge.enable_icc": "false"} if i % 17 == 5 else {}
        driver = "overlay" if i % 50 == 7 else "macvlan" if i % 97 == 11 else "bridge"
        project = f"proj{i // 4}" if i % 3 == 0 else None
        nets.append(
            Network(
                id=_hex(rng),
                name=f"net-{i:05d}",
                driver=driver,
                scope="swarm" if driver == "overlay" else "local",
                internal=i % 11 == 3,
                attachable=driver == "overlay",
                subnets=(Subnet(cidr=f"10.{a % 256}.{b}.0/24", gateway=f"10.{a % 256}.{b}.1"),),
                options=options,
                labels={"com.docker.compose.project": project} if project else {},
            )
        )
    user = nets[3:]
    records: list[Container] = []
    for i in range(containers):
        cid = _hex(rng)
        state = "exited" if i % 23 == 0 else "running"
        mode_pick = i % 97
        labels: dict[str, str] = {}
        endpoints: list[Endpoint] = []
        ports: list[Port] = []
        if mode_pick == 1:
            mode = "host"
            endpoints = [Endpoint(network_id=nets[1].id, network_name="host")]
        elif mode_pick == 2:
            mode = "none"
            endpoints = [Endpoint(network_id=nets[2].id, network_name="none")]
        elif mode_pick == 3 and records:
            mode = f"container:{records[-1].id}"
        else:
            chosen = [rng.choice(user)] if i % 9 else [nets[0]]
            if i % 13 == 0:
                chosen.append(rng.choice(user))
            mode = chosen[0].name
            unique = {net.id: net for net in chosen}.values()
            for net in unique:
                base = net.subnets[0].cidr.rsplit(".", 1)[0]
                host = 2 + (i % 250)
                endpoints.append(
                    Endpoint(
                        network_id=net.id,
                        network_name=net.name,
                        ipv4=f"{base}.{host}" if state == "running" else None,
                        ipv4_prefix_len=24,
                        gateway=net.subnets[0].gateway if state == "running" else None,
                        mac=f"02:42:0a:00:{host // 256:02x}:{host % 256:02x}",
                    )
                )
            project = chosen[0].labels.get("com.docker.compose.project")
            if project:
                labels = {
                    "com.docker.compose.project": project,
                    "com.docker.compose.service": f"svc{i % 5}",
                }
        if i % 7 == 0:
            ports.append(Port(container_port=80, host_ip="0.0.0.0", host_port=20000 + i % 40000))  # noqa: S104
        if i % 29 == 0:
            ports.append(
                Port(container_port=5432, host_ip="127.0.0.1", host_port=40000 + i % 20000)
            )
        records.append(
            Container(
                id=cid,
                name=f"ctr-{i:06d}",
                image="registry.example/app:1.2",
                state=state,
                network_mode=mode,
                labels=labels,
                ports=tuple(ports),
                endpoints=tuple(endpoints),
            )
        )
    return Snapshot(
        engine=ENGINE,
        networks=tuple(nets),
        containers=tuple(records),
        source="synthetic",
        captured_at="2026-01-01T00:00:00+00:00",
    )


def write(path: str | Path, containers: int, networks: int) -> Path:
    """Write a synthetic snapshot file."""
    target = Path(path)
    target.write_text(dumps(synthetic(containers, networks)))
    return target


def write_estate(path: str, hosts: int, containers: int, networks: int) -> None:
    """`hosts` synthetic engines merged as `netviz -H … -H …` merges them (names collide)."""
    from dataclasses import replace  # noqa: PLC0415

    from visualizer.sources.merge import merge  # noqa: PLC0415

    parts = []
    for i in range(hosts):
        snap = synthetic(containers, networks, seed=100 + i)
        engine = replace(snap.engine, id=f"SYNT:HOST:{i:04d}", name=f"host{i:02d}")
        parts.append((f"ssh://host{i:02d}", replace(snap, engine=engine), None))
    Path(path).write_text(dumps(merge(parts)))

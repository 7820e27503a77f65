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

from visualizer.model import (
    Container,
    Endpoint,
    Engine,
    Mount,
    Network,
    Port,
    Snapshot,
    Subnet,
)
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


# ---- estates shaped like real ones, for the picture benchmarks --------------------------------

WORDS = (
    "shop",
    "billing",
    "auth",
    "search",
    "chat",
    "media",
    "crm",
    "blog",
    "wiki",
    "mail",
    "analytics",
    "payments",
    "catalog",
    "inventory",
    "orders",
    "notify",
    "gateway",
    "reports",
    "ledger",
    "booking",
)
SERVICES = (
    # (service, image, replicas to draw from, publishes, joins the proxy, backend only)
    ("web", "nginx:1.27", (1, 2, 2, 3, 4), True, True, False),
    ("api", "registry.example/api:3.4", (1, 2, 3, 4, 6), False, False, False),
    ("worker", "registry.example/worker:3.4", (2, 4, 6, 8, 12), False, False, True),
    ("db", "postgres:16", (1,), False, False, True),
    ("cache", "redis:7", (1,), False, False, True),
    ("queue", "rabbitmq:3.13", (1,), False, False, True),
    ("cron", "registry.example/cron:1.0", (1,), False, False, True),
)


class _Ids:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.subnet = 0

    def hex(self) -> str:
        return _hex(self.rng)

    def network(self, name: str, **kw: object) -> Network:
        a, b = divmod(self.subnet, 256)
        self.subnet += 1
        cidr, gw = f"10.{a % 256}.{b}.0/24", f"10.{a % 256}.{b}.1"
        return Network(id=self.hex(), name=name, subnets=(Subnet(cidr=cidr, gateway=gw),), **kw)  # type: ignore[arg-type]


def _endpoint(net: Network, i: int, *, running: bool) -> Endpoint:
    base = net.subnets[0].cidr.rsplit(".", 1)[0] if net.subnets else ""
    host = 2 + (i % 250)
    return Endpoint(
        network_id=net.id,
        network_name=net.name,
        ipv4=f"{base}.{host}" if running and base else None,
        ipv4_prefix_len=24 if base else None,
        gateway=net.subnets[0].gateway if running and net.subnets else None,
        mac=f"02:42:0a:00:{host // 256:02x}:{host % 256:02x}",
    )


def estate(containers: int, *, seed: int = 7) -> Snapshot:
    """An estate of about `containers` containers over about a tenth as many networks.

    Mostly compose projects (v2 names `project-service-N`): each has a default network, often a
    frontend and an internal backend network, and services with replicas (web 1-4, api 1-6,
    workers up to 12); their web services publish ports and join a shared reverse-proxy
    network, and some exporters join a shared monitoring network. About a fifth of the
    containers are standalone: on the default bridge, on networks of their own (one with icc
    off, one macvlan), a few host-network, `none` and `container:` sidecars. About one in
    twenty-five containers has exited, sometimes a whole service, sometimes one replica.

    Data, as compose projects keep it: a database volume per project, an uploads volume the
    api writes and the web serves read-only, a configuration directory bound read-only into
    the workers; node exporters bind the host's `/` read-only and the engine socket (equivalent
    to the host); some standalone jobs of different teams share a reports volume.
    """
    ids = _Ids(seed)
    rng = ids.rng
    bridge = Network(
        id=ids.hex(),
        name="bridge",
        driver="bridge",
        subnets=(Subnet(cidr="172.17.0.0/16", gateway="172.17.0.1"),),
        options={
            "com.docker.network.bridge.default_bridge": "true",
            "com.docker.network.bridge.enable_icc": "true",
        },
    )
    host_net = Network(id=ids.hex(), name="host", driver="host")
    none_net = Network(id=ids.hex(), name="none", driver="null")
    shared = [ids.network("edge-proxy", driver="bridge")]
    shared += [ids.network(f"monitoring-{i}", driver="bridge") for i in range(containers // 1500)]
    nets = [bridge, host_net, none_net, *shared]
    records: list[Container] = []
    counter = iter(range(10**9))

    def add(name: str, image: str, mode: str, eps: list[Endpoint], **kw: object) -> Container:
        c = Container(
            id=ids.hex(),
            name=name,
            image=image,
            network_mode=mode,
            endpoints=tuple(eps),
            **kw,  # type: ignore[arg-type]
        )
        records.append(c)
        return c

    budget = containers * 4 // 5
    p = 0
    while len(records) < budget:
        project = f"{WORDS[p % len(WORDS)]}{p // len(WORDS) or ''}"
        p += 1
        default = ids.network(f"{project}_default", driver="bridge", labels={COMPOSE: project})
        own = [default]
        frontend = backend = None
        if rng.random() < 0.3:
            frontend = ids.network(
                f"{project}_frontend", driver="bridge", labels={COMPOSE: project}
            )
            own.append(frontend)
        if rng.random() < 0.5:
            backend = ids.network(
                f"{project}_backend", driver="bridge", internal=True, labels={COMPOSE: project}
            )
            own.append(backend)
        nets.extend(own)
        chosen = [s for s in SERVICES if s[0] in {"web", "api", "worker"} or rng.random() < 0.5]
        whole_stopped = p % 29 == 11
        monitored = shared[1 + p % (len(shared) - 1)] if len(shared) > 1 and p % 3 == 0 else None
        for service, image, replicas, publishes, proxied, backend_only in chosen:
            count = min(rng.choice(replicas), max(1, budget - len(records)))
            # every replica of a service has the same networks, as compose creates them
            attach = [backend] if backend_only and backend is not None else [default]
            if frontend is not None and service == "web":
                attach.append(frontend)
            if backend is not None and service == "api":
                attach.append(backend)
            if proxied and rng.random() < 0.6:
                attach.append(shared[0])
            if service == "worker" and monitored is not None:
                attach.append(monitored)
            attach = list({net.id: net for net in attach}.values())
            for n in range(1, count + 1):
                i = next(counter)
                running = not whole_stopped and rng.random() > 0.02
                ports: list[Port] = []
                everywhere = "0.0.0.0"  # noqa: S104 - a published port's host address
                if publishes and running:
                    ports.append(
                        Port(container_port=80, host_ip=everywhere, host_port=8000 + i % 50000)
                    )
                if service == "db" and rng.random() < 0.3:
                    ports.append(
                        Port(container_port=5432, host_ip="127.0.0.1", host_port=15432 + p)
                    )
                add(
                    f"{project}-{service}-{n}",
                    image,
                    attach[0].name,
                    [_endpoint(net, i, running=running) for net in attach],
                    state="running" if running else "exited",
                    ports=tuple(ports),
                    mounts=_mounts(project, service),
                    labels={
                        COMPOSE: project,
                        "com.docker.compose.service": service,
                        "com.docker.compose.container-number": str(n),
                    },
                )
    # standalone containers: on networks of their own, the default bridge, host, none, sidecars
    pool: list[Network] = []
    s = 0
    while len(records) < containers:
        i = next(counter)
        running = rng.random() > 0.04
        pick = s % 20
        s += 1
        name = f"{WORDS[(s * 7) % len(WORDS)]}-job-{s}"
        if pick == 0:
            add(
                name,
                "alpine:3.20",
                "bridge",
                [_endpoint(bridge, i, running=running)],
                state="running" if running else "exited",
            )
        elif pick == 1 and s % 3 == 0:
            add(
                f"node-exporter-{s}",
                "prom/node-exporter:1.8",
                "host",
                [Endpoint(network_id=host_net.id, network_name="host")],
                mounts=(
                    Mount(type="bind", source="/", destination="/host", rw=False),
                    Mount(
                        type="bind",
                        source="/var/run/docker.sock",
                        destination="/var/run/docker.sock",
                        rw=False,
                    ),
                ),
            )
        elif pick == 2 and s % 3 == 0:
            add(
                name,
                "alpine:3.20",
                "none",
                [Endpoint(network_id=none_net.id, network_name="none")],
                state="running" if running else "exited",
            )
        elif pick == 3 and records and records[-1].netns_target is None and records[-1].endpoints:
            add(
                f"{records[-1].name}-sidecar",
                "registry.example/envoy:1.31",
                f"container:{records[-1].id}",
                [],
            )
        else:
            if not pool or rng.random() < 0.05:
                k = len(pool)
                options = {"com.docker.network.bridge.enable_icc": "false"} if k % 23 == 5 else {}
                driver = "macvlan" if k % 41 == 7 else "bridge"
                pool.append(ids.network(f"team-{k:03d}", driver=driver, options=options))
                nets.append(pool[-1])
            net = rng.choice(pool)
            eps = [_endpoint(net, i, running=running)]
            if rng.random() < 0.1:
                eps.append(_endpoint(shared[0], i, running=running))
            reports = (
                (Mount(type="volume", name="reports", destination="/reports", driver="local"),)
                if s % 25 == 4
                else ()
            )
            add(
                name,
                "registry.example/tool:2.1",
                net.name,
                eps,
                state="running" if running else "exited",
                mounts=reports,
            )
    return Snapshot(
        engine=ENGINE,
        networks=tuple(nets),
        containers=tuple(records[:containers]),
        source="synthetic estate",
        captured_at="2026-01-01T00:00:00+00:00",
    )


COMPOSE = "com.docker.compose.project"


def _mounts(project: str, service: str) -> tuple[Mount, ...]:
    """What a compose service of the estate mounts."""

    def volume(name: str, where: str, *, rw: bool = True) -> Mount:
        return Mount(
            type="volume", name=f"{project}_{name}", destination=where, driver="local", rw=rw
        )

    found = {
        "db": (volume("db-data", "/var/lib/postgresql/data"),),
        "api": (volume("uploads", "/uploads"),),
        "web": (volume("uploads", "/srv/uploads", rw=False),),
        "worker": (
            Mount(type="bind", source=f"/srv/{project}/config", destination="/config", rw=False),
        ),
    }
    return found.get(service, ())


def write_estate_file(path: str | Path, containers: int) -> Path:
    """Write a realistic estate snapshot file (`estate`)."""
    target = Path(path)
    target.write_text(dumps(estate(containers)))
    return target

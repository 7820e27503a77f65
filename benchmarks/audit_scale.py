"""The audit at 10,000 containers, whatever the estate's shape: `python3 benchmarks/audit_scale.py`.

Three shapes that made the pair-by-pair audit quadratic:

- `one-network`: every container on one user-defined bridge network (100 M ordered pairs);
- `isolated-publishing`: every container alone on its own network, each publishing a port on
  every host address (every container reaches every other through the host);
- `shared-stack`: every container joined to one container's network stack
  (`--network container:…`), all of them one network namespace.

Each runs `netviz audit --from SNAPSHOT -f json` (the default, grouped above `PAIR_LIMIT`) and
`-f table` in a fresh process, and reports wall time and peak RSS (`getrusage` of the child).
The goal: at most 10 s and 1 GB each. Nothing here asserts timings in tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visualizer.model import Container, Endpoint, Engine, Network, Port, Snapshot, Subnet  # noqa: E402
from visualizer.sources.snapshot import dumps  # noqa: E402

ENGINE = Engine(id="bench", name="bench", server_version="28.2.2", api_version="1.50")
GOAL_SECONDS = 10.0
GOAL_BYTES = 1 << 30


def _hex(i: int, kind: int) -> str:
    return f"{kind:02x}{i:062x}"


def _address(i: int) -> tuple[str, str]:
    """The i-th address of 10.0.0.0/8 and its network's gateway."""
    n = i + 2
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "10.0.0.1"


def one_network(count: int) -> Snapshot:
    """Every container on one user-defined bridge network."""
    net = Network(id=_hex(0, 1), name="big", driver="bridge", subnets=(Subnet(cidr="10.0.0.0/8"),))
    containers = tuple(
        Container(
            id=_hex(i, 2),
            name=f"c{i:05d}",
            image="app:1",
            network_mode="big",
            endpoints=(
                Endpoint(
                    network_id=net.id,
                    network_name=net.name,
                    ipv4=_address(i)[0],
                    ipv4_prefix_len=8,
                    gateway="10.0.0.1",
                ),
            ),
        )
        for i in range(count)
    )
    return Snapshot(engine=ENGINE, networks=(net,), containers=containers, source="bench")


def isolated_publishing(count: int) -> Snapshot:
    """Every container alone on its own network, publishing port 80 on every host address."""
    nets = []
    containers = []
    for i in range(count):
        a, b = divmod(i, 256)
        cidr, ip = f"10.{a % 256}.{b}.0/24", f"10.{a % 256}.{b}.2"
        net = Network(
            id=_hex(i, 1), name=f"n{i:05d}", driver="bridge", subnets=(Subnet(cidr=cidr),)
        )
        nets.append(net)
        containers.append(
            Container(
                id=_hex(i, 2),
                name=f"c{i:05d}",
                image="app:1",
                network_mode=net.name,
                ports=(
                    Port(container_port=80, host_ip="0.0.0.0", host_port=10000 + i),  # noqa: S104
                    Port(container_port=80, host_ip="::", host_port=10000 + i),
                ),
                endpoints=(
                    Endpoint(network_id=net.id, network_name=net.name, ipv4=ip, ipv4_prefix_len=24),
                ),
            )
        )
    return Snapshot(
        engine=ENGINE, networks=tuple(nets), containers=tuple(containers), source="bench"
    )


def shared_stack(count: int) -> Snapshot:
    """One container on a network, every other one joined to its network stack."""
    net = Network(
        id=_hex(0, 1), name="stack", driver="bridge", subnets=(Subnet(cidr="10.0.0.0/24"),)
    )
    first = Container(
        id=_hex(0, 2),
        name="c00000",
        image="app:1",
        network_mode="stack",
        ports=(Port(container_port=80, host_ip="0.0.0.0", host_port=8080),),  # noqa: S104
        endpoints=(
            Endpoint(network_id=net.id, network_name=net.name, ipv4="10.0.0.2", ipv4_prefix_len=24),
        ),
    )
    joined = tuple(
        Container(
            id=_hex(i, 2), name=f"c{i:05d}", image="app:1", network_mode=f"container:{first.id}"
        )
        for i in range(1, count)
    )
    return Snapshot(engine=ENGINE, networks=(net,), containers=(first, *joined), source="bench")


SHAPES = {
    "one-network": one_network,
    "isolated-publishing": isolated_publishing,
    "shared-stack": shared_stack,
}


def measure(args: list[str]) -> tuple[float, int, int, int]:
    """Seconds, peak RSS in bytes, output size and exit code of one run in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "visualizer", *args],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest so far
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        size = out.tell()
    return seconds, usage.ru_maxrss * 1024, size, child.returncode


def main() -> int:
    """Write the shapes, audit each, print a table; exit 1 when a run misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=10_000)
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    given = parser.parse_args()
    missed = False
    print(f"{'shape':<22}{'format':<8}{'seconds':>9}{'peak RSS':>12}{'output':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in given.shape or SHAPES:
            path = Path(tmp) / f"{shape}.json"
            path.write_text(dumps(SHAPES[shape](given.containers)))
            for fmt in ("json", "table"):
                seconds, peak, size, code = measure(["audit", "--from", str(path), "-f", fmt])
                over = seconds > GOAL_SECONDS or peak > GOAL_BYTES or code not in (0, 1)
                missed |= over
                print(
                    f"{shape:<22}{fmt:<8}{seconds:>8.1f}s{peak / 2**20:>9.0f} MiB"
                    f"{size / 2**20:>9.1f} MiB  exit {code}{'  MISSED' if over else ''}"
                )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

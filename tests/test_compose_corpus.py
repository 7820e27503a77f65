"""A corpus of real public compose files (tests/data/compose-corpus, each project with its
SOURCE.json: repository, commit, licence, the files and how Compose is run on them).

Every project parses. A representative subset (`DEPLOYED`) is brought up for real with
Debian's docker-compose (v1.29, YAML 1.1, v1 names) on the test engine, with every image
replaced by the local busybox image running `sleep`, under a unique project name; the
prediction, the live audit and ping from inside the containers must agree on every ordered
pair of the project's containers (reachable, and reachable by name). Then `down -v`.

The deployed copies keep what decides reachability (networks, aliases, static addresses,
internal networks, IPv6, `network_mode`, links, `extends`, profiles, `scale`) and drop what
cannot run here or would clash on a shared engine: host port bindings (the same host port in
two projects), fixed container names, volumes, env files and health checks (dependencies stay:
the start order decides who gets a free address first).
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import re
import shutil
import subprocess
from itertools import permutations
from pathlib import Path

import pytest
from conftest import IMAGE, Lab
from ruamel.yaml import YAML
from test_reality import observed

import visualizer as nv
from visualizer.analysis.reachability import Reachability

CORPUS = Path(__file__).resolve().parent / "data" / "compose-corpus"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())

DEPLOYED = [
    "awesome-compose-nextcloud-redis-mariadb",
    "awesome-compose-react-express-mongodb",
    "awesome-compose-pihole-cloudflared-DoH",
    "compose-e2e-bridge",
    "compose-e2e-network-test",
    "compose-go-extends-chain",
    "example-voting-app",
    "jitsi-docker-jitsi-meet",
    "mailcow-dockerized",
]
"""Deployed in CI; each adds something the others do not (two networks and no default,
static IPv4 addresses, an internal network, `network_mode: service:`, `extends` across
directories, profiles, aliases, IPv6 with static addresses and 18 containers). The other
projects are single-network variations of the same shapes, and bringing all 53 up would
take several minutes of CI per run for no new rule."""

SUBNETS = {
    "awesome-compose-pihole-cloudflared-DoH": "172.20.0",
    "mailcow-dockerized": "172.22.1",
}
"""The /24 a deployed project fixes (subnet, static addresses): moved to a free one, as the
engine is shared and another network may already use it."""

KEEP = frozenset(
    {
        "image",
        "command",
        "expose",
        "networks",
        "network_mode",
        "hostname",
        "labels",
        "cap_add",
        "links",
        "profiles",
        "scale",
        "extends",
        "depends_on",
    }
)


def source(name: str):
    return json.loads((CORPUS / name / "SOURCE.json").read_text())


# ---- every file parses --------------------------------------------------------------------------


def test_the_corpus_is_dozens_of_projects_with_every_feature():
    assert len(PROJECTS) >= 50
    text = "\n".join(p.read_text() for p in CORPUS.rglob("*") if p.suffix in {".yml", ".yaml"})
    for feature in (
        "internal: true",
        "aliases:",
        "ipv4_address",
        "enable_ipv6",
        "profiles:",
        "extends:",
        "include:",
        "network_mode:",
    ):
        assert feature in text, feature


@pytest.mark.parametrize("name", PROJECTS)
def test_every_project_parses(name):
    meta = source(name)
    folder = CORPUS / name
    listed = set(meta["files"]) | {"SOURCE.json"}
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert present == listed  # every file is accounted for
    assert re.fullmatch(r"[0-9a-f]{40}", meta["commit"])
    assert meta["repository"].startswith("https://github.com/") and meta["licence"]
    snap = nv.load_compose(
        [folder / f for f in meta["compose_files"]],
        project_name="corpus",
        profiles=tuple(meta["profiles"]),
    )
    assert snap.containers
    for container in snap.containers:
        assert container.compose_project == "corpus"
        for endpoint in container.endpoints:
            assert any(n.id == endpoint.network_id for n in snap.networks)


# ---- deployed with docker-compose: prediction = live audit = ping ---------------------------------


def free_prefix() -> str:
    """A 10.x.y.0/24 that no network of the shared engine overlaps."""
    ids = subprocess.run(
        ["docker", "network", "ls", "-q"], capture_output=True, text=True, check=True
    ).stdout.split()
    used = [
        ipaddress.ip_network(cfg["Subnet"], strict=False)
        for net in json.loads(
            subprocess.run(
                ["docker", "network", "inspect", *ids], capture_output=True, text=True, check=False
            ).stdout
            or "[]"
        )
        for cfg in (net.get("IPAM") or {}).get("Config") or ()
        if cfg.get("Subnet")
    ]
    rng = random.Random()
    while True:
        candidate = ipaddress.ip_network(f"10.{rng.randrange(200, 250)}.{rng.randrange(256)}.0/24")
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate.network_address).rsplit(".", 1)[0]


def deployable_copy(name: str, into: Path) -> list[Path]:
    """The project's files with busybox images and only what decides reachability."""
    meta = source(name)
    yaml = YAML(typ="rt")
    moved = (SUBNETS[name], free_prefix()) if name in SUBNETS else None
    for rel in meta["files"]:
        src, dst = CORPUS / name / rel, into / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix not in {".yml", ".yaml"}:
            shutil.copy(src, dst)
            continue
        text = src.read_text()
        if moved is not None:
            text = re.sub(re.escape(moved[0]) + r"(?![0-9])", moved[1], text)
        doc = yaml.load(text)
        for svc in (doc.get("services") or {}).values():
            for key in [k for k in svc if k not in KEEP]:
                del svc[key]
            if isinstance(svc.get("depends_on"), dict):  # conditions need health checks
                svc["depends_on"] = list(svc["depends_on"])
            svc["image"] = IMAGE
            svc["command"] = ["sleep", "1d"]
        for key in [k for k in doc if k not in {"services", "networks"}]:
            del doc[key]
        for net in (doc.get("networks") or {}).values():
            for key, value in list((net or {}).items()):
                if key in {"enable_ipv6", "internal", "attachable"} and isinstance(value, str):
                    # Compose v1 casts no interpolated text to a boolean: give it the default
                    default = re.fullmatch(r"\$\{\w+:?-(\w+)\}", value)
                    net[key] = (default.group(1) if default else value).lower() == "true"
        with dst.open("w") as fh:
            yaml.dump(doc, fh)
    return [into / f for f in meta["compose_files"]]


def compose(project, files, profiles, *args):
    cmd = ["docker-compose", "-p", project]
    for f in files:
        cmd += ["-f", str(f)]
    for p in profiles:
        cmd += ["--profile", p]
    return subprocess.run(
        [*cmd, *args], cwd=files[0].parent, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.docker
@pytest.mark.usefixtures("docker_compose")
@pytest.mark.parametrize("name", DEPLOYED)
def test_deployed_project_matches_prediction_and_ping(engine, tmp_path, name):
    files = deployable_copy(name, tmp_path / name)
    profiles = source(name)["profiles"]
    project = f"nvk{os.getpid() % 100000}{DEPLOYED.index(name)}"
    up = compose(project, files, profiles, "up", "-d")
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        predicted = nv.load_compose(
            files, project_name=project, profiles=tuple(profiles), naming="v1"
        )
        live = nv.load(nv.SourceSpec(), inspect=True)
        names = sorted(c.name for c in predicted.containers)
        assert names == sorted(c.name for c in live.containers if c.compose_project == project)

        def verdicts(snap):
            model = Reachability(nv.build_graph(snap))
            out = {}
            for a, b in permutations(names, 2):
                v = model.verdict(model.find(a), model.find(b))
                out[(a, b)] = (v.reachable, v.reachable and v.by_name)
            return out

        def attachments(snap):
            """Per container: its networks, with the addresses the files fix."""
            fixed = {
                (c.name, e.network_name): e.ipv4 for c in predicted.containers for e in c.endpoints
            }
            return {
                c.name: sorted(
                    (e.network_name, e.ipv4 if fixed.get((c.name, e.network_name)) else None)
                    for e in c.endpoints
                )
                for c in snap.containers
                if c.name in names
            }

        assert attachments(predicted) == attachments(live)
        mine, theirs = verdicts(predicted), verdicts(live)
        assert mine == theirs
        assert len(names) == 1 or any(reached for reached, _ in mine.values())
        reality = observed(Lab(), names)
        wrong = [
            f"{a} -> {b}: predicted {mine[(a, b)]}, ping {reality[(a, b)]}"
            for a, b in mine
            if mine[(a, b)] != reality[(a, b)]
        ]
        assert not wrong, "\n".join(wrong)
    finally:
        compose(project, files, profiles, "down", "-v", "-t", "0")

"""Podman's Docker-compatible service: what differs from a Docker engine in its answers.

Podman's `/networks` lists its default network as `bridge`, while containers name it `podman`
(its real name); its own `GET /libpod/networks/json` gives the names and whether aardvark-dns
answers on each network (`dns_enabled`), which decides name resolution there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from visualizer.sources.raw import Json, as_dict, as_list, as_str, as_str_map

if TYPE_CHECKING:
    from visualizer.model import Network


def is_podman(version: Json) -> bool:
    """Whether `GET /version` comes from Podman's Docker-compatible service."""
    components = as_list(as_dict(version).get("Components"))
    return any(as_str(as_dict(c).get("Name")).lower().startswith("podman") for c in components)


def podman_networks(networks: list[Network], libpod: Json, warnings: list[str]) -> list[Network]:
    """Podman's networks under their own names, each with its DNS setting.

    Podman's `/networks` lists its default network as `bridge`, while containers name it
    `podman` (its real name, as in `podman network ls`): the network is matched by ID in
    Podman's own list, which also tells whether aardvark-dns answers on it (`dns_enabled`).
    """
    own = {as_str(as_dict(n).get("id")): as_dict(n) for n in as_list(libpod)}
    found = []
    for net in networks:
        entry = own.get(net.id)
        if entry is None:
            warnings.append(
                f"Podman network {net.name!r} is missing from Podman's own network list: "
                "its DNS setting is unknown, judged by Docker's rules"
            )
            found.append(net)
            continue
        name = as_str(entry.get("name")) or net.name
        dns = entry.get("dns_enabled")
        found.append(
            replace(
                net,
                name=name,
                dns_enabled=dns if isinstance(dns, bool) else None,
                internal=net.internal or entry.get("internal") is True,
                options={**net.options, **as_str_map(entry.get("options"))},
            )
        )
    return found

"""`netviz reach A B`: the answer as a sentence or as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.analysis.reachability import RULES
from visualizer.model import port_texts
from visualizer.renderers.audit_json import channel_json, pair_json
from visualizer.text import json_text, visible

if TYPE_CHECKING:
    from visualizer.analysis.channels import Channel
    from visualizer.analysis.reachability import PortPath, Verdict


def verdict_text(v: Verdict, path: PortPath | None, channels: tuple[Channel, ...] = ()) -> str:
    """`yes: …` / `no: …`, then the rules and names, one per line; engine text made visible."""
    answer = "yes" if v.reachable else "no"
    how = ""
    if v.reachable:
        how = " by name" if v.by_name else " by IP only"
        how += f" over {', '.join(v.via)}" if v.via else ""
    lines = [f"{answer}: {v.source} {'reaches' if v.reachable else 'cannot reach'} {v.target}{how}"]
    lines.append(f"  because {v.reason}")
    lines.extend(f"  rule {r}: {RULES.get(r, '')}" for r in v.rules)
    if v.names:
        lines.append(f"  names that resolve: {', '.join(v.names)}")
    if path is not None:
        ports = ", ".join(port_texts(path.ports))
        lines.append(
            f"  but it reaches {v.target}'s published ports {ports} through a host address (R11)"
        )
    if channels:
        lines.append(f"besides the network, {v.source} can affect {v.target} through:")
        lines.extend(f"  {ch.kind.value} ({ch.direction}): {ch.reason}" for ch in channels)
    else:
        lines.append(f"no channel besides the network from {v.source} to {v.target}")
    return "\n".join(visible(line) for line in lines) + "\n"


def verdict_json(v: Verdict, path: PortPath | None, channels: tuple[Channel, ...] = ()) -> str:
    """The verdict as JSON: the audit's pair fields plus `reachable`, `port_path`, `channels`."""
    body = {"reachable": v.reachable, **pair_json(v)}
    body["port_path"] = (
        [
            {
                "host_ip": p.host_ip,
                "host_port": p.host_port,
                "container_port": p.container_port,
                "protocol": p.protocol,
            }
            for p in path.ports
        ]
        if path is not None
        else None
    )
    body["channels"] = [channel_json(ch) for ch in channels]
    return json_text(body) + "\n"

"""Docker's own refusals, in the engine's words: what `docker` prints when it will not do it.

Every message was measured on Docker Engine 20.10.24 (API 1.41) with the docker CLI 28.2.2
and docker-compose 1.29.2, except where a function says it comes from public reports (swarm
attachments, Compose v2). Errors the daemon raises are printed by the CLI after
`Error response from daemon: `; errors the CLI finds itself have no prefix. `docker run`
adds `docker: ` in front of either, which is presentation and left out here.
"""

from __future__ import annotations

DAEMON = "Error response from daemon: "


class Refused(Exception):  # noqa: N818 - it is what the engine does, not a bug
    """The engine (or the docker CLI) refuses a command; the script stops there."""

    def __init__(self, message: str, *, daemon: bool = True, created: bool = False) -> None:
        """`created`: `docker run` created the container but could not start it."""
        super().__init__(message)
        self.message = (DAEMON + message) if daemon else message
        self.created = created
        self.more: tuple[str, ...] = ()
        """Further messages, when a command on several objects failed on more than one."""


# ---- networks --------------------------------------------------------------------------------


def network_exists(name: str) -> Refused:
    """`docker network create` with a name in use."""
    return Refused(f"network with name {name} already exists")


def network_not_found(ref: str, *, created: bool = False) -> Refused:
    """A network name or ID the engine does not know (`docker run` creates the container first)."""
    return Refused(f"network {ref} not found", created=created)


def predefined(name: str) -> Refused:
    """`docker network rm bridge|host|none`."""
    return Refused(f"{name} is a pre-defined network and cannot be removed")


def active_endpoints(name: str, network_id: str, *, daemon: bool = True) -> Refused:
    """Removing a network that running containers are attached to (the study note's rule)."""
    return Refused(
        f"error while removing network: network {name} id {network_id} has active endpoints",
        daemon=daemon,
    )


def gateway_without_subnet() -> Refused:
    """`--gateway` or `--ip-range` without `--subnet` (the CLI checks it)."""
    return Refused("every ip-range or gateway must have a corresponding subnet", daemon=False)


def no_matching_subnet(what: str, value: str) -> Refused:
    """A gateway or IP range in none of the given subnets (the CLI checks it)."""
    return Refused(f"no matching subnet for {what} {value}", daemon=False)


def invalid_subnet(value: str) -> Refused:
    """`--subnet` that is not a CIDR."""
    return Refused(f"Invalid subnet {value} : invalid CIDR address: {value}")


def pool_overlaps() -> Refused:
    """`--subnet` overlapping another network's subnet on the same engine."""
    return Refused("Pool overlaps with other one on this address space")


def no_ipv6_pool() -> Refused:
    """`--ipv6` without an IPv6 `--subnet`, on engines before 27.0 (no default IPv6 pool)."""
    return Refused(
        "could not find an available, non-overlapping IPv6 address pool among the defaults "
        "to assign to the network"
    )


def not_swarm_manager() -> Refused:
    """`docker network create -d overlay` on an engine that is not a swarm manager."""
    return Refused(
        'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" '
        "to connect this node to swarm and try again."
    )


def not_attachable(name: str, *, created: bool = False) -> Refused:
    """A standalone container on a non-attachable overlay (from public reports; no swarm here)."""
    return Refused(
        f"Could not attach to network {name}: rpc error: code = PermissionDenied "
        f"desc = network {name} not manually attachable",
        created=created,
    )


# ---- connect and disconnect ----------------------------------------------------------------


def host_network() -> Refused:
    """Connecting to, or disconnecting from, the host network."""
    return Refused(
        "container cannot be disconnected from host network or connected to host network"
    )


def private_none() -> Refused:
    """Connecting `none` and another network to one container."""
    return Refused(
        "container cannot be connected to multiple networks with one of the networks in "
        "private (none) mode"
    )


def shared_namespace() -> Refused:
    """Connecting a host-mode or `container:` container to a network."""
    return Refused(
        "container sharing network namespace with another container or host cannot be "
        "connected to any other network"
    )


def endpoint_exists(container: str, network: str) -> Refused:
    """Connecting a container twice to one network."""
    return Refused(f"endpoint with name {container} already exists in network {network}")


def alias_on_default(*, run: bool = False) -> Refused:
    """An alias on the default bridge (or host, none, `container:` for `docker run`)."""
    if run:  # the CLI checks it before asking the engine
        return Refused(
            "network-scoped aliases are only supported for user-defined networks", daemon=False
        )
    return Refused("network-scoped alias is supported only for containers in user defined networks")


def ip_on_default(*, created: bool = False) -> Refused:
    """`--ip` on the default bridge, host or none."""
    return Refused(
        "user specified IP address is supported on user defined networks only", created=created
    )


def ip_without_subnet(*, created: bool = False) -> Refused:
    """`--ip` on a network whose subnet the engine chose itself."""
    return Refused(
        "user specified IP address is supported only when connecting to networks with user "
        "configured subnets",
        created=created,
    )


def ip_outside(address: str, *, created: bool = False) -> Refused:
    """`--ip` in none of the network's subnets."""
    return Refused(
        f"Invalid address {address}: It does not belong to any of this network's subnets",
        created=created,
    )


def address_in_use(*, created: bool = False) -> Refused:
    """`--ip` that a running container on the network holds."""
    return Refused("Address already in use", created=created)


def not_connected(container_id: str, network: str) -> Refused:
    """Disconnecting a container that is not on the network."""
    return Refused(f"container {container_id} is not connected to network {network}")


# ---- containers ------------------------------------------------------------------------------


def no_such_container(ref: str, *, created: bool = False) -> Refused:
    """A container name or ID the engine does not know."""
    return Refused(f"No such container: {ref}", created=created)


def invalid_name(name: str, *, rename: bool = False) -> Refused:
    """A container name the engine does not accept."""
    message = (
        f"Invalid container name ({'/' if rename else ''}{name}), only "
        "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    )
    return Refused(f"Error when allocating new name: {message}" if rename else message)


def name_in_use(name: str, holder_id: str, *, rename: bool = False) -> Refused:
    """A container name another container has."""
    message = (
        f'Conflict. The container name "/{name}" is already in use by container '
        f'"{holder_id}". You have to remove (or rename) that container to be able to reuse '
        "that name."
    )
    return Refused(f"Error when allocating new name: {message}" if rename else message)


def same_name() -> Refused:
    """`docker rename` to the current name."""
    return Refused("Renaming a container with the same name as its current name")


def remove_running(container_id: str) -> Refused:
    """`docker rm` of a running container without `-f`."""
    return Refused(
        f"You cannot remove a running container {container_id}. Stop the container before "
        "attempting removal or force remove"
    )


def several_networks(names: list[str]) -> Refused:
    """`docker run --network a --network b` on an engine before API 1.44.

    The engine lists the networks in no fixed order (a Go map's); here they are as given.
    """
    return Refused(f"Container cannot be connected to network endpoints: {', '.join(names)}")


def ports_with_container_mode() -> Refused:
    """`docker run --network container:X -p …`."""
    return Refused("conflicting options: port publishing and the container type network mode")


def links_with_container_mode() -> Refused:
    """`docker run --network container:X --link …`."""
    return Refused(
        "conflicting options: container type network can't be used with links. This would "
        "result in undefined behavior"
    )


def link_target_missing(ref: str) -> Refused:
    """A legacy `--link` (default bridge) to a container that does not exist."""
    return Refused(f"could not get container for {ref}: No such container: {ref}")


def link_target_stopped(target: str, holder: str, alias: str, *, created: bool = False) -> Refused:
    """A legacy `--link` to a container that is not running."""
    return Refused(
        f"Cannot link to a non running container: /{target} AS /{holder}/{alias}",
        created=created,
    )


def link_off_default(target: str, *, created: bool = False) -> Refused:
    """A legacy `--link` to a container that is not on the default bridge."""
    return Refused(
        f"Cannot link to /{target}, as it does not belong to the default network",
        created=created,
    )


def owner_stopped(owner_id: str, *, created: bool = False) -> Refused:
    """Starting a `container:` container whose stack owner is not running."""
    return Refused(f"cannot join network of a non running container: {owner_id}", created=created)


def port_allocated(
    container: str, endpoint_id: str, address: str, *, created: bool = False
) -> Refused:
    """Publishing a host port another running container publishes (`address` = `ip:port`)."""
    return Refused(
        f"driver failed programming external connectivity on endpoint {container} "
        f"({endpoint_id}): Bind for {address} failed: port is already allocated",
        created=created,
    )


# ---- compose ---------------------------------------------------------------------------------


def external_missing(name: str, *, v1: bool) -> Refused:
    """A project's external network that does not exist (v2's wording from public reports)."""
    if v1:
        return Refused(
            f"Network {name} declared as external, but could not be found. Please create the "
            f"network manually using `docker network create {name}` and try again.",
            daemon=False,
        )
    return Refused(f"network {name} declared as external, but could not be found", daemon=False)


# ---- data and namespaces ---------------------------------------------------------------------


def cli_invalid(message: str) -> Refused:
    """An option value the docker CLI rejects itself, before asking the engine."""
    return Refused(message, daemon=False)


def invalid_volume_spec(raw: str, reason: str = "") -> Refused:
    """A `-v` the engine cannot read (`reason`: why, as the engine words it)."""
    return Refused(f"invalid volume specification: '{raw}'" + (f": {reason}" if reason else ""))


def invalid_mode(mode: str) -> Refused:
    """A `-v` or `--volumes-from` mode the engine does not know (`rw,ro`, `bogus`)."""
    return Refused(f"invalid mode: {mode}")


def mount_config(kind: str, reason: str) -> Refused:
    """A `--mount` the engine refuses (`field Source must not be empty`)."""
    return Refused(f'invalid mount config for type "{kind}": {reason}')


def invalid_volume_name(name: str) -> Refused:
    """A `-v NAME:…` whose source is neither an absolute path nor a valid volume name."""
    return Refused(
        f'create {name}: "{name}" includes invalid characters for a local volume name, only '
        '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use '
        "absolute path"
    )


def duplicate_mount(destination: str) -> Refused:
    """Two mounts (`-v`, `--mount`, `--tmpfs`) on one destination."""
    return Refused(f"Duplicate mount point: {destination}")


def unknown_capability(option: str, capability: str) -> Refused:
    """`--cap-add` / `--cap-drop` of a capability the engine does not know."""
    return Refused(f'invalid {option}: unknown capability: "{capability}"')


def invalid_security_opt(opt: str) -> Refused:
    """A `--security-opt` key the engine does not know, or a bad value."""
    return Refused(f'invalid --security-opt 2: "{opt}"')


def invalid_ipc_mode(mode: str, *, created: bool = False) -> Refused:
    """An `--ipc` value the engine does not know (it refuses it when the container starts)."""
    return Refused(f"Invalid IPC mode: {mode}", created=created)


def ipc_donor(donor_id: str, reason: str, *, created: bool = False) -> Refused:
    """`--ipc container:X` whose donor is gone, stopped or keeps its IPC private."""
    return Refused(f"can't join IPC of container {donor_id}: {reason}", created=created)


def non_shareable_ipc() -> str:
    """Why a container with a private IPC namespace cannot be joined."""
    return "non-shareable IPC (hint: use IpcMode:shareable for the donor container)"


def pid_donor_stopped(donor_id: str, *, created: bool = False) -> Refused:
    """`--pid container:X` whose donor is not running when the container starts."""
    return Refused(f"container {donor_id} is not running", created=created)


def pid_donor_missing(donor_id: str, *, created: bool = False) -> Refused:
    """`--pid container:X` whose donor was removed before the container starts."""
    return Refused(
        f"cannot join PID of a non running container: {donor_id}: No such container: {donor_id}",
        created=created,
    )

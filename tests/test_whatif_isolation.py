"""`netviz what-if` beyond the network, without an engine: data and namespace options of
`docker run` and compose, the channels and findings A21-A29 they open, and `--filter`.

What the engine stores for each option, and the words of each refusal, were measured on the
engine these tests also run on (`tests/test_whatif_engine.py` proves them there).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import run_cli

import visualizer as nv
from visualizer.errors import ExitCode, InputError, UsageError
from visualizer.sources.documents import check
from visualizer.sources.schemas import WHATIF_SCHEMA
from visualizer.sources.whatif import predict, read_changes

RUN = "docker run -d --name {name} {opts} netviz/busybox:1 sleep 1d"


def run(name, opts):
    return RUN.format(name=name, opts=opts)


def predicted(*lines, snap=None, cwd=None):
    prediction = predict(snap or nv.load_demo(), read_changes(list(lines)), cwd=cwd)
    assert prediction.refusal is None, prediction.refusal
    return prediction


def container(prediction, name):
    (found,) = [c for c in prediction.after.containers if c.name == name]
    return found


def by_destination(c):
    return {m.destination: m for m in c.mounts}


# ---- what the engine stores ----------------------------------------------------------------------


def test_volumes_binds_and_anonymous_volumes_as_the_engine_lists_them(tmp_path):
    line = run(
        "data1",
        "-v shop_uploads:/up -v fresh:/fresh:ro -v /srv//www/:/www:ro -v ./conf:/conf "
        "-v /cache --volume-driver local --mount type=tmpfs,dst=/scratch "
        "--mount src=other,dst=/other,readonly --mount type=bind,src=/opt,dst=/opt,"
        "bind-propagation=rslave --tmpfs /run/private",
    )
    p = predicted(line, cwd=tmp_path)
    m = by_destination(container(p, "data1"))
    assert set(m) == {"/up", "/fresh", "/www", "/conf", "/cache", "/scratch", "/other", "/opt"}
    # an existing volume keeps its host directory; a new one gets the engine's data root
    assert m["/up"].source == "/tmp/netviz-demo/data/volumes/shop_uploads/_data"
    assert m["/fresh"].source == "/tmp/netviz-demo/data/volumes/fresh/_data"
    assert (m["/fresh"].type, m["/fresh"].name, m["/fresh"].rw) == ("volume", "fresh", False)
    assert (m["/www"].type, m["/www"].source, m["/www"].propagation) == (
        "bind",
        "/srv/www",
        "rprivate",
    )
    assert m["/conf"].source == str(tmp_path / "conf")  # the CLI makes ./conf absolute
    assert m["/cache"].anonymous and m["/cache"].driver == "local"
    assert m["/scratch"].type == "tmpfs"
    assert not m["/other"].rw and m["/other"].name == "other"
    assert m["/opt"].propagation == "rslave"
    assert "/run/private" not in m  # --tmpfs: private, not in the container list
    assert any("/opt:/opt with rslave propagation" in w for w in p.warnings)


def test_volumes_from_inherits_every_mount_read_only_with_ro_and_own_mounts_win():
    p = predicted(
        run("src1", "-v /anon -v shared:/data --mount type=tmpfs,dst=/t"),
        run("heir", "--volumes-from src1:ro -v mine:/data"),
        run("heir2", "--volumes-from src1"),
    )
    src, heir, heir2 = (by_destination(container(p, n)) for n in ("src1", "heir", "heir2"))
    assert container(p, "heir").volumes_from == ("src1:ro",)
    assert heir["/anon"].name == src["/anon"].name and not heir["/anon"].rw
    assert heir["/data"].name == "mine"  # its own -v wins on the destination
    assert "/t" not in heir  # a tmpfs is private
    assert heir2["/data"].name == "shared" and heir2["/data"].rw


def test_namespaces_resolve_to_the_owner_id_and_label_disable_is_added_where_the_engine_adds_it():
    p = predicted(
        run("owner", "--ipc shareable"),
        run("guest", "--ipc container:owner --pid container:owner"),
        run("hostpid", "--pid host --uts host --userns host --cgroupns private"),
        run("hostipc", "--ipc host --security-opt label=level:s0"),
        run("priv", "--privileged --security-opt apparmor:unconfined"),
        run(
            "tight",
            "--cap-drop all --cap-drop net_raw --read-only --security-opt no-new-privileges "
            "--device /dev/fuse --device /dev/null:/dev/n:r",
        ),
    )
    owner = container(p, "owner")
    guest = container(p, "guest")
    assert guest.ipc_mode == guest.pid_mode == f"container:{owner.id}"
    assert guest.security_opt == ()  # joining a container's namespace adds nothing
    hostpid = container(p, "hostpid")
    assert (hostpid.pid_mode, hostpid.uts_mode, hostpid.userns_mode, hostpid.cgroupns_mode) == (
        "host",
        "host",
        "host",
        "private",
    )
    assert hostpid.security_opt == ("label=disable",)
    assert container(p, "hostipc").security_opt == ("label=level:s0",)  # a label= option wins
    assert container(p, "priv").security_opt == ("apparmor:unconfined", "label=disable")
    tight = container(p, "tight")
    assert tight.cap_drop == ("ALL", "CAP_NET_RAW")
    assert tight.read_only_rootfs and tight.security_opt == ("no-new-privileges",)
    assert [(d.host_path, d.container_path, d.permissions) for d in tight.devices or ()] == [
        ("/dev/fuse", "/dev/fuse", "rwm"),
        ("/dev/null", "/dev/n", "r"),
    ]
    assert sum("the engine refuses a device" in w for w in p.warnings) == 2  # not checked


def test_use_api_socket_binds_the_engine_socket():
    c = container(predicted(run("tool", "--use-api-socket")), "tool")
    (m,) = c.mounts
    assert (m.type, m.source, m.destination, m.rw) == (
        "bind",
        "/var/run/docker.sock",
        "/var/run/docker.sock",
        True,
    )


def test_rm_v_and_compose_down_v_need_no_warning():
    p = predicted(run("gone", "-v /anon"), "docker rm -f -v gone")
    assert not p.warnings
    assert "gone" not in {c.name for c in p.after.containers}


# ---- refusals in the CLI's and the engine's words ------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message", "created"),
    [
        (run("r1", "-v a:/d -v b:/d"), "Error response from daemon: Duplicate mount point: /d", 0),
        (run("r2", "--tmpfs /t -v v:/t"), "Duplicate mount point: /t", 0),
        (
            run("r3", "-v 'bad name:/x'"),
            'create bad name: "bad name" includes invalid characters for a local volume name',
            0,
        ),
        (run("r4", "-v rel/path:/x"), 'create rel/path: "rel/path" includes invalid', 0),
        (run("r5", "-v /a:/b:rw,ro"), "Error response from daemon: invalid mode: rw,ro", 0),
        (
            run("r6", "-v /x:ro"),
            "Error response from daemon: invalid volume specification: '/x:ro'",
            0,
        ),
        (
            run("r7", "-v /x:relative"),
            (
                "invalid volume specification: '/x:relative': invalid mount config for type "
                "\"bind\": invalid mount path: 'relative' mount path must be absolute"
            ),
            0,
        ),
        (
            run("r8", "-v /tmp/x:/x:nocopy"),
            'invalid mount config for type "bind": field VolumeOptions must not be specified',
            0,
        ),
        (
            run("r9", "-v v9:/x:rshared"),
            'invalid mount config for type "volume": field BindOptions must not be specified',
            0,
        ),
        (run("r10", "-v /x:/"), "invalid specification: destination can't be '/'", 0),
        (run("r11", "-v /a:/b:ro:z"), "invalid spec: /a:/b:ro:z: too many colons", 0),
        (run("r12", "-v :/x"), "invalid spec: :/x: empty section between colons", 0),
        (
            run("r13", "--mount type=volume,src=x"),
            'invalid argument "type=volume,src=x" for "--mount" flag: target is required',
            0,
        ),
        (
            run("r14", "--mount type=bind,dst=/x"),
            'invalid mount config for type "bind": field Source must not be empty',
            0,
        ),
        (
            run("r15", "--mount type=tmpfs,src=x,dst=/x"),
            'invalid mount config for type "tmpfs": field Source must not be specified',
            0,
        ),
        (
            run("r16", "--mount type=volume,dst=/x,bind-propagation=rshared"),
            "cannot mix 'bind-*' options with mount type 'volume'",
            0,
        ),
        (
            run("r17", "--mount type=volume,dst=/x,bogus=1"),
            "unexpected key 'bogus' in 'bogus=1'",
            0,
        ),
        (run("r18", "--cap-add bogus"), 'invalid CapAdd: unknown capability: "CAP_BOGUS"', 0),
        (run("r19", "--cap-drop bogus"), 'invalid CapDrop: unknown capability: "CAP_BOGUS"', 0),
        (run("r20", "--security-opt foo=bar"), 'invalid --security-opt 2: "foo=bar"', 0),
        (run("r21", "--security-opt bogus"), 'Invalid --security-opt: "bogus"', 0),
        (run("r22", "--pid bogus"), "--pid: invalid PID mode", 0),
        (run("r23", "--uts bogus"), "--uts: invalid UTS mode", 0),
        (run("r24", "--userns bogus"), "--userns: invalid USER mode", 0),
        (run("r25", "--cgroupns bogus"), "--cgroupns: invalid CGROUP mode", 0),
        (run("r26", "--pid container:nosuch"), "No such container: nosuch", 0),
        (run("r27", "--ipc container:nosuch"), "No such container: nosuch", 0),
        (run("r28", "--volumes-from nosuch"), "No such container: nosuch", 0),
        (run("r29", "--volumes-from nosuch:bogus"), "invalid mode: bogus", 0),
        (run("r30", "--device dev/null"), "dev/null is not an absolute path", 0),
        (run("r31", "--ipc bogus"), "Error response from daemon: Invalid IPC mode: bogus", 1),
        (
            run("r32", "--ipc container:container1"),
            (
                "can't join IPC of container {container1}: non-shareable IPC (hint: use "
                "IpcMode:shareable for the donor container)"
            ),
            1,
        ),
        (
            run("r33", "--ipc container:old-worker"),
            "can't join IPC of container {old-worker}: container {old-worker} is not running",
            1,
        ),
        (
            run("r34", "--pid container:old-worker"),
            "Error response from daemon: container {old-worker} is not running",
            1,
        ),
        (
            run("r35", "--network nosuch --ipc container:container1"),
            "network nosuch not found",  # the network fails first, as on the engine
            1,
        ),
    ],
)
def test_data_and_namespace_refusals(line, message, created):
    snap = nv.load_demo()
    ids = {c.name: c.id for c in snap.containers}
    prediction = predict(snap, read_changes([line]))
    assert prediction.refusal is not None
    assert message.format(**ids) in prediction.refusal.message
    assert prediction.refusal.created is bool(created)
    made = [c.name for c in prediction.after.containers if c.name.startswith("r")]
    assert made == ([line.split()[4]] if created else [])


def test_a_stopped_ipc_donor_is_checked_at_start_too():
    prediction = predict(
        nv.load_demo(),
        read_changes(
            [
                run("don1", "--ipc shareable"),
                run("guest1", "--ipc container:don1"),
                "docker stop don1 guest1",
                "docker start guest1",
            ]
        ),
    )
    assert prediction.refusal is not None and prediction.refusal.origin == "argument 4"
    assert "can't join IPC of container" in prediction.refusal.message
    assert "is not running" in prediction.refusal.message


def test_the_daemons_default_ipc_mode_depends_on_its_version():
    """A container run without `--ipc` has the daemon's default: private from 20.10 on."""
    lines = [run("don2", ""), run("guest2", "--ipc container:don2")]
    demo = nv.load_demo()
    refused = predict(demo, read_changes(lines)).refusal
    assert refused is not None and "non-shareable IPC" in refused.message
    older = replace(demo, engine=replace(demo.engine, server_version="19.03.15"))
    assert predict(older, read_changes(lines)).refusal is None


# ---- the report: channels and findings A21-A29, in every format -----------------------------------

ISOLATION = [
    run("sock", "-v /var/run/docker.sock:/var/run/docker.sock:ro"),  # A21
    run("etc", "-v /etc:/host-etc"),  # A22
    run("priv", "--privileged"),  # A23 (and A27: label=disable)
    run("hostpid", "--pid host"),  # A24
    run("admin", "--cap-add SYS_ADMIN"),  # A25
    run("disk", "--device /dev/sda"),  # A26
    run("loose", "--security-opt seccomp=unconfined"),  # A27
    run("prop", "-v /srv/share:/share:rshared"),  # A28
    "docker network create isolated-a",
    "docker network create isolated-b",
    run("writer", "--network isolated-a -v drop:/drop"),  # A29 with reader
    run("reader", "--network isolated-b -v drop:/drop:ro"),
]
ISOLATION_IDS = {f"A{n}" for n in range(21, 30)}
EXPECTED = {
    ("A21", "sock"),
    ("A22", "etc"),
    ("A23", "priv"),
    ("A24", "hostpid"),
    ("A25", "admin"),
    ("A26", "disk"),
    ("A27", "loose"),
    ("A27", "priv"),  # the engine adds label=disable
    ("A27", "hostpid"),
    ("A28", "prop"),
    ("A29", "reader, writer"),
}


def test_every_isolation_finding_and_channel_shows_in_every_format(tmp_path):
    out = nv.what_if(nv.load_demo(), ISOLATION, fail_on="never")
    found = {(f.id, ", ".join(s.name for s in f.subjects)) for f in out.value.new_findings}
    assert {(i, s) for i, s in found if i in ISOLATION_IDS} == EXPECTED
    assert out.value.new_channels is not None
    channels = {
        (ch.kind.value, ch.source, ch.target, ch.direction) for ch in out.value.new_channels
    }
    assert ("volume", "writer", "reader", "one-way") in channels
    assert ("volume", "reader", "writer", "one-way") not in channels  # read-only: one way
    assert ("host", "hostpid", "container1", "one-way") in channels  # pid=host: power over all
    assert ("host", "sock", "writer", "one-way") in channels
    assert ("host", "priv", "container1", "one-way") in channels  # predicted running
    body = json.loads(
        nv.what_if(nv.load_demo(), ISOLATION, fmt="json", fail_on="never").output.text
    )
    assert {
        (f["id"], ", ".join(s["name"] for s in f["subjects"])) for f in body["findings"]["new"]
    } >= EXPECTED
    assert {
        (c["kind"], c["from"], c["to"], c["direction"]) for c in body["channels"]["new"]
    } == channels
    assert body["channels"]["resolved"] == []
    text = run_cli("what-if", "--demo", "--fail-on", "never", *ISOLATION).stdout
    assert "+ critical A21 sock: Engine socket mounted in a container" in text
    assert "+ volume writer -> reader (one-way): drop" in text
    assert "+ medium A29 reader, writer: Writable data shared across a network isolation" in text
    markdown = nv.what_if(nv.load_demo(), ISOLATION, fmt="markdown", fail_on="never").output.text
    assert "## Channels besides the network" in markdown
    assert "| new | volume | writer | reader | one-way | drop |" in markdown
    for rule, _ in EXPECTED:
        assert f"| {rule} " in markdown


def test_a_removed_socket_mount_resolves_its_channels_and_findings():
    out = nv.what_if(nv.load_demo(), ["docker rm -f host-agent"])
    assert out.value.resolved_channels is not None
    assert {ch.kind.value for ch in out.value.resolved_channels} == {"host"}
    assert {ch.source for ch in out.value.resolved_channels} == {"host-agent"}
    assert "A21" in {f.id for f in out.value.resolved_findings}
    assert not out.value.new_channels


def test_a_new_critical_finding_fails_the_change():
    done = run_cli("what-if", "--demo", run("sock2", "--use-api-socket"))
    assert done.returncode == ExitCode.NEGATIVE
    assert done.stdout.splitlines()[-1] == "result: fails: 1 new finding at high or worse"


# ---- --filter: the report about a selection, as audit's ------------------------------------------


def test_filter_keeps_the_selection_and_its_border():
    line = run("joiner", "--network user-network -v shop_uploads:/up")
    whole = nv.what_if(nv.load_demo(), [line])
    scoped = nv.what_if(nv.load_demo(), [line], selection=nv.Selection.parse(["name=shop_web_1"]))
    assert scoped.value.scope == "name=shop_web_1"
    kept = {c.subject for c in scoped.value.diff.changes}
    assert kept < {c.subject for c in whole.value.diff.changes}
    assert "joiner" not in kept  # the new container is outside the selection
    assert scoped.value.new_channels is not None
    assert {(ch.source, ch.target) for ch in scoped.value.new_channels} == {
        ("joiner", "shop_web_1")  # the volume channel crossing the border, into the selection
    }
    assert {f.id for f in scoped.value.new_findings} == {"A29"}  # about shop_web_1 too
    assert not scoped.warnings


def test_filter_on_what_only_the_change_creates_and_on_nothing():
    line = run("joiner", "--network user-network")
    out = nv.what_if(nv.load_demo(), [line], selection=nv.Selection.parse(["name=joiner"]))
    assert {c.subject for c in out.value.diff.changes if c.kind == "container"} == {"joiner"}
    assert ("joiner -> container1") in {c.subject for c in out.value.diff.changes}
    assert not out.warnings  # it matches after the change
    done = run_cli("what-if", "--demo", "--filter", "network=nosuch", "-f", "json", line)
    assert done.returncode == 0
    assert done.stderr == "netviz: warning: --filter network=nosuch matches nothing\n"
    body = json.loads(done.stdout)
    assert body["scope"] == "network=nosuch" and body["changes"] == []
    bad = run_cli("what-if", "--demo", "--filter", "nosuchkey=x", line)
    assert bad.returncode == ExitCode.USAGE and "bad filter" in bad.stderr


def test_filter_scopes_the_policy_and_a_selector_may_match_after_the_change_only(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - name: nothing shares data with newcomer\n    forbid:\n"
        "      from: {container: '*'}\n      to: {container: newcomer}\n"
        "      channels: [volume]\n"
    )
    line = run("newcomer", "--network none -v scratch:/scratch:ro")
    out = nv.what_if(nv.load_demo(), [line], policy=policy)
    assert out.negative
    assert {(v.source, v.target, v.channel) for v in out.value.new_violations} == {
        ("tenant-a", "newcomer", "volume:scratch")
    }
    scoped = nv.what_if(
        nv.load_demo(), [line], policy=policy, selection=nv.Selection.parse(["name=tenant-b"])
    )
    assert not scoped.value.new_violations and not scoped.negative
    typo = tmp_path / "typo.yaml"
    typo.write_text(policy.read_text().replace("to: {container: newcomer}", "to: {container: nwc}"))
    with pytest.raises(InputError, match="matches no container"):
        nv.what_if(nv.load_demo(), [line], policy=typo)


# ---- compose: predicted through the compose source ----------------------------------------------

COMPOSE = """
services:
  owner:
    image: netviz/busybox:1
    ipc: shareable
    volumes: [data:/data, ./site:/site:ro]
  guest:
    image: netviz/busybox:1
    ipc: "service:owner"
    pid: "service:owner"
    volumes_from: ["owner:ro"]
  watcher:
    image: netviz/busybox:1
    pid: host
    cap_drop: [ALL]
    read_only: true
volumes:
  data: {}
"""


def test_compose_up_with_volumes_and_shared_namespaces(tmp_path):
    (tmp_path / "compose.yml").write_text(COMPOSE)
    p = predicted("docker compose -p iso up -d", cwd=tmp_path)
    owner, guest, watcher = (container(p, f"iso-{s}-1") for s in ("owner", "guest", "watcher"))
    assert guest.ipc_mode == guest.pid_mode == f"container:{owner.id}"
    assert by_destination(owner)["/data"].name == "iso_data"
    assert by_destination(owner)["/site"].source == str(tmp_path / "site")
    assert not by_destination(guest)["/data"].rw  # volumes_from owner:ro
    assert watcher.security_opt == ("label=disable",) and watcher.read_only_rootfs
    assert all(c.is_running for c in (owner, guest, watcher))
    out = nv.what_if(nv.load_demo(), ["docker compose -p iso up -d"], cwd=tmp_path, fail_on="never")
    assert out.value.new_channels is not None
    kinds = {(ch.kind.value, ch.source, ch.target) for ch in out.value.new_channels}
    assert {("ipc", "iso-owner-1", "iso-guest-1"), ("pid", "iso-guest-1", "iso-owner-1")} <= kinds
    assert ("volumes-from", "iso-owner-1", "iso-guest-1") in kinds


def test_compose_down_of_a_project_sharing_namespaces(tmp_path):
    (tmp_path / "compose.yml").write_text(COMPOSE)
    p = predicted("docker compose -p iso up -d", "docker compose -p iso down -v", cwd=tmp_path)
    assert not any(c.name.startswith("iso-") for c in p.after.containers)
    assert not p.warnings


def test_hostile_mount_paths_stay_text():
    path = "/srv/<b>x</b>|`y`"
    lines = [run("ev1", f"-v '{path}:/x'"), run("ev2", f"-v '{path}:/x:ro'")]
    out = nv.what_if(nv.load_demo(), lines, fmt="markdown")
    assert "<b>" not in out.output.text
    assert "| new | bind | ev1 | ev2 | one-way | /srv/&lt;b&gt;x&lt;/b&gt;\\|\\`y\\` |" in (
        out.output.text
    )
    body = json.loads(nv.what_if(nv.load_demo(), lines, fmt="json").output.text)
    assert [c["resource"] for c in body["channels"]["new"] if c["kind"] == "bind"] == [path]


def test_unknown_mount_fields_are_usage_errors():
    with pytest.raises(UsageError, match="--mount volume-subpath is not modelled"):
        predict(nv.load_demo(), read_changes([run("sub", "--mount src=v,dst=/x,volume-subpath=a")]))


# ---- the JSON schema, the saved prediction, the change diagram -----------------------------------


def test_every_json_output_follows_the_published_schema(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - name: no volume into reader\n    forbid:\n"
        "      from: {container: '*'}\n      to: {container: reader}\n      channels: true\n"
    )
    cases = [
        nv.what_if(nv.load_demo(), ISOLATION, fmt="json", fail_on="never", policy=policy),
        nv.what_if(nv.load_demo(), ["docker rm -f host-agent"], fmt="json"),
        nv.what_if(nv.load_demo(), ["docker network rm user-network"], fmt="json"),
        nv.what_if(
            nv.load_demo(),
            [run("joiner", "-v shop_uploads:/up")],
            fmt="json",
            selection=nv.Selection.parse(["project=shop"]),
        ),
    ]
    for out in cases:
        body = json.loads(out.output.text)
        check(body, WHATIF_SCHEMA, origin="what-if")
    violations = json.loads(cases[0].output.text)["policy"]["new_violations"]
    assert ("writer", "volume:drop") in {(v["from"], v["channel"]) for v in violations}
    assert json.loads(cases[2].output.text)["refusal"]["created"] is False
    bad = json.loads(cases[1].output.text)
    bad["channels"]["new"] = [{"from": "a", "to": "b", "kind": "telepathy"}]
    with pytest.raises(InputError, match="channels"):
        check(bad, WHATIF_SCHEMA, origin="what-if")


def test_the_saved_prediction_keeps_mounts_and_namespaces_and_a_report_is_not_a_snapshot(
    tmp_path,
):
    saved, drawn = tmp_path / "after.json", tmp_path / "change.dot"
    report = tmp_path / "report.json"
    done = run_cli(
        "what-if", "--demo", "--fail-on", "never", "--save", str(saved), "--diagram",
        str(drawn), "-f", "json", "-o", str(report), *ISOLATION,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    back = {c.name: c for c in nv.load_snapshot(saved).containers}
    direct = {c.name: c for c in predicted(*ISOLATION).after.containers}
    for name in ("sock", "hostpid", "reader", "writer", "disk", "loose", "prop"):
        assert back[name] == direct[name]
    dot = drawn.read_text()
    added = [line for line in dot.splitlines() if ">drop<" in line or '"drop"' in line]
    assert added, "the new volume is drawn"
    refused = run_cli("audit", "--from", str(report))
    assert refused.returncode == ExitCode.INPUT
    assert "this is a netviz-what-if document, not a netviz-snapshot" in refused.stderr

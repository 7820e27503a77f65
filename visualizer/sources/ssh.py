"""ssh:// as the docker CLI does it: the system ssh client running `docker system dial-stdio`.

The ssh process gets one end of a `socketpair` as stdin and stdout, so HTTP runs over a real
socket; its stderr explains, in one line, why a channel closed.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
from typing import IO, TYPE_CHECKING

from visualizer.sources.address import SSHError
from visualizer.sources.deadline import DeadlineSocket

if TYPE_CHECKING:
    from visualizer.sources.address import Address


class SSHProcess:
    """`ssh … docker system dial-stdio` with a socket as its stdin and stdout."""

    def __init__(
        self, host: str, proc: subprocess.Popen[bytes], sock: socket.socket, err: IO[bytes]
    ) -> None:
        """Hold a started ssh process, our end of its socket, and its stderr."""
        self.host = host
        self.proc = proc
        self.sock = sock
        self.err = err
        self.stopped = False
        self.stderr = ""

    @classmethod
    def start(cls, a: Address, timeout: float | None) -> SSHProcess:
        """Start `ssh … docker system dial-stdio` for an address."""
        exe = shutil.which("ssh")
        if exe is None:
            msg = "ssh:// needs the OpenSSH client: no `ssh` on PATH (Debian: openssh-client)"
            raise SSHError(msg)
        argv = ssh_argv(a, exe=exe, timeout=timeout)
        mine, theirs = socket.socketpair()
        err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=theirs.fileno(),
                stdout=theirs.fileno(),
                stderr=err,
                start_new_session=True,  # Ctrl-C reaches netviz, which then closes the channel
            )
        except OSError as exc:
            mine.close()
            err.close()
            raise SSHError(f"cannot run ssh: {exc.strerror or exc}") from None
        finally:
            theirs.close()
        sock = DeadlineSocket(fileno=mine.detach())
        sock.settimeout(timeout)
        return cls(a.host, proc, sock, err)

    def failure(self, exc: BaseException) -> str:
        """Why the channel closed, in one line, from ssh's exit status and diagnostics."""
        self.stop()
        return explain_ssh_failure(self.host, self.proc.returncode, self.stderr, exc)

    def stop(self) -> None:
        """Close the channel, let ssh exit (end it if it does not) and keep its diagnostics."""
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.seek(0)
        self.stderr = self.err.read(65536).decode("utf-8", "replace")
        self.err.close()


def ssh_argv(a: Address, *, exe: str = "ssh", timeout: float | None = None) -> list[str]:
    """The ssh command line, as the docker CLI builds it (plus `BatchMode`: never prompt)."""
    argv = [exe, "-T", "-o", "BatchMode=yes"]
    if timeout is not None:
        argv += ["-o", f"ConnectTimeout={max(1, round(timeout))}"]
    if a.user:
        argv += ["-l", a.user]
    if a.port:
        argv += ["-p", str(a.port)]
    return [*argv, "--", a.host, "docker", "system", "dial-stdio"]


_NO_DOCKER = "no docker CLI on {host}: ssh:// runs `docker system dial-stdio` there ({line})"


_SSH_DIAGNOSTICS: tuple[tuple[str, str], ...] = (
    # What the remote's docker CLI says comes first: ssh's own "closed by" follows it.
    ("command not found", _NO_DOCKER),
    ("docker: not found", _NO_DOCKER),
    (
        'unknown command "dial-stdio"',
        "the docker CLI on {host} is too old for ssh:// (`docker system dial-stdio`: 18.09+)",
    ),
    (
        "permission denied while trying to connect",
        "the ssh user on {host} may not use its Docker engine ({line})",
    ),
    (
        "cannot connect to the docker daemon",
        "the docker CLI on {host} cannot reach its engine ({line})",
    ),
    (
        "host key verification failed",
        (
            "the host key of {host} is not known (or changed): connect once with "
            "`ssh {host}` to check it and record it in known_hosts"
        ),
    ),
    (
        "remote host identification has changed",
        "the host key of {host} changed: check it and fix known_hosts",
    ),
    (
        "permission denied",
        (
            "{host} refused the ssh login ({line}): check the user and the key "
            "(ssh-agent, IdentityFile)"
        ),
    ),
    ("too many authentication failures", "{host} refused the ssh login ({line})"),
    ("could not resolve hostname", "cannot reach {host} over ssh: unknown host ({line})"),
    ("connection refused", "cannot reach {host} over ssh: connection refused ({line})"),
    ("connection timed out", "cannot reach {host} over ssh: connection timed out ({line})"),
    ("no route to host", "cannot reach {host} over ssh: no route to host ({line})"),
    ("network is unreachable", "cannot reach {host} over ssh: network unreachable ({line})"),
    ("connection closed by", "{host} closed the ssh connection ({line})"),
)


def explain_ssh_failure(host: str, code: int | None, stderr: str, exc: BaseException) -> str:
    """One line saying why an ssh channel to `host` closed."""
    lines = [
        " ".join(line.split())
        for line in stderr.splitlines()
        if line.strip() and not line.lower().startswith("warning: permanently added")
    ]
    lowered = [line.lower() for line in lines]
    for needle, template in _SSH_DIAGNOSTICS:
        for line, low in zip(lines, lowered, strict=True):
            if needle in low:
                return template.format(host=host, line=line[:200])
    if code == 127:  # noqa: PLR2004 - the shell's "command not found"
        return _NO_DOCKER.format(host=host, line=f"exit {code}")
    last = lines[-1][:200] if lines else f"{type(exc).__name__}: {exc}"
    status = f"exit {code}" if code is not None else "still running"
    return f"the ssh connection to {host} closed ({status}): {last}"

"""A TLS front for the real engine, as `dockerd --tlsverify` serves it, and certificates for it.

The test engine (the machine's dockerd) listens on a unix socket only; reconfiguring it would
disturb every other user of it, and a second dockerd would need its own containerd, data root
and image. So the real engine is put behind a TLS server that does what dockerd's
`--tlsverify` does (OpenSSL through Python's ssl: the server certificate, client certificates
required and checked against the CA) and relays the bytes. Certificates are made with the
`openssl` command: a CA, a server certificate for 127.0.0.1, a client certificate, a second CA,
and expired certificates (signed with `openssl ca` and dates in the past).
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import subprocess
import threading
from pathlib import Path  # noqa: TC003 - used at run time in a plain class


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _ca(d: Path, name: str) -> None:
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f"{name}-key.pem",
        "-out",
        f"{name}.pem",
        "-days",
        "2",
        "-subj",
        f"/CN={name}",
        cwd=d,
    )


def _signed(d: Path, name: str, ca: str, ext: str, *, expired: bool = False) -> None:
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f"{name}-key.pem",
        "-out",
        f"{name}.csr",
        "-subj",
        f"/CN={name}",
        cwd=d,
    )
    (d / f"{name}.ext").write_text(ext)
    if not expired:
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            f"{ca}.pem",
            "-CAkey",
            f"{ca}-key.pem",
            "-CAcreateserial",
            "-out",
            f"{name}.pem",
            "-days",
            "2",
            "-extfile",
            f"{name}.ext",
            cwd=d,
        )
        return
    db = d / f"{ca}-db"
    if not db.exists():
        (db / "new").mkdir(parents=True)
        (db / "index.txt").touch()
        (db / "serial").write_text("1000\n")
    (d / f"{ca}-ca.cnf").write_text(
        f"[ca]\ndefault_ca = myca\n[myca]\ndir = {db}\ndatabase = {db}/index.txt\n"
        f"new_certs_dir = {db}/new\nserial = {db}/serial\ncertificate = {d}/{ca}.pem\n"
        f"private_key = {d}/{ca}-key.pem\ndefault_md = sha256\npolicy = any\n"
        "unique_subject = no\n[any]\ncommonName = supplied\n"
    )
    _openssl(
        "ca",
        "-batch",
        "-config",
        f"{ca}-ca.cnf",
        "-in",
        f"{name}.csr",
        "-out",
        f"{name}.pem",
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20200201000000Z",
        "-extfile",
        f"{name}.ext",
        "-notext",
        cwd=d,
    )


SERVER_EXT = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
CLIENT_EXT = "extendedKeyUsage=clientAuth\n"


def make_pki(d: Path) -> Path:
    """CA `ca`, `server` and `client` signed by it, a foreign CA `other`, expired ones."""
    _ca(d, "ca")
    _ca(d, "other")
    _signed(d, "server", "ca", SERVER_EXT)
    _signed(d, "client", "ca", CLIENT_EXT)
    _signed(d, "server-expired", "ca", SERVER_EXT, expired=True)
    _signed(d, "client-expired", "ca", CLIENT_EXT, expired=True)
    return d


def cert_dir(d: Path, target: Path, *, ca: str = "ca", client: str = "client") -> Path:
    """A `DOCKER_CERT_PATH` directory: ca.pem, cert.pem, key.pem."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "ca.pem").write_bytes((d / f"{ca}.pem").read_bytes())
    (target / "cert.pem").write_bytes((d / f"{client}.pem").read_bytes())
    (target / "key.pem").write_bytes((d / f"{client}-key.pem").read_bytes())
    return target


class TLSEngine:
    """Serve TLS on 127.0.0.1 (client certificates required) and relay to the engine socket."""

    def __init__(
        self, pki: Path, *, server: str = "server", upstream: str = "/var/run/docker.sock"
    ):
        self.upstream = upstream
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(pki / f"{server}.pem", pki / f"{server}-key.pem")
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_verify_locations(pki / "ca.pem")
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(32)
        self.port = self._server.getsockname()[1]
        self.handshake_errors: list[str] = []
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()

    def __enter__(self) -> TLSEngine:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, raw: socket.socket) -> None:
        raw.settimeout(30)
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
            raw.close()
            return
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self.upstream)
            _relay(tls, upstream)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
        finally:
            upstream.close()
            with contextlib.suppress(OSError):
                tls.close()


def _relay(tls: ssl.SSLSocket, plain: socket.socket) -> None:
    tls.settimeout(None)
    while True:
        ready = [tls] if tls.pending() else select.select([tls, plain], [], [], 300)[0]
        if not ready:
            return
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            (plain if sock is tls else tls).sendall(data)

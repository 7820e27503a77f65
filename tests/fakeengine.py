"""A misbehaving engine on a unix socket: real answers recorded from a real engine
(tests/data/demo-raw.json), with one fault injected on the requests whose path matches.

Faults: `endless` (a chunked body that never ends), `drip` (the real answer, one byte at a
time), `garbage` (not JSON), `nested` (JSON nested far too deep), `wrong-types` (every value
replaced by one of another type), `error` (HTTP 500 with the engine's error shape), `reset`
(half the body, then a connection reset), `not-http` (no HTTP at all), `long-header` (a header
line over http.client's limit), `events` (a malformed event among real-shaped ones).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "demo-raw.json"
FAULTS = (
    "endless",
    "drip",
    "garbage",
    "nested",
    "wrong-types",
    "error",
    "reset",
    "not-http",
    "long-header",
)
EVENT = {  # the shape dockerd 20.10 sends for `docker run`
    "status": "create",
    "id": "0" * 64,
    "from": "netviz/busybox:1",
    "Type": "container",
    "Action": "create",
    "Actor": {"ID": "0" * 64, "Attributes": {"image": "netviz/busybox:1", "name": "late"}},
    "scope": "local",
    "time": 1796138900,
    "timeNano": 1796138900283739949,
}


def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text())
    return data


def answer_for(path: str, raw: dict[str, Any]) -> Any:
    p = path.split("?", maxsplit=1)[0]
    if p.endswith("/version"):
        return raw["version"]
    if p.endswith("/info"):
        return raw["info"]
    if p.endswith("/networks"):
        return raw["networks"]
    if p.endswith("/containers/json"):
        return raw["containers"]
    if "/containers/" in p and p.endswith("/json"):
        cid = p.rsplit("/", 2)[-2]
        return raw["inspected"].get(cid)
    return None


def _wrong(value: Any) -> Any:
    if isinstance(value, list):
        return {"0": value[:1]}
    if isinstance(value, dict):
        return [1, "x", None]
    return {"value": value}


class FakeEngine:
    """Serve `path`; `fault` applies to requests whose path contains `where`."""

    def __init__(self, path: Path, fault: str | None = None, where: str = "", drip: float = 0.2):
        self.path = path
        self.fault = fault
        self.where = where
        self.drip = drip
        self.raw = recorded()
        self.requests: list[str] = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(32)
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> FakeEngine:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                self.requests.append(path)
                if not self._answer(conn, path):
                    return
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _send(self, conn: socket.socket, body: bytes, status: str = "200 OK") -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Api-Version: 1.41\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    def _answer(self, conn: socket.socket, path: str) -> bool:
        faulty = self.fault is not None and self.where in path
        if path.split("?", maxsplit=1)[0].endswith("/events"):
            return self._events(conn)
        value = answer_for(path, self.raw)
        if value is None:
            self._send(conn, b'{"message":"page not found"}', "404 Not Found")
            return True
        body = json.dumps(value).encode()
        if not faulty:
            self._send(conn, body)
            return True
        fault = self.fault
        if fault == "endless":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            block = b"[" + b"0," * 32767
            chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"
            while not self._closed:
                conn.sendall(chunk)
            return False
        if fault == "drip":
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            for i in range(len(body)):
                conn.sendall(body[i : i + 1])
                time.sleep(self.drip)
            return True
        if fault == "garbage":
            self._send(conn, b"{this is not json")
        elif fault == "nested":
            self._send(conn, b"[" * 200000 + b"]" * 200000)
        elif fault == "wrong-types":
            self._send(conn, json.dumps(_wrong(value)).encode())
        elif fault == "error":
            self._send(conn, b'{"message":"internal failure"}', "500 Internal Server Error")
        elif fault == "reset":
            conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            conn.sendall(body[: len(body) // 2])
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        elif fault == "not-http":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n" * 3)
            return False
        elif fault == "long-header":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
            return False
        return True

    def _events(self, conn: socket.socket) -> bool:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        lines = [
            b"{not an event\n",
            b'["a list"]\n',
            b'{"Type": 3, "Action": {"x": 1}}\n',
            b'{"Type": "container", "Action": "start", "Actor": "not an object"}\n',
            b"x" * (2 * 1024 * 1024) + b"\n",
            json.dumps(EVENT).encode() + b"\n",
        ]
        for line in lines:
            conn.sendall(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        conn.sendall(b"0\r\n\r\n")
        return False

"""A misbehaving HTTP server on 127.0.0.1, on raw sockets, for the fetcher's tests.

Each connection carries one request and is then closed. `routes[path]` (path
without the query) is a `Fault`: a function that answers, or fails to answer,
on the socket. Every request is recorded in `hits` with the time it arrived,
and `peak` is the most requests ever in flight at once (a request stops being in
flight when its answer starts: the client may start another right after).
"""

from __future__ import annotations

import gzip
import os
import selectors
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit


@dataclass
class Hit:
    method: str
    path: str  # with the query
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic() when the request was read
    answered: bool = False


Fault = Callable[[socket.socket, Hit, "FaultServer"], None]


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode()


def reply(
    status: int = 200,
    body: bytes = b"ok",
    headers: dict[str, str] | None = None,
    delay: float = 0.0,
) -> Fault:
    def fault(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
        server.stopping.wait(delay)
        server.answering(hit)
        conn.sendall(head(status, {"Content-Length": str(len(body)), **(headers or {})}) + body)

    return fault


def sequence(*faults: Fault) -> Fault:
    """The faults in turn, one per request; the last one repeats."""
    left = list(faults)
    lock = threading.Lock()

    def fault(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
        with lock:
            current = left.pop(0) if len(left) > 1 else left[0]
        current(conn, hit, server)

    return fault


def reset(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
    """Close with a TCP RST instead of answering."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def silent(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
    """Accept the request and never answer (until the server stops)."""
    server.stopping.wait(10)


def truncated(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
    """Promise 100 bytes, send 10, hang up."""
    conn.sendall(head(200, {"Content-Length": "100"}) + b"0123456789")


def drip(interval: float, size: int = 1000) -> Fault:
    """Send a body of `size` bytes one byte every `interval` seconds."""

    def fault(conn: socket.socket, hit: Hit, server: FaultServer) -> None:
        conn.sendall(head(200, {"Content-Length": str(size)}))
        for _ in range(size):
            if server.stopping.wait(interval):
                return
            try:
                conn.sendall(b"x")
            except OSError:  # the client gave up
                return

    return fault


def declared(length: int) -> Fault:
    """Announce a body of `length` bytes and send none of it."""
    return lambda conn, hit, server: conn.sendall(head(200, {"Content-Length": str(length)}))


@cache
def bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (about a thousandth of the size), built without holding them."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [pack.compress(zeros) for _ in range(size // len(zeros))]
    return b"".join([*parts, pack.flush()])


def gzipped(data: bytes) -> Fault:
    return reply(200, gzip.compress(data), {"Content-Encoding": "gzip"})


def redirect(location: str, status: int = 302) -> Fault:
    return reply(status, b"", {"Location": location})


class FaultServer:
    """`greeting`, if set, is sent to every client as soon as it connects, instead of
    reading a request (say, plain text to a client expecting TLS)."""

    def __init__(self, greeting: bytes | None = None) -> None:
        self.routes: dict[str, Fault] = {}
        self.hits: list[Hit] = []
        self.peak = 0
        self.greeting = greeting
        self._in_flight = 0
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> FaultServer:
        self._wake_read, self._wake_write = os.pipe()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        os.write(self._wake_write, b"x")
        self._thread.join(5)
        self._sock.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def hits_to(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if urlsplit(h.path).path == path]

    def _accept(self) -> None:
        """Accept until `stop` writes to the wake-up pipe (no polling: a stop is at once)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._sock and not self.stopping.is_set():
                        conn, _ = self._sock.accept()
                        threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            if self.greeting is not None:
                conn.sendall(self.greeting)
                return
            hit = self._read(conn)
            if hit is None:
                return
            with self._lock:
                self.hits.append(hit)
                self._in_flight += 1
                self.peak = max(self.peak, self._in_flight)
            try:
                fault = self.routes.get(urlsplit(hit.path).path, reply(404, b"not found"))
                fault(conn, hit, self)
            except OSError:
                pass  # the client went away
            finally:
                self.answering(hit)

    def answering(self, hit: Hit) -> None:
        """The request is no longer in flight (called once its answer is about to go)."""
        with self._lock:
            if not hit.answered:
                hit.answered = True
                self._in_flight -= 1

    @staticmethod
    def _read(conn: socket.socket) -> Hit | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk or len(data) > 65536:
                return None
            data += chunk
        at = time.monotonic()
        top, _, rest = data.partition(b"\r\n\r\n")
        first, *lines = top.decode("latin-1").split("\r\n")
        method, path, _ = first.split(" ", 2)
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return Hit(method, path, headers, rest, at)

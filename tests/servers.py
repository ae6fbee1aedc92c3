"""Real local servers for tests: a board server and a notification receiver, on 127.0.0.1."""

from __future__ import annotations

import json
import os
import selectors
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Seen:
    method: str
    path: str  # path with query
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Handler = Callable[[Seen], Reply]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a kept-alive connection never holds up `stop`

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a process killed by a test, a read that timed out) is
        routine here: only other errors are printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """An HTTP server on 127.0.0.1 whose routes tests set and change.

    `routes[path]` (path with or without the query) is a `Reply`, a list of
    replies served in turn (the last one repeats), or a function of the request.
    Every request is recorded in `seen`.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Reply | list[Reply] | Handler] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The body goes in a write of its own after the headers: with Nagle's algorithm
            # it would wait for the client's delayed ACK of the headers, 40 ms a request.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with server._lock:
                    server.seen.append(seen)
                reply = server.reply_for(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.encoded()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_HEAD = _serve

        self.httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve_until_stopped, daemon=True)

    def _serve_until_stopped(self) -> None:
        """Accept until `stop` writes to the wake-up pipe: unlike `serve_forever`, which
        looks for a shutdown request only every 0.5 s, nothing here waits on a poll."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.httpd, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.httpd and not self._stopping.is_set():
                        self.httpd.handle_request()

    def reply_for(self, seen: Seen) -> Reply:
        path_only = urlsplit(seen.path).path
        with self._lock:
            route = self.routes.get(seen.path, self.routes.get(path_only))
            if isinstance(route, list):
                reply = route.pop(0) if len(route) > 1 else route[0]
                return reply
        if route is None:
            return Reply(404, {"error": "not found"})
        if callable(route):
            return route(seen)
        return route

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if urlsplit(s.path).path == path]

    def start(self) -> LocalServer:
        self._wake_read, self._wake_write = os.pipe()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        os.write(self._wake_write, b"x")
        if self._thread.is_alive():
            self._thread.join(5)
        self.httpd.server_close()
        os.close(self._wake_read)
        os.close(self._wake_write)


class Receiver(LocalServer):
    """A notification receiver: records what Apprise posts (`json://`, `ntfy://`...).

    `fail_next` makes the next N deliveries answer 500.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = 0
        self.delay = 0.0  # seconds before each answer (a slow service)
        self.messages: list[Seen] = []

    def reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return Reply(500, {"error": "injected failure"})
            self.messages.append(seen)
        return Reply(200, {"ok": True}, delay=self.delay)

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m.json() for m in self.messages]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                break
            time.sleep(0.05)
        return self.bodies()

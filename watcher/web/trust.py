"""What keeps the page safe to open: the Host header checked (DNS rebinding), a token for
any address but loopback (kept hashed), a CSRF token on every form, and security
headers on every answer. Pure ASGI, so it wraps the app whatever the routes do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_VARIABLE = "WATCHER_WEB_TOKEN"
MIN_TOKEN = 12  # characters of a token given in plain text
SESSION_COOKIE = "watcher_session"
CSRF_COOKIE = "watcher_csrf"
SESSION_LIFETIME = 7 * 86400.0
LOGIN_TRIES = 10  # failed logins per minute and client, then 429
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# No inline script or style anywhere; charts are images of their own (their SVG never
# runs script as an image); forms post only here; nothing may frame the page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # links to boards carry no referrer; the page's own forms still send their Origin
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class TrustError(Exception):
    """A setting that would make the page unsafe: the message says what to do instead."""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hash_token(token: str, salt: bytes | None = None) -> str:
    """`scrypt$salt$hash` (base64): what is kept of a token, never the token itself."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + "$".join(base64.b64encode(p).decode() for p in (salt, digest))


def token_matches(token: str, hashed: str) -> bool:
    try:
        kind, salt, digest = hashed.split("$")
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(token.encode(), salt=base64.b64decode(salt), **SCRYPT)
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(got, expected)


def load_token(environ: MutableMapping[str, str], token_file: Path | None) -> str | None:
    """The token's hash, from --token-file, `$WATCHER_WEB_TOKEN`, or the systemd credential
    `WATCHER_WEB_TOKEN`. Each holds the token, or its hash (`watcher serve --hash-token`)."""
    text = None
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TrustError(f"cannot read {token_file}: {exc.strerror or exc}") from None
    elif environ.get(TOKEN_VARIABLE):
        text = environ[TOKEN_VARIABLE].strip()
    else:
        for directory in environ.get("CREDENTIALS_DIRECTORY", "").split(":"):
            candidate = Path(directory) / TOKEN_VARIABLE if directory else None
            if candidate and candidate.is_file():
                text = candidate.read_text(encoding="utf-8").strip()
                break
    if not text:
        return None
    if text.startswith("scrypt$"):
        return text
    if len(text) < MIN_TOKEN:
        raise TrustError(f"the token is too short: use at least {MIN_TOKEN} characters")
    return hash_token(text)


def host_name(value: str) -> str:
    """The name in a Host header, without its port (`[::1]:8787` is `::1`)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass
class Guard:
    """The page's trust rules, as ASGI middleware around the app.

    `allowed_hosts`: the names the Host header may give; `token_hash`: None serves
    without login (loopback only, enforced by `serve`)."""

    allowed_hosts: frozenset[str]
    token_hash: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sessions: dict[str, float] = field(default_factory=dict)
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if host_name(headers.get("host", "")) not in self.allowed_hosts:
                await plain(send, 421, "This page answers only to the names it was started for.")
                return
            cookies = parse_cookies(headers.get("cookie", ""))
            fresh_csrf = None
            csrf = cookies.get(CSRF_COOKIE, "")
            if len(csrf) != 43:  # token_urlsafe(32)
                csrf = fresh_csrf = secrets.token_urlsafe(32)
            state = scope.setdefault("state", {})
            state["csrf"] = self.csrf_token(csrf)
            state["authenticated"] = self.token_hash is None or self.signed_in(cookies)
            state["guard"] = self
            secure = scope.get("scheme") == "https"
            path = scope.get("path", "")
            if not state["authenticated"] and not path.startswith(("/login", "/static/")):
                query = scope.get("query_string", b"").decode("latin-1")
                target = quote(path + ("?" + query if query else ""), safe="")
                await redirect(send, f"/login?next={target}")
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    out = list(message.get("headers", []))
                    given = {name.lower() for name, _ in out}
                    out += [h for h in HEADERS if h[0] not in given]  # a route's own CSP wins
                    if fresh_csrf:
                        out.append((b"set-cookie", cookie(CSRF_COOKIE, fresh_csrf, secure)))
                    message["headers"] = out
                await send(message)

            await app(scope, receive, send_with_headers)

        return guarded

    def csrf_token(self, cookie_value: str) -> str:
        return hmac.new(self.secret, cookie_value.encode(), "sha256").hexdigest()

    def signed_in(self, cookies: dict[str, str]) -> bool:
        session = cookies.get(SESSION_COOKIE)
        expires = self.sessions.get(session or "")
        return expires is not None and expires > time.monotonic()

    def sign_in(self, client: str, token: str) -> str | None:
        """A new session for a right token; None for a wrong one. Raises TrustError when
        `client` has failed too often in the last minute."""
        now = time.monotonic()
        tries = self.failures.setdefault(client, deque())
        while tries and tries[0] < now - 60:
            tries.popleft()
        if len(tries) >= LOGIN_TRIES:
            raise TrustError("too many wrong tokens: wait a minute")
        if self.token_hash is None or not token_matches(token, self.token_hash):
            tries.append(now)
            return None
        session = secrets.token_urlsafe(32)
        self.sessions = {k: v for k, v in self.sessions.items() if v > now}
        self.sessions[session] = now + SESSION_LIFETIME
        return session

    def sign_out(self, cookies: dict[str, str]) -> None:
        self.sessions.pop(cookies.get(SESSION_COOKIE, ""), None)


def csrf_ok(state: dict[str, Any], posted: str | None, headers: dict[str, str]) -> bool:
    """A state-changing request is ours: its form's token matches the cookie's, and its
    Origin, when the browser sends one, is this page."""
    origin = headers.get("origin") or ""
    # "null" is an origin the browser would not tell (a page that asked for no referrer):
    # the token, bound to a SameSite=Strict cookie, is the proof then.
    foreign = host_name(origin.split("://", 1)[-1]) != host_name(headers.get("host", ""))
    if origin and origin != "null" and foreign:
        return False
    return bool(posted) and hmac.compare_digest(str(posted), state.get("csrf", ""))


def cookie(name: str, value: str, secure: bool, max_age: int | None = None) -> bytes:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()


def parse_cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is no cookie at all
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


async def plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), (b"content-length", b"0"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def allowed_hosts(host: str, extra: Iterable[str]) -> frozenset[str]:
    """The Host names the page answers to: loopback's, the address it listens on (unless
    a wildcard), and those given with --allowed-host."""
    names = set(LOOPBACK_NAMES)
    if host not in ("0.0.0.0", "::", ""):
        names.add(host.strip("[]").lower())
    names.update(name.strip().lower() for name in extra if name.strip())
    return frozenset(names)

"""A local board server for the benchmark: synthetic Greenhouse and Lever boards on 127.0.0.1.

    python -m benchmarks.boards --boards 1000 [--port 8321] [--seed 1] [--latency 0.15]

Board `i` is a Greenhouse board `gh{i:05d}` when `i` is even
(`/v1/boards/gh00000/jobs?content=true`), a Lever site `lv{i:05d}` when it is odd
(`/v0/postings/lv00001?mode=json`). Each holds about 100 postings with a few KB of
description HTML, all deterministic from the seed.

Generations: at generation 0 every board is as first generated. Generation `g >= 1`
churns half the boards (those with `(i // 2 + g)` odd, so as many of each platform):
it removes, retitles and adds `--churn` (3 %) of their postings. A board's body only
changes in a generation that churns it; its ETag and Last-Modified say which one,
and it answers 304 to a matching If-None-Match (or, without one, to an
If-Modified-Since not older than its Last-Modified).

Control (for `benchmarks.run`): `GET /_bench/generation/{g}` switches generation and
builds every body of it before answering (so that no measured request pays for the
generation of its body while the cache holds them all); `GET /_bench/stats` counts
requests, statuses and bytes since the last switch or `GET /_bench/reset`.

The server is a small asyncio HTTP/1.1 server with keep-alive, meant to run in its
own process so that it never shares the GIL with the client being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import hashlib
import html
import os
import random
import re
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

MAX_GENERATION = 1000
MAX_HEADER_BYTES = 16 * 1024
MAX_REQUEST_BODY = 1024 * 1024
BASE_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z: Last-Modified of generation 0

_VOCABULARY = (
    "build ship design scale reliable platform team customers product data systems "
    "distributed services infrastructure mentor collaborate own deliver improve measure "
    "performance security privacy payments growth mobile backend frontend analytics "
    "experience engineering quality roadmap strategy partners global remote hybrid "
    "office culture inclusive benefits equity learning career impact mission users "
    "millions requests latency availability incident review testing automation cloud "
    "kubernetes python typescript rust go postgres kafka machine learning models "
    "research pipeline dashboards stakeholders leadership hiring onboarding docs "
    "operations support sales marketing finance legal compliance risk fraud trust "
    "safety accessibility internationalisation café résumé naïve coördinate – "
)
_WORDS = tuple(_VOCABULARY.split())
_HEADINGS = (
    "About the role",
    "What you'll do",
    "What we're looking for",
    "Nice to have",
    "About us",
    "Benefits & perks",
    "How we work",
    "Our stack",
)
_ROLES = (
    "Software Engineer",
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Data Scientist",
    "Machine Learning Engineer",
    "Site Reliability Engineer",
    "Security Engineer",
    "Product Manager",
    "Product Designer",
    "Engineering Manager",
    "Technical Writer",
    "Account Executive",
    "Solutions Architect",
    "Customer Success Manager",
    "Recruiter",
    "Financial Analyst",
    "Legal Counsel",
    "Marketing Manager",
    "Support Engineer",
    "QA Engineer",
    "Mobile Engineer (iOS)",
    "Mobile Engineer (Android)",
    "Infrastructure Engineer",
    "Analytics Engineer",
    "Developer Advocate",
    "Sales Development Representative",
    "Business Operations Lead",
    "Research Scientist",
    "Platform Engineer",
    "Payments Engineer",
    "Fraud Analyst",
    "Trust & Safety Specialist",
    "Office Manager",
    "People Partner",
    "Program Manager",
    "Release Engineer",
    "Database Engineer",
    "Network Engineer",
    "Compliance Officer",
    "Data Analyst",
)
_LEVELS = ("", "Senior ", "Staff ", "Principal ", "Junior ", "Lead ")
_LOCATIONS = (
    "San Francisco, CA",
    "New York, NY",
    "Seattle, WA",
    "Austin, TX",
    "Remote - US",
    "London, UK",
    "Dublin, Ireland",
    "Berlin, Germany",
    "Paris, France",
    "Amsterdam, Netherlands",
    "Toronto, Canada",
    "Remote - Europe",
    "Singapore",
    "Tokyo, Japan",
    "Sydney, Australia",
    "São Paulo, Brazil",
)
_DEPARTMENTS = (
    "Engineering",
    "Product",
    "Design",
    "Data",
    "Sales",
    "Marketing",
    "Finance",
    "Legal",
    "People",
    "Operations",
    "Support",
)
_TEAMS = (
    "Platform",
    "Payments",
    "Growth",
    "Identity",
    "Search",
    "Infrastructure",
    "Mobile",
    "Billing",
    "Risk",
    "Core",
    "Enterprise",
    "Developer Experience",
)
_COMMITMENTS = ("Full-time", "Full-time", "Full-time", "Part-time", "Contract", "Intern")
_WORKPLACES = ("onsite", "hybrid", "remote", "unspecified")
_TAGS = re.compile(r"<[^>]+>")


def _titles() -> tuple[str, ...]:
    return tuple(level + role for role in _ROLES for level in _LEVELS)


TITLES = _titles()


@dataclass(frozen=True)
class Fragment:
    html: str  # an HTML block
    escaped: str  # the same, HTML-escaped (as Greenhouse's `content` is)
    plain: str  # its text (as Lever's `...Plain` fields are)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 18))
    text = " ".join(words)
    if rng.random() < 0.25:
        cut = rng.randint(1, len(words) - 1)
        text = " ".join(words[:cut]) + " <strong>" + " ".join(words[cut:]) + "</strong>"
    if rng.random() < 0.1:
        text += ' (see <a href="https://example.com/about?ref=jobs&amp;lang=en">our site</a>)'
    return text[0].upper() + text[1:] + "."


def _fragment(rng: random.Random) -> Fragment:
    if rng.random() < 0.55:
        markup = "<p>" + " ".join(_sentence(rng) for _ in range(rng.randint(3, 5))) + "</p>"
    else:
        items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(rng.randint(4, 7)))
        markup = f"<h3>{html.escape(rng.choice(_HEADINGS))}</h3><ul>{items}</ul>"
    plain = html.unescape(_TAGS.sub(" ", markup))
    return Fragment(markup, html.escape(markup), " ".join(plain.split()))


class Boards:
    """The synthetic boards and their bodies, cached up to `cache_bytes`."""

    def __init__(self, count: int, seed: int = 1, churn: float = 0.03, cache_bytes: int = 3 << 30):
        if count < 1:
            raise ValueError("needs at least one board")
        self.count = count
        self.seed = seed
        self.churn = churn
        self.cache_bytes = cache_bytes
        self.generation = 0
        rng = random.Random(f"fragments:{seed}")
        self.fragments = tuple(_fragment(rng) for _ in range(600))
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._cached = 0
        self.built = 0  # bodies generated (cache misses)

    # --- naming ----------------------------------------------------------------------

    @staticmethod
    def platform(index: int) -> str:
        return "greenhouse" if index % 2 == 0 else "lever"

    @staticmethod
    def board(index: int) -> str:
        return f"{'gh' if index % 2 == 0 else 'lv'}{index:05d}"

    @staticmethod
    def path(index: int) -> str:
        if index % 2 == 0:
            return f"/v1/boards/{Boards.board(index)}/jobs?content=true"
        return f"/v0/postings/{Boards.board(index)}?mode=json"

    def index_of(self, platform: str, board: str) -> int | None:
        prefix = "gh" if platform == "greenhouse" else "lv"
        if not board.startswith(prefix) or not board[2:].isdigit():
            return None
        index = int(board[2:])
        ok = index < self.count and self.platform(index) == platform
        return index if ok else None

    # --- generations -----------------------------------------------------------------

    @staticmethod
    def churns(index: int, generation: int) -> bool:
        return generation >= 1 and (index // 2 + generation) % 2 == 1

    def changed_in(self, index: int, generation: int) -> int:
        """The last generation (up to `generation`) that changed the board."""
        for g in range(generation, 0, -1):
            if self.churns(index, g):
                return g
        return 0

    def postings(self, index: int, generation: int) -> dict[int, int]:
        """serial -> title version of the board's postings at `generation`, in order."""
        rng = random.Random(f"size:{self.seed}:{index}")
        live = dict.fromkeys(range(rng.randint(90, 110)), 0)
        serial = len(live)
        for g in range(1, generation + 1):
            if not self.churns(index, g) or not live:
                continue
            rng = random.Random(f"churn:{self.seed}:{index}:{g}")
            k = max(1, round(len(live) * self.churn))
            for gone in rng.sample(sorted(live), min(k, len(live))):
                del live[gone]
            for retitled in rng.sample(sorted(live), min(k, len(live))):
                live[retitled] += 1
            for _ in range(k):
                live[serial] = 0
                serial += 1
        return live

    def etag(self, index: int, changed: int) -> str:
        return f'"{self.seed}-{index}-{changed}"'

    @staticmethod
    def last_modified(changed: int) -> float:
        return BASE_TIME + 3600 * changed

    # --- bodies ----------------------------------------------------------------------

    def body(self, index: int, changed: int) -> bytes:
        key = (index, changed)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        body = self.render(index, changed)
        self.built += 1
        self._cache[key] = body
        self._cached += len(body)
        while self._cached > self.cache_bytes and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached -= len(dropped)
        return body

    def render(self, index: int, generation: int) -> bytes:
        live = self.postings(index, generation)
        if index % 2 == 0:
            jobs = [self._greenhouse(index, s, v) for s, v in live.items()]
            return orjson.dumps({"jobs": jobs, "meta": {"total": len(jobs)}})
        return orjson.dumps([self._lever(index, s, v) for s, v in live.items()])

    def _common(
        self, index: int, serial: int, version: int
    ) -> tuple[random.Random, dict[str, Any]]:
        rng = random.Random((self.seed << 48) ^ (index << 24) ^ serial)
        base = rng.randrange(len(TITLES))
        return rng, {
            "title": TITLES[(base + 7 * version) % len(TITLES)],
            "location": rng.choice(_LOCATIONS),
            "department": rng.choice(_DEPARTMENTS),
            "team": rng.choice(_TEAMS),
            "created": BASE_TIME - rng.randrange(400 * 86400),
        }

    def _greenhouse(self, index: int, serial: int, version: int) -> dict[str, Any]:
        rng, c = self._common(index, serial, version)
        job_id = 4_000_000_000 + index * 100_000 + serial
        parts = rng.sample(self.fragments, rng.randint(5, 8))
        content = "".join(p.escaped for p in parts)
        created = c["created"]
        return {
            "absolute_url": f"https://boards.greenhouse.io/{self.board(index)}/jobs/{job_id}",
            "data_compliance": [
                {
                    "type": "gdpr",
                    "requires_consent": False,
                    "requires_processing_consent": False,
                    "requires_retention_consent": False,
                    "retention_period": None,
                }
            ],
            "internal_job_id": job_id - 1_000_000_000,
            "location": {"name": c["location"]},
            "metadata": None,
            "id": job_id,
            "updated_at": _iso(created + 86400 * (1 + version)),
            "requisition_id": f"R{index:05d}-{serial:04d}",
            "title": c["title"],
            "company_name": f"Company {index}",
            "first_published": _iso(created),
            "content": content,
            "departments": [
                {"id": 1000 + _DEPARTMENTS.index(c["department"]), "name": c["department"]}
            ],
            "offices": [{"id": 2000, "name": c["location"], "location": c["location"]}],
        }

    def _lever(self, index: int, serial: int, version: int) -> dict[str, Any]:
        rng, c = self._common(index, serial, version)
        digest = hashlib.md5(f"{self.seed}:{index}:{serial}".encode()).hexdigest()
        job_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        body = rng.sample(self.fragments, rng.randint(2, 4))
        lists = []
        for _ in range(rng.randint(2, 3)):
            items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(rng.randint(3, 5)))
            lists.append({"text": rng.choice(_HEADINGS), "content": items})
        extra = rng.choice(self.fragments)
        hosted = f"https://jobs.lever.co/{self.board(index)}/{job_id}"
        posting: dict[str, Any] = {
            "additional": extra.html,
            "additionalPlain": extra.plain,
            "categories": {
                "commitment": rng.choice(_COMMITMENTS),
                "department": c["department"],
                "location": c["location"],
                "team": c["team"],
                "allLocations": [c["location"]],
            },
            "createdAt": c["created"] * 1000,
            "descriptionPlain": " ".join(p.plain for p in body),
            "description": "<div>" + "".join(p.html for p in body) + "</div>",
            "id": job_id,
            "lists": lists,
            "text": c["title"],
            "country": "US",
            "workplaceType": rng.choice(_WORKPLACES),
            "hostedUrl": hosted,
            "applyUrl": hosted + "/apply",
        }
        if rng.random() < 0.5:
            low = rng.randrange(60, 200) * 1000
            posting["salaryRange"] = {
                "currency": "USD",
                "interval": "per-year-salary",
                "min": low,
                "max": low + rng.randrange(10, 80) * 1000,
            }
            posting["salaryDescription"] = "<div><p>The base salary range is shown.</p></div>"
        return posting


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S-04:00", time.gmtime(seconds - 4 * 3600))


# --- HTTP ----------------------------------------------------------------------------

_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}
_GREENHOUSE = re.compile(r"^/v1/boards/([^/?]+)/jobs$")
_LEVER = re.compile(r"^/v0/postings/([^/?]+)$")
_GENERATION = re.compile(r"^/_bench/generation/(\d+)$")


class App:
    """Answers one request: the routes, conditional GET and the counters."""

    def __init__(self, boards: Boards, latency: float = 0.0):
        self.boards = boards
        self.latency = latency
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.sent = 0
        self.built_at_reset = self.boards.built
        self.cpu_at_reset = time.process_time()

    def stats(self) -> dict[str, Any]:
        return {
            "generation": self.boards.generation,
            "requests": self.requests,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "bytes": self.sent,
            "built": self.boards.built - self.built_at_reset,
            "cached_bodies": len(self.boards._cache),
            "cached_bytes": self.boards._cached,
            "cpu_s": round(time.process_time() - self.cpu_at_reset, 3),
        }

    def respond(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        path, _, _ = target.partition("?")
        if path.startswith("/_bench/"):
            return self._control(path)
        if method not in ("GET", "HEAD"):
            return 400, "", b'{"error": "GET only"}'
        index = None
        if match := _GREENHOUSE.match(path):
            index = self.boards.index_of("greenhouse", match.group(1))
        elif match := _LEVER.match(path):
            index = self.boards.index_of("lever", match.group(1))
        if index is None:
            return 404, "", b'{"error": "not found"}'
        changed = self.boards.changed_in(index, self.boards.generation)
        etag = self.boards.etag(index, changed)
        modified = self.boards.last_modified(changed)
        extra = (
            f"ETag: {etag}\r\nLast-Modified: {email.utils.formatdate(modified, usegmt=True)}\r\n"
        )
        if _not_modified(headers, etag, modified):
            return 304, extra, b""
        body = self.boards.body(index, changed)
        return 200, extra, b"" if method == "HEAD" else body

    def _control(self, path: str) -> tuple[int, str, bytes]:
        if match := _GENERATION.match(path):
            generation = int(match.group(1))
            if generation > MAX_GENERATION:
                return 400, "", b'{"error": "generation too large"}'
            self.boards.generation = generation
            started = time.perf_counter()
            for index in range(self.boards.count):  # build (and cache) every body up front
                self.boards.body(index, self.boards.changed_in(index, generation))
            took = time.perf_counter() - started
            built = self.boards.built - self.built_at_reset
            self.reset()
            return 200, "", orjson.dumps({"built": built, "build_s": round(took, 3)})
        if path == "/_bench/stats":
            return 200, "", orjson.dumps(self.stats())
        if path == "/_bench/reset":
            self.reset()
            return 200, "", b"{}"
        return 404, "", b'{"error": "not found"}'


def _not_modified(headers: dict[str, str], etag: str, modified: float) -> bool:
    match = headers.get("if-none-match")
    if match is not None:  # RFC 9110: If-Modified-Since is ignored when this is present
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            when = email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
        return modified <= when
    return False


async def serve_connection(
    app: App, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 with keep-alive: requests in turn until the client closes."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            except asyncio.LimitOverrunError:
                writer.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n")
                return
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                return
            headers = {}
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if colon:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length > MAX_REQUEST_BODY:
                return
            if length:
                await reader.readexactly(length)
            status, extra, body = app.respond(method, target, headers)
            if not target.startswith("/_bench/"):
                app.requests += 1
                app.statuses[status] = app.statuses.get(status, 0) + 1
                app.sent += len(body)
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            if app.latency:
                await asyncio.sleep(app.latency)
            length_header = "" if status == 304 else f"Content-Length: {len(body)}\r\n"
            writer.write(
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: application/json\r\n{length_header}{extra}"
                f"{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n".encode()
            )
            if body:
                writer.write(body)
            await writer.drain()
            if close:
                return
    except ConnectionError:
        return
    finally:
        writer.close()


async def serve(app: App, port: int, max_seconds: float, watch_stdin: bool = False) -> None:
    server = await asyncio.start_server(
        lambda r, w: serve_connection(app, r, w),
        "127.0.0.1",
        port,
        limit=MAX_HEADER_BYTES,
        backlog=1024,
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on http://127.0.0.1:{bound}", flush=True)
    if watch_stdin:  # the parent's end of our stdin closes when it exits: so do we
        threading.Thread(target=_exit_on_eof, daemon=True).start()
    async with server:
        await asyncio.sleep(max_seconds)  # the server never outlives this


def _exit_on_eof() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.boards", description=__doc__)
    parser.add_argument("--boards", type=int, default=100, help="number of boards")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--churn", type=float, default=0.03, help="share changed per generation")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per response")
    parser.add_argument("--cache-mb", type=int, default=6144, help="bound on cached bodies")
    parser.add_argument("--max-seconds", type=float, default=3600, help="lifetime")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args(argv)
    boards = Boards(args.boards, args.seed, args.churn, args.cache_mb << 20)
    app = App(boards, args.latency)
    asyncio.run(serve(app, args.port, args.max_seconds, watch_stdin=args.watch_stdin))


if __name__ == "__main__":
    main()

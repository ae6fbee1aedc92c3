"""Server time of `watcher serve`'s heavy pages on a large database.

    python -m benchmarks.web --postings 100000

Builds a database of N postings (bulk SQL through the store's own schema: 500 sites, a
baseline 120 days ago, then a stream of new and closed postings with their events, 1 KB
descriptions), then asks the app, in process (httpx over ASGI: routing, the store's
queries, templates and charts, no socket), for each page `--repeat` times and prints the
median and worst server time of each:

- Openings: the first page, a full-text search, a filtered page (location and
  department), a deep page (the cursor of the 1,000th page, reached by following `next`),
  and the A-Z order;
- Company: the page of one site (about 200 postings) and its two charts;
- Companies: one row per site with its trend line;
- New: the last 7 days, through a config's filters.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from watcher.model import utc_iso

WORDS = [
    "backend",
    "frontend",
    "platform",
    "data",
    "machine",
    "learning",
    "site",
    "reliability",
    "security",
    "mobile",
    "product",
    "design",
    "sales",
    "marketing",
    "finance",
    "legal",
    "support",
    "engineer",
    "manager",
    "analyst",
    "scientist",
    "lead",
    "senior",
    "staff",
    "principal",
    "junior",
    "intern",
    "director",
]
# 5,000 made-up words, and a few real ones now and then: a search finds a few percent
VOCABULARY = [f"w{n:04d}" for n in range(5000)] + ["rust", "kubernetes", "python"]
PLACES = ("Berlin", "London", "New York", "Remote", "Lisbon", "Paris", "Remote - US", "Tokyo")
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "Design", "Operations")


def build(path: Path, postings: int, sites: int, now: datetime, seed: int = 1) -> None:
    """A database of `postings` postings over `sites` sites, as checks would leave it."""
    from watcher.store import Store

    rng = random.Random(seed)
    store = Store(path)
    conn = store.db.conn
    baseline = now - timedelta(days=120)
    per_site = postings // sites
    site_rows, posting_rows, descriptions, events = [], [], [], []
    for s in range(sites):
        name = f"Company {s:04d}"
        failing = s % 50 == 0
        site_rows.append(
            (
                name,
                "greenhouse",
                f"company{s:04d}",
                utc_iso(baseline),
                utc_iso(now - timedelta(minutes=s % 30)),
                utc_iso(now - timedelta(minutes=s % 30 + (600 if failing else 0))),
                "HTTP 404: board not found" if failing else None,
                "not_found" if failing else None,
                3 if failing else 0,
                int(failing),
            )
        )
        for i in range(per_site):
            # three quarters from the baseline, the rest arriving since, a fifth closed
            arrived = i < per_site * 3 // 4
            first = (
                baseline
                if arrived
                else baseline
                + timedelta(seconds=rng.randrange(int((now - baseline).total_seconds())))
            )
            closed = rng.random() < 0.2
            closed_at = first + timedelta(days=rng.randrange(1, 60)) if closed else None
            if closed_at and closed_at > now:
                closed_at, closed = None, False
            title = " ".join(rng.sample(WORDS, 3)).title()
            place = rng.choice(PLACES)
            pid = f"{s:04d}{i:06d}"
            posting_rows.append(
                (
                    name,
                    pid,
                    title,
                    f"https://boards.example/company{s:04d}/jobs/{pid}",
                    place,
                    orjson.dumps([place]).decode(),
                    rng.choice(DEPARTMENTS),
                    "remote" if "Remote" in place else "onsite",
                    utc_iso(first),
                    "closed" if closed else "open",
                    utc_iso(first),
                    utc_iso(closed_at or now),
                    utc_iso(closed_at),
                    f"d{pid}",
                )
            )
            text = " ".join(rng.choices(VOCABULARY, k=150))
            descriptions.append((name, pid, store.packer.pack(text), 0, 0))
            events.append((name, pid, "new", utc_iso(first)))
            if closed_at:
                events.append((name, pid, "closed", utc_iso(closed_at)))
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO sites (name, platform, board, baseline_at, last_check, last_success, "
            "last_error, error_kind, failures, attention) VALUES (?,?,?,?,?,?,?,?,?,?)",
            site_rows,
        )
        c.executemany(
            "INSERT INTO postings (site, id, title, url, location, locations, department, "
            "workplace, posted_at, status, first_seen, last_seen, closed_at, digest) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            posting_rows,
        )
        c.executemany(
            "INSERT INTO descriptions (site, id, body, dictionary, html) VALUES (?,?,?,?,?)",
            descriptions,
        )
        c.executemany(
            "INSERT INTO events (site, posting_id, kind, at) VALUES (?,?,?,?)",
            sorted(events, key=lambda e: e[3]),
        )
    conn.execute("ANALYZE")
    store.close()


CONFIG = """\
defaults:
  match:
    title: [engineer, scientist, analyst]
    exclude_title: [intern]
sites:
"""


async def measure(db: Path, repeat: int, now: datetime) -> list[tuple[str, list[float]]]:
    import httpx

    from watcher import config as config_mod
    from watcher.store import Store
    from watcher.store.trends import OpeningsQuery
    from watcher.web.app import Services, Settings, create_app

    config_path = db.with_name("sites.yaml")
    config_path.write_text(
        CONFIG
        + "".join(f"  - {{name: Company {s:04d}, greenhouse: c{s:04d}}}\n" for s in range(500))
    )
    config = config_mod.load(config_path)
    store = Store(db, create=False)
    app = create_app(Settings(), Services(store, lambda: config, clock=lambda: now))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as client:

        async def get(url: str) -> httpx.Response:
            reply = await client.get(url)
            if reply.status_code != 200:
                raise SystemExit(f"{url}: HTTP {reply.status_code}")
            return reply

        page = store.openings(OpeningsQuery())
        for _ in range(998):  # the cursor of the 1,000th page, followed as a user would
            page = store.openings(OpeningsQuery(after=page.next))
        pages = {
            "Openings, first page": "/openings",
            "Openings, search 'rust'": "/openings?q=rust",
            "Openings, location and department": "/openings?location=berlin&department=sales",
            "Openings, page 1,000": f"/openings?after={page.next}",
            "Openings, A-Z": "/openings?sort=title",
            "Company": "/company?site=Company+0007",
            "Company chart: open": "/chart/open.svg?site=Company+0007",
            "Company chart: new and closed": "/chart/weekly.svg?site=Company+0007",
            "Companies (500 sites)": "/companies",
            "New (7 days, filtered)": "/new",
        }
        results = []
        for label, url in pages.items():
            await get(url)  # warm: the search index is built here, once
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                await get(url)
                times.append(time.perf_counter() - start)
            results.append((label, times))
    store.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", type=Path, default=None, help="build (or reuse) this file")
    args = parser.parse_args(argv)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "watcher.db"
        if not db.exists():
            start = time.perf_counter()
            build(db, args.postings, args.sites, now)
            print(
                f"built {args.postings:,} postings in {time.perf_counter() - start:.1f} s",
                file=sys.stderr,
            )
        rows = asyncio.run(measure(db, args.repeat, now))
    print(f"{'page':40} {'median ms':>10} {'worst ms':>9}")
    for label, times in rows:
        print(f"{label:40} {statistics.median(times) * 1000:10.1f} {max(times) * 1000:9.1f}")


if __name__ == "__main__":
    main()

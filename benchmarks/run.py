"""Measure a watcher cycle beside the floor: the plain download of the same boards.

    python -m benchmarks.run --boards 100,1000,5000

For each number of boards N, in fresh temporary directories: start the board server
(`benchmarks.boards`, its own process), then measure, each in its own process:

- the floor: one `httpx.AsyncClient` and `orjson.loads`, nothing else, over the same
  URLs, at a few concurrency levels (the best one counts): cold (generation 0, no
  validators), churn (generation 1, sending the validators of the cold pass: the
  boards that did not change answer 304), unchanged (generation 1 again, sending the
  churn pass's validators: all 304);
- watcher: `check_sites` over a config of N sites (half Greenhouse, half Lever, `api:`
  pointing at the server), through the real store in a temporary SQLite file: the
  baseline cycle (generation 0), the churn cycle (generation 1) and the unchanged
  cycle (generation 1 again). Each cycle runs in a fresh process, so its peak RSS
  (`ru_maxrss`) is that cycle's own, imports and config included.

Politeness is set to measure cost, not manners: `per_host` high, `min_gap` 0.
`close_after_misses: 1` makes the postings removed in the churn generation close in
the churn cycle (with the default of 2 they would only be counted missing, and the
unchanged cycle would re-read those boards in full instead of asking for a 304).

Results are printed as a table and written as JSON under `benchmarks/results/`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("baseline", "churn", "unchanged")
FLOOR_PHASE = {"baseline": "cold", "churn": "churn", "unchanged": "unchanged"}
TARGETS = {"baseline": 2.5, "churn": 1.5, "unchanged": 1.3}  # watcher s / floor s, at most
WORKER_TIMEOUT = 1800.0  # seconds: one worker process, at most
SERVER_LIFETIME = 7200.0  # seconds: the board server exits by itself after this


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def control(base: str, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(base + path, timeout=WORKER_TIMEOUT) as reply:
        result: dict[str, Any] = json.loads(reply.read())
        return result


def board_urls(base: str, count: int) -> list[str]:
    from benchmarks.boards import Boards

    return [base + Boards.path(i) for i in range(count)]


# --- the floor ---------------------------------------------------------------------


async def floor_pass(
    urls: list[str], level: int, validators: dict[str, tuple[str | None, str | None]]
) -> tuple[float, dict[str, tuple[str | None, str | None]], Counter[int]]:
    """Download every URL once with `level` requests in flight; decode each 200 body."""
    import httpx
    import orjson

    seen: dict[str, tuple[str | None, str | None]] = {}
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=level, max_keepalive_connections=level)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        gate = asyncio.Semaphore(level)

        async def one(url: str) -> None:
            headers = {}
            etag, modified = validators.get(url, (None, None))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            async with gate:
                reply = await client.get(url, headers=headers)
            statuses[reply.status_code] += 1
            if reply.status_code == 200:
                orjson.loads(reply.content)
            seen[url] = (reply.headers.get("etag"), reply.headers.get("last-modified"))

        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in urls))
        took = time.perf_counter() - started
    return took, seen, statuses


def floor_worker(base: str, count: int, levels: list[int]) -> dict[str, Any]:
    urls = board_urls(base, count)
    out: dict[str, Any] = {}
    validators: dict[int, dict[str, tuple[str | None, str | None]]] = {}
    for phase, generation in (("cold", 0), ("churn", 1), ("unchanged", 1)):
        control(base, f"/_bench/generation/{generation}")
        runs = []
        for level in levels:
            control(base, "/_bench/reset")
            took, seen, statuses = asyncio.run(floor_pass(urls, level, validators.get(level, {})))
            server = control(base, "/_bench/stats")
            validators[level] = seen
            runs.append(
                {
                    "level": level,
                    "wall_s": round(took, 3),
                    "statuses": {str(k): v for k, v in sorted(statuses.items())},
                    "mb_served": round(server["bytes"] / 2**20, 1),
                    "server_cpu_s": server["cpu_s"],
                }
            )
            log(f"  floor {phase:9} {level:3} in flight: {took:6.2f} s {dict(statuses)}")
        best = min(runs, key=lambda r: r["wall_s"])
        out[phase] = {**best, "runs": runs}
    out["peak_rss_mb"] = rss_mb()
    return out


# --- watcher -----------------------------------------------------------------------


def config_text(base: str, count: int, args: argparse.Namespace) -> str:
    from benchmarks.boards import Boards

    lines = [
        "defaults:",
        f"  per_host: {args.per_host}",
        "  min_gap: 0",
        f"  concurrency: {args.concurrency}",
        "  close_after_misses: 1",
        "sites:",
    ]
    for i in range(count):
        board = Boards.board(i)
        lines += [f"  - name: {board}", f"    {Boards.platform(i)}: {board}", f"    api: {base}"]
    return "\n".join(lines) + "\n"


def cycle_worker(
    base: str, count: int, db: str, kind: str, args: argparse.Namespace
) -> dict[str, Any]:
    from watcher.config import parse
    from watcher.cycle import check_sites, make_fetcher
    from watcher.store import Store

    started = time.perf_counter()
    config = parse(config_text(base, count, args), "bench.yaml", {})
    setup_s = time.perf_counter() - started
    store = Store(db)
    rss_before = rss_mb()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled", interval=0.001)

    async def cycle() -> tuple[Any, float, float]:
        async with make_fetcher(config) as fetcher:
            cpu = cpu_s()
            began = time.perf_counter()
            if profiler:
                profiler.start()
            report = await check_sites(
                config,
                store,
                fetcher,
                config.sites,
                concurrency=config.defaults.concurrency or 8,
            )
            if profiler:
                profiler.stop()
            return report, time.perf_counter() - began, cpu_s() - cpu

    report, wall, cpu = asyncio.run(cycle())
    store.close()
    counts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for site in report.sites:
        if not site.ok:
            counts["failed"] += 1
            errors[site.error or "?"] += 1
            continue
        for name in ("new", "changed", "closed", "reopened", "reposted"):
            counts[name] += getattr(site, name)
        counts["unchanged_sites"] += site.unchanged
        counts["baseline_sites"] += site.baseline
        counts["open"] += site.open
    result = {
        "kind": kind,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "setup_s": round(setup_s, 3),
        "rss_before_mb": rss_before,
        "peak_rss_mb": rss_mb(),
        "counts": dict(counts),
        "errors": dict(errors.most_common(3)),
    }
    if profiler:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        stem = Path(args.profile) / f"{count}-{kind}"
        stem.with_suffix(".html").write_text(profiler.output_html())
        stem.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=False))
        result["profile"] = str(stem)
    return result


# --- the orchestra -----------------------------------------------------------------


class BoardServer:
    """`benchmarks.boards` in its own process; it exits when our end of its stdin closes."""

    def __init__(self, count: int, args: argparse.Namespace):
        command = [
            sys.executable,
            "-m",
            "benchmarks.boards",
            "--boards",
            str(count),
            "--seed",
            str(args.seed),
            "--latency",
            str(args.latency),
            "--max-seconds",
            str(SERVER_LIFETIME),
            "--watch-stdin",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(30)
        if not line or not line[0].startswith(b"listening on "):
            self.stop()
            raise RuntimeError("the board server did not start")
        self.base = line[0].decode().split()[-1]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def worker(role: str, base: str, count: int, args: argparse.Namespace, **extra: str) -> Any:
    """Run `role` in a fresh Python process; its result is the last line it prints."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--worker",
        role,
        "--base",
        base,
        "--boards",
        str(count),
        "--levels",
        args.levels,
        "--concurrency",
        str(args.concurrency),
        "--per-host",
        str(args.per_host),
    ]
    for key, value in extra.items():
        command += [f"--{key}", value]
    if args.profile:
        command += ["--profile", args.profile]
    done = subprocess.run(
        command, cwd=ROOT, stdout=subprocess.PIPE, timeout=WORKER_TIMEOUT, check=True
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def measure(count: int, args: argparse.Namespace) -> dict[str, Any]:
    log(f"{count} boards: starting the board server")
    server = BoardServer(count, args)
    runs = []
    try:
        built = control(server.base, "/_bench/generation/0")
        log(f"  built generation 0 in {built['build_s']} s")
        for attempt in range(args.repeat):
            if args.repeat > 1:
                log(f"  run {attempt + 1} of {args.repeat}")
            runs.append(measure_once(server, count, args))
    finally:
        server.stop()
    return best_of(runs)


def measure_once(server: BoardServer, count: int, args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix=f"watcher-bench-{count}-"))
    try:
        floor = None
        if not args.skip_floor:
            floor, other = watched(server, lambda: worker("floor", server.base, count, args))
            floor["other_load"] = other
            control(server.base, "/_bench/generation/0")
        db = scratch / "watcher.db"
        cycles: dict[str, Any] = {}
        for kind, generation in (("baseline", 0), ("churn", 1), ("unchanged", 1)):
            control(server.base, f"/_bench/generation/{generation}")
            result, other = watched(
                server,
                lambda kind=kind: worker("cycle", server.base, count, args, db=str(db), kind=kind),
            )
            result["server"] = control(server.base, "/_bench/stats")
            result["other_load"] = other
            cycles[kind] = result
            log(
                f"  watcher {kind:9}: {result['wall_s']:6.2f} s, cpu {result['cpu_s']:.2f} s, "
                f"peak RSS {result['peak_rss_mb']} MB, {result['counts']}, "
                f"served {result['server']['statuses']}, other load {other}"
            )
            if kind == "churn":
                cycles[kind]["db_bytes"] = db_size(db)
        final = db_size(db)
        return {"boards": count, "floor": floor, "watcher": cycles, "db_bytes": final}
    finally:
        if args.keep:
            log(f"  kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest run of each phase; the highest peak RSS of each cycle kind."""
    best = dict(runs[-1])
    if all(r["floor"] for r in runs):
        floor = {}
        for phase in FLOOR_PHASE.values():
            floor[phase] = min((r["floor"][phase] for r in runs), key=lambda p: p["wall_s"])
        floor["peak_rss_mb"] = max(r["floor"]["peak_rss_mb"] for r in runs)
        floor["other_load"] = max(r["floor"]["other_load"] for r in runs)
        best["floor"] = floor
    cycles = {}
    for kind in PHASES:
        tries = [r["watcher"][kind] for r in runs]
        cycles[kind] = {
            **min(tries, key=lambda c: c["wall_s"]),
            "peak_rss_mb": max(c["peak_rss_mb"] for c in tries),
            "walls_s": [c["wall_s"] for c in tries],
        }
    best["watcher"] = cycles
    best["runs"] = len(runs)
    return best


def busy_s() -> float:
    """CPU seconds spent by the whole machine since boot (all cores)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watched(server: BoardServer, run: Any) -> tuple[Any, float]:
    """`run()`, and the cores other processes of the machine kept busy meanwhile
    (neither the benchmark's nor the board server's): above ~0.1, figures are noisy."""

    def ours() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cpu_s() + children.ru_utime + children.ru_stime + process_cpu_s(server.process.pid)

    busy, mine, began = busy_s(), ours(), time.perf_counter()
    result = run()
    wall = time.perf_counter() - began
    other = (busy_s() - busy) - (ours() - mine)
    return result, round(max(0.0, other) / wall, 2)


def db_size(db: Path) -> dict[str, int]:
    sizes = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(str(db) + suffix)
        sizes["db" + suffix.replace("-", "_")] = path.stat().st_size if path.exists() else 0
    return sizes


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'boards':>6}  {'phase':9}  {'floor s':>7}  {'(in flight)':>11}  {'watcher s':>9}  "
        f"{'ratio':>5}  {'target':>9}  {'peak RSS MB':>11}  {'cpu s':>6}  {'other':>5}  counts"
    )
    rows = [head, "-" * len(head)]
    for result in results:
        floor = result["floor"] or {}
        for kind in PHASES:
            cycle = result["watcher"][kind]
            best = floor.get(FLOOR_PHASE[kind])
            ratio = cycle["wall_s"] / best["wall_s"] if best else None
            mark = "" if ratio is None else ("ok" if ratio <= TARGETS[kind] else "OVER")
            rows.append(
                f"{result['boards']:>6}  {kind:9}  "
                f"{best['wall_s'] if best else '-':>7}  "
                f"{best['level'] if best else '-':>11}  {cycle['wall_s']:>9.2f}  "
                f"{f'{ratio:.2f}' if ratio else '-':>5}  "
                f"{f'{TARGETS[kind]}x {mark}':>9}  {cycle['peak_rss_mb']:>11}  "
                f"{cycle['cpu_s']:>6.2f}  {cycle['other_load']:>5}  {_counts(kind, cycle)}"
            )
        size = result["db_bytes"]
        rows.append(
            f"{'':>6}  DB after the three cycles: {size['db'] / 2**20:.1f} MB "
            f"(+ WAL {size['db_wal'] / 2**20:.1f} MB); floor peak RSS "
            f"{floor.get('peak_rss_mb', '-')} MB, other load {floor.get('other_load', '-')}"
        )
    rss = {r["boards"]: max(c["peak_rss_mb"] for c in r["watcher"].values()) for r in results}
    if 1000 in rss:
        rows.append(f"peak RSS at 1000 boards: {rss[1000]} MB (target: at most 250 MB)")
    if 1000 in rss and 5000 in rss:
        rows.append(
            f"peak RSS at 5000 boards: {rss[5000] / rss[1000]:.2f}x the 1000 one (target: 1.5x)"
        )
    rows.append(
        "other: cores kept busy by other processes meanwhile (and the kernel's loopback work): "
        "above ~0.2, figures are noisy"
    )
    return "\n".join(rows)


def _counts(kind: str, cycle: dict[str, Any]) -> str:
    counts = cycle["counts"]
    served = ", ".join(f"{n} x {code}" for code, n in cycle["server"]["statuses"].items())
    if kind == "baseline":
        what = f"{counts.get('open', 0)} open; served {served}"
    elif kind == "churn":
        what = (
            f"new {counts.get('new', 0)}, changed {counts.get('changed', 0)}, "
            f"closed {counts.get('closed', 0)}, reposted {counts.get('reposted', 0)}; "
            f"served {served}"
        )
    else:
        what = f"{counts.get('unchanged_sites', 0)} sites unchanged; served {served}"
    if counts.get("failed"):
        what += f"; FAILED {counts['failed']}: {cycle['errors']}"
    return what


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--boards", default="100,1000", help="comma-separated board counts")
    parser.add_argument("--levels", default="4,8,16", help="the floor's requests in flight")
    parser.add_argument("--concurrency", type=int, default=4, help="watcher's sites at once")
    parser.add_argument("--per-host", type=int, default=64, help="watcher's per_host")
    parser.add_argument("--latency", type=float, default=0.0, help="server delay per response")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best counts")
    parser.add_argument("--skip-floor", action="store_true", help="measure watcher only")
    parser.add_argument("--profile", help="profile each watcher cycle into this directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--results", default=str(RESULTS), help="where to write the results")
    parser.add_argument("--worker", choices=("floor", "cycle"), help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "floor":
        levels = [int(x) for x in args.levels.split(",")]
        print(json.dumps(floor_worker(args.base, int(args.boards), levels)))
        return
    if args.worker == "cycle":
        print(json.dumps(cycle_worker(args.base, int(args.boards), args.db, args.kind, args)))
        return

    counts = [int(x) for x in args.boards.split(",")]
    results = []
    for count in counts:
        results.append(measure(count, args))
        if len(counts) > 1:
            print(table(results[-1:]) + "\n", flush=True)
    report = table(results)
    print(report)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    settings = {
        k: v for k, v in vars(args).items() if k not in ("worker", "base", "db", "kind", "results")
    }
    meta = {"settings": settings, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    path = results_dir / f"{stamp}.json"
    path.write_text(json.dumps({**meta, "results": results}, indent=2))
    (results_dir / f"{stamp}.txt").write_text(report + "\n")
    log(f"results in {path}")


if __name__ == "__main__":
    main()

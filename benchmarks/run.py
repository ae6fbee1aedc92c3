"""Measure `watcher check` beside the floor: the plain download of the same boards.

    python -m benchmarks.run --boards 100,1000

For each number of boards N, in fresh temporary directories: start the board server
(`benchmarks.boards`, its own process), then, phase by phase, run each of these as a
whole process, the way a user or cron runs it, and time it from start to exit:

- the floor: `benchmarks/download.py`, one `httpx.AsyncClient` and `orjson.loads`,
  nothing else, over the same URLs, at a few concurrency levels (the best one counts),
  sending the validators its previous pass got;
- watcher: `watcher check --json` over a `sites.yaml` of N sites (half Greenhouse, half
  Lever, `api:` pointing at the server) and a SQLite file of its own.

The phases: baseline (generation 0, an empty database; the floor has no validators),
unchanged (generation 0 again: every board answers 304), churn (generation 1: half the
boards changed) and the check after a churn (generation 1 again: every board answers 304
to the floor; watcher has postings on their way to closing, `close_after_misses` being
its default of 2). Each is reported with its wall time, the bytes the server sent, peak
RSS and CPU time.

`--in-process` measures instead the cycle alone, in process (`check_sites`, with the
config parsed and the store opened before the clock starts), with
`close_after_misses: 1`, against the floor's download time alone: baseline, churn,
unchanged. It is the mode `--profile` (pyinstrument) works in.

Politeness is set to measure cost, not manners: `per_host` high, `min_gap` 0.
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
from functools import partial
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


# --- in process: the floor ------------------------------------------------------


def floor_worker(base: str, count: int, levels: list[int]) -> dict[str, Any]:
    from benchmarks.download import download

    urls = board_urls(base, count)
    out: dict[str, Any] = {}
    validators: dict[int, dict[str, tuple[str | None, str | None]]] = {}
    for phase, generation in (("cold", 0), ("churn", 1), ("unchanged", 1)):
        control(base, f"/_bench/generation/{generation}")
        runs = []
        for level in levels:
            control(base, "/_bench/reset")
            took, seen, statuses = asyncio.run(download(urls, level, validators.get(level, {})))
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


def config_text(
    base: str, count: int, args: argparse.Namespace, close_after_misses: int | None = 1
) -> str:
    """A sites.yaml of `count` sites; `close_after_misses` None leaves watcher's default."""
    from benchmarks.boards import Boards

    lines = [
        "defaults:",
        f"  per_host: {args.per_host}",
        "  min_gap: 0",
        f"  concurrency: {args.concurrency}",
    ]
    if close_after_misses is not None:
        lines.append(f"  close_after_misses: {close_after_misses}")
    lines.append("sites:")
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


# --- the whole command ---------------------------------------------------------------

# phase -> the generation the server serves; the floor sends the validators of the
# phase before, watcher what its database holds.
COMMAND_PHASES = (("baseline", 0), ("unchanged", 0), ("churn", 1), ("after churn", 1))
COMMAND_TARGETS = {"baseline": 2.5, "unchanged": 1.3, "churn": 1.5, "after churn": 1.3}


def child_env() -> dict[str, str]:
    """The children's environment: bytecode caches written and used, as an installed
    package has them (pip compiles them), but in the user's cache, never in the tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    env["PYTHONPYCACHEPREFIX"] = str(cache / "watcher-benchmark" / "pycache")
    return env


def watcher_command() -> list[str]:
    """`watcher`, the console script users run (`python -m watcher` when none is installed)."""
    script = Path(sys.executable).parent / "watcher"
    return [str(script)] if script.exists() else [sys.executable, "-m", "watcher"]


def run_timed(command: list[str], out: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run `command` to its end (WORKER_TIMEOUT at most), its stdout to `out`: its wall
    time from start to exit, and its own CPU time and peak RSS (from wait4)."""
    err = out.with_suffix(".err")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr, env=env)
        timer = threading.Timer(WORKER_TIMEOUT, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit": process.returncode,
        "stderr": err.read_text(errors="replace")[-2000:],
    }


class Scratch:
    """The files of one run: the URLs and validators of the floor, watcher's config and
    database, and each process's output."""

    def __init__(self, base: str, count: int, args: argparse.Namespace):
        self.dir = Path(tempfile.mkdtemp(prefix=f"watcher-bench-{count}-"))
        self.urls = self.dir / "urls.txt"
        self.urls.write_text("\n".join(board_urls(base, count)) + "\n")
        self.config = self.dir / "sites.yaml"
        self.config.write_text(config_text(base, count, args, close_after_misses=None))
        self.db = self.dir / "watcher.db"

    def validators(self, level: int, phase: str) -> Path:
        return self.dir / f"validators-{level}-{phase.replace(' ', '-')}.json"


def download_pass(
    server: BoardServer,
    scratch: Scratch,
    level: int,
    phase: str,
    before: str | None,
    env: dict[str, str],
) -> dict[str, Any]:
    """One whole download process at `level` in flight, with the validators of `before`."""
    control(server.base, "/_bench/reset")
    given = str(scratch.validators(level, before)) if before else "-"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "download.py"),
        str(scratch.urls),
        str(level),
        given,
        str(scratch.validators(level, phase)),
    ]
    out = scratch.dir / f"download-{level}.out"
    result = run_timed(command, out, env)
    if result["exit"] != 0:
        raise RuntimeError(f"the download failed: {result['stderr']}")
    inside = json.loads(out.read_text().strip().splitlines()[-1])
    server_stats = control(server.base, "/_bench/stats")
    return {
        **result,
        "level": level,
        "download_s": inside["wall_s"],  # the downloads alone, inside the process
        "server": server_stats,
    }


def check_pass(server: BoardServer, scratch: Scratch, env: dict[str, str]) -> dict[str, Any]:
    """One whole `watcher check`, and what it did (from its --json)."""
    control(server.base, "/_bench/reset")
    command = [
        *watcher_command(),
        "--config",
        str(scratch.config),
        "--db",
        str(scratch.db),
        "check",
        "--json",
    ]
    out = scratch.dir / "check.out"
    result = run_timed(command, out, env)
    result["server"] = control(server.base, "/_bench/stats")
    if result["exit"] not in (0, 3):  # 3: some site failed, counted below
        raise RuntimeError(f"watcher check exited {result['exit']}: {result['stderr']}")
    report = json.loads(out.read_text())
    counts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for site in report["sites"]:
        if not site["ok"]:
            counts["failed"] += 1
            errors[site.get("error") or "?"] += 1
            continue
        for name in ("new", "changed", "closed", "reopened", "reposted"):
            counts[name] += site.get(name) or 0
        counts["unchanged_sites"] += bool(site.get("unchanged"))
        counts["baseline_sites"] += bool(site.get("baseline"))
        counts["open"] += site.get("open") or 0
    result["counts"] = dict(counts)
    result["errors"] = dict(errors.most_common(3))
    return result


def measure_command(count: int, args: argparse.Namespace) -> dict[str, Any]:
    log(f"{count} boards: starting the board server")
    server = BoardServer(count, args)
    env = child_env()
    levels = [int(x) for x in args.levels.split(",")]
    runs = []
    try:
        built = control(server.base, "/_bench/generation/0")
        log(f"  built generation 0 in {built['build_s']} s")
        warm_up(server, args, env)
        for attempt in range(args.repeat):
            if args.repeat > 1:
                log(f"  run {attempt + 1} of {args.repeat}")
            runs.append(command_once(server, count, levels, args, env))
    finally:
        server.stop()
    return best_command(runs)


def warm_up(server: BoardServer, args: argparse.Namespace, env: dict[str, str]) -> None:
    """One unmeasured run of each process over 2 boards, so that the measured ones find
    their bytecode compiled, as an installed package has it."""
    scratch = Scratch(server.base, 2, args)
    try:
        download_pass(server, scratch, 2, "warm", None, env)
        check_pass(server, scratch, env)
    finally:
        shutil.rmtree(scratch.dir, ignore_errors=True)


def command_once(
    server: BoardServer,
    count: int,
    levels: list[int],
    args: argparse.Namespace,
    env: dict[str, str],
) -> dict[str, Any]:
    scratch = Scratch(server.base, count, args)
    phases: dict[str, Any] = {}
    try:
        before = None
        for phase, generation in COMMAND_PHASES:
            control(server.base, f"/_bench/generation/{generation}")
            floor: list[dict[str, Any]] = []
            if not args.skip_floor:
                for level in levels:
                    run, other = watched(
                        server, partial(download_pass, server, scratch, level, phase, before, env)
                    )
                    floor.append({**run, "other_load": other})
            check, other = watched(server, partial(check_pass, server, scratch, env))
            check["other_load"] = other
            best = min(floor, key=lambda r: r["wall_s"]) if floor else None
            phases[phase] = {"floor": best, "floor_runs": floor, "watcher": check}
            served = check["server"]["statuses"]
            log(
                f"  {phase:11} download {best['wall_s'] if best else '-':>6} s "
                f"({best['level'] if best else '-'} in flight), watcher {check['wall_s']:6.2f} s, "
                f"peak RSS {check['peak_rss_mb']} MB, {check['counts']}, served {served}, "
                f"other load {other}"
            )
            before = phase
        return {"boards": count, "phases": phases, "db_bytes": db_size(scratch.db)}
    finally:
        if args.keep:
            log(f"  kept {scratch.dir}")
        else:
            shutil.rmtree(scratch.dir, ignore_errors=True)


def best_command(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each phase's fastest download and fastest check over the runs; the highest RSS."""
    best = dict(runs[-1])
    phases = {}
    for phase, _ in COMMAND_PHASES:
        tries = [r["phases"][phase] for r in runs]
        floors = [t["floor"] for t in tries if t["floor"]]
        checks = [t["watcher"] for t in tries]
        phases[phase] = {
            "floor": min(floors, key=lambda f: f["wall_s"]) if floors else None,
            "watcher": {
                **min(checks, key=lambda c: c["wall_s"]),
                "peak_rss_mb": max(c["peak_rss_mb"] for c in checks),
                "walls_s": [c["wall_s"] for c in checks],
            },
        }
    best["phases"] = phases
    best["runs"] = len(runs)
    return best


def command_table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'boards':>6}  {'phase':11}  {'download s':>10}  {'(in flight)':>11}  "
        f"{'watcher s':>9}  {'ratio':>5}  {'target':>9}  {'MB served':>15}  "
        f"{'peak RSS MB':>11}  {'cpu s':>6}  {'other':>5}  counts"
    )
    rows = [head, "-" * len(head)]
    for result in results:
        for phase, _ in COMMAND_PHASES:
            floor = result["phases"][phase]["floor"]
            check = result["phases"][phase]["watcher"]
            ratio = check["wall_s"] / floor["wall_s"] if floor else None
            target = COMMAND_TARGETS[phase]
            mark = "" if ratio is None else ("ok" if ratio <= target else "OVER")
            served = f"{_mb(floor) if floor else '-'} / {_mb(check)}"
            rss = f"{floor['peak_rss_mb'] if floor else '-'} / {check['peak_rss_mb']}"
            rows.append(
                f"{result['boards']:>6}  {phase:11}  {floor['wall_s'] if floor else '-':>10}  "
                f"{floor['level'] if floor else '-':>11}  {check['wall_s']:>9.2f}  "
                f"{f'{ratio:.2f}' if ratio else '-':>5}  {f'{target}x {mark}':>9}  "
                f"{served:>15}  {rss:>11}  {check['cpu_s']:>6.2f}  "
                f"{check['other_load']:>5}  {_counts(phase, check)}"
            )
        size = result["db_bytes"]
        rows.append(
            f"{'':>6}  DB after the four checks: {size['db'] / 2**20:.1f} MB "
            f"(+ WAL {size['db_wal'] / 2**20:.1f} MB)"
        )
    rows.append(
        "download s and watcher s: each whole process, start to exit; MB served and peak RSS: "
        "download / watcher"
    )
    rows.append(
        "other: cores kept busy by other processes meanwhile (and the kernel's loopback work): "
        "above ~0.2, figures are noisy"
    )
    return "\n".join(rows)


def _mb(run: dict[str, Any]) -> str:
    return f"{run['server']['bytes'] / 2**20:.1f}"


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
    elif kind == "after churn":
        what = (
            f"closed {counts.get('closed', 0)}, {counts.get('unchanged_sites', 0)} sites "
            f"unchanged; served {served}"
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
    parser.add_argument(
        "--in-process", action="store_true", help="time the cycle alone, inside one process"
    )
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
    run, render = (measure, table) if args.in_process else (measure_command, command_table)
    results = []
    for count in counts:
        results.append(run(count, args))
        if len(counts) > 1:
            print(render(results[-1:]) + "\n", flush=True)
    report = render(results)
    print(report)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    settings = {
        k: v for k, v in vars(args).items() if k not in ("worker", "base", "db", "kind", "results")
    }
    meta = {
        "mode": "in process" if args.in_process else "whole command",
        "settings": settings,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    path = results_dir / f"{stamp}.json"
    path.write_text(json.dumps({**meta, "results": results}, indent=2))
    (results_dir / f"{stamp}.txt").write_text(report + "\n")
    log(f"results in {path}")


if __name__ == "__main__":
    main()

"""Small runs of the benchmark, so that it keeps working: 4 boards, every phase."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def bench(tmp_path: Path, *options: str) -> tuple[dict[str, Any], str]:
    command = [sys.executable, "-m", "benchmarks.run", "--boards", "4", "--levels", "2"]
    done = subprocess.run(
        [*command, "--concurrency", "2", "--results", str(tmp_path), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (path,) = tmp_path.glob("*.json")
    (result,) = json.loads(path.read_text())["results"]
    return result, done.stdout


def test_the_whole_command_beside_the_download_in_every_phase(tmp_path):
    result, out = bench(tmp_path)
    phases = result["phases"]
    checks = {phase: phases[phase]["watcher"] for phase in phases}
    assert checks["baseline"]["counts"]["baseline_sites"] == 4
    assert checks["unchanged"]["counts"]["unchanged_sites"] == 4
    assert checks["churn"]["counts"]["new"] > 0 and checks["churn"]["counts"]["changed"] > 0
    assert checks["after churn"]["counts"]["closed"] > 0  # the second miss closes them
    served = {phase: checks[phase]["server"]["statuses"] for phase in phases}
    assert served["baseline"] == {"200": 4} and served["unchanged"] == {"304": 4}
    for phase in phases:
        floor = phases[phase]["floor"]
        assert floor["wall_s"] > floor["download_s"] > 0  # the process, around its downloads
        assert checks[phase]["peak_rss_mb"] > 0 and checks[phase]["exit"] == 0
    assert phases["churn"]["floor"]["server"]["statuses"] == {"200": 2, "304": 2}
    assert "ratio" in out and "4  after churn" in out


def test_the_cycle_in_process(tmp_path):
    result, out = bench(tmp_path, "--in-process")
    cycles = result["watcher"]
    assert cycles["baseline"]["counts"]["baseline_sites"] == 4
    assert cycles["churn"]["counts"]["new"] > 0 and cycles["churn"]["counts"]["closed"] > 0
    assert cycles["unchanged"]["counts"]["unchanged_sites"] == 4
    for phase in ("cold", "churn", "unchanged"):
        assert result["floor"][phase]["wall_s"] > 0
    assert "ratio" in out and "  4  baseline" in out

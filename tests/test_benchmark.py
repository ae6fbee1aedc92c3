"""A small run of the benchmark, so that it keeps working: 4 boards, every phase."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_every_phase_and_counts_the_work(tmp_path):
    command = [sys.executable, "-m", "benchmarks.run", "--boards", "4", "--levels", "2"]
    done = subprocess.run(
        [*command, "--concurrency", "2", "--results", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (path,) = tmp_path.glob("*.json")
    (result,) = json.loads(path.read_text())["results"]
    cycles = result["watcher"]
    assert cycles["baseline"]["counts"]["baseline_sites"] == 4
    assert cycles["churn"]["counts"]["new"] > 0 and cycles["churn"]["counts"]["closed"] > 0
    assert cycles["unchanged"]["counts"]["unchanged_sites"] == 4
    for phase in ("cold", "churn", "unchanged"):
        assert result["floor"][phase]["wall_s"] > 0
    assert "ratio" in done.stdout and "  4  baseline" in done.stdout

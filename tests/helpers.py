"""Helpers for end-to-end tests: boards to serve, a config to write, the CLI to run."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tests.servers import LocalServer, Receiver, Reply
from watcher.cli import cli


def gh_job(job_id: int, title: str, location: str = "Remote", **extra: Any) -> dict[str, Any]:
    """One job in the Greenhouse board shape."""
    return {
        "id": job_id,
        "title": title,
        "absolute_url": f"https://boards.greenhouse.io/acme/jobs/{job_id}",
        "location": {"name": location},
        "updated_at": "2026-11-20T10:00:00Z",
        "first_published": "2026-11-01T10:00:00Z",
        "content": "&lt;p&gt;Build things.&lt;/p&gt;",
        "departments": [{"id": 1, "name": "Engineering"}],
        "offices": [],
        **extra,
    }


def serve_greenhouse(server: LocalServer, token: str, jobs: list[dict[str, Any]]) -> None:
    server.routes[f"/v1/boards/{token}/jobs"] = Reply(
        200, {"jobs": jobs, "meta": {"total": len(jobs)}}
    )


@dataclass
class Project:
    """A sites.yaml and a database in a temporary folder, and the CLI to run on them."""

    root: Path
    server: LocalServer
    receiver: Receiver | None = None

    @property
    def config(self) -> Path:
        return self.root / "sites.yaml"

    @property
    def db(self) -> Path:
        return self.root / "watcher.db"

    def write(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")

    def sites(self, *sites: dict[str, Any], defaults: dict[str, Any] | None = None) -> None:
        """Write a config whose sites read from the local server and notify the receiver."""
        lines = []
        if self.receiver:
            lines += ["channels:", f"  phone: json://127.0.0.1:{self.receiver.port}/notify"]
        if defaults:
            lines += ["defaults:"] + [f"  {k}: {json.dumps(v)}" for k, v in defaults.items()]
        lines.append("sites:")
        for site in sites:
            entry = {"api": self.server.url, **site}
            first = True
            for key, value in entry.items():
                lines.append(f"  {'- ' if first else '  '}{key}: {json.dumps(value)}")
                first = False
        self.write("\n".join(lines) + "\n")

    def argv(self, *args: str) -> list[str]:
        """The command line that runs `watcher ARGS` on this project in a subprocess."""
        return [
            sys.executable,
            "-m",
            "watcher",
            *args,
            "--config",
            str(self.config),
            "--db",
            str(self.db),
        ]

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(
            cli, [*args, "--config", str(self.config), "--db", str(self.db)], catch_exceptions=False
        )

    def list(self, *args: str) -> list[dict[str, Any]]:
        result = self.run("list", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)


def apply_diff(store: Any, site: str, now: Any, result: Any, board: str | None = None) -> None:
    """Write one successful read's diff as a check's plan would (no notifications)."""
    from watcher.plan import Plan, SiteResult
    from watcher.reader import Validators

    store.apply(
        Plan(
            site,
            "greenhouse",
            board or site,
            now,
            SiteResult(site, ok=True),
            diff=result,
            validators=Validators(),
        )
    )


def apply_failure(store: Any, site: str, now: Any, board: str | None = None) -> None:
    """Write one failed read as a check's plan would."""
    from watcher.plan import Plan, SiteResult

    result = SiteResult(site, ok=False, error="HTTP 500", error_kind="http")
    store.apply(Plan(site, "greenhouse", board or site, now, result, failures=1))


@cache
def _empty_database() -> bytes:
    """The file of a new database, every migration applied: made once per test process."""
    from watcher.store import Store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "empty.db"
        Store(path).close()
        return path.read_bytes()


def new_store(path: Path) -> Any:
    """A Store on a new database at `path`, as `Store(path)` makes it, for tests that make
    hundreds: a copy of the migrated empty file (4 ms) instead of the migrations (60 ms)."""
    from watcher.store import Store

    path.write_bytes(_empty_database())
    return Store(path)

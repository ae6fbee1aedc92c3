"""The command line at its edges: empty results, odd arguments, unwritable and damaged
files, hostile text from boards, and what a person sees in a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.helpers import Project, gh_job, serve_greenhouse
from watcher.cli import cli

HOSTILE = "Engineer \x1b]0;pwned\x07\x1b[31mred\u202e"


@pytest.fixture
def project(tmp_path, server) -> Project:
    serve_greenhouse(
        server,
        "acme",
        [
            gh_job(1, "Staff Software Engineer, Distributed Storage Infrastructure", "Berlin"),
            gh_job(2, HOSTILE, "Paris"),
            {**gh_job(3, "Accountant", "London"), "id": "a3f2c1d0-77e4-4b8e-9a61-5c2d7f0e9b11"},
            {**gh_job(4, '=HYPERLINK("http://evil.example","x")', "Rome")},
        ],
    )
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    return project


@pytest.mark.parametrize(
    "args",
    [("--search", "nosuchword"), ("--site", "Nobody"), ("--status", "closed")],
)
def test_an_empty_filtered_list_says_nothing_matched(project, args):
    result = project.run("list", *args)
    assert result.exit_code == 0
    assert "no posting matches" in result.output and "stored yet" not in result.output


def test_an_empty_database_says_run_check(tmp_path, server):
    project = Project(tmp_path, server)
    serve_greenhouse(server, "acme", [])
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    assert "stored yet: run `watcher check`" in project.run("list").output


def test_since_further_back_than_dates_go_lists_everything(project):
    result = project.run("list", "--since", "99999999d", "--json")
    assert result.exit_code == 0 and len(json.loads(result.output)) == 4


def test_export_to_a_missing_folder_is_a_usage_error(project, tmp_path):
    result = project.run("export", "-o", str(tmp_path / "no" / "such" / "x.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_init_in_an_unwritable_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "watcher", "init", "--config", str(folder / "sites.yaml")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        folder.chmod(stat.S_IRWXU)
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr and not list(folder.iterdir())


def test_init_where_the_schema_cannot_be_written_writes_nothing(tmp_path):
    (tmp_path / "sites.schema.json").mkdir()  # a folder where the file would go
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "init", "--config", str(tmp_path / "sites.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert not (tmp_path / "sites.yaml").exists()


@pytest.mark.parametrize("ref", ["", "  "])
def test_show_needs_an_id(project, ref):
    result = project.run("show", ref)
    assert result.exit_code == 2 and "give a posting" in result.output


def test_show_takes_an_id_a_prefix_site_id_or_url(project):
    for ref in ("a3f2c1d0", "Acme:1", "https://boards.greenhouse.io/acme/jobs/1", "1"):
        result = project.run("show", ref, "--json")
        assert result.exit_code == 0, (ref, result.output)
    assert json.loads(project.run("show", "a3f2", "--json").output)["title"] == "Accountant"


def test_read_only_commands_make_no_database_for_a_mistyped_path(project, tmp_path):
    missing = tmp_path / "typo" / "watcher.db"
    runner = CliRunner()
    for args in (["list"], ["show", "1"], ["export"], ["status"], ["outbox"]):
        result = project.run(*args)  # the project's own db works
        assert result.exit_code == 0, (args, result.output)
        typo = ["--config", str(project.config), "--db", str(missing)]
        result = runner.invoke(cli, [*args, *typo])
        assert result.exit_code == 2 and "no database at" in result.output, args
    assert not missing.parent.exists()


def test_status_and_outbox_need_no_sites_yaml(project, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("WATCHER_CONFIG", "WATCHER_DB", "CONFIGURATION_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(elsewhere))  # no user config either
    monkeypatch.chdir(elsewhere)
    for args in (["status"], ["status", "--json"], ["outbox"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(project.db)])
        assert result.exit_code == 0, (args, result.output)
        if args == ["status", "--json"]:
            (site,) = json.loads(result.stdout)["sites"]
            assert site["name"] == "Acme" and site["open"] == 4


def damage(path, how: str) -> None:
    size = path.stat().st_size
    with path.open("r+b") as f:
        if how == "garbage":
            f.write(os.urandom(size))
        elif how == "truncated":
            f.truncate(size // 2)
        elif how == "header":
            f.seek(100)
            f.write(os.urandom(200))
        else:  # the pages in the middle
            f.seek(size // 3)
            f.write(os.urandom(min(16384, size // 3)))


@pytest.mark.parametrize("how", ["garbage", "truncated", "header", "middle"])
def test_a_damaged_database_gets_one_clear_message(tmp_path, server, how):
    serve_greenhouse(server, "acme", [gh_job(i, f"Role {i} " + "x" * 300) for i in range(400)])
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    conn = sqlite3.connect(project.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damage(project.db, how)
    for args in (["list"], ["check"]):
        # the console script: damage found by a query, past the open, is caught there
        result = subprocess.run(project.argv(*args), capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            continue  # the damage missed what this command reads
        assert result.returncode == 1, (args, result.stderr)
        assert "is damaged" in result.stderr and "unexpected" not in result.stderr, args
        assert "Traceback" not in result.stderr


def test_hostile_titles_are_printed_without_control_characters(project):
    outputs = [project.run("list").output, project.run("show", "2").output]
    outputs.append(project.run("check", "--verbose").output)
    outputs.append(project.run("export", "--format", "csv").output)
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "Engineer ]0;pwnedred" in outputs[1] or "Engineer ]0;pwned[31mred" in outputs[1]


def test_csv_export_never_holds_a_live_formula(project):
    text = project.run("export", "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for value in row.values():
            assert not (value or "").startswith(("=", "+", "-", "@")), value
    assert any(r["title"].startswith("'=HYPERLINK") for r in rows)


def test_titles_get_the_room_in_a_wide_terminal(project):
    lines = project.run("list").output.splitlines()
    assert all(len(line) <= 120 for line in lines)
    body = "\n".join(lines)
    assert "Staff Software Engineer, Distributed Storage" in body
    assert "a3f2c1d0-77e4" not in body  # a long id is cut to its start
    assert len(lines) == 1 + 4 + 1  # the header, one line a posting, and the count


def test_status_says_times_as_a_person_reads_them(project):
    output = project.run("status").output
    assert "just now" in output or "min ago" in output
    assert "T" not in output.split("\n")[1].split("greenhouse")[1][:30]  # no ISO stamps

"""The command line: options, init, schema, list filters, show, export, notify-test,
completion, and a real subprocess in and out of a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.helpers import Project, gh_job, serve_greenhouse
from watcher.cli import cli
from watcher.config import json_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path, server, receiver) -> Project:
    serve_greenhouse(
        server,
        "acme",
        [
            gh_job(
                1,
                "Senior Backend Engineer",
                "Berlin, Germany",
                content="&lt;p&gt;Rust and Postgres&lt;/p&gt;",
            ),
            gh_job(2, "Développeur Frontend", "Paris, France", content="&lt;p&gt;React&lt;/p&gt;"),
        ],
    )
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    return project


def test_global_options_before_or_after_and_from_the_environment(project, monkeypatch):
    runner = CliRunner()
    before = runner.invoke(
        cli, ["--config", str(project.config), "--db", str(project.db), "list", "--json"]
    )
    after = runner.invoke(
        cli, ["list", "--json", "--config", str(project.config), "--db", str(project.db)]
    )
    monkeypatch.setenv("WATCHER_DB", str(project.db))
    from_env = runner.invoke(cli, ["list", "--json"])
    assert before.exit_code == after.exit_code == from_env.exit_code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout) == json.loads(from_env.stdout)
    assert len(json.loads(before.stdout)) == 2


def test_init_writes_a_valid_starter_with_its_schema_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    target = tmp_path / "conf" / "sites.yaml"
    result = runner.invoke(cli, ["init", "--config", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=./sites.schema.json")
    assert json.loads((target.parent / "sites.schema.json").read_text()) == json_schema()
    assert runner.invoke(cli, ["validate", "--config", str(target)]).exit_code == 0
    again = runner.invoke(cli, ["init", "--config", str(target)])
    assert again.exit_code == 2 and "not overwriting" in again.output
    assert target.read_text() == text


def test_schema_matches_the_committed_one_and_knows_every_platform():
    schema = json_schema()
    committed = json.loads((ROOT / "sites.schema.json").read_text())
    assert committed == schema, "run `watcher schema > sites.schema.json`"
    site = schema["$defs"]["SiteEntry"]["properties"]
    for key in ("greenhouse", "lever", "ashby", "workday", "html", "every", "notify", "api"):
        assert key in site
    assert CliRunner().invoke(cli, ["schema"]).exit_code == 0


def test_list_since_and_search(project):
    assert len(project.list("--since", "1d")) == 2
    hits = project.list("--search", "developpeur")  # accents folded
    assert [h["id"] for h in hits] == ["2"]
    assert [h["id"] for h in project.list("--search", "postgres")] == ["1"]
    assert project.list("--search", "cobol") == []
    bad = project.run("list", "--since", "soon")
    assert bad.exit_code == 2 and "not a duration" in bad.output


def test_show_has_the_history(project, server):
    serve_greenhouse(server, "acme", [gh_job(2, "Développeur Frontend", "Paris, France")])
    project.run("check")
    project.run("check")
    serve_greenhouse(
        server,
        "acme",
        [
            gh_job(1, "Staff Backend Engineer", "Berlin, Germany"),
            gh_job(2, "Développeur Frontend", "Paris, France"),
        ],
    )
    project.run("check")
    result = project.run("show", "1")
    assert result.exit_code == 0, result.output
    kinds = [line.split()[1] for line in result.output.splitlines() if line.startswith("  20")]
    assert kinds == ["new", "closed", "reopened"]
    assert "(title)" in result.output and "Staff Backend Engineer" in result.output
    data = json.loads(project.run("show", "1", "--json").stdout)
    assert [e["kind"] for e in data["history"]] == ["new", "closed", "reopened"]
    assert data["history"][-1]["fields"] == "title"  # reopened under a new title
    assert project.run("show", "999").exit_code == 2


def test_export_csv_and_json(project, tmp_path):
    result = project.run("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["title"] for r in rows} == {"Senior Backend Engineer", "Développeur Frontend"}
    assert rows[0].keys() >= {"site", "id", "url", "location", "status", "first_seen"}
    out = tmp_path / "p.json"
    assert project.run("export", "--format", "json", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text())) == 2


def test_notify_test_reports_per_url(tmp_path, server, receiver):
    project = Project(tmp_path, server)
    project.write(
        "channels:\n"
        f"  phone: [json://127.0.0.1:{receiver.port}/n, json://127.0.0.1:1/dead]\n"
        "sites: []\n"
    )
    result = project.run("notify-test", "phone")
    assert result.exit_code == 3
    assert "phone: json://127.0.0.1:" in result.output and ": sent" in result.output
    assert "FAILED:" in result.output
    (message,) = receiver.bodies()
    assert message["title"].startswith("watcher test")
    assert project.run("notify-test", "nope").exit_code == 2


def test_completion_script():
    result = CliRunner().invoke(cli, ["completion", "bash"])
    assert result.exit_code == 0 and "_WATCHER_COMPLETE" in result.output


def test_every_command_help_has_an_example():
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert {"check", "run", "list", "add", "status"} <= set(names)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
        assert "Example" in (command.help or ""), name


def _spawn(args: list[str], env: dict[str, str], tty: bool) -> str:
    if not tty:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60).stdout
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(10)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "pipe"])
def test_check_in_and_out_of_a_terminal(tmp_path, server, tty):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    serve_greenhouse(server, "beta", [gh_job(1, "Analyst")])
    project = Project(tmp_path, server)
    project.sites({"name": "Acme", "greenhouse": "acme"}, {"name": "Beta", "greenhouse": "beta"})
    args = project.argv("check")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    output = _spawn(args, env, tty)
    assert "Acme" in output and "Beta" in output and "now watching 1 opening" in output
    if tty:
        assert "\x1b[" in output and "[1/2]" in output
        plain = _spawn(args, {**env, "NO_COLOR": "1"}, tty)
        assert "\x1b[" not in plain and "Acme" in plain
    else:
        assert "\x1b[" not in output
        assert output.splitlines()[0].startswith(("Acme: ", "Beta: "))


def test_list_matching_shows_what_todays_filters_select(project):
    text = project.config.read_text().replace(
        "sites:\n", "defaults:\n  match:\n    title: [backend]\n    keywords: [rust]\nsites:\n"
    )
    project.write(text)
    (row,) = project.list("--matching")
    assert row["title"] == "Senior Backend Engineer"
    assert any("backend" in why for why in row["why"])
    assert "Backend" in project.run("list", "--matching").output

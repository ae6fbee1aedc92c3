"""Secrets stay out of sites.yaml, output, logs, status and error messages."""

from __future__ import annotations

import os
import socket
import sqlite3

from tests.helpers import Project, gh_job, serve_greenhouse

SECRET = "s3cr3t-T0KEN-value"


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_secret_in_output_status_outbox_or_errors(tmp_path, server, monkeypatch):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    project = Project(tmp_path, server)
    port = dead_port()
    monkeypatch.setenv("HOOK_PASSWORD", SECRET)
    project.write(
        "channels:\n"
        f"  hook: json://watcher:${{HOOK_PASSWORD}}@127.0.0.1:{port}/notify\n"
        "sites:\n"
        f"  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    )
    outputs = [project.run("check", "--notify-existing").output]
    outputs.append(project.run("outbox").output)
    outputs.append(project.run("outbox", "--json").output)
    outputs.append(project.run("status").output)
    outputs.append(project.run("status", "--json").output)
    outputs.append(project.run("check", "--json").output)
    joined = "\n".join(outputs)
    assert "notification failed" in joined and "last error" in joined  # it did fail, and said so
    assert SECRET not in joined
    # the stored error text is masked too
    errors = sqlite3.connect(project.db).execute("SELECT last_error FROM outbox").fetchall()
    assert errors and all(SECRET not in (e or "") for (e,) in errors)


def test_bad_url_error_does_not_print_the_secret(tmp_path, server, monkeypatch):
    project = Project(tmp_path, server)
    monkeypatch.setenv("TOKEN", SECRET)
    project.write("channels:\n  x: nosuchscheme://${TOKEN}@host\nsites: []\n")
    result = project.run("validate")
    assert result.exit_code == 2
    assert "not a valid Apprise URL" in result.output and SECRET not in result.output


def test_literal_secret_in_a_readable_file_is_warned(tmp_path, server):
    project = Project(tmp_path, server)
    project.write(f"channels:\n  hook: json://watcher:{SECRET}@127.0.0.1:9/n\nsites: []\n")
    os.chmod(project.config, 0o644)
    result = project.run("validate")
    assert result.exit_code == 0
    assert "warning:" in result.output and "chmod 600" in result.output
    assert SECRET not in result.output
    os.chmod(project.config, 0o600)
    assert "warning:" not in project.run("validate").output


def test_no_warning_for_variables_or_secretless_urls(tmp_path, server, monkeypatch):
    project = Project(tmp_path, server)
    monkeypatch.setenv("PW", SECRET)
    project.write(
        "channels:\n  hook: json://watcher:${PW}@127.0.0.1:9/n\n"
        "  plain: json://127.0.0.1:9/n\nsites: []\n"
    )
    os.chmod(project.config, 0o644)
    assert "warning:" not in project.run("validate").output


def test_channel_urls_from_an_apprise_config_file(tmp_path, server, receiver):
    serve_greenhouse(server, "acme", [gh_job(1, "Engineer")])
    (tmp_path / "apprise.yml").write_text(
        f"urls:\n  - json://watcher:{SECRET}@127.0.0.1:{receiver.port}/notify\n"
    )
    project = Project(tmp_path, server)
    project.write(
        "channels:\n  phone:\n    config: apprise.yml\n"
        f"sites:\n  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    )
    result = project.run("check", "--notify-existing")
    assert result.exit_code == 0, result.output
    (message,) = receiver.wait_for(1)
    assert message["title"] == "Acme: 1 new opening"
    assert SECRET not in result.output
    project.write("channels:\n  phone:\n    config: missing.yml\nsites: []\n")
    result = project.run("validate")
    assert result.exit_code == 2
    assert "sites.yaml:3: channels.phone.config: Apprise config file" in result.output


def test_a_secret_in_a_board_url_is_masked_in_output_and_never_stored(
    tmp_path, server, monkeypatch
):
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Jobs</title>'
        b"<item><title>Engineer</title><link>https://acme.example/jobs/1</link>"
        b"<guid>1</guid></item></channel></rss>"
    )
    from tests.servers import Reply

    server.routes["/jobs.rss"] = Reply(200, rss, {"Content-Type": "application/rss+xml"})
    server.routes["/missing.rss"] = Reply(404, b"")
    monkeypatch.setenv("FEED_TOKEN", SECRET)
    project = Project(tmp_path, server)
    project.write(
        "sites:\n"
        f"  - name: Acme\n    feed: {server.url}/jobs.rss?token=${{FEED_TOKEN}}\n"
        f"  - name: Beta\n    feed: {server.url}/missing.rss?token=${{FEED_TOKEN}}\n"
    )
    outputs = [project.run("check").output]
    for args in (("status",), ("status", "--json"), ("list", "--json"), ("check", "--json")):
        outputs.append(project.run(*args).output)
    joined = "\n".join(outputs)
    assert "Engineer" in joined and "FAILED" in joined  # both sites were read
    assert SECRET not in joined
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("watcher.db*"))
    assert SECRET.encode() not in stored


def test_a_variable_in_a_site_name_is_refused(tmp_path, server, monkeypatch):
    monkeypatch.setenv("WHO", SECRET)
    project = Project(tmp_path, server)
    project.write("sites:\n  - name: ${WHO}\n    greenhouse: acme\n")
    result = project.run("validate")
    assert result.exit_code == 2 and "sites[0].name" in result.output
    assert SECRET not in result.output

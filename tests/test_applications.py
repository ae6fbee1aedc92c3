"""Applications from the command line, on a real database filled by a real check of a
local board: mark, track, applications, show, reflect, calendar, export; the errors that
write nothing; marks that outlive a site removed from sites.yaml."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.helpers import Project, gh_job, serve_greenhouse
from watcher import door
from watcher.cli import applications as cli_apps
from watcher.config import ConfigError, parse
from watcher.messages import Format, Limits, render

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


@pytest.fixture
def project(tmp_path, server, monkeypatch):
    monkeypatch.setattr(cli_apps, "_now", lambda: NOW)
    serve_greenhouse(
        server,
        "acme",
        [
            gh_job(1, "Senior Backend Engineer", "Berlin"),
            gh_job(2, "Product Designer", "Remote"),
        ],
    )
    p = Project(tmp_path, server)
    p.sites({"name": "Acme", "greenhouse": "acme"})
    assert p.run("check").exit_code == 0
    return p


def apps(project: Project, *args: str) -> list[dict]:
    result = project.run("applications", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def rows(project: Project, table: str) -> int:
    conn = sqlite3.connect(project.db)
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_mark_keeps_each_stage_with_its_date(project):
    assert project.run("mark", "1", "applied", "--on", "2026-03-02").exit_code == 0
    result = project.run(
        "mark", "Acme:1", "interviewing", "--on", "2026-06-20 14:00", "--note", "onsite, 4 rounds"
    )
    assert result.exit_code == 0, result.output
    assert "interviewing on 2026-06-20 14:00" in result.output
    (app,) = apps(project)
    assert app["company"] == "Acme" and app["title"] == "Senior Backend Engineer"
    assert (app["stage"], app["since"], app["applied_on"]) == (
        "interviewing",
        "2026-06-20 14:00",
        "2026-03-02",
    )
    assert [m["stage"] for m in app["marks"]] == ["applied", "interviewing"]
    assert app["posting"]["status"] == "open"
    assert app["next_followup"] == {
        "kind": "follow_up",
        "what": "follow up",
        "day": "2026-07-04",
        "due": False,
    }
    shown = project.run("show", "1")
    assert "application: interviewing since 2026-06-20 14:00" in shown.output
    assert "onsite, 4 rounds" in shown.output
    detail = json.loads(project.run("show", "1", "--json").output)["application"]
    assert detail["marks"][1]["note"] == "onsite, 4 rounds"
    assert json.loads(project.run("show", "2", "--json").output)["application"] is None


@pytest.mark.parametrize(
    "args, says",
    [
        (("mark", "999", "applied"), "no posting '999'"),
        (("mark", "1", "ghosted"), "ghosted"),
        (("mark", "1", "applied", "--on", "2026-06-11"), "in the future"),
        (("mark", "1", "applied", "--on", "last week"), "not a date"),
        (("mark", "", "applied"), "give a posting"),
        (("track", "not-a-link", "--company", "Acme", "--title", "X"), "http"),
        (("reflect", "2"), "not marked yet"),
    ],
)
def test_errors_exit_2_and_write_nothing(project, args, says):
    result = project.run(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert rows(project, "applications") == 0
    assert rows(project, "application_marks") == 0


def test_mark_without_a_database_makes_none(tmp_path, server):
    p = Project(tmp_path, server)
    p.sites({"name": "Acme", "greenhouse": "acme"})
    assert p.run("mark", "1", "applied").exit_code == 2
    assert not p.db.exists()


def test_track_a_role_found_elsewhere_and_one_on_a_watched_board(project):
    result = project.run(
        "track",
        "https://jobs.example.com/42",
        "--company",
        "Globex",
        "--title",
        "Platform Engineer",
        "--on",
        "2026-05-01",
        "--note",
        "referral from Kim",
    )
    assert result.exit_code == 0, result.output
    tied = project.run(
        "track",
        "https://boards.greenhouse.io/acme/jobs/2",
        "--company",
        "Acme",
        "--title",
        "Designer",
    )
    assert tied.exit_code == 0 and "tied to the watched posting Acme:2" in tied.output
    # a second mark on the role found elsewhere goes to the same application, by its URL
    marked = project.run("mark", "https://jobs.example.com/42", "rejected", "--on", "2026-06-05")
    assert marked.exit_code == 0
    found = {a["company"]: a for a in apps(project)}
    assert found["Globex"]["stage"] == "rejected" and found["Globex"]["site"] is None
    assert [m["stage"] for m in found["Globex"]["marks"]] == ["applied", "rejected"]
    assert (found["Acme"]["site"], found["Acme"]["posting_id"]) == ("Acme", "2")
    assert found["Acme"]["title"] == "Product Designer"  # the posting's own title
    assert [a["company"] for a in apps(project, "--stage", "rejected")] == ["Globex"]
    assert [a["company"] for a in apps(project, "--search", "kim")] == ["Globex"]
    table = project.run("applications").output
    assert "not watched" in table and "due now:" in table
    assert "Globex, Platform Engineer: thank them, ask for feedback" in table


def test_reflect_opens_the_editor_and_is_searchable(project, tmp_path, monkeypatch):
    assert project.run("mark", "1", "rejected", "--on", "2026-06-01").exit_code == 0
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path).read()\n"
        "assert 'What went well:' in text and 'Senior Backend Engineer at Acme' in text\n"
        "open(path, 'w').write(text.replace('What to improve:', "
        "'What to improve:\\nexplain trade-offs in system design aloud'))\n"
    )
    monkeypatch.setenv("EDITOR", f'"{sys.executable}" "{editor}"')
    monkeypatch.delenv("VISUAL", raising=False)
    result = project.run("reflect", "1")
    assert result.exit_code == 0, result.output
    (app,) = apps(project, "--search", "trade-offs")
    assert "explain trade-offs" in app["reflection"]
    assert not app["reflection"].startswith("#")
    assert "reflection:" in project.run("show", "1").output
    # saved unchanged: nothing changes
    editor.write_text("import sys, os\nos.utime(sys.argv[1])\n")
    assert "nothing changed" in project.run("reflect", "1").output


def test_calendar_parses_back(project, tmp_path):
    from icalendar import Calendar

    assert project.run("mark", "1", "interviewing", "--on", "2026-06-20 14:00").exit_code == 0
    assert project.run("mark", "2", "applied", "--on", "2026-05-01").exit_code == 0
    assert project.run("mark", "2", "rejected", "--on", "2026-06-09").exit_code == 0
    out = tmp_path / "followups.ics"
    result = project.run("calendar", "-o", str(out))
    assert result.exit_code == 0 and "wrote 4 events" in result.output
    events = {str(e.get("uid")): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert len(events) == 4
    interview = next(e for uid, e in events.items() if "interview" in uid)
    start = interview.decoded("dtstart")
    assert start == datetime(2026, 6, 20, 14, 0).astimezone()  # the machine's local time
    assert interview.decoded("dtend") - start == timedelta(hours=1)
    assert "Senior Backend Engineer" in str(interview.get("summary"))
    days = sorted(
        (e.decoded("dtstart"), str(e.get("summary")))
        for u, e in events.items()
        if "interview" not in u
    )
    assert days == [
        (date(2026, 6, 10), "Acme: thank them, and ask for feedback"),
        (date(2026, 7, 4), "Acme: follow up on your application"),
        (date(2026, 8, 4), "Acme: time to check in"),
    ]
    # the same marks make the same UIDs: a calendar imported twice has no duplicates
    again = Calendar.from_ical(project.run("calendar").output.encode())
    assert {str(e.get("uid")) for e in again.walk("VEVENT")} == set(events)


def test_export_includes_applications(project):
    assert (
        project.run("mark", "1", "applied", "--on", "2026-03-02", "--note", "=cmd").exit_code == 0
    )
    data = json.loads(project.run("export", "--applications", "--format", "json").output)
    assert data[0]["title"] == "Senior Backend Engineer" and data[0]["marks"][0]["note"] == "=cmd"
    text = project.run("export", "--applications").output
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["stage"] == "applied" and row["posting_status"] == "open"
    assert row["marks"] == "2026-03-02 applied: =cmd"
    # the postings' export is as it was
    assert project.run("export").output.startswith("site,id,title,url")


def test_marks_outlive_a_site_removed_from_the_file(project):
    assert project.run("mark", "1", "applied", "--on", "2026-05-01").exit_code == 0
    project.write("sites: []\n")
    (app,) = apps(project)
    assert app["stage"] == "applied"
    assert "site not watched now" in project.run("applications").output
    project.sites({"name": "Acme", "greenhouse": "acme"})
    assert project.run("check").exit_code == 0
    (app,) = apps(project)
    assert (app["site"], app["posting_id"], app["stage"]) == ("Acme", "1", "applied")
    assert "site not watched now" not in project.run("applications").output


# --- the door's settings and messages ----------------------------------------------


def test_door_settings_in_sites_yaml():
    text = (
        "channels:\n  phone: json://127.0.0.1:1/x\n"
        "defaults:\n  door:\n    thank_you: false\n    check_in: 4w\n"
        "    window: 26w\n    notify: phone\n    remind_at: '08:30'\nsites: []\n"
    )
    settings = parse(text, "sites.yaml", {}).door
    assert settings.thank_you is None and settings.check_in.days == 28
    assert settings.window.days == 182 and settings.notify == ("phone",)
    assert parse("sites: []\n", "sites.yaml", {}).door == door.DoorSettings()
    for bad, says in (
        ("follow_up: 0d", "defaults.door.follow_up: '0d' must be longer than 0"),
        ("notify: [mail]", "defaults.door.notify: unknown channel 'mail'"),
        ("remind_at: noon", "not a time of day"),
        ("windw: 3d", "did you mean 'window'"),
    ):
        with pytest.raises(ConfigError, match=says):
            parse(text.split("    thank_you")[0] + f"    {bad}\nsites: []\n", "sites.yaml", {})


class Row:
    def __init__(self, payload: dict) -> None:
        self.id, self.site, self.posting_id, self.kind, self.payload = 1, "Acme", None, "x", payload


def test_a_notice_with_a_link_keeps_it_whole_and_escapes_the_rest():
    payload = {
        "title": "Acme: the role you interviewed for is open again: *Backend*",
        "body": "You applied on 2 March.\nYour note: [click](https://evil.example)",
        "url": "https://boards.greenhouse.io/acme/jobs/1?a=1&b=2",
    }
    (md,) = render("Acme", [Row(payload)], Format.MARKDOWN)
    assert md.body.endswith("[Open the posting](https://boards.greenhouse.io/acme/jobs/1?a=1&b=2)")
    assert "\\[click\\]" in md.body
    (html,) = render("Acme", [Row(payload)], Format.HTML)
    assert '<a href="https://boards.greenhouse.io/acme/jobs/1?a=1&amp;b=2">' in html.body
    (sms,) = render("Acme", [Row(payload)], Format.TEXT, Limits(body=160, title=0))
    assert len(sms.body) <= 160 and sms.body.endswith("/acme/jobs/1?a=1&b=2")
    (dropped,) = render("Acme", [Row({**payload, "url": "javascript:alert(1)"})], Format.TEXT)
    assert "javascript" not in dropped.body

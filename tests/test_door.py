"""The door's rules, pure: stages, second chances, similar roles, follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from watcher import door, timing
from watcher.door import Application, DoorSettings, Mark
from watcher.match import Filter, Match
from watcher.model import Change, EventKind, Posting
from watcher.routing import lenient

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
SETTINGS = DoorSettings()


def app(*marks: tuple[str, ...], **extra) -> Application:
    values = {
        "id": 1,
        "company": "Acme",
        "title": "Senior Backend Engineer",
        "site": "Acme",
        "posting_id": "100",
        "team": "Payments",
        **extra,
    }
    made = [
        Mark(i + 1, m[0], date.fromisoformat(m[1]), note=(m[2:] or [None])[0])
        for i, m in enumerate(marks)
    ]
    return Application(marks=tuple(made), **values)


def posting(posting_id: str, title: str = "Senior Backend Engineer", **extra) -> Posting:
    return Posting(posting_id, title, f"https://acme.example/jobs/{posting_id}", **extra)


def reopened(posting_id: str = "100", **extra) -> Change:
    return Change(EventKind.REOPENED, posting_id, posting(posting_id, **extra))


# --- stages ------------------------------------------------------------------------


def test_stage_is_the_latest_mark_and_reached_the_furthest():
    a = app(
        ("saved", "2026-03-01"),
        ("applied", "2026-03-02", "Referred by Sam\nsecond line"),
        ("interviewing", "2026-03-20", "Onsite went well"),
        ("rejected", "2026-04-02"),
    )
    assert a.stage == "rejected"
    assert a.reached == "interviewing"
    assert a.applied_on == date(2026, 3, 2)
    assert a.note == "Onsite went well"
    assert a.role == "the role you interviewed for"
    back_filled = app(("interviewing", "2026-03-20"), ("applied", "2026-03-02"))
    assert back_filled.stage == "interviewing"  # by date, not by entry
    assert app(("rejected", "2026-04-02")).role == "the role you applied to"


def test_parse_when_and_check_mark():
    today = date(2026, 6, 10)
    assert door.parse_when("2026-03-14", today) == (date(2026, 3, 14), None)
    assert door.parse_when("2026-06-12 15:30", today) == (date(2026, 6, 12), time(15, 30))
    assert door.parse_when("yesterday", today) == (date(2026, 6, 9), None)
    for bad in ("14/03/2026", "2026-02-30", "soon", "2026-03-14 25:00"):
        with pytest.raises(ValueError):
            door.parse_when(bad, today)
    with pytest.raises(ValueError, match="not a stage"):
        door.check_mark("ghosted", today, today)
    with pytest.raises(ValueError, match="in the future"):
        door.check_mark("applied", date(2026, 6, 11), today)
    door.check_mark("interviewing", date(2026, 6, 20), today)  # an interview is booked ahead
    door.check_mark("applied", today, today)


# --- second chances ----------------------------------------------------------------


def chances(changes, applications, now=NOW, settings=SETTINGS, **kw):
    return door.second_chances("Acme", changes, applications, now, settings, **kw)


def test_a_rejected_role_that_reopens_is_one_alert():
    a = app(
        ("applied", "2026-03-02"),
        ("interviewing", "2026-03-20", "Liked my system design"),
        ("rejected", "2026-04-02"),
    )
    closed = datetime(2026, 5, 1, tzinfo=UTC)
    (alert,) = chances([reopened()], [a], closed_at={"100": closed})
    assert alert.title == (
        "Acme: the role you interviewed for is open again: Senior Backend Engineer"
    )
    assert "You applied on 2 March 2026 and got as far as the interviews" in alert.body
    assert "they said no on 2 April 2026" in alert.body
    assert "Your note: Liked my system design" in alert.body
    assert "It closed on 1 May 2026" in alert.body
    assert alert.url == "https://acme.example/jobs/100"
    assert alert.key == "door/second/1/Acme/100/2026-05-01T00:00:00Z"
    # the same change listed twice still makes one alert per application and posting
    assert len(chances([reopened(), reopened()], [a])) == 1


def test_who_gets_a_second_chance():
    rejected = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"))
    withdrawn = app(("applied", "2026-03-02"), ("withdrawn", "2026-04-02"))
    silent = app(("applied", "2026-04-01"))  # 70 days without news
    waiting = app(("applied", "2026-06-01"))  # 9 days: still alive
    saved = app(("saved", "2026-03-02"))
    accepted = app(("offer", "2026-03-02"), ("accepted", "2026-03-05"))
    for yes in (rejected, withdrawn, silent):
        assert len(chances([reopened()], [yes])) == 1
    assert "heard nothing since 1 April 2026" in chances([reopened()], [silent])[0].body
    for no in (waiting, saved, accepted):
        assert chances([reopened()], [no]) == []
    old = app(("applied", "2025-03-02"), ("rejected", "2025-04-02"))  # 14 months ago
    assert chances([reopened()], [old]) == []
    assert chances([reopened()], [old], settings=DoorSettings(window=timedelta(days=500)))
    assert chances([reopened()], [rejected], settings=DoorSettings(second_chance=False)) == []


def test_reposts_of_the_role():
    a = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"))
    by_diff = Change(EventKind.REPOSTED, "200", posting("200", "Backend Engineer"), None, "100")
    (alert,) = chances([by_diff], [a])
    assert alert.posting_id == "200" and "posted again" in alert.body
    assert alert.key == "door/second/1/Acme/200/new"
    months_later = Change(EventKind.NEW, "300", posting("300", "senior  backend ENGINEER"))
    assert len(chances([months_later], [a])) == 1
    teamless = Change(EventKind.NEW, "301", posting("301"))  # says no team: taken as the same
    assert len(chances([teamless], [a])) == 1
    other_team = Change(EventKind.NEW, "302", posting("302", team="Growth"))
    assert chances([other_team], [a]) == []
    other_title = Change(EventKind.NEW, "303", posting("303", "Senior Frontend Engineer"))
    assert chances([other_title], [a]) == []
    closed = Change(EventKind.CLOSED, "100")
    assert chances([closed], [a]) == []
    # a role tracked from elsewhere is matched by the company's name
    elsewhere = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"), site=None)
    elsewhere = Application(**{**elsewhere.__dict__, "posting_id": None, "company": "ACME"})
    assert len(chances([months_later], [elsewhere])) == 1
    assert door.second_chances("Globex", [months_later], [a], NOW, SETTINGS) == []


# --- similar roles -----------------------------------------------------------------


def test_similar_roles():
    a = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"), department="Engineering")

    def found(p: Posting, applications=(a,), settings=SETTINGS):
        return door.similar("Acme", p, list(applications), NOW, settings)

    elsewhere = found(posting("400", locations=("Berlin",)))
    assert elsewhere and elsewhere.note == "similar to the role you applied to in March"
    staff = posting("401", "Staff Backend Engineer, Payments", team="Payments")
    assert found(staff)
    assert not found(posting("402", "Staff Backend Engineer, Payments", team="Growth"))
    assert not found(posting("403", "Frontend Engineer", team="Payments"))
    assert not found(posting("100"))  # its own posting
    assert not found(staff, [app(("saved", "2026-03-02"))])
    assert not found(staff, settings=DoorSettings(similar=False))
    assert not door.similar("Globex", staff, [a], NOW, SETTINGS)
    last_year = app(("interviewing", "2025-11-02"))
    note = found(staff, [last_year])
    assert note and note.note == "similar to the role you interviewed for in November 2025"


def test_close_titles():
    assert door.close_titles("Senior Backend Engineer", "Backend Engineer II")
    assert door.close_titles("Backend Engineer", "Backend Engineer, Payments")
    assert not door.close_titles("Backend Engineer", "Frontend Engineer")
    assert not door.close_titles("Senior", "Staff")


def test_lenient_keeps_every_rule_but_title_and_seniority():
    rules = Filter.from_match(
        Match(
            title=["frontend"], seniority=["junior"], exclude_title=["senior"], location=["Paris"]
        )
    )
    p = posting("1", "Senior Backend Engineer", locations=("Paris",))
    assert not rules.check(p, NOW).ok
    assert lenient(rules).check(p, NOW).ok
    assert not lenient(rules).check(posting("2", locations=("Tokyo",)), NOW).ok


# --- follow-ups --------------------------------------------------------------------


def test_the_reminders_marks_plan():
    rejected = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"))
    planned = door.followups([rejected], SETTINGS)
    assert [(f.kind, f.day) for f in planned] == [
        ("thank_you", date(2026, 4, 3)),
        ("check_in", date(2026, 5, 28)),
    ]
    assert planned[0].key == "door/thank_you/1/2"
    assert "said no to Senior Backend Engineer on 2 April" in planned[0].body
    (nudge,) = door.followups([app(("applied", "2026-03-02"))], SETTINGS)
    assert (nudge.kind, nudge.day) == ("follow_up", date(2026, 3, 16))
    (after_interview,) = door.followups(
        [app(("applied", "2026-03-02"), ("interviewing", "2026-03-10"))], SETTINGS
    )
    assert after_interview.day == date(2026, 3, 24) and "interview" in after_interview.body
    off = DoorSettings(thank_you=None, check_in=None, follow_up=None)
    assert door.followups([rejected, app(("applied", "2026-03-02"))], off) == []
    assert door.followups([app(("offer", "2026-03-02"))], SETTINGS) == []


def test_reminders_are_due_at_the_channels_local_time():
    berlin = ZoneInfo("Europe/Berlin")
    rejected = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"))
    # 3 April at 09:00 Berlin (07:00 UTC) without a digest; 08:00 with one
    assert door.reminder_time(date(2026, 4, 3), berlin, None, time(9)) == datetime(
        2026, 4, 3, 7, 0, tzinfo=UTC
    )
    digest = timing.parse_digest("08:00")
    at8 = datetime(2026, 4, 3, 6, 0, tzinfo=UTC)
    assert door.reminder_time(date(2026, 4, 3), berlin, digest, time(9)) == at8

    def due(now: datetime) -> list[str]:
        found = door.due_followups([rejected], now, SETTINGS, tz=berlin, digest=digest)
        return [f.kind for f in found]

    assert due(at8 - timedelta(minutes=1)) == []
    assert due(at8) == ["thank_you"]
    assert due(at8 + door.STALE + timedelta(minutes=1)) == []  # far too late: not sent
    weekly = timing.parse_digest("weekly fri 17:00")  # 3 April 2026 is a Friday
    assert door.reminder_time(date(2026, 4, 4), berlin, weekly, time(9)) == datetime(
        2026, 4, 10, 15, 0, tzinfo=UTC
    )


def test_reminders_go_to_each_channel_at_its_own_time():
    from watcher.config import parse

    config = parse(
        "channels:\n"
        "  phone:\n    urls: json://127.0.0.1:1/phone\n"
        "    quiet: '22:00-07:00'\n    timezone: Europe/Berlin\n"
        "  mail:\n    urls: [json://127.0.0.1:1/a, json://127.0.0.1:1/b]\n"
        "    digest: '08:00'\n    timezone: UTC\n"
        "sites: []\n",
        "sites.yaml",
        {},
    )
    rejected = app(("applied", "2026-03-02"), ("rejected", "2026-04-02"))

    def sent(now: datetime, settings: DoorSettings = SETTINGS) -> list[tuple[str, str, datetime]]:
        found = door.reminders([rejected], now, settings, config.routes)
        return sorted((f.kind, d.channel, d.due_at) for f, d in found)

    seven = datetime(2026, 4, 3, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert sent(seven - timedelta(seconds=1)) == []
    assert sent(seven) == [("thank_you", "phone", seven)]
    eight = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
    assert sent(eight) == [
        ("thank_you", "mail", eight),
        ("thank_you", "mail", eight),  # each of its URLs
        ("thank_you", "phone", eight),
    ]
    only_mail = DoorSettings(notify=("mail",))
    assert {channel for _, channel, _ in sent(eight, only_mail)} == {"mail"}
    early = DoorSettings(remind_at=time(6))  # 06:00 Berlin is inside the quiet hours
    at_six = datetime(2026, 4, 3, 4, 0, tzinfo=UTC)
    assert sent(at_six, early) == [("thank_you", "phone", datetime(2026, 4, 3, 5, 0, tzinfo=UTC))]

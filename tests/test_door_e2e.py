"""Second chances, similar roles and follow-ups end to end: a local board, a real
database, Apprise to local receivers, and an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import gh_job, serve_greenhouse
from tests.servers import Receiver
from watcher import config as config_mod
from watcher.cycle import check_sites
from watcher.fetch import Fetcher
from watcher.store import Store

T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 in Berlin
BACKEND = "Senior Backend Engineer"
OPEN_AGAIN = f"Acme: the role you interviewed for is open again: {BACKEND}"


def write_config(path: Path, server, phone: int, mail: int, extra: str = "") -> config_mod.Config:
    path.write_text(
        "channels:\n"
        f"  phone:\n    urls: json://127.0.0.1:{phone}/phone\n"
        "    quiet: '22:00-07:00'\n    timezone: Europe/Berlin\n"
        f"{extra}"
        f"  mail:\n    urls: json://127.0.0.1:{mail}/mail\n"
        "    digest: '08:00'\n    timezone: Europe/Berlin\n"
        "defaults:\n  events: [new, reopened, reposted]\n"
        f"sites:\n  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
    )
    return config_mod.load(path)


def cycle(config, store, now: datetime):
    async def go():
        async with Fetcher() as fetcher:
            return await check_sites(config, store, fetcher, config.sites, clock=lambda: now)

    return asyncio.run(go())


def board(server, *jobs):
    serve_greenhouse(server, "acme", list(jobs))


@pytest.fixture
def world(tmp_path, server):
    phone, mail = Receiver().start(), Receiver().start()
    store = Store(tmp_path / "w.db")

    def configure(extra: str = "") -> config_mod.Config:
        return write_config(tmp_path / "sites.yaml", server, phone.port, mail.port, extra)

    yield configure, store, phone, mail
    store.close()
    phone.stop()
    mail.stop()


def interviewed_and_rejected(store: Store, posting_id: str = "1", rejected: str = "2026-05-20"):
    for stage, day, note in (
        ("applied", "2026-05-01", None),
        ("interviewing", "2026-05-12", "Met the payments team; they liked the design round"),
        ("rejected", rejected, None),
    ):
        store.mark("Acme", posting_id, stage, date.fromisoformat(day), None, note, T0)


def titles(receiver: Receiver) -> list[str]:
    return [body["title"] for body in receiver.bodies()]


def test_rejected_then_closed_then_reopened_is_one_alert_instead_of_the_usual(world, server):
    configure, store, phone, mail = world
    config = configure()
    board(server, gh_job(1, BACKEND), gh_job(2, "Product Designer"))
    cycle(config, store, T0)  # baseline
    interviewed_and_rejected(store)
    board(server, gh_job(9, "Office Manager"))  # 1 and 2 go, and close after two reads
    cycle(config, store, T0 + timedelta(days=1))
    cycle(config, store, T0 + timedelta(days=2))
    phone.messages.clear()
    (app,) = store.applications()
    assert store.posting_state([app])[app.id]["status"] == "closed"  # where things stand
    board(server, gh_job(1, BACKEND), gh_job(2, "Product Designer"), gh_job(9, "Office Manager"))
    cycle(config, store, T0 + timedelta(days=9))
    for receiver in (phone, mail):  # every channel at once, the digest channel too
        alert = next(b for b in receiver.bodies() if b["title"] == OPEN_AGAIN)
        text = alert["message"]
        assert "You applied on 1 May 2026 and got as far as the interviews" in text
        assert "they said no on 20 May 2026" in text
        assert "Your note: Met the payments team" in text
        assert "https://boards.greenhouse.io/acme/jobs/1" in text
    # the unmarked posting that reopened is told as usual; the marked one only by its alert
    assert sorted(titles(phone)) == sorted([OPEN_AGAIN, "Acme: 1 reopened opening"])
    usual = next(b for b in phone.bodies() if b["title"] == "Acme: 1 reopened opening")
    assert "Product Designer" in usual["message"] and BACKEND not in usual["message"]
    for day in (10, 11):  # later reads and deliveries: nothing more
        cycle(config, store, T0 + timedelta(days=day))
    assert titles(phone).count(OPEN_AGAIN) == 1 and titles(mail).count(OPEN_AGAIN) == 1
    (app,) = store.applications()
    assert [(e["kind"], e["posting_id"]) for e in store.door_events(app.id)] == [
        ("second_chance", "1")
    ]
    assert store.posting_state([app])[app.id]["status"] == "reopened"


def test_a_repost_under_a_new_id_is_one_alert_whatever_the_filters(world, server):
    configure, store, phone, mail = world
    config = configure("    match:\n      title: [frontend]\n")  # would drop the role
    board(server, gh_job(1, BACKEND), gh_job(2, "Product Designer"))
    cycle(config, store, T0)
    interviewed_and_rejected(store)
    board(server, gh_job(2, "Product Designer"), gh_job(3, BACKEND))
    cycle(config, store, T0 + timedelta(hours=2))
    board(server, gh_job(2, "Product Designer"), gh_job(3, BACKEND))
    cycle(config, store, T0 + timedelta(days=1))
    assert titles(phone) == [OPEN_AGAIN]
    assert "posted again" in phone.bodies()[0]["message"]
    assert "/acme/jobs/3" in phone.bodies()[0]["message"]
    assert titles(mail) == [OPEN_AGAIN]


def test_night_alerts_wait_for_the_end_of_quiet_hours(world, server):
    configure, store, phone, mail = world
    config = configure()
    board(server, gh_job(1, BACKEND))
    cycle(config, store, T0)
    interviewed_and_rejected(store)
    night = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 23:00 in Berlin
    board(server, gh_job(3, BACKEND))
    cycle(config, store, night)
    assert titles(phone) == [] and titles(mail) == [OPEN_AGAIN]  # mail has no quiet hours
    cycle(config, store, datetime(2026, 6, 2, 5, 0, tzinfo=UTC))  # 07:00 in Berlin
    assert titles(phone) == [OPEN_AGAIN]


def test_a_similar_role_is_marked_and_let_through_the_filters(world, server, tmp_path):
    configure, store, phone, _ = world
    strict = "    match:\n      title: [frontend]\n      seniority: [junior]\n"
    config = configure(strict)
    board(server, gh_job(1, BACKEND), gh_job(2, "Product Designer"))
    cycle(config, store, T0)
    store.mark("Acme", "1", "interviewing", date(2026, 5, 25), None, None, T0)
    other_team = gh_job(7, "Staff Backend Engineer", departments=[{"id": 2, "name": "Sales"}])
    board(
        server,
        gh_job(1, BACKEND),
        gh_job(2, "Product Designer"),
        gh_job(5, "Staff Backend Engineer, Payments"),
        gh_job(6, "Staff Data Scientist"),
        other_team,
    )
    cycle(config, store, T0 + timedelta(hours=1))
    (message,) = phone.bodies()
    assert message["title"] == "Acme: 1 new opening"
    assert "Staff Backend Engineer, Payments" in message["message"]
    assert "similar to the role you interviewed for in May" in message["message"]
    assert "Data Scientist" not in message["message"]
    (app,) = store.applications()
    assert [(e["kind"], e["posting_id"]) for e in store.door_events(app.id)] == [("similar", "5")]
    # the same config with `door: similar: false` drops it, as the filters say
    off = tmp_path / "off.yaml"
    off.write_text(
        (tmp_path / "sites.yaml")
        .read_text()
        .replace("sites:", "  door:\n    similar: false\nsites:")
    )
    config_off = config_mod.load(off)
    board(server, gh_job(1, BACKEND), gh_job(8, "Staff Backend Engineer, Payments"))
    cycle(config_off, store, T0 + timedelta(hours=2))
    assert len(phone.messages) == 1


def test_follow_ups_fire_once_each_at_the_channels_local_time(world, server):
    configure, store, phone, mail = world
    config = configure()
    board(server, gh_job(1, BACKEND))
    cycle(config, store, T0)
    store.mark("Acme", "1", "applied", date(2026, 6, 1), None, None, T0)
    nudge = "Acme: follow up on your application"

    def at(day: int, hour: int, minute: int = 0) -> None:
        cycle(config, store, datetime(2026, 6, day, hour, minute, tzinfo=UTC))

    at(15, 5, 59)  # 07:59 in Berlin
    assert titles(mail) == [] and titles(phone) == []
    at(15, 6)  # 08:00 in Berlin: mail's digest time
    assert titles(mail) == [nudge] and titles(phone) == []
    at(15, 7)  # 09:00 in Berlin: phone, which has no digest
    assert titles(phone) == [nudge]
    at(15, 12)
    at(16, 7)
    assert titles(mail) == [nudge] and titles(phone) == [nudge]  # once each
    assert "You applied to Senior Backend Engineer on 1 June" in phone.bodies()[0]["message"]

    store.mark("Acme", "1", "rejected", date(2026, 6, 16), None, None, T0)
    thanks = "Acme: thank them, and ask for feedback"
    at(17, 6, 59)
    assert thanks not in titles(phone)
    at(17, 7)
    at(17, 8)
    at(18, 7)
    assert titles(phone).count(thanks) == 1 and titles(mail).count(thanks) == 1
    check_in = "Acme: time to check in"
    cycle(config, store, datetime(2026, 8, 11, 7, 0, tzinfo=UTC))  # 8 weeks after
    cycle(config, store, datetime(2026, 8, 12, 7, 0, tzinfo=UTC))
    assert titles(phone).count(check_in) == 1


def test_the_daemons_delivery_tick_sends_reminders_once_even_from_two_processes(
    world, server, tmp_path
):
    from watcher.cycle import remind
    from watcher.daemon import Daemon

    configure, store, phone, mail = world
    configure()
    path = tmp_path / "sites.yaml"
    text = path.read_text().replace("    quiet: '22:00-07:00'\n", "")  # real time: any hour
    path.write_text(text.replace("sites:", "  door:\n    remind_at: '00:00'\nsites:"))
    config = config_mod.load(path)
    board(server, gh_job(1, BACKEND))
    cycle(config, store, T0)
    # applied 15 days ago (real time): the follow-up fell yesterday, at midnight
    applied = datetime.now(UTC).date() - timedelta(days=15)
    store.mark("Acme", "1", "applied", applied, None, None, T0)
    other = Store(tmp_path / "w.db")  # a second process on the same database
    try:
        now = datetime.now(UTC)
        assert remind(config, other, now) == 2  # one for each channel's URL
        assert remind(config, store, now) == 0
    finally:
        other.close()
    asyncio.run(Daemon(path, store, config)._deliver())
    for receiver in (phone, mail):
        assert titles(receiver) == ["Acme: follow up on your application"]
    asyncio.run(Daemon(path, store, config)._deliver())
    assert len(phone.messages) == len(mail.messages) == 1

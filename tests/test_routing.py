"""Routing end to end with an injected clock: per-channel filters, digests, quiet hours,
and filters that never re-send old postings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import gh_job, serve_greenhouse
from watcher import config as config_mod
from watcher.cycle import check_sites
from watcher.fetch import Fetcher
from watcher.notify import deliver
from watcher.store import Store

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def write_config(path: Path, server, phone: int, mail: int, **extra: str) -> config_mod.Config:
    path.write_text(
        "channels:\n"
        "  phone:\n"
        f"    urls: json://127.0.0.1:{phone}/phone\n"
        "    match:\n"
        "      title: [backend, 're:plat+form']\n"
        "      seniority: [senior, staff]\n"
        "      location: [remote, Berlin]\n"
        f"    quiet: {extra.get('quiet', '22:00-07:00')!r}\n"
        "    timezone: UTC\n"
        "  mail:\n"
        f"    urls: json://127.0.0.1:{mail}/mail\n"
        "    digest: '08:00'\n"
        "    timezone: UTC\n"
        "defaults:\n"
        "  match:\n"
        "    exclude_title: [intern]\n"
        "sites:\n"
        f"  - name: Acme\n    greenhouse: acme\n    api: {server.url}\n"
        f"  - name: Beta\n    greenhouse: beta\n    api: {server.url}\n"
    )
    return config_mod.load(path)


def cycle(config, store, now: datetime):
    async def go():
        async with Fetcher() as fetcher:
            return await check_sites(config, store, fetcher, config.sites, clock=lambda: now)

    return asyncio.run(go())


def send(config, store, now: datetime):
    return asyncio.run(deliver(store, config.routes, now))


@pytest.fixture
def setup(tmp_path, server):
    from tests.servers import Receiver

    phone, mail = Receiver().start(), Receiver().start()
    serve_greenhouse(server, "acme", [gh_job(1, "Office Manager", "Paris")])
    serve_greenhouse(server, "beta", [gh_job(1, "Designer", "Remote")])
    config = write_config(tmp_path / "sites.yaml", server, phone.port, mail.port)
    store = Store(tmp_path / "w.db")
    cycle(config, store, MONDAY_NOON)  # baseline
    yield config, store, phone, mail
    store.close()
    phone.stop()
    mail.stop()


def test_phone_gets_only_what_its_filter_selects_now_mail_gets_everything_at_8(setup, server):
    config, store, phone, mail = setup
    serve_greenhouse(
        server,
        "acme",
        [
            gh_job(1, "Office Manager", "Paris"),
            gh_job(2, "Senior Backend Engineer", "Remote - Europe"),
            gh_job(3, "Backend Engineering Intern", "Remote"),
            gh_job(4, "Senior JavaScript Developer", "Berlin, Germany"),
        ],
    )
    serve_greenhouse(
        server,
        "beta",
        [gh_job(1, "Designer", "Remote"), gh_job(5, "Staff Platform Engineer", "Berlin")],
    )
    cycle(config, store, MONDAY_NOON + timedelta(hours=1))
    bodies = phone.bodies()
    text = "\n".join(b["message"] for b in bodies)
    assert sorted(b["title"] for b in bodies) == ["Acme: 1 new opening", "Beta: 1 new opening"]
    assert "Senior Backend Engineer" in text and "Staff Platform Engineer" in text
    assert "Intern" not in text and "JavaScript" not in text  # excluded / no filter match
    assert "title" in text  # the why
    assert mail.messages == []  # digest: not before 08:00

    send(config, store, datetime(2026, 11, 24, 7, 59, tzinfo=UTC))
    assert mail.messages == []
    send(config, store, datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    (digest,) = mail.bodies()
    assert digest["title"].startswith("watcher digest: 3 openings at 2 companies")
    for title in (
        "Senior Backend Engineer",
        "Senior JavaScript Developer",
        "Staff Platform Engineer",
    ):
        assert title in digest["message"]
    assert "Intern" not in digest["message"]  # the defaults' exclude applies everywhere
    send(config, store, datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    assert len(mail.messages) == 1


def test_quiet_hours_defer_and_never_drop(setup, server):
    config, store, phone, _ = setup
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    serve_greenhouse(
        server,
        "acme",
        [gh_job(1, "Office Manager", "Paris"), gh_job(2, "Senior Backend Engineer", "Remote")],
    )
    cycle(config, store, night)
    assert phone.messages == []
    send(config, store, datetime(2026, 11, 24, 6, 59, tzinfo=UTC))
    assert phone.messages == []
    send(config, store, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    (message,) = phone.bodies()
    assert "Senior Backend Engineer" in message["message"]


def test_changing_a_filter_never_resends_old_postings(setup, server, tmp_path):
    _, store, phone, mail = setup
    # a looser filter that would select the baseline's postings
    text = (
        (tmp_path / "sites.yaml")
        .read_text()
        .replace("title: [backend, 're:plat+form']", "title: [designer, manager]")
    )
    text = text.replace("seniority: [senior, staff]", "seniority: [mid]")
    (tmp_path / "sites.yaml").write_text(
        text.replace("location: [remote, Berlin]", "location: [remote, Paris]")
    )
    looser = config_mod.load(tmp_path / "sites.yaml")
    cycle(looser, store, MONDAY_NOON + timedelta(hours=2))
    send(looser, store, datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert phone.messages == [] and mail.messages == []

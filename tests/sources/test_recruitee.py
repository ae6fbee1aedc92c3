import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.servers import Reply
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher.model import Compensation, SourceError
from watcher.sources import detect_with
from watcher.sources.recruitee import Recruitee
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
OFFERS = (FIXTURES / "recruitee" / "offers.json").read_bytes()


def parse(body: bytes, board: str = "acme"):
    return parse_page(Recruitee(board), body, NOW)


def read(source, **options):
    return read_board_over_http(source, NOW, **options)


def test_endpoint_and_api_rebase():
    assert Recruitee("acme").first_request().url == "https://acme.recruitee.com/api/offers/"
    # the board lives in the host, which `api:` replaces: only the path stays
    assert Recruitee("acme", api="http://127.0.0.1:8000").first_request().url == (
        "http://127.0.0.1:8000/api/offers/"
    )


def test_parses_recorded_offers():
    page = parse(OFFERS)
    assert page.next is None
    # drafts, closed offers and rows without id or title are skipped
    assert [p.id for p in page.postings] == ["2700825", "2700901", "2700950"]
    engineer, intern, support = page.postings

    assert engineer.title == "Senior Backend Engineer (f/m/d)"
    assert engineer.url == "https://acme.recruitee.com/o/senior-backend-engineer-berlin"
    assert engineer.locations == ("Berlin, Germany", "Germany/Remote")
    assert engineer.department == "Engineering"
    assert (engineer.employment, engineer.workplace) == ("full-time", "hybrid")
    assert engineer.posted_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert engineer.updated_at == datetime(2026, 11, 2, 8, 15, tzinfo=UTC)
    assert engineer.compensation == Compensation(65000, 80000, "EUR", "year")
    assert describe(engineer) == (
        "About Acme\nWe build rockets & roller skates.\n\nRequirements\n\nPython\nPostgreSQL"
    )

    assert intern.title == "Stagiaire Marketing – Événementiel (H/F)"
    assert intern.locations == ("Paris, Île-de-France, France",)  # no locations list
    assert (intern.employment, intern.workplace) == ("intern", "onsite")
    assert intern.department is None and intern.compensation is None
    assert intern.posted_at == datetime(2026, 10, 15, 8, 30, tzinfo=UTC)  # created_at
    assert describe(intern) == "Organisez nos événements."

    # no careers_url: built from the slug; no status: published
    assert support.url == "https://acme.recruitee.com/o/support-agent-remote"
    assert support.locations == ("Remote (EU)",)
    assert (support.employment, support.workplace) == ("part-time", "remote")
    assert support.compensation == Compensation(18, 22, "EUR", "hour")
    assert support.posted_at == datetime(2026, 9, 30, 12, 0, tzinfo=UTC)  # bad published_at
    assert support.description_html is None


def test_empty_site():
    assert parse(b'{"offers": []}').postings == []


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html>Page not found</html>",
        b"[]",
        b'{"offer": {"id": 1}}',
        b'{"offers": {"id": 1}}',
        b'{"offers": [',
    ],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_real_recorded_responses():
    for path in shared("recruitee"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes())
        published = [o for o in data["offers"] if o.get("status", "published") == "published"]
        assert len(page.postings) == len(published)
        for posting, offer in zip(page.postings, published, strict=True):
            assert posting.id == str(offer["id"])
            assert posting.title == offer["title"].strip()
            assert posting.url == offer["careers_url"]
            assert posting.locations == tuple(
                dict.fromkeys(f"{loc['city']}, {loc['country']}" for loc in offer["locations"])
            )
            assert posting.posted_at is not None and posting.updated_at is not None
            assert posting.compensation is not None
            assert posting.compensation.min == float(offer["salary"]["min"])
            assert posting.compensation.period == offer["salary"]["period"]
            assert "<" not in describe(posting)


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://acme.recruitee.com", "acme"),
        ("https://acme.recruitee.com/", "acme"),
        ("https://bunq.recruitee.com/o/senior-backend-engineer-berlin", "bunq"),
        ("https://bunq.recruitee.com/o/senior-backend-engineer-berlin/c/new", "bunq"),
        ("https://Acme-Labs.recruitee.com/api/offers/", "acme-labs"),
    ],
)
def test_detects_urls(url, board):
    found = detect_with(Recruitee, url)
    assert found is not None and found.board == board and found.key == "recruitee"


@pytest.mark.parametrize(
    "url",
    [
        "https://recruitee.com",
        "https://recruitee.com/pricing",
        "https://www.recruitee.com/",
        "https://api.recruitee.com/c/12345/offers",
        "https://docs.recruitee.com/reference/offers",
        "https://acme.recruitee.com.evil.example/o/x",
        "https://jobs.lever.co/acme",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Recruitee, url) is None


def test_reads_offers_over_http(server):
    server.routes["/api/offers/"] = Reply(200, OFFERS)
    result = read(Recruitee("acme", api=server.url))
    assert [s.path for s in server.seen] == ["/api/offers/"]
    assert result.pages == 1
    assert [p.id for p in result.postings] == ["2700825", "2700901", "2700950"]


def test_unknown_site_is_not_found(server):
    with pytest.raises(SourceError) as err:
        read(Recruitee("nobody", api=server.url))
    assert err.value.kind == "not_found"

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES, shared
from tests.sources.common import parse_page
from watcher.model import SourceError
from watcher.sources.greenhouse import Greenhouse
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def parse(body: bytes, board: str = "acme"):
    return parse_page(Greenhouse(board), body, NOW)


def test_endpoint_and_api_rebase():
    assert Greenhouse("acme").first_request().url == (
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true"
    )
    assert Greenhouse("acme", api="http://127.0.0.1:8000/gh/").first_request().url == (
        "http://127.0.0.1:8000/gh/v1/boards/acme/jobs?content=true"
    )


def test_parses_recorded_board():
    page = parse((FIXTURES / "greenhouse" / "board.json").read_bytes())
    assert page.next is None
    first, second, third = page.postings
    assert first.id == "4012345"
    assert first.title == "Senior Backend Engineer"
    assert first.url == "https://boards.greenhouse.io/acme/jobs/4012345"
    assert first.locations == ("San Francisco, CA",)
    assert first.department == "Engineering"
    assert first.posted_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    # escaped HTML is unescaped once: the literal "&amp;" in the text survives as "&"
    assert describe(first) == "About us\nWe build rockets & roller skates.\nPython\nPostgreSQL"
    assert second.title == "ソリューションアーキテクト (Pre-Sales)"
    assert second.locations == ("Tōkyō, Japan",)
    assert second.posted_at is None
    assert describe(second) == "日本語の説明"
    assert third.description_html is None and describe(third) == ""


@pytest.mark.parametrize(
    "body",
    [b"<html>Service unavailable</html>", b'{"jobs": {"a": 1}}', b"[1, 2]", b'{"jobs": [1, "x"'],
)
def test_bad_shapes_are_parse_errors(body):
    with pytest.raises(SourceError) as err:
        parse(body)
    assert err.value.kind == "parse"


def test_real_recorded_responses():
    for path in shared("greenhouse"):
        data = json.loads(path.read_bytes())
        page = parse(path.read_bytes())
        assert len(page.postings) == len(data["jobs"])
        for posting, job in zip(page.postings, data["jobs"], strict=True):
            assert posting.id == str(job["id"])
            assert posting.title == job["title"].strip()
            assert posting.url == job["absolute_url"]
            assert posting.locations == (job["location"]["name"],)
            assert "&lt;" not in describe(posting)

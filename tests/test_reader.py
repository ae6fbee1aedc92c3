"""The reader's raw-object shortcut: postings listed exactly as stored are not built."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from tests.helpers import gh_job, serve_greenhouse
from tests.servers import Reply
from tests.sources.common import read
from watcher.diff import Rules, Stored, diff
from watcher.model import Posting, Request
from watcher.reader import raw_hash
from watcher.sources.greenhouse import Greenhouse

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class CountingGreenhouse(Greenhouse):
    """Greenhouse that counts the postings it builds."""

    built: list[str]

    def build(self, item: dict[str, Any], now: datetime) -> Posting | None:
        self.built.append(str(item["id"]))
        return super().build(item, now)


def source(server: Any) -> CountingGreenhouse:
    board = CountingGreenhouse("acme", api=server.url)
    board.built = []
    return board


def test_first_read_builds_every_posting_with_its_raw_hash(server):
    jobs = [gh_job(1, "A"), gh_job(2, "B")]
    serve_greenhouse(server, "acme", jobs)
    board = source(server)
    result = read(board, NOW)
    assert board.built == ["1", "2"]
    assert result.kept == []
    hashes = {p.id: p.raw for p in result.postings}
    assert hashes == {"1": raw_hash(jobs[0]), "2": raw_hash(jobs[1])}


def test_postings_as_stored_are_kept_and_not_built(server):
    jobs = [gh_job(1, "A"), gh_job(2, "B"), gh_job(3, "C")]
    serve_greenhouse(server, "acme", [jobs[0], {**jobs[1], "title": "B, retitled"}, jobs[2]])
    board = source(server)
    stored = {"1": raw_hash(jobs[0]), "2": raw_hash(jobs[1])}  # 3 is new
    result = read(board, NOW, stored=lambda: stored)
    assert result.kept == ["1"]
    assert board.built == ["2", "3"]
    assert [p.title for p in result.postings] == ["B, retitled", "C"]


def test_a_key_order_or_value_change_is_a_different_raw_hash():
    job = gh_job(1, "A")
    assert raw_hash(job) == raw_hash(orjson.loads(orjson.dumps(job)))
    assert raw_hash(job) != raw_hash({**job, "updated_at": "2026-11-27T10:00:00Z"})


def test_the_stored_hashes_are_asked_only_when_there_is_a_body_to_parse(server):
    serve_greenhouse(server, "acme", [gh_job(1, "A")])
    asked = []
    read(source(server), NOW, stored=lambda: asked.append(1) or {})
    assert asked == [1]


def stored(posting_id: str, raw: str, misses: int = 0) -> Stored:
    return Stored(posting_id, "open", "digest", {"title": "T"}, misses=misses, raw=raw)


@pytest.mark.parametrize("misses", [0, 1])
def test_diff_counts_kept_ids_present(misses):
    result = diff({"1": stored("1", "r1", misses)}, [], NOW, Rules(), kept=["1"])
    assert result.changes == [] and result.missing == [] and result.closed == []
    assert result.back == (["1"] if misses else [])


def test_diff_rewrites_an_invisible_raw_change_without_an_event():
    posting = Posting("1", "T", "https://x/1", raw="r2")
    posting.digest = posting.fingerprint()
    old = Stored("1", "open", posting.digest, posting.visible(), raw="r1")
    result = diff({"1": old}, [posting], NOW, Rules())
    assert result.changes == []
    assert result.write == [posting]


@pytest.mark.parametrize(("stored_text", "event"), [("<p>Same</p>", False), ("<p>Old</p>", True)])
def test_diff_compares_the_stored_description_when_the_raw_object_changed(stored_text, event):
    posting = Posting("1", "T", "https://x/1", description_html="<p>Same</p>", raw="r2")
    posting.digest = posting.raw
    old = Stored("1", "open", "r1", posting.visible(), raw="r1", description=stored_text)
    result = diff({"1": old}, [posting], NOW, Rules())
    assert [(c.kind, c.fields) for c in result.changes] == (
        [("changed", ("description",))] if event else []
    )
    assert result.write == [posting]


class TokenFirst(Greenhouse):
    """A board read after a token step: the first answer holds no postings by design."""

    def first_request(self) -> Request:
        return Request(self.url("https://tokens.example/token"), meta={"preamble": True})

    def split(self, request, response):  # type: ignore[no-untyped-def]
        if request.meta.get("preamble"):
            token = response.headers["x-token"]
            following = super().first_request()
            return [], Request(following.url, headers={"x-token": token})
        return super().split(request, response)


def test_a_preamble_page_is_followed_and_never_a_shortcut(server):
    serve_greenhouse(server, "acme", [gh_job(1, "A"), gh_job(2, "B")])
    server.routes["/token"] = Reply(200, b"", headers={"x-token": "t1"})
    board = TokenFirst("acme", api=server.url)
    first = read(board, NOW)
    assert sorted(p.id for p in first.postings) == ["1", "2"]
    assert server.seen[-1].headers.get("x-token") == "t1"
    # the token's body is the same every time: it must not pass for an unchanged board
    again = read(board, NOW, previous=first.validators)
    assert not again.unchanged and len(again.postings) == 2

"""Property tests over every registered parser: any response body either parses into
postings or fails with a SourceError (a reason for the user), never anything else."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.model import Posting, Response, SourceError
from watcher.sources import REGISTRY

NOW = datetime(2026, 11, 26, tzinfo=UTC)
BOARDS = {
    "workday": "acme.wd1/External",
    "oleeo": "acme.tal.net/vx/mobile-0/candidate/jobboard/vacancy/1",
    "avature": "careers.acme.com/careers",
    "successfactors": "jobs.acme.com",
    "taleo": "acme.taleo.net/2",
    "gr8people": "careers.acme.com",
    "phenom": "jobs.acme.com/us/en",
    "radancy": "jobs.acme.com",
    "jsonld": "https://acme.example/careers",
    "feed": "https://acme.example/jobs.rss",
    "html": {"url": "https://acme.example/careers", "item": "li", "title": "a"},
    "ukg": "ACME1000/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "oracle": "acme.fa.us2/CX_1",
    "amazon": {"query": "engineer", "location": "Berlin"},
    "google": "all",
    "apple": "all",
    "tiktok": {"query": "backend", "location": "London"},
    "bytedance": "all",
    "meta": "all",
    "uber": {"query": "backend", "location": "USA-California-San Francisco"},
    "tesla": {"query": "engineer", "location": "US"},
}

# JSON values shaped like boards: objects with the keys sources look for, of any type.
KEYS = [
    "jobs",
    "id",
    "title",
    "text",
    "name",
    "content",
    "location",
    "locations",
    "offers",
    "jobPostings",
    "postings",
    "content",
    "result",
    "items",
    "total",
    "departments",
    "categories",
    "hostedUrl",
    "absolute_url",
    "externalPath",
    "bulletFields",
    "postedOn",
    "isListed",
    "compensation",
    "salary",
    "updated_at",
    "createdAt",
    "publishedAt",
    "url",
    "opportunities",
    "totalCount",
    "Locations",
    "positions",
    "data",
    "count",
    "postedTs",
    "requisitionList",
    "Id",
    "Title",
    "TotalJobsCount",
    "hits",
    "id_icims",
    "job_path",
    "posted_date",
    "res",
    "searchResults",
    "totalRecords",
    "postingTitle",
    "positionId",
    "listings",
    "lookup",
    "t",
    "l",
    "geo",
    "sites",
    "cities",
]
# Google's results are positional arrays inside a web page's ds:1 call.
PAGE = "<script>AF_initDataCallback({key: 'ds:1', hash: '2', data:%s, sideChannel: {}});"
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    ),
    max_leaves=30,
)
bodies = st.one_of(
    st.binary(max_size=300),
    values.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=200).map(lambda t: f"<rss><channel><item>{t}</item></channel></rss>".encode()),
    st.text(max_size=200).map(
        lambda t: (
            f'<script type="application/ld+json">{t}</script><li><a href="/j">{t}</a></li>'.encode()
        )
    ),
    values.map(lambda v: (PAGE % json.dumps([v, None, 3, 20])).encode()),
)


@pytest.mark.parametrize("key", sorted(REGISTRY))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_any_body_parses_or_fails_with_a_reason(key, body):
    source = REGISTRY[key](BOARDS.get(key, "acme"))
    request = source.first_request()
    try:
        page = source.parse(request, Response(200, request.url, body), NOW)
    except SourceError as error:
        assert error.reason and "\n" not in error.reason
        return
    assert all(isinstance(p, Posting) and p.id and p.title for p in page.postings)
    for posting in page.postings:
        posting.fingerprint()
        detail = source.detail_request(posting)
        if detail is not None:
            with contextlib.suppress(SourceError):
                source.parse_detail(posting, Response(200, detail.url, body), NOW)

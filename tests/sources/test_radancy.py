"""Radancy TalentBrew: the search page (a preamble naming the results module), the
search's JSON pages of card HTML, each site's card layout, posting pages, detection."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.helpers import Project
from tests.servers import Reply, Seen
from tests.sources.common import parse_page
from tests.sources.common import read as read_board_over_http
from watcher import add
from watcher.fetch import Fetcher, FetchSettings
from watcher.model import Page, Posting, Request, Response, SourceError
from watcher.sources import detect, detect_with
from watcher.sources.radancy import PAGE_SIZE, Radancy
from watcher.text import describe

NOW = datetime(2026, 11, 26, tzinfo=UTC)
MODULE = "Section 6 - Search Results List"
# The search's parameters, in the order the site's own script sends them.
PARAMETERS = [
    "ActiveFacetID",
    "CurrentPage",
    "RecordsPerPage",
    "Distance",
    "RadiusUnitType",
    "Keywords",
    "Location",
    "ShowRadius",
    "IsPagination",
    "CustomFacetName",
    "FacetTerm",
    "FacetType",
    "SearchResultsModuleName",
    "SearchFiltersModuleName",
    "SortCriteria",
    "SortDirection",
    "SearchType",
    "OrganizationIds",
    "PostalCode",
    "ResultsType",
    "fc",
    "fl",
    "fcf",
    "afc",
    "afl",
    "afcf",
]


def fixture(name: str) -> bytes:
    return (FIXTURES / "radancy" / name).read_bytes()


def search(source: Radancy, body: bytes | None = None, url: str | None = None) -> Request:
    """The first results request, from the search page served at `url`."""
    first = source.first_request()
    response = Response(
        200, url or first.url, fixture("search_page.html") if body is None else body
    )
    page = source.parse(first, response, NOW)
    assert page.postings == [] and page.next is not None
    return page.next


def results(source: Radancy, name: str, request: Request | None = None) -> Page:
    return parse_page(source, fixture(name), NOW, request or search(source))


def envelope(cards: str, section: str | None = None, **extra: object) -> bytes:
    """A search answer around `cards`, in the results section TalentBrew always writes."""
    if section is None:
        section = '<section id="search-results" data-total-job-results="1" data-total-pages="1">'
    body = {"filters": "", "results": f"{section}<ul>{cards}</ul></section>", "hasJobs": True}
    return json.dumps({**body, **extra}).encode()


def cards(markup: str, board: str = "jobs.acme.com") -> list[Posting]:
    source = Radancy(board)
    return parse_page(source, envelope(markup), NOW, search(source)).postings


# --- boards and requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("board", "expected"),
    [
        ("jobs.citi.com", "jobs.citi.com"),
        ("https://jobs.citi.com/", "jobs.citi.com"),
        ("JOBS.Citi.com/search-jobs", "jobs.citi.com"),
        ("www.capitalonecareers.com", "www.capitalonecareers.com"),
        ("jobs.vinci.com/EN/", "jobs.vinci.com/en"),
        ("jobs.citi.com/287", "jobs.citi.com/287"),
        ("jobs.acme.com/en/1234", "jobs.acme.com/en/1234"),
        ("careers.acme.com/global/en-gb", "careers.acme.com/global/en-gb"),
    ],
)
def test_board_forms(board, expected):
    assert Radancy(board).board == expected


@pytest.mark.parametrize(
    "board",
    [
        "",
        None,
        "acme",
        "jobs acme.com",
        "jobs.acme.com/job",
        "jobs.acme.com/job/austin/engineer/1234/81234567890",
        "jobs.acme.com/search-jobs/engineer/1234/1",
        "jobs.acme.com/1234/en",
        "jobs.acme.com/1234567890",
        "jobs.acme.com/a/b/c",
        "jobs.acme.com/en?x=1",
    ],
)
def test_rejects_what_is_not_a_site(board):
    with pytest.raises(ValueError, match="TalentBrew"):
        Radancy(board)


def test_the_search_page_comes_first_then_the_search_with_its_module():
    source = Radancy("jobs.acme.com")
    first = source.first_request()
    assert first.url == "https://jobs.acme.com/search-jobs"
    assert first.meta["preamble"] and "text/html" in first.headers["Accept"]
    request = search(source)
    parts = urlsplit(request.url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "jobs.acme.com",
        "/search-jobs/results",
    )
    query = parse_qsl(parts.query, keep_blank_values=True)
    assert [key for key, _ in query] == PARAMETERS
    sent = dict(query)
    assert sent["SearchResultsModuleName"] == MODULE  # the results section's, not the heading's
    assert sent["SearchFiltersModuleName"] == ""  # no filters' HTML in the answer
    assert (sent["CurrentPage"], sent["RecordsPerPage"]) == ("1", str(PAGE_SIZE))
    assert (sent["SearchType"], sent["IsPagination"], sent["OrganizationIds"]) == ("5", "False", "")
    assert request.headers == {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


def test_locale_company_number_and_api():
    source = Radancy("jobs.acme.com/en/1234", api="http://127.0.0.1:8000")
    assert source.first_request().url == "http://127.0.0.1:8000/en/search-jobs"
    request = search(source, url="http://127.0.0.1:8000/en/search-jobs")
    assert request.url.startswith("http://127.0.0.1:8000/en/search-jobs/results?")
    assert request.meta["url"].startswith("https://jobs.acme.com/en/search-jobs/results?")
    assert parse_qs(urlsplit(request.url).query)["OrganizationIds"] == ["1234"]


@pytest.mark.parametrize(
    ("landed", "site"),
    [
        ("https://jobs.acme.com/search-jobs", "https://jobs.acme.com"),
        ("https://jobs.acme.com/fr/search-jobs", "https://jobs.acme.com/fr"),
        ("https://www.acme.com/search-jobs/", "https://www.acme.com"),
        ("https://jobs.acme.com/", "https://jobs.acme.com"),  # not the search: as written
    ],
)
def test_the_search_follows_where_the_search_page_was_redirected(landed, site):
    request = search(Radancy("jobs.acme.com"), url=landed)
    assert request.meta["site"] == site
    assert request.meta["url"].startswith(f"{site}/search-jobs/results?")


def test_search_page_without_a_module_name_uses_the_usual_one():
    page = b'<html><head><script src="https://tbcdn.talentbrew.com/js/x.js"></script></head></html>'
    request = search(Radancy("jobs.acme.com"), page)
    assert parse_qs(urlsplit(request.url).query)["SearchResultsModuleName"] == ["Search Results"]


@pytest.mark.parametrize("body", [b"", b"<html><body><h1>Acme careers</h1></body></html>"])
def test_a_search_page_without_talentbrew_markup_is_a_parse_error(body):
    source = Radancy("jobs.acme.com")
    with pytest.raises(SourceError) as err:
        parse_page(source, body, NOW)
    assert err.value.kind == "parse" and "jobs.acme.com/search-jobs" in err.value.reason


# --- result pages -------------------------------------------------------------------------


def test_reads_the_cards_of_a_page():
    page = results(Radancy("jobs.acme.com"), "results_p1.json")
    engineer, platform = page.postings
    assert engineer.id == "81234567890"
    assert engineer.title == "Senior Backend Engineer"
    assert (
        engineer.url == "https://jobs.acme.com/job/austin/senior-backend-engineer/1234/81234567890"
    )
    assert engineer.locations == ("Austin, Texas",)
    assert engineer.department == "Engineering"  # without its "Category:" caption
    assert engineer.posted_at == datetime(2026, 11, 3, tzinfo=UTC)
    assert platform.title == "Platform Engineer (m/w/d)"


def test_fields_lose_their_captions_and_screen_reader_copies():
    payroll, warehouse = results(Radancy("jobs.acme.com"), "results_p2.json").postings
    assert payroll.title == "Payroll Specialist & Analyst"
    assert payroll.locations == ("Toronto, Ontario",)
    assert payroll.employment == "part-time"
    assert warehouse.locations == ()  # the card states no place
    assert warehouse.department == "Operations"


def test_pages_follow_by_the_counts_the_section_states():
    source = Radancy("jobs.acme.com")
    first = results(source, "results_p1.json")
    assert first.next is not None
    query = parse_qs(urlsplit(first.next.url).query)
    assert (query["CurrentPage"], query["IsPagination"]) == (["2"], ["True"])
    assert query["SearchResultsModuleName"] == [MODULE]
    second = results(source, "results_p2.json", first.next)
    assert second.next is not None and second.next.meta["page"] == 3
    last = results(source, "results_p3.json", second.next)
    assert last.next is None  # 3 pages of 2 make the 6 stated
    assert [p.id for p in last.postings] == ["81234567894", "81234567890"]


@pytest.mark.parametrize(
    ("attributes", "page", "listed", "more"),
    [
        ('data-total-job-results="6" data-records-per-page="2"', 2, 2, True),
        ('data-total-job-results="6" data-records-per-page="2"', 3, 2, False),
        # the job count, not the count of all results (content pages too)
        ('data-total-results="605" data-total-job-results="499"', 1, 499, False),
        ('data-total-results="605"', 1, 500, True),
        ('data-total-pages="3"', 2, 7, True),
        ('data-total-pages="3"', 3, 7, False),
        ("", 1, PAGE_SIZE, True),  # no counts: a full page says there may be more
        ("", 1, 12, False),
        ('data-total-job-results="x" data-records-per-page="-1"', 1, 12, False),
        ('data-total-job-results="99999999999" data-records-per-page="0"', 1, 12, False),
    ],
)
def test_when_a_page_follows(attributes, page, listed, more):
    links = "".join(
        f'<li><a href="/job/x/y/1234/{10000 + i}" data-job-id="{10000 + i}"><h2>T</h2></a></li>'
        for i in range(listed)
    )
    source = Radancy("jobs.acme.com")
    request = search(source)
    request = Request(request.url, meta={**request.meta, "page": page})
    body = envelope(links, f'<section id="search-results" {attributes}>')
    assert (parse_page(source, body, NOW, request).next is not None) is more


def test_counts_stated_on_another_element_than_the_section():
    source = Radancy("jobs.acme.com")
    request = search(source)
    links = '<li><a href="/job/x/y/1234/10001" data-job-id="10001"><h2>T</h2></a></li>'
    section = (
        '<section id="search-results" data-total-pages="9">'
        '<p data-total-job-results="2" data-records-per-page="2"></p>'
    )
    assert parse_page(source, envelope(links, section), NOW, request).next is None


def test_an_empty_search_is_no_error():
    page = results(Radancy("jobs.acme.com"), "empty.json")
    assert page.postings == [] and page.next is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # no module of that name: the search answers nothing, with hasJobs true
        (b'{"results": "", "hasJobs": true}', "results module"),
        (b'{"filters": "", "results": "<div>Oops</div>"}', "results module"),
        (b"<html>Access denied</html>", "not JSON"),
        (b'{"results": ["a"]}', "'results' is list"),
        (b"[]", "the response is list"),
    ],
)
def test_answers_that_are_no_result_list_are_parse_errors(body, says):
    source = Radancy("jobs.acme.com")
    with pytest.raises(SourceError) as err:
        parse_page(source, body, NOW, search(source))
    assert err.value.kind == "parse" and says in err.value.reason


def test_no_jobs_and_no_list_is_an_empty_board():
    source = Radancy("jobs.acme.com")
    page = parse_page(source, b'{"results": "", "hasJobs": false}', NOW, search(source))
    assert page.postings == [] and page.next is None


# Cards as sites write them (shapes from other public scrapers' tests and notes).
LAYOUTS = [
    pytest.param(
        # the heading around the link; the place beside it; a save button with the id
        '<li><div class="section8__job-data"><h2 class="headline__small">'
        '<a href="/job/chico/retail-sales-consultant/117/98395039840" data-job-id="98395039840">'
        "  Retail Sales Consultant  </a></h2></div>"
        '<span class="job-location">  Chico,   California </span>'
        '<button class="js-save-job-btn" data-job-id="98395039840">'
        '<span class="visually-hidden">Save Role</span></button></li>',
        ("98395039840", "Retail Sales Consultant", ("Chico, California",), None, None, None),
        id="heading-around-link",
    ),
    pytest.param(
        # a table row: title, date, brand and place in cells of their own
        "<table><tr><th>Title</th><th>Date</th></tr><tr>"
        '<td><a href="/job/burbank/sr-executive-assistant-ph/391/96053617056" '
        'data-job-id="96053617056"><h2>Sr Executive Assistant (PH)</h2></a></td>'
        '<td class="job-date-posted">Nov. 20, 2026</td><td class="job-brand">Acme Studios</td>'
        '<td class="job-location">Burbank, California, United States</td></tr></table>',
        (
            "96053617056",
            "Sr Executive Assistant (PH)",
            ("Burbank, California, United States",),
            None,
            "Acme Studios",
            datetime(2026, 11, 20, tzinfo=UTC),
        ),
        id="table-row",
    ),
    pytest.param(
        # no heading: the title is a class; every field repeated for screen readers
        '<li><a href="/en/job/frankfurt-am-main/monteur/1440/2266761408" data-job-id="2266761408">'
        '<span class="job-title">Monteur:in (w/m/d) Elektrotechnik</span>'
        '<span class="job-location">Frankfurt am Main, Hessen'
        '<span class="sr-only">Frankfurt am Main, Hessen</span></span>'
        '<span class="job-category">OPERATIONS<span class="sr-only">OPERATIONS</span></span>'
        "</a></li>",
        (
            "2266761408",
            "Monteur:in (w/m/d) Elektrotechnik",
            ("Frankfurt am Main, Hessen",),
            "OPERATIONS",
            None,
            None,
        ),
        id="title-class-sr-only",
    ),
    pytest.param(
        # the card's data-job-id is another number than the link's job id
        '<li data-intuit-jobid="12" data-category="Data">'
        '<a href="/job/mountain-view/data-scientist/27595/1012" data-job-id="12" class="sr-item">'
        '<h2>Data Scientist</h2><span class="job-location">Mountain View, California</span></a>'
        '<button class="js-save-job-btn" data-job-id="1012" data-org-id="27595">'
        '<span class="wai">Save </span></button></li>',
        ("1012", "Data Scientist", ("Mountain View, California",), None, None, None),
        id="card-id-is-not-the-job-id",
    ),
    pytest.param(
        # the brand beside the place; a class holding "brand" on the link is not the brand
        '<li><a href="/job/gallatin/cna-gallatin/34088/2000" data-job-id="2000" '
        'class="brand-facet brand-facet__optum"><div><h2>CNA - Gallatin</h2>'
        '<span class="job-id job-info">2392900</span><span class="job-divider"> | </span>'
        '<span class="job-location 1">Gallatin, Tennessee</span>'
        '<span class="job-divider"> | </span><span class="job-info job-entity">LHC Group</span>'
        "</div></a></li>",
        ("2000", "CNA - Gallatin", ("Gallatin, Tennessee",), None, "LHC Group", None),
        id="entity",
    ),
    pytest.param(
        # captions in bold; the full address as the place; a date in its own class
        '<li><a href="/job/north-richland-hills/full-time-assistant-store-manager/61/98393877456" '
        'data-job-id="98393877456"><h3>Full-Time Assistant Store Manager</h3></a>'
        '<span class="job-address-list">8537 Davis Blvd, North Richland Hills, TX, 76182</span>'
        '<span class="job-category"><b>Department</b> | Store</span>'
        '<span class="job-type"><b>Position Type</b> | Full-Time</span>'
        '<span class="search-results__job-info date">11/02/2026</span></li>',
        (
            "98393877456",
            "Full-Time Assistant Store Manager",
            ("8537 Davis Blvd, North Richland Hills, TX, 76182",),
            "Store",
            None,
            datetime(2026, 11, 2, tzinfo=UTC),
        ),
        id="bold-captions",
    ),
    pytest.param(
        # the caption written in the text; a job type that is not one (PRN)
        '<li><a href="/job/town-of-framingham/certified-surgical-tech/1127/98376917440" '
        'data-job-id="98376917440"><h2>Certified Surgical tech</h2></a>'
        '<span class="job-location">Location: Town of Framingham, MA</span>'
        '<span class="job-type"><span class="heading">Job Type: </span>PRN</span></li>',
        (
            "98376917440",
            "Certified Surgical tech",
            ("Town of Framingham, MA",),
            None,
            None,
            None,
        ),
        id="caption-in-text",
    ),
    pytest.param(
        # a translated path segment; two links to the posting (title and chevron)
        '<li><a href="/fr/emploi/sillery/electromecanicien-f-h/3091/19904869696" '
        'data-job-id="19904869696"><h2>Electromécanicien F/H</h2></a>'
        '<span class="job-location"><span class="location-icon-red"></span> Sillery, France </span>'
        '<a href="/fr/emploi/sillery/electromecanicien-f-h/3091/19904869696" '
        'data-job-id="19904869696" aria-label="Voir"><span class="chevron"></span></a></li>',
        ("19904869696", "Electromécanicien F/H", ("Sillery, France",), None, None, None),
        id="translated-path",
    ),
]


@pytest.mark.parametrize(("markup", "expected"), LAYOUTS)
def test_card_layouts(markup, expected):
    (posting,) = cards(markup)
    job_id, title, places, department, team, posted = expected
    assert (posting.id, posting.title, posting.locations) == (job_id, title, places)
    assert (posting.department, posting.team, posting.posted_at) == (department, team, posted)
    assert posting.url.startswith("https://jobs.acme.com/")
    assert posting.employment in (None, "full-time")


def test_employment_types():
    full, prn = cards(LAYOUTS[5].values[0] + LAYOUTS[6].values[0])
    assert (full.employment, prn.employment) == ("full-time", None)


def test_a_list_item_holding_several_postings_is_not_one_card():
    markup = (
        '<li><a href="/job/a/one/1234/10001" data-job-id="10001"><h2>One</h2></a>'
        '<span class="job-location">Here</span>'
        '<a href="/job/b/two/1234/10002" data-job-id="10002"><h2>Two</h2></a></li>'
    )
    one, two = cards(markup)
    assert (one.title, two.title) == ("One", "Two")
    assert one.locations == two.locations == ()  # the item's place is no card's own


def test_links_that_are_not_postings_are_skipped():
    markup = (
        '<li><a href="/search-jobs/engineer/1234/2">Next</a>'
        '<a href="/category/engineering-jobs/1234/8736240/1">Engineering</a>'
        '<a href="/job/a/one/1234/10001"><h2>No data-job-id, the posting link shape</h2></a>'
        '<a href="javascript:void(0)" data-job-id="10003">Save</a>'
        '<a href="/saved-jobs" data-job-id="x y">Saved</a>'
        '<a href="/job/a/one/1234/10004" data-job-id="10004"></a></li>'
    )
    (posting,) = cards(markup)
    assert posting.id == "10001"


def test_a_company_number_keeps_that_companys_postings():
    markup = (
        '<li><a href="/job/a/one/1234/10001" data-job-id="10001"><h2>One</h2></a></li>'
        '<li><a href="/job/b/two/9999/10002" data-job-id="10002"><h2>Two</h2></a></li>'
        '<li><a href="/careers/three" data-job-id="10003"><h2>Three</h2></a></li>'
    )
    assert [p.id for p in cards(markup)] == ["10001", "10002", "10003"]
    assert [p.id for p in cards(markup, "jobs.acme.com/1234")] == ["10001", "10003"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fragment=st.text(max_size=300),
    attributes=st.text(max_size=40),
    jobs=st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=5)),
)
def test_any_answer_parses_or_fails_with_a_reason(fragment, attributes, jobs):
    markup = (
        f'<section id="search-results" data-total-job-results="{attributes}">'
        f'<li><a href="/job/x/{fragment}/1/12345" data-job-id="{attributes}">{fragment}</a>'
        f'<span class="job-location">{fragment}</span></li>{fragment}</section>'
    )
    source = Radancy("jobs.acme.com")
    request = search(source)
    for body in (json.dumps({"results": markup, "hasJobs": jobs}).encode(), markup.encode()):
        try:
            page = source.parse(request, Response(200, request.url, body), NOW)
        except SourceError as error:
            assert error.reason and "\n" not in error.reason
            continue
        assert all(p.id and p.title for p in page.postings)


# --- posting pages ------------------------------------------------------------------------


def listed(name: str = "results_p1.json", index: int = 0) -> Posting:
    return results(Radancy("jobs.acme.com"), name).postings[index]


def test_detail_reads_the_json_ld():
    posting = replace(listed(), posted_at=None)
    source = Radancy("jobs.acme.com", api="http://127.0.0.1:8000")
    request = source.detail_request(posting)
    assert request is not None
    assert request.url == (
        "http://127.0.0.1:8000/job/austin/senior-backend-engineer/1234/81234567890"
    )
    detailed = source.parse_detail(posting, Response(200, request.url, fixture("job.html")), NOW)
    assert (detailed.id, detailed.url, detailed.title) == (posting.id, posting.url, posting.title)
    assert detailed.posted_at == datetime(2026, 11, 3, tzinfo=UTC)  # "2026-11-3"
    assert detailed.employment == "full-time"
    assert detailed.department == "Engineering"
    assert detailed.locations == ("Austin, Texas",)  # the list's place is kept
    assert describe(detailed) == "Build the services behind Acme's anvils.\nGo and Postgres"


def test_detail_without_json_ld_reads_the_description_block():
    posting = listed("results_p2.json", 1)
    detailed = Radancy("jobs.acme.com").parse_detail(
        posting, Response(200, posting.url, fixture("job_plain.html")), NOW
    )
    assert describe(detailed) == "Move anvils safely, 10pm to 6am."
    assert detailed.posted_at == posting.posted_at


def test_detail_failures():
    posting = listed()
    source = Radancy("jobs.acme.com")
    away = Response(
        200, "https://jobs.acme.com/search-jobs?orgIds=1234", fixture("search_page.html")
    )
    with pytest.raises(SourceError) as err:
        source.parse_detail(posting, away, NOW)
    assert err.value.kind == "not_found"
    with pytest.raises(SourceError) as err:
        source.parse_detail(posting, Response(200, posting.url, b"<html></html>"), NOW)
    assert err.value.kind == "parse"


def test_detail_pages_are_read_at_most_max_details_a_check():
    source = Radancy("jobs.acme.com")
    posting = listed()
    asked = [source.detail_request(posting) for _ in range(Radancy.max_details + 3)]
    assert sum(r is not None for r in asked) == Radancy.max_details
    assert Radancy("jobs.acme.com").detail_request(posting) is not None  # a new check


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "board"),
    [
        ("https://jobs.citi.com/job/tampa/software-engineer/287/12345678", "jobs.citi.com"),
        ("https://jobs.citi.com/job/tampa/software-engineer/287/98395039840/", "jobs.citi.com"),
        (
            "https://www.capitalonecareers.com/job/mclean/senior-data-engineer/1732/81234567890",
            "capitalonecareers.com",  # `www.` is added back by the search page's redirect
        ),
        ("https://jobs.vinci.com/EN/job/paris/monteur/1440/2266761408?src=x", "jobs.vinci.com/en"),
        (
            "https://jobs.veolia.com/fr/emploi/sillery/electromecanicien/3091/19904869696",
            "jobs.veolia.com/fr",
        ),
        (
            "https://jobs.citi.com/search-jobs/Intern/Paris/287/1/2/2988507/48x85341/15/2",
            "jobs.citi.com",
        ),
        ("https://jobs.citi.com/search-jobs/operations%20analyst/287/1", "jobs.citi.com"),
        ("https://jobs.nm.org/search-jobs//27763/1", "jobs.nm.org"),
        (
            "https://jobs.sanofi.com/fr/search-jobs/results?ActiveFacetID=0&CurrentPage=2",
            "jobs.sanofi.com/fr",
        ),
        (
            "https://jobs.target.com/search-jobs/results?CurrentPage=1&RecordsPerPage=500",
            "jobs.target.com",
        ),
    ],
)
def test_detects_site_urls(url, board):
    found = detect_with(Radancy, url)
    assert found is not None and found.board == board
    assert detect(url) == found  # no other platform claims it


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.citi.com/",  # a site's pages are known from their markup, read once
        "https://jobs.citi.com/search-jobs",
        "https://jobs.citi.com/search-jobs/Dublin",
        "https://www.instahyre.com/search-jobs/",  # not TalentBrew
        "https://jobs.acme.com/job/austin/engineer/81234567890",
        "https://jobs.acme.com/job/austin/engineer/1234/123",
        "https://jobs.acme.com/job/austin/engineer/abc/81234567890",
        "https://jobs.acme.com/job/austin/senior/engineer/1234/81234567890",
        "https://jobs.acme.com/us/en/job/R-1000/Engineer",
        "https://acme.jobs2web.com/job/Berlin-Engineer/1100200300/",
        "https://jobs.acme.com/search-jobs/results",
        "https://jobs.acme.com/search-jobs/results?q=engineer",
        "https://evil.com/?next=https://jobs.citi.com/job/tampa/engineer/287/12345678",
        "https://tbcdn.talentbrew.com/company/1234/css/main.css",
    ],
)
def test_ignores_other_urls(url):
    assert detect_with(Radancy, url) is None


def page_at(url: str, body: str | bytes) -> Response:
    return Response(200, url, body.encode() if isinstance(body, str) else body)


@pytest.mark.parametrize(
    ("url", "body", "board"),
    [
        ("https://jobs.acme.com/search-jobs", fixture("search_page.html"), "jobs.acme.com"),
        # the site's own search form says where the search is
        (
            "https://careers.acme.com/",
            '<html><body data-company-site-id="67476"><form action="/en/search-jobs">'
            "</form></body></html>",
            "careers.acme.com/en",
        ),
        # its assets and a posting link on its own host
        (
            "https://www.acme-jobs.com/",
            '<html><head><link rel="stylesheet" href="https://tbcdn.talentbrew.com/a.css">'
            '</head><body><a href="/job/austin/engineer/1234/81234567890">Engineer</a>'
            "</body></html>",
            "www.acme-jobs.com",
        ),
        # no link to the search: the locale of its address
        ("https://jobs.acme.com/en/", fixture("job_plain.html"), "jobs.acme.com/en"),
        ("https://jobs.acme.com/about-us", fixture("job_plain.html"), "jobs.acme.com"),
    ],
)
def test_board_in_page(url, body, board):
    assert Radancy.board_in_page(page_at(url, body)) == board


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("https://acme.example/careers", "<html><body><a href='/jobs'>Jobs</a></body></html>"),
        # a company page showing TalentBrew's images, linking to its TalentBrew site
        (
            "https://www.acme.com/careers",
            '<html><body><img src="https://tbcdn.talentbrew.com/company/14/img/logo.svg">'
            '<a href="https://jobs.acme.com/search-jobs">Search jobs</a></body></html>',
        ),
        # TalentBrew's assets on a page of another site, no search on its own host
        (
            "https://www.acme.com/careers",
            '<html><head><script src="https://tbcdn.talentbrew.com/js/widget.js"></script>'
            '</head><body><a href="https://jobs.acme.com/search-jobs">Jobs</a></body></html>',
        ),
    ],
)
def test_board_in_page_ignores_other_pages(url, body):
    assert Radancy.board_in_page(page_at(url, body)) is None


def test_a_talentbrew_page_is_its_own_board_whatever_it_links_to():
    # an apply link to the system behind the site: not the board the page lists
    body = fixture("search_page.html").replace(
        b"</header>",
        b'<a href="https://acme.taleo.net/careersection/2/jobdetail.ftl?job=123">Apply</a>'
        b'<a href="https://acme.avature.net/careers/JobDetail/Engineer/42">Apply</a></header>',
    )
    found = add.find_in_page(body, "https://jobs.acme.com/", "text/html")
    assert found is not None and (found.key, found.board) == ("radancy", "jobs.acme.com")


def test_watcher_add_reads_a_careers_page_once_for_its_site(server):
    server.routes["/careers"] = Reply(
        200, fixture("search_page.html"), {"Content-Type": "text/html"}
    )

    async def locate() -> add.Found:
        async with Fetcher(FetchSettings(retries=0, deadline=20)) as fetcher:
            return await add.locate(f"{server.url}/careers", fetcher)

    found = asyncio.run(locate())
    assert (found.key, found.board, found.via) == ("radancy", "127.0.0.1", "page")
    assert len(server.seen) == 1
    assert add.classify("https://jobs.citi.com/search-jobs").status == add.REQUEST
    posting = add.classify("https://jobs.citi.com/job/tampa/software-engineer/287/12345678")
    assert posting.found is not None and (posting.found.key, posting.found.board) == (
        "radancy",
        "jobs.citi.com",
    )


# --- over HTTP ------------------------------------------------------------------------------

JOBS = {
    "81234567890": "/job/austin/senior-backend-engineer/1234/81234567890",
    "81234567891": "/job/berlin/platform-engineer/1234/81234567891",
    "81234567892": "/job/toronto/payroll-specialist/1234/81234567892",
    "81234567893": "/job/reno/warehouse-associate-nights/1234/81234567893",
    "81234567894": "/job/remote/data-scientist/1234/81234567894",
}


def serve_site(server, pages: dict[str, bytes] | None = None) -> dict[str, bytes]:
    pages = pages or {str(n): fixture(f"results_p{n}.json") for n in (1, 2, 3)}

    def answer(seen: Seen) -> Reply:
        page = parse_qs(urlsplit(seen.path).query).get("CurrentPage", ["1"])[0]
        return Reply(200, pages.get(page, fixture("empty.json")))

    html = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/search-jobs"] = Reply(200, fixture("search_page.html"), html)
    server.routes["/search-jobs/results"] = answer
    for job_id, path in JOBS.items():
        body = fixture("job.html" if job_id == "81234567890" else "job_plain.html")
        server.routes[path] = Reply(200, body, html)
    return pages


def test_reads_the_search_pages_and_details_over_http(server):
    serve_site(server)
    read = read_board_over_http(Radancy("jobs.acme.com", api=server.url), NOW)
    assert [urlsplit(s.path).path for s in server.seen[:4]] == [
        "/search-jobs",
        "/search-jobs/results",
        "/search-jobs/results",
        "/search-jobs/results",
    ]
    asked = server.requests_to("/search-jobs/results")
    assert [parse_qs(urlsplit(s.path).query)["CurrentPage"] for s in asked] == [["1"], ["2"], ["3"]]
    assert all(s.headers["x-requested-with"] == "XMLHttpRequest" for s in asked)
    assert read.pages == 4 and not read.truncated
    assert [p.id for p in read.postings] == list(JOBS)
    assert all(p.detailed for p in read.postings) and read.details_failed == 0
    assert read.postings[0].posted_at == datetime(2026, 11, 3, tzinfo=UTC)


def test_a_search_that_goes_on_stops_at_the_window(server):
    def full(page: int) -> bytes:
        links = "".join(
            f'<li><a href="/job/x/y/1234/{100000 + page * 10 + i}" '
            f'data-job-id="{100000 + page * 10 + i}"><h2>Job {page}.{i}</h2></a></li>'
            for i in range(3)
        )
        section = (
            '<section id="search-results" data-total-job-results="50000" data-records-per-page="3">'
        )
        return envelope(links, section)

    serve_site(server, {str(n): full(n) for n in range(1, 40)})
    read = read_board_over_http(
        Radancy("jobs.acme.com", api=server.url), NOW, needs_detail=lambda posting: False
    )
    assert read.pages == Radancy.max_pages == 21 and read.truncated
    assert len(server.requests_to("/search-jobs/results")) == 20


def test_watcher_check_end_to_end(tmp_path, server, receiver):
    pages = serve_site(server)
    project = Project(tmp_path, server, receiver)
    project.sites({"name": "Acme", "radancy": "jobs.acme.com"})
    result = project.run("check")
    assert result.exit_code == 0, result.output
    stored = {row["id"]: row for row in project.list()}
    assert sorted(stored) == sorted(JOBS)
    engineer = stored["81234567890"]
    assert engineer["url"] == "https://jobs.acme.com" + JOBS["81234567890"]
    assert engineer["location"] == "Austin, Texas"
    assert engineer["department"] == "Engineering"
    assert engineer["employment"] == "full-time"
    assert stored["81234567892"]["employment"] == "part-time"
    assert receiver.messages == []  # the silent baseline

    # a new posting where the last page listed a second place of another
    new = (
        pages["3"]
        .decode()
        .replace(
            "/job/round-rock/senior-backend-engineer/1234/81234567890",
            "/job/denver/site-reliability-engineer/1234/81234567895",
        )
    )
    new = new.replace('data-job-id=\\"81234567890\\"', 'data-job-id=\\"81234567895\\"')
    pages["3"] = new.replace("Senior Backend Engineer", "Site Reliability Engineer").encode()
    server.routes["/job/denver/site-reliability-engineer/1234/81234567895"] = Reply(
        200, fixture("job_plain.html"), {"Content-Type": "text/html"}
    )
    again = project.run("check")
    assert again.exit_code == 0, again.output
    assert len(project.list()) == 6
    (message,) = receiver.wait_for(1)
    assert "Site Reliability Engineer" in json.dumps(message)

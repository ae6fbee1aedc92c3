"""The ASGI app of `watcher serve` (Starlette): routes over `views`, Jinja2 templates, the
charts, and the two state-changing flows, adding a site and marking an application,
through the same library calls as the command line (`watcher.add`, `Store.mark`).

The store is one synchronous SQLite connection: every route is a coroutine that calls it
on the event loop's thread, as the daemon does (its queries take milliseconds).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from watcher import door
from watcher.config import Config
from watcher.cycle import utcnow
from watcher.render import relative
from watcher.store import Store, StoreError
from watcher.web import charts, views
from watcher.web.trust import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    Guard,
    TrustError,
    cookie,
    csrf_ok,
    parse_cookies,
)

log = logging.getLogger("watcher.web")
HERE = Path(__file__).resolve().parent
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"  # an image: its own style, no script


@dataclass(frozen=True)
class Settings:
    """How the page is reached and guarded (see `watcher.web.trust`)."""

    allowed_hosts: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
    token_hash: str | None = None
    config_path: Path | None = None  # sites.yaml, where Add writes


@dataclass
class Services:
    """What the routes use: the store, today's config, the time, and who to tell that
    sites.yaml changed (the daemon, in process or by signal): it says what it did."""

    store: Store
    config: Callable[[], Config | None]
    clock: Callable[[], datetime] = utcnow
    reload: Callable[[], str | None] | None = None
    add_fetcher: Callable[[], Any] | None = None  # a Fetcher for Add's reads (tests)


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ago"] = _ago
    env.filters["stamp"] = lambda v: str(v)[:16].replace("T", " ") if v else ""
    env.globals["query"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v is not None})
    return env


def _ago(value: Any) -> str:
    if not value:
        return "never"
    moment = value if isinstance(value, datetime) else None
    if moment is None:
        from watcher.text import parse_time

        moment = parse_time(value)
    return relative(moment, utcnow()) if moment else str(value)


def create_app(settings: Settings, services: Services) -> Callable[..., Awaitable[None]]:
    """The app, wrapped in its guard (Host check, login, CSRF cookie, headers)."""
    env = _templates()
    guard = Guard(settings.allowed_hosts, settings.token_hash)

    def page(request: Request, template: str, code: int = 200, **data: Any) -> HTMLResponse:
        state = request.scope.get("state", {})
        html = env.get_template(template).render(
            csrf=state.get("csrf", ""),
            login=settings.token_hash is not None,
            path=request.url.path,
            **data,
        )
        return HTMLResponse(html, status_code=code)

    def problem(request: Request, status: int, message: str) -> HTMLResponse:
        return page(request, "error.html", code=status, message=message)

    def params(request: Request) -> dict[str, str]:
        return dict(request.query_params)

    async def form(request: Request) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token or Origin is not this page's."""
        data = await request.form()
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
        state = request.scope.get("state", {})
        if not csrf_ok(state, fields.get("csrf"), dict(request.headers)):
            return None
        return fields

    async def index(request: Request) -> Response:
        return RedirectResponse("/new", status_code=303)

    async def new(request: Request) -> Response:
        data = views.new_page(services.store, services.config(), services.clock(), params(request))
        return page(request, "new.html", **data)

    async def openings(request: Request) -> Response:
        try:
            data = views.openings_page(services.store, services.clock(), params(request))
        except StoreError as exc:
            return problem(request, 400, str(exc))
        return page(request, "openings.html", **data)

    async def companies(request: Request) -> Response:
        data = views.companies_page(services.store, services.config(), services.clock().date())
        return page(request, "companies.html", **data)

    async def company(request: Request) -> Response:
        name = request.query_params.get("site", "")
        try:
            data = views.company_page(services.store, services.config(), services.clock(), name)
        except views.NotFound as exc:
            return problem(request, 404, str(exc))
        return page(request, "company.html", **data)

    async def chart(request: Request) -> Response:
        name = request.query_params.get("site", "")
        theme = request.query_params.get("theme", "light")
        kind = request.path_params["kind"]
        trend = services.store.trend(name, services.clock().date())
        if kind == "open":
            svg = charts.open_chart(trend.days, trend.open, theme)
        elif kind == "weekly":
            svg = charts.weekly_chart(trend.weeks, trend.new, trend.closed, theme)
        else:
            return problem(request, 404, "no such chart")
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={"content-security-policy": CHART_CSP, "cache-control": "no-cache"},
        )

    async def posting(request: Request) -> Response:
        site = request.query_params.get("site", "")
        posting_id = request.query_params.get("id", "")
        try:
            data = views.posting_page(services.store, services.config(), site, posting_id)
        except views.NotFound as exc:
            return problem(request, 404, str(exc))
        return page(request, "posting.html", marked=request.query_params.get("marked"), **data)

    async def mark(request: Request) -> Response:
        fields = await form(request)
        if fields is None:
            return problem(request, 403, "this form is stale or not from this page: reload it")
        site, posting_id = fields.get("site", ""), fields.get("id", "")
        stage = fields.get("stage", "")
        now = services.clock()
        today = now.date()
        try:
            day = date.fromisoformat(fields["on"]) if fields.get("on") else today
            door.check_mark(stage, day, today)
            services.store.mark(site, posting_id, stage, day, None, fields.get("note") or None, now)
        except (ValueError, LookupError, StoreError) as exc:
            return problem(request, 400, str(exc).strip("'\""))
        back = "/posting?" + urlencode({"site": site, "id": posting_id, "marked": stage})
        return RedirectResponse(back, status_code=303)

    async def applications(request: Request) -> Response:
        return page(request, "applications.html", **views.applications_page(services.store))

    async def add_form(request: Request) -> Response:
        return page(request, "add.html", target="", name="", api="")

    async def add(request: Request) -> Response:
        from watcher.web import adding

        fields = await form(request)
        if fields is None:
            return problem(request, 403, "this form is stale or not from this page: reload it")
        path = settings.config_path
        if path is None:
            return problem(request, 400, "no sites.yaml to add to: start with --config")
        confirm = fields.get("confirm") == "1"
        outcome = await adding.run(
            fields, path, services.clock(), confirm=confirm, fetcher=services.add_fetcher
        )
        if confirm and outcome.written and services.reload is not None:
            outcome.reloaded = services.reload()
        given = outcome.form
        return page(
            request,
            "add.html",
            outcome=outcome,
            target=given["target"],
            name=given["name"],
            api=given["api"],
        )

    async def login_form(request: Request) -> Response:
        return page(request, "login.html", next=request.query_params.get("next", "/"))

    async def login(request: Request) -> Response:
        fields = await form(request)
        if fields is None:
            return problem(request, 403, "this form is stale or not from this page: reload it")
        client = request.client.host if request.client else "?"
        try:
            session = guard.sign_in(client, fields.get("token", ""))
        except TrustError as exc:
            return problem(request, 429, str(exc))
        if session is None:
            return page(request, "login.html", code=401, next=fields.get("next", "/"), wrong=True)
        target = fields.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        reply = RedirectResponse(target, status_code=303)
        secure = request.url.scheme == "https"
        reply.raw_headers.append(
            (b"set-cookie", cookie(SESSION_COOKIE, session, secure, int(SESSION_LIFETIME)))
        )
        return reply

    async def logout(request: Request) -> Response:
        if await form(request) is None:
            return problem(request, 403, "this form is stale or not from this page: reload it")
        guard.sign_out(parse_cookies(request.headers.get("cookie", "")))
        reply = RedirectResponse("/login", status_code=303)
        reply.raw_headers.append((b"set-cookie", cookie(SESSION_COOKIE, "", False, 0)))
        return reply

    async def not_found(request: Request, exc: Exception) -> Response:
        return problem(request, 404, "no such page")

    async def failed(request: Request, exc: Exception) -> Response:
        log.error("%s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return problem(request, 500, f"something went wrong: {type(exc).__name__}")

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/new", new),
            Route("/openings", openings),
            Route("/companies", companies),
            Route("/company", company),
            Route("/chart/{kind}.svg", chart),
            Route("/posting", posting),
            Route("/posting/mark", mark, methods=["POST"]),
            Route("/applications", applications),
            Route("/add", add_form),
            Route("/add", add, methods=["POST"]),
            Route("/login", login_form),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={404: not_found, 500: failed, StoreError: failed},
    )
    return guard.wrap(app)

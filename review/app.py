"""The maintainers' review web app: routes, the review form's CSRF check, start and stop.

It runs inside the service's asyncio loop. Handlers call storage synchronously (short queries
on the loop thread, never an ``await`` in between), as every other part of the process does.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from urllib.parse import quote, unquote, urlsplit

import sqlite_utils
from aiohttp import web

from review import feed, pages
from review.filters import Filters
from storage import changes as change_rows
from storage import snapshots
from storage.db import utcnow

log = logging.getLogger("ircc_watch.review")

PAGE_SIZE = 100
FEED_SIZE = 50
REVIEWER_COOKIE = "ircc_watch_reviewer"

DB = web.AppKey("db", sqlite_utils.Database)
TOKEN = web.AppKey("csrf_token", str)
PREFIX = web.AppKey("prefix", str)
BASE_URL = web.AppKey("base_url", str)

_PREFIX_RE = re.compile(r"(/[A-Za-z0-9._~-]+)*")
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def create_app(db: sqlite_utils.Database, *, base_url: str = "") -> web.Application:
    """The review app over ``db``.

    ``base_url`` is the page's public address (``https://host/ircc-watch``) when it sits behind a
    reverse proxy: its path prefixes every link, and it makes the feed's links absolute.
    Without it, links start at ``/`` and the feed uses the address the request came to.
    The CSRF token is made here, once per app: forms from before a restart are refused.
    """
    prefix = urlsplit(base_url).path.rstrip("/")
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"base_url path must be plain /segments: {base_url!r}")
    app = web.Application()
    app[DB] = db
    app[TOKEN] = secrets.token_urlsafe(32)
    app[PREFIX] = prefix
    app[BASE_URL] = base_url.rstrip("/")
    app.add_routes(
        [
            web.get("/", changes_list),
            web.get(r"/changes/{id:[0-9]{1,18}}", change_detail),
            web.post(r"/changes/{id:[0-9]{1,18}}/review", review),
            web.get("/feed.atom", atom_feed),
            web.get("/style.css", stylesheet),
            web.get("/favicon.svg", icon),
            web.get("/healthz", healthz),
        ]
    )
    app.on_response_prepare.append(_security_headers)
    return app


async def start_review(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port (port 0 picks a free one) in the running loop.

    Returns the runner: ``runner.addresses`` holds the bound address; pass it to
    :func:`stop_review` at shutdown.
    """
    runner = web.AppRunner(app, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0]
    log.info("review page on http://%s:%s/", bound[0], bound[1])
    return runner


async def stop_review(runner: web.AppRunner) -> None:
    """Stop serving: close the listening socket and finish in-flight requests."""
    await runner.cleanup()


async def changes_list(request: web.Request) -> web.Response:
    """GET / — the changes, newest first, with the filters of the query string."""
    db, prefix = request.app[DB], request.app[PREFIX]
    filters = Filters.from_query(request.query)
    rows = change_rows.listing(
        db,
        unreviewed=filters.unreviewed,
        watch=filters.watch,
        kind=filters.kind,
        before=filters.before,
        limit=PAGE_SIZE,
    )
    html = pages.list_page(
        rows,
        filters=filters,
        watches=change_rows.distinct_values(db, "watch"),
        kinds=change_rows.distinct_values(db, "kind"),
        prefix=prefix,
        page_size=PAGE_SIZE,
    )
    return _html(html)


async def change_detail(request: web.Request) -> web.Response:
    """GET /changes/{id} — one change with its side-by-side diff and the review form."""
    db, prefix = request.app[DB], request.app[PREFIX]
    change = change_rows.get(db, int(request.match_info["id"]))
    if change is None:
        return _not_found(request)
    before = after = None
    if change["previous_snapshot_id"] and change["snapshot_id"]:
        before = snapshots.get(db, change["previous_snapshot_id"])
        after = snapshots.get(db, change["snapshot_id"])
    newest_unreviewed = change_rows.listing(db, unreviewed=True, limit=1)
    html = pages.change_page(
        change,
        before=before,
        after=after,
        prefix=prefix,
        token=request.app[TOKEN],
        reviewer=unquote(request.cookies.get(REVIEWER_COOKIE, ""))[: pages.NAME_MAX],
        next_unreviewed=newest_unreviewed[0]["id"] if newest_unreviewed else None,
        full=request.query.get("context") == "all",
    )
    return _html(html)


async def review(request: web.Request) -> web.Response:
    """POST /changes/{id}/review — mark the change reviewed, then 303 back to it."""
    db, prefix = request.app[DB], request.app[PREFIX]
    change_id = int(request.match_info["id"])
    form = await request.post()
    if change_rows.get(db, change_id) is None:
        return _not_found(request)
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(
        token.encode(), request.app[TOKEN].encode()
    ):
        return _bad_request(
            request,
            "This form has expired or did not come from the review page. "
            "Reload the change and try again.",
        )
    by = " ".join(str(form.get("by") or "").split())
    note = str(form.get("note") or "").replace("\r\n", "\n").strip()
    if not by:
        return _bad_request(request, "Say who reviewed the change: the name field is empty.")
    if len(by) > pages.NAME_MAX or len(note) > pages.NOTE_MAX:
        return _bad_request(
            request,
            f"The name is limited to {pages.NAME_MAX} characters and the note to {pages.NOTE_MAX}.",
        )
    change_rows.mark_reviewed(db, change_id, by, note or None)
    log.info("change %d marked reviewed by %s on the review page", change_id, by)
    response = web.Response(status=303, headers={"Location": f"{prefix}/changes/{change_id}"})
    response.set_cookie(
        REVIEWER_COOKIE,
        quote(by, safe=""),
        max_age=365 * 86400,
        path=f"{prefix}/",
        httponly=True,
        samesite="Strict",
    )
    return response


async def atom_feed(request: web.Request) -> web.Response:
    """GET /feed.atom — the latest changes as Atom 1.0, with the list's filters."""
    db, prefix = request.app[DB], request.app[PREFIX]
    filters = Filters.from_query(request.query).but(before=None)
    rows = change_rows.listing(
        db,
        unreviewed=filters.unreviewed,
        watch=filters.watch,
        kind=filters.kind,
        limit=FEED_SIZE,
    )
    site = request.app[BASE_URL] or f"{request.scheme}://{request.host}{prefix}"
    query = filters.query()
    suffix = f"?{query}" if query else ""
    title = "ircc-watch changes" + ("" if not query else f" ({filters.describe().lower()})")
    body = feed.atom(
        rows,
        site=site,
        self_url=f"{site}/feed.atom{suffix}",
        list_url=f"{site}/{suffix}",
        query=query,
        title=title,
        now=utcnow(),
    )
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


async def stylesheet(request: web.Request) -> web.Response:
    """GET /style.css — the page's only stylesheet (inline styles are barred by the CSP)."""
    return web.Response(
        text=pages.CSS,
        content_type="text/css",
        charset="utf-8",
        headers={"Cache-Control": "max-age=3600"},
    )


async def icon(request: web.Request) -> web.Response:
    """GET /favicon.svg — the tab icon (so browsers stop asking for a missing favicon.ico)."""
    return web.Response(
        text=pages.ICON, content_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz — "ok" while the process serves requests."""
    return web.Response(text="ok")


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


def _not_found(request: web.Request) -> web.Response:
    prefix = request.app[PREFIX]
    message = "There is no change with this id."
    return _html(pages.error_page(404, "Not found", message, prefix=prefix), status=404)


def _bad_request(request: web.Request, message: str) -> web.Response:
    prefix = request.app[PREFIX]
    return _html(pages.error_page(400, "Not saved", message, prefix=prefix), status=400)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)

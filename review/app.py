"""The maintainers' review web app: routes, sign-in, sessions, and the checks on every write.

It runs inside the service's asyncio loop. Handlers call storage synchronously (short queries
on the loop thread, never an ``await`` in between), as every other part of the process does.

Every request passes :func:`_guard` before its handler: it must name one of the page's host
names (421 otherwise); a POST must also come from the page's own origin (Origin, else Referer),
carry its session's CSRF token, and — except the sign-in form — come from a signed-in
maintainer. A new write (a button on the page) only needs a POST route and a form made with
:func:`review.pages.post_form`; the guard applies to it by itself.

What a reload may change (who may sign in, the page's address) sits in one :class:`Live` object
that :func:`reconfigure` replaces; each request reads it, and checks its session's identity
against it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import sqlite_utils
from aiohttp import web

from notifier.decisions import decide
from review import auth, charts, feed, holds, pages
from review.accesslog import AccessLog
from review.filters import Filters
from settings import Config, ReviewSettings, TelegramSettings
from storage import changes as change_rows
from storage import deliveries, reviews, signins, snapshots
from storage import holds as hold_rows
from storage.db import utcnow

log = logging.getLogger("ircc_watch.review")

PAGE_SIZE = 100
FEED_SIZE = 50


@dataclass(frozen=True)
class Settings:
    """What the page reads from the running config; a reload replaces it as a whole."""

    review: ReviewSettings
    telegram: TelegramSettings
    config: Config | None
    prefix: str
    base_url: str
    hosts: frozenset[str]


class Live:
    """The page's current :class:`Settings` (the app's own keys cannot change once it runs)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


DB = web.AppKey("db", sqlite_utils.Database)
SESSIONS = web.AppKey("sessions", auth.Sessions)
THROTTLE = web.AppKey("throttle", auth.Throttle)
LIVE = web.AppKey("live", Live)
SESSION = web.RequestKey("session", object)  # the request's session, read once

_PREFIX_RE = re.compile(r"(/[A-Za-z0-9._~-]+)*")
_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Telegram's Login Widget is a script from telegram.org that opens an iframe of
# oauth.telegram.org: allowed on the sign-in page only, and only when it is configured.
_CSP_TELEGRAM = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https://telegram.org "
    "https://t.me; script-src https://telegram.org; frame-src https://oauth.telegram.org; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_OPEN_PATHS = ("/login", "/login/telegram", "/style.css", "/favicon.svg", "/healthz")
_NAME_SHOWN_MAX = 60


def create_app(
    db: sqlite_utils.Database,
    *,
    base_url: str = "",
    review: ReviewSettings | None = None,
    telegram: TelegramSettings | None = None,
    config: Config | None = None,
) -> web.Application:
    """The review app over ``db``, with the sign-in and reading rules of ``review``.

    ``base_url`` (default: ``review.public_url``) is the page's public address
    (``https://host/ircc-watch``): its path prefixes every link, the feed's links are made
    absolute with it, and POSTs must come from its origin. Without it, links start at ``/``,
    the feed's links are relative (``/changes/6``), and POSTs must come from the address the
    browser used. ``telegram`` holds the bot token and the ids allowed to sign in with Telegram.
    ``config`` (the service's) lets the page release held changes to their recipients.
    """
    review = review or ReviewSettings()
    app = web.Application(middlewares=[_guard])
    app[DB] = db
    app[SESSIONS] = auth.Sessions(review.session_secret())
    app[THROTTLE] = auth.Throttle()
    app[LIVE] = Live(_settings(review, telegram, config, base_url))
    _warn_unusable_secrets(review)
    app.add_routes(
        [
            web.get("/", changes_list),
            web.get(r"/changes/{id:[0-9]{1,18}}", change_detail),
            web.get(r"/charts/{watch}/{name:cutoffs|pool|ptime|iec}.svg", chart_svg),
            web.post(r"/changes/{id:[0-9]{1,18}}/review", review_change),
            web.get("/feed.atom", atom_feed),
            web.get("/login", login_page),
            web.post("/login", login),
            web.get("/login/telegram", telegram_login),
            web.post("/logout", logout),
            web.get("/style.css", stylesheet),
            web.get("/favicon.svg", icon),
            web.get("/healthz", healthz),
        ]
    )
    if config is not None:
        app.add_routes([web.post(r"/holds/{id:[0-9]{1,18}}/{action:release|discard}", decide_hold)])
    app.on_response_prepare.append(_security_headers)
    return app


def reconfigure(
    app: web.Application,
    review: ReviewSettings,
    telegram: TelegramSettings | None,
    config: Config | None,
) -> None:
    """Apply a reloaded config: who may sign in, the page's address and host names.

    Sessions are checked against the new settings from the next request on: a maintainer
    removed from the config is signed out. Host and port are the listener's (see the service).
    """
    app[LIVE].settings = _settings(review, telegram, config, "")
    _warn_unusable_secrets(review)


def _settings(
    review: ReviewSettings,
    telegram: TelegramSettings | None,
    config: Config | None,
    base_url: str,
) -> Settings:
    base_url = base_url or review.public_url or ""
    prefix = urlsplit(base_url).path.rstrip("/")
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(f"base_url path must be plain /segments: {base_url!r}")
    hosts = auth.host_names(base_url if urlsplit(base_url).scheme else None, review.host)
    return Settings(
        review, telegram or TelegramSettings(), config, prefix, base_url.rstrip("/"), hosts
    )


def _warn_unusable_secrets(review: ReviewSettings) -> None:
    for reviewer in review.reviewers:
        secret = reviewer.secret()
        if secret is None or len(secret) < auth.MIN_SECRET_LENGTH:
            log.warning(
                "review sign-in for %s is off: %s is %s (at least %d characters)",
                reviewer.name,
                reviewer.secret_env,
                "not set" if secret is None else "too short",
                auth.MIN_SECRET_LENGTH,
            )


async def start_review(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port (port 0 picks a free one) in the running loop.

    Returns the runner: ``runner.addresses`` holds the bound address; pass it to
    :func:`stop_review` at shutdown.
    """
    runner = web.AppRunner(app, shutdown_timeout=5.0, access_log_class=AccessLog)
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


def _live(request: web.Request) -> Settings:
    return request.app[LIVE].settings


def _session(request: web.Request) -> auth.Session | None:
    """The visitor's session from its signed cookie (None: none, tampered with, expired,
    signed out, or signed in as someone the running config no longer allows)."""
    if SESSION not in request:
        request[SESSION] = _read_session(request)
    return request[SESSION]  # type: ignore[return-value]


def _read_session(request: web.Request) -> auth.Session | None:
    app = request.app
    session = app[SESSIONS].load(request.cookies.get(auth.COOKIE))
    if session is None or signins.signed_out(app[DB], session.sid):
        return None
    if session.user is not None and not _still_allowed(request, session):
        log.info("review page: %s is signed out (no longer allowed by the config)", session.user)
        now = time.time()
        signins.sign_out(app[DB], session.sid, now + auth.SESSION_MAX_AGE, now)
        return None
    return session


def _still_allowed(request: web.Request, session: auth.Session) -> bool:
    """Whether the running config still lets this session's maintainer in, with that secret."""
    settings = _live(request)
    if session.via == "secret":
        for reviewer in settings.review.reviewers:
            secret = reviewer.secret()
            if reviewer.name == session.who and secret and len(secret) >= auth.MIN_SECRET_LENGTH:
                expected = request.app[SESSIONS].fingerprint(reviewer.name, secret)
                return hmac.compare_digest(expected.encode(), (session.key or "").encode())
        return False
    if session.via == "telegram" and settings.review.telegram_login:
        allowed = set(settings.telegram.admins) | set(settings.telegram.maintainers)
        return (session.who or "").isdigit() and int(session.who or "0") in allowed
    return False


def _user(request: web.Request) -> str | None:
    session = _session(request)
    return session.user if session else None


def _viewer(request: web.Request) -> pages.Viewer:
    """What the page needs to know about who is looking (for the header and the forms)."""
    session = _session(request)
    settings = _live(request).review
    token = request.app[SESSIONS].csrf_token(session) if session else ""
    return pages.Viewer(session.user if session else None, token, settings.sign_in)


def _expected_origin(request: web.Request) -> str:
    base = _live(request).base_url
    if urlsplit(base).scheme:
        return auth.origin_of(base)
    return f"{request.scheme}://{request.host}"


@web.middleware
async def _guard(request: web.Request, handler) -> web.StreamResponse:
    """Refuse other host names; read the session; refuse cross-origin or token-less POSTs, and
    anonymous writes or reads."""
    app, live = request.app, _live(request)
    prefix = live.prefix
    if not auth.host_allowed(request.headers.get("Host"), live.hosts):
        log.warning(
            "review page: refused a request for host %r",
            request.headers.get("Host", "")[:_NAME_SHOWN_MAX],
        )
        return web.Response(
            status=421,
            text="This page does not answer to this host name. Open it at the address in "
            "[review] public_url, or at localhost.\n",
        )
    session = _session(request)
    path = request.path
    is_open = path in _OPEN_PATHS
    if request.method == "POST":
        if not auth.same_origin(request.headers, _expected_origin(request)):
            log.warning("refused a cross-origin POST to %s", path)
            return _refused(
                request, 403, "This form was sent from another site. Nothing was saved."
            )
        form = await request.post()
        if not app[SESSIONS].csrf_ok(session, form.get("csrf_token")):
            return _refused(
                request,
                403,
                "This form has expired or did not come from your session of the review page. "
                "Reload the page and try again.",
            )
        if path != "/login" and not (session and session.user):
            return _refused(request, 403, "Sign in to change anything on the review page.")
    elif not (is_open or (session and session.user) or live.review.readable_without_login):
        target = request.path_qs if request.path_qs.startswith("/") else "/"
        return web.Response(
            status=303,
            headers={"Location": f"{prefix}/login?next={quote(prefix + target, safe='')}"},
        )
    return await handler(request)


async def changes_list(request: web.Request) -> web.Response:
    """GET / — the changes, newest first, with the filters of the query string."""
    db, prefix = request.app[DB], _live(request).prefix
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
        viewer=_viewer(request),
        charts=_charts(db, filters.watch, prefix) if filters.watch else "",
    )
    return _html(html)


async def change_detail(request: web.Request) -> web.Response:
    """GET /changes/{id} — one change with its side-by-side diff, its reviews and the form."""
    db, prefix = request.app[DB], _live(request).prefix
    change = change_rows.get(db, int(request.match_info["id"]))
    if change is None:
        return _not_found(request)
    before = after = None
    if change["previous_snapshot_id"] and change["snapshot_id"]:
        before = snapshots.get(db, change["previous_snapshot_id"])
        after = snapshots.get(db, change["snapshot_id"])
    newest_unreviewed = change_rows.listing(db, unreviewed=True, limit=1)
    hold_id = holds.hold_of(change) if _live(request).config is not None else None
    hold = ""
    if hold_id is not None:
        hold = holds.section(hold_rows.get(db, hold_id), prefix, _viewer(request), change["id"])
    html = pages.change_page(
        change,
        before=before,
        after=after,
        history=reviews.history(db, change["id"]),
        prefix=prefix,
        viewer=_viewer(request),
        next_unreviewed=newest_unreviewed[0]["id"] if newest_unreviewed else None,
        full=request.query.get("context") == "all",
        hold=hold,
        charts=_charts(db, change["watch"], prefix),
        told=deliveries.told(db, change["id"]),
        just_reviewed=request.query.get("reviewed") == "1",
    )
    return _html(html)


def _charts(db: sqlite_utils.Database, watch: str, prefix: str) -> str:
    return charts.section(charts.charts_for(db, watch), watch, prefix)


async def chart_svg(request: web.Request) -> web.Response:
    """GET /charts/{watch}/{name}.svg — one of a watch's charts, drawn in a worker thread."""
    db, name = request.app[DB], request.match_info["name"]
    found = dict(charts.charts_for(db, request.match_info["watch"]))
    if name not in found:
        return _not_found(request)
    svg = await asyncio.to_thread(found[name].render, "svg")
    return web.Response(body=svg, content_type="image/svg+xml")


async def decide_hold(request: web.Request) -> web.Response:
    """POST /holds/{id}/release|discard — decide a held bulk, then 303 back to the change."""
    db, prefix = request.app[DB], _live(request).prefix
    hold_id = int(request.match_info["id"])
    release = request.match_info["action"] == "release"
    status = hold_rows.RELEASED if release else hold_rows.DISCARDED
    by, config = _user(request), _live(request).config
    assert by is not None  # the guard let only signed-in maintainers through
    if config is None:
        return _not_found(request)
    decision = decide(db, config, hold_id, status, by)
    if not decision.ok:
        return _bad_request(request, decision.message)
    log.info("%s", decision.message)
    form = await request.post()
    change = str(form.get("change") or "")
    target = f"{prefix}/changes/{change}" if change.isdigit() else f"{prefix}/"
    return web.Response(status=303, headers={"Location": target})


async def review_change(request: web.Request) -> web.Response:
    """POST /changes/{id}/review — add the signed-in maintainer's review, then 303 back."""
    db, prefix = request.app[DB], _live(request).prefix
    change_id = int(request.match_info["id"])
    form = await request.post()
    if change_rows.get(db, change_id) is None:
        return _not_found(request)
    by = _user(request)
    assert by is not None  # the guard let only signed-in maintainers through
    note = str(form.get("note") or "").replace("\r\n", "\n").strip()
    if len(note) > pages.NOTE_MAX:
        return _bad_request(request, f"The note is limited to {pages.NOTE_MAX} characters.")
    reviews.add(db, change_id, by, note or None)
    log.info("change %d marked reviewed by %s on the review page", change_id, by)
    location = f"{prefix}/changes/{change_id}?reviewed=1#reviewed"
    return web.Response(status=303, headers={"Location": location})


async def login_page(request: web.Request) -> web.Response:
    """GET /login — the sign-in form (and Telegram's button when configured)."""
    session = _session(request) or auth.Session.new()
    settings = _live(request).review
    message = "You are signed out." if request.query.get("signed_out") == "1" else ""
    response = _login_response(request, session, message, status=200)
    if settings.telegram_login:
        response.headers["Content-Security-Policy"] = _CSP_TELEGRAM
    return response


async def login(request: web.Request) -> web.Response:
    """POST /login — check a maintainer's name and secret; start a signed-in session."""
    form = await request.post()
    name = " ".join(str(form.get("name") or "").split())
    given = str(form.get("secret") or "")
    settings = _live(request).review
    throttle = request.app[THROTTLE]
    session = _session(request) or auth.Session.new()
    key = (name, request.remote)  # a stranger's guesses never lock a maintainer's own address
    # A name that is not a reviewer's may be a secret typed in the wrong box: never logged.
    shown = name if any(r.name == name for r in settings.reviewers) else "an unknown name"
    wait = throttle.wait(key)
    if wait > 0:
        log.warning(
            "review page: sign-in as %s from %s refused for %.0f s", shown, request.remote, wait
        )
        message = (
            f"Too many wrong secrets for this name from your address: "
            f"try again in {wait:.0f} seconds."
        )
        response = _login_response(request, session, message, status=429)
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response
    for reviewer in settings.reviewers:
        secret = reviewer.secret()
        if reviewer.name == name and auth.secret_matches(given, secret):
            assert secret is not None
            throttle.succeeded(key)
            log.info("review page: %s signed in", reviewer.name)
            fingerprint = request.app[SESSIONS].fingerprint(reviewer.name, secret)
            signed = auth.Session.new(reviewer.name, "secret", reviewer.name, fingerprint)
            return _signed_in(request, signed, form.get("next"))
    throttle.failed(key)
    log.warning("review page: failed sign-in as %s from %s", shown, request.remote)
    return _login_response(request, session, "Wrong name or secret.", status=401)


async def telegram_login(request: web.Request) -> web.Response:
    """GET /login/telegram — Telegram's Login Widget sends the signed-in user here."""
    telegram = _live(request).telegram
    session = _session(request) or auth.Session.new()
    token = telegram.token() if _live(request).review.telegram_login else None
    fields = {k: v for k, v in request.query.items() if k != "next"}
    user_id = auth.verify_telegram_login(fields, token or "")
    if user_id is None:
        log.warning("review page: refused a Telegram sign-in (bad or stale signature)")
        return _login_response(request, session, "Telegram's sign-in could not be verified.", 401)
    if user_id not in set(telegram.admins) | set(telegram.maintainers):
        log.warning("review page: Telegram user %d is not a maintainer or admin", user_id)
        return _login_response(
            request, session, "This Telegram account is not one of the maintainers.", 403
        )
    now = time.time()
    expires = int(fields["auth_date"]) + auth.TELEGRAM_MAX_AGE
    if not signins.use_login_hash(request.app[DB], fields["hash"].lower(), expires, now):
        log.warning("review page: refused a Telegram sign-in link used before")
        return _login_response(
            request, session, "This Telegram sign-in was used already: sign in again.", 401
        )
    username = fields.get("username", "")
    name = f"@{username} (telegram {user_id})" if username else f"telegram {user_id}"
    log.info("review page: %s signed in with Telegram", name)
    signed = auth.Session.new(name[: _NAME_SHOWN_MAX * 2], "telegram", str(user_id))
    return _signed_in(request, signed, None)


async def logout(request: web.Request) -> web.Response:
    """POST /logout — end the session."""
    prefix = _live(request).prefix
    session = _session(request)
    if session is not None:
        now = time.time()
        signins.sign_out(request.app[DB], session.sid, now + auth.SESSION_MAX_AGE, now)
    log.info("review page: %s signed out", session.user if session else None)
    response = web.Response(status=303, headers={"Location": f"{prefix}/login?signed_out=1"})
    response.del_cookie(auth.COOKIE, path=f"{prefix}/")
    return response


def _signed_in(request: web.Request, session: auth.Session, target: object) -> web.Response:
    prefix = _live(request).prefix
    location = f"{prefix}/"
    if isinstance(target, str) and _local_path(target, prefix):
        location = target
    response = web.Response(status=303, headers={"Location": location})
    _set_session(request, response, session)
    return response


def _local_path(target: str, prefix: str) -> bool:
    """True for a path on this page (never another host: no "//", no scheme, no backslash)."""
    return (
        target.startswith(f"{prefix}/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlsplit(target).netloc
    )


def _set_session(request: web.Request, response: web.Response, session: auth.Session) -> None:
    prefix = _live(request).prefix
    response.set_cookie(
        auth.COOKIE,
        request.app[SESSIONS].dump(session),
        max_age=auth.SESSION_MAX_AGE,
        path=f"{prefix}/",
        httponly=True,
        samesite="Lax",
        secure=_live(request).base_url.startswith("https://"),
    )


def _login_response(
    request: web.Request, session: auth.Session, message: str, status: int
) -> web.Response:
    settings, prefix = _live(request).review, _live(request).prefix
    target = request.query.get("next", "")
    auth_url = f"{_live(request).base_url}/login/telegram" if settings.telegram_login else None
    html = pages.login_page(
        prefix=prefix,
        token=request.app[SESSIONS].csrf_token(session),
        names=[r.name for r in settings.reviewers],
        message=message,
        next_path=target if _local_path(target, prefix) else "",
        telegram_bot=settings.telegram_login,
        telegram_auth_url=auth_url,
        viewer=pages.Viewer(session.user, request.app[SESSIONS].csrf_token(session), True),
    )
    response = _html(html, status=status)
    if _session(request) != session:
        _set_session(request, response, session)
    return response


async def atom_feed(request: web.Request) -> web.Response:
    """GET /feed.atom — the latest changes as Atom 1.0, with the list's filters.

    Links are absolute with ``public_url``; without it they are relative to the page's root
    (``/changes/6``), which feed readers resolve against the feed's own address. The request's
    Host header is never used: it is whatever the client chose to send.
    """
    db, prefix = request.app[DB], _live(request).prefix
    filters = Filters.from_query(request.query).but(before=None)
    rows = change_rows.listing(
        db,
        unreviewed=filters.unreviewed,
        watch=filters.watch,
        kind=filters.kind,
        limit=FEED_SIZE,
    )
    base = _live(request).base_url
    site = base if urlsplit(base).scheme else prefix
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
    prefix = _live(request).prefix
    message = "There is no change with this id."
    page = pages.error_page(404, "Not found", message, prefix=prefix, viewer=_viewer(request))
    return _html(page, status=404)


def _bad_request(request: web.Request, message: str) -> web.Response:
    return _refused(request, 400, message)


def _refused(request: web.Request, status: int, message: str) -> web.Response:
    prefix = _live(request).prefix
    page = pages.error_page(status, "Not saved", message, prefix=prefix, viewer=_viewer(request))
    return _html(page, status=status)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)

"""Signing in to the review page: sessions, CSRF per session, Origin checks, Telegram's widget.

Each test drives the real aiohttp app over real HTTP on 127.0.0.1 with a replayed database.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from review import auth, create_app
from settings import TelegramSettings
from storage import changes
from storage.db import open_db
from tests.review_support import (
    ANA_ENV,
    ANA_SECRET,
    build_history,
    copy_db,
    csrf_token,
    review_settings,
    sign_in,
)

BOT_TOKEN = "123456:TEST-token-for-the-login-widget"
BOT_ENV = "IRCC_WATCH_TEST_LOGIN_BOT_TOKEN"
ADMIN = 4242


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_history(tmp_path_factory.mktemp("login-history"))


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    return copy_db(template, tmp_path)


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)
    monkeypatch.setenv(BOT_ENV, BOT_TOKEN)


async def serve(db_path: Path, **settings) -> TestClient:
    telegram = TelegramSettings(token_env=BOT_ENV, admins=(ADMIN,))
    app = create_app(open_db(db_path), review=review_settings(**settings), telegram=telegram)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(db_path) -> AsyncIterator[TestClient]:
    client = await serve(db_path)
    yield client
    await client.close()


def own(client: TestClient) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def review_form(client: TestClient, change_id: int = 3) -> str:
    page = await (await client.get(f"/changes/{change_id}")).text()
    return csrf_token(page)


async def test_reading_is_private_by_default_once_sign_in_is_configured(client):
    for path in ("/", "/changes/3", "/feed.atom", "/?unreviewed=1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/login?next=")
    for path in ("/login", "/style.css", "/favicon.svg", "/healthz"):
        assert (await client.get(path)).status == 200, path
    assert (await sign_in(client)).status == 303
    assert (await client.get("/", allow_redirects=False)).status == 200


async def test_public_read_shows_the_page_but_writes_still_need_a_sign_in(db_path):
    client = await serve(db_path, public_read=True)
    try:
        page = await (await client.get("/changes/3")).text()
        assert '<a href="/login?next=/changes/3">Sign in</a> to review this change.' in page
        login_page = await (await client.get("/login")).text()
        response = await client.post(
            "/changes/3/review",
            data={"csrf_token": csrf_token(login_page)},
            headers=own(client),
        )
        assert response.status == 403
        assert "Sign in to change anything" in await response.text()
        assert changes.get(open_db(db_path), 3)["reviewed_at"] is None
    finally:
        await client.close()


async def test_a_wrong_secret_is_refused_and_never_logged(client, caplog):
    caplog.set_level(logging.INFO)
    for name, secret in (("ana", "wrong secret, long enough"), ("bo", ANA_SECRET), ("ana", "")):
        response = await sign_in(client, name, secret)
        assert response.status == 401
        assert "Wrong name or secret." in await response.text()
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert ANA_SECRET not in caplog.text and "wrong secret" not in caplog.text
    assert (await sign_in(client)).status == 303
    assert "ana signed in" in caplog.text and ANA_SECRET not in caplog.text


async def test_a_cross_origin_post_is_refused_even_with_a_valid_token(client, db_path):
    await sign_in(client)
    token = await review_form(client)
    base = str(client.make_url("")).rstrip("/")
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": base.replace("127.0.0.1", "localhost")},
        {"Referer": "http://evil.example/page"},
        {},  # neither Origin nor Referer
    ):
        response = await client.post(
            "/changes/3/review", data={"csrf_token": token, "note": "x"}, headers=headers
        )
        assert response.status == 403, headers
        assert "sent from another site" in await response.text()
    assert changes.get(open_db(db_path), 3)["reviewed_at"] is None
    response = await client.post(
        "/changes/3/review",
        data={"csrf_token": token},
        headers={"Referer": f"{base}/changes/3"},
        allow_redirects=False,
    )
    assert response.status == 303  # Referer stands in when a browser strips Origin
    assert changes.get(open_db(db_path), 3)["reviewed_by"] == "ana"


async def test_each_session_has_its_own_csrf_token_and_sign_in_changes_it(client, db_path):
    before = csrf_token(await (await client.get("/login")).text())
    await sign_in(client)
    mine = await review_form(client)
    assert mine != before
    other = await serve(db_path)
    try:
        await sign_in(other)
        theirs = await review_form(other)
        assert theirs != mine
        response = await other.post(
            "/changes/3/review", data={"csrf_token": mine}, headers=own(other)
        )
        assert response.status == 403  # a token is good only with its own session
    finally:
        await other.close()
    assert changes.get(open_db(db_path), 3)["reviewed_at"] is None


async def test_the_session_cookie_is_httponly_lax_and_expires(client):
    response = await sign_in(client)
    cookie = response.cookies[auth.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == str(auth.SESSION_MAX_AGE)
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on loopback


async def test_the_cookie_is_secure_when_public_url_is_https(db_path):
    client = await serve(db_path, public_url="https://review.example.org")
    try:
        response = await client.get("/login")
        assert response.cookies[auth.COOKIE]["secure"] is True
    finally:
        await client.close()


async def test_a_tampered_or_expired_cookie_is_no_session(client, db_path, monkeypatch):
    signed = (await sign_in(client)).cookies[auth.COOKIE].value
    payload, _, rest = signed.partition(".")
    forged_user = "eyJzaWQiOiJ4IiwidSI6ImV2ZSIsInYiOiJzZWNyZXQifQ"  # {"sid":"x","u":"eve",...}
    for value in (forged_user + "." + rest, signed[:-2] + "xx", "garbage", payload):
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({auth.COOKIE: value})
        response = await client.get("/", allow_redirects=False)
        assert response.status == 303, value
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({auth.COOKIE: signed})
    assert (await client.get("/", allow_redirects=False)).status == 200
    later = time.time() + auth.SESSION_MAX_AGE + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_sign_out_ends_the_session_even_for_a_copy_of_its_cookie(client):
    signed = (await sign_in(client)).cookies[auth.COOKIE].value
    page = await (await client.get("/")).text()
    assert "Signed in as <strong>ana</strong>" in page
    response = await client.post(
        "/logout", data={"csrf_token": csrf_token(page)}, headers=own(client), allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/login?signed_out=1"
    assert (await client.get("/", allow_redirects=False)).status == 303
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({auth.COOKIE: signed})
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_sign_in_redirects_only_to_paths_of_this_page(client):
    for target, expected in (
        ("/changes/3", "/changes/3"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ):
        page = await (await client.get("/login")).text()
        response = await client.post(
            "/login",
            data={
                "csrf_token": csrf_token(page),
                "name": "ana",
                "secret": ANA_SECRET,
                "next": target,
            },
            headers=own(client),
            allow_redirects=False,
        )
        assert response.headers["Location"] == expected, target


def widget_data(user_id: int, auth_date: int, token: str = BOT_TOKEN) -> dict[str, str]:
    fields = {
        "id": str(user_id),
        "first_name": "Ana",
        "username": "ana_ircc",
        "auth_date": str(auth_date),
    }
    return {**fields, "hash": auth.telegram_hash(fields, token)}


def test_the_login_widget_check_is_telegrams_algorithm():
    """Telegram's documented check, computed here step by step from its description."""
    import hashlib
    import hmac

    fields = {"auth_date": "1700000000", "first_name": "Ana", "id": "42", "username": "a"}
    check = "auth_date=1700000000\nfirst_name=Ana\nid=42\nusername=a"
    assert auth.telegram_data_check_string({**fields, "hash": "x"}) == check
    key = hashlib.sha256(BOT_TOKEN.encode()).digest()
    expected = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    assert auth.telegram_hash(fields, BOT_TOKEN) == expected
    signed = {**fields, "hash": expected}
    assert auth.verify_telegram_login(signed, BOT_TOKEN, now=1700000100) == 42
    assert auth.verify_telegram_login(signed, BOT_TOKEN, now=1700000000 + 86401) is None
    assert auth.verify_telegram_login(signed, "123456:another-token", now=1700000100) is None
    assert auth.verify_telegram_login({**signed, "id": "43"}, BOT_TOKEN, now=1700000100) is None


async def test_telegram_sign_in_for_admins_only_with_a_fresh_genuine_signature(db_path):
    client = await serve(
        db_path, telegram_login="ircc_watch_bot", public_url="http://review.example"
    )
    try:
        page = await client.get("/login")
        html = await page.text()
        assert 'data-telegram-login="ircc_watch_bot"' in html
        assert 'data-auth-url="http://review.example/login/telegram"' in html
        assert "script-src https://telegram.org" in page.headers["Content-Security-Policy"]
        assert "script-src" not in (await client.get("/healthz")).headers["Content-Security-Policy"]
        now = int(time.time())
        for data, status in (
            ({**widget_data(ADMIN, now), "hash": "0" * 64}, 401),
            (widget_data(ADMIN, now, token="999:other-bot"), 401),
            (widget_data(ADMIN, now - 2 * 86400), 401),
            (widget_data(777, now), 403),
        ):
            response = await client.get("/login/telegram", params=data, allow_redirects=False)
            assert response.status == status, data
            assert (await client.get("/", allow_redirects=False)).status == 303
        response = await client.get(
            "/login/telegram", params=widget_data(ADMIN, now), allow_redirects=False
        )
        assert response.status == 303
        page = await (await client.get("/changes/3")).text()
        assert "Reviewing as <strong>@ana_ircc (telegram 4242)</strong>." in page
        assert BOT_TOKEN not in page
    finally:
        await client.close()


async def test_the_feed_never_takes_its_links_from_the_host_header(db_path):
    client = await serve(db_path, public_read=True)
    try:
        body = await (await client.get("/feed.atom", headers={"Host": "localhost:9"})).text()
        assert "localhost" not in body
        assert re.search(r'<link rel="alternate" type="text/html" href="/changes/6"', body)
    finally:
        await client.close()
    client = await serve(db_path, public_read=True, public_url="https://review.example.org")
    try:
        body = await (await client.get("/feed.atom", headers={"Host": "localhost"})).text()
        assert "localhost" not in body
        assert 'href="https://review.example.org/changes/6"' in body
        assert 'href="https://review.example.org/feed.atom"' in body
    finally:
        await client.close()


async def test_guessing_is_slowed_after_five_wrong_secrets_for_a_name(client):
    for _ in range(5):
        assert (await sign_in(client, "ana", "a wrong guess of some length")).status == 401
    refused = await sign_in(client)  # even the right secret waits now
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many wrong secrets for this name" in await refused.text()
    assert (await client.get("/", allow_redirects=False)).status == 303


def test_the_throttle_lets_a_name_try_again_once_the_window_has_passed():
    throttle = auth.Throttle(limit=5, window=60)
    for second in range(5):
        throttle.failed("ana", now=1000 + second)
    assert throttle.wait("ana", now=1010) == 50
    assert throttle.wait("bo", now=1010) == 0
    assert throttle.wait("ana", now=1060.5) == 0  # the first failure is a minute old
    throttle.succeeded("ana")
    assert throttle.wait("ana", now=1010) == 0

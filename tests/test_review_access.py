"""Access to the review page can be taken back (issue 16): host names, per-address lockout,
one-use Login Widget links, sign-outs that survive a restart, and credential-free logs.

Each test serves the real aiohttp app on 127.0.0.1 and talks to it over real HTTP; "another
address" is a real one: the client binds 127.0.0.2, another loopback address.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest
from yarl import URL

from review import auth, create_app, start_review, stop_review
from settings import Reviewer, ReviewSettings, TelegramSettings
from storage.db import open_db
from tests.conftest import REAL, unpack
from tests.fakes.telegram_api import FakeTelegram
from tests.review_support import ANA_ENV, ANA_SECRET, build_history, copy_db, csrf_token
from tests.test_service import ADMIN as TG_ADMIN
from tests.test_service import MAINTAINER as TG_MAINTAINER
from tests.test_service import TOKEN, free_port, service_config, start, stop, wait_until

BOT_TOKEN = "123456:TEST-token-for-the-login-widget"
BOT_ENV = "IRCC_WATCH_TEST_ACCESS_BOT_TOKEN"
SESSION_ENV = "IRCC_WATCH_TEST_ACCESS_SESSION"
ADMIN = 4242


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_history(tmp_path_factory.mktemp("access-history"))


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    return copy_db(template, tmp_path)


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)
    monkeypatch.setenv(BOT_ENV, BOT_TOKEN)
    monkeypatch.setenv(SESSION_ENV, "a long random session signing key for the tests")


class Page:
    """The review page served on 127.0.0.1 (a free port), as the service serves it."""

    def __init__(self, db_path: Path, **review) -> None:
        settings = {
            "reviewers": (Reviewer("ana", ANA_ENV),),
            "session_secret_env": SESSION_ENV,
            **review,
        }
        telegram = TelegramSettings(token_env=BOT_ENV, admins=(ADMIN,))
        self.app = create_app(
            open_db(db_path), review=ReviewSettings(**settings), telegram=telegram
        )
        self.runner = None
        self.url = ""

    async def __aenter__(self) -> Page:
        self.runner = await start_review(self.app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        await stop_review(self.runner)


class Browser:
    """One visitor: its own cookies, connecting from ``source`` (a loopback address)."""

    def __init__(self, page: Page, source: str = "127.0.0.1") -> None:
        self.page = page
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(local_addr=(source, 0)),
        )

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()

    async def get(self, path: str, **kwargs) -> aiohttp.ClientResponse:
        response = await self.http.get(self.page.url + path, allow_redirects=False, **kwargs)
        await response.read()
        return response

    async def post(self, path: str, data: dict, **kwargs) -> aiohttp.ClientResponse:
        response = await self.http.post(
            self.page.url + path,
            data=data,
            headers={"Origin": self.page.url, **kwargs.pop("headers", {})},
            allow_redirects=False,
            **kwargs,
        )
        await response.read()
        return response

    async def sign_in(self, name: str = "ana", secret: str = ANA_SECRET) -> int:
        page = await (await self.get("/login")).text()
        form = {"csrf_token": csrf_token(page), "name": name, "secret": secret}
        return (await self.post("/login", form)).status

    async def reads(self) -> bool:
        """Whether the list of changes is shown (not a redirect to the sign-in page)."""
        return (await self.get("/")).status == 200

    def cookie(self) -> str:
        return self.http.cookie_jar.filter_cookies(URL(self.page.url))[auth.COOKIE].value


def widget_link(user_id: int = ADMIN, age: int = 0) -> dict[str, str]:
    """What Telegram's widget sends back after a sign-in ``age`` seconds ago."""
    fields = {
        "id": str(user_id),
        "first_name": "Ana",
        "username": "ana_ircc",
        "auth_date": str(int(time.time()) - age),
    }
    return {**fields, "hash": auth.telegram_hash(fields, BOT_TOKEN)}


@pytest.fixture
async def page(db_path) -> AsyncIterator[Page]:
    async with Page(db_path) as served:
        yield served


async def test_the_page_answers_only_its_own_host_names(db_path):
    """DNS rebinding: a hostile name resolved to 127.0.0.1 gets 421, whatever the path."""
    review = {"public_read": True, "public_url": "https://review.example.org/ircc"}
    async with Page(db_path, **review) as page, Browser(page) as browser:
        port = page.url.rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "", "a:b"):
            for path in ("/", "/feed.atom", "/changes/3", "/login", "/healthz"):
                response = await browser.get(path, headers={"Host": host})
                assert response.status == 421, (host, path)
                assert "evil" not in await response.text()
            posted = await browser.post("/login", {"name": "ana"}, headers={"Host": host})
            assert posted.status == 421, host
        for host in (
            f"127.0.0.1:{port}",
            f"localhost:{port}",
            "LOCALHOST",
            f"[::1]:{port}",
            "review.example.org",
            "review.example.org:443",
        ):
            assert (await browser.get("/", headers={"Host": host})).status == 200, host


async def test_a_strangers_wrong_secrets_never_lock_the_maintainer_out(page):
    async with Browser(page, source="127.0.0.2") as stranger, Browser(page) as ana:
        for _ in range(5):
            assert await stranger.sign_in("ana", "a wrong guess of some length") == 401
        assert await stranger.sign_in() == 429  # that address waits, even with the right one
        assert await ana.sign_in() == 303  # the maintainer, from her own address, does not
        assert await ana.reads()
        assert not await stranger.reads()


async def test_a_signed_out_session_stays_signed_out_after_a_restart(db_path):
    async with Page(db_path) as first, Browser(first) as ana:
        assert await ana.sign_in() == 303
        signed = ana.cookie()
        page = await (await ana.get("/")).text()
        assert (await ana.post("/logout", {"csrf_token": csrf_token(page)})).status == 303
    async with Page(db_path) as second, Browser(second) as thief:
        thief.http.cookie_jar.update_cookies({auth.COOKIE: signed})
        assert not await thief.reads()
    async with Page(db_path) as third, Browser(third) as ana:
        assert await ana.sign_in() == 303  # a new session signs in as before, and lasts
        fresh = ana.cookie()
    async with Page(db_path) as fourth, Browser(fourth) as again:
        again.http.cookie_jar.update_cookies({auth.COOKIE: fresh})
        assert await again.reads()


async def test_a_login_widget_link_signs_in_once_even_across_a_restart(db_path):
    review = {"telegram_login": "ircc_watch_bot", "public_url": "http://127.0.0.1"}
    link = widget_link()
    async with Page(db_path, **review) as page, Browser(page) as first:
        assert (await first.get("/login/telegram", params=link)).status == 303
        assert await first.reads()
        async with Browser(page) as copy:
            response = await copy.get("/login/telegram", params=link)
            assert response.status == 401
            assert "This Telegram sign-in was used already" in await response.text()
            assert not await copy.reads()
    async with Page(db_path, **review) as page, Browser(page) as later:
        assert (await later.get("/login/telegram", params=link)).status == 401
        assert (await later.get("/login/telegram", params=widget_link(age=5))).status == 303


async def test_no_credential_reaches_any_log_line_at_any_level(db_path, caplog):
    caplog.set_level(logging.DEBUG)
    link = widget_link()
    async with Page(db_path, telegram_login="ircc_watch_bot") as page, Browser(page) as browser:
        assert (await browser.get("/login/telegram", params=link)).status == 303
        # A secret typed in the name box (and the secret box) is a credential too.
        assert await browser.sign_in(ANA_SECRET, ANA_SECRET) == 401
        assert await browser.sign_in("ana", "not the secret but long") == 401
        cookie = browser.cookie()
    text = caplog.text
    assert "/login/telegram?" in text and "hash=[redacted]" in text  # the line is there
    assert "failed sign-in as an unknown name" in text
    assert "failed sign-in as ana" in text
    for credential in (link["hash"], ANA_SECRET, "not the secret but long", cookie, BOT_TOKEN):
        assert credential not in text


BO_ENV = "IRCC_WATCH_TEST_ACCESS_BO"
BO_SECRET = "bo's own long secret, 2026"


def sync_sign_in(http: httpx.Client, name: str, secret: str) -> int:
    page = http.get("/login").text
    form = {"csrf_token": csrf_token(page), "name": name, "secret": secret}
    return http.post("/login", data=form, headers={"Origin": str(http.base_url)}).status_code


def test_a_maintainer_removed_from_the_config_and_reloaded_is_signed_out(
    tmp_path, site, monkeypatch
):
    """`run`, then SIGHUP with bo out of [review] reviewers and the Telegram maintainer out of
    [telegram] maintainers: their sessions stop reading at once, and they cannot sign in."""
    monkeypatch.setenv(BO_ENV, BO_SECRET)
    feed = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "s1")
    site.set("/ee.json", feed[0].read_bytes(), content_type="application/json")
    with FakeTelegram(TOKEN) as telegram:
        _remove_and_reload(tmp_path, site, telegram)


def _remove_and_reload(tmp_path: Path, site, telegram: FakeTelegram) -> None:
    config = service_config(tmp_path, site, telegram, interval="1h")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    review = f"""
[review]
host = "127.0.0.1"
port = {port}
public_url = "{url}"
session_secret_env = "{SESSION_ENV}"
telegram_login = "ircc_watch_bot"
reviewers = [
  {{ name = "ana", secret_env = "{ANA_ENV}" }},
  {{ name = "bo", secret_env = "{BO_ENV}" }},
]
"""
    config.write_text(config.read_text() + review)
    log = tmp_path / "run.log"
    process = start(config, log)
    clients = {who: httpx.Client(base_url=url, timeout=10) for who in ("ana", "bo", "tg", "admin")}
    try:
        assert wait_until(lambda: "review page on" in log.read_text())

        def telegram_link(user_id: int, age: int = 0) -> dict[str, str]:
            fields = {"id": str(user_id), "auth_date": str(int(time.time()) - age)}
            return {**fields, "hash": auth.telegram_hash(fields, TOKEN)}

        assert sync_sign_in(clients["ana"], "ana", ANA_SECRET) == 303
        assert sync_sign_in(clients["bo"], "bo", BO_SECRET) == 303
        assert clients["tg"].get("/login/telegram", params=telegram_link(TG_MAINTAINER)).is_redirect
        assert clients["admin"].get("/login/telegram", params=telegram_link(TG_ADMIN)).is_redirect
        assert all(c.get("/").status_code == 200 for c in clients.values())

        text = config.read_text()
        text = text.replace(f'  {{ name = "bo", secret_env = "{BO_ENV}" }},\n', "")
        text = text.replace(f"maintainers = [{TG_MAINTAINER}]", "maintainers = []")
        config.write_text(text)
        process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "config reloaded" in log.read_text())

        assert clients["ana"].get("/").status_code == 200
        assert clients["admin"].get("/").status_code == 200
        assert clients["bo"].get("/").status_code == 303
        assert clients["tg"].get("/").status_code == 303
        assert sync_sign_in(clients["bo"], "bo", BO_SECRET) == 401
        again = clients["tg"].get("/login/telegram", params=telegram_link(TG_MAINTAINER, age=3))
        assert again.status_code == 403
    finally:
        for client in clients.values():
            client.close()
        assert stop(process) == 0
    text = log.read_text()
    assert "bo is signed out (no longer allowed by the config)" in text
    assert "Traceback" not in text and BO_SECRET not in text and ANA_SECRET not in text

"""Release / Discard on the review page, behind its sign-in and CSRF guard (issue 10, item 7).

The database holds a real bulk: 98 real draws of one check (tests/test_bulk_hold.py's outage)
and the pool distribution they carry, replayed by the real command into a database with one
subscriber.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from review import create_app
from settings import load_config
from storage.db import open_db
from tests.conftest import run_cli
from tests.review_support import ANA_ENV, ANA_SECRET, csrf_token, review_settings, sign_in
from tests.test_bulk_hold import outage

ALERT = 100  # the bulk_held change; 1..99 are the held draws and the pool_changed


@pytest.fixture(autouse=True)
def ana_secret(monkeypatch):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)


@pytest.fixture
def held(tmp_path):
    config, folder = outage(tmp_path)
    result = run_cli("--config", str(config), "replay", str(folder))
    assert result.returncode == 0, result.stderr
    return load_config(config)


@pytest.fixture
async def client(held) -> AsyncIterator[TestClient]:
    db = open_db(held.settings.database)
    app = create_app(db, review=review_settings(), config=held)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    db.conn.close()


def subscriber_deliveries(config) -> int:
    with sqlite3.connect(config.settings.database) as conn:
        query = "SELECT COUNT(*) FROM deliveries WHERE role = 'subscriber'"
        return conn.execute(query).fetchone()[0]


async def post(client: TestClient, path: str, page: str, **extra: str):
    origin = str(client.make_url("")).rstrip("/")
    data = {"csrf_token": csrf_token(page), **extra}
    return await client.post(path, data=data, headers={"Origin": origin}, allow_redirects=False)


async def test_a_signed_in_maintainer_releases_a_hold_from_the_page(client, held):
    assert (await sign_in(client)).status == 303
    page = await (await client.get(f"/changes/{ALERT}")).text()
    assert "Held for review (hold 1)" in page
    assert "99 changes of one check of ee-rounds are held" in page
    assert 'action="/holds/1/release"' in page and 'action="/holds/1/discard"' in page
    draw = await (await client.get("/changes/5")).text()
    assert 'action="/holds/1/release"' in draw

    forged = await client.post(
        "/holds/1/release",
        data={"csrf_token": "forged", "change": str(ALERT)},
        headers={"Origin": str(client.make_url("")).rstrip("/")},
        allow_redirects=False,
    )
    assert forged.status == 403 and subscriber_deliveries(held) == 0

    response = await post(client, "/holds/1/release", page, change=str(ALERT))
    assert response.status == 303 and response.headers["Location"] == f"/changes/{ALERT}"
    assert subscriber_deliveries(held) == 98  # the pool change: maintainers only
    after = await (await client.get(f"/changes/{ALERT}")).text()
    assert "<strong>Released</strong> by ana" in after and "/holds/1/release" not in after

    again = await post(client, "/holds/1/discard", after, change=str(ALERT))
    assert again.status == 400 and "already released" in await again.text()


async def test_discard_from_the_page_never_sends(client, held):
    assert (await sign_in(client)).status == 303
    page = await (await client.get(f"/changes/{ALERT}")).text()
    response = await post(client, "/holds/1/discard", page, change=str(ALERT))
    assert response.status == 303
    assert subscriber_deliveries(held) == 0
    assert "<strong>Discarded</strong> by ana" in await (await client.get("/changes/1")).text()


async def test_no_forms_and_no_release_without_signing_in(held):
    db = open_db(held.settings.database)
    app = create_app(db, review=review_settings(public_read=True), config=held)
    async with TestClient(TestServer(app)) as anonymous:
        page = await (await anonymous.get(f"/changes/{ALERT}")).text()
        assert "Held for review (hold 1)" in page and "/holds/1/release" not in page
        assert "ircc-watch release 1" in page
        login = await (await anonymous.get("/login")).text()
        response = await post(anonymous, "/holds/1/release", login, change=str(ALERT))
        assert response.status == 403
    assert subscriber_deliveries(held) == 0
    db.conn.close()

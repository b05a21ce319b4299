"""The review page over a real replayed database: list, filters, one change, review, headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

import review.app
from review import create_app, start_review, stop_review
from storage import changes, reviews
from storage.db import open_db
from tests.review_support import (
    ANA_ENV,
    ANA_SECRET,
    HOSTILE,
    add_hostile_change,
    assert_inert,
    build_history,
    copy_db,
    parse_html,
    review_settings,
    sign_in,
)

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_history(tmp_path_factory.mktemp("review-history"))


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    return copy_db(template, tmp_path)


@pytest.fixture(autouse=True)
def ana_secret(monkeypatch):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)


@pytest.fixture
async def client(db_path) -> AsyncIterator[TestClient]:
    """A browser signed in as the maintainer "ana"."""
    db = open_db(db_path)
    async with TestClient(TestServer(create_app(db, review=review_settings()))) as test_client:
        assert (await sign_in(test_client)).status == 303
        yield test_client
    db.conn.close()


def origin(client: TestClient) -> dict[str, str]:
    return {"Origin": str(client.make_url("")).rstrip("/")}


def row_ids(page: str) -> list[int]:
    """The change ids listed in the changes table, in page order."""
    return [int(i) for i in re.findall(r'<tr><td class="num"><a href="/changes/(\d+)">', page)]


async def get_text(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, path
    return await response.text()


async def test_the_list_shows_every_change_newest_first(client, db_path):
    page = await get_text(client, "/")
    assert row_ids(page) == [6, 5, 4, 3, 2, 1]
    assert "Express Entry draw #343: Provincial Nominee Program" in page
    assert page.count('<span class="badge todo">Not reviewed</span>') == 6
    assert '<time datetime="2025-04-29T02:37:00Z">2025-04-29 02:37 UTC</time>' in page
    assert 'href="/feed.atom"' in page
    options = re.findall(r'<option value="([^"]*)"', page)
    dtf_kinds = sorted({row["kind"] for row in changes.listing(open_db(db_path), watch="dtf")})
    assert options == ["", "dtf", "ee-rounds", "", *sorted(["new_draw", *dtf_kinds])]
    assert await get_text(client, "/healthz") == "ok"


async def test_the_list_filters_by_watch_kind_and_review_state(client, db_path):
    assert row_ids(await get_text(client, "/?watch=ee-rounds")) == [6, 5, 4, 3]
    assert row_ids(await get_text(client, "/?watch=dtf")) == [2, 1]
    assert row_ids(await get_text(client, "/?kind=new_draw")) == [6, 5, 4, 3]
    assert row_ids(await get_text(client, "/?kind=new_draw&watch=dtf")) == []
    assert row_ids(await get_text(client, "/?watch=nope")) == []
    db = open_db(db_path)
    changes.mark_reviewed(db, 5, "ana")
    assert row_ids(await get_text(client, "/?unreviewed=1")) == [6, 4, 3, 2, 1]
    page = await get_text(client, "/?unreviewed=1&watch=ee-rounds")
    assert row_ids(page) == [6, 4, 3]
    assert "Unreviewed changes from watch ee-rounds, newest first" in page
    assert '<input type="checkbox" name="unreviewed" value="1" checked>' in page
    assert '<option value="ee-rounds" selected>' in page
    assert 'href="/feed.atom?unreviewed=1&amp;watch=ee-rounds"' in page
    assert row_ids(await get_text(client, "/?unreviewed=abc")) == [6, 5, 4, 3, 2, 1]
    assert row_ids(await get_text(client, "/?before=%C2%B2")) == [6, 5, 4, 3, 2, 1]
    page = await get_text(client, "/?unreviewed=1&kind=news")
    assert "No changes: unreviewed changes of kind news." in page
    assert '<option value="news" selected>news</option>' in page
    with pytest.raises(ValueError):
        changes.distinct_values(db, "title")


async def test_paging_follows_the_older_link(client, monkeypatch):
    monkeypatch.setattr(review.app, "PAGE_SIZE", 4)
    first = await get_text(client, "/")
    assert row_ids(first) == [6, 5, 4, 3]
    older = re.search(r'<a href="(/\?[^"]+)">Older changes</a>', first).group(1)
    assert older == "/?before=3"
    second = await get_text(client, older)
    assert row_ids(second) == [2, 1]
    assert "Older changes" not in second and 'href="/">Newest changes</a>' in second


async def test_a_change_shows_its_facts_and_a_side_by_side_diff(client):
    page = await get_text(client, "/changes/1")
    assert '<dt>Watch</dt><dd><a href="/?watch=dtf">dtf</a></dd>' in page
    assert (
        '<a href="https://www.canada.ca/en/government/data-reference-standard-date-time-format'
        '.html" rel="noopener noreferrer">'
    ) in page
    assert '<table class="diff">' in page
    assert "Before: snapshot #1, 2024-12-19 11:44 UTC" in page
    assert "After: snapshot #2, 2025-02-01 12:00 UTC" in page
    old_cell = re.search(r'<td class="del">([^\n]*?)</td>', page).group(1)
    new_cell = re.search(r'<td class="ins">([^\n]*?)</td>', page).group(1)
    tail = " interpretation of any aspect of this reference standard, contact"
    assert old_cell.startswith(f"- 6.1 For{tail}")
    assert new_cell.startswith(f"- 6.1 For<ins> questions about the</ins>{tail}")
    assert "unchanged lines not shown" in page
    assert '<a href="/changes/1?context=all#diff">Show the whole text</a>' in page
    full = await get_text(client, "/changes/1?context=all")
    assert "unchanged lines not shown" not in full and "## 1. Preamble" in full
    assert "<summary>Unified diff, as stored</summary>" in page
    assert "Not reviewed yet." in page
    assert '<button type="submit">Mark reviewed</button>' in page
    assert '<a href="/changes/6">Newest unreviewed change (#6)</a>' in page


async def test_a_new_draw_shows_its_data_and_the_added_feed_line(client):
    page = await get_text(client, "/changes/3")
    assert "<h1>Express Entry draw #340: Provincial Nominee Program</h1>" in page
    assert '<th scope="row">crs</th><td>736</td>' in page
    assert '<th scope="row">name</th><td>Provincial Nominee Program</td>' in page
    added = re.findall(r'<td class="ins"><ins>([^<]*)</ins></td>', page)
    assert added == ["#340 2025-03-17 Provincial Nominee Program: size 536, CRS 736"]
    assert_inert(page)


async def test_mark_reviewed_saves_who_when_and_note_then_redirects_back(client, db_path):
    page = await get_text(client, "/changes/4")
    assert "Reviewing as <strong>ana</strong>." in page and 'name="by"' not in page
    token = TOKEN_RE.search(page).group(1)
    response = await client.post(
        "/changes/4/review",
        data={"csrf_token": token, "by": "eve", "note": "Checked\r\nagainst IRCC"},
        headers=origin(client),
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/changes/4?reviewed=1#reviewed"
    row = changes.get(open_db(db_path), 4)
    assert row["reviewed_by"] == "ana" and row["review_note"] == "Checked\nagainst IRCC"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["reviewed_at"])

    after = await get_text(client, "/changes/4")
    assert "<strong>Reviewed</strong> by ana on" in after
    assert "<blockquote>Checked\nagainst IRCC</blockquote>" in after
    assert '<button type="submit">Add a review</button>' in after
    listing = await get_text(client, "/")
    assert '<span class="badge done">Reviewed</span> <span class="hint">by ana' in listing
    assert 4 not in row_ids(await get_text(client, "/?unreviewed=1"))


async def test_a_second_review_on_the_page_keeps_the_first(client, db_path):
    for note in ("first look", "checked with IRCC"):
        token = TOKEN_RE.search(await get_text(client, "/changes/4")).group(1)
        response = await client.post(
            "/changes/4/review",
            data={"csrf_token": token, "note": note},
            headers=origin(client),
            allow_redirects=False,
        )
        assert response.status == 303
    history = reviews.history(open_db(db_path), 4)
    assert [(r["reviewed_by"], r["note"]) for r in history] == [
        ("ana", "first look"),
        ("ana", "checked with IRCC"),
    ]
    page = await get_text(client, "/changes/4")
    assert "Review history (2)" in page
    assert page.index("first look") < page.index("checked with IRCC", page.index("Review history"))


async def test_review_refuses_a_missing_or_foreign_token(client, db_path):
    other = create_app(open_db(db_path), review=review_settings())
    foreign = other[review.app.SESSIONS].csrf_token(review.auth.Session.new("ana"))
    for data in ({"note": "x"}, {"csrf_token": "", "note": "x"}, {"csrf_token": foreign}):
        response = await client.post(
            "/changes/3/review", data=data, headers=origin(client), allow_redirects=False
        )
        assert response.status == 403
        assert "This form has expired" in await response.text()
    assert changes.get(open_db(db_path), 3)["reviewed_at"] is None


async def test_review_refuses_a_too_long_note(client, db_path):
    token = TOKEN_RE.search(await get_text(client, "/changes/3")).group(1)
    response = await client.post(
        "/changes/3/review",
        data={"csrf_token": token, "note": "x" * 2001},
        headers=origin(client),
        allow_redirects=False,
    )
    assert response.status == 400
    assert changes.get(open_db(db_path), 3)["reviewed_at"] is None


async def test_unknown_changes_are_404(client):
    token = TOKEN_RE.search(await get_text(client, "/changes/3")).group(1)
    assert "There is no change with this id." in await get_text(client, "/changes/999", 404)
    await get_text(client, "/changes/99999999999999999999", 404)
    await get_text(client, "/changes/abc", 404)
    response = await client.post(
        "/changes/999/review", data={"csrf_token": token}, headers=origin(client)
    )
    assert response.status == 404


async def test_hostile_text_is_escaped_everywhere(client, db_path):
    hostile_id = add_hostile_change(db_path)
    token = TOKEN_RE.search(await get_text(client, f"/changes/{hostile_id}")).group(1)
    response = await client.post(
        f"/changes/{hostile_id}/review",
        data={"csrf_token": token, "note": HOSTILE},
        headers=origin(client),
        allow_redirects=False,
    )
    assert response.status == 303
    reviews.add(open_db(db_path), hostile_id, HOSTILE[:100], HOSTILE)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;double&quot; &#x27;single&#x27;"
    for path in ("/", f"/changes/{hostile_id}", "/changes/2", "/?watch=%3Cscript%3E"):
        page = await get_text(client, path)
        assert "<script" not in page and "<img" not in page
        assert_inert(page)
    page = await get_text(client, f"/changes/{hostile_id}")
    assert f"<h1>Title {escaped}" in page
    assert f'<p class="summary">Summary {escaped}' in page
    assert f"<blockquote>{escaped}" in page
    assert f"Reviewed by {escaped[:60]}" in page
    assert "javascript:alert(3)" in page
    text = "".join(parse_html(page).text)
    assert f"Title {HOSTILE}" in text and f"Summary {HOSTILE}\nsecond line" in text
    diff_rows = re.findall(r'<td class="ins">(.*?)</td>', await get_text(client, "/changes/2"))
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in cell for cell in diff_rows)


async def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/changes/1", "/changes/999", "/feed.atom", "/style.css"):
        response = await client.get(path)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    css = await client.get("/style.css")
    assert css.content_type == "text/css" and "table.diff" in await css.text()


async def test_base_url_prefixes_links_and_the_redirect(db_path):
    """Behind a reverse proxy at http://lan.example/ircc-watch/ (which strips the prefix)."""
    db = open_db(db_path)
    app = create_app(db, base_url="http://lan.example/ircc-watch/", review=review_settings())
    proxy = {"Origin": "http://lan.example"}
    async with TestClient(TestServer(app)) as prefixed:
        assert (await prefixed.get("/changes/3", allow_redirects=False)).headers[
            "Location"
        ] == "/ircc-watch/login?next=%2Fircc-watch%2Fchanges%2F3"
        login = await prefixed.get("/login")
        assert login.cookies[review.auth.COOKIE]["path"] == "/ircc-watch/"
        cookie = {"Cookie": f"{review.auth.COOKIE}={login.cookies[review.auth.COOKIE].value}"}
        signed = await prefixed.post(
            "/login",
            data={
                "csrf_token": TOKEN_RE.search(await login.text()).group(1),
                "name": "ana",
                "secret": ANA_SECRET,
                "next": "/ircc-watch/changes/3",
            },
            headers={**proxy, **cookie},
            allow_redirects=False,
        )
        assert signed.status == 303 and signed.headers["Location"] == "/ircc-watch/changes/3"
        cookie = {"Cookie": f"{review.auth.COOKIE}={signed.cookies[review.auth.COOKIE].value}"}
        page = await (await prefixed.get("/changes/3", headers=cookie)).text()
        assert 'href="/ircc-watch/style.css"' in page and 'href="/ircc-watch/">' in page
        assert 'action="/ircc-watch/changes/3/review"' in page
        token = TOKEN_RE.search(page).group(1)
        own_origin = {"Origin": str(prefixed.make_url("")).rstrip("/")}
        refused = await prefixed.post(
            "/changes/3/review", data={"csrf_token": token}, headers={**own_origin, **cookie}
        )
        assert refused.status == 403  # behind the proxy, only public_url's origin counts
        response = await prefixed.post(
            "/changes/3/review",
            data={"csrf_token": token},
            headers={**proxy, **cookie},
            allow_redirects=False,
        )
        assert response.headers["Location"] == "/ircc-watch/changes/3?reviewed=1#reviewed"
        atom = await (await prefixed.get("/feed.atom", headers=cookie)).text()
        assert 'href="http://lan.example/ircc-watch/changes/6"' in atom
    with pytest.raises(ValueError):
        create_app(db, base_url='http://x/"><script>')


async def test_start_review_serves_on_a_real_port_until_stopped(db_path):
    db = open_db(db_path)
    runner = await start_review(create_app(db), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://{host}:{port}/healthz") as response:
            assert await response.text() == "ok"
        await stop_review(runner)
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"http://{host}:{port}/healthz")


async def test_a_change_without_snapshots_explains_the_missing_diff(client, db_path):
    db = open_db(db_path)
    with db.atomic():
        change_id = changes.insert(
            db,
            {
                "watch": "ee-rounds",
                "kind": "watch_failing",
                "topic": "express-entry",
                "audience": "admins",
                "observed_at": "2025-05-01T00:00:00Z",
                "title": "ee-rounds is failing",
                "summary": "HTTP 503 three times since 2025-04-30 23:00.",
                "data": {"reason": "HTTP 503", "failures": 3},
                "url": None,
                "lang": "en",
            },
        )
    page = await get_text(client, f"/changes/{change_id}")
    assert "No side-by-side diff: this change has no pair of snapshots" in page
    assert "<dt>Official page</dt><dd>—</dd>" in page
    assert '<th scope="row">failures</th><td>3</td>' in page
    assert "Unified diff" not in page

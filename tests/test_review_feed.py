"""The Atom feed of changes: valid Atom 1.0 over a real replayed database, filters, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from review import create_app
from review.feed import atom
from storage import changes
from storage.db import open_db
from tests.review_support import HOSTILE, add_hostile_change, build_history, copy_db

A = "{http://www.w3.org/2005/Atom}"
PUBLIC_URL = "https://review.example.org"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
TAG_URI = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d\d(-\d\d)?)?:\S+")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_history(tmp_path_factory.mktemp("feed-history"))


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    return copy_db(template, tmp_path)


@pytest.fixture
async def client(db_path) -> AsyncIterator[TestClient]:
    db = open_db(db_path)
    app = create_app(db, base_url=PUBLIC_URL)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    db.conn.close()


async def fetch_feed(client: TestClient, query: str = "") -> ET.Element:
    response = await client.get(f"/feed.atom{query}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(await response.read())
    assert_valid_atom(root)
    return root


def assert_valid_atom(feed: ET.Element) -> None:
    """The RFC 4287 requirements a feed reader relies on."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert RFC3339.fullmatch(feed.findtext(f"{A}updated"))
    assert TAG_URI.fullmatch(feed.findtext(f"{A}id"))
    assert feed.find(f"{A}author/{A}name").text
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith("http")
    ids = []
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert RFC3339.fullmatch(entry.findtext(f"{A}updated"))
        assert TAG_URI.fullmatch(entry.findtext(f"{A}id"))
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids))


def entry_links(feed: ET.Element) -> list[str]:
    return [e.find(f"{A}link[@rel='alternate']").get("href") for e in feed.findall(f"{A}entry")]


async def test_the_feed_lists_the_latest_changes_as_valid_atom(client):
    feed = await fetch_feed(client)
    base = PUBLIC_URL
    assert entry_links(feed) == [f"{base}/changes/{i}" for i in (6, 5, 4, 3, 2, 1)]
    assert feed.findtext(f"{A}updated") == "2025-04-29T02:37:00Z"
    newest = feed.find(f"{A}entry")
    assert newest.findtext(f"{A}id") == "tag:ircc-watch,2025-04-29:change/6"
    assert newest.findtext(f"{A}title") == "Express Entry draw #343: Provincial Nominee Program"
    assert newest.findtext(f"{A}summary") == "421 invitations, minimum CRS 727 (April 28, 2025)."
    assert newest.find(f"{A}category").get("term") == "new_draw"
    assert newest.find(f"{A}link[@rel='related']").get("href").startswith("https://www.canada.ca/")


async def test_the_unreviewed_feed_drops_reviewed_changes_and_has_its_own_id(client, db_path):
    changes.mark_reviewed(open_db(db_path), 6, "ana")
    everything = await fetch_feed(client)
    unreviewed = await fetch_feed(client, "?unreviewed=1")
    base = PUBLIC_URL
    assert entry_links(unreviewed) == [f"{base}/changes/{i}" for i in (5, 4, 3, 2, 1)]
    assert unreviewed.findtext(f"{A}id") != everything.findtext(f"{A}id")
    assert unreviewed.find(f"{A}link[@rel='self']").get("href").endswith("/feed.atom?unreviewed=1")
    only_dtf = await fetch_feed(client, "?watch=dtf&kind=new_draw")
    assert only_dtf.findall(f"{A}entry") == []


async def test_the_feed_holds_the_latest_fifty(client, db_path):
    db = open_db(db_path)
    row = changes.get(db, 6)
    with db.atomic():
        for number in range(60):
            changes.insert(
                db,
                {key: row[key] for key in row if key not in ("id", "reviewed_at")}
                | {"title": f"copy {number}"},
            )
    feed = await fetch_feed(client)
    titles = [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]
    assert len(titles) == 50 and titles[0] == "copy 59" and titles[-1] == "copy 10"


async def test_hostile_text_survives_the_feed_exactly(client, db_path):
    hostile_id = add_hostile_change(db_path)
    response = await client.get("/feed.atom")
    raw = await response.text()
    assert "<script>" not in raw and "<img" not in raw
    entry = ET.fromstring(raw).find(f"{A}entry")
    assert entry.findtext(f"{A}id").endswith(f":change/{hostile_id}")
    assert entry.findtext(f"{A}title") == f"Title {HOSTILE}"
    assert entry.findtext(f"{A}summary") == f"Summary {HOSTILE}\nsecond line"
    assert entry.find(f"{A}link[@rel='related']") is None


def test_characters_xml_cannot_carry_are_dropped_and_an_empty_feed_is_valid():
    change = {
        "id": 1,
        "observed_at": "2025-01-01T00:00:00Z",
        "title": "bell\x07 and\x0b tab\t",
        "summary": "nul\x00",
        "url": None,
        "kind": "news",
        "watch": "w",
    }
    feed = ET.fromstring(
        atom(
            [change],
            site="http://h",
            self_url="http://h/feed.atom",
            list_url="http://h/",
            now="2025-02-02T00:00:00Z",
        )
    )
    assert_valid_atom(feed)
    assert feed.find(f"{A}entry").findtext(f"{A}title") == "bell and tab\t"
    empty = ET.fromstring(
        atom(
            [],
            site="http://h",
            self_url="http://h/feed.atom",
            list_url="http://h/",
            now="2025-02-02T00:00:00Z",
        )
    )
    assert_valid_atom(empty)
    assert empty.findtext(f"{A}updated") == "2025-02-02T00:00:00Z"

"""Kind ``atom`` (also ``feed``) reads Atom, RSS 2.0 and RDF feeds with feedparser.

Fixtures: tests/fixtures/feeds (a WordPress RSS 2.0 feed laid out as immigratemanitoba.com's,
and an RSS 1.0 / RDF feed; see its NOTES.md), the real open.canada.ca Atom series and the
IRCC news feed versions in tests/fixtures/semantic.
"""

from __future__ import annotations

import pytest

from diffing.document import ContentError
from diffing.extract import extract
from diffing.precheck import fingerprint
from settings import load_config
from tests.semantic_support import CONFIG, FIXTURES, Replayer

FEEDS = FIXTURES / "feeds"


@pytest.fixture
def replay(tmp_path):
    return Replayer(tmp_path / "replay.db")


def test_kind_feed_is_kind_atom():
    assert load_config(CONFIG).watch("manitoba-feed").kind == "atom"


def test_wordpress_rss_entries_are_keyed_by_guid():
    body = (FEEDS / "manitoba-feed" / "2025-06-19T2000Z_after.xml").read_bytes()
    document = extract("atom", body)
    assert document.meta == {"title": "Immigrate Manitoba", "format": "rss20"}
    assert list(document.records) == [
        "https://immigratemanitoba.com/?p=40817",
        "https://immigratemanitoba.com/?p=40702",
        "https://immigratemanitoba.com/?p=40611",
    ]
    record = document.records["https://immigratemanitoba.com/?p=40817"]
    assert record["title"] == "EOI Draw #247"
    assert record["url"] == "https://immigratemanitoba.com/notices/eoi-draw-247/"
    assert record["published"] == "2025-06-19T19:41:46Z"
    assert record["summary"].startswith("Manitoba issued 112 Letters of Advice to Apply")


def test_entries_without_an_id_are_keyed_by_link():
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>A</title><link>https://example.org/a</link></item>"
        b"<item><title>No link, no id</title></item></channel></rss>"
    )
    first, second = extract("atom", feed).records
    assert first == "example.org/a"
    assert second.startswith("content:")  # no link, no id: keyed by its title


def test_a_page_that_is_not_a_feed_is_a_content_error():
    with pytest.raises(ContentError, match="not a feed"):
        extract("atom", b"<html><body><p>Service temporarily down</p></body></html>")


def test_the_feed_build_time_is_skipped_before_parsing():
    folder = FEEDS / "manitoba-feed"
    before, rebuilt = sorted(folder.iterdir())[:2]
    assert before.read_bytes() != rebuilt.read_bytes()
    assert fingerprint("atom", before.read_bytes()) == fingerprint("atom", rebuilt.read_bytes())


def test_a_new_post_in_a_wordpress_rss_feed_is_news(replay):
    rows = replay.folder(FEEDS / "manitoba-feed")
    assert [outcome for _, outcome in replay.outcomes()] == ["baseline", "unchanged", "changed"]
    assert [(row["kind"], row["audience"], row["title"], row["summary"]) for row in rows] == [
        (
            "news",
            "subscribers",
            "Immigrate Manitoba: EOI Draw #247",
            "June 19, 2025\nhttps://immigratemanitoba.com/notices/eoi-draw-247/",
        )
    ]


def test_a_new_item_in_an_rdf_feed_is_news(replay):
    rows = replay.folder(FEEDS / "rdf-feed")
    assert [(row["kind"], row["data"]) for row in rows] == [
        (
            "news",
            {
                "title": "Intake reopens on July 2",
                "url": "https://example.gc.ca/notices/intake-reopens",
                "published": "2025-06-20T14:00:00-05:00",
                "feed": "Program notices",
            },
        )
    ]

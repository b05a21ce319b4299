"""Feeds as the standards allow them, through replay: feedparser's own corpus and a newsroom.

tests/fixtures/feedparser holds a sample of feedparser's test corpus (see its MANIFEST.md);
tests/fixtures/feeds/alberta-news an RSS 0.91 newsroom feed whose items differ only by their
query (see tests/fixtures/feeds/NOTES.md). Before: the newsroom's items were one record (six
new announcements gave one maintainers' page_change); title-less items were refused as a
schema change; items with neither guid nor link were dropped, leaving feeds with zero records
and nobody told; a complete UTF-16 or UTF-32 feed was "truncated"; and every entry without
a canada.ca address was titled "IRCC news: …".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from diffing.diff import diff_documents
from diffing.extract import extract
from diffing.extract.atom import entry_key
from ircc_watch.replay import replay_file
from tests.semantic_support import FIXTURES, Replayer
from tests.unfamiliar_support import OneWatch

CORPUS = FIXTURES / "feedparser"
ALBERTA = FIXTURES / "feeds" / "alberta-news"
ANNOUNCEMENT = "https://www.alberta.ca/announcements.cfm?xID="


@pytest.fixture
def replay(tmp_path):
    return Replayer(tmp_path / "replay.db")


def replayed(tmp_path: Path, *bodies: bytes, url: str = "https://www.alberta.ca/feed.xml"):
    """Replay ``bodies`` as the saved versions of one atom watch; (outcomes, change rows)."""
    watch = OneWatch(tmp_path, "atom", url)
    folder = tmp_path / "w"
    folder.mkdir()
    outcomes = []
    for day, body in enumerate(bodies, start=1):
        path = folder / f"2026-01-{day:02d}T1000Z.xml"
        path.write_bytes(body)
        outcomes.append(replay_file(watch.pipeline, watch.config.watches[0], path))
    rows = [row for outcome in outcomes for row in outcome.changes]
    return outcomes, rows


def with_item(body: bytes, item: bytes, before: bytes) -> bytes:
    """``body`` with ``item`` inserted before its first ``before`` tag (a newer version)."""
    at = body.index(before)
    return body[:at] + item + body[at:]


def test_newsroom_items_that_differ_by_query_are_each_told_once(replay):
    rows = replay.folder(ALBERTA)
    assert [outcome for _, outcome in replay.outcomes()] == ["baseline", "changed"]
    assert [(row["kind"], row["audience"]) for row in rows] == [("news", "subscribers")] * 6
    assert [row["title"] for row in rows] == [
        "Alberta government news: Update 5: Alberta wildfire update (June 17, 3 p.m.)",
        "Alberta government news: Orders in Council",
        "Alberta government news: A new mission: helping heroes find civilian success",
        "Alberta government news: Eliminating the bureaucratic vortex in hospitals",
        "Alberta government news: Technology transforming tailings ponds",
        "Alberta government news: G7 Leaders’ Summit: Statement from Premier Smith",
    ]
    assert rows[2]["data"]["url"] == f"{ANNOUNCEMENT}93484F8D4F239-0C19-0C50-EE5C10A1AA7DAE94"
    again = replay.folder(ALBERTA)
    assert again == []


def test_tracking_parameters_are_not_part_of_an_entry_identity():
    # A real alberta.ca link as shared on Facebook (kept in a public repository's page).
    shared = (
        "https://www.alberta.ca/release.cfm?xID=699362BD35DB4-FF33-6F8B-09C1E06D75EA207D"
        "&fbclid=IwAR3GL2THpSoKjXm2HRAW-p_lyFN8oy0Yhxlt-zv9v6dncKOP3OKUo6qVQ3I"
    )
    plain = "https://www.alberta.ca/release.cfm?xID=699362BD35DB4-FF33-6F8B-09C1E06D75EA207D"
    assert entry_key({"url": shared}) == entry_key({"url": plain})
    assert entry_key({"url": plain}).endswith("?xID=699362BD35DB4-FF33-6F8B-09C1E06D75EA207D")
    assert entry_key({"url": "https://ex.org/?p=123&utm_source=rss&utm_medium=feed"}) == (
        "ex.org/?p=123"
    )
    assert entry_key({"url": "https://ex.org/?p=123"}) != entry_key(
        {"url": "https://ex.org/?p=124"}
    )


def test_entries_stored_under_the_old_key_are_not_told_again():
    """A database from before queries counted holds one record for the whole newsroom; the
    previous snapshot, re-read by the new extractor (NORMALIZER_VERSION), names each entry."""
    before = extract("atom", (ALBERTA / "2025-06-13T2300Z_before.xml").read_bytes())
    after = extract("atom", (ALBERTA / "2025-06-17T2300Z_after.xml").read_bytes())
    first = next(iter(before.records.values()))
    known = {"www.alberta.ca/announcements.cfm": first}
    diff = diff_documents(before.text, after.text, before.records, after.records, known)
    assert len(diff.added) == 6
    # The re-keyed entries already in the previous version are remembered from now on.
    assert len(diff.returned) == 8


@pytest.mark.parametrize(
    "name",
    [
        "encoding/utf-16le-bom.xml",
        "encoding/utf-16be-bom.xml",
        "encoding/utf-16be.xml",
        "encoding/u16.xml",
        "encoding/utf-32le-bom.xml",
        "encoding/utf-32be-bom.xml",
        "encoding/utf-32be-autodetect.xml",
    ],
)
def test_a_complete_utf16_or_utf32_feed_is_not_truncated(tmp_path, name):
    outcomes, rows = replayed(tmp_path, (CORPUS / name).read_bytes())
    assert [(o.outcome, o.error) for o in outcomes] == [("baseline", None)]


def test_a_new_entry_in_a_utf16_feed_is_news(tmp_path):
    text = (CORPUS / "encoding/utf-16le-bom.xml").read_bytes().decode("utf-16")
    item = "<channel><item><title>Intake reopens</title><link>https://ex.org/a</link></item>"
    newer = text.replace("<rss>", f"<rss>{item}</channel>").encode("utf-16")
    outcomes, rows = replayed(tmp_path, (CORPUS / "encoding/utf-16le-bom.xml").read_bytes(), newer)
    assert [o.outcome for o in outcomes] == ["baseline", "changed"]
    assert [(row["kind"], row["title"]) for row in rows] == [
        ("news", "News (ex.org): Intake reopens")
    ]


@pytest.mark.parametrize(
    ("name", "before"),
    [
        ("wellformed/rss/item_description.xml", b"<item>"),
        ("wellformed/atom10/entry_summary.xml", b"<entry>"),
    ],
)
def test_an_item_with_a_description_and_no_title_is_read_and_told(tmp_path, name, before):
    body = (CORPUS / name).read_bytes()
    tag = before.strip(b"<>")
    text = b"summary" if tag == b"entry" else b"description"
    item = b"<%s><%s>Intake for the Skilled Worker stream reopens on July 2.</%s></%s>\n" % (
        tag,
        text,
        text,
        tag,
    )
    outcomes, rows = replayed(tmp_path, body, with_item(body, item, before))
    assert [(o.outcome, o.error) for o in outcomes] == [("baseline", None), ("changed", None)]
    assert [(row["kind"], row["audience"], row["title"]) for row in rows] == [
        ("news", "subscribers", "News: Intake for the Skilled Worker stream reopens on July 2.")
    ]


def test_an_rdf_item_without_a_title_is_read(tmp_path):
    outcomes, _ = replayed(
        tmp_path, (CORPUS / "wellformed/rdf/rdf_item_description.xml").read_bytes()
    )
    assert [(o.outcome, o.error) for o in outcomes] == [("baseline", None)]


def test_items_without_guid_or_link_are_keyed_by_their_content(tmp_path):
    body = (CORPUS / "wellformed/psc/rss2.0simplechapter2items.xml").read_bytes()
    document = extract("atom", body)
    assert len(document.records) == 2
    assert all(key.startswith("content:") for key in document.records)
    newer = with_item(
        body, b"<item><title>Vorhersage Freitag, 07.09.2012</title></item>", b"<item>"
    )
    outcomes, rows = replayed(tmp_path, body, newer, newer)
    assert [o.outcome for o in outcomes] == ["baseline", "changed", "unchanged"]
    assert [row["title"] for row in rows] == ["News: Vorhersage Freitag, 07.09.2012"]


def test_a_title_only_item_is_one_record(tmp_path):
    document = extract("atom", (CORPUS / "wellformed/rss/item_title.xml").read_bytes())
    assert [r["title"] for r in document.records.values()] == ["Item 1 title"]


def test_a_feed_whose_entries_cannot_be_named_is_a_fault_not_silence(tmp_path):
    outcomes, _ = replayed(
        tmp_path, (CORPUS / "wellformed/atom10/entry_author_email.xml").read_bytes()
    )
    assert outcomes[0].outcome == "error"
    assert outcomes[0].error == (
        "no entries: none of its 1 entries has a title, a description, a date, an id or a link"
    )


def test_an_entry_with_neither_title_nor_description_is_still_refused(tmp_path):
    outcomes, _ = replayed(tmp_path, (CORPUS / "wellformed/atom/entry_issued.xml").read_bytes())
    assert outcomes[0].outcome == "error"
    assert "the entry's <title> or description missing in 1 of 1" in outcomes[0].error


def test_a_feed_cut_before_its_closing_tag_is_still_truncated(tmp_path):
    outcomes, _ = replayed(tmp_path, (CORPUS / "entities/160.xml").read_bytes())
    assert (outcomes[0].outcome, outcomes[0].error) == (
        "error",
        "truncated body: the feed ends before its closing root tag",
    )


def test_an_entry_is_titled_by_its_own_feed_in_english_and_french(tmp_path):
    from diffing.messages import describe

    rss = (FIXTURES / "feeds" / "manitoba-feed" / "2025-06-19T2000Z_after.xml").read_bytes()
    record = next(iter(extract("atom", rss).records.values()))
    data = {"title": record["title"], "url": record["url"], "published": "", "feed": record["feed"]}
    assert describe("news", data, "en")[0] == "Immigrate Manitoba: EOI Draw #247"
    assert describe("news", data, "fr")[0] == "Immigrate Manitoba\u00a0: EOI Draw #247"
    without_link = {"title": "Item 1 title", "url": "", "published": ""}
    assert describe("news", without_link, "en")[0] == "News: Item 1 title"
    assert describe("news", without_link, "fr")[0] == "Nouvelles\u00a0: Item 1 title"


def test_the_corpus_sample_is_the_manifest(tmp_path):
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.xml"))
    manifest = (CORPUS / "MANIFEST.md").read_text(encoding="utf-8")
    assert len(files) == 15
    assert all(f"`{name}`" in manifest for name in files)


def test_a_database_from_before_queries_counted_tells_only_the_new_items(tmp_path):
    """The upgrade through the pipeline: the newsroom's twelve items stored as the one record
    the old key gave them, under a snapshot of the old normalizer (4). The next version tells
    its six new items and nothing already told; the twelve get their own records."""
    watch = OneWatch(tmp_path, "atom", "https://www.alberta.ca/news.rss")
    before = (ALBERTA / "2025-06-13T2300Z_before.xml").read_bytes()
    after = (ALBERTA / "2025-06-17T2300Z_after.xml").read_bytes()
    assert watch.check(before, at="2025-06-13T23:00:00Z").outcome == "baseline"
    db = watch.db
    first = db.execute("SELECT data FROM records WHERE watch = 'w' ORDER BY rowid").fetchone()[0]
    with db.conn:
        db.execute("DELETE FROM records WHERE watch = 'w'")
        db.execute(
            "INSERT INTO records (watch, key, data, first_seen_at, last_seen_at) "
            "VALUES ('w', 'www.alberta.ca/announcements.cfm', ?, ?, ?)",
            [first, "2025-06-13T23:00:00Z", "2025-06-13T23:00:00Z"],
        )
        db.execute("UPDATE snapshots SET normalizer_version = 4 WHERE watch = 'w'")
    changes = watch.check(after, at="2025-06-17T23:00:00Z").changes
    # Six at once is more than the default bulk_threshold (5): held for a maintainer's release.
    assert sorted(row["kind"] for row in changes) == ["bulk_held"] + ["news"] * 6
    told = [row for row in changes if row["kind"] == "news"]
    assert {row["data"]["url"].rsplit("=", 1)[1][:5] for row in told} == {
        "93488",
        "93485",
        "93484",
        "93483",
        "93482",
        "93475",
    }
    assert watch.check(after, at="2025-06-18T23:00:00Z").changes == []
    keys = [row[0] for row in db.execute("SELECT key FROM records WHERE absent_since IS NULL")]
    assert len([key for key in keys if "?xID=" in key]) == 14


MIRROR = Path("/work/.mirror/kurtmckee+feedparser/repo")


@pytest.mark.skipif(not MIRROR.exists(), reason="feedparser's repository is not fetched here")
def test_the_whole_corpus_never_crashes_and_never_drops_entries_silently(tmp_path):
    """All 2,106 files of feedparser's corpus, when its repository has been fetched (the
    search tools' mirror; not in CI): every feed is read or refused with a reason, and a feed
    read with no records has no entries at all. Counts: ``python bench/feed_corpus.py``."""
    import subprocess

    import feedparser

    from bench.feed_corpus import survey
    from diffing.document import ContentError
    from diffing.textutil import as_utf8

    archive = subprocess.run(
        ["git", "-C", str(MIRROR), "archive", "HEAD", "tests"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp_path)], input=archive, check=True)
    counts = survey(tmp_path / "tests")
    assert sum(counts.values()) > 2000
    assert counts["read, with entries"] > 400
    for path in sorted((tmp_path / "tests").rglob("*.xml")):
        try:
            document = extract("atom", path.read_bytes())
        except ContentError:
            continue
        if not document.records:
            assert feedparser.parse(as_utf8(path.read_bytes())).entries == [], path

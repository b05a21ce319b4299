"""Text as written (issue 16, item 4): a stray byte is repaired alone, values are read safely.

A UTF-8 page, feed or JSON file with one Windows-1252 byte in it used to be read entirely as
Windows-1252, and every accented letter was then told as a change ("QuÃ©bec").
"""

from __future__ import annotations

import json
from pathlib import Path

from diffing.textutil import decode, load_json
from storage import snapshots
from tests.conftest import REAL, run_cli, write_config
from tests.unfamiliar_support import OneWatch

PAGE = (
    REAL
    / "canada_ca_html"
    / "gcweb_noise_only"
    / "date-time-format"
    / "2024-12-19T1144Z_f8d2fe80.html"
)
URL = (
    "https://www.canada.ca/en/government/system/digital-government/"
    "digital-government-innovations/enabling-interoperability/"
    "gc-enterprise-data-reference-standards/data-reference-standard-date-time-format.html"
)
QUEBEC = "<p>Residents of Québec apply to the Ministère first.</p>".encode()


def with_paragraphs(*paragraphs: bytes) -> bytes:
    """The real page with paragraphs added at the top of its <main>."""
    body = PAGE.read_bytes()
    at = body.index(b">", body.index(b"<main")) + 1
    return body[:at] + b"".join(paragraphs) + body[at:]


def test_one_stray_windows_1252_byte_in_a_utf8_page_leaves_quebec_as_written(tmp_path):
    watch = OneWatch(tmp_path, "page", URL)
    assert watch.check(with_paragraphs(QUEBEC)).outcome == "baseline"
    stray = b"<p>IRCC\x92s new forms are online.</p>"  # a curly apostrophe pasted from Word
    outcome = watch.check(with_paragraphs(QUEBEC, stray))
    assert outcome.outcome == "changed"
    told = " ".join(row["title"] + row["summary"] for row in watch.subscriber_rows())
    assert "IRCC’s new forms are online." in told
    assert "Ã" not in told and "QuÃ©bec" not in told
    snapshot = snapshots.latest(watch.db, "w")["content"]
    assert "Residents of Québec apply to the Ministère first." in snapshot


def test_a_stray_byte_in_a_feed_is_repaired_alone(tmp_path):
    def entry(number: int, title: str) -> str:
        return (
            f"<entry><id>urn:{number}</id><title>{title}</title>"
            f'<link href="https://www.canada.ca/en/news/{number}.html"/>'
            f"<updated>2026-01-0{number}T00:00:00Z</updated></entry>"
        )

    def feed(*entries: str) -> bytes:
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>News</title>{''.join(entries)}</feed>"
        ).encode()

    watch = OneWatch(tmp_path, "atom", "https://www.canada.ca/feed.xml")
    first = entry(1, "Québec signs an agreement")
    watch.check(feed(first))
    second = feed(entry(2, "Montréal STRAY new pilot"), first).replace(b"STRAY", b"\x96")
    assert watch.check(second).outcome == "changed"
    rows = watch.subscriber_rows()
    assert [row["kind"] for row in rows] == ["news"]
    assert "Montréal – new pilot" in rows[0]["title"] + rows[0]["summary"]
    assert all("Ã" not in row["title"] + row["summary"] for row in rows)


def test_declared_charset_wins_then_utf8_with_per_byte_repair():
    assert decode(b'<meta charset="iso-8859-1"><p>Qu\xe9bec') == (
        '<meta charset="iso-8859-1"><p>Québec'
    )
    assert decode('<?xml version="1.0" encoding="utf-8"?><a>Québec\x92</a>'.encode()) == (
        '<?xml version="1.0" encoding="utf-8"?><a>Québec\u0092</a>'
    )
    assert decode("Québec ".encode() + b"\x92 " + "Montréal".encode()) == "Québec ’ Montréal"
    # The Express Entry feed's charset is undeclared; a whole file in Windows-1252 still reads.
    assert decode(b'{"drawName": "Cat\xe9gorie"}') == '{"drawName": "Catégorie"}'


def test_json_values_that_break_readers_are_read_safely_or_refused():
    data = load_json(b'{"v": NaN, "w": Infinity, "x": 1e999, "name": "Draw \\ud800"}', "r")
    assert data == {"v": "NaN", "w": "Infinity", "x": "1e999", "name": "Draw \ufffd"}
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_nan_is_not_told_as_a_change_and_replay_prints_valid_json(tmp_path):
    watch = {
        "name": "rows",
        "url": "https://www.canada.ca/rows.json",
        "kind": "json",
        "topic": "general",
        "records": "rows",
        "key": "id",
    }
    config = write_config(tmp_path, [watch])
    folder = tmp_path / "replay" / "rows"
    folder.mkdir(parents=True)
    versions = (
        '{"rows": [{"id": "a", "v": NaN, "w": 1}]}',
        '{"rows": [{"id": "a", "v": NaN, "w": 2}]}',
    )
    for index, text in enumerate(versions):
        (folder / f"2026-01-0{index + 1}T1000Z.json").write_text(text)
    result = run_cli("--config", str(config), "replay", str(folder.parent))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines

    def strict(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    changes = [json.loads(line, parse_constant=strict) for line in lines]
    assert [c["summary"] for c in changes] == ["w: 1 → 2"], changes


def test_a_feed_declared_in_windows_1252_is_read_so(tmp_path: Path):
    feed = (
        '<?xml version="1.0" encoding="windows-1252"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>News</title><entry><id>urn:1</id><title>Qu\xe9bec</title>"
        '<link href="https://www.canada.ca/en/news/1.html"/>'
        "<updated>2026-01-01T00:00:00Z</updated></entry></feed>"
    ).encode("cp1252")
    watch = OneWatch(tmp_path, "atom", "https://www.canada.ca/feed.xml")
    watch.check(feed)
    document = json.loads(snapshots.document_json(snapshots.latest(watch.db, "w")))
    assert document["records"]["urn:1"]["title"] == "Québec"

"""diffing on plain bytes and strings: no I/O, no database."""

from __future__ import annotations

import json

import pytest

from diffing.classify import WatchInfo, classify
from diffing.diff import diff_documents, line_diff
from diffing.document import ContentError
from diffing.extract import extract
from diffing.precheck import region_fingerprint
from tests.conftest import REAL

ROUND = {
    "drawNumber": "91a",
    "drawDate": "2018-05-30",
    "drawDateFull": "May 30, 2018",
    "drawName": "Provincial Nominee Program",
    "drawSize": "200",
    "drawCRS": "902",
    "drawCutOff": "May 3, 2018 at 14:40:50 UTC",
}


def feed(*rounds, wrapped=True) -> bytes:
    data = {"classes": "wb-tables", "rounds": list(rounds)} if wrapped else list(rounds)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def test_rounds_feed_wrapped_or_bare_gives_the_same_records():
    assert (
        extract("ee-rounds", feed(ROUND)).records
        == extract("ee-rounds", feed(ROUND, wrapped=False)).records
    )


def test_french_feed_numbers_and_windows_1252_bytes_parse():
    french = dict(
        ROUND,
        drawNumber="400",
        drawSize="5\u00a0000",
        drawCRS="480",
        drawName="Compétence linguistique en français",
    )
    record = extract("ee-rounds", feed(french)).records["400"]
    assert (record["size"], record["crs"]) == (5000, 480)
    cp1252 = feed(french).decode("utf-8").encode("cp1252")
    assert (
        extract("ee-rounds", cp1252).records["400"]["name"] == "Compétence linguistique en français"
    )


def test_non_integer_draw_numbers_are_kept_as_keys():
    assert list(extract("ee-rounds", feed(ROUND)).records) == ["91a"]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"", "empty body"),
        (b"<html>Service Unavailable</html>", "not the rounds feed"),
        (b'{"classes": "wb-tables"}', "not the rounds feed"),
    ],
)
def test_bodies_that_are_not_the_feed_are_content_errors(body, reason):
    with pytest.raises(ContentError) as caught:
        extract("ee-rounds", body)
    assert caught.value.reason == reason


def test_new_and_corrected_draws():
    before = extract("ee-rounds", feed(ROUND))
    newer = dict(ROUND, drawNumber="92", drawCRS="441", drawSize="3,500")
    after = extract("ee-rounds", feed(newer, dict(ROUND, drawCRS="903")))
    diff = diff_documents(before.text, after.text, before.records, after.records, before.records)
    changes = classify(WatchInfo("ee", "ee-rounds"), diff)
    assert [(c.kind, c.audience, c.key) for c in changes] == [
        ("new_draw", "subscribers", "92"),
        ("draw_corrected", "subscribers", "91a"),
    ]
    corrected = next(c for c in changes if c.kind == "draw_corrected")
    assert corrected.data == {"number": "91a", "changes": {"crs": [902, 903]}}


def test_a_record_seen_before_is_not_new_when_it_returns():
    with_round = extract("ee-rounds", feed(ROUND))
    other = extract("ee-rounds", feed(dict(ROUND, drawNumber="90")))
    known = {**with_round.records, **other.records}
    diff = diff_documents(other.text, with_round.text, other.records, with_round.records, known)
    assert diff.added == {} and diff.returned == ["91a"]
    assert classify(WatchInfo("ee", "ee-rounds"), diff) == []


def test_noise_only_versions_have_equal_content_and_region():
    folder = REAL / "canada_ca_html" / "gcweb_noise_only" / "person-gender"
    bodies = [path.read_bytes() for path in sorted(folder.glob("*.html"))]
    assert len(set(bodies)) == len(bodies)
    documents = [extract("page", body) for body in bodies]
    assert len({d.content_hash() for d in documents}) == 1
    assert len({region_fingerprint(body) for body in bodies}) == 1
    text = documents[0].text
    assert text.startswith("# ")
    assert "Date modified" not in text and "BOOMR" not in text


def test_page_without_a_content_region_is_a_content_error():
    with pytest.raises(ContentError) as caught:
        extract(
            "page",
            b"<html><body><p>We are currently performing scheduled maintenance.</p></body></html>",
        )
    assert caught.value.reason == "error page"
    # A page without <main> is read as its <body>; a watch whose baseline had a <main>
    # keeps that rule, and then the same page is a fault.
    plain = b"<html><body><header>Site</header><div>Welcome</div></body></html>"
    document = extract("page", plain)
    assert (document.text, document.meta["region"]) == ("Welcome", "body")
    with pytest.raises(ContentError) as caught:
        extract("page", plain, region="gcweb-main")
    assert caught.value.reason == "content region missing"
    assert "the region this watch's baseline used" in caught.value.detail


def test_line_diff_reports_added_and_removed_lines():
    unified, added, removed = line_diff("a\nb\nc", "a\nB\nc\nd")
    assert added == ["B", "d"] and removed == ["b"]
    assert "-b" in unified and "+B" in unified

"""The content region: chosen at the baseline by the first rule that matches, then kept.

Real pages: the Saskatchewan SINP series (no <main>, a page-wide ASP.NET <form>) and the
canada.ca noise-only series (tests/fixtures/real, see MANIFEST.md).
"""

from __future__ import annotations

import json
import re

import pytest

from diffing.extract import extract
from diffing.precheck import fingerprint
from diffing.region import LEGACY, baseline_rule, locate
from storage import snapshots
from storage.db import open_db
from tests.conftest import run_cli, write_config
from tests.semantic_support import REAL, Replayer

SK = REAL / "provincial" / "sk_sinp"
NOISE = REAL / "canada_ca_html" / "gcweb_noise_only" / "date-time-format"


@pytest.fixture
def replay(tmp_path):
    return Replayer(tmp_path / "replay.db")


@pytest.mark.parametrize(
    ("html", "rule"),
    [
        ('<main property="mainContentOfPage" class="container"><p>x</p></main>', "gcweb-main"),
        ("<main class='x'><p>x</p></main>", "main"),
        ('<div role="main"><div><p>x</p></div></div>', "role-main"),
        ("<article><p>x</p></article>", "article"),
        ('<div id="content"><p>x</p></div>', "content"),
        ('<div data-id="content"><p>x</p></div>', "body"),
    ],
)
def test_the_first_rule_that_matches_is_chosen(html, rule):
    page = f"<html><head><title>T</title></head><body><nav>Menu</nav>{html}</body></html>"
    assert locate(page).rule == rule
    assert extract("page", page.encode()).meta["region"] == rule


def test_balanced_tags_give_the_whole_region_to_the_pre_check():
    page = b'<body><div id="content"><div>a</div><div>b</div></div><div>after</div></body>'
    found = locate(page, "content")
    assert page[found.start : found.end] == b'<div id="content"><div>a</div><div>b</div></div>'


def test_stored_rules_are_kept_and_old_snapshots_keep_reading_main():
    assert baseline_rule(None) is None
    assert baseline_rule({"title": "t"}) == LEGACY
    assert baseline_rule({"region": "body"}) == "body"
    assert baseline_rule({"region": "selector"}) is None


def test_saskatchewan_pages_without_main_are_read_with_no_selector():
    body = (
        SK / "maximum-number-of-sinp-applications" / "2018-07-31T2304Z_f90b56c9.htm"
    ).read_bytes()
    document = extract("page", body)
    assert document.meta["region"] == "body"
    assert document.text.startswith("# Maximum Number of SINP Applications")
    # The site's chrome is left out: menus, footer, contact aside, translation notice.
    for chrome in ("Residents and Visitors", "Google Translate", "Contact Us", "feedback"):
        assert chrome not in document.text
    row = document.records[
        "row:entrepreneur-eoi-selection-results-on-n-n-n:number-of-invitations-issued"
    ]
    assert row["cells"] == ["Number of Invitations Issued", "187"]


def test_the_pre_check_follows_the_body_rule():
    folder = SK / "maximum-number-of-sinp-applications"
    first = (folder / "2018-07-04T0203Z_8200187e.htm").read_bytes()
    second = (folder / "2018-07-04T0203Z_f5f9f331.htm").read_bytes()
    assert first != second
    assert fingerprint("page", first, "body") == fingerprint("page", second, "body")
    # A scripted or hidden-state change in <body> is not content either.
    volatile = re.sub(rb'id="__VIEWSTATE" value="[^"]*"', b'id="__VIEWSTATE" value="x"', second)
    assert volatile != second
    assert fingerprint("page", volatile, "body") == fingerprint("page", second, "body")


def test_saskatchewan_real_draws_are_told_with_no_selector(replay):
    rows = replay.folder(SK / "maximum-number-of-sinp-applications", watch="sinp-applications")
    assert [outcome for _, outcome in replay.outcomes()] == [
        "baseline",
        "changed",
        "error",  # the 305-byte "Object moved" page
        "unchanged",
        "changed",
        "unchanged",  # same minute, debug line gone (skipped by the pre-check)
        "changed",
        "changed",
        "changed",
        "unchanged",  # site-wide "Postal Strike Update" banner only: outside the region
    ]
    draw = [row for row in rows if row["kind"] == "row_added"]
    assert [(row["observed_at"], row["audience"], row["summary"]) for row in draw] == [
        (
            "2018-07-31T23:04:00Z",
            "subscribers",
            "Number of Invitations Issued 187; Average EOI Score 105; Highest EOI Score 135; "
            "Lowest EOI Score 100",
        )
    ]
    assert draw[0]["title"] == "Entrepreneur EOI Selection Results on July 18, 2018: 4 rows added"
    # The renamed "Selecting Candidates" section: its rule change told, its old heading never
    # announced removed; nor is "EOI Selection Results on April 18, 2018", renamed with its
    # text unchanged and told as renamed.
    assert not [row for row in rows if row["audience"] == "maintainers"]
    assert len(rows) == 28
    occupations = replay.folder(SK / "occupations-in-demand", watch="sinp-occupations")
    assert len(occupations) == 10


def test_a_canada_ca_page_that_loses_its_main_after_the_baseline_never_alerts(tmp_path, site):
    original = sorted(NOISE.glob("*.html"))[0].read_bytes()
    site.set("/page.html", original, etag=False)
    config = write_config(tmp_path, [{"name": "dtf", "url": site.url("/page.html")}])
    baseline = run_cli("--config", str(config), "check")
    assert "baseline" in baseline.stdout, baseline.stderr
    redesigned = re.sub(rb"<(/?)main\b", rb"<\1div", original)
    assert b"<main" not in redesigned
    site.set("/page.html", redesigned, etag=False)
    for _ in range(3):
        result = run_cli("--config", str(config), "check")
        assert result.returncode == 1
        assert "content region missing" in result.stdout + result.stderr
    listing = run_cli("--config", str(config), "changes", "--json")
    changes = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [(c["kind"], c["audience"]) for c in changes] == [("watch_failing", "admins")]
    db = open_db(tmp_path / "test.db")
    assert db["snapshots"].count == 1
    assert "the region this watch's baseline used" in db["watches"].get("dtf")["last_error"]


def test_a_snapshot_stored_before_rules_were_recorded_keeps_reading_main(tmp_path):
    """An old database: its last Document has no region rule, and the page then loses <main>."""
    replay = Replayer(tmp_path / "old.db")
    folder = tmp_path / "iec-en"
    folder.mkdir()
    versions = sorted(NOISE.glob("*.html"))
    (folder / versions[0].name).write_bytes(versions[0].read_bytes())
    assert replay.folder(folder) == []
    row = snapshots.latest(replay.db, "iec-en")
    document = json.loads(snapshots.document_json(row))
    del document["meta"]["region"]
    # Stored as rows were before this version: plain text, no codec, no recorded rule.
    old = {"document": json.dumps(document), "content": row["content"], "codec": None}
    replay.db["snapshots"].update(row["id"], {**old, "base_id": None})
    (folder / versions[0].name).unlink()
    renamed = re.sub(rb"<(/?)main\b", rb"<\1div", versions[1].read_bytes())
    (folder / versions[1].name).write_bytes(renamed)
    assert replay.folder(folder) == []
    assert replay.handled[-1].outcome == "error"
    assert replay.handled[-1].error == "content region missing: no <main> element"


def test_a_selector_outside_main_is_pre_checked_on_the_whole_body(tmp_path, site):
    """A watch whose selector reads the breadcrumb: an edit there is not skipped as unchanged."""
    versions = sorted(NOISE.glob("*.html"))
    site.set("/page.html", versions[0].read_bytes(), etag=False)
    watch = {"name": "dtf", "url": site.url("/page.html"), "selector": "#wb-bc"}
    config = write_config(tmp_path, [watch])
    assert "baseline" in run_cli("--config", str(config), "check").stdout
    edited = versions[1].read_bytes().replace(b">Canada.ca</a>", b">Canada.ca home</a>", 1)
    assert edited != versions[1].read_bytes()
    site.set("/page.html", edited, etag=False)
    out = run_cli("--config", str(config), "check").stdout
    assert "changed" in out and "Canada.ca home" in out

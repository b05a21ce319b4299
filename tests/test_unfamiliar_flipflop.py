"""A stale copy flip-flop (a CDN node that missed an update) tells nothing; a real revert does.

Records that vanish and come back were already harmless (every record ever seen is known),
but a record whose *value* flips back to its earlier version was told again each time: a
rule that went from 12 to 24 months, then a stale copy saying 12, then 24 again gave three
rule_change messages, the second one wrong.
"""

from __future__ import annotations

import json

from tests.conftest import REAL, unpack
from tests.unfamiliar_support import OneWatch, gcweb, provincial

RULES = (
    "<h2>Eligibility</h2><p>You must have at least 12 months of work experience.</p>"
    "<p>You must be 18 to 35 years old.</p><h2>How to apply</h2><ol><li>Create a profile."
    "</li><li>Wait for an invitation.</li></ol>"
)
OLD, NEW = gcweb(RULES), gcweb(RULES.replace("12 months", "24 months"))


def hour(n: int) -> str:
    return f"2026-01-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"


def test_a_flip_flopping_rule_is_told_once(tmp_path):
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/iec.html", topic="iec")
    watch.check(OLD, hour(0))
    assert watch.told(NEW, hour(1)) == [("rule_change", "subscribers")]
    for n, body in enumerate([OLD, NEW, OLD, OLD, NEW, OLD], start=2):
        assert watch.told(body, hour(n)) == []
    assert watch.check(OLD, hour(9)).outcome == "stale"
    (told,) = watch.subscriber_rows()
    assert "After: You must have at least 24 months" in told["summary"]


def test_a_revert_that_lasts_past_the_grace_is_told(tmp_path):
    watch = OneWatch(tmp_path, "page", "https://www.canada.ca/en/iec.html", topic="iec")
    watch.check(OLD, hour(0))
    watch.check(NEW, hour(1))
    # The page really goes back: every check re-reads it (no validators or hashes kept) ...
    for n in range(2, 25):
        assert watch.check(OLD, hour(n)).outcome == "stale"
    # ... and once the newer version is a day old, the revert is told, once.
    assert watch.told(OLD, hour(25)) == [("rule_change", "subscribers")]
    assert watch.told(OLD, hour(26)) == []
    summaries = [row["summary"] for row in watch.subscriber_rows()]
    assert len(summaries) == 2 and "After: You must have at least 12 months" in summaries[1]


def test_a_provincial_draw_whose_figure_flips_is_told_once(tmp_path):
    def draws(invitations: int) -> str:
        return provincial(
            "<h2>January 14, 2026</h2><h3>Skilled Worker</h3><p>B.C. issued "
            f"{invitations} invitations to candidates with a score of 118 or above.</p>"
            "<h2>January 7, 2026</h2><h3>Tech</h3><p>B.C. issued 60 invitations to "
            "candidates with a score of 120 or above.</p>",
            "Invitations to apply",
        )

    watch = OneWatch(tmp_path, "pnp-updates", "https://www.welcomebc.ca/ita", topic="pnp")
    watch.check(draws(55), hour(0))
    first = watch.told(draws(58), hour(1))
    assert first
    for n, count in enumerate([55, 58, 55, 58], start=2):
        assert watch.told(draws(count), hour(n)) == []
    assert len(watch.db.execute("SELECT id FROM changes").fetchall()) == len(first)


def test_a_stale_feed_copy_does_not_move_a_draw_back_and_forth(tmp_path):
    """Real feed versions: #340 appears, a stale copy without it, the fresh copy again."""
    versions = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "f")
    watch = OneWatch(tmp_path, "ee-rounds", "https://www.canada.ca/ee.json", topic="express-entry")
    old, new = versions[0].read_bytes(), versions[2].read_bytes()
    watch.check(old, hour(0))
    told = [(c["kind"], c["data"]["number"]) for c in watch.check(new, hour(1)).changes]
    assert told == [("new_draw", "340"), ("pool_changed", "340")]
    assert watch.check(old, hour(2)).outcome == "stale"
    assert watch.check(new, hour(3)).changes == []
    assert watch.check(old, hour(30)).changes == []  # a day later: gone, not yet announced
    absent = watch.db.execute(
        "SELECT key, absent_since FROM records WHERE absent_since IS NOT NULL"
    ).fetchall()
    assert [(json.dumps(key), since) for key, since in absent] == [('"340"', hour(30))]


def test_a_degraded_watch_flip_flopping_is_told_once(tmp_path):
    """An events page the extractor cannot read is read as a page: its flips are stale too."""
    notice = "<h2>Upcoming events</h2><p>No events are planned for {}.</p><p>Check back later.</p>"
    watch = OneWatch(tmp_path, "events", "https://www.canada.ca/en/events.html", topic="events")
    assert [c["kind"] for c in watch.check(gcweb(notice.format("January")), hour(0)).changes] == [
        "extractor_degraded"
    ]
    assert watch.told(gcweb(notice.format("February")), hour(1)) == [("rule_change", "subscribers")]
    for n, month in enumerate(["January", "February", "January"], start=2):
        assert watch.told(gcweb(notice.format(month)), hour(n)) == []
    assert len(watch.subscriber_rows()) == 1

"""Classification of record diffs into the semantic change kinds, on hand-made records."""

from __future__ import annotations

from diffing.classify import WatchInfo, classify, removals
from diffing.diff import diff_documents

PAGE = WatchInfo("iec", "page", url="https://www.canada.ca/iec.html")


def diff(old: dict, new: dict, known: dict | None = None, old_text: str = "", new_text: str = ""):
    return diff_documents(old_text, new_text, old, new, known if known is not None else old)


def section(name: str, *sentences: str) -> dict:
    return {"section": name, "sentences": list(sentences), "page": "IEC"}


def test_a_figure_in_a_heading_and_a_new_requirement_are_rule_changes_of_one_section():
    old = {"section:fees-n": section("Fees for 2025", "Pay online.", "- biometrics")}
    new = {"section:fees-n": section("Fees for 2026", "Pay online.", "- biometrics", "- a photo")}
    (change,) = classify(PAGE, diff(old, new))
    assert (change.kind, change.audience) == ("rule_change", "subscribers")
    assert change.data == {
        "page": "IEC",
        "section": "Fees for 2026",
        "before": "Fees for 2025",
        "after": "Fees for 2026\n- a photo",
        "url": "https://www.canada.ca/iec.html",
    }


def test_new_sections_and_rewording_make_one_page_change():
    old = {"section:a": section("A", "We will look at it.")}
    new = {
        "section:a": section("A", "It is assessed by us."),
        "section:b": section("B", "A new paragraph.", "- a new item"),
    }
    (change,) = classify(PAGE, diff(old, new))
    assert change.kind == "page_change"
    assert change.data == {
        "page": "IEC",
        "sections": ["A", "B"],
        "added": 3,
        "removed": 1,
        "edits": [
            {"section": "A", "before": "We will look at it."},
            {"section": "A", "after": "It is assessed by us."},
            {"section": "B", "after": "A new paragraph."},
            {"section": "B", "after": "- a new item"},
        ],
        "edit_count": 4,
        "excerpt": "+ It is assessed by us.\n+ A new paragraph.\n+ - a new item",
        "url": "https://www.canada.ca/iec.html",
    }


def test_table_rows_added_together_and_edited_without_figures():
    def row(*cells):
        return {
            "section": "List",
            "table": "List",
            "columns": ["NOC", "Title"],
            "cells": list(cells),
        }

    old = {"row:list:21211": row("21211", "Data scientists")}
    new = {
        "row:list:21211": row("21211", "Data scientist"),
        "row:list:21220": row("21220", "Cybersecurity specialists"),
        "row:list:21221": row("21221", "Business systems specialists"),
    }
    added, edited = classify(PAGE, diff(old, new))
    assert added.kind == "row_added"
    assert added.data["rows"] == [
        ["21220", "Cybersecurity specialists"],
        ["21221", "Business systems specialists"],
    ]
    assert edited.kind == "page_change"
    assert edited.data["excerpt"] == (
        "+ 21211: Title: Data scientist\n- 21211: Title: Data scientists"
    )


def test_removals_after_the_grace_period_per_kind():
    records = {
        "row:list:22221": {"table": "List", "columns": ["NOC", "Title"], "cells": ["22221", "X"]},
        "row:list:22222": {"table": "List", "columns": ["NOC", "Title"], "cells": ["22222", "Y"]},
        "section:old": section("Old", "Gone."),
    }
    changes = removals(PAGE, records)
    assert [(c.kind, c.audience) for c in changes] == [
        ("page_change", "maintainers"),
        ("row_removed", "subscribers"),
    ]
    assert changes[1].data["rows"] == [["22221", "X"], ["22222", "Y"]]
    category = {"category:farm": {"name": "Farm", "occupations": {"80020": "Managers"}}}
    (removed,) = removals(WatchInfo("ee", "ee-categories"), category)
    assert removed.kind == "category_removed"
    assert removed.data["occupations"] == [{"noc": "80020", "title": "Managers"}]
    for kind in ("events", "pnp-updates", "atom"):
        assert removals(WatchInfo("w", kind), {"event:2026-03-20:paris": {"title": "t"}}) == []


def test_category_requirements_and_context_sections():
    watch = WatchInfo("ee", "ee-categories")
    trade = {
        "name": "Trade occupations",
        "occupations": {"72310": "Carpenters"},
        "requirements": ["- have 6 months of work experience"],
    }
    old = {"category:trade": trade, "section:n": section("Categories for 2025", "Chosen in 2025.")}
    new = {
        "category:trade": {**trade, "requirements": ["- have 12 months of work experience"]},
        "section:n": section("Categories for 2026", "Chosen in 2026."),
    }
    rule, context = classify(watch, diff(old, new))
    assert (rule.kind, rule.audience, rule.data["section"]) == (
        "rule_change",
        "subscribers",
        "Trade occupations",
    )
    assert rule.data["before"] == "- have 6 months of work experience"
    assert (context.kind, context.audience) == ("rule_change", "maintainers")
    only_context = classify(
        watch, diff({"section:n": old["section:n"]}, {"section:n": new["section:n"]})
    )
    assert [(c.kind, c.audience) for c in only_context] == [("rule_change", "subscribers")]


def test_events_and_pnp_entries_are_told_once_and_text_edits_only_to_maintainers():
    events = WatchInfo("events", "events", url="https://www.canada.ca/events.html")
    paris = {
        "title": "Paris",
        "date": "2026-03-20",
        "end": None,
        "when": "March 20",
        "place": "Paris",
    }
    (new_event,) = classify(events, diff({}, {"event:2026-03-20:paris": paris}, {}))
    assert new_event.data["link"] == "https://www.canada.ca/events.html"
    known = {"event:2026-03-20:paris": paris}
    again = diff({}, known, known, old_text="a", new_text="b")
    assert [(c.kind, c.audience) for c in classify(events, again)] == [
        ("page_change", "maintainers")
    ]
    pnp = WatchInfo("bc", "pnp-updates")
    entries = {
        "2026-06-18:b": {"province": "BC", "date": "2026-06-18", "headline": "B"},
        "2026-06-02:a": {"province": "BC", "date": "2026-06-02", "headline": "A"},
    }
    assert [c.data["date"] for c in classify(pnp, diff({}, entries, {}))] == [
        "2026-06-02",
        "2026-06-18",
    ]


def test_a_news_release_under_a_new_slug_with_the_same_title_is_not_news():
    watch = WatchInfo("news", "atom")
    alias = ["title:www.canada.ca/news/2026/06/minister-to-attend"]
    old = {
        "a": {"title": "Minister to attend", "url": "u1", "published": "p", "aliases": alias},
    }
    new = {
        "b": {"title": "Minister to attend", "url": "u2", "published": "p", "aliases": alias},
    }
    (change,) = classify(watch, diff(old, new))
    assert (change.kind, change.audience) == ("page_change", "maintainers")
    assert change.data["excerpt"] == "url: u1 → u2"


def test_records_of_a_re_extracted_previous_snapshot_are_not_new():
    """After an upgrade that adds records to a kind, the first fetch must not flood alerts."""
    old = {"section:a": section("A", "Same."), "row:t:1": {"table": "T", "cells": ["1", "x"]}}
    new = {"section:a": section("A", "Same."), "row:t:1": {"table": "T", "cells": ["1", "y"]}}
    result = diff(old, new, known={})
    assert result.added == {}
    assert result.changed == {"row:t:1": {"cells": (["1", "x"], ["1", "y"])}}

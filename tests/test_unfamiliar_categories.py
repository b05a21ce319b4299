"""Express Entry categories renamed, as IRCC did in 2025 ("Healthcare occupations" became
"Healthcare and social services occupations" with more occupations).

Before: subscribers were told of a "New Express Entry category" at once and, a day later,
that "Healthcare occupations" was removed — a category that had only changed its name.
"""

from __future__ import annotations

from tests.unfamiliar_support import OneWatch, gcweb

URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/express-entry/submit-profile/rounds-invitations/category-based-selection.html"
HEALTH = [("31102", "General practitioners and family physicians"), ("31301", "Registered nurses")]
TRADES = [("72010", "Contractors and supervisors, machining"), ("72310", "Carpenters")]
EDUCATION = [("41220", "Secondary school teachers"), ("42202", "Early childhood educators")]


def category(name: str, anchor: str, occupations: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><td>{code}</td><td>{title}</td></tr>" for code, title in occupations)
    return (
        f'<section><h2 id="{anchor}">{name}</h2><p>You must have at least 6 months of work '
        f"experience in one of these occupations.</p><details><summary>Eligible occupations"
        f"</summary><table><thead><tr><th>NOC 2021 code</th><th>Occupation</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details></section>"
    )


def page(*categories: tuple[str, str, list[tuple[str, str]]]) -> str:
    links = "".join(f'<li><a href="#{a}">{n}</a></li>' for n, a, _ in categories)
    blocks = "".join(category(*c) for c in categories)
    return gcweb(
        f"<p>This year's categories:</p><ul>{links}</ul>{blocks}", "Category-based selection"
    )


def test_a_renamed_category_is_one_change_and_never_removed(tmp_path):
    watch = OneWatch(tmp_path, "ee-categories", URL, topic="express-entry")
    trades = ("Trade occupations", "trade", TRADES)
    watch.check(page(("Healthcare occupations", "health", HEALTH), trades))
    renamed = (
        "Healthcare and social services occupations",
        "health",
        [*HEALTH, ("42201", "Social and community service workers")],
    )
    (told,) = watch.check(page(renamed, trades)).changes
    assert (told["kind"], told["title"]) == (
        "occupations_changed",
        "Express Entry category renamed: Healthcare and social services occupations",
    )
    assert told["summary"] == (
        "Formerly: Healthcare occupations\nAdded: 42201 Social and community service workers"
    )
    assert watch.told(page(renamed, trades)) == []  # a day later: nothing removed
    assert watch.told(page(renamed, trades)) == []


def test_a_category_replaced_by_an_unrelated_one_is_new_and_later_removed(tmp_path):
    watch = OneWatch(tmp_path, "ee-categories", URL, topic="express-entry")
    health = ("Healthcare occupations", "health", HEALTH)
    watch.check(page(health, ("Trade occupations", "trade", TRADES)))
    education = ("Education occupations", "education", EDUCATION)
    assert watch.told(page(health, education)) == [("new_category", "subscribers")]
    assert watch.told(page(health, education)) == [("category_removed", "subscribers")]

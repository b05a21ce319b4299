"""Never silent (issue 10, item 1): a structured reading that finds too little falls back.

The category-based selection page (tests/fixtures/synthetic, GCWeb markup) is the baseline;
then its category blocks and its list of categories disappear behind one sentence (the
structured reading finds no category), and later come back. Meanwhile the page-level reading
tells subscribers what changed, admins hear once that the extractor is degraded and once
that it recovered, and the switches themselves tell nobody anything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from crawlers.items import Fetch
from diffing.document import ContentError, Document
from diffing.extract import EXTRACTORS
from ircc_watch.pipeline import Pipeline
from notifier.routing import recipients_for
from settings import load_config
from storage import subscribers, watches
from storage.db import open_db
from tests.conftest import write_config

SYNTHETIC = Path(__file__).resolve().parent / "fixtures" / "synthetic"
BEFORE = SYNTHETIC / "ee-categories-en" / "2025-12-01T1400Z_before.html"
AFTER = SYNTHETIC / "ee-categories-en" / "2026-02-18T1500Z_after.html"
MAINTENANCE = SYNTHETIC / "faults" / "maintenance.html"
URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/express-entry/submit-profile/rounds-invitations/category-based-selection.html"
NOTICE = "Details of each category are moving to a new page."
RULE_OLD = "We publish the instructions on the day of the round."
RULE_NEW = "We publish the instructions 2 days before the round."


def without_categories(html: str) -> str:
    """The page with its category blocks and its list of categories replaced by one sentence."""
    soup = BeautifulSoup(html, "lxml")
    main = soup.find("main")
    links = main.select_one('ul:has(a[href^="#"])')
    links.replace_with(BeautifulSoup(f"<p>{NOTICE}</p>", "lxml").p)
    for section in main.select("section[id]"):
        section.decompose()
    return str(soup)


class Checks:
    """The real pipeline on a real database with one subscriber, one admin, one maintainer."""

    def __init__(self, tmp_path: Path) -> None:
        path = write_config(
            tmp_path,
            [{"name": "categories", "url": URL, "kind": "ee-categories", "topic": "express-entry"}],
            extra="""
            [telegram]
            admins = [11]
            maintainers = [-100]
            """,
        )
        self.config = load_config(path)
        self.db = open_db(self.config.settings.database)
        watches.sync(self.db, self.config.watches)
        subscribers.ensure(self.db, 501)
        subscribers.subscribe(self.db, 501, "express-entry")
        self.pipeline = Pipeline(
            self.db, self.config, recipients=lambda c: recipients_for(self.db, self.config, c)
        )
        self.path = self.config.settings.database

    def check(self, html: str, now: str) -> list[tuple[str, str]]:
        fetch = Fetch(watch="categories", url=URL, final_url=URL, status=200, body=html.encode())
        outcome = self.pipeline.handle(fetch, now=now)
        self.last = outcome
        return [(row["kind"], row["audience"]) for row in outcome.changes]

    def subscriber_kinds(self) -> list[str]:
        with sqlite3.connect(self.path) as conn:
            rows = conn.execute(
                "SELECT c.kind FROM deliveries d JOIN changes c ON c.id = d.change_id "
                "WHERE d.role = 'subscriber' ORDER BY d.id"
            )
            return [row[0] for row in rows]


@pytest.fixture
def checks(tmp_path):
    return Checks(tmp_path)


def test_no_categories_falls_back_to_the_page_reading_and_back(checks):
    before = BEFORE.read_text("utf-8")
    blind = without_categories(before)
    assert checks.check(before, "2026-01-01T10:00:00Z") == []

    degraded = checks.check(blind, "2026-01-02T10:00:00Z")
    assert ("extractor_degraded", "admins") in degraded
    (alert,) = [row for row in checks.last.changes if row["kind"] == "extractor_degraded"]
    assert alert["data"] == {
        "watch": "categories",
        "kind": "ee-categories",
        "missing": "no categories: no category blocks on the page",
        "since": "2026-01-02T10:00:00Z",
    }
    told = [kind for kind, audience in degraded if audience == "subscribers"]
    assert told and set(told) <= {"page_change", "rule_change"}
    notice = [row for row in checks.last.changes if NOTICE in str(row["data"])]
    assert notice and notice[0]["audience"] == "subscribers"

    # Still blind, a day and two days later: no second alert, and no category is "removed".
    assert checks.check(respaced(blind), "2026-01-03T10:00:00Z") == []
    assert checks.check(respaced(blind, 2), "2026-01-04T10:00:00Z") == []

    edited = checks.check(blind.replace(RULE_OLD, RULE_NEW), "2026-01-05T10:00:00Z")
    assert edited == [("rule_change", "subscribers")]
    assert RULE_NEW in checks.last.changes[0]["data"]["after"]
    assert watches.state(watches.get(checks.db, "categories")) == "degraded"

    back = checks.check(before.replace(RULE_OLD, RULE_NEW), "2026-01-06T10:00:00Z")
    assert ("extractor_recovered", "admins") in back
    # The blocks coming back are page text told at page level; the categories resync silently.
    assert not {kind for kind, _ in back} & {"new_category", "category_removed"}
    (alert,) = [row for row in checks.last.changes if row["kind"] == "extractor_recovered"]
    assert alert["data"]["since"] == "2026-01-02T10:00:00Z" and alert["data"]["records"] == 6
    assert watches.state(watches.get(checks.db, "categories")) == "ok"

    # The structured reading is back in force: the real new categories are told as such.
    after = checks.check(AFTER.read_text("utf-8"), "2026-02-18T15:00:00Z")
    assert ("new_category", "subscribers") in after
    assert "extractor_degraded" not in checks.subscriber_kinds()
    assert "category_removed" not in checks.subscriber_kinds()


def respaced(html: str, times: int = 1) -> str:
    """The same page with whitespace added inside its content region (bytes differ, text not)."""
    return html.replace("</main>", "\n" * times + "</main>")


def blind_extractor(body: bytes, **options) -> Document:
    """An extractor that cannot read this markup (as the old one could not read accordions)."""
    raise ContentError("no categories", "no category blocks on the page")


def test_switching_readings_alone_tells_nobody(checks, monkeypatch):
    """Same page, the extractor loses and regains its reading (a deploy): only admins hear."""
    before = BEFORE.read_text("utf-8")
    assert checks.check(before, "2026-01-01T10:00:00Z") == []
    real = EXTRACTORS["ee-categories"]
    monkeypatch.setitem(EXTRACTORS, "ee-categories", blind_extractor)
    assert checks.check(respaced(before), "2026-01-02T10:00:00Z") == [
        ("extractor_degraded", "admins")
    ]
    edited = before.replace(RULE_OLD, RULE_NEW)
    assert checks.check(edited, "2026-01-03T10:00:00Z") == [("rule_change", "subscribers")]
    monkeypatch.setitem(EXTRACTORS, "ee-categories", real)
    # The very same bytes as the last check: a degraded watch is re-read all the same.
    assert checks.check(edited, "2026-01-04T10:00:00Z") == [("extractor_recovered", "admins")]
    assert checks.check(respaced(edited, 2), "2026-01-06T10:00:00Z") == []
    assert checks.subscriber_kinds() == ["rule_change"]


def test_a_maintenance_page_is_still_a_fault_not_a_fallback(checks):
    assert checks.check(BEFORE.read_text("utf-8"), "2026-01-01T10:00:00Z") == []
    maintenance = MAINTENANCE.read_text("utf-8")
    assert checks.check(maintenance, "2026-01-02T10:00:00Z") == []
    assert checks.last.outcome == "error"
    assert checks.check(maintenance, "2026-01-02T11:00:00Z") == []
    assert checks.check(maintenance, "2026-01-02T12:00:00Z") == [("watch_failing", "admins")]
    assert checks.subscriber_kinds() == []


def test_a_baseline_without_categories_is_read_as_a_page(checks):
    blind = without_categories(BEFORE.read_text("utf-8"))
    assert checks.check(blind, "2026-01-01T10:00:00Z") == [("extractor_degraded", "admins")]
    assert checks.last.outcome == "baseline"
    edited = checks.check(blind.replace(RULE_OLD, RULE_NEW), "2026-01-02T10:00:00Z")
    assert edited == [("rule_change", "subscribers")]


def test_fewer_than_half_the_categories_falls_back(checks):
    before = BEFORE.read_text("utf-8")
    soup = BeautifulSoup(before, "lxml")
    for section in soup.select("main section[id]")[2:]:
        section.decompose()
    assert checks.check(before, "2026-01-01T10:00:00Z") == []
    found = checks.check(str(soup), "2026-01-02T10:00:00Z")
    assert ("extractor_degraded", "admins") in found
    (alert,) = [row for row in checks.last.changes if row["kind"] == "extractor_degraded"]
    assert alert["data"]["missing"] == "2 category records found, the last good reading had 6"
    assert not {kind for kind, _ in found} & {"category_removed", "occupations_changed"}

"""A maintainer reviews a change in headless Chromium: sign in → list → change → side-by-side diff
→ review → sign out.

Uses Debian's Chromium through Playwright (no browser download). Set REVIEW_SCREENSHOT to a
file path to keep a screenshot of the reviewed change page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from review import create_app, start_review, stop_review
from storage import changes
from storage.db import open_db
from tests.review_support import ANA_ENV, ANA_SECRET, build_history, copy_db, review_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing (Debian: apt-get install chromium); .ci/run installs it",
)


async def test_a_maintainer_reviews_a_change_in_the_browser(tmp_path, monkeypatch):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)
    db_path = copy_db(build_history(tmp_path / "history"), tmp_path)
    db = open_db(db_path)
    runner = await start_review(create_app(db, review=review_settings()), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(5000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

            await page.goto(f"{base}/")
            await expect(page).to_have_url(f"{base}/login?next=%2F")
            await page.get_by_label("Name").select_option("ana")
            await page.get_by_label("Secret").fill("not the secret")
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("alert")).to_have_text("Wrong name or secret.")
            assert [e for e in errors if "401 (Unauthorized)" not in e] == []
            errors.clear()  # the refused sign-in's 401 is the only error the console may show
            await page.get_by_label("Secret").fill(ANA_SECRET)
            await page.get_by_role("button", name="Sign in").click()

            await expect(page).to_have_url(f"{base}/")
            await expect(page.get_by_role("banner")).to_contain_text("Signed in as ana")
            await expect(page.get_by_role("heading", name="Changes")).to_be_visible()
            rows = page.locator("table.changes tbody tr")
            await expect(rows).to_have_count(6)
            oldest = rows.last
            await expect(oldest.get_by_text("Not reviewed")).to_be_visible()
            await oldest.get_by_role("link").last.click()

            await expect(page).to_have_url(f"{base}/changes/1")
            diff = page.locator("table.diff")
            await expect(diff).to_be_visible()
            await expect(diff.locator("td.del")).to_contain_text("6.1 For interpretation")
            await expect(diff.locator("td.ins ins")).to_have_text(" questions about the")
            await expect(page.get_by_role("status")).to_have_text("Not reviewed yet.")

            await expect(page.get_by_text("Reviewing as ana.")).to_be_visible()
            await page.get_by_label("Note").fill("Wording only, no rule change.")
            await page.get_by_role("button", name="Mark reviewed").click()

            await expect(page).to_have_url(f"{base}/changes/1?reviewed=1#reviewed")
            confirmation = page.get_by_role("alert")
            await expect(confirmation).to_have_text(
                "✓ Marked reviewed. Change #1 is reviewed by ana."
            )
            await expect(confirmation).to_be_in_viewport()
            status = page.get_by_role("status")
            await expect(status).to_contain_text(re.compile(r"Reviewed by ana on \d{4}-"))
            await expect(status).to_contain_text("Wording only, no rule change.")
            if os.environ.get("REVIEW_SCREENSHOT"):
                await page.screenshot(path=os.environ["REVIEW_SCREENSHOT"], full_page=True)

            await page.get_by_role("link", name="All changes").first.click()
            await expect(rows.last.get_by_text("Reviewed", exact=True)).to_be_visible()

            await page.get_by_role("button", name="Sign out").click()
            await expect(page).to_have_url(f"{base}/login?signed_out=1")
            await expect(page.get_by_role("alert")).to_have_text("You are signed out.")
            await page.goto(f"{base}/changes/1")
            await expect(page).to_have_url(f"{base}/login?next=%2Fchanges%2F1")
            assert errors == []
            await browser.close()
    finally:
        await stop_review(runner)

    row = changes.get(db, 1)
    assert row["reviewed_by"] == "ana" and row["review_note"] == "Wording only, no rule change."
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["reviewed_at"])

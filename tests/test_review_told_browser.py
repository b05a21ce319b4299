"""The review page shows what people were told, in headless Chromium: how many subscribers,
channels and maintainers each change went to (sent, queued, held), each diff hunk under its
section's heading, the official page (the rounds page for a draw, not its JSON feed), and a
confirmation in view after "Mark reviewed".

Set REVIEW_SCREENSHOT to a PNG path to keep the change view (docs/review-change.png is one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from review import create_app, start_review, stop_review
from storage import changes, subscribers
from tests.notifier_support import (
    feed_bytes,
    fetch,
    make_config,
    open_database,
    pipeline,
    real_feed,
    without_newest,
)
from tests.review_support import ANA_ENV, ANA_SECRET, review_settings
from tests.test_review_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_told import EN_EDIT, EN_URL, IEC_EN, edited

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing")
ROUNDS = "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"


async def test_the_change_view_says_who_was_told_where_and_confirms_the_review(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(ANA_ENV, ANA_SECRET)
    feed_url = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
    watches = [
        {"name": "iec", "url": EN_URL, "topic": "iec"},
        {"name": "ee-rounds", "url": feed_url, "kind": "ee-rounds", "topic": "express-entry"},
    ]
    extra = '\n[[channel]]\nchat_id = "@ircc_iec"\ntopics = ["iec"]\n'
    config = make_config(tmp_path, maintainers=(-1,), watch_list=watches, extra=extra)
    db = open_database(config)
    for chat, lang in ((11, "en"), (12, "fr"), (13, "en")):
        subscribers.ensure(db, chat, lang)
        subscribers.subscribe(db, chat, "iec")
    subscribers.subscribe(db, 13, "express-entry")
    pipe = pipeline(db, config)
    pipe.handle(fetch(config, "iec", IEC_EN.read_bytes()))
    [change] = pipe.handle(fetch(config, "iec", edited(IEC_EN, EN_EDIT))).changes
    feed = real_feed()
    pipe.handle(fetch(config, "ee-rounds", feed_bytes(without_newest(feed))))
    [draw] = pipe.handle(fetch(config, "ee-rounds", feed_bytes(feed))).changes

    runner = await start_review(create_app(db, review=review_settings()), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(5000)
            await page.goto(f"{base}/login")
            await page.get_by_label("Name").select_option("ana")
            await page.get_by_label("Secret").fill(ANA_SECRET)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page).to_have_url(f"{base}/")

            await page.goto(f"{base}/changes/{draw['id']}")
            official = page.locator("dl.meta dd a").last
            await expect(official).to_have_attribute("href", ROUNDS + (
                "express-entry/submit-profile/rounds-invitations.html"
            ))  # fmt: skip

            await page.goto(f"{base}/changes/{change['id']}")
            told = page.locator("table.told")
            await expect(told.locator("tr", has_text="Subscribers")).to_have_text(
                "Subscribers0300"  # sent, queued, held, failed
            )
            await expect(told.locator("tr", has_text="Channels")).to_have_text("Channels0100")
            await expect(told.locator("tr", has_text="Maintainers")).to_have_text("Maintainers0100")
            hunks = page.locator("table.diff tr.hunk")
            await expect(hunks.first).to_have_text(
                "Categories › International Co-op <Internship> & stage"
            )
            await expect(page.locator("dl.meta dd a").last).to_have_attribute("href", EN_URL)

            await page.get_by_label("Note").fill("Told as an edit, with the words marked.")
            await page.get_by_role("button", name="Mark reviewed").click()
            confirmation = page.get_by_role("alert")
            await expect(confirmation).to_have_text(
                f"✓ Marked reviewed. Change #{change['id']} is reviewed by ana."
            )
            await expect(confirmation).to_be_in_viewport()
            if os.environ.get("REVIEW_SCREENSHOT"):
                await page.screenshot(path=os.environ["REVIEW_SCREENSHOT"], full_page=True)
            await browser.close()
    finally:
        await stop_review(runner)
    assert changes.get(db, change["id"])["reviewed_by"] == "ana"

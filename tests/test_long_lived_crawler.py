"""`run`'s one long-lived crawler: the spider stays open across rounds, robots.txt is read once
per its expiry, a watch removed by a reload is not fetched, SIGTERM still stops cleanly."""

from __future__ import annotations

import signal

from crawlers.runner import WatchCrawler
from crawlers.spiders.watches import Target
from tests.conftest import write_config
from tests.test_service import fetch_outcomes, start, stop, wait_until

FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 5, "RETRY_ENABLED": False}
PAGE = b"<html><body><main><h1>Title</h1><p>Text.</p></main></body></html>"


async def rounds(crawler: WatchCrawler, targets: list[Target], times: int) -> list:
    got: list = []
    await crawler.start()
    try:
        for _ in range(times):
            await crawler.crawl(targets, got.append)
    finally:
        await crawler.close()
    return got


async def test_one_crawler_serves_many_rounds_and_reads_robots_txt_once(site):
    site.set("/a", PAGE)
    site.set("/b", PAGE)
    targets = [Target("a", site.url("/a")), Target("b", site.url("/b"))]
    got = await rounds(WatchCrawler("ircc-watch-test/1", ["127.0.0.1"], FAST), targets, 3)
    assert [fetch.watch for fetch in got].count("a") == 3
    assert all(fetch.status == 200 for fetch in got)
    assert len(site.hits("/robots.txt")) == 1
    assert len(site.hits("/a")) == 3


async def test_robots_txt_is_read_again_once_it_has_expired(site):
    site.set("/a", PAGE)
    overrides = {**FAST, "ROBOTSTXT_MAX_AGE": 0}
    await rounds(
        WatchCrawler("ircc-watch-test/1", ["127.0.0.1"], overrides),
        [Target("a", site.url("/a"))],
        3,
    )
    assert len(site.hits("/robots.txt")) == 3


async def test_requests_waiting_for_robots_txt_all_obey_it(site):
    """Scrapy's waiters share one Deferred whose result only the first receives; the rest
    were fetched as if the host had no robots.txt."""
    site.robots = "User-agent: *\nDisallow: /private\n"
    targets = [Target(f"p{i}", site.url(f"/private/{i}")) for i in range(6)]
    got = await rounds(WatchCrawler("ircc-watch-test/1", ["127.0.0.1"], FAST), targets, 1)
    assert sorted(fetch.error for fetch in got) == ["robots"] * 6
    assert [r["path"] for r in site.requests] == ["/robots.txt"]


async def test_a_dropped_redirect_still_ends_the_round_with_an_error(site):
    site.set("/away", status=302, location="http://elsewhere.example/")
    site.set("/a", PAGE)
    targets = [Target("away", site.url("/away")), Target("a", site.url("/a"))]
    got = await rounds(WatchCrawler("ircc-watch-test/1", ["127.0.0.1"], FAST), targets, 2)
    assert [fetch.error for fetch in got if fetch.watch == "away"] == ["offsite", "offsite"]
    assert [fetch.status for fetch in got if fetch.watch == "a"] == [200, 200]


def pages_config(tmp_path, site, names):
    return write_config(
        tmp_path,
        [{"name": name, "url": site.url(f"/{name}.html"), "interval": "1s"} for name in names],
    )


def test_run_reads_robots_txt_once_over_many_rounds(tmp_path, site):
    for name in ("one", "two"):
        site.set(f"/{name}.html", PAGE, etag=False)
    config = pages_config(tmp_path, site, ["one", "two"])
    log = tmp_path / "run.log"
    process = start(config, log)
    try:
        assert wait_until(lambda: len(site.hits("/one.html")) >= 5, timeout=60)
    finally:
        code = stop(process)
    assert code == 0
    # The old service built a crawler per round and read robots.txt again every time.
    assert len(site.hits("/robots.txt")) == 1
    assert "Traceback" not in log.read_text()


def test_a_watch_removed_by_reload_is_not_fetched_again(tmp_path, site):
    for name in ("kept", "gone"):
        site.set(f"/{name}.html", PAGE, etag=False)
    config = pages_config(tmp_path, site, ["kept", "gone"])
    log = tmp_path / "run.log"
    process = start(config, log)
    try:
        assert wait_until(lambda: "unchanged" in fetch_outcomes(tmp_path / "test.db"), 60)
        pages_config(tmp_path, site, ["kept"])
        process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "config reloaded: 1 watches" in log.read_text())
        # At most the fetch already in flight when the reload landed.
        gone_at_reload = len(site.hits("/gone.html")) + 1
        kept_at_reload = len(site.hits("/kept.html"))
        assert wait_until(lambda: len(site.hits("/kept.html")) >= kept_at_reload + 3, 60)
    finally:
        code = stop(process, signal.SIGTERM)
    assert code == 0
    assert len(site.hits("/gone.html")) <= gone_at_reload
    text = log.read_text()
    assert "Traceback" not in text and "stopped" in text

"""The Scrapy side alone: what a Fetch says for each way a fetch can go, on 127.0.0.1."""

from __future__ import annotations

import pytest

from crawlers.runner import crawl
from crawlers.spiders.watches import Target
from ircc_watch.pipeline import describe_error

FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 1, "RETRY_ENABLED": False}


async def fetch_all(targets, allowed=("127.0.0.1",), **overrides):
    got = []
    await crawl(
        targets,
        got.append,
        user_agent="ircc-watch-test/1 (+https://example.org)",
        allowed_domains=allowed,
        overrides={**FAST, **overrides},
    )
    return {fetch.watch: fetch for fetch in got}


async def test_conditional_get_sends_the_stored_validators(site):
    site.set("/a", b"<main>hello</main>")
    first = (await fetch_all([Target("a", site.url("/a"))]))["a"]
    assert first.status == 200 and first.headers["etag"]
    second = (
        await fetch_all(
            [
                Target(
                    "a",
                    site.url("/a"),
                    etag=first.headers["etag"],
                    last_modified="Sat, 21 Nov 2026 10:00:00 GMT",
                )
            ]
        )
    )["a"]
    assert second.status == 304 and second.body == b""
    headers = site.hits("/a")[-1]["headers"]
    assert headers["If-None-Match"] == first.headers["etag"]
    assert headers["If-Modified-Since"] == "Sat, 21 Nov 2026 10:00:00 GMT"
    assert headers["User-Agent"] == "ircc-watch-test/1 (+https://example.org)"


async def test_every_failure_has_its_own_cause(site):
    site.robots = "User-agent: *\nDisallow: /private\n"
    site.set("/slow", b"<main>late</main>", delay=2.5)
    site.set("/gone", b"<h1>Gone</h1>", status=503, headers={"Retry-After": "120"})
    fetches = await fetch_all(
        [
            Target("robots", site.url("/private/page")),
            Target("timeout", site.url("/slow")),
            Target("refused", "http://127.0.0.1:9/"),
            Target("dns", "http://no-such-host.invalid/"),
            Target("status", site.url("/gone")),
        ],
        allowed=("127.0.0.1", "no-such-host.invalid"),
    )
    assert {name: fetch.error for name, fetch in fetches.items()} == {
        "robots": "robots",
        "timeout": "timeout",
        "refused": "connection",
        "dns": "dns",
        "status": None,
    }
    assert describe_error(fetches["robots"]).startswith("disallowed by robots.txt")
    assert describe_error(fetches["timeout"]) == "timeout"
    assert describe_error(fetches["dns"]).startswith("DNS lookup failed")
    assert fetches["status"].status == 503
    assert fetches["status"].headers["retry-after"] == "120"
    assert site.hits("/private/page") == []


async def test_redirects_are_recorded_and_offsite_ones_refused(site):
    site.set("/old", status=301, location=site.url("/new"))
    site.set("/new", b"<main>moved</main>")
    site.set("/away", status=302, location="http://elsewhere.example/")
    fetches = await fetch_all(
        [Target("moved", site.url("/old")), Target("away", site.url("/away"))]
    )
    moved = fetches["moved"]
    assert (moved.status, moved.url, moved.final_url) == (200, site.url("/old"), site.url("/new"))
    assert moved.redirects == [(301, site.url("/old"))]
    assert fetches["away"].error == "offsite"


@pytest.fixture
def site():
    from tests.fakes.site import LocalSite

    with LocalSite() as local:
        yield local


def _open_fds() -> int:
    import os

    return len(os.listdir("/proc/self/fd"))


async def test_repeated_crawls_reuse_one_reactor_and_leak_no_descriptors(site):
    site.set("/a", b"<main>hello</main>")
    await fetch_all([Target("a", site.url("/a"))])
    from twisted.internet import reactor as before

    opened = _open_fds()
    for _ in range(10):
        await fetch_all([Target("a", site.url("/a"))])
    from twisted.internet import reactor as after

    assert after is before
    assert _open_fds() - opened < 4  # the old code leaked 2 per crawl: 20 here

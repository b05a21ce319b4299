"""`follow = "latest"`: a watch whose page moves every year (ontario.ca's
"2026-ontario-immigrant-nominee-program-updates") follows the newest page its index links to.

End to end: `ircc-watch check` crawls a local site with the real Scrapy engine. Before, the
watch stayed on the 2026 page: from January 1 it went quiet while the 2027 page filled up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diffing.messages import describe
from settings import ConfigError, load_config
from storage.db import open_db
from tests.conftest import run_cli, write_config
from tests.unfamiliar_support import provincial

PAGE_2026 = "/page/2026-ontario-immigrant-nominee-program-updates"
PAGE_2027 = "/page/2027-ontario-immigrant-nominee-program-updates"
INDEX = "/page/ontario-immigrant-nominee-program-oinp-updates"


def draws(*entries: tuple[str, str, int, int]) -> str:
    return "".join(
        f"<h3>{day}</h3><h4>{stream}</h4><p>We issued {n} invitations to candidates with a "
        f"score of {score} and above.</p>"
        for day, stream, n, score in entries
    )


def index(*pages: str) -> str:
    links = "".join(f'<li><a href="{page}">{page[6:10]} OINP updates</a></li>' for page in pages)
    return provincial(f"<p>Updates by year:</p><ul>{links}</ul>", "OINP updates")


def check(config: Path) -> list[dict]:
    result = run_cli("--config", str(config), "check", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_new_years_page_is_followed_once_and_its_entries_told(tmp_path, site):
    site.set(PAGE_2026, provincial(draws(("November 20, 2026", "Masters Graduate", 812, 51)), "x"))
    site.set(INDEX, index(PAGE_2026))
    watch = {
        "name": "oinp-updates",
        "url": site.url(PAGE_2026),
        "kind": "pnp-updates",
        "topic": "pnp-on",
        "follow": "latest",
        "index": site.url(INDEX),
    }
    config = write_config(tmp_path, [watch])
    assert check(config) == []  # the baseline, on the 2026 page

    entries_2027 = (
        ("January 14, 2027", "Foreign Worker", 1104, 48),
        ("January 14, 2027", "International Student", 602, 60),
    )
    site.set(PAGE_2027, provincial(draws(*entries_2027), "2027 OINP updates"))
    site.set(INDEX, index(PAGE_2027, PAGE_2026))
    told = sorted(check(config), key=lambda c: c["audience"])
    assert [(c["kind"], c["audience"]) for c in told] == [
        ("watch_moved", "admins"),
        ("pnp_update", "subscribers"),
        ("pnp_update", "subscribers"),
    ]
    assert told[0]["title"] == "Now following: oinp-updates"
    assert told[0]["data"] == {
        "watch": "oinp-updates",
        "from": site.url(PAGE_2026),
        "to": site.url(PAGE_2027),
        "followed": True,
    }
    assert [c["summary"] for c in told[1:]] == [
        "January 14, 2027: 1,104 invitations, lowest score 48.",
        "January 14, 2027: 602 invitations, lowest score 60.",
    ]
    assert {c["data"]["url"] for c in told[1:]} == {site.url(PAGE_2027)}
    assert site.hits(PAGE_2027) and len(site.hits(PAGE_2026)) == 1  # 2026 not fetched again

    # The next checks stay on 2027: no second admin message, nothing of 2026 told as removed,
    # not even once the 24 hours of a removal's grace have passed.
    assert check(config) == []
    db = open_db(tmp_path / "test.db")
    gone = db.execute("SELECT count(*) FROM records WHERE absent_since IS NOT NULL").fetchone()
    assert gone == (1,)  # the 2026 entry, absent since the move
    db.execute("UPDATE records SET absent_since = '2026-12-01T00:00:00Z' WHERE absent_since > ''")
    db.conn.commit()
    site.set(PAGE_2027, provincial(draws(*entries_2027), "2027 OINP updates") + " ")
    assert check(config) == []
    assert db["watches"].get("oinp-updates")["followed_url"] == site.url(PAGE_2027)


def test_an_index_that_cannot_be_read_leaves_the_watch_on_its_page(tmp_path, site):
    site.set(PAGE_2026, provincial(draws(("November 20, 2026", "Masters Graduate", 812, 51)), "x"))
    site.set(INDEX, "gone", status=404)
    watch = {
        "name": "oinp-updates",
        "url": site.url(PAGE_2026),
        "kind": "pnp-updates",
        "follow": "latest",
        "index": site.url(INDEX),
    }
    config = write_config(tmp_path, [watch])
    assert check(config) == []
    site.set(
        PAGE_2026,
        provincial(
            draws(
                ("December 3, 2026", "Foreign Worker", 300, 55),
                ("November 20, 2026", "Masters Graduate", 812, 51),
            ),
            "x",
        ),
    )
    assert [c["kind"] for c in check(config)] == ["pnp_update"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"follow": "newest", "index": "https://www.ontario.ca/page/i"},
            '"newest" is not a way to follow',
        ),
        ({"follow": "latest"}, 'follow = "latest" needs the "index" page'),
        ({"index": "https://www.ontario.ca/page/i"}, 'applies to a watch with follow = "latest"'),
        (
            {"follow": "latest", "index": "https://example.com/i"},
            'index: host "example.com" is not in settings.allowed_domains',
        ),
        (
            {"follow": "latest", "index": "https://www.ontario.ca/i", "pattern": "(["},
            "is not a valid regular expression",
        ),
        (
            {
                "follow": "latest",
                "index": "https://www.ontario.ca/i",
                "url": "https://www.ontario.ca/page/x",
            },
            "the url has no year",
        ),
    ],
)
def test_follow_settings_are_checked(tmp_path, fields, message):
    watch = {
        "name": "w",
        "url": "https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates",
        "kind": "pnp-updates",
        **fields,
    }
    path = write_config(tmp_path, [watch], {"allowed_domains": ["ontario.ca"]})
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value)


def test_the_admin_message_in_both_languages():
    data = {"watch": "oinp-updates", "from": "…/2026-x", "to": "…/2027-x", "followed": True}
    assert describe("watch_moved", data, "en") == (
        "Now following: oinp-updates",
        "The watch follows the newest page now, …/2027-x (was …/2026-x). "
        "Nothing to change in config.toml.",
    )
    assert describe("watch_moved", data, "fr") == (
        "Page suivie\u00a0: oinp-updates",
        "La veille suit maintenant la page la plus récente, …/2027-x (avant\u00a0: …/2026-x). "
        "Rien à changer dans config.toml.",
    )

"""`ircc-watch check` end to end: the real Scrapy engine crawling real files on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from storage.db import open_db
from tests.conftest import REAL, run_cli, unpack, write_config

NOISE = REAL / "canada_ca_html" / "gcweb_noise_only" / "date-time-format"


@pytest.fixture
def feed_versions(tmp_path):
    return unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path / "s1")


def check(config, *names, json_lines=False, code=0):
    args = ["--config", str(config), "check", *names] + (["--json"] if json_lines else [])
    result = run_cli(*args)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_baseline_then_304_then_the_swapped_file_gives_the_new_draw(tmp_path, site, feed_versions):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = write_config(
        tmp_path,
        [
            {
                "name": "ee-rounds",
                "url": site.url("/ee.json"),
                "kind": "ee-rounds",
                "topic": "express-entry",
            }
        ],
    )

    first = check(config)
    assert "ee-rounds" in first and "baseline" in first and "200" in first

    second = check(config)
    assert "not_modified" in second and "304" in second
    assert site.hits("/ee.json")[-1]["headers"].get("If-None-Match")

    site.set("/ee.json", feed_versions[2].read_bytes(), content_type="application/json")
    third = check(config, json_lines=True)
    changes = [json.loads(line) for line in third.splitlines()]
    # Draw #340 came with the pool distribution of March 16, 2025 (tests/test_pool.py).
    assert [(c["kind"], c["data"]["number"]) for c in changes] == [
        ("new_draw", "340"),
        ("pool_changed", "340"),
    ]
    assert changes[0]["data"]["crs"] == 736

    db = open_db(tmp_path / "test.db")
    outcomes = [row["outcome"] for row in db.query("SELECT outcome FROM fetches ORDER BY id")]
    assert outcomes == ["baseline", "not_modified", "changed"]
    assert db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 2


def test_noise_only_refetch_is_unchanged_and_a_real_edit_is_a_page_change(tmp_path, site):
    versions = sorted(NOISE.glob("*.html"))
    site.set("/page.html", versions[0].read_bytes(), etag=False)
    config = write_config(tmp_path, [{"name": "dtf", "url": site.url("/page.html")}])
    assert "baseline" in check(config)

    site.set("/page.html", versions[1].read_bytes(), etag=False)
    assert "unchanged" in check(config)

    edited = (
        versions[1]
        .read_text(encoding="utf-8")
        .replace("takes effect on September&nbsp;27, 2024.", "takes effect on April&nbsp;1, 2025.")
    )
    site.set("/page.html", edited, etag=False)
    out = check(config)
    assert "changed" in out and "[rule_change]" in out
    assert "April 1, 2025" in out and "September 27, 2024" in out

    listing = run_cli("--config", str(config), "changes", "--json")
    (change,) = [json.loads(line) for line in listing.stdout.splitlines()]
    shown = run_cli("--config", str(config), "show", str(change["id"]))
    assert "-- 2.1 This data reference standard takes effect on September 27, 2024." in shown.stdout
    assert "\033[" not in shown.stdout


def test_failing_pages_never_alert_and_never_delete_history(tmp_path, site, feed_versions):
    site.set("/ee.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = write_config(
        tmp_path, [{"name": "ee-rounds", "url": site.url("/ee.json"), "kind": "ee-rounds"}]
    )
    check(config)
    faults = [
        (b"<html><body><h1>Service Unavailable</h1></body></html>", {"status": 503}),
        (
            b"<html><head><title>Maintenance</title></head><body>The site is currently under "
            b"maintenance.</body></html>",
            {"content_type": "text/html"},
        ),
        (b"", {}),
        (feed_versions[2].read_bytes()[:5000], {"content_type": "application/json"}),
    ]
    for body, options in faults:
        site.set("/ee.json", body, **options)
        out = check(config, json_lines=True, code=1)
        alerts = [json.loads(line) for line in out.splitlines()]
        assert all(alert["audience"] == "admins" for alert in alerts)
        assert [a["kind"] for a in alerts] == (["watch_failing"] if body == b"" else [])
    db = open_db(tmp_path / "test.db")
    rows = list(db.query("SELECT outcome, status, error FROM fetches ORDER BY id"))
    assert [r["outcome"] for r in rows] == ["baseline", "error", "error", "error", "error"]
    assert rows[1]["error"] == "HTTP 503"
    assert rows[2]["error"].startswith("not the rounds feed: invalid JSON")
    assert rows[3]["error"] == "empty body"
    assert db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM changes WHERE audience != 'admins'").fetchone()[0] == 0
    (failing,) = list(db.query("SELECT * FROM changes WHERE kind = 'watch_failing'"))
    assert json.loads(failing["data"])["failures"] == 3

    site.set("/ee.json", feed_versions[2].read_bytes(), content_type="application/json")
    out = check(config, json_lines=True)
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["new_draw", "pool_changed", "watch_recovered"]
    recovered = db.execute("SELECT COUNT(*) FROM changes WHERE kind = 'watch_recovered'")
    assert recovered.fetchone()[0] == 1


def test_a_permanent_redirect_is_followed_and_reported_to_admins_once(
    tmp_path, site, feed_versions
):
    site.set("/old.json", status=301, location=site.url("/new.json"))
    site.set("/new.json", feed_versions[0].read_bytes(), content_type="application/json")
    config = write_config(
        tmp_path, [{"name": "ee-rounds", "url": site.url("/old.json"), "kind": "ee-rounds"}]
    )
    first = [json.loads(line) for line in check(config, json_lines=True).splitlines()]
    assert [(c["kind"], c["audience"]) for c in first] == [("watch_moved", "admins")]
    assert first[0]["title"] == "Watch moved: ee-rounds"
    assert first[0]["data"] == {
        "watch": "ee-rounds",
        "from": site.url("/old.json"),
        "to": site.url("/new.json"),
    }
    assert check(config, json_lines=True) == ""
    db = open_db(tmp_path / "test.db")
    assert db["watches"].get("ee-rounds")["final_url"] == site.url("/new.json")

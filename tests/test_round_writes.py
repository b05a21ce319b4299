"""The bookkeeping of a crawl round's quiet checks is one transaction of prepared statements;
a check that raises an alert is still written at once, with its watch's bookkeeping."""

from __future__ import annotations

from ircc_watch.checking import check
from ircc_watch.pipeline import Pipeline
from settings import load_config
from storage import watches
from storage.db import open_db
from tests.conftest import REAL, write_config

PAGES = sorted((REAL / "canada_ca_html" / "gcweb_noise_only" / "person-gender").glob("*.html"))
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 5}


def setup(tmp_path, site, count=5):
    for i in range(count):
        site.set(f"/p{i}.html", PAGES[0].read_bytes(), etag=False)
    path = write_config(
        tmp_path,
        [{"name": f"p{i}", "url": site.url(f"/p{i}.html")} for i in range(count)],
        settings={"failure_threshold": 1},
    )
    config = load_config(path)
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    return config, db, Pipeline(db, config)


def traced(db) -> list[str]:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    return statements


def writing_transactions(statements: list[str]) -> list[list[str]]:
    """The transactions (BEGIN … COMMIT) in which something was written."""
    found, current = [], None
    for statement in statements:
        word = statement.strip().split(" ")[0].upper()
        if word == "BEGIN":
            current = []
        elif word == "COMMIT" and current is not None:
            if current:
                found.append(current)
            current = None
        elif word in ("INSERT", "UPDATE", "DELETE") and current is not None:
            current.append(statement)
    return found


async def test_a_round_of_quiet_checks_is_one_transaction_without_introspection(tmp_path, site):
    config, db, pipeline = setup(tmp_path, site)
    await check(db, config, pipeline, config.watches, crawl_overrides=FAST)  # baselines
    for i in range(5):  # canada.ca's bytes differ on every fetch; the content does not
        site.set(f"/p{i}.html", PAGES[1].read_bytes(), etag=False)
    statements = traced(db)
    outcomes = await check(db, config, pipeline, config.watches, crawl_overrides=FAST)
    db.conn.set_trace_callback(None)
    assert [o.outcome for o in outcomes] == ["unchanged"] * 5
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 10  # one fetch row and one watch row per check
    # One transaction holds the round's writes (the old code wrote one per fetch).
    assert len(writing_transactions(statements)) == 1
    assert not [s for s in statements if "sqlite_master" in s or "table_info" in s]
    rows = list(db.query("SELECT watch, outcome FROM fetches ORDER BY id"))
    assert [r["outcome"] for r in rows] == ["baseline"] * 5 + ["unchanged"] * 5
    assert all(row["last_body_hash"] for row in watches.all_rows(db))


async def test_a_recovery_alert_is_written_with_its_watch_row_at_once(tmp_path, site):
    config, db, pipeline = setup(tmp_path, site, count=2)
    await check(db, config, pipeline, config.watches, crawl_overrides=FAST)
    site.set("/p0.html", b"<html><body>down</body></html>", status=500)
    await check(db, config, pipeline, config.watches[:1], crawl_overrides=FAST)
    assert watches.get(db, "p0")["failing_alerted"] == 1
    site.set("/p0.html", PAGES[1].read_bytes(), etag=False)
    seen: list[tuple[str, int]] = []

    def look(fetch, prepared):
        outcome = pipeline.handle(fetch, prepared=prepared)
        # Read back in the middle of the round: the alert and the row that goes with it.
        seen.append((fetch.watch, watches.get(db, fetch.watch)["failing_alerted"]))
        return outcome

    outcomes = await check(db, config, pipeline, config.watches, FAST, sink=look)
    kinds = {o.watch: [c["kind"] for c in o.changes] for o in outcomes}
    assert kinds == {"p0": ["watch_recovered"], "p1": []}
    assert ("p0", 0) in seen
    assert watches.get(db, "p0")["consecutive_failures"] == 0

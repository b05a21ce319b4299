"""Each step of the pipeline alone (issue 15): a 200 body is handed from step to step, and each
step either ends the check with an Outcome or hands it on, on a real SQLite file."""

from __future__ import annotations

import pytest

from crawlers.items import Fetch
from ircc_watch.pipeline import Pipeline
from settings import load_config
from storage import watches
from storage.db import open_db
from tests.conftest import write_config

URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/iec.html"
PAGE = """<!DOCTYPE html><html lang="en"><head><title>IEC</title>
<script>ak.rid="{rid}"</script></head><body><header>Menu</header>
<main property="mainContentOfPage"><h1>International Experience Canada</h1>
<h2>Eligibility</h2><p>You must be between 18 and 35 years old.</p>
<h2>Pools</h2><p>{pools}</p></main><footer>Date modified: 2026-01-01</footer></body></html>"""


def page(rid: str = "1", pools: str = "The pools are open.", footer: str = "") -> bytes:
    html = PAGE.format(rid=rid, pools=pools).replace("</footer>", f"{footer}</footer>")
    return html.encode()


@pytest.fixture
def pipeline(tmp_path) -> Pipeline:
    path = write_config(tmp_path, [{"name": "iec", "url": URL, "topic": "iec"}])
    config = load_config(path)
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    outcome = pipeline.handle(fetch(page()), now="2026-01-01T10:00:00Z")
    assert outcome.outcome == "baseline"
    return pipeline


def fetch(body: bytes) -> Fetch:
    return Fetch(watch="iec", url=URL, final_url=URL, status=200, body=body)


def begin(pipeline: Pipeline, body: bytes, now: str = "2026-01-02T10:00:00Z"):
    return pipeline._begin(pipeline.config.watch("iec"), fetch(body), now)


def test_same_bytes_ends_an_identical_body(pipeline):
    assert pipeline.same_bytes(begin(pipeline, page())).outcome == "unchanged"
    assert pipeline.same_bytes(begin(pipeline, page(rid="2"))) is None


def test_same_region_ends_a_body_whose_content_region_is_the_same(pipeline):
    # The Akamai script and the footer differ on every fetch; <main> does not.
    check = begin(pipeline, page(rid="2", footer=" (copy 2)"))
    assert pipeline.same_region(check).outcome == "unchanged"
    check = begin(pipeline, page(pools="The pools are closed."))
    assert pipeline.same_region(check) is None
    assert check.region is not None


def test_read_extracts_or_refuses(pipeline):
    check = begin(pipeline, page(pools="The pools are closed."))
    pipeline.same_region(check)
    assert pipeline.read(check) is None
    assert "The pools are closed." in check.document.text
    error = begin(pipeline, b"<html><body><h1>Request Rejected</h1></body></html>")
    pipeline.same_region(error)
    assert pipeline.read(error).outcome == "error"


def test_same_content_and_compare(pipeline):
    check = begin(pipeline, page(pools="The pools are closed."))
    pipeline.same_region(check)
    pipeline.read(check)
    assert pipeline.same_content(check) is None
    assert pipeline.stale(check) is None
    outcome = pipeline.compare_and_store(check)
    assert outcome.outcome == "changed"
    assert len(outcome.changes) == 1
    assert "The pools are closed." in outcome.changes[0]["summary"]
    again = begin(pipeline, page(pools="The pools are closed.") + b" ")
    pipeline.same_region(again)
    pipeline.read(again)
    assert pipeline.same_content(again).outcome == "unchanged"


def test_stale_ends_an_earlier_version_served_again(pipeline):
    pipeline.handle(fetch(page(pools="The pools are closed.")), now="2026-01-02T10:00:00Z")
    check = begin(pipeline, page(rid="9"), now="2026-01-02T11:00:00Z")
    pipeline.same_region(check)
    pipeline.read(check)
    assert pipeline.same_content(check) is None
    assert pipeline.stale(check).outcome == "stale"

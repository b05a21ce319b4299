"""What ``run`` spends on an unchanged check: the region pre-check settles it on the loop, with
no worker-thread hop, and a baseline reads only its own watch's snapshot for twins."""

from __future__ import annotations

import ircc_watch.pipeline as pipeline_module
from ircc_watch.checking import check
from ircc_watch.twinning import found_twins
from storage import watches
from tests.test_round_writes import FAST, PAGES, setup, traced


async def test_an_unchanged_region_is_settled_without_the_worker_thread(
    tmp_path, site, monkeypatch
):
    config, db, pipeline = setup(tmp_path, site)
    read_ahead: list[str] = []
    real = pipeline_module._read_ahead

    def spied(check_, reference, *rest):
        read_ahead.append(check_.watch.name)
        return real(check_, reference, *rest)

    monkeypatch.setattr(pipeline_module, "_read_ahead", spied)
    first = await check(db, config, pipeline, config.watches, FAST, read_ahead=True)
    assert [o.outcome for o in first] == ["baseline"] * 5
    assert sorted(read_ahead) == [f"p{i}" for i in range(5)]  # a body to read: the thread
    for i in range(5):  # canada.ca's bytes differ on every fetch; the region does not
        site.set(f"/p{i}.html", PAGES[1].read_bytes(), etag=False)
    read_ahead.clear()
    again = await check(db, config, pipeline, config.watches, FAST, read_ahead=True)
    assert [o.outcome for o in again] == ["unchanged"] * 5
    assert read_ahead == []  # the old code sent every body to the thread to hash its region
    # The region hash settled on the loop is kept, as the thread's was, for the next pre-check.
    assert all(row["last_region_hash"] for row in watches.all_rows(db))


async def test_a_baseline_reads_only_its_own_snapshot_for_twins(tmp_path, site):
    config, db, pipeline = setup(tmp_path, site)
    await check(db, config, pipeline, config.watches, FAST)  # five baselines
    statements = traced(db)
    one = found_twins(db, config, ["p3"])
    reads = [s for s in statements if "from snapshots" in s.lower() or "from [snapshots]" in s]
    db.conn.set_trace_callback(None)
    assert list(one) == ["p3"] and one["p3"]["fr"].startswith("https://www.canada.ca/fr/")
    assert len(reads) == 1  # the old service read all five at every baseline
    assert set(found_twins(db, config)) == {f"p{i}" for i in range(5)}  # a reload reads all

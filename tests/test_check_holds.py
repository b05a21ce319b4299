"""`ircc-watch check` over real HTTP: a flood of real draws is held, and says so."""

from __future__ import annotations

from tests.conftest import REAL, run_cli, unpack, write_config

FEED = REAL / "ee_rounds" / "raw_feed_series1" / "2026-08-20T0217Z_d5efaf91.json"


def test_check_prints_held_changes_and_their_alert(tmp_path, site):
    (oldest, *_) = unpack(REAL / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz", tmp_path)
    site.set("/ee.json", oldest.read_bytes(), content_type="application/json")
    watch = {"name": "ee-rounds", "url": site.url("/ee.json"), "kind": "ee-rounds"}
    config = write_config(tmp_path, [watch])
    assert run_cli("--config", str(config), "check").returncode == 0
    site.set("/ee.json", FEED.read_bytes(), content_type="application/json")
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        "  [new_draw] Express Entry draw #340: Provincial Nominee Program  (held, hold 1)" in lines
    )
    # 98 draws and the pool distribution the newest of them carries.
    assert sum(1 for line in lines if line.endswith("(held, hold 1)")) == 99
    assert "  [bulk_held] 99 changes held for review on ee-rounds" in lines

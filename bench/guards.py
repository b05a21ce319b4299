"""What the guards of issue 10 cost (python bench/guards.py): medians against their peer.

1. The schema and shrink guard on the real 438-round feed vs the extract it follows.
2. The count of a watch's present records (the shrink guard's reference) on a real database.
3. A replay whose second check brings 98 real new draws: held (bulk_threshold 5) vs told.
Only checks whose content changed pay for any of this: the pre-check skips the rest.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.extract import extract  # noqa: E402
from diffing.kinds import KINDS, reading_problem  # noqa: E402
from settings import Watch  # noqa: E402
from storage import records, watches  # noqa: E402
from storage.db import open_db  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "real" / "ee_rounds"
FEED = REAL / "raw_feed_series1" / "2026-08-20T0217Z_d5efaf91.json"


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_reading_guard() -> None:
    body = FEED.read_bytes()
    document = extract("ee-rounds", body)
    spec = KINDS["ee-rounds"]
    full = median_ms(lambda: extract("ee-rounds", body), 30)
    guard = median_ms(lambda: reading_problem(spec, document.records, 438), 300)
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.db")
        watches.sync(db, [Watch("ee-rounds", "https://www.canada.ca/x.json", "ee-rounds")])
        with db.atomic():
            records.observe(db, "ee-rounds", document.records, [], "2026-08-20T02:17:00Z")
        present = median_ms(lambda: records.present(db, "ee-rounds", spec.record_prefix), 300)
        db.conn.close()
    print(
        f"ee-rounds feed ({len(body):,} B, 438 rounds): extract {full:.2f} ms, schema+shrink "
        f"guard {guard:.3f} ms, present-records count {present:.3f} ms "
        f"(+{(guard + present) / full * 100:.1f} % on a changed check)"
    )


def bench_bulk_replay() -> None:
    """98 real draws in one check, held vs told (bulk_threshold 5 vs 1000), whole replay."""
    from ircc_watch.cli import main

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        with tarfile.open(REAL / "raw_feed_series1_all_versions.tar.xz") as tar:
            tar.extractall(base / "all", filter="data")
        members = sorted((base / "all").rglob("*.json"))
        replay = base / "replay" / "ee-rounds"
        replay.mkdir(parents=True)
        shutil.copy(members[0], replay / members[0].name)
        shutil.copy(FEED, replay / FEED.name)
        figures: dict[int, float] = {}
        for run, threshold in enumerate((1000, 5, 1000, 5, 1000, 5)):
            config = base / f"config-{run}.toml"
            config.write_text(
                f'[settings]\ndatabase = "db-{run}.db"\nbulk_threshold = {threshold}\n'
                '[[watch]]\nname = "ee-rounds"\nurl = "https://www.canada.ca/x.json"\n'
                'kind = "ee-rounds"\n',
                encoding="utf-8",
            )
            start = time.perf_counter()
            with open(base / "out.jsonl", "w") as out, _redirect(out):
                main(["--config", str(config), "replay", str(base / "replay")])
            elapsed = (time.perf_counter() - start) * 1000
            if run >= 2:  # the first pair warms up imports and caches
                figures[threshold] = min(figures.get(threshold, elapsed), elapsed)
    print(
        f"98 new draws in one check, whole replay of 2 versions (best of 2): held "
        f"{figures[5]:.0f} ms, told {figures[1000]:.0f} ms"
    )


class _redirect:
    """Send stdout and stderr to ``out`` for the replay's JSON Lines and its count line."""

    def __init__(self, out) -> None:
        self.out = out

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.out

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self.saved


if __name__ == "__main__":
    bench_reading_guard()
    bench_bulk_replay()

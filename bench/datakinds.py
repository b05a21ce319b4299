"""The data-file kinds' cost (python bench/datakinds.py): IRCC's processing-times files and the
IEC pools file, read, diffed and classified, and the real 2025 history replayed.

Per version (CPU milliseconds, medians): extract, diff against the previous version's
Document, classify — as the pipeline does when a file's bytes changed. Then the whole real
history (46 + 43 weekly versions) through the real pipeline into a new SQLite file: CPU and
wall time, changes, and the database's size. ``run()`` returns every figure.
"""

from __future__ import annotations

import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffing.classify import WatchInfo, classify  # noqa: E402
from diffing.diff import diff_documents  # noqa: E402
from diffing.extract import extract  # noqa: E402
from ircc_watch.pipeline import Pipeline  # noqa: E402
from ircc_watch.replay import replay_file  # noqa: E402
from settings import load_config  # noqa: E402
from storage import watches  # noqa: E402
from storage.db import open_db  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PTIME = FIXTURES / "real" / "processing_times"
ARCHIVES = {
    "ptime-programs": PTIME / "ptime_non_country_en_2025_all_versions.tar.xz",
    "ptime-countries": PTIME / "ptime_en_2025_all_versions.tar.xz",
}
IEC = FIXTURES / "synthetic" / "iec-pools"
CONFIG = FIXTURES / "datakinds.toml"


def versions(archive: Path, into: Path) -> list[Path]:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return sorted(p for p in into.rglob("*.json"))


def per_version_ms(kind: str, watch: str, paths: list[Path], repeat: int = 5) -> dict[str, float]:
    """Median CPU ms per version of extract, diff and classify, over the whole series."""
    info = WatchInfo(watch, kind)
    bodies = [p.read_bytes() for p in paths]
    steps: dict[str, list[float]] = {"extract": [], "diff": [], "classify": []}
    for _ in range(repeat):
        previous = extract(kind, bodies[0])
        known = dict(previous.records)
        for body in bodies[1:]:
            start = time.process_time()
            document = extract(kind, body)
            extracted = time.process_time()
            diff = diff_documents(
                previous.text, document.text, previous.records, document.records, known
            )
            diffed = time.process_time()
            classify(info, diff)
            done = time.process_time()
            steps["extract"].append((extracted - start) * 1000)
            steps["diff"].append((diffed - extracted) * 1000)
            steps["classify"].append((done - diffed) * 1000)
            known.update(document.records)
            previous = document
    return {step: round(statistics.median(times), 2) for step, times in steps.items()}


def replay_history(folder: dict[str, list[Path]], db_path: Path) -> dict[str, float]:
    """Every version through the real pipeline into a new database."""
    config = load_config(CONFIG, db_path)
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    changes = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for watch, paths in folder.items():
        for path in paths:
            changes += len(replay_file(pipeline, config.watch(watch), path).changes)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db.conn.close()
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    files = sum(len(p) for p in folder.values())
    return {
        "files": files,
        "changes": changes,
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "cpu_ms_per_file": round(cpu * 1000 / files, 1),
        "db_kib": round(size / 1024),
    }


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = {w: versions(a, base / w) for w, a in ARCHIVES.items()}
        figures: dict[str, object] = {
            "programs_version_ms": per_version_ms(
                "processing-times", "p", folder["ptime-programs"]
            ),
            "countries_version_ms": per_version_ms(
                "processing-times", "c", folder["ptime-countries"]
            ),
            "countries_records": len(
                extract("processing-times", folder["ptime-countries"][-1].read_bytes()).records
            ),
            "iec_version_ms": per_version_ms("iec-pools", "i", sorted(IEC.iterdir())),
            "replay": replay_history(folder, base / "db" / "datakinds.db"),
        }
    return figures


def main() -> None:
    figures = run()
    print("per version, CPU ms (median): extract / diff / classify")
    for name in ("programs_version_ms", "countries_version_ms", "iec_version_ms"):
        steps = figures[name]
        print(f"  {name:22} {steps['extract']:7.2f} {steps['diff']:7.2f} {steps['classify']:7.2f}")
    print(f"  country file records: {figures['countries_records']}")
    replay = figures["replay"]
    print(
        f"real 2025 history: {replay['files']} files, {replay['changes']} changes, "
        f"{replay['cpu_s']} s CPU ({replay['cpu_ms_per_file']} ms a file), "
        f"{replay['wall_s']} s wall, database {replay['db_kib']} KiB"
    )


if __name__ == "__main__":
    main()

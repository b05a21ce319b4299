"""How many processing-times alerts a subscriber gets from IRCC's real 2025 files.

Replays both real 2025 archives (tests/fixtures/real/processing_times) through
``ircc-watch replay`` and counts, for a subscriber who follows every program (no countries
chosen), the changes sent at once under the default /ptime min (a week or 10 %) and those that
wait for the weekly summary (and the same for one who chose India); and the stored changes
whose summary is empty.

    python -m bench.ptime_alerts
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from notifier.datakinds import small_move

ROOT = Path(__file__).resolve().parent.parent
ARCHIVES = ROOT / "tests" / "fixtures" / "real" / "processing_times"
WATCHES = {
    "ptime-programs": (
        "ptime_non_country_en_2025_all_versions.tar.xz",
        "ptime-non-country-en",
        "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-non-country-en.json",
    ),
    "ptime-countries": (
        "ptime_en_2025_all_versions.tar.xz",
        "ptime-en",
        "https://www.canada.ca/content/dam/ircc/documents/json/data-ptime-en.json",
    ),
}


def replay() -> list[dict]:
    """Every change of the 2025 replay, as ``ircc-watch replay`` prints it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = ['[settings]\ndatabase = "bench.db"\nallowed_domains = ["canada.ca"]']
        for watch, (archive, inner, url) in WATCHES.items():
            with tarfile.open(ARCHIVES / archive) as tar:
                tar.extractall(folder / "raw", filter="data")
            (folder / "raw" / inner).rename(folder / watch)
            config.append(
                f'[[watch]]\nname = "{watch}"\nurl = "{url}"\nkind = "processing-times"\n'
                'topic = "processing-times"'
            )
        replay_dir = folder / "replay"
        replay_dir.mkdir()
        for watch in WATCHES:
            (folder / watch).rename(replay_dir / watch)
        (folder / "config.toml").write_text("\n\n".join(config) + "\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "ircc_watch.cli", "--config", str(folder / "config.toml"),
             "replay", str(replay_dir)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
    return [json.loads(line) for line in result.stdout.splitlines()]


def main() -> int:
    rows = [r for r in replay() if r["kind"] == "processing_time_changed"]
    instant = [r for r in rows if not small_move(None, r["data"], set())]
    empty = [r for r in rows if not r["summary"].strip()]
    print(f"processing-time changes:           {len(rows)}")
    print(f"sent at once (default /ptime min): {len(instant)}")
    print(f"in the weekly summaries instead:   {len(rows) - len(instant)}")
    india = [r for r in rows if "countries" not in r["data"] or "IN" in r["data"]["countries"]]
    india_now = [r for r in india if not small_move(None, r["data"], {"IN"})]
    print(f"a subscriber who chose India: {len(india)} reach them, {len(india_now)} at once")
    print(f"changes with an empty summary:     {len(empty)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

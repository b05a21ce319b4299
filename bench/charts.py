"""Chart cost (python bench/charts.py): drawing each of the four charts from real stored history,
and what charts add to an unchanged ``check`` (nothing: matplotlib is imported by a chart only).

The database is replayed from the real rounds feed (100 versions), the real 2025 processing-times
file (46 versions) and the synthetic IEC season (6 versions), as docs/charts.md does. Per chart:
reading its figures (CPU ms, median of 7), drawing PNG and SVG (CPU ms, median of 7, after one
warm-up), the PNG's size. Then matplotlib's own import in a fresh interpreter (CPU ms, median of
5: what a chart pays once per process), and an unchanged ``check`` of the real rounds feed served
from 127.0.0.1 (CPU ms, median of 5, whole process): the modules it loads never include
matplotlib or the charts package, so charts add nothing to it.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import machine, summary  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
CONFIG = ROOT / "docs" / "charts-demo.toml"
CHARTS = {
    "cut-offs (/chart)": [],
    "pool (/chart pool)": ["pool"],
    "processing time (/chart ptime iec)": ["ptime", "iec"],
    "IEC pool (/chart iec France wh)": ["iec", "France", "wh"],
}
ROUNDS = 7


def _unpack(archive: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile():
                member.name = Path(member.name).name
                tar.extract(member, into, filter="data")


def build(folder: Path) -> Path:
    """Replay the histories into ``folder``/charts.db with the real command; its path."""
    replay = folder / "replay"
    _unpack(FIXTURES / "real/ee_rounds/raw_feed_series1_all_versions.tar.xz", replay / "ee-rounds")
    _unpack(
        FIXTURES / "real/processing_times/ptime_non_country_en_2025_all_versions.tar.xz",
        replay / "ptime-programs",
    )
    shutil.copytree(FIXTURES / "synthetic/iec-pools", replay / "iec-pools")
    database = folder / "charts.db"
    cli = [sys.executable, "-m", "ircc_watch.cli", "--config", str(CONFIG), "--db", str(database)]
    subprocess.run([*cli, "replay", str(replay)], cwd=ROOT, check=True, capture_output=True)
    return database


def _cpu_ms(call) -> tuple[float, Any]:
    start = time.process_time()
    value = call()
    return (time.process_time() - start) * 1000, value


def charts(database: Path) -> dict[str, Any]:
    from charts.pick import choose
    from settings import load_config
    from storage.db import open_db

    db = open_db(database)
    watches = load_config(CONFIG).watches
    out: dict[str, Any] = {}
    for name, args in CHARTS.items():
        choose(db, watches, args, "en", 472).render("png")  # warm-up: fonts, caches
        read, png, svg = [], [], []
        size = 0
        for _ in range(ROUNDS):
            spent, chart = _cpu_ms(lambda args=args: choose(db, watches, args, "en", 472))
            read.append(spent)
            spent, data = _cpu_ms(lambda chart=chart: chart.render("png"))
            png.append(spent)
            size = len(data)
            svg.append(_cpu_ms(lambda chart=chart: chart.render("svg"))[0])
        out[name] = {
            "read_ms": summary(read),
            "png_ms": summary(png),
            "svg_ms": summary(svg),
            "png_bytes": size,
        }
    db.conn.close()
    return out


def import_cost() -> dict[str, Any]:
    """matplotlib's import as a chart pays it (figure + Agg canvas), in a fresh interpreter."""
    code = (
        "import time; s = time.process_time(); import matplotlib.figure; "
        "import matplotlib.backends.backend_agg; print((time.process_time() - s) * 1000)"
    )
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(5)
    ]
    return summary(samples)


def check_modules(folder: Path) -> dict[str, Any]:
    """What an unchanged ``check`` of the rounds feed (served from 127.0.0.1) loads, and its CPU:
    neither matplotlib nor the charts package is among the modules."""
    feed = FIXTURES / "real/ee_rounds/raw_feed_series1/2026-08-20T0217Z_d5efaf91.json"
    site = folder / "site"
    site.mkdir()
    shutil.copy(feed, site / "ee.json")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = folder / "check.toml"
    config.write_text(
        "[settings]\n"
        f'database = "{folder / "check.db"}"\n'
        'allowed_domains = ["127.0.0.1"]\n'
        "[[watch]]\n"
        'name = "ee-rounds"\n'
        f'url = "http://127.0.0.1:{server.server_address[1]}/ee.json"\n'
        'kind = "ee-rounds"\n'
    )
    probe = (
        "import json, sys, time\n"
        "start = time.process_time()\n"
        "from ircc_watch.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps({'cpu_ms': (time.process_time() - start) * 1000, "
        "'matplotlib': 'matplotlib' in sys.modules, "
        "'charts': any(m.split('.')[0] == 'charts' for m in sys.modules)}))"
    )
    runs = []
    for _ in range(6):  # the first is the baseline; the others find the feed unchanged
        done = subprocess.run(
            [sys.executable, "-c", probe, "--config", str(config), "check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    server.shutdown()
    unchanged = runs[1:]
    return {
        "unchanged_check_cpu_ms": summary([r["cpu_ms"] for r in unchanged]),
        "matplotlib": any(r["matplotlib"] for r in runs),
        "charts": any(r["charts"] for r in runs),
    }


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = build(Path(folder))
        return {
            "machine": machine(),
            "charts": charts(database),
            "matplotlib_import_ms": import_cost(),
            "check": check_modules(Path(folder)),
        }


def main() -> int:
    results = run()
    for name, figures in results["charts"].items():
        print(
            f"{name:<36} read {figures['read_ms']['median']:7.1f} ms   "
            f"PNG {figures['png_ms']['median']:7.1f} ms ({figures['png_bytes'] / 1024:.0f} KiB)   "
            f"SVG {figures['svg_ms']['median']:7.1f} ms"
        )
    print(f"matplotlib import (figure + Agg): {results['matplotlib_import_ms']['median']:.0f} ms")
    check = results["check"]
    print(
        f"unchanged check: {check['unchanged_check_cpu_ms']['median']:.0f} ms CPU, "
        f"matplotlib loaded: {check['matplotlib']}, charts loaded: {check['charts']}"
    )
    (ROOT / "bench" / "charts-results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A year of checks of the shipped config.toml, with and without retention: the database size.

Every watch of config.toml is checked at its own interval for ``--days`` simulated days (a fake
clock: ``Pipeline.handle(fetch, now=...)``, no real waiting, no network). Each watch goes through
the real or faithful saved versions of its kind (tests/fixtures), then gains one record of its
kind at a time, at a realistic rate (``CHANGES_PER_YEAR``: a new draw each week, news three
times a week, a program page monthly...), each change at a random moment (seeded). An unchanged
JSON, XML or Atom feed answers 304, as their servers honour conditional GETs; an unchanged HTML
page comes back whole (same bytes), as canada.ca's do. Both runs see exactly the same checks;
the second prunes once a simulated day with the defaults (keep_fetches 30d, keep_snapshots
365d), as ``run`` does.

    python bench/retention.py [--days 365] [--seed 1] [--keep-db FILE]

``--keep-db`` keeps the database of the run without retention (to try ``ircc-watch vacuum``).
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import re
import shutil
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.items import Fetch  # noqa: E402
from ircc_watch.pipeline import Pipeline  # noqa: E402
from settings import load_config  # noqa: E402
from storage import retention, watches  # noqa: E402
from storage.db import open_db  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
START = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 86400.0

# Where each shipped watch's versions come from (a folder or archive under tests/fixtures, in
# name order), and how often its content changes. A watch not named here takes its kind's.
SOURCES = {
    "ee-rounds": "real/ee_rounds/raw_feed_series1_all_versions.tar.xz",
    "ee-rounds-fr": "real/ee_rounds/raw_feed_series1_all_versions.tar.xz",
    "iec": "synthetic/iec-en",
    "iec-rounds": "synthetic/iec-en",
    "gts": "synthetic/gts-occupations",
    "ptime-programs": "real/processing_times/ptime_non_country_en_2025_all_versions.tar.xz",
    "ptime-countries": "real/processing_times/ptime_en_2025_all_versions.tar.xz",
}
KIND_SOURCES = {
    "ee-rounds": "real/ee_rounds/raw_feed_series1_all_versions.tar.xz",
    "ee-categories": "synthetic/ee-categories-en",
    "iec-pools": "synthetic/iec-pools",
    "processing-times": "real/processing_times/ptime_en_2025_all_versions.tar.xz",
    "events": "synthetic/events-en",
    "atom": "semantic/replay/ircc-news",
    "pnp-updates": "semantic/replay/oinp-updates",
    "page": "synthetic/cusma-professionals",
}
NAMED_SOURCES = (
    "gts-occupations",
    "cusma-professionals",
    "ircc-news",
    "oinp-updates",
    "bc-pnp-invitations",
    "aaip-updates",
)
CHANGES_PER_YEAR = {
    "ee-rounds": 52,
    "ee-rounds-fr": 52,
    "ee-categories": 6,
    "iec": 12,
    "iec-rounds": 40,
    "iec-pools": 30,
    "ptime-programs": 52,
    "ptime-countries": 52,
    "gts": 4,
    "gts-occupations": 4,
    "cusma-professionals": 2,
    "recruitment-events": 24,
    "ircc-news": 150,
    "oinp-updates": 40,
    "bc-pnp-invitations": 50,
    "aaip-updates": 50,
}
DEFAULT_CHANGES_PER_YEAR = 12
# Kinds read from HTML pages: canada.ca sends them whole on every check (no 304).
HTML_KINDS = ("page", "ee-categories", "events", "pnp-updates")


def source_of(watch) -> str:
    """The fixture folder or archive a watch's versions come from."""
    if watch.name in SOURCES:
        return SOURCES[watch.name]
    for folder in ("synthetic", "semantic/replay"):
        if watch.name in NAMED_SOURCES and (FIXTURES / folder / watch.name).is_dir():
            return f"{folder}/{watch.name}"
    return KIND_SOURCES.get(watch.kind, KIND_SOURCES["page"])


def saved_versions(source: str, scratch: Path) -> list[bytes]:
    """Every saved version in a fixture folder or archive, oldest first."""
    path = FIXTURES / source
    if path.is_file():
        with tarfile.open(path) as tar:
            tar.extractall(scratch, filter="data")
        files = sorted(p for p in scratch.rglob("*") if p.is_file())
    else:
        files = sorted(p for p in path.iterdir() if p.is_file())
    return [f.read_bytes() for f in files]


def next_version(kind: str, body: bytes, n: int, when: datetime) -> bytes:
    """``body`` with one more record of its kind (once the saved versions have run out)."""
    day = when.strftime("%Y-%m-%d")
    if kind == "ee-rounds":
        feed = json.loads(body.decode("utf-8"))
        draw = dict(feed["rounds"][0])
        number = f"{1000 + n}"
        draw.update(drawNumber=number, drawDate=day, drawSize=f"{1000 + n % 5000:,}")
        draw["drawCRS"] = str(400 + n % 150)
        feed["rounds"].insert(0, draw)
        return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
    if kind == "atom":
        match = re.search(rb"<entry>.*?</entry>", body, re.S)
        entry = re.sub(rb"<id>[^<]*</id>", f"<id>urn:bench:{n}</id>".encode(), match.group(0))
        entry = re.sub(rb"<title>", f"<title>Update {n}: ".encode(), entry, count=1)
        return body[: match.start()] + entry + body[match.start() :]
    if kind == "iec-pools":
        return re.sub(
            rb"<invitations><!\[CDATA\[[^\]]*\]\]>",
            f"<invitations><![CDATA[{10_000 + n * 37:,}]]>".encode(),
            body,
            count=1,
        )
    paragraph = (
        f"<h2>Update {n}</h2><p>{when:%B} {when.day}, {when.year}: round {n} of invitations "
        f"was held; {100 + n % 900} invitations were issued.</p>"
    ).encode()
    closing = body.rfind(b"</main>")
    if closing < 0:
        closing = body.rfind(b"</body>")
    return body[:closing] + paragraph + body[closing:]


def schedule(config, days: int, seed: int) -> dict[str, list[float]]:
    """When each watch's content changes (seconds from START), sorted."""
    rng = random.Random(seed)
    moments = {}
    for watch in config.watches:
        count = round(CHANGES_PER_YEAR.get(watch.name, DEFAULT_CHANGES_PER_YEAR) * days / 365)
        moments[watch.name] = sorted(rng.uniform(0, days * DAY) for _ in range(count))
    return moments


def simulate(db_path: Path, days: int, seed: int, keep: bool, scratch: Path) -> dict:
    """Run every check of ``days`` days into a new database; returns what it measured."""
    config = load_config(ROOT / "config.toml", database=db_path)
    db = open_db(db_path)
    db.execute("PRAGMA synchronous = OFF")  # the size is what is measured here, not fsync
    watches.sync(db, config.watches)
    pipeline = Pipeline(db, config)
    changes_at = schedule(config, days, seed)
    saved = {w.name: saved_versions(source_of(w), scratch / w.name) for w in config.watches}
    bodies = {name: found[0] for name, found in saved.items()}
    versions = dict.fromkeys(bodies, 0)
    served = dict.fromkeys(bodies, -1)
    queue = [(0.0, w.name) for w in config.watches]
    heapq.heapify(queue)
    end = days * DAY
    next_prune = DAY
    checks = 0
    quarters = []
    next_quarter = end / 4
    started = time.perf_counter()
    while queue:
        moment, name = heapq.heappop(queue)
        if moment >= end:
            continue
        watch = config.watch(name)
        now = START + timedelta(seconds=moment)
        pending = changes_at[name]
        while pending and pending[0] <= moment:
            pending.pop(0)
            versions[name] += 1
            if watch.kind == "processing-times":  # real weekly files, round and round
                bodies[name] = saved[name][versions[name] % len(saved[name])]
            elif versions[name] < len(saved[name]):
                bodies[name] = saved[name][versions[name]]
            else:
                bodies[name] = next_version(watch.kind, bodies[name], versions[name], now)
        if served[name] == versions[name] and watch.kind not in HTML_KINDS:
            fetch = Fetch(name, watch.url, watch.url, 304)
        else:
            fetch = Fetch(name, watch.url, watch.url, 200, bodies[name])
        served[name] = versions[name]
        pipeline.handle(fetch, now=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        checks += 1
        heapq.heappush(queue, (moment + watch.interval, name))
        if keep and moment >= next_prune:
            retention.prune(
                db,
                keep_fetches=config.settings.keep_fetches,
                keep_snapshots=config.settings.keep_snapshots,
                now=now,
            )
            next_prune += DAY
        if moment >= next_quarter:
            quarters.append(retention.file_bytes(db, db_path))
            next_quarter += end / 4
    elapsed = time.perf_counter() - started
    rows = retention.row_counts(db)
    size = retention.file_bytes(db, db_path)
    quarters.append(size)
    retention.vacuum(db)
    compact = retention.file_bytes(db, db_path)
    db.conn.close()
    return {
        "checks": checks,
        "watches": len(config.watches),
        "rows": rows,
        "size": size,
        "compact": compact,
        "quarters": quarters,
        "seconds": elapsed,
    }


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep-db", type=Path, help="save the database without retention here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        results = {}
        for label, keep in (("without retention", False), ("with retention", True)):
            results[label] = simulate(
                scratch / f"{keep}.db", args.days, args.seed, keep, scratch / f"src-{keep}"
            )
            if args.keep_db and not keep:
                shutil.copy(scratch / f"{keep}.db", args.keep_db)
    first = next(iter(results.values()))
    print(
        f"{args.days} simulated days of the shipped config.toml: {first['checks']:,} checks "
        f"of {first['watches']} watches, {first['rows']['changes']:,} changes stored"
    )
    print(
        f"{'':<18} {'fetches':>9} {'snapshots':>9} {'bodies':>7} {'file':>10} "
        f"{'after VACUUM':>12}   file at each quarter"
    )
    for label, r in results.items():
        rows = r["rows"]
        quarters = " / ".join(mib(q) for q in r["quarters"])
        print(
            f"{label:<18} {rows['fetches']:>9,} {rows['snapshots']:>9,} {rows['bodies']:>7,} "
            f"{mib(r['size']):>10} {mib(r['compact']):>12}   {quarters}  ({r['seconds']:.0f} s)"
        )


if __name__ == "__main__":
    main()

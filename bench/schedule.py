"""The shipped schedule over a simulated week: requests, bytes and CPU a day, and how long a change
takes to reach the fake Bot API, against a plain 10-minute schedule.

    python bench/schedule.py            # the shipped config.toml
    python bench/schedule.py --samples 3

Three parts, each printed:

1. How often each source really changes, from the real histories in tests/fixtures/real (file
   names and index rows carry the UTC time each version was first seen): the reasoning behind
   each watch's interval in config.toml.
2. The week, on a fake clock: every watch's checks are the fire times of the real APScheduler
   ``IntervalTrigger`` the service builds (same interval, same jitter), and the changes are the
   real ones of the histories, folded onto one week (weekday and UTC time of day kept). A
   change waits for its watch's next check; then it takes what a check takes here, measured.
3. What a check costs, measured on 127.0.0.1 with the real parts: a long-lived Scrapy crawler
   (robots.txt, AutoThrottle, 2 per domain, conditional GET) fetching a copy of the real
   Express Entry feed, the pipeline, and the delivery loop sending to the fake Bot API. CPU of
   a 304, of an unchanged page, and the seconds from "the new feed is served" to "the message
   is at the fake Bot API" for a real new draw.

Bytes are the bodies' real sizes (the feed 782 KB, a page as saved, a 304 nothing) plus 600 B of
headers a response; canada.ca compresses them in transit, so these are upper bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import statistics
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REAL = ROOT / "tests" / "fixtures" / "real"
CONFIG = ROOT / "config.toml"
HEADER_BYTES = 600
WEEK = timedelta(days=7)
# Monday 2026-11-30 00:00 UTC: the simulated week.
START = datetime(2026, 11, 30, tzinfo=UTC)


# 1. Histories ------------------------------------------------------------------------------


def _stamp(name: str) -> datetime:
    return datetime.strptime(Path(name).name[:16], "%Y-%m-%dT%H%MZ").replace(tzinfo=UTC)


def _index_changes(path: Path) -> list[datetime]:
    """Times a new draw was first seen, from an index.tsv of feed versions."""
    out, last = [], None
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["newest_drawNumber"] != last:
                out.append(datetime.fromisoformat(row["commit_time"]).astimezone(UTC))
                last = row["newest_drawNumber"]
    return out[1:]  # the first row is where the history starts, not a change


def _archive_changes(path: Path) -> list[datetime]:
    with tarfile.open(path) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    return sorted(_stamp(name) for name in names)[1:]


def _bot_state_changes() -> dict[str, list[datetime]]:
    """What a real IRCC watcher bot saw change (news, EE draws, PNP dates), version by version."""
    out: dict[str, list[datetime]] = defaultdict(list)
    previous: dict[str, Any] | None = None
    for path in sorted((REAL / "news" / "ircc_watcher_bot_state").glob("*.json")):
        state = json.loads(path.read_text(encoding="utf-8"))
        when = _stamp(path.name)
        if previous is not None:
            if state.get("news") != previous.get("news"):
                out["ircc-news"].append(when)
            latest = (state.get("pnp") or {}).get("latest") or {}
            before = (previous.get("pnp") or {}).get("latest") or {}
            for province, value in latest.items():
                if before.get(province) != value:
                    out[f"pnp-{province}"].append(when)
        previous = state
    return dict(out)


def histories() -> dict[str, list[datetime]]:
    """Each real source's change times (UTC), as its saved versions show them."""
    ee = REAL / "ee_rounds"
    out = {
        # Series 2 was polled often enough to show the hour a draw appeared.
        "ee-rounds": _index_changes(ee / "rounds_array_series2_all_versions.index.tsv"),
        "ee-rounds (daily poll)": _index_changes(ee / "raw_feed_series1_all_versions.index.tsv"),
        "ptime-programs": _archive_changes(
            REAL / "processing_times" / "ptime_non_country_en_2025_all_versions.tar.xz"
        ),
        "ptime-countries": _archive_changes(
            REAL / "processing_times" / "ptime_en_2025_all_versions.tar.xz"
        ),
        "sk-sinp pages": sorted(
            _stamp(p.name) for p in (REAL / "provincial" / "sk_sinp").rglob("*.htm")
        ),
    }
    out.update(_bot_state_changes())
    return out


def describe(name: str, times: list[datetime]) -> dict[str, Any]:
    times = sorted(times)
    days = max((times[-1] - times[0]).total_seconds() / 86400, 1.0)
    gaps = [(b - a).total_seconds() / 3600 for a, b in zip(times, times[1:], strict=False)]
    hours = Counter(t.hour for t in times)
    weekdays = Counter(t.strftime("%a") for t in times)
    busiest = sorted(hours, key=lambda h: -hours[h])[:4]
    return {
        "source": name,
        "changes": len(times),
        "from": times[0].date().isoformat(),
        "to": times[-1].date().isoformat(),
        "per_week": round(len(times) / days * 7, 2),
        "median_gap_h": round(statistics.median(gaps), 1) if gaps else None,
        "shortest_gap_h": round(min(gaps), 2) if gaps else None,
        "busiest_utc_hours": sorted(busiest),
        "weekdays": dict(weekdays.most_common()),
    }


# 2. The simulated week ---------------------------------------------------------------------


# Which history stands for which shipped watch's changes (the others have no saved history).
SOURCES = {
    "ee-rounds": "ee-rounds",
    "ee-rounds-fr": "ee-rounds",
    "ircc-news": "ircc-news",
    "ptime-programs": "ptime-programs",
    "ptime-countries": "ptime-countries",
    "bc-pnp-invitations": "pnp-bc",
    "oinp-updates": "pnp-ontario",
}


def folded(times: Iterable[datetime]) -> list[datetime]:
    """Every change moved into the simulated week, keeping its weekday and UTC time of day."""
    out = []
    for t in times:
        offset = timedelta(days=t.weekday(), hours=t.hour, minutes=t.minute)
        out.append(START + offset)
    return sorted(out)


def fire_times(interval: float, seed: int) -> list[datetime]:
    """The check times of one watch over the week, from the real APScheduler trigger with the
    service's jitter (10 % of the interval, at most 60 s) and first run (within 5 s)."""
    from apscheduler.triggers.interval import IntervalTrigger

    random.seed(seed)
    jitter = min(interval * 0.1, 60.0)
    first = START + timedelta(seconds=random.uniform(0, min(jitter, 5.0)))
    trigger = IntervalTrigger(seconds=interval, jitter=jitter or None, start_date=first)
    out: list[datetime] = []
    previous = None
    now = first
    end = START + WEEK
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return out
        out.append(fire)
        previous = fire
        now = fire + timedelta(microseconds=1)


def simulate(
    watches: list[tuple[str, str, float]],
    changes: dict[str, list[datetime]],
    sizes: dict[str, int],
    costs: dict[str, float],
    service_s: list[float],
) -> dict[str, Any]:
    """A week of ``watches`` (name, url, interval s): requests, bytes and CPU per day, per
    host, and the delay of every folded real change."""
    per_host: Counter[str] = Counter()
    requests = body_bytes = 0
    cpu = 0.0
    delays: list[float] = []
    ee_delays: list[float] = []
    per_watch: dict[str, dict[str, Any]] = {}
    for seed, (name, url, interval) in enumerate(watches):
        host = urlsplit(url).hostname or ""
        checks = fire_times(interval, seed)
        conditional = not _is_page(name)
        pending = list(changes.get(SOURCES.get(name, ""), []))
        changed_checks = 0
        waits = []
        i = 0
        for check in checks:
            served = False
            while i < len(pending) and pending[i] <= check:
                waits.append((check - pending[i]).total_seconds())
                served = True
                i += 1
            changed_checks += served
        unchanged = len(checks) - changed_checks
        size = sizes.get(name, sizes["page"])
        sent = changed_checks * size + (0 if conditional else unchanged * size)
        requests += len(checks)
        per_host[host] += len(checks)
        body_bytes += sent + len(checks) * HEADER_BYTES
        cost = costs["not_modified"] if conditional else costs["unchanged_page"]
        cpu += unchanged * cost + changed_checks * costs["changed_feed"]
        for k, wait in enumerate(waits):
            delays.append(wait + service_s[k % len(service_s)])
            if name.startswith("ee-rounds"):
                ee_delays.append(delays[-1])
        per_watch[name] = {"host": host, "interval_s": interval, "checks_per_day": len(checks) / 7}
    for host in per_host:
        per_host[host] += 7  # robots.txt, kept 24 hours
    return {
        "requests_per_day": round(sum(per_host.values()) / 7),
        "requests_per_day_by_host": {h: round(n / 7) for h, n in per_host.most_common()},
        "peak_requests_per_minute_by_host": {
            h: round(sum(60 / w["interval_s"] for w in per_watch.values() if w["host"] == h), 2)
            for h in per_host
        },
        "mb_per_day": round(body_bytes / 7 / 1e6, 1),
        "cpu_s_per_day": round(cpu / 7, 1),
        "changes": len(delays),
        "delay_s": _spread(delays),
        "draws": len(ee_delays),
        "draw_delay_s": _spread(ee_delays),
        "watches": per_watch,
    }


def _spread(values: list[float]) -> dict[str, float | None]:
    """Median and 95th percentile (nearest rank), rounded to 0.1 s."""
    if not values:
        return {"median": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


def _is_page(name: str) -> bool:
    """Whether a shipped watch is an HTML page (canada.ca pages change bytes on every fetch,
    so they are counted as a full body every time); feeds and data files answer 304."""
    return name not in {"ee-rounds", "ee-rounds-fr", "iec-pools", "ircc-news"} and not (
        name.startswith("ptime-")
    )


# 3. What a check costs, measured -----------------------------------------------------------


def measure(samples: int) -> dict[str, Any]:
    """CPU of a 304 check and of an unchanged page check, and seconds from a new draw served
    to its message at the fake Bot API, with the real crawler, pipeline and delivery."""
    return asyncio.run(_measure(samples))


async def _measure(samples: int) -> dict[str, Any]:
    import telegram

    from bench.workload import SERIES1, Workload, feed_versions
    from crawlers.runner import WatchCrawler, stop_reactor
    from ircc_watch.checking import check
    from ircc_watch.pipeline import Pipeline
    from notifier.delivery import Delivery
    from notifier.routing import recipients_for
    from settings import load_config
    from storage import watches as watch_rows
    from storage.db import open_db
    from tests.fakes.telegram_api import FakeTelegram

    versions = [body for _, body in feed_versions(SERIES1)][-(samples + 1) :]
    token, chat = "123456:SCHEDULE-BENCH", 4242
    workload = Workload(20).start()
    telegram_api = FakeTelegram(token).start()
    out: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config_path = Path(tmp) / "config.toml"
            feed, page = workload.url("/feed/0019.json"), workload.url("/page/0000.html")
            config_path.write_text(
                '[settings]\ndatabase = "s.db"\nallowed_domains = ["127.0.0.1"]\n'
                f'[telegram]\ntoken_env = "SCHEDULE_BENCH_TOKEN"\n'
                f'base_url = "{telegram_api.base_url}"\nmaintainers = [{chat}]\n'
                f'[[watch]]\nname = "ee-rounds"\nkind = "ee-rounds"\nurl = "{feed}"\n'
                f'[[watch]]\nname = "page"\nurl = "{page}"\n',
                encoding="utf-8",
            )
            import os

            os.environ["SCHEDULE_BENCH_TOKEN"] = token
            config = load_config(config_path)
            db = open_db(config.settings.database)
            watch_rows.sync(db, config.watches)
            pipeline = Pipeline(db, config, recipients=lambda c: recipients_for(db, config, c))
            crawler = WatchCrawler("ircc-watch-bench", ["127.0.0.1"])
            await crawler.start()
            ee, pg = config.watches
            async with telegram.Bot(token, base_url=telegram_api.base_url) as bot:
                delivery = Delivery(db, config, bot)
                workload.feed = versions[0]
                await check(db, config, pipeline, [ee, pg], crawler=crawler)
                await check(db, config, pipeline, [ee, pg], crawler=crawler)

                async def cpu_of(watch: Any, rounds: int) -> float:
                    start = time.process_time()
                    for _ in range(rounds):
                        await check(db, config, pipeline, [watch], crawler=crawler)
                    return (time.process_time() - start) / rounds

                out["not_modified_cpu_s"] = round(await cpu_of(ee, 30), 5)
                out["unchanged_page_cpu_s"] = round(await cpu_of(pg, 30), 5)
                served, changed_cpu = [], []
                for body in versions[1:]:
                    # Draws come hours apart: let the chat's 1 message/s pacing and
                    # AutoThrottle's slot delay settle, as they would have.
                    await asyncio.sleep(2.0)
                    before = len(telegram_api.messages_to(chat))
                    workload.feed = body
                    workload.feed_etag = f'"v{len(served)}"'
                    started, cpu = time.perf_counter(), time.process_time()
                    await check(db, config, pipeline, [ee], crawler=crawler)
                    await delivery.send_due()
                    if len(telegram_api.messages_to(chat)) <= before:
                        raise RuntimeError("the new draw reached no one")
                    served.append(time.perf_counter() - started)
                    changed_cpu.append(time.process_time() - cpu)
                out["served_to_message_s"] = [round(s, 3) for s in served]
                out["changed_feed_cpu_s"] = round(statistics.median(changed_cpu), 4)
            await crawler.close()
            db.conn.close()
    finally:
        stop_reactor()
        telegram_api.stop()
        workload.stop()
    return out


# Main ----------------------------------------------------------------------------------------


def sizes_of() -> dict[str, int]:
    """Real body sizes: the Express Entry feed, the processing-times files, a canada.ca page."""
    from bench.workload import latest_feed

    page = max(
        p.stat().st_size for p in (REAL / "canada_ca_html" / "gcweb_noise_only").rglob("*.html")
    )
    feed = len(latest_feed())
    out = {"page": page, "ee-rounds": feed, "ee-rounds-fr": feed}
    for name, archive in (
        ("ptime-programs", "ptime_non_country_en_2025_all_versions.tar.xz"),
        ("ptime-countries", "ptime_en_2025_all_versions.tar.xz"),
    ):
        with tarfile.open(REAL / "processing_times" / archive) as tar:
            out[name] = max(m.size for m in tar.getmembers() if m.isfile())
    return out


def shipped(interval: float | None = None, path: Path = CONFIG) -> list[tuple[str, str, float]]:
    """(name, url, interval s) of the shipped watches; ``interval`` replaces every interval."""
    from settings import load_config

    config = load_config(path)
    return [(w.name, w.url, interval or w.interval) for w in config.watches]


def run(samples: int = 5) -> dict[str, Any]:
    """Everything above, as one dict (``python -m bench`` keeps it in results.json)."""
    history = histories()
    measured = measure(samples)
    costs = {
        "not_modified": measured["not_modified_cpu_s"],
        "unchanged_page": measured["unchanged_page_cpu_s"],
        "changed_feed": measured["changed_feed_cpu_s"],
    }
    changes = {name: folded(times) for name, times in history.items()}
    sizes = sizes_of()
    service = measured["served_to_message_s"]
    return {
        "histories": [describe(name, times) for name, times in history.items()],
        "measured": measured,
        "shipped": simulate(shipped(), changes, sizes, costs, service),
        "plain_10m": simulate(shipped(600.0), changes, sizes, costs, service),
    }


def report(result: dict[str, Any]) -> str:
    lines = ["How often each source changes (real histories, tests/fixtures/real):", ""]
    lines.append("| source | changes | seen | per week | median gap | busiest UTC hours |")
    lines.append("|---|---|---|---|---|---|")
    for h in result["histories"]:
        lines.append(
            f"| {h['source']} | {h['changes']} | {h['from']} … {h['to']} | {h['per_week']} "
            f"| {h['median_gap_h']} h | {', '.join(map(str, h['busiest_utc_hours']))} |"
        )
    m = result["measured"]
    lines += [
        "",
        f"measured per check: 304 {m['not_modified_cpu_s'] * 1000:.1f} ms CPU, unchanged page "
        f"{m['unchanged_page_cpu_s'] * 1000:.1f} ms, new draw {m['changed_feed_cpu_s'] * 1000:.0f}"
        f" ms; new draw served → message at the fake Bot API: "
        + ", ".join(f"{s:.2f}" for s in m["served_to_message_s"])
        + " s",
        "",
        "| schedule (simulated week) | requests/day | per host/day | MB/day | CPU s/day "
        "| Express Entry draws: delay median, p95 | all changes with a history: median, p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in (("shipped", "shipped config.toml"), ("plain_10m", "every watch 10 min")):
        s = result[key]
        hosts = ", ".join(f"{h} {n}" for h, n in s["requests_per_day_by_host"].items())
        lines.append(
            f"| {label} | {s['requests_per_day']} | {hosts} | {s['mb_per_day']} "
            f"| {s['cpu_s_per_day']} | {s['draw_delay_s']['median']} s, "
            f"{s['draw_delay_s']['p95']} s ({s['draws']}) | {s['delay_s']['median']} s, "
            f"{s['delay_s']['p95']} s ({s['changes']}) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5, help="new draws measured end to end")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    result = run(args.samples)
    print(report(result))
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

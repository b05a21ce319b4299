"""Crash safety, measured: SIGKILL `ircc-watch run` at random moments, restart it, count.

One watch (the real Express Entry feed, served by tests/fakes/site.py) is checked every second;
every ``--change-every`` trials the site publishes the feed's next real version, so a check
stores a change and one delivery per recipient (``--subscribers`` subscribers plus a
maintainer) in one transaction. The fake Bot API (tests/fakes/telegram_api.py, a real HTTP
server with Telegram's rate limits) receives the messages. Each trial starts `run`, kills it
with SIGKILL at a random moment (during checks, during deliveries, or during start-up), and
records what the outbox held in flight. After the last trial, `run` is started once more until
the outbox is empty, then stopped with SIGTERM.

Counted: deliveries due (outbox rows), received (messages at the fake API whose text is that
delivery's), lost (due, never received), duplicated (received more than once), and for each
crash how many deliveries were in flight ('sending') and how many of those arrived twice;
``PRAGMA integrity_check`` after every kill. Printed as a table; written to
bench/crash-results.json.

    python bench/crash.py [--trials 50] [--subscribers 200] [--max-in-flight N] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier import render  # noqa: E402
from settings import load_config  # noqa: E402
from storage import changes, subscribers, watches  # noqa: E402
from storage.db import open_db  # noqa: E402
from tests.fakes.site import LocalSite  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

TOKEN = "123456:CRASH-BENCH-TOKEN"
TOKEN_ENV = "IRCC_WATCH_CRASH_BENCH_TOKEN"
MAINTAINER = 9001
FIRST_SUBSCRIBER = 100_001
FAST_SCRAPY = json.dumps({"AUTOTHROTTLE_START_DELAY": 0, "DOWNLOAD_TIMEOUT": 5})
ARCHIVE = (
    ROOT / "tests" / "fixtures" / "real" / "ee_rounds" / "raw_feed_series1_all_versions.tar.xz"
)


def write_config(directory: Path, site: LocalSite, fake: FakeTelegram, in_flight: int | None):
    extra = f"max_in_flight = {in_flight}\n" if in_flight else ""
    path = directory / "config.toml"
    path.write_text(
        '[settings]\ndatabase = "crash.db"\nallowed_domains = ["127.0.0.1"]\n\n'
        f'[telegram]\ntoken_env = "{TOKEN_ENV}"\nbase_url = "{fake.base_url}"\n'
        f"maintainers = [{MAINTAINER}]\n{extra}\n"
        '[[watch]]\nname = "ee-rounds"\n'
        f'url = "{site.url("/ee.json")}"\nkind = "ee-rounds"\ntopic = "express-entry"\n'
        'interval = "1s"\n',
        encoding="utf-8",
    )
    return path


def start(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, TOKEN_ENV: TOKEN, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY}
    return subprocess.Popen(
        [sys.executable, "-m", "ircc_watch.cli", "--config", str(config), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def query(db_path: Path, sql: str) -> list[tuple]:
    """A read-only look at the database the service is writing (WAL: readers never block)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def log_lines(log: Path) -> int:
    """How many times `run` has logged its start-up banner so far."""
    if not log.exists():
        return 0
    return log.read_text(encoding="utf-8", errors="replace").count("ircc-watch starting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--max-in-flight", type=int, default=None, help="default: the config's")
    parser.add_argument("--change-every", type=int, default=4, help="trials between changes")
    parser.add_argument("--window", type=float, default=5.0, help="kill within this many s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "crash-results.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()

    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalSite() as site,
        FakeTelegram(TOKEN) as fake,
    ):
        tmp_path = Path(tmp)
        with tarfile.open(ARCHIVE) as tar:
            tar.extractall(tmp_path / "feed", filter="data")
        versions = sorted((tmp_path / "feed").rglob("*.json"))
        site.set("/ee.json", versions[0].read_bytes(), content_type="application/json")
        config_path = write_config(tmp_path, site, fake, args.max_in_flight)
        config = load_config(config_path)
        db_path = config.settings.database
        db = open_db(db_path)
        watches.sync(db, config.watches)
        for chat_id in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + args.subscribers):
            subscribers.ensure(db, chat_id, "en")
            subscribers.subscribe(db, chat_id, "express-entry")
        db.conn.close()
        log = tmp_path / "run.log"
        # The baseline (the first version alerts nobody), as an operator's first `check` makes.
        subprocess.run(
            [sys.executable, "-m", "ircc_watch.cli", "--config", str(config_path), "check"],
            cwd=ROOT,
            env={**os.environ, "IRCC_WATCH_SCRAPY_SETTINGS": FAST_SCRAPY},
            capture_output=True,
            check=True,
        )
        published = 0
        trials = []
        for trial in range(1, args.trials + 1):
            if trial % args.change_every == 1 or args.change_every == 1:
                published = min(published + 1, len(versions) - 1)
                site.set(
                    "/ee.json", versions[published].read_bytes(), content_type="application/json"
                )
            banners = log_lines(log)
            fetches_before = query(db_path, "SELECT COUNT(*) FROM fetches")[0][0]
            sent_before = len(fake.sent)
            process = start(config_path, log)
            if not wait_for(
                lambda b=banners, p=process: log_lines(log) > b or p.poll() is not None, 180
            ):
                process.kill()
            if process.poll() is not None or log_lines(log) <= banners:
                process.kill()
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise SystemExit(f"run did not start (exit {process.poll()}):\n{tail}")
            delay = rng.uniform(0, args.window)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            in_flight = [
                row[0]
                for row in query(db_path, "SELECT id FROM deliveries WHERE status = 'sending'")
            ]
            integrity = query(db_path, "PRAGMA integrity_check")[0][0]
            if len(fake.sent) > sent_before:
                phase = "delivering"
            elif query(db_path, "SELECT COUNT(*) FROM fetches")[0][0] > fetches_before:
                phase = "checking"
            else:
                phase = "start-up"
            trials.append(
                {
                    "trial": trial,
                    "killed_after_s": round(delay, 2),
                    "phase": phase,
                    "in_flight": in_flight,
                    "integrity": integrity,
                }
            )
            print(
                f"trial {trial:>3}: killed {delay:4.2f} s after start ({phase}), "
                f"{len(in_flight):>2} in flight, integrity {integrity}",
                flush=True,
            )

        # The last restart: let it empty the outbox, then stop it as an operator would.
        process = start(config_path, log)
        drained = wait_for(
            lambda: (
                query(
                    db_path,
                    "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')",
                )[0][0]
                == 0
            ),
            600,
        )
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=60)
        final_integrity = query(db_path, "PRAGMA integrity_check")[0][0]

        db = open_db(db_path)
        rows = list(db.query("SELECT * FROM deliveries ORDER BY id"))
        cache: dict[int, dict] = {}
        received_texts = Counter((m["chat_id"], m["text"]) for m in fake.sent)
        counts: dict[int, int] = {}
        for row in rows:
            change = cache.setdefault(row["change_id"], changes.get(db, row["change_id"]))
            last_part = render.alert(change, row["lang"], row["role"], config)[-1]
            counts[row["id"]] = received_texts[(row["chat_id"], last_part)]
        statuses = Counter(row["status"] for row in rows)
        db.conn.close()

    due = len(rows)
    lost = [i for i, n in counts.items() if n == 0]
    duplicated = {i: n - 1 for i, n in counts.items() if n > 1}
    # A delivery left 'sending' by a crash stays so until the next start recovers it: a
    # duplicate is counted against the first crash that found it in flight.
    per_crash = []
    counted: set[int] = set()
    for t in trials:
        mine = [i for i in t["in_flight"] if i in duplicated and i not in counted]
        counted.update(mine)
        t["duplicated"] = sum(duplicated[i] for i in mine)
        per_crash.append(t["duplicated"])
    explained = set(duplicated) <= {i for t in trials for i in t["in_flight"]}
    limit = config.telegram.max_in_flight
    summary = {
        "trials": len(trials),
        "subscribers": args.subscribers,
        "max_in_flight": limit,
        "changes": len(cache),
        "due": due,
        "received": sum(1 for n in counts.values() if n > 0),
        "messages_received": sum(counts.values()),
        "lost": len(lost),
        "duplicated": sum(duplicated.values()),
        "duplicates_per_crash_max": max(per_crash, default=0),
        "in_flight_per_crash_max": max((len(t["in_flight"]) for t in trials), default=0),
        "every_duplicate_was_in_flight_at_a_crash": explained,
        "kills_during_deliveries": sum(t["phase"] == "delivering" for t in trials),
        "kills_during_checks": sum(t["phase"] == "checking" for t in trials),
        "kills_during_start_up": sum(t["phase"] == "start-up" for t in trials),
        "integrity_ok_after_every_kill": all(t["integrity"] == "ok" for t in trials),
        "final_integrity": final_integrity,
        "outbox_drained": drained,
        "final_exit_code": exit_code,
        "statuses": dict(statuses),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.write_text(
        json.dumps({"summary": summary, "trials": trials}, indent=1) + "\n", encoding="utf-8"
    )
    print()
    print(f"{'trials (SIGKILL)':<42} {summary['trials']:>7}")
    print(
        f"{'  during deliveries / checks / start-up':<42} "
        f"{summary['kills_during_deliveries']} / {summary['kills_during_checks']} / "
        f"{summary['kills_during_start_up']}"
    )
    print(f"{'subscribers (+1 maintainer)':<42} {args.subscribers:>7}")
    print(f"{'max_in_flight':<42} {limit:>7}")
    print(f"{'changes stored':<42} {summary['changes']:>7}")
    print(f"{'deliveries due':<42} {due:>7}")
    print(f"{'received at the fake Bot API':<42} {summary['received']:>7}")
    print(f"{'lost':<42} {summary['lost']:>7}")
    print(f"{'duplicated (messages received twice)':<42} {summary['duplicated']:>7}")
    print(f"{'most in flight at one crash':<42} {summary['in_flight_per_crash_max']:>7}")
    print(f"{'most duplicates from one crash':<42} {summary['duplicates_per_crash_max']:>7}")
    print(f"{'every duplicate was in flight at a crash':<42} {str(explained):>7}")
    print(
        f"{'integrity_check ok after every kill':<42} "
        f"{str(summary['integrity_ok_after_every_kill']):>7}"
    )
    print(f"{'final integrity_check':<42} {final_integrity:>7}")
    print(f"{'run time':<42} {summary['seconds']:>6.0f}s")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"figures written to {shown}")


if __name__ == "__main__":
    main()

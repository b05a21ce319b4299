"""The ``ircc-watch`` command: check, replay, changes, show, review, release, discard, watches,
config-check, run."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from diffing.formats import plural
from ircc_watch import exits
from ircc_watch.redact import install as install_redaction
from ircc_watch.redact import protect_config
from ircc_watch.twinning import with_found_twins, with_twins_on_disk
from settings import Config, ConfigError, load_config
from storage.lock import DatabaseLock, Locked

CHANGE_FIELDS = ("watch", "kind", "topic", "audience", "observed_at", "title", "summary", "data")


def global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--config, --db, --log-format and -v: before the command (with their defaults) and after
    it (without, so that an option given before is not reset)."""

    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--config", default=default("config.toml"), help="config file (default: config.toml)"
    )
    parser.add_argument(
        "--db",
        default=default(None),
        help="SQLite database file (overrides settings.database; changes, show and watches "
        "need no config with it)",
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=default("text"),
        help="log lines on stderr as text or as one JSON object each (default: text)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log every check, and the traceback of a failed one",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ircc-watch",
        description="Watch Canada's immigration pages and feeds; alert on what changes.",
    )
    global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, parents=[common])

    by = os.environ.get("USER", "cli")
    p = command("check", "fetch now, once; print what changed")
    p.add_argument("names", nargs="*", metavar="NAME", help="watches to check (default: all)")
    p.add_argument("--json", action="store_true", help="JSON Lines, one change per line")

    command("run", "the long-running service: scheduler, crawls, bot, delivery, review page")

    p = command("replay", "feed saved versions through the pipeline (JSON Lines)")
    p.add_argument("dir", type=Path, help="folder with one subfolder per watch")
    p.add_argument(
        "--append",
        action="store_true",
        help="add the versions after a watch's existing snapshots (refused otherwise)",
    )

    p = command("changes", "list changes, newest first")
    p.add_argument("--unreviewed", action="store_true", help="only changes not yet reviewed")
    p.add_argument("--json", action="store_true", help="JSON Lines, one change per line")
    p.add_argument("--watch", metavar="NAME", help="only the changes of this watch")
    p.add_argument("--limit", type=int, default=50, help="at most this many changes (default: 50)")

    p = command("show", "one change with its diff")
    p.add_argument("id", type=int, help="the change's id (first column of `changes`)")
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="color the diff (default: auto, when stdout is a terminal)",
    )

    p = command("review", "add a review to a change (earlier ones are kept)")
    p.add_argument("id", type=int, help="the change's id (first column of `changes`)")
    p.add_argument("--note", help="a note kept with the review")
    p.add_argument("--by", default=by, help="who reviewed it (default: $USER)")

    for name, what in (("release", "send"), ("discard", "never send")):
        p = command(name, f"{what} a held bulk of changes")
        p.add_argument("id", type=int, help="the hold's id (in its bulk_held message)")
        p.add_argument("--by", default=by, help="who decided (default: $USER)")

    command("watches", "every watch with its health")
    command("vacuum", "apply retention now and compact the database")
    command("config-check", "validate the config and say exactly what is wrong")

    p = command("forget", "delete the whole history of a watch removed from the config")
    p.add_argument("name", metavar="NAME", help="the removed watch (see `watches`)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = command("chart", "draw a chart of the stored history (PNG or SVG, by --out's suffix)")
    p.add_argument(
        "what", nargs="*", help="nothing (cut-offs), pool, ptime PROGRAM or iec COUNTRY CATEGORY"
    )
    p.add_argument("--out", type=Path, required=True, help="the file to write (.png or .svg)")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="default: en")
    p.add_argument("--score", type=int, help="a CRS score drawn as a line (cut-offs chart)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_format, logging.INFO if args.verbose else logging.WARNING)
    config: Config | None = None
    if not (args.command in DATABASE_ONLY and args.db and not Path(args.config).exists()):
        try:
            config = load_config(args.config, args.db)
        except ConfigError as exc:
            error(str(exc))
            return 1
        protect_config(config)
    if args.command == "config-check":
        print(
            f"{args.config}: OK, {len(config.watches)} watches, topics: "
            f"{', '.join(config.topics())}"
        )
        try:
            running = with_twins_on_disk(config)
        except sqlite3.DatabaseError:
            running = config
        for line in twin_lines(config, running):
            print(line)
        return 0
    handler = COMMANDS[args.command]
    database = config.settings.database if config is not None else Path(args.db)
    lock = DatabaseLock(database, args.command) if args.command in WRITERS else None
    try:
        problem = exits.database_folder_problem(database)
        if problem is not None:
            raise exits.UserError(problem)
        if lock is not None:
            lock.acquire()
        code = handler(args, with_twins_on_disk(config) if config is not None else None)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except Locked as exc:
        error(locked_message(database, args.command, exc))
        return exits.USAGE
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except BrokenPipeError:
        return exits.quiet_closed_pipe()
    except exits.UserError as exc:
        error(str(exc))
        return exc.code
    except sqlite3.DatabaseError as exc:
        error(exits.database_message(database, exc))
        return exits.USAGE
    finally:
        if lock is not None:
            lock.release()


# The commands that check, replay or prune write snapshots and changes: one at a time per
# database (storage.lock), so no change is ever told twice.
WRITERS = frozenset({"run", "check", "replay", "vacuum", "forget"})
# The commands that only read the database: ``--db`` alone is enough (no config file).
DATABASE_ONLY = frozenset({"changes", "show", "watches"})


def locked_message(database: Path, command: str, exc: Locked) -> str:
    """One line: which process holds the database, and what to do instead."""
    holder = f"`ircc-watch {exc.command}` (pid {exc.pid if exc.pid is not None else '?'})"
    if exc.command == "run" and command == "run":
        return (
            f"{database}: {holder} is already watching this database. Fix: stop it first "
            "(a second one would check and announce everything twice), or pass --db with "
            "another file."
        )
    if exc.command == "run":
        return (
            f"{database}: {holder} is watching this database and checks every watch at its "
            f"interval; `{command}` is refused so that no change is told twice. Fix: send "
            "/check NAME to the bot to check now, or stop the service first."
        )
    return (
        f"{database}: {holder} is writing to this database. Fix: run `ircc-watch {command}` "
        "again once it has finished."
    )


_JSON_ERRORS = False


def error(text: str, level: int = logging.ERROR) -> None:
    """Tell the user what went wrong on stderr: as is, or as JSON under ``--log-format json``
    (every line on stderr is then JSON)."""
    if _JSON_ERRORS:
        for line in text.splitlines():
            logging.getLogger("ircc_watch.cli").log(level, line)
    else:
        print(text, file=sys.stderr)


def setup_logging(fmt: str, level: int) -> None:
    """Readable lines by default, one JSON object per line with ``--log-format json``."""
    global _JSON_ERRORS
    _JSON_ERRORS = fmt == "json"
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A failed check's traceback: its one-line reason is always logged, the traceback at -v.
    logging.getLogger("ircc_watch.trace").setLevel(
        logging.INFO if level <= logging.INFO else logging.CRITICAL
    )
    for noisy in ("scrapy", "twisted", "httpx", "httpcore", "telegram", "apscheduler", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Scrapy logs "Gave up retrying" and a robots.txt that could not be fetched as errors with
    # tracebacks; the page's own fetch fails the same way and the check's line reports it.
    for repeated in (
        "scrapy.downloadermiddlewares.retry",
        "scrapy.downloadermiddlewares.robotstxt",
    ):
        logging.getLogger(repeated).setLevel(logging.CRITICAL)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, ensure_ascii=False)


def open_database(config: Config | None, args: argparse.Namespace | None = None):
    """The config's database with its watches synced; without a config (``--db`` alone), the
    database as it is, which must exist (a typo must not create an empty one)."""
    from storage import watches
    from storage.db import open_db

    if config is None:
        assert args is not None and args.db
        if not Path(args.db).is_file():
            raise exits.UserError(
                f"{args.db}: no such database. Fix: pass --db with an existing ircc-watch "
                f"database, or --config with a config file ({args.config} does not exist)."
            )
        return open_db(args.db)
    db = open_db(config.settings.database)
    watches.sync(db, config.watches)
    return db


def change_json(row: dict[str, Any]) -> str:
    """One change as a JSON line: the contract fields, then the hold it is in, if any."""
    return strict_json({**{name: row[name] for name in CHANGE_FIELDS}, **hold_fields(row)})


def strict_json(value: Any) -> str:
    """``value`` as valid JSON on one line: a NaN or infinity (which JSON cannot hold, and
    Python would print bare) is written as the string it reads as."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        loose = json.dumps(value, ensure_ascii=False)
        return json.dumps(json.loads(loose, parse_constant=str), ensure_ascii=False)


def hold_fields(row: dict[str, Any]) -> dict[str, Any]:
    """``{"held": true, "hold": 3}`` for a change in a hold (its status too once decided)."""
    if not row.get("hold_id"):
        return {}
    fields: dict[str, Any] = {"held": row.get("status") == "held", "hold": row["hold_id"]}
    if row.get("status") != "held":
        fields["status"] = row.get("status")
    return fields


def cmd_check(args: argparse.Namespace, config: Config) -> int:
    from ircc_watch.pipeline import Pipeline
    from notifier.routing import recipients_for

    unknown = [name for name in args.names if name not in {w.name for w in config.watches}]
    if unknown:
        error(f"unknown watch: {', '.join(unknown)} (see `ircc-watch watches`)")
        return 2
    chosen = [w for w in config.watches if not args.names or w.name in args.names]
    db = open_database(config)
    pipeline = Pipeline(
        db, config, recipients=lambda change: recipients_for(db, pipeline.config, change)
    )
    interrupts = Interrupts()
    outcomes, sent = asyncio.run(
        _run_check(db, config, pipeline, chosen, crawl_overrides_from_env(), interrupts)
    )
    failed = 0
    for outcome in outcomes:
        failed += outcome.outcome == "error"
        if args.json:
            for change in outcome.changes:
                print(change_json(change))
            continue
        status = outcome.status if outcome.status is not None else "-"
        line = (
            f"{outcome.watch:<24} {outcome.outcome:<12} {status!s:>4} "
            f"{outcome.bytes:>9,} B {outcome.elapsed_ms:>7.0f} ms"
        )
        if outcome.error:
            line += f"  {outcome.error}"
        print(line)
        for change in outcome.changes:
            held = f"  (held, hold {change['hold_id']})" if change.get("hold_id") else ""
            print(f"  [{change['kind']}] {change['title']}{held}")
            for text in change["summary"].splitlines():
                print(f"      {text}")
    from storage import deliveries

    if isinstance(sent, int) and not args.json:
        print(f"sent {plural(sent, 'Telegram message', 'Telegram messages')}")
    queued = deliveries.counts(db).get("pending", 0)
    code = exits.INTERRUPTED if interrupts.count else 1 if failed else 0
    if isinstance(sent, str):
        if sent == TOKEN_REJECTED:
            error(token_rejected_message(config.telegram.token_env))
            code = 2
        else:
            error(
                f"Telegram Bot API unreachable ({sent}): "
                f"{plural(queued, 'message stays', 'messages stay')} queued for "
                "the next check or for `ircc-watch run`."
            )
    changed = sum(1 for o in outcomes if o.outcome == "changed" or o.changes)
    summary = f"{len(outcomes)} checked, {changed} changed, {failed} failed, {queued} queued" + (
        f", {len(chosen) - len(outcomes)} skipped (interrupted)" if interrupts.count else ""
    )
    # With --json, stdout carries JSON Lines only: the summary goes to stderr.
    print(summary, file=sys.stderr if args.json else sys.stdout)
    return code


class Interrupts:
    """Ctrl-C during ``check``: the first stops the crawl and says what it waits for (the
    fetches in flight, bounded by the download timeout); the second quits at once.

    Signals are handled by the event loop between its callbacks, never in the middle of a
    database transaction, so quitting there loses nothing that was committed."""

    def __init__(self) -> None:
        self.count = 0
        self.crawler: Any = None
        self.closing: asyncio.Future[None] | None = None

    def press(self) -> None:
        self.count += 1
        if self.count > 1:
            sys.stdout.flush()
            print("Ctrl-C again: quitting now.", file=sys.stderr, flush=True)
            os._exit(exits.INTERRUPTED)
        crawler = self.crawler
        waiting = crawler.in_flight() if crawler is not None else []
        if waiting:
            names = ", ".join(waiting[:5]) + (
                f" and {len(waiting) - 5} more" if len(waiting) > 5 else ""
            )
            what = (
                f"waiting for the {'fetch' if len(waiting) == 1 else 'fetches'} in flight to end "
                f"({names}; at most "
                f"{crawler.download_timeout():.0f} s); watches not fetched yet are skipped"
            )
        else:
            what = "finishing"
        print(f"Ctrl-C: stopping, {what}. Ctrl-C again to quit now.", file=sys.stderr, flush=True)
        if crawler is not None:
            self.closing = asyncio.ensure_future(crawler.close())  # kept: a task must be held


TOKEN_REJECTED = "token rejected"


async def _run_check(db, config, pipeline, chosen, overrides, interrupts):
    """Crawl, then send what is due: the count sent, None without a token (or when
    interrupted), or why not."""
    from crawlers.runner import WatchCrawler, stop_reactor
    from ircc_watch.checking import check, page_size_limit, send_due

    loop = asyncio.get_running_loop()
    settings = config.settings
    crawler = interrupts.crawler = WatchCrawler(
        settings.user_agent, settings.allowed_domains, page_size_limit(config, overrides)
    )
    loop.add_signal_handler(signal.SIGINT, interrupts.press)
    try:
        await crawler.start()
        try:
            outcomes = await check(db, config, pipeline, chosen, crawler=crawler)
            # A baseline that found its page's twin: the twin is watched from now on, and its
            # own baseline taken in this same run. Only a new snapshot can name a new twin:
            # an unchanged check reads no snapshot here.
            stored = [o.watch for o in outcomes if o.outcome in ("baseline", "changed")]
            grown = with_found_twins(config, db, stored) if stored else config
            names = {watch.name for watch in chosen}
            twins = [w for w in grown.watches if w.twin_of in names and w not in config.watches]
            if twins and not interrupts.count:
                from storage import watches

                watches.sync(db, grown.watches)
                pipeline.config = grown
                outcomes += await check(db, grown, pipeline, twins, crawler=crawler)
        finally:
            await crawler.close()
        if interrupts.count or not (config.telegram and config.telegram.token()):
            return outcomes, None  # without a token the bot stack is never imported
        from telegram.error import InvalidToken

        from ircc_watch.botlink import describe, is_unreachable

        try:
            sent: int | str | None = await send_due(db, config)
        except InvalidToken:
            sent = TOKEN_REJECTED
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            sent = describe(exc)
        return outcomes, sent
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        stop_reactor()


def cmd_replay(args: argparse.Namespace, config: Config) -> int:
    """Replay saved versions; stdout is JSON Lines only, failures and counts go to stderr."""
    from ircc_watch.pipeline import Pipeline
    from ircc_watch.replay import replay_file
    from notifier.routing import recipients_for
    from storage import snapshots

    if not args.dir.is_dir():
        error(f"{args.dir}: not a folder")
        return 2
    folders = sorted(p for p in args.dir.iterdir() if p.is_dir())
    names = {w.name for w in config.watches}
    unknown = [p.name for p in folders if p.name not in names]
    if unknown:
        error(
            f"{args.dir}: no watch named {', '.join(unknown)} in {args.config}; each subfolder "
            "must be named after a configured watch"
        )
        return 2
    db = open_database(config)
    if not args.append:
        taken = [(p.name, snapshots.count(db, p.name)) for p in folders]
        taken = [(name, n) for name, n in taken if n]
        if taken:
            listed = ", ".join(f"{name} ({n} snapshots)" for name, n in taken)
            error(
                f"replay: {config.settings.database} already has snapshots of {listed}; "
                "replaying would announce their changes again. Fix: use a new --db, or pass "
                "--append to add these versions after them.",
            )
            return 2
    pipeline = Pipeline(db, config, recipients=lambda change: recipients_for(db, config, change))
    files = changed = failed = 0
    for folder in folders:
        watch = config.watch(folder.name)
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            files += 1
            try:
                outcome = replay_file(pipeline, watch, path)
            except OSError as exc:
                failed += 1
                error(f"replay: {folder.name}/{path.name}: {exc.strerror}")
                continue
            if outcome.outcome == "error":
                failed += 1
                error(f"replay: {folder.name}/{path.name}: {outcome.error}")
            for change in outcome.changes:
                changed += 1
                print(change_json(change), flush=False)
    sys.stdout.flush()
    error(
        f"replay: {plural(files, 'file', 'files')}, {plural(changed, 'change', 'changes')}, "
        f"{failed} failed",
        logging.WARNING,
    )
    return 0


def cmd_changes(args: argparse.Namespace, config: Config | None) -> int:
    from storage import changes

    db = open_database(config, args)
    rows = changes.listing(db, unreviewed=args.unreviewed, watch=args.watch, limit=args.limit)
    for row in rows:
        if args.json:
            print(
                strict_json(
                    {
                        "id": row["id"],
                        **{k: row[k] for k in CHANGE_FIELDS},
                        "reviewed_at": row["reviewed_at"],
                        **hold_fields(row),
                    }
                )
            )
        else:
            mark = " " if row["reviewed_at"] else "*"
            status = f"  [{row['status']}, hold {row['hold_id']}]" if row.get("hold_id") else ""
            print(
                f"{mark}{row['id']:>5}  {row['observed_at']}  {row['watch']:<20} "
                f"{row['kind']:<15} {row['title']}{status}"
            )
    if not rows and not args.json:
        print("no changes" + (" to review" if args.unreviewed else ""))
    return 0


def cmd_chart(args: argparse.Namespace, config: Config | None) -> int:
    """Draw one of the bot's charts into a file and print its caption (the text alternative)."""
    from charts.pick import Refusal, choose

    if config is None:
        raise exits.UserError("chart needs the config file: its watches name what to draw")
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise exits.UserError(f"--out must end in .png or .svg, got {args.out.name}")
    chart = choose(open_database(config), config.watches, args.what, args.lang, args.score)
    if isinstance(chart, Refusal):
        words = " ".join(args.what) or "(cut-offs)"
        raise exits.UserError(f"no chart for {words}: {chart.reason} {chart.text}".rstrip())
    args.out.write_bytes(chart.render(fmt))
    print(chart.caption)
    return 0


def cmd_show(args: argparse.Namespace, config: Config | None) -> int:
    from storage import changes, reviews

    db = open_database(config, args)
    row = changes.get(db, args.id)
    if row is None:
        error(f"no change with id {args.id}")
        return 1
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(f"Change {row['id']}: [{row['kind']}] {row['title']}")
    print(
        f"watch: {row['watch']}  topic: {row['topic']}  audience: {row['audience']}  "
        f"observed: {row['observed_at']}"
    )
    if row["url"]:
        print(f"url: {row['url']}")
    for review in reviews.history(db, row["id"]):
        note = f" ({review['note']})" if review["note"] else ""
        print(f"reviewed: {review['reviewed_at']} by {review['reviewed_by']}{note}")
    print()
    print(row["summary"])
    print()
    print("data: " + json.dumps(row["data"], ensure_ascii=False, indent=2))
    if row["diff"]:
        print()
        for line in row["diff"].splitlines():
            print(colorize(line) if color else line)
    return 0


def colorize(line: str) -> str:
    if line.startswith(("+++", "---")):
        return f"\033[1m{line}\033[0m"
    if line.startswith("+"):
        return f"\033[32m{line}\033[0m"
    if line.startswith("-"):
        return f"\033[31m{line}\033[0m"
    if line.startswith("@@"):
        return f"\033[36m{line}\033[0m"
    return line


def cmd_review(args: argparse.Namespace, config: Config) -> int:
    from storage import changes

    db = open_database(config)
    if not changes.mark_reviewed(db, args.id, args.by, args.note):
        error(f"no change with id {args.id}")
        return 1
    print(f"change {args.id} marked reviewed by {args.by}")
    return 0


def cmd_decide(args: argparse.Namespace, config: Config) -> int:
    """``release ID`` / ``discard ID``: decide a held bulk of changes."""
    from notifier.decisions import decide
    from storage.holds import DISCARDED, RELEASED

    db = open_database(config)
    status = RELEASED if args.command == "release" else DISCARDED
    decision = decide(db, config, args.id, status, args.by)
    print(decision.message, file=sys.stdout if decision.ok else sys.stderr)
    return 0 if decision.ok else 1


LANG_NAMES = {"en": "English", "fr": "French"}


def twin_lines(config: Config, running: Config) -> list[str]:
    """Per watch whose page names its twin: the twin watched, or that it is looked for."""
    from settings.twins import TWIN_KINDS, twin_of

    lines = []
    for watch in config.watches:
        if watch.kind not in TWIN_KINDS:
            continue
        other = LANG_NAMES["fr" if watch.lang == "en" else "en"]
        twin = twin_of(running, watch.name)
        if not watch.twin:
            lines.append(f"  {watch.name}: twin = false, its {other} twin is not watched")
        elif twin is not None and twin.twin_of == watch.name:
            lines.append(f"  {watch.name}: {other} twin watched as {twin.name} ({twin.url})")
        elif twin is None:
            lines.append(f"  {watch.name}: its {other} twin is looked for at its first check")
    return lines


def cmd_watches(args: argparse.Namespace, config: Config | None) -> int:
    from storage import watches

    db = open_database(config, args)
    rows = watches.all_rows(db)
    header = (
        f"{'name':<24} {'kind':<13} {'topic':<14} {'state':<8} {'last check':<21} "
        f"{'last change':<21} fails  last error"
    )
    print(header)
    for row in rows:
        state = watches.state(row)
        print(
            f"{row['name']:<24} {row['kind']:<13} {row['topic']:<14} {state:<8} "
            f"{row['last_checked_at'] or '-':<21} {row['last_change_at'] or '-':<21} "
            f"{row['consecutive_failures']:>5}  {row['last_error'] or ''}"
        )
    from ircc_watch.botlink import health_line

    telegram = health_line(db)
    if telegram is not None:
        print(telegram)
    for watch in config.watches if config is not None else ():
        if watch.twin_of:
            other = LANG_NAMES.get(watch.lang, watch.lang)
            print(f"{watch.name}: the {other} twin of {watch.twin_of}, named by its page")
    return 0


def token_rejected_message(token_env: str) -> str:
    from ircc_watch.botlink import token_rejected_message as message

    return message(token_env)


def cmd_vacuum(args: argparse.Namespace, config: Config) -> int:
    from datetime import UTC, datetime

    from storage import retention

    db = open_database(config)
    path = config.settings.database
    before_rows, before_bytes = retention.row_counts(db), retention.file_bytes(db, path)
    s = config.settings
    pruned = retention.prune(
        db, keep_fetches=s.keep_fetches, keep_snapshots=s.keep_snapshots, now=datetime.now(UTC)
    )
    retention.vacuum(db)
    after_rows, after_bytes = retention.row_counts(db), retention.file_bytes(db, path)
    print(
        f"retention: keep_fetches {_period(s.keep_fetches)}, "
        f"keep_snapshots {_period(s.keep_snapshots)}"
    )
    for table in ("fetches", "snapshots", "bodies"):
        print(
            f"  {table:<10} {before_rows[table]:>9,} rows → {after_rows[table]:>9,} "
            f"({getattr(pruned, table):,} deleted)"
        )
    freed = before_bytes - after_bytes
    print(f"database: {before_bytes:,} B → {after_bytes:,} B (freed {freed:,} B)")
    return 0


def cmd_forget(args: argparse.Namespace, config: Config) -> int:
    """Delete the history of a watch that left the config, after confirmation."""
    from storage import retention
    from storage import watches as watch_rows

    if args.name in {w.name for w in config.watches}:
        error(
            f"{args.name} is still in {args.config}: its history is what the next check "
            "compares with. Fix: remove its [[watch]] block first, then forget it."
        )
        return exits.USAGE
    db = open_database(config)
    if watch_rows.get(db, args.name) is None:
        error(
            f"no watch named {args.name} in {config.settings.database} (see `ircc-watch watches`)"
        )
        return exits.FAILED
    counts = retention.history(db, args.name)
    listed = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    if not args.yes:
        if not sys.stdin.isatty():
            error(f"forget {args.name}: would delete {listed}. Fix: pass --yes to confirm.")
            return exits.USAGE
        answer = input(f"Delete the history of {args.name} ({listed})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return exits.OK
    deleted = retention.forget(db, args.name)
    print(f"forgot {args.name}: deleted {listed}, {deleted['bodies']:,} bodies")
    return exits.OK


def _period(seconds: float | None) -> str:
    return "forever" if seconds is None else f"{seconds / 86400:g}d"


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from ircc_watch.service import run_service

    logging.getLogger("ircc_watch").setLevel(logging.INFO)
    return run_service(config, args.config, args.db, crawl_overrides_from_env())


def crawl_overrides_from_env() -> dict[str, Any] | None:
    """Scrapy setting overrides from IRCC_WATCH_SCRAPY_SETTINGS (JSON), for tests and tuning."""
    raw = os.environ.get("IRCC_WATCH_SCRAPY_SETTINGS")
    return json.loads(raw) if raw else None


COMMANDS = {
    "check": cmd_check,
    "replay": cmd_replay,
    "changes": cmd_changes,
    "show": cmd_show,
    "review": cmd_review,
    "release": cmd_decide,
    "discard": cmd_decide,
    "watches": cmd_watches,
    "chart": cmd_chart,
    "vacuum": cmd_vacuum,
    "forget": cmd_forget,
    "run": cmd_run,
}


if __name__ == "__main__":
    raise SystemExit(main())

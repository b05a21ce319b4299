"""`ircc-watch run`: one asyncio process hosting the scheduler, the crawls, the bot and delivery.

Each watch has an APScheduler job at its interval (jittered, coalesced, one at a time);
a job only marks its watch due, and one crawl loop hands every due watch to one long-lived
Scrapy crawler whose spider stays open, so Scrapy's per-domain politeness applies across
watches and nothing (middlewares, connections, robots.txt) is rebuilt per round. Failing watches
back off; 429 and 503 wait for their Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawlers.items import Fetch
from crawlers.runner import WatchCrawler, ensure_reactor, stop_reactor
from diffing.formats import plural
from ircc_watch.botlink import (
    TelegramHealth,
    TokenRejected,
    describe,
    health_line,
    is_unreachable,
    keep_starting,
    probe_while_down,
)
from ircc_watch.checking import check, page_size_limit
from ircc_watch.exits import USAGE, UserError, database_message, port_busy_message
from ircc_watch.pipeline import Outcome, Pipeline, Prepared
from ircc_watch.redact import protect_config
from ircc_watch.twinning import found_twins, with_found_twins
from notifier import ptime_summary
from settings import Config, ConfigError, load_config
from settings.twins import twin_of, with_twins
from storage import retention
from storage import watches as watch_rows
from storage.db import open_db

log = logging.getLogger("ircc_watch.service")

SHUTDOWN_GRACE = 20.0
CANCEL_WAIT = 5.0  # after the grace, for cancelled work to unwind before the database closes
MAX_BACKOFF = 6 * 3600.0
MAX_JITTER = 60.0
GATHER_DUE = 0.2  # seconds a round waits for the watches falling due just after the first
RETENTION_EVERY = 86400.0
RETENTION_JOB = "@retention"  # not a valid watch name, so never a watch's job id


class Service:
    """The long-running process; ``run`` returns when a stop signal has been handled."""

    def __init__(
        self,
        config: Config,
        config_path: str | Path,
        db_override: str | None = None,
        crawl_overrides: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.config_path = str(config_path)
        self.db_override = db_override
        self.crawl_overrides = crawl_overrides
        self.db = open_db(config.settings.database)
        config = self.config = with_found_twins(config, self.db)
        watch_rows.sync(self.db, config.watches)
        self.pipeline = Pipeline(self.db, config, recipients=self._recipients)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.due: set[str] = set()
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.hurry = asyncio.Event()  # a second stop signal: no grace
        self.not_before: dict[str, float] = {}
        self.crawl_lock = asyncio.Lock()
        self.crawler: WatchCrawler | None = None
        self.application: Any = None
        self.delivery: Any = None
        self.review_runner: Any = None
        self.review_address: tuple[str, int] | None = None
        self.telegram_health: TelegramHealth | None = None
        self.tasks: list[asyncio.Task[Any]] = []
        self.closing = False  # the grace is over: late fetches are dropped
        self.fatal = 0  # the exit code when the database became unusable while running

    def _recipients(self, change: dict[str, Any]) -> list[tuple[int, str, str]]:
        from notifier.routing import recipients_for

        return recipients_for(self.db, self.config, change)

    async def run(self) -> int:
        """Watch until SIGTERM/SIGINT (exit 0), or until Telegram rejects the token (exit 2).

        An unreachable Bot API never stops the watching: the bot keeps being started in the
        background, with backoff, while the checks go on.
        """
        ensure_reactor()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._stop_signal)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        self._banner()
        try:
            await self._start_review()  # first: a busy port ends the start-up at once
        except OSError as exc:
            self.db.conn.close()
            stop_reactor()
            assert self.config.review is not None
            review = self.config.review
            raise UserError(port_busy_message(review.host, review.port, exc)) from None
        bot = await self._start_bot()
        if bot is not None and bot.done() and bot.exception() is not None:
            await self._stop_bot()
            await self._stop_review()
            self.db.conn.close()
            return self._bot_failed(bot)
        self.prune()  # once at start, then at retention_period()
        self._schedule_all()
        self._schedule_retention()
        ptime_summary.schedule(self.scheduler, self.db, self._wake_delivery)
        self.scheduler.start()
        self.tasks.append(asyncio.create_task(self._crawl_loop(), name="crawl"))
        if self.telegram_health is None:
            self._start_delivery()
        stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({stop, bot} - {None}, return_when=asyncio.FIRST_COMPLETED)
        code = 0
        if bot is not None and bot.done() and bot.exception() is not None:
            code = self._bot_failed(bot)  # the token was rejected after an outage
            self.stopping.set()
        await stop
        code = code or self.fatal
        self.scheduler.shutdown(wait=False)
        self.wake.set()
        running = [task for task in self.tasks if not task.done()]
        busy = [self._doing(t) for t in sorted(running, key=lambda t: t.get_name() != "crawl")]
        log.info(
            "stopping: waiting for %s to finish (at most %.0f s); Ctrl-C again to stop now",
            ", ".join(busy) or "nothing",
            SHUTDOWN_GRACE,
        )
        hurry = asyncio.create_task(self.hurry.wait())
        await asyncio.wait(
            [asyncio.gather(*self.tasks, return_exceptions=True), hurry],
            timeout=SHUTDOWN_GRACE,
            return_when=asyncio.FIRST_COMPLETED,
        )
        hurry.cancel()
        pending = [task for task in self.tasks if not task.done()]
        if pending and self.hurry.is_set():
            await self._quit_now(bot, code, pending)
        if pending:
            # Past the grace: what is still fetching is cancelled, and its fetches (failed by
            # the cancellation itself) must not count as failures of their watches.
            self.closing = True
            log.warning("grace over: cancelling %s", ", ".join(t.get_name() for t in pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=CANCEL_WAIT)
        if bot is not None and not bot.done():
            bot.cancel()
        await self._stop_bot()
        await self._stop_review()
        stop_reactor()
        self.db.conn.close()
        log.info("stopped")
        return code

    def _stop_signal(self) -> None:
        """SIGTERM or Ctrl-C: the first stops the service after its in-flight work, a second
        one during that grace cancels the work at once (its fetches are not failures)."""
        if self.stopping.is_set():
            log.info("second stop signal: cancelling the work in flight now")
            self.hurry.set()
        self.stopping.set()

    async def _quit_now(
        self, bot: asyncio.Task[Any] | None, code: int, pending: list[asyncio.Task[Any]]
    ) -> None:
        """A second stop signal: stop the bot and the review page, close the database and end
        the process without waiting for the work in flight (an abandoned fetch records nothing;
        signals run between the loop's callbacks, so no transaction is open). Cancelling
        Scrapy's in-flight downloads instead would leave its tasks pending at exit."""
        self.closing = True
        if bot is not None and not bot.done():
            bot.cancel()
        try:
            await asyncio.wait_for(self._stop_bot(), CANCEL_WAIT)
            await asyncio.wait_for(self._stop_review(), CANCEL_WAIT)
        except TimeoutError:
            log.warning("the bot or the review page did not stop in %.0f s", CANCEL_WAIT)
        self.db.conn.close()
        log.info("stopped without waiting for %s", ", ".join(t.get_name() for t in pending))
        logging.shutdown()
        os._exit(code)

    def _doing(self, task: asyncio.Task[Any]) -> str:
        """What a task still running at shutdown is doing, for the stopping line."""
        name = task.get_name()
        if name == "crawl" and self.crawler is not None and self.crawler.in_flight():
            return "the fetches of " + ", ".join(self.crawler.in_flight())
        return {"delivery": "the delivery loop", "telegram-probe": "the Telegram probe"}.get(
            name, name
        )

    def _bot_failed(self, bot: asyncio.Task[Any]) -> int:
        """The bot's start-up task failed: a rejected token is exit 2, anything else raises."""
        error = bot.exception()
        if isinstance(error, TokenRejected):
            return 2
        assert error is not None
        raise error

    def _wake_delivery(self) -> None:
        if self.delivery is not None:
            self.delivery.wake()

    def _start_delivery(self) -> None:
        self.tasks.append(asyncio.create_task(self.delivery.run(self.stopping), name="delivery"))

    def _banner(self) -> None:
        telegram = self.config.telegram
        token = "set" if telegram and telegram.token() else "not set (alerts go to the log)"
        log.info(
            "ircc-watch starting: config %s, database %s, %d watches, Telegram token %s",
            self.config.path,
            self.config.settings.database,
            len(self.config.watches),
            token,
        )

    def _schedule_all(self) -> None:
        """One job per watch; on reload, jobs of watches whose interval is unchanged stay as
        they are, so a reload does not re-check every page at once."""
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        wanted = {watch.name for watch in self.config.watches}
        for name, job in existing.items():
            if name not in wanted and not name.startswith("@"):
                job.remove()
        now = datetime.now(UTC)
        for watch in self.config.watches:
            job = existing.get(watch.name)
            if job is not None and job.trigger.interval.total_seconds() == watch.interval:
                continue
            jitter = min(watch.interval * 0.1, MAX_JITTER)
            first = now + timedelta(seconds=random.uniform(0, min(jitter, 5.0)))
            self.scheduler.add_job(
                self._mark_due,
                IntervalTrigger(seconds=watch.interval, jitter=jitter or None),
                args=[watch.name],
                id=watch.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(1, int(watch.interval)),
                next_run_time=first,
                replace_existing=True,
            )

    def _schedule_retention(self) -> None:
        """Prune at ``retention_period`` (daily with the defaults), the first time one period
        after start (``run`` prunes once at start itself)."""
        period = retention_period(self.config.settings)
        self.scheduler.add_job(
            self._retention_job,
            IntervalTrigger(seconds=period),
            id=RETENTION_JOB,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC) + timedelta(seconds=period),
            replace_existing=True,
        )

    async def _retention_job(self) -> None:
        """The scheduled prune: a coroutine, so it runs on the loop's thread, which owns the
        database connection (a plain function would run on APScheduler's thread pool)."""
        self.prune()

    def prune(self) -> None:
        """Apply retention ([settings] keep_fetches, keep_snapshots) now."""
        s = self.config.settings
        pruned = retention.prune(
            self.db,
            keep_fetches=s.keep_fetches,
            keep_snapshots=s.keep_snapshots,
            now=datetime.now(UTC),
        )
        log.info(
            "retention: deleted %d fetch rows, %d snapshots, %d bodies",
            pruned.fetches,
            pruned.snapshots,
            pruned.bodies,
        )

    async def _mark_due(self, name: str) -> None:
        """A watch's job: a coroutine on the loop (the crawl loop reads ``due`` there too)."""
        self.due.add(name)
        self.wake.set()

    async def _crawl_loop(self) -> None:
        """Start a round for the watches due; rounds overlap, so a slow host's watch (in
        flight until its timeout) never holds the other watches past their interval."""
        rounds: set[asyncio.Task[None]] = set()
        try:
            while not self.stopping.is_set():
                await self.wake.wait()
                if not self.stopping.is_set():
                    # Watches fall due one by one (each job has its own jitter): those of the
                    # next moment join this round, which reads and writes once for them all.
                    await asyncio.sleep(GATHER_DUE)
                self.wake.clear()
                if self.stopping.is_set():
                    return
                names, self.due = self.due, set()
                task = asyncio.create_task(self._round(sorted(names)), name="round")
                rounds.add(task)
                task.add_done_callback(rounds.discard)
        finally:
            try:
                if rounds:
                    await asyncio.wait(rounds)  # the shutdown's grace covers them
            finally:
                for task in rounds:
                    task.cancel()
                await self._close_crawler()

    async def _close_crawler(self) -> None:
        async with self.crawl_lock:
            if self.crawler is not None:
                await self.crawler.close()
                self.crawler = None

    async def _round(self, names: list[str]) -> None:
        try:
            await self.check_now(names)
        except sqlite3.DatabaseError as exc:  # no watch can work: stop, exit 2
            log.error("%s Stopping.", database_message(self.config.settings.database, exc))
            self.fatal = USAGE
            self.stopping.set()
            self.wake.set()
        except Exception:  # one bad round must not stop every later check
            log.exception("check of %s failed", ", ".join(names))

    def in_flight(self) -> set[str]:
        """The watches whose fetch is under way."""
        return set(self.crawler.in_flight()) if self.crawler is not None else set()

    async def _open_crawler(self) -> WatchCrawler:
        """The service's one crawler, opened on first use and again only if it stopped or a
        reload changed its user agent, allowed domains or page size limit. Call with
        ``crawl_lock`` held."""
        settings = self.config.settings
        current = self.crawler
        overrides = page_size_limit(self.config, self.crawl_overrides)
        if current is not None and current.running:
            if current.matches(settings.user_agent, settings.allowed_domains, overrides):
                return current
            await current.close()
        self.crawler = WatchCrawler(settings.user_agent, settings.allowed_domains, overrides)
        await self.crawler.start()
        return self.crawler

    async def check_now(self, names: list[str]) -> list[Any]:
        """Fetch the named watches now (skipping paused and backed-off ones unless forced)."""
        chosen = []
        now = time.monotonic()
        busy = self.in_flight()
        for name in names:
            try:
                watch = self.config.watch(name)
            except KeyError:
                continue
            if name in busy:  # its fetch under way is this check
                continue
            row = watch_rows.get(self.db, name) or {}
            if row.get("paused") or now < self.not_before.get(name, 0):
                continue
            chosen.append(watch)
        if not chosen:
            return []
        async with self.crawl_lock:
            if self.stopping.is_set() and self.crawler is None:
                return []
            crawler = await self._open_crawler()
        # read_ahead: parsing and diffing run in a worker thread, the bot and review stay live.
        return await check(
            self.db,
            self.config,
            self.pipeline,
            chosen,
            sink=self._sink,
            crawler=crawler,
            read_ahead=True,
        )

    def _sink(self, fetch: Fetch, prepared: Prepared | None = None) -> Outcome | None:
        if self._dropped(fetch):
            return None
        outcome = self.pipeline.handle(fetch, prepared=prepared)
        watch = self.config.watch(fetch.watch)
        if outcome.outcome == "error":
            row = watch_rows.get(self.db, watch.name) or {}
            wait = backoff(
                watch.interval,
                row.get("consecutive_failures") or 1,
                fetch.status,
                retry_after_seconds(fetch.headers.get("retry-after")),
            )
            if wait > 0:
                self.not_before[watch.name] = time.monotonic() + wait
                log.info("backing off %s for %.0f s", watch.name, wait)
        else:
            self.not_before.pop(watch.name, None)
        if outcome.outcome == "baseline" and watch.twin and not watch.twin_of:
            # Only this watch's snapshot is new: reading every watch's (as a reload does) made
            # the first pass over n watches cost n² snapshot reads.
            found = found_twins(self.db, self.config, [watch.name])
            if found:
                self._adopt(with_twins(self.config, found))
        for change in outcome.changes:
            log.info("change %s: [%s] %s", change["watch"], change["kind"], change["title"])
        if outcome.changes and self.delivery is not None:
            self.delivery.wake()
        return outcome

    def _dropped(self, fetch: Fetch) -> bool:
        """Whether a fetch comes too late to be handled (shutdown, or its watch removed)."""
        if self.closing:
            log.info("dropping the fetch of %s: cancelled by the shutdown", fetch.watch)
            return True
        if fetch.watch not in {w.name for w in self.config.watches}:
            log.info("dropping the fetch of %s: no longer in the config", fetch.watch)
            return True
        return False

    async def reload(self) -> str:
        """Load the config again; a broken one is refused and the running one kept."""
        try:
            config = load_config(self.config_path, self.db_override)
        except ConfigError as exc:
            log.error("config reload refused, keeping the running config:\n%s", exc)
            return f"Reload refused, the running config is kept:\n{exc}"
        protect_config(config)
        config = with_found_twins(config, self.db)
        self._adopt(config)
        job = self.scheduler.get_job(RETENTION_JOB)
        if job is not None and job.trigger.interval.total_seconds() != retention_period(
            config.settings
        ):
            self._schedule_retention()
        await self._reload_review()
        log.warning("config reloaded: %d watches", len(config.watches))
        return f"Config reloaded: {len(config.watches)} watches."

    def _adopt(self, config: Config) -> None:
        """Run with ``config`` from now on: its watches synced and scheduled (a twin found at a
        baseline is checked within seconds), every part reading it."""
        if config is self.config and self.scheduler.get_jobs():
            return
        self.config = config
        self.pipeline.config = config
        watch_rows.sync(self.db, config.watches)
        if self.scheduler.running:
            self._schedule_all()
        if self.delivery is not None:
            self.delivery.config = config
        if self.application is not None:
            from notifier.bot import update_config

            update_config(self.application, config)

    async def _start_bot(self) -> asyncio.Task[Any] | None:
        """Without a token, alerts go to the log. With one, start the bot in a task that
        retries while the Bot API is unreachable; returns that task once its first attempt
        is over (done already if that attempt found the token rejected)."""
        from notifier.delivery import Delivery

        telegram = self.config.telegram
        token = telegram.token() if telegram else None
        if not token:
            self.delivery = Delivery(self.db, self.config, None)
            return None
        from notifier.bot import build_application

        assert telegram is not None
        health = self.telegram_health = TelegramHealth(self.db)
        self.application = build_application(
            self.config, self.db, token=token, actions=AdminActions(self)
        )
        self.delivery = Delivery(self.db, self.config, self.application.bot, health=health)
        first_attempt = asyncio.Event()

        async def bring_up() -> None:
            async def attempt() -> None:
                try:
                    await self._bot_up()
                finally:
                    first_attempt.set()

            if await keep_starting(attempt, health, telegram.token_env, self.stopping):
                self._start_delivery()
                self.tasks.append(
                    asyncio.create_task(
                        probe_while_down(self.application.bot, health, self.stopping),
                        name="telegram-probe",
                    )
                )

        task = asyncio.create_task(bring_up(), name="telegram-start")
        await first_attempt.wait()
        await asyncio.sleep(0)  # let a rejected token finish the task
        return task

    async def _bot_up(self) -> None:
        """One attempt at starting the bot (it may be retried after a network error)."""
        from notifier.bot import publish_commands

        app = self.application
        health = self.telegram_health
        assert health is not None

        def polling_failed(exc: Exception) -> None:
            if is_unreachable(exc):
                health.down(describe(exc))
            else:
                log.warning("telegram: polling for updates failed: %s", describe(exc))

        await app.initialize()
        await publish_commands(app)
        if not app.running:
            await app.start()
        await app.updater.start_polling(drop_pending_updates=False, error_callback=polling_failed)

    async def _start_review(self) -> None:
        """Serve the maintainers' review page when the config has a [review] section."""
        review = self.config.review
        if review is None:
            return
        from review.app import create_app, start_review

        app = create_app(self.db, review=review, telegram=self.config.telegram, config=self.config)
        self.review_runner = await start_review(app, review.host, review.port)
        self.review_address = (review.host, review.port)

    async def _reload_review(self) -> None:
        """Give the review page the reloaded sign-in settings (who may sign in, its address);
        a new host or port, or a [review] added or removed, restarts its listener."""
        review, runner = self.config.review, self.review_runner
        same_address = review is not None and (review.host, review.port) == self.review_address
        if runner is not None and review is not None and same_address:
            from review.app import reconfigure

            reconfigure(runner.app, review, self.config.telegram, self.config)
            return
        await self._stop_review()
        try:
            await self._start_review()
        except OSError as exc:
            assert review is not None
            busy = port_busy_message(review.host, review.port, exc)
            log.error("review page not restarted: %s", busy)

    async def _stop_review(self) -> None:
        if self.review_runner is not None:
            from review.app import stop_review

            await stop_review(self.review_runner)
            self.review_runner = None

    async def _stop_bot(self) -> None:
        if self.application is None:
            return
        try:
            if self.application.updater.running:
                await self.application.updater.stop()
            # Let each chat's queue finish while the bot can still answer (PTB's shutdown
            # closes the bot first, then the update processor).
            await self.application.update_processor.shutdown()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        except Exception:  # shutting down: report, never hang
            log.exception("error while stopping the bot")


class AdminActions:
    """What the bot's admin commands do, implemented on the running service."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def check(self, name: str) -> str:
        try:
            self.service.config.watch(name)
        except KeyError:
            return f"No watch named {name}."
        self.service.not_before.pop(name, None)
        if name in self.service.in_flight():
            return f"{name} is being checked right now; /status shows how it went."
        outcomes = await self.service.check_now([name])
        if not outcomes:
            return f"{name} is paused; /resume {name} first."
        o = outcomes[0]
        detail = f" ({o.error})" if o.error else ""
        return f"{name}: {o.outcome}{detail}, {plural(len(o.changes), 'change', 'changes')}."

    async def pause(self, name: str) -> str:
        if watch_rows.set_paused(self.service.db, name, True):
            return f"{name} paused."
        return f"No watch named {name}."

    async def resume(self, name: str) -> str:
        if watch_rows.set_paused(self.service.db, name, False):
            self.service.not_before.pop(name, None)
            return f"{name} resumed."
        return f"No watch named {name}."

    async def status(self) -> str:
        lines = []
        for row in watch_rows.all_rows(self.service.db):
            state = watch_rows.state(row)
            if state == "failing":
                state += f" x{row['consecutive_failures']}"
            twin = twin_of(self.service.config, row["name"])
            lines.append(
                f"{row['name']}: {state}, last check {row['last_checked_at'] or '-'}, "
                f"last change {row['last_change_at'] or '-'}"
                + (f", error: {row['last_error']}" if row["last_error"] else "")
                + (f", twin of {twin.name}" if twin is not None and not twin.twin_of else "")
            )
        telegram = health_line(self.service.db)
        if telegram is not None:
            lines.append(telegram)
        return "\n".join(lines) or "No watches."

    async def reload(self) -> str:
        return await self.service.reload()


def retention_period(settings: Any) -> float:
    """Seconds between prunes: a day, or a quarter of the shortest retention if that is less,
    so the database never holds much more than what it is told to keep."""
    keeps = [k for k in (settings.keep_fetches, settings.keep_snapshots) if k is not None]
    return min([RETENTION_EVERY] + [k / 4 for k in keeps])


def backoff(interval: float, failures: int, status: int | None, retry_after: float | None) -> float:
    """Extra seconds to wait before the next check of a failing watch.

    The wait doubles with each consecutive failure (interval, 2x, 4x, ... up to six hours
    between checks); a 429 or 503 waits at least as long as its Retry-After asks.
    """
    wait = min(interval * 2 ** (failures - 1), MAX_BACKOFF) - interval
    if status in (429, 503) and retry_after:
        wait = max(wait, retry_after)
    return max(wait, 0.0)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def run_service(
    config: Config,
    config_path: str,
    db_override: str | None = None,
    crawl_overrides: dict[str, Any] | None = None,
) -> int:
    """Run until SIGTERM or SIGINT; exit code 0 after a clean stop."""

    async def main() -> int:
        return await Service(config, config_path, db_override, crawl_overrides).run()

    return asyncio.run(main())

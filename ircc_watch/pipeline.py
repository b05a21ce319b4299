"""What happens to each Fetch: log it, snapshot it, diff it, classify it, queue alerts.

Data flows one way: the crawler's Fetch → storage (fetch log) → diffing (pure) →
storage (snapshot, changes and deliveries in ONE transaction).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from crawlers.items import Fetch
from diffing.change import ADMINS, SUBSCRIBERS, Change, WatchInfo
from diffing.classify import classify, removals
from diffing.datakinds import KIND_REMOVAL_GRACE
from diffing.diff import Diff, diff_documents
from diffing.document import ContentError, Document
from diffing.extract import extract
from diffing.kinds import is_bulk, reading_problem, spec_for
from diffing.likeness import unrelated_page
from diffing.messages import describe
from diffing.precheck import HTML_KINDS, fingerprint
from diffing.recordkeys import ROW_PREFIX
from diffing.region import baseline_rule
from diffing.version import NORMALIZER_VERSION
from settings import Config, Watch
from storage import changes as change_rows
from storage import fetches, holds, records, snapshots, watches
from storage.db import immediate, utcnow
from storage.rounds import RoundWrites

log = logging.getLogger("ircc_watch.check")
# Tracebacks of failed checks: shown only with -v (see cli.setup_logging).
trace = logging.getLogger("ircc_watch.trace")

Recipients = Callable[[dict[str, Any]], list[tuple[int, str, str]]]
REMOVAL_GRACE = timedelta(hours=24)
# A body up to this size is pre-checked on the event loop (a few ms at most: the region is
# found with regular expressions); a bigger one only in the worker thread, so it never
# freezes the service.
LOOP_PRECHECK_BYTES = 1_000_000


@dataclass
class Outcome:
    """What one fetch led to, for the log line and the CLI."""

    watch: str
    outcome: str
    status: int | None
    bytes: int
    elapsed_ms: float
    changes: list[dict[str, Any]]
    error: str | None = None


@dataclass
class Comparison:
    """What one new snapshot brings against the last: changes to tell and records to note."""

    found: list[Change] = field(default_factory=list)
    diff_text: str | None = None
    updated: dict[str, dict[str, Any]] = field(default_factory=dict)
    vanished: list[str] = field(default_factory=list)
    touched: int = 0
    known: int = 0
    alerts: list[Change] = field(default_factory=list)
    watch_values: dict[str, Any] = field(default_factory=dict)
    # Vanished records that a change of this check already accounts for (a renamed category).
    settled: list[str] = field(default_factory=list)


@dataclass
class Check:
    """One 200 body on its way through the steps of :meth:`Pipeline._body`: what is known so far."""

    watch: Watch
    fetch: Fetch
    now: str
    row: dict[str, Any]  # the watch's row: last hashes, degraded or not
    last: dict[str, Any] | None  # the latest snapshot, None before the baseline
    fresh: bool  # the last snapshot was read by this normalizer and the watch is not degraded
    digest: str  # hash of the raw body
    validators: dict[str, Any]  # ETag and Last-Modified, kept for the next conditional GET
    rule: str | None = None  # the content-region rule chosen at the baseline
    region: str | None = None  # hash of the content region's bytes (the cheap pre-check)
    document: Document | None = None  # the reading, once extracted
    prepared: Prepared | None = None  # readings and diff computed off the event loop


@dataclass
class Prepared:
    """The pure, CPU-heavy part of one check, computed in a worker thread (``prepare``)
    so that parsing a big page never freezes the bot, the review page or other checks.

    Each value is what the step would compute on the loop, for the same inputs: the region
    fingerprint for ``rule``, readings by kind (a Document, or the exception extracting
    raised), and the diff and its changes against snapshot ``diff_of`` with ``known`` records.
    """

    rule: str | None
    region: str | None = None
    readings: dict[str, Document | Exception] = field(default_factory=dict)
    diff_of: int | None = None
    diff: Diff | None = None
    found: list[Change] = field(default_factory=list)
    known: int = 0


def watch_info(watch: Watch) -> WatchInfo:
    return WatchInfo(watch.name, watch.kind, watch.topic, watch.lang, watch.url)


class Pipeline:
    """Handles every Fetch of a crawl; one instance per process is enough."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        recipients: Recipients | None = None,
        removal_grace: timedelta = REMOVAL_GRACE,
    ) -> None:
        self.db = db
        self.config = config
        self.recipients = recipients or (lambda change: [])
        self.removal_grace = removal_grace
        # Set by checking.check for one crawl round: quiet checks' bookkeeping is batched.
        self.round: RoundWrites | None = None
        self._rules: dict[str, tuple[int, str | None]] = {}

    async def prepare(self, fetch: Fetch, now: str | None = None) -> Prepared | None:
        """Parse and diff ``fetch``'s body in a worker thread, for ``handle`` to use.

        The database is read and written on the calling (event-loop) thread only, as short
        synchronous calls: what the thread gets is bytes, strings and dicts, and what it
        returns (``Prepared``) is pure values the steps then use instead of computing them.
        None when there is nothing to read (an error, a 304, the same bytes as last time).
        A body up to LOOP_PRECHECK_BYTES is pre-checked on the loop: an unchanged region (most
        checks) then ends here, without a hop to the worker thread and back.
        """
        try:
            check = self._plan(fetch, now or utcnow())
            if check is None:
                return None
            region: str | None | _Unset = _UNSET
            if len(fetch.body) <= LOOP_PRECHECK_BYTES:
                region = _region(check)
                if _settled(check, region):
                    return Prepared(check.rule, region)
            spec = spec_for(check.watch.kind)
            reference = len(records.present(self.db, check.watch.name, spec.record_prefix))
            prepared = await asyncio.to_thread(_read_ahead, check, reference, region)
            inputs = self._diff_inputs(check, prepared)
            if inputs is not None:
                await asyncio.to_thread(_diff_ahead, check.watch, prepared, *inputs)
            return prepared
        except sqlite3.DatabaseError:
            raise
        except Exception:  # the step that meets the same fault on the loop reports it
            trace.info("reading %s ahead failed", fetch.watch, exc_info=True)
            return None

    def _plan(self, fetch: Fetch, now: str) -> Check | None:
        """The Check of a 200 body that will need reading (its region rule set)."""
        if fetch.error or fetch.status is None or not 200 <= fetch.status < 300:
            return None
        check = self._begin(self._watch_for(fetch), fetch, now)
        if self.same_bytes_only(check):
            return None
        check.rule = self._region_rule(check.watch, check.last)
        return check

    def _diff_inputs(self, check: Check, prepared: Prepared) -> tuple[Document, dict] | None:
        """The previous Document and the known records, when the diff can be done ahead."""
        document = prepared.readings.get(check.watch.kind)
        last = check.last
        if (
            not isinstance(document, Document)
            or last is None
            or check.row.get("degraded_since")
            or last["normalizer_version"] != NORMALIZER_VERSION
            or last["content_hash"] == document.content_hash()
        ):
            return None
        previous = Document.from_json(snapshots.document_json(last))
        prepared.diff_of = last["id"]
        return previous, records.known(self.db, check.watch.name)

    def _watch_for(self, fetch: Fetch) -> Watch:
        """The watch a Fetch is for, as read: a watch that follows an index is read, linked and
        told as the page it follows now (the index may have led to a newer one)."""
        watch = self.config.watch(fetch.watch)
        if watch.follow and fetch.url:
            watch = replace(watch, url=fetch.url)
        return watch

    def same_bytes_only(self, check: Check) -> bool:
        """Whether the raw body is the last one (nothing to read ahead)."""
        last, row = check.last, check.row
        return bool(
            check.fresh and last and check.digest in (row.get("last_body_hash"), last["body_hash"])
        )

    def handle(
        self, fetch: Fetch, now: str | None = None, prepared: Prepared | None = None
    ) -> Outcome:
        """Process one Fetch. Whatever goes wrong with this watch's body (extracting,
        diffing, storing) is this watch's failure: counted, with a one-line reason. Only a
        database that cannot be used (sqlite3.DatabaseError) is raised: no watch can work.
        ``prepared`` holds what ``prepare`` computed off the loop for this fetch."""
        now = now or utcnow()
        watch = self._watch_for(fetch)
        try:
            # Read the last snapshot, compare, store: one transaction holding the write lock
            # from its first read, so two checks of one watch can never both tell a change.
            with immediate(self.db):
                outcome = self._dispatch(watch, fetch, now, prepared)
        except sqlite3.DatabaseError:
            raise
        except Exception as exc:
            reason = crash_reason(exc)
            log.warning("check %s failed: %s", watch.name, reason)
            trace.info("check %s failed", watch.name, exc_info=True)
            outcome = self._failure(watch, fetch, now, reason)
        log.info(
            "check %s: %s status=%s bytes=%d ms=%.0f changes=%d%s",
            watch.name,
            outcome.outcome,
            outcome.status,
            outcome.bytes,
            outcome.elapsed_ms,
            len(outcome.changes),
            f" error={outcome.error}" if outcome.error else "",
            extra={
                "fields": {
                    "watch": watch.name,
                    "outcome": outcome.outcome,
                    "status": outcome.status,
                    "bytes": outcome.bytes,
                    "ms": round(outcome.elapsed_ms),
                    "changes": len(outcome.changes),
                    "error": outcome.error,
                }
            },
        )
        return outcome

    def _dispatch(
        self, watch: Watch, fetch: Fetch, now: str, prepared: Prepared | None = None
    ) -> Outcome:
        if fetch.error or fetch.status is None:
            return self._failure(watch, fetch, now, describe_error(fetch))
        if fetch.status == 304:
            return self._unchanged(watch, fetch, now, "not_modified")
        if not 200 <= fetch.status < 300:
            return self._failure(watch, fetch, now, f"HTTP {fetch.status}")
        return self._body(watch, fetch, now, prepared)

    def _body(
        self, watch: Watch, fetch: Fetch, now: str, prepared: Prepared | None = None
    ) -> Outcome:
        """A 200 body, step by step: each step either ends the check or hands it on."""
        check = self._begin(watch, fetch, now)
        check.prepared = prepared
        for step in (
            self.same_bytes,  # the body's hash, as last time: unchanged
            self.same_region,  # the content region's bytes, as last time: unchanged
            self.read,  # extract; a fault, the wrong page, or too little → fallback or failure
            self.same_content,  # the normalized content, as last time: unchanged
            self.stale,  # an earlier version served again (a stale CDN copy): nothing told
            self.compare_and_store,  # diff, classify, and store snapshot + changes + outbox
        ):
            outcome = step(check)
            if outcome is not None:
                return outcome
        raise AssertionError("compare_and_store always ends the check")

    def _begin(self, watch: Watch, fetch: Fetch, now: str) -> Check:
        row = watches.get(self.db, watch.name) or {}
        last = snapshots.latest(self.db, watch.name)
        # A degraded watch is re-read on every check, so a fixed extractor recovers at once.
        fresh = (
            last is not None
            and last["normalizer_version"] == NORMALIZER_VERSION
            and not row.get("degraded_since")
        )
        return Check(
            watch=watch,
            fetch=fetch,
            now=now,
            row=row,
            last=last,
            fresh=fresh,
            digest=snapshots.body_hash(fetch.body),
            validators={
                "etag": fetch.headers.get("etag"),
                "last_modified": fetch.headers.get("last-modified"),
            },
        )

    def same_bytes(self, check: Check) -> Outcome | None:
        """Unchanged if the raw body is byte for byte the last one (no parse at all)."""
        if self.same_bytes_only(check):
            return self._quiet(check, "unchanged")
        return None

    def same_region(self, check: Check) -> Outcome | None:
        """Unchanged if the content region's bytes are the last ones (found without a parse)."""
        check.rule = self._region_rule(check.watch, check.last)
        prepared = check.prepared
        if prepared is not None and prepared.rule == check.rule:
            check.region = prepared.region
        else:
            check.region = _region(check)
        if _settled(check, check.region):
            return self._quiet(check, "unchanged")
        return None

    def read(self, check: Check) -> Outcome | None:
        """Extract the Document; a body that is not the page is a failure, and a structured
        reading that found too little falls back to the page-level reading."""
        watch, fetch = check.watch, check.fetch
        spec = spec_for(watch.kind)
        try:
            document = self._reading(check, watch.kind)
        except ContentError as exc:
            if not spec.fallback:
                return self._failure(watch, fetch, check.now, str(exc))
            return self._fallback(check, str(exc))
        lost = self._not_the_page(watch, check.last, document)
        if lost:
            return self._failure(watch, fetch, check.now, lost)
        reference = len(records.present(self.db, watch.name, spec.record_prefix))
        problem = reading_problem(spec, document.records, reference)
        if problem is not None:
            if not spec.fallback:
                return self._failure(watch, fetch, check.now, problem)
            return self._fallback(check, problem)
        check.document = document
        return None

    def same_content(self, check: Check) -> Outcome | None:
        """Unchanged if the normalized content is the last snapshot's (a re-render)."""
        assert check.document is not None
        if check.last is not None and check.last["content_hash"] == check.document.content_hash():
            return self._quiet(check, "unchanged")
        return None

    def stale(self, check: Check) -> Outcome | None:
        """Nothing of a stale copy is kept (no validators, no hashes): if it is in fact the page
        going back, it is read again at the next check and told after the grace."""
        assert check.document is not None
        content_hash = check.document.content_hash()
        if self._stale_copy(check.watch, check.last, content_hash, check.now):
            return self._unchanged(check.watch, check.fetch, check.now, "stale")
        return None

    def compare_and_store(self, check: Check) -> Outcome:
        """Diff against the last snapshot (or resync after a degraded spell) and store it all."""
        assert check.document is not None
        if check.row.get("degraded_since"):
            comparison = self._recovery(
                check.watch, check.fetch.body, check.document, check.last, check.row
            )
        else:
            comparison = self._compare(check.watch, check.document, check.last, check.prepared)
        return self._snapshot(check, check.document, comparison)

    def _reading(self, check: Check, kind: str) -> Document:
        """The body read as ``kind`` (the watch's own kind, or "page"): read ahead in a worker
        thread when there, else now."""
        prepared = check.prepared
        if prepared is not None and prepared.rule == check.rule and kind in prepared.readings:
            found = prepared.readings[kind]
            if isinstance(found, Exception):
                raise found
            return found
        return read_body(check.watch, kind, check.fetch.body, check.rule)

    def _quiet(self, check: Check, outcome: str) -> Outcome:
        """An unchanged check: its validators and hashes are kept for the next pre-check."""
        return self._unchanged(
            check.watch,
            check.fetch,
            check.now,
            outcome,
            check.validators,
            check.digest,
            check.region,
        )

    def _stale_copy(
        self, watch: Watch, last: dict[str, Any] | None, content_hash: str, now: str
    ) -> bool:
        """Whether this content is an earlier version served again while the newest is recent.

        A CDN node that missed the last update flips a page back and forth (A, B, A, B): a
        version the watch had before its newest one, seen while that newest snapshot is
        younger than the removal grace, is a stale copy, not an edit to tell. Once the newest
        version has stood that long, an earlier one coming back is a real revert and is told.
        """
        if last is None or last["observed_at"] <= _shift(now, -self.removal_grace):
            return False
        return snapshots.had_content(self.db, watch.name, content_hash, last["id"])

    def _not_the_page(
        self, watch: Watch, last: dict[str, Any] | None, document: Document
    ) -> str | None:
        """Why an HTML reading is not the watched page (an error page served as 200), or None."""
        if last is None or watch.kind not in HTML_KINDS:
            return None
        return unrelated_page(last["content"] or "", document.text)

    def _compare(
        self,
        watch: Watch,
        document: Document,
        last: dict[str, Any] | None,
        prepared: Prepared | None = None,
    ) -> Comparison:
        """The structured diff of a new Document against the last snapshot and known records."""
        if last is None:
            return Comparison(updated=document.records)
        if prepared is not None and prepared.diff is not None and prepared.diff_of == last["id"]:
            diff, found, known_count = prepared.diff, prepared.found, prepared.known
        else:
            previous = self._previous_document(watch, last)
            known = records.known(self.db, watch.name)
            diff = diff_documents(
                previous.text, document.text, previous.records, document.records, known
            )
            found, known_count = classify(watch_info(watch), diff), len(known)
        touched = set(diff.added) | set(diff.changed) | set(diff.returned)
        renamed = {change.data.get("renamed_from") for change in found} - {None}
        # A section renamed: its old heading, told as renamed, is not a removal to announce
        # (the table rows under it are: their cells left the page unless told as added).
        renamed |= {e.get("renamed_from") for c in found for e in c.data.get("edits") or []}
        return Comparison(
            found=found,
            settled=[
                key
                for key, r in diff.removed.items()
                if (r.get("name") or r.get("section")) in renamed - {None}
                and not key.startswith(ROW_PREFIX)
            ]
            + diff.rekeyed,
            diff_text=diff.unified,
            updated={key: document.records[key] for key in touched},
            vanished=list(diff.removed),
            touched=len(diff.added) + len(diff.changed),
            known=known_count,
        )

    def _page_comparison(
        self, watch: Watch, page: Document, last: dict[str, Any] | None
    ) -> Comparison:
        """The page-level diff (sections, sentences, tables) of the last body and this one.

        Both sides are read the same way, so switching readings never shows as a change.
        """
        if last is None:
            return Comparison()
        previous = self._previous_page(watch, last)
        diff = diff_documents(previous.text, page.text, previous.records, page.records, {})
        return Comparison(
            found=classify(replace(watch_info(watch), kind="page"), diff),
            diff_text=diff.unified,
            touched=len(diff.added) + len(diff.changed),
            known=len(previous.records),
        )

    def _fallback(self, check: Check, problem: str) -> Outcome:
        """The structured reading found too little: read the page as a page, tell admins once.

        Records are left as they were (nothing vanishes while the extractor is blind); the
        snapshot holds the page-level reading, so the next degraded check diffs like with like.
        A body the page-level reading refuses too (error page, region missing) is a fault.
        """
        watch, fetch, now, last = check.watch, check.fetch, check.now, check.last
        try:
            page = self._reading(check, "page")
        except ContentError as exc:
            return self._failure(watch, fetch, now, str(exc))
        lost = self._not_the_page(watch, last, page)
        if lost:
            return self._failure(watch, fetch, now, lost)
        entering = not check.row.get("degraded_since")
        if not entering and last is not None and last["content_hash"] == page.content_hash():
            return self._quiet(check, "unchanged")
        if not entering and self._stale_copy(watch, last, page.content_hash(), now):
            return self._unchanged(watch, fetch, now, "stale")
        comparison = self._page_comparison(watch, page, last)
        if entering:
            spec = spec_for(watch.kind)
            missing = problem or f"no {spec.record_noun} records found"
            comparison.alerts.append(
                Change(
                    "extractor_degraded",
                    ADMINS,
                    {"watch": watch.name, "kind": watch.kind, "missing": missing, "since": now},
                )
            )
            comparison.watch_values = {"degraded_since": now, "degraded_reason": missing}
        return self._snapshot(check, page, comparison)

    def _recovery(
        self,
        watch: Watch,
        body: bytes,
        document: Document,
        last: dict[str, Any] | None,
        row: dict[str, Any],
    ) -> Comparison:
        """The structured reading works again: tell this check's edits at page level, resync.

        The records are brought up to date silently (their edits while degraded were told
        at page level); the admins hear once that the structured reading is back.
        """
        try:
            page = read_body(watch, "page", body, self._region_rule(watch, last))
        except ContentError:
            page = Document("page", document.text)
        comparison = self._page_comparison(watch, page, last)
        comparison.updated = document.records
        comparison.vanished = [
            key for key in records.present(self.db, watch.name) if key not in document.records
        ]
        spec = spec_for(watch.kind)
        comparison.alerts.append(
            Change(
                "extractor_recovered",
                ADMINS,
                {
                    "watch": watch.name,
                    "kind": watch.kind,
                    "since": row.get("degraded_since"),
                    "records": len(spec.own_records(document.records)),
                    "noun": spec.record_noun,
                },
            )
        )
        comparison.watch_values = {"degraded_since": None, "degraded_reason": None}
        return comparison

    def _snapshot(self, check: Check, document: Document, comparison: Comparison) -> Outcome:
        """ONE transaction: the snapshot, its records, its changes and their deliveries."""
        watch, fetch, now, last = check.watch, check.fetch, check.now, check.last
        digest, region = check.digest, check.region
        info = watch_info(watch)
        with self.db.atomic():
            snapshots.store_body(self.db, fetch.body, watch.name)
            snapshot_id = snapshots.insert(
                self.db,
                watch=watch.name,
                observed_at=now,
                body_hash=digest,
                region_hash=region,
                content_hash=document.content_hash(),
                content=document.text,
                document=document.to_json(),
                normalizer_version=NORMALIZER_VERSION,
            )
            records.observe(self.db, watch.name, comparison.updated, comparison.vanished, now)
            if comparison.settled:
                records.mark_removal_announced(self.db, watch.name, comparison.settled)
            items = [(change, last, comparison.diff_text) for change in comparison.found]
            stored = self._tell(info, items, now, snapshot_id, comparison.touched, comparison.known)
            stored += [
                self._store_change(info, alert, now, snapshot_id, None, None)
                for alert in comparison.alerts
            ]
            if comparison.watch_values:
                watches.update(self.db, watch.name, **comparison.watch_values)
            self._log(watch, fetch, now, "baseline" if last is None else "changed", digest)
            stored += self._healthy(
                watch, fetch, now, check.validators, digest, region, changed=bool(stored)
            )
        return Outcome(
            watch.name,
            "baseline" if last is None else "changed",
            fetch.status,
            len(fetch.body),
            fetch.elapsed_ms,
            stored,
        )

    def _tell(
        self,
        info: WatchInfo,
        items: list[tuple[Change, dict[str, Any] | None, str | None]],
        now: str,
        snapshot_id: int | None,
        touched: int,
        known: int,
    ) -> list[dict[str, Any]]:
        """Store a check's changes and the removals now due: told at once, or held as a bulk.

        A bulk (see diffing.kinds.is_bulk) is stored with status ``held`` and no deliveries;
        maintainers and admins get one ``bulk_held`` alert to release or discard it.
        """
        due = self._due_removals(info, now)
        items = items + [(change, None, None) for change in removals(info, due)]
        if not items:
            return []
        spec = spec_for(info.kind)
        subscriber = sum(change.audience == SUBSCRIBERS for change, _, _ in items)
        hold_id = None
        known = known or records.count(self.db, info.name)
        threshold = self.config.settings.bulk_threshold
        if is_bulk(spec, subscriber, touched + len(due), known, threshold):
            hold_id = holds.create(self.db, info.name, len(items), now)
        stored = [
            self._store_change(info, change, now, snapshot_id, last, diff_text, hold_id)
            for change, last, diff_text in items
        ]
        if hold_id is not None:
            stored.append(self._bulk_alert(info, stored, hold_id, now))
        return stored

    def _bulk_alert(
        self, info: WatchInfo, held: list[dict[str, Any]], hold_id: int, now: str
    ) -> dict[str, Any]:
        """The one message maintainers and admins get for a hold: counts and three examples."""
        counts: dict[str, int] = {}
        for row in held:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        data = {
            "watch": info.name,
            "hold": hold_id,
            "count": len(held),
            "counts": counts,
            "examples": [{"title": row["title"], "summary": row["summary"]} for row in held[:3]],
        }
        return self._store_change(info, Change("bulk_held", ADMINS, data), now, None, None, None)

    def _previous_document(self, watch: Watch, last: dict[str, Any]) -> Document:
        """The last snapshot's Document, re-extracted if the normalizer has changed since.

        Diffing an old normalization against a new one would report the normalizer's
        changes as page changes; re-running it on the stored raw body avoids that.
        """
        if last["normalizer_version"] == NORMALIZER_VERSION:
            return Document.from_json(snapshots.document_json(last))
        body = snapshots.load_body(self.db, last["body_hash"])
        try:
            return read_body(watch, watch.kind, body, self._region_rule(watch, last))
        except ContentError:
            return Document.from_json(snapshots.document_json(last))

    def _region_rule(self, watch: Watch, last: dict[str, Any] | None) -> str | None:
        """The content-region rule of the watch's last snapshot: the baseline's, kept."""
        if last is None or watch.selector or watch.kind not in HTML_KINDS:
            return None
        cached = self._rules.get(watch.name)
        if cached is None or cached[0] != last["id"]:
            meta = json.loads(snapshots.document_json(last)).get("meta", {})
            cached = self._rules[watch.name] = (last["id"], baseline_rule(meta))
        return cached[1]

    def _previous_page(self, watch: Watch, last: dict[str, Any]) -> Document:
        """The last snapshot read as a page: stored so when degraded, else from its raw body."""
        if last["normalizer_version"] == NORMALIZER_VERSION:
            stored = Document.from_json(snapshots.document_json(last))
            if stored.kind == "page":
                return stored
        body = snapshots.load_body(self.db, last["body_hash"])
        try:
            return read_body(watch, "page", body, self._region_rule(watch, last))
        except ContentError:
            return Document("page", last["content"])

    def _due_removals(self, info: WatchInfo, now: str) -> dict[str, dict[str, Any]]:
        """Records whose absence outlasted the grace period, marked announced (inside atomic)."""
        grace = max(self.removal_grace, KIND_REMOVAL_GRACE.get(info.kind, timedelta(0)))
        cutoff = _shift(now, -grace)
        due = records.due_removals(self.db, info.name, cutoff)
        if due:
            records.mark_removal_announced(self.db, info.name, list(due))
        return due

    def _store_change(
        self,
        info: WatchInfo,
        change: Change,
        now: str,
        snapshot_id: int | None,
        last: dict[str, Any] | None,
        diff_text: str | None,
        hold_id: int | None = None,
    ) -> dict[str, Any]:
        """Store one change; a held one gets no deliveries until its hold is released."""
        title, summary = describe(change.kind, change.data, info.lang)
        row = {
            "watch": info.name,
            "kind": change.kind,
            "topic": info.topic,
            "audience": change.audience,
            "observed_at": now,
            "title": title,
            "summary": summary,
            "data": change.data,
            "url": info.url,
            "lang": info.lang,
            "snapshot_id": snapshot_id,
            "previous_snapshot_id": last["id"] if last else None,
            "diff": diff_text,
        }
        if hold_id is None:
            row["id"] = change_rows.insert(self.db, row, self.recipients(row))
            return row
        row.update(status=holds.HELD, hold_id=hold_id)
        row["id"] = change_rows.insert(self.db, row, ())
        return row

    def _unchanged(
        self,
        watch: Watch,
        fetch: Fetch,
        now: str,
        outcome: str,
        validators: dict[str, Any] | None = None,
        digest: str | None = None,
        region: str | None = None,
    ) -> Outcome:
        with self.db.atomic():
            stored = self._tell(watch_info(watch), [], now, None, 0, 0)
            # Nothing to tell: the bookkeeping waits for the round's one transaction.
            later = self.round if not stored else None
            self._log(watch, fetch, now, outcome, digest, into=later)
            alerts = self._healthy(
                watch, fetch, now, validators or {}, digest, region, bool(stored), into=later
            )
            if alerts and later is not None:
                later.flush()  # an alert was raised: its watch's bookkeeping goes with it
            stored += alerts
        return Outcome(watch.name, outcome, fetch.status, len(fetch.body), fetch.elapsed_ms, stored)

    def _failure(self, watch: Watch, fetch: Fetch, now: str, reason: str) -> Outcome:
        row = watches.get(self.db, watch.name) or {}
        failures = (row.get("consecutive_failures") or 0) + 1
        since = row.get("failing_since") or now
        stored: list[dict[str, Any]] = []
        with self.db.atomic():
            self._log(watch, fetch, now, "error", None, reason)
            values: dict[str, Any] = {
                "last_checked_at": now,
                "consecutive_failures": failures,
                "failing_since": since,
                "last_error": reason,
            }
            threshold = self.config.settings.failure_threshold
            if failures >= threshold and not row.get("failing_alerted"):
                change = Change(
                    "watch_failing",
                    ADMINS,
                    {
                        "watch": watch.name,
                        "reason": reason,
                        "since": since,
                        "failures": failures,
                    },
                )
                stored.append(self._store_change(watch_info(watch), change, now, None, None, None))
                values["failing_alerted"] = 1
            watches.update(self.db, watch.name, **values)
        return Outcome(
            watch.name, "error", fetch.status, len(fetch.body), fetch.elapsed_ms, stored, reason
        )

    def _healthy(
        self,
        watch: Watch,
        fetch: Fetch,
        now: str,
        validators: dict[str, Any],
        digest: str | None,
        region: str | None,
        changed: bool,
        into: RoundWrites | None = None,
    ) -> list[dict[str, Any]]:
        """Record a successful check; returns the admin alerts it raised (moved, recovered).

        ``into`` keeps the watch row's update for the round's transaction.
        """
        row = watches.get(self.db, watch.name) or {}
        alerts: list[dict[str, Any]] = []
        values: dict[str, Any] = {
            "last_checked_at": now,
            "last_ok_at": now,
            "consecutive_failures": 0,
            "failing_since": None,
            "last_error": None,
            "failing_alerted": 0,
        }
        if changed:
            values["last_change_at"] = now
        if validators.get("etag") or validators.get("last_modified"):
            values.update(validators)
        if digest:
            values["last_body_hash"] = digest
        if region:
            values["last_region_hash"] = region
        if watch.follow:
            alerts += self._followed(watch, row, values, now)
        if fetch.final_url and fetch.final_url != watch.url:
            values["final_url"] = fetch.final_url
            permanent = any(status in (301, 308) for status, _ in fetch.redirects)
            if permanent and fetch.final_url != row.get("final_url"):
                change = Change(
                    "watch_moved",
                    ADMINS,
                    {"watch": watch.name, "from": watch.url, "to": fetch.final_url},
                )
                alerts.append(self._store_change(watch_info(watch), change, now, None, None, None))
        if row.get("failing_alerted"):
            change = Change(
                "watch_recovered",
                ADMINS,
                {
                    "watch": watch.name,
                    "since": row.get("failing_since"),
                    "failures": row.get("consecutive_failures"),
                },
            )
            alerts.append(self._store_change(watch_info(watch), change, now, None, None, None))
        (into or watches).update(self.db, watch.name, **values)
        return alerts

    def _followed(
        self, watch: Watch, row: dict[str, Any], values: dict[str, Any], now: str
    ) -> list[dict[str, Any]]:
        """A watch that follows the newest page, now on another page than last time: the
        admins are told once; its records carry on (the new page's entries are new, the old
        page's are not announced as removed: provincial entries leave their pages)."""
        before = row.get("followed_url") or self.config.watch(watch.name).url
        if watch.url == before:
            return []
        values["followed_url"] = watch.url
        data = {"watch": watch.name, "from": before, "to": watch.url, "followed": True}
        change = Change("watch_moved", ADMINS, data)
        return [self._store_change(watch_info(watch), change, now, None, None, None)]

    def _log(
        self,
        watch: Watch,
        fetch: Fetch,
        now: str,
        outcome: str,
        digest: str | None,
        error: str | None = None,
        into: RoundWrites | None = None,
    ) -> None:
        (into or fetches).log(
            self.db,
            watch=watch.name,
            fetched_at=now,
            url=fetch.url,
            final_url=fetch.final_url,
            status=fetch.status,
            bytes=len(fetch.body),
            elapsed_ms=fetch.elapsed_ms,
            outcome=outcome,
            error=error,
            body_hash=digest,
        )


def crash_reason(exc: BaseException) -> str:
    """One line for an unexpected exception: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return f"internal error ({line[:200]})"


def read_body(watch: Watch, kind: str, body: bytes, rule: str | None) -> Document:
    """The body read as ``kind`` for ``watch`` (pure: what the worker thread runs)."""
    if kind == "page":
        return extract("page", body, selector=watch.selector, url=watch.url, region=rule)
    return extract(
        kind,
        body,
        selector=watch.selector,
        url=watch.url,
        region=rule,
        records=watch.records,
        key=watch.key,
    )


class _Unset:
    """The region fingerprint not computed yet (None is a fingerprint: "unknown")."""


_UNSET = _Unset()


def _region(check: Check) -> str | None:
    """The body's region fingerprint under the check's rule (the whole <body> for a watch with
    a selector, which may point outside the default region)."""
    watch = check.watch
    return fingerprint(watch.kind, check.fetch.body, "body" if watch.selector else check.rule)


def _settled(check: Check, region: str | None) -> bool:
    """Whether the region is the last one stored: the check is unchanged, nothing to read."""
    last, row = check.last, check.row
    known = (row.get("last_region_hash"), last["region_hash"]) if last else ()
    return check.fresh and region is not None and region in known


def _read_ahead(check: Check, reference: int, region: str | None | _Unset = _UNSET) -> Prepared:
    """In a worker thread: the region fingerprint (unless given), then, unless the region is
    the last one, the structured reading (and the page-level one when the watch may fall back
    to it)."""
    watch, body, row = check.watch, check.fetch.body, check.row
    prepared = Prepared(check.rule, _region(check) if isinstance(region, _Unset) else region)
    if _settled(check, prepared.region):
        return prepared
    document = _read_into(prepared, watch, watch.kind, body, check.rule)
    spec = spec_for(watch.kind)
    if spec.fallback and (
        document is None
        or row.get("degraded_since")
        or reading_problem(spec, document.records, reference)
    ):
        _read_into(prepared, watch, "page", body, check.rule)
    return prepared


def _read_into(
    prepared: Prepared, watch: Watch, kind: str, body: bytes, rule: str | None
) -> Document | None:
    """Read ``body`` as ``kind`` into ``prepared``: the Document, or what extracting raised."""
    try:
        document = read_body(watch, kind, body, rule)
        document.content_hash()  # memoized: hashing and serializing a big reading is work too
        document.to_json()
    except Exception as exc:
        prepared.readings[kind] = exc
        return None
    prepared.readings[kind] = document
    return document


def _diff_ahead(
    watch: Watch, prepared: Prepared, previous: Document, known: dict[str, dict[str, Any]]
) -> None:
    """In a worker thread: the structured diff against the last snapshot, and its changes."""
    document = prepared.readings[watch.kind]
    assert isinstance(document, Document)
    diff = diff_documents(previous.text, document.text, previous.records, document.records, known)
    prepared.found = classify(watch_info(watch), diff)
    prepared.known = len(known)
    prepared.diff = diff


def describe_error(fetch: Fetch) -> str:
    """A short, human cause for a fetch that brought no response."""
    labels = {
        "timeout": "timeout",
        "dns": "DNS lookup failed",
        "connection": "connection failed",
        "robots": "disallowed by robots.txt",
        "offsite": "redirected outside allowed_domains",
        "too_large": "page too large",
        "redirect_loop": "redirect loop",
        "too_many_redirects": "too many redirects",
    }
    label = labels.get(fetch.error or "", fetch.error or "error")
    return f"{label} ({fetch.error_detail})" if fetch.error_detail and label != "timeout" else label


def _shift(stamp: str, delta: timedelta) -> str:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment + delta).strftime("%Y-%m-%dT%H:%M:%SZ")

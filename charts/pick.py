"""Which chart a request asks for (``/chart``, ``/chart pool``, ``/chart ptime iec``,
``/chart iec France wh``) and its figures, read from the newest snapshots and their history.

Returns a :class:`charts.make.Chart` or a :class:`Refusal` naming what is wrong, so the bot,
the review page and the command line answer the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils

from charts import make, series
from diffing import ptime_names
from diffing.datamessages import CATEGORIES, pool_code, pool_name
from diffing.document import Document
from storage import snapshots

ROUNDS, PTIME, IEC = "ee-rounds", "processing-times", "iec-pools"


class WatchLike(Protocol):
    name: str
    kind: str
    lang: str


@dataclass(frozen=True)
class Refusal:
    """Why no chart: ``usage`` (words not understood), ``no_data`` (nothing stored yet),
    ``unknown`` (no such program or pool); ``text`` is what the reader typed."""

    reason: str
    text: str = ""


def latest_draws(
    db: sqlite_utils.Database, watches: Sequence[WatchLike], lang: str
) -> list[dict[str, Any]]:
    """The rounds of the newest snapshot of the rounds feed (the one in ``lang`` first)."""
    feeds = sorted((w for w in watches if w.kind == ROUNDS), key=lambda w: w.lang != lang)
    for watch in feeds:
        snapshot = snapshots.latest(db, watch.name)
        if snapshot is not None:
            return list(Document.from_json(snapshots.document_json(snapshot)).records.values())
    return []


def choose(
    db: sqlite_utils.Database,
    watches: Sequence[WatchLike],
    args: Sequence[str],
    lang: str,
    score: int | None = None,
) -> make.Chart | Refusal:
    """The chart ``args`` name, prepared (not drawn)."""
    words = [a.strip() for a in args if a.strip()]
    what = words[0].lower() if words else ""
    if what in ("", "crs", "draws"):
        chart = make.cutoffs_chart(latest_draws(db, watches, lang), score, lang)
    elif what in ("pool", "bassin"):
        chart = make.pool_chart(latest_draws(db, watches, lang), lang)
    elif what in ("ptime", "delai", "délai"):
        if len(words) != 2:
            return Refusal("usage")
        return _ptime(db, watches, words[1], lang)
    elif what in ("iec", "eic"):
        if len(words) < 3:
            return Refusal("usage")
        return _iec(db, watches, " ".join(words[1:-1]), words[-1].lower(), lang)
    else:
        return Refusal("usage")
    return chart if chart is not None else Refusal("no_data")


def _ptime(
    db: sqlite_utils.Database, watches: Sequence[WatchLike], program: str, lang: str
) -> make.Chart | Refusal:
    """The program's chart from the first processing-times watch whose newest snapshot has it
    (the history of a watch without it is never read)."""
    stored = False
    for watch in watches:
        if watch.kind != PTIME:
            continue
        latest = _latest_records(db, watch.name)
        stored = stored or latest is not None
        if latest is None or series.ptime_key(latest, program) is None:
            continue
        name = ptime_names.name(program.lower().split("/")[-1], lang)
        chart = make.ptime_chart(snapshots.history(db, watch.name), program, name, lang)
        if chart is not None:
            return chart
    return Refusal("unknown", program) if stored else Refusal("no_data")


def _latest_records(db: sqlite_utils.Database, watch: str) -> dict[str, dict[str, Any]] | None:
    snapshot = snapshots.latest(db, watch)
    if snapshot is None:
        return None
    return Document.from_json(snapshots.document_json(snapshot)).records


def _iec(
    db: sqlite_utils.Database,
    watches: Sequence[WatchLike],
    country: str,
    category: str,
    lang: str,
) -> make.Chart | Refusal:
    if category not in CATEGORIES:
        return Refusal("usage")
    for watch in watches:
        if watch.kind != IEC:
            continue
        latest = _latest_records(db, watch.name)
        if latest is None:
            continue
        pools = {k: r for k, r in latest.items() if "code" in r}
        code = pool_code(country, pools)
        key = f"{code}/{category}"
        if code is None or key not in pools:
            return Refusal("unknown", f"{country} {category}")
        history = snapshots.history(db, watch.name)
        chart = make.iec_chart(history, key, pool_name(pools[key], lang), lang)
        return chart if chart is not None else Refusal("no_data")
    return Refusal("no_data")

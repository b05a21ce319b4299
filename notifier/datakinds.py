"""What the notifier does for the data kinds: who of a topic's subscribers hears a change (by
the choices they made), the lines put first for them, and the official page to link to.

- ``iec_pool_changed`` (one pool's figures) goes only to those who follow that pool
  (``/iec France wh``); new round dates, quotas and pools go to every IEC subscriber.
- ``processing_time_changed``: a subscriber who chose programs (``/ptime programs``) hears only
  those groups; one who chose countries (``/ptime country IN``) hears a country-file change only
  when one of their countries moved, and sees their own line first (:func:`lead_lines`).

- ``pool_changed`` (a new Express Entry pool distribution) goes only to those who asked
  (``/pool on``).

Channels, which have no choices, get everything but single pools' figures and the pool
distribution.
"""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

from diffing import durations
from diffing.datamessages import personal_lines
from storage import preferences

# /ptime min: a move smaller than both of these waits for the weekly summary by default.
DEFAULT_MIN_DAYS, DEFAULT_MIN_PERCENT = 7.0, 10.0
_MIN = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%|d|w|m|j|s)?", re.I)
_MIN_DAYS = {"d": 1, "j": 1, "w": 7, "s": 7, "m": 30}

# The pages people read (the watches read the data files behind them).
OFFICIAL_PAGES = {
    "processing-times": {
        "en": "https://www.canada.ca/en/immigration-refugees-citizenship/services/application/"
        "check-processing-times.html",
        "fr": "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/demande/"
        "verifier-delais-traitement.html",
    },
    # IRCC publishes the pools tool in English at this address.
    "iec-pools": {"en": "https://ircc.canada.ca/english/work/iec/selections.asp"},
}


def official_page(kind: str | None, lang: str) -> str | None:
    """The page readers open for a change of a watch of ``kind``; None for other kinds."""
    pages = OFFICIAL_PAGES.get(kind or "")
    return (pages.get(lang) or pages["en"]) if pages else None


def channel_wants(change: dict[str, Any]) -> bool:
    """Whether a channel of the change's topic posts it: not one pool's figures, not the
    distribution (both are asked for)."""
    return change["kind"] not in ("iec_pool_changed", "pool_changed")


def wants(db: sqlite_utils.Database, chat_id: int, change: dict[str, Any]) -> bool:
    """Whether this subscriber of the change's topic should receive it."""
    data = change.get("data") or {}
    if change["kind"] == "pool_changed":
        return preferences.pool_alerts(db, chat_id)
    if change["kind"] == "iec_pool_changed":
        return (data.get("code"), data.get("category")) in preferences.pools(db, chat_id)
    if change["kind"] != "processing_time_changed":
        return True
    chosen = preferences.programs(db, chat_id)
    if chosen and data.get("group") not in chosen:
        return False
    countries = preferences.countries(db, chat_id)
    if countries and "countries" in data:
        return bool(countries & set(data["countries"]))
    return True


def parse_min(text: str) -> tuple[float | None, float | None] | None:
    """A /ptime min setting as (days, percent): "2w" → (14, None), "10%" → (None, 10), "0" →
    (0, None): every move at once; None when it does not read (d/j days, w/s weeks, m months)."""
    match = _MIN.fullmatch((text or "").strip())
    if match is None:
        return None
    amount = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "d").lower()
    if unit == "%":
        return None, amount
    if match.group(2) is None and amount:
        return None
    return amount * _MIN_DAYS[unit], None


def small_move(setting: str | None, data: dict[str, Any], countries: set[str]) -> bool:
    """Whether a processing-time change is below the subscriber's /ptime min (default: less
    than a week and less than 10 %), for every move they follow: it then waits for the weekly
    summary. A move to or from a word ("Not enough data"), or a value that appears or goes,
    is never small."""
    limits = parse_min(setting) if setting else (DEFAULT_MIN_DAYS, DEFAULT_MIN_PERCENT)
    if limits is None:
        limits = (DEFAULT_MIN_DAYS, DEFAULT_MIN_PERCENT)
    min_days, min_percent = limits
    moves = data.get("moves") or [data]
    if countries and "countries" in data:
        moves = [m for m in moves if m.get("country") in countries] or moves
    for move in moves:
        moved = durations.move(move.get("before"), move.get("after"))
        if moved is None:
            return False
        delta, percent = abs(moved[0]), abs(moved[1])
        if min_days is not None and delta >= min_days:
            return False
        if min_percent is not None and percent >= min_percent:
            return False
    return True


def waits_for_summary(db: sqlite_utils.Database, chat_id: int, change: dict[str, Any]) -> bool:
    """Whether this subscriber's delivery of ``change`` waits for the weekly summary."""
    if change.get("kind") != "processing_time_changed":
        return False
    setting = preferences.min_move(db, chat_id)
    return small_move(setting, change.get("data") or {}, preferences.countries(db, chat_id))


def lead_lines(
    db: sqlite_utils.Database, chat_id: int, change: dict[str, Any], lang: str
) -> list[str]:
    """The subscriber's own countries' moves, to put first in a country-file alert."""
    if change.get("kind") != "processing_time_changed":
        return []
    data = change.get("data") or {}
    if "countries" not in data:
        return []
    return personal_lines(data, preferences.countries(db, chat_id), lang)

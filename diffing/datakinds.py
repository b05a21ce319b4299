"""Classifiers for the data-file kinds: ``processing-times``, ``iec-pools`` and ``json``.

Declared in :data:`CLASSIFIERS` and :data:`REMOVERS`; :mod:`diffing.classify` registers them
(this module does not import it). Change kinds and their data are in docs/kinds.md.

Processing times move every week, by the dozen (program file) or by the hundred (country
file): a check gives at most one ``processing_time_changed`` per program group (the
country file's groups are its eight programs), never one per value.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from diffing.change import MAINTAINERS, SUBSCRIBERS, Change, WatchInfo
from diffing.diff import Diff
from diffing.durations import change_size
from diffing.extract import iec_pools
from diffing.extract.processing_times import AS_OF_KEY, as_of

PTIME_CHANGED = "processing_time_changed"
IEC_POOL_CHANGED = "iec_pool_changed"
IEC_ROUND_DATE = "iec_round_date_changed"
IEC_QUOTA = "iec_quota_changed"
IEC_POOL_ADDED = "iec_pool_added"
IEC_POOL_REMOVED = "iec_pool_removed"
JSON_ADDED, JSON_CHANGED, JSON_REMOVED = (
    "json_record_added",
    "json_record_changed",
    "json_record_removed",
)
# IRCC rewrites the processing-times files once a week: a value missing from one weekly
# version (the caregiver PR keys on 2025-12-04) is back in the next, so a removal is told only
# once it has outlasted a weekly update, with a few days' slack for a late one.
KIND_REMOVAL_GRACE = {"processing-times": timedelta(days=10)}
# Pool fields whose change is told to the pool's followers (the rest have kinds of their own).
POOL_FIELDS = ("invitations", "candidates", "spots", "chances")
ROUND_FIELDS = ("first", "second")


def processing_times(watch: WatchInfo, diff: Diff) -> list[Change]:
    """One ``processing_time_changed`` per program group whose values moved."""
    dates = diff.current.get(AS_OF_KEY, {}).get("dates", {})
    moves: dict[str, list[dict[str, Any]]] = {}
    for key, record in diff.current.items():
        if key == AS_OF_KEY:
            continue
        if key in diff.added:
            before = None
        elif key in diff.changed and "value" in diff.changed[key]:
            before = diff.changed[key]["value"][0]
        else:
            continue
        moves.setdefault(record["group"], []).append(_move(record, before, record["value"]))
    return [
        Change(PTIME_CHANGED, SUBSCRIBERS, _ptime_data(watch, group, group_moves, dates), group)
        for group, group_moves in moves.items()
    ]


def processing_times_removed(watch: WatchInfo, records: dict[str, dict[str, Any]]) -> list[Change]:
    """Values gone for longer than the grace: one change per group, "no longer listed"."""
    moves: dict[str, list[dict[str, Any]]] = {}
    for key, record in records.items():
        if key == AS_OF_KEY or "group" not in record:
            continue
        moves.setdefault(record["group"], []).append(_move(record, record.get("value"), None))
    return [
        Change(PTIME_CHANGED, SUBSCRIBERS, _ptime_data(watch, group, group_moves, {}), group)
        for group, group_moves in moves.items()
    ]


def _move(record: dict[str, Any], before: str | None, after: str | None) -> dict[str, Any]:
    move = {"program": record["program"], "before": before, "after": after}
    if "country" in record:
        move["country"] = record["country"]
    return move


def _ptime_data(
    watch: WatchInfo, group: str, moves: list[dict[str, Any]], dates: dict[str, str]
) -> dict[str, Any]:
    """DESIGN's fields (program, country, before, after, as of) for the largest move, plus
    every move of the group, largest first."""
    moves.sort(
        key=lambda m: (-change_size(m["before"], m["after"]), m["program"], m.get("country", ""))
    )
    first = moves[0]
    data: dict[str, Any] = {
        "group": group,
        "program": first["program"],
        "before": first["before"],
        "after": first["after"],
        "as_of": as_of(dates, group, first["program"]) if dates else "",
        "moves": moves,
    }
    if "country" in first:
        data["country"] = first["country"]
        data["countries"] = sorted({m["country"] for m in moves})
    if watch.url:
        data["url"] = watch.url
    return data


def iec(watch: WatchInfo, diff: Diff) -> list[Change]:
    """Pool figures to the pool's followers; new round dates, quotas and pools to everyone;
    any other field of a pool (its location's name, extra elements) to maintainers."""
    chancesdate = diff.current.get(iec_pools.AS_OF_KEY, {}).get("chancesdate", "")
    changes: list[Change] = []
    rounds: list[dict[str, Any]] = []
    quotas: list[dict[str, Any]] = []
    added = [
        _pool(record)
        for key, record in diff.added.items()
        if key != iec_pools.AS_OF_KEY and "code" in record
    ]
    for key, fields in diff.changed.items():
        record = diff.current.get(key)
        if key == iec_pools.AS_OF_KEY or record is None:
            continue
        for name in ROUND_FIELDS:
            if name in fields:
                rounds.append(
                    {
                        **_pool(record),
                        "field": name,
                        "before": fields[name][0],
                        "after": fields[name][1],
                    }
                )
        if "quota" in fields:
            quotas.append(
                {**_pool(record), "before": fields["quota"][0], "after": fields["quota"][1]}
            )
        moved = {name: list(fields[name]) for name in POOL_FIELDS if name in fields}
        if moved:
            data = {
                **_pool(record),
                "country": record.get("location") or record.get("code"),
                "changes": moved,
                **{name: record.get(name) for name in POOL_FIELDS},
                "as_of": chancesdate,
            }
            changes.append(Change(IEC_POOL_CHANGED, SUBSCRIBERS, _url(watch, data), key))
        other = {
            name: list(values)
            for name, values in fields.items()
            if name not in (*POOL_FIELDS, *ROUND_FIELDS, "quota")
        }
        if other:
            # A renamed location, a new sub-pool's figures: nobody's alert, but never missed.
            data = {**_pool(record), "changes": other, "as_of": chancesdate}
            changes.append(Change(IEC_POOL_CHANGED, MAINTAINERS, _url(watch, data), key))
    if rounds:
        data = {"rounds": rounds, "as_of": chancesdate}
        changes.append(Change(IEC_ROUND_DATE, SUBSCRIBERS, _url(watch, data)))
    if quotas:
        data = {"quotas": quotas, "as_of": chancesdate}
        changes.append(Change(IEC_QUOTA, SUBSCRIBERS, _url(watch, data)))
    if added:
        data = {"pools": added, "as_of": chancesdate}
        changes.append(Change(IEC_POOL_ADDED, SUBSCRIBERS, _url(watch, data)))
    return changes


def iec_removed(watch: WatchInfo, records: dict[str, dict[str, Any]]) -> list[Change]:
    pools = [_pool(r) for k, r in records.items() if k != iec_pools.AS_OF_KEY and "code" in r]
    if not pools:
        return []
    return [Change(IEC_POOL_REMOVED, SUBSCRIBERS, _url(watch, {"pools": pools}))]


def _pool(record: dict[str, Any]) -> dict[str, Any]:
    pool = {name: record.get(name) for name in ("code", "category", "location")}
    for name in ("quota", "first", "second"):
        pool.setdefault(name, record.get(name))
    return pool


def json_kind(watch: WatchInfo, diff: Diff) -> list[Change]:
    """A json watch's records: added, and changed field by field ("X: A → B")."""
    changes = [
        Change(
            JSON_ADDED,
            SUBSCRIBERS,
            _url(watch, {"watch": watch.name, "key": key, "record": record}),
            key,
        )
        for key, record in diff.added.items()
    ]
    for key, fields in diff.changed.items():
        data = {
            "watch": watch.name,
            "key": key,
            "changes": {name: list(values) for name, values in fields.items()},
        }
        changes.append(Change(JSON_CHANGED, SUBSCRIBERS, _url(watch, data), key))
    return changes


def json_removed(watch: WatchInfo, records: dict[str, dict[str, Any]]) -> list[Change]:
    return [
        Change(
            JSON_REMOVED,
            SUBSCRIBERS,
            _url(watch, {"watch": watch.name, "key": key, "record": record}),
            key,
        )
        for key, record in records.items()
    ]


def _url(watch: WatchInfo, data: dict[str, Any]) -> dict[str, Any]:
    if watch.url:
        data["url"] = watch.url
    return data


CLASSIFIERS = {"processing-times": processing_times, "iec-pools": iec, "json": json_kind}
REMOVERS = {
    "processing-times": processing_times_removed,
    "iec-pools": iec_removed,
    "json": json_removed,
}

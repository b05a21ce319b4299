"""When a subscriber's message may go out: digests and quiet hours, in their time zone.

Pure functions of the subscriber's settings and the current time (UTC, aware): the delivery
loop asks :func:`hold_until` for each due row and the tests pass any time they like.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TZ = "Canada/Eastern"
DEFAULT_DAILY = "08:00"
DEFAULT_WEEKLY_DAY = 0  # Monday
DRAW_KINDS = ("new_draw", "draw_corrected")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hhmm(text: str) -> time | None:
    """ "07:30" → time(7, 30); anything else (24:00, 7h, ٠٧:٣٠) → None."""
    match = _HHMM.fullmatch(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def zone(name: str | None) -> ZoneInfo:
    """The subscriber's time zone; Canada/Eastern when unset or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def known_zone(name: str) -> str | None:
    """``name`` as a valid IANA zone (case-insensitive match), else None."""
    if not name or len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        return None
    zones = available_timezones()
    if name in zones:
        return name
    lowered = {z.lower(): z for z in zones}
    return lowered.get(name.lower())


def _at(day: datetime, clock: time, tz: ZoneInfo) -> datetime:
    """Local wall-clock ``clock`` on ``day``'s date in ``tz``, as UTC."""
    local = datetime.combine(day.date(), clock, tzinfo=tz)
    return local.astimezone(UTC)


def quiet_end(sub: dict[str, Any], now: datetime) -> datetime | None:
    """When the subscriber's quiet hours end, if ``now`` falls in them; else None."""
    start = parse_hhmm(sub.get("quiet_start") or "")
    end = parse_hhmm(sub.get("quiet_end") or "")
    if start is None or end is None or start == end:
        return None
    tz = zone(sub.get("tz"))
    local = now.astimezone(tz)
    current = local.time().replace(second=0, microsecond=0)
    if start < end:
        inside = start <= current < end
        end_day = local
    else:  # crosses midnight: 22:00-07:00
        inside = current >= start or current < end
        end_day = local + timedelta(days=1) if current >= start else local
    return _at(end_day, end, tz) if inside else None


def next_digest(sub: dict[str, Any], now: datetime) -> datetime | None:
    """The subscriber's next digest time after ``now`` (UTC), or None without digests."""
    mode = sub.get("digest")
    if mode not in ("daily", "weekly"):
        return None
    default = DEFAULT_DAILY
    clock = parse_hhmm(sub.get("digest_time") or default) or parse_hhmm(default)
    tz = zone(sub.get("tz"))
    local = now.astimezone(tz)
    for days in range(0, 8):
        day = local + timedelta(days=days)
        if mode == "weekly":
            wanted = sub.get("digest_day")
            wanted = DEFAULT_WEEKLY_DAY if wanted is None else wanted
            if day.weekday() != wanted:
                continue
        moment = _at(day, clock, tz)
        if moment > now:
            return moment
    return None


def hold_until(
    sub: dict[str, Any] | None, kind: str, now: datetime, digest_due: bool = False
) -> tuple[datetime, str] | None:
    """(until, why) if this row must wait, else None (send now).

    Quiet hours come first: nothing goes out in them, a digest neither. Otherwise a digest
    subscriber's row waits for the next digest, unless it is a draw and draws stay instant;
    ``digest_due``: the row's digest time has come (send it, in the digest).
    """
    if sub is None:
        return None
    end = quiet_end(sub, now)
    if end is not None:  # a digest that falls in quiet hours goes out, a digest, at their end
        return end, "digest" if digest_due else "quiet"
    if digest_due:
        return None
    if sub.get("digest") in ("daily", "weekly"):
        if sub.get("digest_keep_draws") and kind in DRAW_KINDS:
            return None
        at = next_digest(sub, now)
        if at is not None:
            return at, "digest"
    return None


def stamp(moment: datetime) -> str:
    """A UTC time in the stored form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> datetime:
    """The stored form back to an aware UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

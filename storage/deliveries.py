"""The outbox's life after its rows are written with their change (see storage.changes.insert).

Statuses: ``pending`` (due at ``next_attempt_at``), ``claimed`` (a delivery loop will send it in
the next seconds), ``sending`` (a send is under way; left so by a
crash, it goes back to pending at the next start), ``sent``, ``failed`` (Telegram refused it for
good, or too many attempts), ``cancelled`` (the chat blocked the bot) and ``logged`` (no bot token:
the alert went to the log instead).

Leases: a delivery loop claims the rows of its next few seconds (``claimed``) with its owner id
and a ``lease_until`` time in one conditional UPDATE, so of two loops on one database only one
ever sends a row; it marks each ``sending`` just before its message leaves (so ``sending`` is
what is really in flight) and gives back the claimed rows it did not get to. A row whose lease
expired (its owner died) is due again, for any process.

Holds: a pending row with ``held_for`` waits for its chat's digest (``digest``) or for the end
of its quiet hours (``quiet``); ``next_attempt_at`` is when.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.db import utcnow
from storage.masking import mask_tokens


def get(db: sqlite_utils.Database, delivery_id: int) -> dict[str, Any] | None:
    """One delivery row, or None."""
    rows = list(db.query("SELECT * FROM deliveries WHERE id = ?", [delivery_id]))
    return rows[0] if rows else None


def due(db: sqlite_utils.Database, now: str, limit: int = 500) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come, and rows whose lease expired, oldest first."""
    return list(
        db.query(
            "SELECT * FROM deliveries WHERE (status = 'pending' AND next_attempt_at <= ?) "
            "OR (status IN ('sending', 'claimed') AND lease_until IS NOT NULL "
            "AND lease_until < ?) "
            "ORDER BY id LIMIT ?",
            [now, now, limit],
        )
    )


def for_change(db: sqlite_utils.Database, change_id: int) -> list[dict[str, Any]]:
    """Every delivery of one change, by id."""
    return list(db.query("SELECT * FROM deliveries WHERE change_id = ? ORDER BY id", [change_id]))


def for_chat(db: sqlite_utils.Database, chat_id: int) -> list[dict[str, Any]]:
    """Every delivery addressed to one chat, by id."""
    return list(db.query("SELECT * FROM deliveries WHERE chat_id = ? ORDER BY id", [chat_id]))


def told(db: sqlite_utils.Database, change_id: int) -> dict[str, dict[str, int]]:
    """How one change went out, per role (subscriber, channel, maintainer, admin): how many
    deliveries were sent, are queued, held (digest, quiet hours, the weekly summary, a held
    bulk), or failed or cancelled."""
    out: dict[str, dict[str, int]] = {}
    rows = db.execute(
        "SELECT d.role, d.status, d.held_for IS NOT NULL, c.status, COUNT(*) "
        "FROM deliveries d JOIN changes c ON c.id = d.change_id "
        "WHERE d.change_id = ? GROUP BY 1, 2, 3, 4",
        [change_id],
    ).fetchall()
    for role, status, held_for, change_status, count in rows:
        if status == "sent":
            state = "sent"
        elif status in ("failed", "cancelled"):
            state = "failed"
        elif held_for or change_status == "held":
            state = "held"
        else:
            state = "queued"
        per_role = out.setdefault(role, {})
        per_role[state] = per_role.get(state, 0) + count
    return out


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many deliveries are in each status."""
    return dict(db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())


def mark_sending(
    db: sqlite_utils.Database,
    delivery_id: int,
    owner: str | None = None,
    until: str | None = None,
    now: str | None = None,
) -> bool:
    """Claim the row for a send, committed before the request leaves; False if another
    process holds it (or it is no longer due). ``owner`` and ``until`` make the lease."""
    now = now or utcnow()
    cursor = db.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_owner = ?, "
        "lease_until = ? WHERE id = ? AND (status = 'pending' OR (status = 'sending' "
        "AND lease_until IS NOT NULL AND lease_until < ?))",
        [owner, until, delivery_id, now],
    )
    return cursor.rowcount > 0


def claim(db: sqlite_utils.Database, ids: list[int], owner: str, until: str, now: str) -> set[int]:
    """Claim a pass's rows in one transaction; returns the ids this owner now holds (the rest
    are another process's: leased, or no longer due). ``+status`` keeps SQLite on the primary
    key: with the status index it scanned every pending row (8 ms a claim at 72,000 rows)."""
    if not ids:
        return set()
    marks = ",".join("?" for _ in ids)
    with db.atomic():
        db.execute(
            "UPDATE deliveries SET status = 'claimed', lease_owner = ?, lease_until = ? "
            f"WHERE id IN ({marks}) AND (+status = 'pending' OR (+status IN ('sending', "
            "'claimed') AND lease_until IS NOT NULL AND lease_until < ?))",
            [owner, until, *ids, now],
        )
        rows = db.execute(
            f"SELECT id FROM deliveries WHERE id IN ({marks}) AND +status = 'claimed' "
            "AND lease_owner = ?",
            [*ids, owner],
        ).fetchall()
    return {row[0] for row in rows}


def start(db: sqlite_utils.Database, delivery_id: int, owner: str, until: str) -> bool:
    """A claimed row's message is about to leave: mark it ``sending`` (its attempt counted) and
    extend the lease; False if the row is no longer this owner's (its lease ran out and another
    process took it)."""
    cursor = db.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_until = ? "
        "WHERE id = ? AND status = 'claimed' AND lease_owner = ?",
        [until, delivery_id, owner],
    )
    return cursor.rowcount > 0


def release(db: sqlite_utils.Database, ids: list[int], owner: str) -> int:
    """Give back claimed rows that were never attempted (a pass cut short): pending again;
    returns how many."""
    if not ids:
        return 0
    marks = ",".join("?" for _ in ids)
    cursor = db.execute(
        "UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_until = NULL "
        f"WHERE id IN ({marks}) AND +status = 'claimed' AND lease_owner = ?",
        [*ids, owner],
    )
    return cursor.rowcount


def mark_part_sent(
    db: sqlite_utils.Database,
    delivery_id: int,
    parts_sent: int,
    message_id: int,
    lease_until: str | None = None,
) -> None:
    """One part of a split message was accepted; a retry resumes after it. Renews the lease."""
    db.execute(
        "UPDATE deliveries SET parts_sent = ?, message_id = ?, "
        "lease_until = COALESCE(?, lease_until) WHERE id = ?",
        [parts_sent, message_id, lease_until, delivery_id],
    )


def mark_sent(
    db: sqlite_utils.Database, delivery_id: int, message_id: int | None, parts: int
) -> None:
    """Telegram accepted the (last part of the) message."""
    db.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, parts_sent = ?, "
        "last_error = NULL, lease_owner = NULL, lease_until = NULL, held_for = NULL "
        "WHERE id = ?",
        [utcnow(), message_id, parts, delivery_id],
    )


def retry_at(db: sqlite_utils.Database, delivery_id: int, when: str, error: str) -> None:
    """Put the delivery back in the queue, due at ``when``."""
    db.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?, "
        "lease_owner = NULL, lease_until = NULL WHERE id = ?",
        [when, mask_tokens(error), delivery_id],
    )


def mark_failed(db: sqlite_utils.Database, delivery_id: int, error: str) -> None:
    """Give up on this delivery for good."""
    db.execute(
        "UPDATE deliveries SET status = 'failed', last_error = ?, lease_owner = NULL, "
        "lease_until = NULL WHERE id = ?",
        [mask_tokens(error), delivery_id],
    )


def mark_logged(db: sqlite_utils.Database, delivery_ids: list[int]) -> None:
    """No bot: these alerts went to the log and will not be sent later.

    ``executemany`` on the raw connection would open an implicit transaction that nothing
    commits; ``atomic`` commits it (or joins the caller's transaction).
    """
    with db.atomic():
        db.conn.executemany(
            "UPDATE deliveries SET status = 'logged', last_error = 'no Telegram token' "
            "WHERE id = ?",
            [(i,) for i in delivery_ids],
        )


def cancel_for_chat(db: sqlite_utils.Database, chat_id: int, reason: str) -> int:
    """Cancel every unsent delivery to a chat (it blocked the bot); returns how many."""
    cursor = db.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? "
        "WHERE chat_id = ? AND status IN ('pending', 'claimed', 'sending')",
        [mask_tokens(reason), chat_id],
    )
    return cursor.rowcount


def recover(db: sqlite_utils.Database, dead_owners: list[str] = (), now: str | None = None) -> int:
    """Put back in the queue deliveries a crash left 'sending'; returns how many.

    Only rows no live process owns: no lease (written before leases), an expired lease, or an
    owner the caller knows is dead (a process of this host that no longer runs). Their message
    may or may not have reached Telegram: resending can repeat it, never lose it.
    """
    now = now or utcnow()
    marks = ",".join("?" for _ in dead_owners) or "NULL"
    cursor = db.execute(
        "UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_until = NULL "
        "WHERE status IN ('sending', 'claimed') AND (lease_until IS NULL OR lease_until < ? "
        f"OR lease_owner IN ({marks}))",
        [now, *dead_owners],
    )
    return cursor.rowcount


def lease_owners(db: sqlite_utils.Database) -> list[str]:
    """The owners of rows being sent right now."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT lease_owner FROM deliveries "
            "WHERE status IN ('sending', 'claimed') AND lease_owner IS NOT NULL"
        )
    ]


def hold(db: sqlite_utils.Database, holds: list[tuple[int, str, str]]) -> None:
    """Make pending rows wait: (delivery id, until, why) with why 'digest' or 'quiet'."""
    with db.atomic():
        db.conn.executemany(
            "UPDATE deliveries SET next_attempt_at = ?, held_for = ? "
            "WHERE id = ? AND status = 'pending'",
            [(until, why, delivery_id) for delivery_id, until, why in holds],
        )


# Rows of small processing-time moves wait for the weekly summary, which releases them.
PTIME_HELD = "9999-12-31T00:00:00Z"


def release_ptime(db: sqlite_utils.Database, now: str) -> int:
    """The weekly processing-times summary is due: every small move held for it joins its
    chat's digest, now (one message per chat); returns how many rows."""
    cursor = db.execute(
        "UPDATE deliveries SET next_attempt_at = ?, held_for = 'digest' "
        "WHERE status = 'pending' AND held_for = 'ptime'",
        [now],
    )
    return cursor.rowcount


def release_held(db: sqlite_utils.Database, chat_id: int) -> int:
    """The chat changed its digest or quiet hours: its held rows are due now, to be decided
    again under the new settings; returns how many."""
    cursor = db.execute(
        "UPDATE deliveries SET next_attempt_at = ?, held_for = NULL "
        "WHERE chat_id = ? AND status = 'pending' AND held_for IS NOT NULL",
        [utcnow(), chat_id],
    )
    return cursor.rowcount


def digest_rows(
    db: sqlite_utils.Database, chat_id: int | str, owner: str | None = None
) -> list[dict[str, Any]]:
    """Every row waiting for the chat's digest (pending, or claimed by ``owner``), oldest first."""
    return list(
        db.query(
            "SELECT * FROM deliveries WHERE chat_id = ? AND held_for = 'digest' AND "
            "(status = 'pending' OR (status = 'claimed' AND lease_owner = ?)) ORDER BY id",
            [chat_id, owner],
        )
    )


def claim_digest(
    db: sqlite_utils.Database, ids: list[int], owner: str, until: str, now: str
) -> bool:
    """Claim every row of one digest at once (all or none); False if another process has any."""
    with db.atomic():
        marks = ",".join("?" for _ in ids)
        cursor = db.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, "
            f"lease_owner = ?, lease_until = ? WHERE id IN ({marks}) AND (+status = 'pending' "
            "OR (+status = 'claimed' AND lease_owner = ?))",
            [owner, until, *ids, owner],
        )
        if cursor.rowcount != len(ids):
            db.execute(
                "UPDATE deliveries SET status = 'pending', lease_owner = NULL, "
                f"lease_until = NULL WHERE id IN ({marks}) AND lease_owner = ?",
                [*ids, owner],
            )
            return False
    return True


def mark_digest_sent(db: sqlite_utils.Database, ids: list[int], message_id: int | None) -> None:
    """The digest carrying these rows was accepted: all of them are sent, in one transaction."""
    now = utcnow()
    with db.atomic():
        db.conn.executemany(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, parts_sent = 1, "
            "last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
            [(now, message_id, i) for i in ids],
        )


def original_post(
    db: sqlite_utils.Database, chat_id: int | str, watch: str, number: str
) -> int | None:
    """The message id of the post that announced draw ``number`` of ``watch`` in a chat."""
    row = db.execute(
        "SELECT d.message_id FROM deliveries d JOIN changes c ON c.id = d.change_id "
        "WHERE d.chat_id = ? AND d.status = 'sent' AND d.message_id IS NOT NULL "
        "AND c.watch = ? AND c.kind = 'new_draw' AND json_extract(c.data, '$.number') = ? "
        "ORDER BY d.id DESC LIMIT 1",
        [chat_id, watch, str(number)],
    ).fetchone()
    return row[0] if row else None

"""Releasing or discarding a held bulk of changes: the one path the CLI, bot and review page use.

A release queues the held changes' deliveries (to whoever follows them now) in the same
transaction that marks the hold released; a discard marks it so, and nothing is ever sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from diffing.formats import fmt_moment, plural
from notifier.routing import recipients_for
from settings import Config
from storage import holds


@dataclass(frozen=True)
class Decision:
    """What deciding a hold did: ``ok`` False when there was nothing to decide."""

    ok: bool
    message: str


def decide(
    db: sqlite_utils.Database, config: Config, hold_id: int, status: str, by: str
) -> Decision:
    """Release (``holds.RELEASED``) or discard (``holds.DISCARDED``) hold ``hold_id``."""
    before = holds.decide(
        db,
        hold_id,
        status,
        by,
        recipients=lambda change: recipients_for(db, config, change),
    )
    if before is None:
        return Decision(False, f"no hold with id {hold_id}")
    if before["status"] != holds.HELD:
        return Decision(
            False,
            f"hold {hold_id} was already {before['status']} on {fmt_moment(before['decided_at'])} "
            f"by {before['decided_by']}",
        )
    count = before["changes"]
    if status == holds.RELEASED:
        queued = holds.delivery_count(db, hold_id)
        return Decision(
            True,
            f"hold {hold_id} on {before['watch']} released by {by}: "
            f"{plural(count, 'change', 'changes')}, "
            f"{plural(queued, 'delivery', 'deliveries')} queued",
        )
    return Decision(
        True,
        f"hold {hold_id} on {before['watch']} discarded by {by}: "
        f"{plural(count, 'change', 'changes')} will never be sent",
    )

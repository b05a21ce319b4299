"""Who receives a change: maintainers everything, admins their alerts, subscribers their topics."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ircc_watch.config import Config

Recipient = tuple[int, str, str]


def recipients_for(
    db: sqlite_utils.Database, config: Config, change: dict[str, Any]
) -> list[Recipient]:
    """(chat_id, lang, role) for every chat that must receive ``change``."""
    telegram = config.telegram
    if telegram is None:
        return []
    out: list[Recipient] = [(chat, "en", "maintainer") for chat in telegram.maintainers]
    if change["audience"] == "admins":
        out += [(user, "en", "admin") for user in telegram.admins]
    return out

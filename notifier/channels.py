"""Channels' health for admins' /status: posts made, the last post, the last error, removal."""

from __future__ import annotations

import sqlite_utils

from diffing.formats import fmt_moment, plural
from settings import Config
from storage import channels as channel_rows


def health_lines(db: sqlite_utils.Database, config: Config) -> list[str]:
    """One line per configured channel: ok / removed / never posted, with the figures."""
    rows = channel_rows.all_rows(db)
    lines = []
    for channel in config.channels:
        row = rows.get(channel.key)
        topics = ", ".join(channel.topics)
        if row is None:
            state = "no post yet"
        elif row["removed_at"]:
            state = f"REMOVED since {fmt_moment(row['removed_at'])}: {row['last_error']}"
        else:
            last = fmt_moment(row["last_post_at"]) or "-"
            state = f"ok, {plural(row['posts'], 'post', 'posts')}, last {last}"
            if row["last_error"] and (row["last_error_at"] or "") > (row["last_post_at"] or ""):
                state += f", last error: {row['last_error']}"
        lines.append(f"channel {channel.key} [{topics}, {channel.lang}]: {state}")
    return lines

"""The ``[[channel]]`` blocks of config.toml and ``[telegram] admin_langs``, validated.

A channel carries topics to any number of readers with one post per change::

    [[channel]]
    chat_id = "@ircc_express_entry"   # or the channel's numeric id, -1001234567890
    topics = ["express-entry"]
    lang = "en"                       # optional, "en" (default) or "fr"
    draw_types = ["cec", "pnp"]       # optional: only these Express Entry draw types

Problems are reported through the config checker, with the file, the line and a fix, like
every other message of ``ircc-watch config-check``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from settings.vocabulary import DRAW_TYPES

CHANNEL_KEYS = ("chat_id", "draw_types", "lang", "topics")
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")
_MAX_ID = 10**15  # Telegram ids fit in 52 bits; SQLite's INTEGER would overflow past 2**63


@dataclass(frozen=True)
class Channel:
    """A Telegram channel: where to post, which topics, in which language, which draws."""

    chat_id: int | str
    topics: tuple[str, ...]
    lang: str = "en"
    draw_types: frozenset[str] | None = None

    @property
    def key(self) -> str:
        """The channel as stored (its health row, its deliveries): the id as written."""
        return str(self.chat_id)


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def check_channels(checker: Any, data: dict[str, Any], topics: list[str]) -> tuple[Channel, ...]:
    """Validate every ``[[channel]]`` block; ``topics`` are the watches' topics."""
    blocks = data.get("channel")
    if blocks is None:
        return ()
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        checker.error(
            ("channel",),
            "[[channel]]",
            "channels must be [[channel]] blocks",
            "write each channel as a [[channel]] header followed by its keys, one per line",
        )
        return ()
    channels: list[Channel] = []
    seen: dict[str, int] = {}
    for index, block in enumerate(blocks):
        path = ("channel", index)
        where = f"[[channel]] #{index + 1}"
        errors = len(checker.errors)
        for key in block:
            if key not in CHANNEL_KEYS:
                checker.error(
                    (*path, key),
                    where,
                    f"unknown key {_show(key)}",
                    f"remove it, or use one of: {', '.join(CHANNEL_KEYS)}",
                )
        chat_id = block.get("chat_id")
        if chat_id is None:
            checker.error(
                path, where, 'missing key "chat_id"', 'add a line such as chat_id = "@my_channel"'
            )
        elif isinstance(chat_id, str) and _USERNAME.fullmatch(chat_id):
            where = f"[[channel]] {_show(chat_id)}"
        elif isinstance(chat_id, int) and not isinstance(chat_id, bool) and chat_id < 0:
            if chat_id < -_MAX_ID:
                checker.error(
                    (*path, "chat_id"),
                    f"{where} chat_id",
                    f"{chat_id} is not a Telegram chat id (too long)",
                    "copy the channel's id as Telegram shows it, such as -1001234567890",
                )
            where = f"[[channel]] {chat_id}"
        else:
            checker.error(
                (*path, "chat_id"),
                f"{where} chat_id",
                f"{_show(chat_id)} is neither a channel's @username nor its negative numeric id",
                'write chat_id = "@my_channel" (5 to 32 letters, digits or _) or '
                "chat_id = -1001234567890",
            )
        if chat_id is not None and str(chat_id).lower() in seen:
            checker.error(
                (*path, "chat_id"),
                f"{where} chat_id",
                f"{_show(chat_id)} is already the channel on line {seen[str(chat_id).lower()]}",
                "write each channel once and list all its topics in that block",
            )
        elif chat_id is not None:
            seen[str(chat_id).lower()] = checker.locator.line((*path, "chat_id"))
        chosen = block.get("topics")
        if chosen is None:
            checker.error(
                path,
                where,
                'missing key "topics"',
                f"add a line such as topics = [{_show(topics[0] if topics else 'express-entry')}]",
            )
        elif (
            not isinstance(chosen, list)
            or not chosen
            or not all(isinstance(topic, str) for topic in chosen)
        ):
            checker.error(
                (*path, "topics"),
                f"{where} topics",
                f"must be a non-empty list of topics, got {_show(chosen)}",
                f"write topics = [{_show(topics[0] if topics else 'express-entry')}]",
            )
        else:
            for topic in chosen:
                if topic not in topics:
                    checker.error(
                        (*path, "topics"),
                        f"{where} topics",
                        f"{_show(topic)} is not the topic of any watch",
                        f"use one of: {', '.join(topics)}",
                    )
        lang = block.get("lang", "en")
        if lang not in ("en", "fr"):
            checker.error(
                (*path, "lang"),
                f"{where} lang",
                f"{_show(lang)} is not a supported language",
                'write lang = "en" or lang = "fr"',
            )
        types = block.get("draw_types")
        if types is not None and (
            not isinstance(types, list) or not all(t in DRAW_TYPES for t in types) or not types
        ):
            bad = [t for t in types if t not in DRAW_TYPES] if isinstance(types, list) else types
            checker.error(
                (*path, "draw_types"),
                f"{where} draw_types",
                f"{_show(bad or types)} is not a list of draw types",
                f"use some of: {', '.join(DRAW_TYPES)} (or remove the line for every draw)",
            )
        if len(checker.errors) == errors:
            channels.append(
                Channel(
                    chat_id,
                    tuple(chosen),
                    lang,
                    None if types is None else frozenset(types),
                )
            )
    return tuple(channels)


def check_admin_langs(
    checker: Any, table: dict[str, Any], admins: tuple[int, ...]
) -> tuple[tuple[int, str], ...]:
    """``[telegram] admin_langs = { 123456789 = "fr" }``: the language of each admin's alerts
    (English for an admin not listed)."""
    value = table.get("admin_langs")
    if value is None:
        return ()
    path = ("telegram", "admin_langs")
    where = "[telegram] admin_langs"
    if not isinstance(value, dict):
        checker.error(
            path,
            where,
            f"must be a table of admin id = language, got {_show(value)}",
            'write admin_langs = { 123456789 = "fr" }',
        )
        return ()
    out: list[tuple[int, str]] = []
    for key, lang in value.items():
        user = int(key) if re.fullmatch(r"[0-9]{1,15}", key) else None
        if user is None or user not in admins:
            checker.error(
                path,
                where,
                f"{_show(key)} is not one of the admins",
                "use the user ids listed in admins = [...]",
            )
        elif lang not in ("en", "fr"):
            checker.error(
                path,
                where,
                f"{_show(lang)} is not a supported language for admin {user}",
                f'write {user} = "en" or {user} = "fr"',
            )
        else:
            out.append((user, lang))
    return tuple(out)

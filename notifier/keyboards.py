"""The bot's inline keyboards and the callback data their buttons carry.

Callback data (at most 64 bytes, as Telegram allows): ``lang:fr``, ``t:<topic>`` (toggle a
topic), ``dt:<type>`` (toggle a draw type), ``dt:*`` (all draw types), ``m:<command>`` (the
menu), ``rv:<change id>`` (maintainers: mark reviewed, see notifier.render.review_keyboard).
A keyboard holds at most 100 buttons, as Telegram allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from notifier.drawtypes import DRAW_TYPES
from notifier.i18n import LANG_NAMES, LANGS, draw_type_label, t, topic_name

ON, OFF = "✅", "▫️"
MAX_DATA_BYTES = 64
ALL_TYPES = "*"
MAX_BUTTONS = 100
MENU_PREFIX = "m:"
MENU_COMMANDS = ("topics", "mysubs", "latest", "help")


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def settings(topics: Sequence[str], followed: Iterable[str], lang: str) -> InlineKeyboardMarkup:
    """Language choice, then one toggle button per topic, by name (✅ followed)."""
    followed = set(followed)
    langs = [
        InlineKeyboardButton(
            f"{ON} {LANG_NAMES[code]}" if code == lang else LANG_NAMES[code],
            callback_data=f"lang:{code}",
        )
        for code in LANGS
    ]
    toggles = [
        InlineKeyboardButton(
            f"{ON if topic in followed else OFF} {topic_name(lang, topic)}",
            callback_data=f"t:{topic}",
        )
        for topic in topics
        if len(f"t:{topic}".encode()) <= MAX_DATA_BYTES
    ][: MAX_BUTTONS - len(langs)]
    return InlineKeyboardMarkup([langs, *_rows(toggles, 2)])


def main_menu(lang: str) -> InlineKeyboardMarkup:
    """What a lost user can do next: topics, subscriptions, the latest draw, help."""
    labels = [t(lang, f"menu_{name}") for name in MENU_COMMANDS]
    menu = [
        InlineKeyboardButton(label, callback_data=f"{MENU_PREFIX}{name}")
        for name, label in zip(MENU_COMMANDS, labels, strict=True)
    ]
    return InlineKeyboardMarkup(_rows(menu, 2))


def draw_types(selected: set[str] | None, lang: str) -> InlineKeyboardMarkup:
    """One toggle per draw type (✅ received), and a button to receive them all."""
    toggles = [
        InlineKeyboardButton(
            f"{ON if selected is None or kind in selected else OFF} {draw_type_label(lang, kind)}",
            callback_data=f"dt:{kind}",
        )
        for kind in DRAW_TYPES
    ]
    everything = InlineKeyboardButton(t(lang, "all_button"), callback_data=f"dt:{ALL_TYPES}")
    return InlineKeyboardMarkup([*_rows(toggles, 2), [everything]])


def toggle_draw_type(selected: set[str] | None, kind: str) -> set[str] | None:
    """The selection after tapping ``kind``; None stands for every type (new ones included)."""
    if kind == ALL_TYPES:
        return None
    current = set(DRAW_TYPES) if selected is None else set(selected)
    current ^= {kind}
    return None if current >= set(DRAW_TYPES) else current

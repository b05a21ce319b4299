"""The Release / Discard buttons under a ``bulk_held`` alert (maintainers and admins only).

Callback data: ``hold:r:<hold id>`` (release: queue the held changes' deliveries) and
``hold:d:<hold id>`` (discard: never send them). Both go through notifier.decisions.decide, as
``ircc-watch release`` / ``discard`` and the review page do; the tapped message loses its
buttons and gains a line saying who decided what.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import sqlite_utils
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from notifier import render
from notifier.botcore import Button, Command, Core, answer_text
from notifier.cmd_review import Review, reviewer
from notifier.decisions import decide
from storage import holds

log = logging.getLogger("ircc_watch.bot")

HOLD_PREFIX = "hold:"
ACTIONS = {"r": holds.RELEASED, "d": holds.DISCARDED}
LABELS = {
    "en": {"r": "Release", "d": "Discard", "only": "Only maintainers and admins can do this."},
    "fr": {"r": "Envoyer", "d": "Écarter", "only": "Réservé aux responsables et aux admins."},
}


def commands(core: Core) -> list[Command]:
    """No commands: holds are decided through the buttons (or the CLI, or the review page)."""
    return []


def buttons(core: Core) -> list[Button]:
    """Release and Discard."""
    return [Button(HOLD_PREFIX, Holds(core).on_press)]


def hold_keyboard(
    db: sqlite_utils.Database, change: dict[str, Any], lang: str
) -> InlineKeyboardMarkup | None:
    """Release / Discard for a ``bulk_held`` alert whose hold is still undecided, else None."""
    hold_id = (change.get("data") or {}).get("hold")
    if change.get("kind") != "bulk_held" or not isinstance(hold_id, int):
        return None
    hold = holds.get(db, hold_id)
    if hold is None or hold["status"] != holds.HELD:
        return None
    labels = LABELS.get(lang, LABELS["en"])
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(labels[code], callback_data=f"{HOLD_PREFIX}{code}:{hold_id}")
                for code in ACTIONS
            ]
        ]
    )


class Holds:
    """The buttons' handler."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.review = Review(core)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        lang = self.core.lang_of(update)
        _, code, number = (query.data.split(":") + ["", ""])[:3]
        if not await self.review.may_review(update, context):
            labels = LABELS.get(lang, LABELS["en"])
            await query.answer(answer_text(labels["only"]), show_alert=True)
            return
        if code not in ACTIONS or not (number.isascii() and number.isdigit()):
            await query.answer()
            return
        by = reviewer(query.from_user)
        decision = decide(self.core.db, self.core.config, int(number), ACTIONS[code], by)
        log.info("hold %s: %s by telegram user %s", number, ACTIONS[code], query.from_user.id)
        await query.answer(answer_text(decision.message), show_alert=True)
        if query.message is None:
            return
        text = query.message.text_html or ""
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_text(
                f"{text}\n\n{render.escape(decision.message)}",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=None,
                link_preview_options=render.NO_PREVIEW,
            )

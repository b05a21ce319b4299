"""The maintainers' "Mark reviewed" button: records who and when, then edits every maintainer's
copy of the alert to say "Reviewed by NAME at TIME" (and takes the button away).

Only maintainers may press it: a user listed in ``[telegram] maintainers`` or ``admins``, or an
administrator of a maintainers' chat listed there (asked of Telegram with getChatMember).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from diffing.formats import fmt_moment
from notifier import render
from notifier.botcore import Button, Command, Core, answer_text
from notifier.i18n import t
from storage import changes, deliveries

log = logging.getLogger("ircc_watch.bot")

CHAT_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def commands(core: Core) -> list[Command]:
    """No commands: the review happens through the button."""
    return []


def buttons(core: Core) -> list[Button]:
    """The "Mark reviewed" button."""
    return [Button(render.REVIEW_PREFIX, Review(core).on_review)]


def reviewer(user: Any) -> str:
    """Who reviewed, as stored: "@username (telegram 123)" or "telegram 123"."""
    if user is None:
        return "telegram"
    return f"@{user.username} (telegram {user.id})" if user.username else f"telegram {user.id}"


class Review:
    """The button's handler."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def may_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """A maintainer or admin listed in config, or an administrator of a maintainers' chat."""
        telegram = self.core.config.telegram
        query = update.callback_query
        if telegram is None or query.from_user is None:
            return False
        user_id = query.from_user.id
        if user_id in telegram.maintainers or user_id in telegram.admins:
            return True
        chat = query.message.chat if query.message else None
        if chat is None or chat.id not in telegram.maintainers or chat.type == "private":
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user_id)
        except TelegramError:
            return False
        return member.status in CHAT_ADMINS

    async def on_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        lang = self.core.lang_of(update)
        suffix = query.data[len(render.REVIEW_PREFIX) :]
        change_id = int(suffix) if suffix.isascii() and suffix.isdigit() else 0
        if not await self.may_review(update, context):
            await query.answer(answer_text(t(lang, "maintainers_only")), show_alert=True)
            return
        change = changes.get(self.core.db, change_id)
        if change is None:
            await query.answer(answer_text(t(lang, "unknown_change")))
            return
        if change["reviewed_at"]:
            await query.answer(
                answer_text(
                    t(
                        lang,
                        "already_reviewed",
                        by=change["reviewed_by"],
                        at=fmt_moment(change["reviewed_at"], lang),
                    )
                )
            )
        else:
            by = reviewer(query.from_user)
            changes.mark_reviewed(self.core.db, change_id, by)
            log.info("change %s marked reviewed by telegram user %s", change_id, query.from_user.id)
            await query.answer(answer_text(t(lang, "reviewed_ok")))
        await self.edit_copies(context, changes.get(self.core.db, change_id), query)

    async def edit_copies(
        self, context: ContextTypes.DEFAULT_TYPE, change: dict[str, Any], query: Any
    ) -> None:
        """Every maintainer's copy now says who reviewed it, and has no button."""
        copies = [
            (row["chat_id"], row["message_id"], row["lang"])
            for row in deliveries.for_change(self.core.db, change["id"])
            if row["role"] == "maintainer" and row["status"] == "sent" and row["message_id"]
        ]
        tapped = (query.message.chat.id, query.message.message_id) if query.message else None
        if tapped is not None and tapped not in {(c, m) for c, m, _ in copies}:
            copies.append((*tapped, "en"))
        for chat_id, message_id, lang in copies:
            parts = render.alert(change, lang, "maintainer", self.core.config)
            with contextlib.suppress(TelegramError):
                await context.bot.edit_message_text(
                    parts[-1],
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=None,
                    link_preview_options=render.NO_PREVIEW,
                )

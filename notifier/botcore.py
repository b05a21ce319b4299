"""What every bot command module shares: the database, the config, replies within Telegram's
limits, strict argument parsing, and the declarations a module hands to :mod:`notifier.bot`.

A command module (``notifier.cmd_*``) exposes ``commands(core) -> list[Command]`` and,
optionally, ``buttons(core) -> list[Button]``; ``notifier.bot.COMMAND_MODULES`` lists them.
The bot registers each declaration, builds /help and Telegram's command menu from them, and
applies the common rules (admins only, group administrators only) before a callback runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from notifier import render
from notifier.i18n import guess_lang, t
from settings import Config
from storage import subscribers

log = logging.getLogger("ircc_watch.bot")

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

ECHO_MAX = 64  # characters of a user's argument we ever repeat back
ANSWER_MAX = 200  # Telegram's limit for a callback query's answer text
_ASCII_INT = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Command:
    """A slash command: its callback, its /help line (``usage`` – ``en``/``fr``), who may run it.

    ``admin``: only ``[telegram] admins``. ``changes``: it changes the chat's subscription, so in
    a group only the group's administrators may run it. ``menu``: listed in Telegram's menu.
    ``block=False`` lets other updates go on while it runs (a /check may crawl for a while).
    """

    name: str
    callback: Callback
    en: str
    fr: str
    usage: str = ""
    admin: bool = False
    changes: bool = False
    menu: bool = True
    block: bool = True

    def line(self, lang: str) -> str:
        """This command's line in /help."""
        return f"{self.usage or '/' + self.name} – {self.fr if lang == 'fr' else self.en}"


@dataclass(frozen=True)
class Button:
    """Inline buttons whose callback data starts with ``prefix`` (see notifier.keyboards)."""

    prefix: str
    callback: Callback
    changes: bool = False


class AdminActions(Protocol):
    """What admins can make the service do; each returns a short report for the chat."""

    async def check(self, name: str) -> str:
        """Fetch the watch now."""

    async def pause(self, name: str) -> str:
        """Stop checking the watch until resumed."""

    async def resume(self, name: str) -> str:
        """Check the watch again."""

    async def status(self) -> str:
        """Every watch and its health."""

    async def reload(self) -> str:
        """Read the config again."""


def ascii_int(text: str | None) -> int | None:
    """``text`` as an int if it is 1–9 ASCII digits, else None (``"²"`` and ``"٣"`` are not)."""
    if text is None or not _ASCII_INT.fullmatch(text):
        return None
    return int(text)


def echo(text: Any) -> str:
    """A user's argument, cut to :data:`ECHO_MAX` characters, for repeating it back."""
    value = str(text)
    return value if len(value) <= ECHO_MAX else value[: ECHO_MAX - 1] + "…"


def answer_text(text: str) -> str:
    """One of our HTML strings as a callback answer: plain, within Telegram's 200 characters."""
    value = render.plain(text)
    return value if len(value) <= ANSWER_MAX else value[: ANSWER_MAX - 1] + "…"


class Core:
    """The state and helpers every command module uses."""

    def __init__(self, db: sqlite_utils.Database, config: Config, actions: AdminActions) -> None:
        self.db = db
        self.config = config
        self.actions = actions
        self.registry: list[Command] = []

    # -- who and in which language ------------------------------------------------------------

    def topic_names(self) -> list[str]:
        """The topics people can follow (slugs, as config.toml writes them)."""
        return self.config.topics()

    def is_admin(self, update: Update) -> bool:
        """Whether the user is one of ``[telegram] admins``."""
        user = update.effective_user
        admins = self.config.telegram.admins if self.config.telegram else ()
        return user is not None and user.id in admins

    def lang_of(self, update: Update) -> str:
        """The chat's language: the subscriber's choice, else the user's Telegram language."""
        chat = update.effective_chat
        sub = subscribers.get(self.db, chat.id) if chat else None
        if sub is not None:
            return sub["lang"]
        user = update.effective_user
        return guess_lang(user.language_code if user else None)

    def ensure(self, update: Update) -> dict[str, Any]:
        """The chat's subscriber row, created if needed."""
        return subscribers.ensure(self.db, update.effective_chat.id, self.lang_of(update))

    # -- replies -----------------------------------------------------------------------------

    async def send(
        self, update: Update, lines: list[str], markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Reply with HTML lines, split at 4,096; the keyboard goes on the last part."""
        parts = render.typeset(render.split(lines), self.lang_of(update))
        for index, part in enumerate(parts):
            await update.effective_chat.send_message(
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if index == len(parts) - 1 else None,
                link_preview_options=render.NO_PREVIEW,
            )

    async def say(
        self,
        update: Update,
        key: str,
        markup: InlineKeyboardMarkup | None = None,
        **values: Any,
    ) -> None:
        """Reply with one of the i18n strings; ``values`` are cut to 64 characters and escaped."""
        escaped = {k: render.escape(echo(v)) for k, v in values.items()}
        await self.send(update, t(self.lang_of(update), key, **escaped).split("\n"), markup)

    async def edit(
        self, update: Update, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """Replace the text (HTML, at most 4,096) and keyboard of the message a button is on."""
        parts = render.typeset(render.split(text.split("\n")), self.lang_of(update))
        await update.callback_query.edit_message_text(
            parts[0] if parts else "…",
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=render.NO_PREVIEW,
        )

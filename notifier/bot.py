"""The Telegram bot: subscribers' commands, maintainers' "Mark reviewed" button, admins' commands.

:func:`build_application` returns a python-telegram-bot Application with every handler; the
service starts and stops it. Handlers touch the database only through short synchronous calls
(storage), never across an ``await``. Admin commands run through :class:`AdminActions`, which the
service implements; anyone not in ``[telegram] admins`` gets a polite refusal and nothing runs.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Protocol

import sqlite_utils
from telegram import BotCommand, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
)

from diffing.document import Document
from diffing.messages import describe, fmt_date
from ircc_watch.config import Config
from notifier import keyboards, render
from notifier.drawtypes import DRAW_TYPES
from notifier.i18n import LANG_NAMES, LANGS, draw_type_label, guess_lang, t
from notifier.routing import in_language
from storage import changes, deliveries, snapshots, subscribers

log = logging.getLogger("ircc_watch.bot")

DRAWS_DEFAULT, DRAWS_MAX = 5, 20
HISTORY_DEFAULT, HISTORY_MAX = 5, 20
CRS_MAX = 1200
_HANDLERS = "ircc_watch.handlers"

# What /help and Telegram's command menu list, per language.
COMMANDS = {
    "en": [
        ("start", "Language and topics"),
        ("topics", "Follow or unfollow topics"),
        ("mysubs", "What you follow and your filters"),
        ("drawtypes", "Express Entry draw types you hear about"),
        ("crs", "Only draws with a cutoff of at most N"),
        ("latest", "The last Express Entry draw"),
        ("draws", "The last N Express Entry draws"),
        ("history", "Latest changes of a topic"),
        ("lang", "Language: en or fr"),
        ("stop", "Unsubscribe and delete your data"),
        ("help", "All commands"),
    ],
    "fr": [
        ("start", "Langue et sujets"),
        ("topics", "Suivre ou ne plus suivre des sujets"),
        ("mysubs", "Ce que vous suivez et vos filtres"),
        ("drawtypes", "Types de rondes d'Entrée express"),
        ("crs", "Seulement les rondes d'au plus N points"),
        ("latest", "La dernière ronde d'Entrée express"),
        ("draws", "Les N dernières rondes"),
        ("history", "Derniers changements d'un sujet"),
        ("lang", "Langue : en ou fr"),
        ("stop", "Se désabonner et supprimer ses données"),
        ("help", "Toutes les commandes"),
    ],
}


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


def build_application(
    config: Config, db: sqlite_utils.Database, *, token: str, actions: AdminActions
) -> Application:
    """An Application with every handler, rate limited, pointed at ``[telegram] base_url``."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .post_init(publish_commands)
    )
    if config.telegram is not None and config.telegram.base_url:
        builder = builder.base_url(config.telegram.base_url)
    app = builder.build()
    handlers = Handlers(db, config, actions)
    handlers.register(app)
    app.bot_data[_HANDLERS] = handlers
    return app


def update_config(app: Application, config: Config) -> None:
    """Use a reloaded config from now on (topics, admins, maintainers, review page)."""
    app.bot_data[_HANDLERS].config = config


async def publish_commands(app: Application) -> None:
    """Set Telegram's command menu, in English and in French.

    Run by ``run_polling``; a service that starts the Application itself calls it after
    ``initialize()``.
    """
    for lang, entries in COMMANDS.items():
        commands = [BotCommand(name, text) for name, text in entries]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)


class Handlers:
    """Every update handler, sharing the database, the config and the admin actions."""

    def __init__(self, db: sqlite_utils.Database, config: Config, actions: AdminActions) -> None:
        self.db = db
        self.config = config
        self.actions = actions

    def register(self, app: Application) -> None:
        """Add every handler (and the error handler) to ``app``."""
        app.add_handler(TypeHandler(Update, self.touch), group=-1)
        public = {
            "start": self.start,
            "help": self.help,
            "topics": self.topics,
            "subscribe": self.subscribe,
            "unsubscribe": self.unsubscribe,
            "mysubs": self.mysubs,
            "lang": self.lang,
            "drawtypes": self.drawtypes,
            "crs": self.crs,
            "latest": self.latest,
            "draws": self.draws,
            "history": self.history,
            "stop": self.stop,
        }
        for name, callback in public.items():
            app.add_handler(CommandHandler(name, callback))
        for name in ("status", "check", "pause", "resume", "reload"):
            # block=False: a /check may crawl for a while; other updates go on meanwhile.
            app.add_handler(CommandHandler(name, self.admin, block=False))
        app.add_handler(CallbackQueryHandler(self.on_lang, pattern=r"^lang:"))
        app.add_handler(CallbackQueryHandler(self.on_topic, pattern=r"^t:"))
        app.add_handler(CallbackQueryHandler(self.on_draw_type, pattern=r"^dt:"))
        app.add_handler(
            CallbackQueryHandler(self.on_review, pattern=rf"^{render.REVIEW_PREFIX}\d+$")
        )
        app.add_error_handler(self.on_error)

    # -- helpers ------------------------------------------------------------------------------

    def topic_names(self) -> list[str]:
        return self.config.topics()

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

    async def send(
        self,
        update: Update,
        lines: list[str],
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Reply with HTML lines, split as needed; the keyboard goes on the last part."""
        parts = render.split(lines)
        for index, part in enumerate(parts):
            await update.effective_chat.send_message(
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if index == len(parts) - 1 else None,
                link_preview_options=render.NO_PREVIEW,
            )

    async def say(self, update: Update, key: str, **values: Any) -> None:
        """Reply with one of the i18n strings (``values`` are escaped here)."""
        escaped = {k: render.escape(v) for k, v in values.items()}
        await self.send(update, t(self.lang_of(update), key, **escaped).split("\n"))

    def topic_list(self) -> str:
        return ", ".join(self.topic_names())

    # -- every update -------------------------------------------------------------------------

    async def touch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A chat that writes to the bot has unblocked it: reactivate its subscription."""
        chat = update.effective_chat
        if chat is None:
            return
        sub = subscribers.get(self.db, chat.id)
        if sub is not None and not sub["active"]:
            subscribers.ensure(self.db, chat.id)
            log.info("chat %s is back: reactivated", chat.id)

    # -- subscribers --------------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, language choice and topic toggles, in one message."""
        sub = self.ensure(update)
        markup = keyboards.settings(
            self.topic_names(), subscribers.topics(self.db, sub["chat_id"]), sub["lang"]
        )
        await self.send(update, t(sub["lang"], "welcome").split("\n"), markup)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.say(update, "help", topics=self.topic_list())

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_of(update)
        followed = subscribers.topics(self.db, update.effective_chat.id)
        markup = keyboards.settings(self.topic_names(), followed, lang)
        await self.send(update, self.topics_text(lang, followed).split("\n"), markup)

    @staticmethod
    def topics_text(lang: str, followed: list[str]) -> str:
        return t(
            lang, "topics_prompt", topics=render.escape(", ".join(followed) or t(lang, "nothing"))
        )

    async def subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        topic = self.topic_arg(context)
        if topic is None:
            await self.say(update, "usage_subscribe", topics=self.topic_list())
        elif topic not in self.topic_names():
            await self.say(update, "unknown_topic", topic=topic, topics=self.topic_list())
        else:
            chat_id = self.ensure(update)["chat_id"]
            added = subscribers.subscribe(self.db, chat_id, topic)
            await self.say(update, "subscribed" if added else "already_subscribed", topic=topic)

    async def unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        topic = self.topic_arg(context)
        if topic is None:
            await self.say(update, "usage_unsubscribe", topics=self.topic_list())
            return
        removed = subscribers.unsubscribe(self.db, update.effective_chat.id, topic)
        await self.say(update, "unsubscribed" if removed else "not_subscribed", topic=topic)

    @staticmethod
    def topic_arg(context: ContextTypes.DEFAULT_TYPE) -> str | None:
        return context.args[0].strip().lower() if context.args else None

    async def mysubs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_of(update)
        sub = subscribers.get(self.db, update.effective_chat.id)
        followed = subscribers.topics(self.db, update.effective_chat.id)
        selected = sub["draw_types"] if sub else None
        types = (
            t(lang, "all_types")
            if selected is None
            else ", ".join(draw_type_label(lang, k) for k in DRAW_TYPES if k in selected)
            or t(lang, "nothing")
        )
        crs_max = sub["crs_max"] if sub else None
        crs = t(lang, "crs_any") if crs_max is None else t(lang, "crs_at_most", crs=crs_max)
        await self.say(
            update,
            "mysubs",
            topics=", ".join(followed) or t(lang, "nothing"),
            types=types,
            crs=crs,
            language=LANG_NAMES[lang],
        )

    async def lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        choice = context.args[0].strip().lower() if context.args else ""
        if choice not in LANGS:
            await self.say(update, "usage_lang")
            return
        subscribers.set_lang(self.db, self.ensure(update)["chat_id"], choice)
        await self.say(update, "lang_set")

    async def drawtypes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sub = self.ensure(update)
        await self.send(
            update,
            self.drawtypes_text(sub["lang"], sub["draw_types"]),
            keyboards.draw_types(sub["draw_types"], sub["lang"]),
        )

    @staticmethod
    def drawtypes_text(lang: str, selected: set[str] | None) -> list[str]:
        chosen = (
            t(lang, "all_types")
            if selected is None
            else ", ".join(draw_type_label(lang, k) for k in DRAW_TYPES if k in selected)
            or t(lang, "nothing")
        )
        return t(lang, "drawtypes_prompt", types=render.escape(chosen)).split("\n")

    async def crs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        arg = context.args[0].strip().lower() if context.args else ""
        if arg == "off":
            subscribers.set_crs_max(self.db, self.ensure(update)["chat_id"], None)
            await self.say(update, "crs_off")
        elif arg.isdigit() and 0 < int(arg) <= CRS_MAX:
            subscribers.set_crs_max(self.db, self.ensure(update)["chat_id"], int(arg))
            await self.say(update, "crs_set", crs=int(arg))
        else:
            await self.say(update, "usage_crs")

    def latest_draws(self, lang: str) -> list[dict[str, Any]]:
        """The draws of the newest rounds-feed snapshot (the feed in ``lang`` if watched), newest
        first."""
        feeds = [w for w in self.config.watches if w.kind == "ee-rounds"]
        feeds.sort(key=lambda w: w.lang != lang)
        for watch in feeds:
            snapshot = snapshots.latest(self.db, watch.name)
            if snapshot is not None:
                records = Document.from_json(snapshots.document_json(snapshot)).records.values()
                return sorted(records, key=_draw_order, reverse=True)
        return []

    async def latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_of(update)
        draws = self.latest_draws(lang)
        if not draws:
            await self.say(update, "latest_none")
            return
        await self.send(update, render.draw_detail(draws[0], lang))

    async def draws(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.lang_of(update)
        count = _count_arg(context, DRAWS_DEFAULT, DRAWS_MAX)
        draws = self.latest_draws(lang)[:count]
        if not draws:
            await self.say(update, "latest_none")
            return
        header = t(lang, "draws_header", n=len(draws))
        await self.send(update, [header, *render.draw_lines(draws, lang)])

    async def history(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        topic = self.topic_arg(context)
        if topic is None or topic not in self.topic_names():
            await self.say(update, "usage_history", topics=self.topic_list())
            return
        lang = self.lang_of(update)
        count = _count_arg(context, HISTORY_DEFAULT, HISTORY_MAX, position=1)
        rows = [
            row
            for row in changes.listing(self.db, topic=topic, limit=200)
            if row["audience"] == "subscribers" and in_language(self.config, row["watch"], lang)
        ][:count]
        if not rows:
            await self.say(update, "history_none", topic=topic)
            return
        lines = [t(lang, "history_header", topic=render.escape(topic))]
        for row in rows:
            title, _ = describe(row["kind"], row["data"], lang)
            lines += render.text_lines(f"{fmt_date(row['observed_at'], lang)} — {title}")
        await self.send(update, lines)

    async def stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Unsubscribe from everything and erase the chat's data."""
        lang = self.lang_of(update)
        with self.db.atomic():
            subscribers.delete(self.db, update.effective_chat.id)
        await self.send(update, t(lang, "stopped").split("\n"))

    # -- buttons ------------------------------------------------------------------------------

    async def on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        choice = query.data.split(":", 1)[1]
        if choice not in LANGS:
            await query.answer()
            return
        sub = self.ensure(update)
        subscribers.set_lang(self.db, sub["chat_id"], choice)
        await query.answer(LANG_NAMES[choice])
        followed = subscribers.topics(self.db, sub["chat_id"])
        await query.edit_message_text(
            f"{t(choice, 'lang_set')}\n\n{self.topics_text(choice, followed)}",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.settings(self.topic_names(), followed, choice),
        )

    async def on_topic(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        topic = query.data.split(":", 1)[1]
        if topic not in self.topic_names():
            await query.answer()
            return
        sub = self.ensure(update)
        key = "subscribed"
        if not subscribers.subscribe(self.db, sub["chat_id"], topic):
            subscribers.unsubscribe(self.db, sub["chat_id"], topic)
            key = "unsubscribed"
        await query.answer(render.plain(t(sub["lang"], key, topic=topic)))
        followed = subscribers.topics(self.db, sub["chat_id"])
        await query.edit_message_reply_markup(
            keyboards.settings(self.topic_names(), followed, sub["lang"])
        )

    async def on_draw_type(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        kind = query.data.split(":", 1)[1]
        if kind != keyboards.ALL_TYPES and kind not in DRAW_TYPES:
            await query.answer()
            return
        sub = self.ensure(update)
        selected = keyboards.toggle_draw_type(sub["draw_types"], kind)
        subscribers.set_draw_types(self.db, sub["chat_id"], selected)
        await query.answer()
        if selected == sub["draw_types"]:
            return  # "All" tapped while already receiving all: nothing to redraw
        await query.edit_message_text(
            "\n".join(self.drawtypes_text(sub["lang"], selected)),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.draw_types(selected, sub["lang"]),
        )

    async def on_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A maintainer's "Mark reviewed": record who and when, then take the buttons away."""
        query = update.callback_query
        change_id = int(query.data[len(render.REVIEW_PREFIX) :])
        telegram = self.config.telegram
        chat_id = query.message.chat.id if query.message else None
        allowed = telegram is not None and (
            chat_id in telegram.maintainers or query.from_user.id in telegram.admins
        )
        if not allowed:
            await query.answer(t("en", "maintainers_only"), show_alert=True)
            return
        change = changes.get(self.db, change_id)
        if change is None:
            await query.answer(t("en", "unknown_change"))
        elif change["reviewed_at"]:
            await query.answer(
                t("en", "already_reviewed", by=change["reviewed_by"], at=change["reviewed_at"])
            )
        else:
            changes.mark_reviewed(self.db, change_id, reviewer(query.from_user))
            log.info("change %s marked reviewed by %s", change_id, reviewer(query.from_user))
            await query.answer(t("en", "reviewed_ok"))
        await self.drop_review_buttons(context, change_id, chat_id, query)

    async def drop_review_buttons(
        self, context: ContextTypes.DEFAULT_TYPE, change_id: int, chat_id: int | None, query: Any
    ) -> None:
        """Remove the button from the tapped message and from other maintainers' copies."""
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        for row in deliveries.for_change(self.db, change_id):
            if row["role"] != "maintainer" or row["chat_id"] == chat_id or not row["message_id"]:
                continue
            if row["status"] != "sent":
                continue
            with contextlib.suppress(TelegramError):
                await context.bot.edit_message_reply_markup(
                    row["chat_id"], row["message_id"], reply_markup=None
                )

    # -- admins -------------------------------------------------------------------------------

    async def admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/status, /check NAME, /pause NAME, /resume NAME, /reload: admins only."""
        command = update.effective_message.text.split()[0][1:].split("@")[0].lower()
        user = update.effective_user
        admins = self.config.telegram.admins if self.config.telegram else ()
        if user is None or user.id not in admins:
            log.warning("refused /%s from user %s", command, user.id if user else None)
            await self.say(update, "admin_only", command=command)
            return
        if command in ("status", "reload"):
            report = await getattr(self.actions, command)()
        else:
            if not context.args:
                await self.say(update, "usage_admin", command=command)
                return
            report = await getattr(self.actions, command)(context.args[0].strip())
        log.info("admin %s ran /%s %s", user.id, command, " ".join(context.args or []))
        await self.send(update, render.text_lines(report or "OK"))

    # -- errors -------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with the update it came from; tell the chat, if there is one."""
        if isinstance(context.error, Forbidden) and isinstance(update, Update):
            if update.effective_chat is not None:  # the chat blocked the bot meanwhile
                subscribers.deactivate(self.db, update.effective_chat.id, str(context.error))
            return
        log.error("error handling update %s", update, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(Exception):
                await self.say(update, "error")


def reviewer(user: Any) -> str:
    """Who reviewed, as stored: "@username (telegram 123)" or "telegram 123"."""
    if user is None:
        return "telegram"
    return f"@{user.username} (telegram {user.id})" if user.username else f"telegram {user.id}"


def _draw_order(record: dict[str, Any]) -> tuple[str, int, str]:
    number = str(record.get("number", ""))
    digits = "".join(ch for ch in number if ch.isdigit())
    return (record.get("date") or "", int(digits) if digits else 0, number)


def _count_arg(
    context: ContextTypes.DEFAULT_TYPE, default: int, most: int, position: int = 0
) -> int:
    args = context.args or []
    if len(args) > position and args[position].isdigit():
        return max(1, min(int(args[position]), most))
    return default

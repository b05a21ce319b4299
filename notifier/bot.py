"""The Telegram bot: a registry of command modules, and the rules every update goes through.

:func:`build_application` returns a python-telegram-bot Application with every handler; the
service starts and stops it. Each module in :data:`COMMAND_MODULES` declares its commands and
buttons (see :mod:`notifier.botcore`); adding a command is adding a module to that list. Here:

- /help and Telegram's menu are built from the declarations (admins' /help lists theirs too);
- admin commands refuse anyone not in ``[telegram] admins``, politely, and nothing runs;
- in a group, only the group's administrators (asked with getChatMember) may change or /stop
  the group's subscription;
- every callback query is answered, unknown and stale ones included;
- an unknown command, or text in a private chat, gets a short hint and the menu;
- errors are logged with the update id and chat id only, never the Update (names, usernames).

Handlers touch the database only through short synchronous calls, never across an ``await``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from types import ModuleType

import sqlite_utils
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from notifier import keyboards, render
from notifier.botcore import AdminActions, Button, Callback, Command, Core, answer_text
from notifier.chatorder import PerChatUpdates
from notifier.i18n import LANGS, t, topic_name
from settings import Config
from storage import subscribers

log = logging.getLogger("ircc_watch.bot")

# The command modules, in the order /help lists them. Each has commands(core) and, optionally,
# buttons(core) (see notifier.botcore).
COMMAND_MODULES = [
    "notifier.cmd_subscribe",
    "notifier.cmd_draws",
    "notifier.cmd_pnp",
    "notifier.cmd_digest",
    "notifier.cmd_admin",
    "notifier.cmd_review",
    "notifier.cmd_hold",
    "notifier.cmd_ptime",
    "notifier.cmd_pool",
    "notifier.cmd_chart",
]
_CORE = "ircc_watch.core"
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_GROUP_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

__all__ = [
    "AdminActions",
    "build_application",
    "publish_commands",
    "rate_limiter",
    "update_config",
]


def rate_limiter(speed: float = 1.0) -> AIORateLimiter:
    """PTB's limiter at Telegram's rates (30 a second overall, 20 a minute per group or
    channel). ``speed`` compresses time (a benchmark against the fake Bot API; 1 in
    production): the periods shrink, the bursts stay, as in the fake."""
    return AIORateLimiter(
        overall_max_rate=30,
        overall_time_period=1 / speed,
        group_max_rate=20,
        group_time_period=60 / speed,
        max_retries=2,
    )


def build_application(
    config: Config, db: sqlite_utils.Database, *, token: str, actions: AdminActions
) -> Application:
    """An Application with every handler, rate limited, pointed at ``[telegram] base_url``."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(rate_limiter())
        .concurrent_updates(PerChatUpdates())  # one chat's flood never holds up another chat
        .post_init(publish_commands)
    )
    if config.telegram is not None and config.telegram.base_url:
        builder = builder.base_url(config.telegram.base_url)
    app = builder.build()
    core = Core(db, config, actions)
    Dispatcher(core).register(app, [importlib.import_module(name) for name in COMMAND_MODULES])
    app.bot_data[_CORE] = core
    return app


def update_config(app: Application, config: Config) -> None:
    """Use a reloaded config from now on (topics, admins, maintainers, channels)."""
    app.bot_data[_CORE].config = config


async def publish_commands(app: Application) -> None:
    """Set Telegram's command menu in English and French; admins also see theirs.

    Run by ``run_polling``; a service that starts the Application itself calls it after
    ``initialize()``.
    """
    core: Core = app.bot_data[_CORE]
    for lang in LANGS:
        menu = [
            BotCommand(c.name, c.fr if lang == "fr" else c.en)
            for c in core.registry
            if c.menu and not c.admin
        ]
        await app.bot.set_my_commands(menu, language_code=None if lang == "en" else lang)
    admins = core.config.telegram.admins if core.config.telegram else ()
    everything = [BotCommand(c.name, c.en) for c in core.registry if c.menu]
    for admin in admins:
        with contextlib.suppress(TelegramError):  # an admin who never wrote to the bot
            await app.bot.set_my_commands(everything, scope=BotCommandScopeChat(admin))


class Dispatcher:
    """Registers the modules' declarations behind the common rules."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def register(self, app: Application, modules: list[ModuleType]) -> None:
        """Add every module's commands and buttons, the fallbacks and the error handler."""
        app.add_handler(TypeHandler(Update, self.touch), group=-1)
        help_command = Command("help", self.help, "All commands", "Toutes les commandes")
        declared: list[Command] = []
        buttons: list[Button] = [Button(keyboards.MENU_PREFIX, self.on_menu)]
        for module in modules:
            declared += module.commands(self.core)
            buttons += getattr(module, "buttons", lambda core: [])(self.core)
        self.core.registry[:] = [*declared, help_command]
        for command in self.core.registry:
            app.add_handler(
                CommandHandler(command.name, self.guarded(command), block=command.block)
            )
        for button in buttons:
            pattern = "^" + button.prefix.replace(":", r"\:")
            app.add_handler(CallbackQueryHandler(self.guarded_button(button), pattern=pattern))
        app.add_handler(CallbackQueryHandler(self.on_unknown_button))
        app.add_handler(MessageHandler(filters.COMMAND | filters.TEXT, self.on_unknown))
        app.add_error_handler(self.on_error)

    # -- the rules ----------------------------------------------------------------------------

    async def group_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """True outside groups; in a group, whether the user administers it (getChatMember)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type not in _GROUPS:
            return True
        if user is None:
            return False
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("getChatMember in chat %s failed: %s", chat.id, exc)
            return False
        return member.status in _GROUP_ADMINS

    def guarded(self, command: Command) -> Callback:
        """``command``'s callback behind the admins-only and group-administrators rules."""

        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if command.admin and not self.core.is_admin(update):
                user = update.effective_user
                log.warning("refused /%s from user %s", command.name, user.id if user else None)
                await self.core.say(update, "admin_only", command=command.name)
                return
            if command.changes and not await self.group_admin(update, context):
                await self.core.say(update, "group_admins_only", command=command.name)
                return
            await command.callback(update, context)

        return run

    def guarded_button(self, button: Button) -> Callback:
        """``button``'s callback behind the group-administrators rule."""

        async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if button.changes and not await self.group_admin(update, context):
                text = t(self.core.lang_of(update), "group_admins_only_button")
                await update.callback_query.answer(answer_text(text), show_alert=True)
                return
            await button.callback(update, context)

        return run

    # -- every update -------------------------------------------------------------------------

    async def touch(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A chat that writes to the bot has unblocked it: reactivate its subscription."""
        chat = update.effective_chat
        if chat is None:
            return
        sub = subscribers.get(self.core.db, chat.id)
        if sub is not None and not sub["active"]:
            subscribers.ensure(self.core.db, chat.id)
            log.info("chat %s is back: reactivated", chat.id)

    # -- help, menu, fallbacks ----------------------------------------------------------------

    def help_lines(self, update: Update) -> list[str]:
        """/help as HTML lines: the public commands, then the admin commands for admins."""
        lang = self.core.lang_of(update)
        lines = [t(lang, "help_header")]
        lines += [render.escape(c.line(lang)) for c in self.core.registry if not c.admin]
        if self.core.is_admin(update):
            lines += ["", t(lang, "help_admin_header")]
            lines += [render.escape(c.line(lang)) for c in self.core.registry if c.admin]
        topics = render.escape(
            ", ".join(topic_name(lang, name) for name in self.core.topic_names())
        )
        return [*lines, "", t(lang, "help_topics", topics=topics)]

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every command the user may run, in their language."""
        await self.core.send(update, self.help_lines(update))

    async def on_unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An unknown command, or free text in a private chat: a short hint and the menu.

        In groups, only commands addressed to this bot are answered (other bots live there).
        """
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or message.text is None:
            return
        if chat.type != ChatType.PRIVATE:
            first = message.text.split()[0] if message.text.split() else ""
            if not first.startswith("/") or not first.lower().endswith(
                "@" + (context.bot.username or "").lower()
            ):
                return
        lang = self.core.lang_of(update)
        key = "unknown_command" if message.text.startswith("/") else "unknown_text"
        await self.core.say(update, key, keyboards.main_menu(lang))

    async def on_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the menu: run that command, as if typed."""
        query = update.callback_query
        name = query.data[len(keyboards.MENU_PREFIX) :]
        command = next((c for c in self.core.registry if c.name == name and not c.admin), None)
        if command is None or name not in keyboards.MENU_COMMANDS:
            await self.on_unknown_button(update, context)
            return
        await query.answer()
        context.args = []
        await command.callback(update, context)

    async def on_unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button this bot no longer knows (an old message, a forged callback): say so."""
        text = t(self.core.lang_of(update), "button_stale")
        await update.callback_query.answer(answer_text(text))

    # -- errors -------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with the update id and chat id only; tell the chat, if there is one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if isinstance(context.error, Forbidden) and chat is not None:
            subscribers.deactivate(self.core.db, chat.id, str(context.error))
            return
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "error handling update %s (chat %s): %s",
            update_id,
            chat.id if chat is not None else None,
            type(context.error).__name__,
            exc_info=context.error,
        )
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:
            with contextlib.suppress(Exception):
                await update.callback_query.answer(
                    answer_text(t(self.core.lang_of(update), "error"))
                )
        elif chat is not None:
            with contextlib.suppress(Exception):
                await self.core.say(update, "error")

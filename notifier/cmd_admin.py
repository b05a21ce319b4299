"""Admins' commands: /status (watches and channels), /check NAME, /pause NAME, /resume NAME,
/reload. The bot lets only ``[telegram] admins`` reach these handlers."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from notifier import render
from notifier.botcore import Command, Core, echo
from notifier.channels import health_lines

log = logging.getLogger("ircc_watch.bot")


def commands(core: Core) -> list[Command]:
    """The admin commands; ``block=False``: a /check may crawl for a while."""
    a = Admin(core)
    return [
        Command(
            "status",
            a.status,
            "Every watch and channel and its health",
            "Chaque surveillance et canal, et son état",
            admin=True,
            block=False,
        ),
        Command(
            "check",
            a.named,
            "Fetch a watch now",
            "Vérifier une surveillance maintenant",
            usage="/check NAME",
            admin=True,
            block=False,
        ),
        Command(
            "pause",
            a.named,
            "Stop checking a watch",
            "Suspendre une surveillance",
            usage="/pause NAME",
            admin=True,
            block=False,
        ),
        Command(
            "resume",
            a.named,
            "Check a paused watch again",
            "Reprendre une surveillance",
            usage="/resume NAME",
            admin=True,
            block=False,
        ),
        Command(
            "reload",
            a.reload,
            "Read config.toml again",
            "Relire config.toml",
            admin=True,
            block=False,
        ),
    ]


class Admin:
    """The handlers, running the service's AdminActions."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        report = await self.core.actions.status()
        lines = render.text_lines(report or "OK")
        channel_lines = health_lines(self.core.db, self.core.config)
        if channel_lines:
            lines += ["", *render.text_lines("\n".join(channel_lines))]
        log.info("admin %s ran /status", update.effective_user.id)
        await self.core.send(update, lines)

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        report = await self.core.actions.reload()
        log.info("admin %s ran /reload", update.effective_user.id)
        await self.core.send(update, render.text_lines(report or "OK"))

    async def named(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        command = update.effective_message.text.split()[0][1:].split("@")[0].lower()
        if not context.args:
            await self.core.say(update, "usage_admin", command=command)
            return
        name = echo(context.args[0].strip())
        report = await getattr(self.core.actions, command)(context.args[0].strip()[:200])
        log.info("admin %s ran /%s %s", update.effective_user.id, command, name)
        await self.core.send(update, render.text_lines(report or "OK"))

"""When subscribers hear from the bot: /digest, /tz and /quiet (see notifier.schedule).

Changing any of them releases the chat's held messages, so the delivery loop decides again
under the new settings (``/digest off`` sends what was waiting right away).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from notifier.botcore import Command, Core
from notifier.i18n import t
from notifier.schedule import DAYS, DEFAULT_DAILY, DEFAULT_TZ, known_zone, parse_hhmm
from storage import deliveries, subscribers

KEEP_DRAWS = "keep-draws"


def commands(core: Core) -> list[Command]:
    """/digest, /tz, /quiet."""
    d = Digest(core)
    return [
        Command(
            "digest",
            d.digest,
            "One message a day or a week instead of one per change",
            "Un message par jour ou par semaine au lieu d'un par changement",
            usage="/digest daily HH:MM|weekly [DAY] [HH:MM]|off [keep-draws]",
            changes=True,
        ),
        Command(
            "tz",
            d.tz,
            "Your time zone, such as America/Toronto",
            "Votre fuseau horaire, par exemple America/Toronto",
            usage="/tz ZONE",
            changes=True,
        ),
        Command(
            "quiet",
            d.quiet,
            "Hold messages during these hours; /quiet off",
            "Retenir les messages pendant ces heures; /quiet off",
            usage="/quiet HH:MM-HH:MM",
            changes=True,
        ),
    ]


class Digest:
    """The handlers."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def settings_line(self, sub: dict, lang: str) -> str:
        """The chat's digest, zone and quiet hours, in one sentence."""
        zone = sub.get("tz") or DEFAULT_TZ
        if sub.get("digest") == "daily":
            mode = t(lang, "digest_is_daily", at=sub.get("digest_time") or DEFAULT_DAILY)
        elif sub.get("digest") == "weekly":
            day = t(lang, f"day_{DAYS[sub.get('digest_day') or 0]}")
            mode = t(lang, "digest_is_weekly", day=day, at=sub.get("digest_time") or DEFAULT_DAILY)
        else:
            mode = t(lang, "digest_is_off")
        if sub.get("digest") and sub.get("digest_keep_draws"):
            mode += " " + t(lang, "digest_keeps_draws")
        quiet = (
            t(lang, "quiet_is", start=sub["quiet_start"], end=sub["quiet_end"])
            if sub.get("quiet_start")
            else t(lang, "quiet_is_off")
        )
        return t(lang, "schedule_line", mode=mode, zone=zone, quiet=quiet)

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sub = self.core.ensure(update)
        lang = sub["lang"]
        args = [a.strip().lower() for a in context.args or []]
        keep = KEEP_DRAWS in args
        args = [a for a in args if a != KEEP_DRAWS]
        if not args:
            await self.core.send(update, [self.settings_line(sub, lang), t(lang, "usage_digest")])
            return
        mode, rest = args[0], args[1:]
        day = None
        at = DEFAULT_DAILY
        if mode == "off" and not rest:
            subscribers.set_digest(self.core.db, sub["chat_id"], None)
        elif mode in ("daily", "weekly"):
            if mode == "weekly":
                day = 0
                if rest and rest[0][:3] in DAYS:
                    day = DAYS.index(rest[0][:3])
                    rest = rest[1:]
            if rest:
                clock = parse_hhmm(rest[0])
                if clock is None or len(rest) > 1:
                    await self.core.say(update, "usage_digest")
                    return
                at = rest[0]
            subscribers.set_digest(self.core.db, sub["chat_id"], mode, at, day, keep)
        else:
            await self.core.say(update, "usage_digest")
            return
        deliveries.release_held(self.core.db, sub["chat_id"])
        sub = subscribers.get(self.core.db, sub["chat_id"])
        await self.core.send(update, [self.settings_line(sub, lang)])

    async def tz(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sub = self.core.ensure(update)
        lang = sub["lang"]
        name = context.args[0].strip() if context.args else ""
        zone = known_zone(name) if name else None
        if zone is None:
            if name:
                await self.core.say(update, "usage_tz", zone=name)
            else:
                await self.core.say(update, "usage_tz_bare")
            return
        subscribers.set_tz(self.core.db, sub["chat_id"], zone)
        deliveries.release_held(self.core.db, sub["chat_id"])
        sub = subscribers.get(self.core.db, sub["chat_id"])
        await self.core.send(update, [self.settings_line(sub, lang)])

    async def quiet(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sub = self.core.ensure(update)
        lang = sub["lang"]
        arg = context.args[0].strip().lower() if context.args else ""
        if arg == "off":
            subscribers.set_quiet(self.core.db, sub["chat_id"], None, None)
        else:
            start, _, end = arg.partition("-")
            if parse_hhmm(start) is None or parse_hhmm(end) is None or start == end:
                await self.core.say(update, "usage_quiet")
                return
            subscribers.set_quiet(self.core.db, sub["chat_id"], start, end)
        deliveries.release_held(self.core.db, sub["chat_id"])
        sub = subscribers.get(self.core.db, sub["chat_id"])
        await self.core.send(update, [self.settings_line(sub, lang)])

"""/pool: the Express Entry pool's latest score distribution, and /pool on|off for an alert at
each new one (``pool_changed``). Turning it on also follows the rounds feed's topic, since
alerts are routed by topic first (notifier.routing)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from diffing import pool
from diffing.formats import fmt_date, fmt_int
from notifier import render
from notifier.botcore import Command, Core
from notifier.cmd_draws import latest_draws
from notifier.standing import latest_distribution, percent, pool_lines
from storage import preferences, subscribers

ON, OFF = ("on", "oui"), ("off", "non")

STRINGS: dict[str, tuple[str, str]] = {
    "header": (
        "Express Entry pool as of {date}: {total} candidates",
        "Bassin d’Entrée express au {date} : {total} candidats",
    ),
    "band": ("{band}: {count} ({share})", "{band} : {count} ({share})"),
    "none": (
        "No pool distribution yet: the Express Entry rounds feed has not been read.",
        "Pas encore de répartition du bassin : le fil des rondes d’Entrée express n’a pas "
        "encore été lu.",
    ),
    "alerts_on": (
        "You will hear about each new pool distribution (about weekly). /pool off stops it.",
        "Vous serez prévenu de chaque nouvelle répartition du bassin (environ chaque semaine). "
        "/pool off l’arrête.",
    ),
    "alerts_off": (
        "You will no longer hear about new pool distributions.",
        "Vous ne serez plus prévenu des nouvelles répartitions du bassin.",
    ),
    "status_on": ("Pool alerts: on (/pool off).", "Alertes du bassin : oui (/pool off)."),
    "status_off": (
        "Pool alerts: off (/pool on). Your place: /crs N.",
        "Alertes du bassin : non (/pool on). Votre place : /crs N.",
    ),
    "usage": ("Usage: /pool, /pool on or /pool off", "Usage : /pool, /pool on ou /pool off"),
}


def s(lang: str, key: str, **values: object) -> str:
    en, fr = STRINGS[key]
    return (fr if lang == "fr" else en).format(**values)


def commands(core: Core) -> list[Command]:
    """/pool."""
    p = PoolCommand(core)
    return [
        Command(
            "pool",
            p.pool,
            "The Express Entry pool by CRS band; /pool on for each new one",
            "Le bassin d'Entrée express par tranche du SCG; /pool on pour chaque nouvelle",
            usage="/pool [on|off]",
            changes=True,
        )
    ]


def distribution_lines(distribution: pool.Distribution, lang: str) -> list[str]:
    """The distribution as IRCC's main bands, each with its share of the pool."""
    header = s(
        lang,
        "header",
        date=fmt_date(distribution.as_on, lang),
        total=fmt_int(distribution.total, lang),
    )
    lines = render.text_lines(header, "<b>{}</b>")
    for band in pool.MAIN:
        count = distribution.counts[band]
        text = s(
            lang,
            "band",
            band=distribution.label(band),
            count=fmt_int(count, lang),
            share=percent(count, distribution.total, lang),
        )
        lines += render.text_lines(text)
    return lines


class PoolCommand:
    """The handler."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def pool(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        arg = (context.args[0].strip().lower() if context.args else "") or None
        if arg in ON or arg in OFF:
            sub = self.core.ensure(update)
            preferences.set_pool_alerts(self.core.db, sub["chat_id"], arg in ON)
            if arg in ON:
                for watch in self.core.config.watches:
                    if watch.kind == "ee-rounds":
                        subscribers.subscribe(self.core.db, sub["chat_id"], watch.topic)
            key = "alerts_on" if arg in ON else "alerts_off"
            await self.core.send(update, render.text_lines(s(sub["lang"], key)))
            return
        if arg is not None:
            await self.core.send(update, render.text_lines(s(lang, "usage")))
            return
        draws = latest_draws(self.core, lang)
        distribution = latest_distribution(draws)
        if distribution is None:
            await self.core.send(update, render.text_lines(s(lang, "none")))
            return
        lines = distribution_lines(distribution, lang)
        sub = subscribers.get(self.core.db, update.effective_chat.id)
        if sub and sub.get("crs_max"):
            lines += ["", *pool_lines(distribution, sub["crs_max"], lang)]
        on = bool(sub) and preferences.pool_alerts(self.core.db, sub["chat_id"])
        lines += ["", *render.text_lines(s(lang, "status_on" if on else "status_off"))]
        await self.core.send(update, lines)

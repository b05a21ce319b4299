"""/chart: a chart of the stored history, sent as a photo whose caption is its text
alternative (lowest, highest, last values) — /chart (cut-offs of the last 12 months by draw
type, with the chat's /crs score as a line), /chart pool, /chart ptime iec, /chart iec France wh.

The figures are read here, on the event loop (short queries, as every handler); matplotlib draws
in a worker thread, so other chats are answered meanwhile.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from charts.pick import Refusal, choose
from notifier import render
from notifier.botcore import Command, Core, echo
from storage import subscribers

STRINGS: dict[str, tuple[str, str]] = {
    "usage": (
        "Usage: /chart (draw cut-offs), /chart pool, /chart ptime PROGRAM (such as iec), "
        "/chart iec COUNTRY CATEGORY (wh, yp or coop)",
        "Usage : /chart (notes minimales), /chart pool, /chart ptime PROGRAMME (comme iec), "
        "/chart iec PAYS CATÉGORIE (wh, yp ou coop)",
    ),
    "no_data": (
        "Nothing stored yet to draw this chart.",
        "Rien n’est encore enregistré pour tracer ce graphique.",
    ),
    "unknown": (
        "No program or pool “{text}” in what IRCC publishes. /ptime programs and /iec list them.",
        "Aucun programme ni bassin « {text} » dans ce que publie IRCC. /ptime programs et /iec "
        "les listent.",
    ),
}


def s(lang: str, key: str, **values: object) -> str:
    en, fr = STRINGS[key]
    return (fr if lang == "fr" else en).format(**values)


def commands(core: Core) -> list[Command]:
    """/chart."""
    c = ChartCommand(core)
    return [
        Command(
            "chart",
            c.chart,
            "A chart: /chart, /chart pool, /chart ptime iec, /chart iec France wh",
            "Un graphique : /chart, /chart pool, /chart ptime iec, /chart iec France wh",
            usage="/chart [pool|ptime P|iec C CAT]",
            block=False,
        )
    ]


class ChartCommand:
    """The handler."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def chart(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        sub = subscribers.get(self.core.db, update.effective_chat.id)
        score = sub.get("crs_max") if sub else None
        chart = choose(self.core.db, self.core.config.watches, context.args or [], lang, score)
        if isinstance(chart, Refusal):
            text = s(lang, chart.reason, text=echo(chart.text))
            await self.core.send(update, render.text_lines(text))
            return
        png = await asyncio.to_thread(chart.render, "png")
        await update.effective_chat.send_photo(
            photo=png,
            caption=render.escape(chart.caption),
            parse_mode=ParseMode.HTML,
        )

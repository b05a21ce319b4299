"""What the bot knows, on request: /latest, /draws [N], /history TOPIC [N], /why."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from diffing.document import Document
from diffing.messages import describe, fmt_date
from notifier import render
from notifier.botcore import Command, Core, ascii_int, echo
from notifier.drawtypes import draw_type
from notifier.i18n import t, topic_name
from notifier.routing import filter_explanation, in_language, wants_draw
from notifier.standing import filtered_reason, why_draw
from notifier.standing import s as standing_s
from settings import topic_family
from storage import changes, snapshots, subscribers

DRAWS_DEFAULT, DRAWS_MAX = 5, 20
HISTORY_DEFAULT, HISTORY_MAX = 5, 20
WHY_DRAWS = 5


def commands(core: Core) -> list[Command]:
    """The read-only commands about draws and changes."""
    d = Draws(core)
    return [
        Command("latest", d.latest, "The last Express Entry draw", "La dernière ronde"),
        Command(
            "draws",
            d.draws,
            "The last N Express Entry draws",
            "Les N dernières rondes",
            usage="/draws [N]",
        ),
        Command(
            "history",
            d.history,
            "Latest changes of a topic",
            "Derniers changements d'un sujet",
            usage="/history TOPIC [N]",
        ),
        Command(
            "why",
            d.why,
            "Why a draw did or did not reach you; /why N for draw N",
            "Pourquoi une ronde vous a été envoyée ou non; /why N pour la ronde N",
            usage="/why [N]",
        ),
    ]


def latest_draws(core: Core, lang: str) -> list[dict[str, Any]]:
    """The draws of the newest rounds-feed snapshot (the feed in ``lang`` if watched), newest
    first."""
    return latest_feed(core, lang)[0]


def latest_feed(core: Core, lang: str) -> tuple[list[dict[str, Any]], str | None]:
    """``latest_draws`` and the language of the feed they come from (which names the draws)."""
    feeds = [w for w in core.config.watches if w.kind == "ee-rounds"]
    feeds.sort(key=lambda w: w.lang != lang)
    for watch in feeds:
        snapshot = snapshots.latest(core.db, watch.name)
        if snapshot is not None:
            records = Document.from_json(snapshots.document_json(snapshot)).records.values()
            return sorted(records, key=_draw_order, reverse=True), watch.lang
    return [], None


def _draw_order(record: dict[str, Any]) -> tuple[str, int, str]:
    number = str(record.get("number", ""))
    digits = "".join(ch for ch in number if "0" <= ch <= "9")
    return (record.get("date") or "", int(digits) if digits else 0, number)


def rounds_link(lang: str) -> str:
    """A link to IRCC's rounds page in ``lang``, the official page of every draw."""
    return render.link(render.ROUNDS_PAGE[lang], t(lang, "source_link"))


class Draws:
    """The handlers."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def count(
        self, context: ContextTypes.DEFAULT_TYPE, default: int, most: int, position: int
    ) -> int | None:
        """The optional count argument: ``default`` when absent, None when not a number."""
        args = context.args or []
        if len(args) <= position:
            return default
        value = ascii_int(args[position].strip())
        return None if value is None else max(1, min(value, most))

    async def latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        draws, feed_lang = latest_feed(self.core, lang)
        if not draws:
            await self.core.say(update, "latest_none")
            return
        lines = render.draw_detail(draws[0], lang, feed_lang)
        await self.core.send(update, [*lines, rounds_link(lang)])

    async def draws(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        count = self.count(context, DRAWS_DEFAULT, DRAWS_MAX, 0)
        if count is None:
            await self.core.say(update, "usage_draws", most=DRAWS_MAX)
            return
        draws, feed_lang = latest_feed(self.core, lang)
        draws = draws[:count]
        if not draws:
            await self.core.say(update, "latest_none")
            return
        header = t(lang, "draws_header", n=len(draws))
        lines = render.draw_lines(draws, lang, feed_lang)
        await self.core.send(update, [header, *lines, rounds_link(lang)])

    async def history(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        topic = context.args[0].strip().lower() if context.args else None
        topics = ", ".join(self.core.topic_names())
        if topic is None or topic not in self.core.topic_names():
            await self.core.say(update, "usage_history", topics=topics, most=HISTORY_MAX)
            return
        count = self.count(context, HISTORY_DEFAULT, HISTORY_MAX, 1)
        if count is None:
            await self.core.say(update, "usage_history", topics=topics, most=HISTORY_MAX)
            return
        # A family ("pnp") is the history of all its members ("pnp-on", "pnp-bc", …).
        members = tuple(x for x in self.core.topic_names() if topic in topic_family(x))
        rows = [
            row
            for row in changes.listing(self.core.db, topics=members, limit=200)
            if row["audience"] == "subscribers"
            and in_language(self.core.config, row["watch"], lang)
        ][:count]
        name = topic_name(lang, topic)
        if not rows:
            await self.core.say(update, "history_none", topic=name)
            return
        lines = [t(lang, "history_header", topic=render.escape(name))]
        for row in rows:
            title, _ = describe(row["kind"], row["data"], lang)
            lines += render.text_lines(f"{fmt_date(row['observed_at'], lang)} — {title}")
        await self.core.send(update, lines)

    async def why(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The chat's draw filters, and for each recent draw whether it passed them and, if
        not, why; ``/why N`` explains draw N against the score and its round's pool."""
        lang = self.core.lang_of(update)
        sub = subscribers.get(self.core.db, update.effective_chat.id) or {
            "draw_types": None,
            "crs_max": None,
        }
        draws, feed_lang = latest_feed(self.core, lang)
        if context.args:
            number = context.args[0].strip().lstrip("#").lower()
            found = [d for d in draws if str(d.get("number", "")).lower() == number]
            if not found:
                await self.core.send(
                    update, render.text_lines(standing_s(lang, "unknown_draw", number=echo(number)))
                )
                return
            await self.core.send(update, why_draw(sub, found[0], lang))
            return
        explanation = filter_explanation(sub, lang, see_why=False)
        lines = render.text_lines(explanation or t(lang, "why_no_filter"))
        for draw in draws[:WHY_DRAWS]:
            kind = draw_type(draw.get("name"))
            line = render.draw_lines([draw], lang, feed_lang)[0]
            if wants_draw(sub, kind, draw.get("crs")):
                lines.append(t(lang, "why_passes", line=line))
                continue
            lines.append(t(lang, "why_filtered", line=line))
            lines.append(filtered_reason(sub, draw, lang))
        await self.core.send(update, lines)

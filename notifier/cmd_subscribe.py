"""Subscribers' settings: /start, /topics, /subscribe, /unsubscribe, /mysubs, /lang, /drawtypes,
/crs, /export, /stop, and the buttons of their messages (language, topics, draw types, menu)."""

from __future__ import annotations

import json
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from notifier import keyboards, render
from notifier.botcore import Button, Command, Core, answer_text, ascii_int
from notifier.cmd_draws import latest_draws
from notifier.drawtypes import DRAW_TYPES
from notifier.i18n import LANG_NAMES, LANGS, draw_type_label, t, topic_name
from notifier.standing import standing_lines
from storage import subscribers

CRS_MAX = 1200


def commands(core: Core) -> list[Command]:
    """The subscribers' settings commands."""
    s = Settings(core)
    return [
        Command("start", s.start, "Language and topics", "Langue et sujets"),
        Command("topics", s.topics, "Follow or unfollow topics", "Suivre ou ne plus suivre"),
        Command(
            "subscribe",
            s.subscribe,
            "Follow a topic",
            "Suivre un sujet",
            usage="/subscribe TOPIC",
            changes=True,
            menu=False,
        ),
        Command(
            "unsubscribe",
            s.unsubscribe,
            "Unfollow a topic",
            "Ne plus suivre un sujet",
            usage="/unsubscribe TOPIC",
            changes=True,
            menu=False,
        ),
        Command("mysubs", s.mysubs, "What you follow and your filters", "Vos abonnements"),
        Command(
            "drawtypes",
            s.drawtypes,
            "Express Entry draw types you hear about",
            "Types de rondes d'Entrée express",
        ),
        Command(
            "crs",
            s.crs,
            "Only draws with a cutoff of at most N, and where N stands; /crs off",
            "Seulement les rondes d'au plus N points, et où se situe N; /crs off",
            usage="/crs N",
            changes=True,
        ),
        Command(
            "lang",
            s.lang,
            "Language: en or fr",
            "Langue : en ou fr",
            usage="/lang en|fr",
            changes=True,
        ),
        Command("export", s.export, "Your data, as JSON", "Vos données, en JSON"),
        Command(
            "stop",
            s.stop,
            "Unsubscribe and delete your data",
            "Se désabonner et supprimer ses données",
            changes=True,
        ),
    ]


def buttons(core: Core) -> list[Button]:
    """Language, topic and draw-type toggles."""
    s = Settings(core)
    return [
        Button("lang:", s.on_lang, changes=True),
        Button("t:", s.on_topic, changes=True),
        Button("dt:", s.on_draw_type, changes=True),
    ]


def followed_text(lang: str, followed: list[str]) -> str:
    """ "You follow: Express Entry, …" in ``lang`` (escaped HTML)."""
    names = ", ".join(topic_name(lang, topic) for topic in followed) or t(lang, "nothing")
    return t(lang, "topics_prompt", topics=render.escape(names))


def types_text(lang: str, selected: set[str] | None) -> str:
    """The draw types a subscriber receives, by name."""
    if selected is None:
        return t(lang, "all_types")
    chosen = [draw_type_label(lang, k) for k in DRAW_TYPES if k in selected]
    return ", ".join(chosen) or t(lang, "nothing")


def _is_welcome(text: str | None) -> bool:
    """Whether a message is /start's welcome (in either language)."""
    return any(
        (text or "").startswith(render.plain(t(lang, "welcome").split("\n")[0])) for lang in LANGS
    )


class Settings:
    """The handlers; each reads and writes the subscriber through storage."""

    def __init__(self, core: Core) -> None:
        self.core = core

    @property
    def db(self) -> Any:
        return self.core.db

    def topic_arg(self, context: ContextTypes.DEFAULT_TYPE) -> str | None:
        return context.args[0].strip().lower() if context.args else None

    def topic_list(self, lang: str) -> str:
        return ", ".join(self.core.topic_names())

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Welcome, language choice and topic toggles, in one message."""
        sub = self.core.ensure(update)
        followed = subscribers.topics(self.db, sub["chat_id"])
        markup = keyboards.settings(self.core.topic_names(), followed, sub["lang"])
        lines = t(sub["lang"], "welcome").split("\n") + ["", followed_text(sub["lang"], followed)]
        await self.core.send(update, lines, markup)

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        followed = subscribers.topics(self.db, update.effective_chat.id)
        markup = keyboards.settings(self.core.topic_names(), followed, lang)
        await self.core.send(update, followed_text(lang, followed).split("\n"), markup)

    async def subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        topic = self.topic_arg(context)
        lang = self.core.lang_of(update)
        if topic is None:
            await self.core.say(update, "usage_subscribe", topics=self.topic_list(lang))
        elif topic not in self.core.topic_names():
            await self.core.say(update, "unknown_topic", topic=topic, topics=self.topic_list(lang))
        else:
            chat_id = self.core.ensure(update)["chat_id"]
            added = subscribers.subscribe(self.db, chat_id, topic)
            key = "subscribed" if added else "already_subscribed"
            await self.core.say(update, key, topic=topic_name(lang, topic))

    async def unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        topic = self.topic_arg(context)
        lang = self.core.lang_of(update)
        if topic is None:
            await self.core.say(update, "usage_unsubscribe", topics=self.topic_list(lang))
            return
        removed = subscribers.unsubscribe(self.db, update.effective_chat.id, topic)
        key = "unsubscribed" if removed else "not_subscribed"
        shown = topic_name(lang, topic) if topic in self.core.topic_names() else topic
        await self.core.say(update, key, topic=shown)

    async def mysubs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        sub = subscribers.get(self.db, update.effective_chat.id)
        followed = subscribers.topics(self.db, update.effective_chat.id)
        crs_max = sub["crs_max"] if sub else None
        crs = t(lang, "crs_any") if crs_max is None else t(lang, "crs_at_most", crs=crs_max)
        lines = t(
            lang,
            "mysubs",
            topics=render.escape(
                ", ".join(topic_name(lang, x) for x in followed) or t(lang, "nothing")
            ),
            types=render.escape(types_text(lang, sub["draw_types"] if sub else None)),
            crs=crs,
            language=LANG_NAMES[lang],
        ).split("\n")
        await self.core.send(update, lines)

    async def lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        choice = context.args[0].strip().lower() if context.args else ""
        if choice not in LANGS:
            await self.core.say(update, "usage_lang")
            return
        subscribers.set_lang(self.db, self.core.ensure(update)["chat_id"], choice)
        await self.core.say(update, "lang_set")

    async def drawtypes(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sub = self.core.ensure(update)
        text = t(
            sub["lang"],
            "drawtypes_prompt",
            types=render.escape(types_text(sub["lang"], sub["draw_types"])),
        )
        await self.core.send(
            update, text.split("\n"), keyboards.draw_types(sub["draw_types"], sub["lang"])
        )

    async def crs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        arg = context.args[0].strip().lower() if context.args else ""
        value = ascii_int(arg)
        if arg == "off":
            subscribers.set_crs_max(self.db, self.core.ensure(update)["chat_id"], None)
            await self.core.say(update, "crs_off")
        elif value is not None and 0 < value <= CRS_MAX:
            sub = self.core.ensure(update)
            subscribers.set_crs_max(self.db, sub["chat_id"], value)
            # Where that score stands, from the latest pool distribution and draws.
            lang = sub["lang"]
            draws = latest_draws(self.core, lang)
            lines = t(lang, "crs_set", crs=value).split("\n")
            if draws:
                lines += ["", *standing_lines(draws, value, sub["draw_types"], lang)]
            await self.core.send(update, lines)
        else:
            await self.core.say(update, "usage_crs")

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Everything the bot keeps about this chat, as a JSON file."""
        lang = self.core.lang_of(update)
        data = subscribers.export(self.db, update.effective_chat.id)
        if data is None:
            await self.core.say(update, "export_none")
            return
        body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        await update.effective_chat.send_document(
            body, filename="ircc-watch-export.json", caption=t(lang, "export_caption")
        )

    async def stop(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Unsubscribe from everything and erase the chat's data."""
        lang = self.core.lang_of(update)
        with self.db.atomic():
            subscribers.delete(self.db, update.effective_chat.id)
        await self.core.send(update, t(lang, "stopped").split("\n"))

    # -- buttons ------------------------------------------------------------------------------

    async def on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        choice = query.data.split(":", 1)[1]
        if choice not in LANGS:
            await query.answer(answer_text(t(self.core.lang_of(update), "button_stale")))
            return
        sub = self.core.ensure(update)
        subscribers.set_lang(self.db, sub["chat_id"], choice)
        await query.answer(LANG_NAMES[choice])
        followed = subscribers.topics(self.db, sub["chat_id"])
        await self.core.edit(
            update,
            f"{t(choice, 'lang_set')}\n\n{followed_text(choice, followed)}",
            keyboards.settings(self.core.topic_names(), followed, choice),
        )

    async def on_topic(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Toggle a topic; the message then says what the chat follows, and its buttons too."""
        query = update.callback_query
        topic = query.data.split(":", 1)[1]
        if topic not in self.core.topic_names():
            await query.answer(answer_text(t(self.core.lang_of(update), "button_stale")))
            return
        sub = self.core.ensure(update)
        lang = sub["lang"]
        key = "subscribed"
        if not subscribers.subscribe(self.db, sub["chat_id"], topic):
            subscribers.unsubscribe(self.db, sub["chat_id"], topic)
            key = "unsubscribed"
        await query.answer(answer_text(t(lang, key, topic=render.escape(topic_name(lang, topic)))))
        followed = subscribers.topics(self.db, sub["chat_id"])
        text = followed_text(lang, followed)
        if _is_welcome(query.message.text if query.message else None):
            # Tapped under /start's welcome: it stays, with what to do next.
            text = "\n".join([t(lang, "welcome"), "", text, "", t(lang, "next_step")])
        await self.core.edit(
            update, text, keyboards.settings(self.core.topic_names(), followed, lang)
        )

    async def on_draw_type(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        kind = query.data.split(":", 1)[1]
        if kind != keyboards.ALL_TYPES and kind not in DRAW_TYPES:
            await query.answer(answer_text(t(self.core.lang_of(update), "button_stale")))
            return
        sub = self.core.ensure(update)
        selected = keyboards.toggle_draw_type(sub["draw_types"], kind)
        subscribers.set_draw_types(self.db, sub["chat_id"], selected)
        await query.answer()
        if selected == sub["draw_types"]:
            return  # "All" tapped while already receiving all: nothing to redraw
        text = t(
            sub["lang"], "drawtypes_prompt", types=render.escape(types_text(sub["lang"], selected))
        )
        await self.core.edit(update, text, keyboards.draw_types(selected, sub["lang"]))

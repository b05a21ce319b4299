"""Processing times and IEC pools on request, and what a subscriber follows of them:
/ptime, /ptime country IN (or a country's name, English or French), /ptime programs,
/iec France wh, /iec off.

The figures come from the newest snapshot of the ``processing-times`` and ``iec-pools``
watches. Choosing countries, programs or pools also follows the matching topic, since
alerts are routed by topic first (notifier.routing, notifier.datarouting).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from diffing import ptime_names
from diffing.datamessages import CATEGORIES, fr_colon, ircc_date, ircc_value, pool_code, pool_name
from diffing.document import Document
from diffing.extract.processing_times import AS_OF_KEY, as_of
from notifier import datakinds, render
from notifier.botcore import Command, Core, echo
from storage import deliveries, preferences, snapshots, subscribers

PTIME_KIND, IEC_KIND = "processing-times", "iec-pools"
OFF = ("off", "none", "aucun", "aucune")

STRINGS: dict[str, tuple[str, str]] = {
    "none_yet": (
        "No processing times yet: IRCC's files have not been checked.",
        "Pas encore de délais : les fichiers d’IRCC n’ont pas encore été consultés.",
    ),
    "header": ("Processing times (IRCC)", "Délais de traitement (IRCC)"),
    "as_of": ("as of {date}", "au {date}"),
    "yours": ("Your countries", "Vos pays"),
    "hint": (
        "Choose: /ptime country IN (or a name), /ptime programs, /ptime min 2w",
        "Choisir : /ptime country IN (ou un nom), /ptime programs, /ptime min 2w",
    ),
    "usage_country": (
        "Usage: /ptime country IN (a code or a name, such as India or Inde); /ptime country off",
        "Usage : /ptime country IN (un code ou un nom, comme Inde ou India); /ptime country off",
    ),
    "unknown_country": (
        "No country “{text}” in IRCC's processing times. {usage}",
        "Aucun pays « {text} » dans les délais d’IRCC. {usage}",
    ),
    "countries_now": ("You follow: {names}", "Vous suivez : {names}"),
    "countries_off": (
        "No countries chosen: country alerts come whole.",
        "Aucun pays choisi : les alertes par pays arrivent entières.",
    ),
    "programs_list": (
        "Programs (send /ptime programs KEY …, or /ptime programs off for all):",
        "Programmes (envoyez /ptime programs CLÉ …, ou /ptime programs off pour tous) :",
    ),
    "programs_now": ("You follow: {names}", "Vous suivez : {names}"),
    "programs_all": ("You follow every program.", "Vous suivez tous les programmes."),
    "unknown_program": (
        "Unknown program key: {keys}. Send /ptime programs for the list.",
        "Clé inconnue : {keys}. Envoyez /ptime programs pour la liste.",
    ),
    "unknown_programs": (
        "Unknown program keys: {keys}. Send /ptime programs for the list.",
        "Clés inconnues : {keys}. Envoyez /ptime programs pour la liste.",
    ),
    "usage_iec": (
        "Usage: /iec COUNTRY CATEGORY (wh, yp or coop), such as /iec France wh; /iec off",
        "Usage : /iec PAYS CATÉGORIE (wh, yp ou coop), comme /iec France wh; /iec off",
    ),
    "iec_none": (
        "You follow no IEC pool. {usage}",
        "Vous ne suivez aucun bassin EIC. {usage}",
    ),
    "iec_unknown": (
        "No IEC pool “{text}” in IRCC's file. {usage}",
        "Aucun bassin EIC « {text} » dans le fichier d’IRCC. {usage}",
    ),
    "iec_follow": (
        "You now follow {pool}: its invitation figures reach you each week.",
        "Vous suivez maintenant {pool} : ses chiffres d’invitations vous parviennent chaque "
        "semaine.",
    ),
    "iec_already": ("You already follow {pool}.", "Vous suivez déjà {pool}."),
    "iec_off": (
        "You follow no IEC pool any more (new round dates and quotas still reach IEC subscribers).",
        "Vous ne suivez plus aucun bassin EIC (les dates de ronde et les quotas parviennent "
        "toujours aux abonnés EIC).",
    ),
    "iec_yours": ("Your IEC pools", "Vos bassins EIC"),
    "min_default": (
        "Processing-time moves of at least one week or 10 % reach you at once; smaller ones "
        "come in a weekly summary on Mondays. Change it: /ptime min 2w, /ptime min 15%, "
        "/ptime min 0 (every move at once).",
        "Les variations de délai d’au moins une semaine ou 10 % vous parviennent tout de suite; "
        "les plus petites, dans un résumé chaque lundi. Pour changer : /ptime min 2w, "
        "/ptime min 15%, /ptime min 0 (toutes tout de suite).",
    ),
    "min_now": (
        "Processing-time moves of at least {limit} reach you at once; smaller ones come in a "
        "weekly summary on Mondays. /ptime min default goes back to one week or 10 %.",
        "Les variations de délai d’au moins {limit} vous parviennent tout de suite; les plus "
        "petites, dans un résumé chaque lundi. /ptime min default revient à une semaine ou 10 %.",
    ),
    "min_all": (
        "Every processing-time move reaches you at once.",
        "Toutes les variations de délai vous parviennent tout de suite.",
    ),
    "usage_min": (
        "Usage: /ptime min 2w (days d, weeks w, months m), /ptime min 10%, /ptime min 0, "
        "/ptime min default",
        "Utilisation : /ptime min 2w (jours j, semaines s, mois m), /ptime min 10%, "
        "/ptime min 0, /ptime min default",
    ),
}


def min_text(setting: str | None, lang: str) -> str:
    """What a subscriber's /ptime min means, in words."""
    if setting is None:
        return s(lang, "min_default")
    days, percent = datakinds.parse_min(setting) or (None, None)
    if days == 0:
        return s(lang, "min_all")
    if percent is not None:
        return s(lang, "min_now", limit=f"{percent:g}\u00a0%")
    unit = {"en": "days", "fr": "jours"}[lang if lang == "fr" else "en"]
    return s(lang, "min_now", limit=f"{days:g} {unit}")


def s(lang: str, key: str, **values: Any) -> str:
    """One of this module's strings in ``lang``, ``values`` substituted (already escaped)."""
    en, fr = STRINGS[key]
    return (fr if lang == "fr" else en).format(**values)


def commands(core: Core) -> list[Command]:
    """/ptime and /iec."""
    p = DataCommands(core)
    return [
        Command(
            "ptime",
            p.ptime,
            "Processing times you follow; /ptime country IN, /ptime programs",
            "Délais de traitement suivis; /ptime country IN, /ptime programs",
            usage="/ptime",
            changes=True,
        ),
        Command(
            "iec",
            p.iec,
            "Follow an IEC pool's invitations: /iec France wh; /iec off",
            "Suivre les invitations d'un bassin EIC : /iec France wh; /iec off",
            usage="/iec COUNTRY CATEGORY",
            changes=True,
        ),
    ]


def latest_records(core: Core, kind: str) -> list[dict[str, dict[str, Any]]]:
    """The records of the newest snapshot of every watch of ``kind``."""
    out = []
    for watch in core.config.watches:
        if watch.kind != kind:
            continue
        snapshot = snapshots.latest(core.db, watch.name)
        if snapshot is not None:
            out.append(Document.from_json(snapshots.document_json(snapshot)).records)
    return out


class DataCommands:
    """The handlers."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def reply(self, update: Update, lang: str, *texts: str) -> None:
        lines = [line for text in texts for line in render.text_lines(text)]
        await self.core.send(update, lines)

    def follow_topic(self, update: Update, kind: str) -> dict[str, Any]:
        """The chat's subscriber row, following the topic of the ``kind`` watches."""
        sub = self.core.ensure(update)
        for watch in self.core.config.watches:
            if watch.kind == kind:
                subscribers.subscribe(self.core.db, sub["chat_id"], watch.topic)
        return sub

    # -- /ptime ---------------------------------------------------------------------------

    async def ptime(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        args = [a.strip() for a in context.args or [] if a.strip()]
        if args and args[0].lower() in ("country", "pays"):
            await self.country(update, lang, " ".join(args[1:]))
        elif args and args[0].lower() in ("programs", "programmes", "program"):
            await self.programs(update, lang, args[1:])
        elif args and args[0].lower() == "min":
            await self.minimum(update, lang, " ".join(args[1:]))
        else:
            await self.show(update, lang)

    async def show(self, update: Update, lang: str) -> None:
        documents = latest_records(self.core, PTIME_KIND)
        if not documents:
            await self.reply(update, lang, s(lang, "none_yet"))
            return
        chat = update.effective_chat.id
        chosen = preferences.programs(self.core.db, chat)
        countries = preferences.countries(self.core.db, chat)
        lines = [f"<b>{render.escape(s(lang, 'header'))}</b>"]
        mine: list[str] = []
        for records in documents:
            dates = records.get(AS_OF_KEY, {}).get("dates", {})
            for key, record in records.items():
                if key == AS_OF_KEY or (chosen and record["group"] not in chosen):
                    continue
                name = ptime_names.name(record["program"], lang)
                value = ircc_value(record["value"], lang)
                when = ircc_date(as_of(dates, record["group"], record["program"]), lang)
                text = f"{name}: {value}" + (f" ({s(lang, 'as_of', date=when)})" if when else "")
                if "country" not in record:
                    lines += render.text_lines(text)
                elif record["country"] in countries:
                    country = ptime_names.country_name(record["country"], lang)
                    mine += render.text_lines(f"{country} — {text}")
        if mine:
            lines += ["", f"<b>{render.escape(s(lang, 'yours'))}</b>", *mine]
        lines += ["", *render.text_lines(s(lang, "hint"))]
        await self.core.send(update, [_fr(line, lang) for line in lines])

    async def minimum(self, update: Update, lang: str, text: str) -> None:
        """/ptime min 2w, /ptime min 10%, /ptime min 0 (every move at once), /ptime min default."""
        sub = self.follow_topic(update, PTIME_KIND)
        chat = sub["chat_id"]
        if text:
            value = text.replace(" ", "").lower()
            if value in ("default", "défaut", "defaut"):
                preferences.set_min_move(self.core.db, chat, None)
            elif datakinds.parse_min(value) is None:
                await self.reply(update, lang, s(lang, "usage_min"))
                return
            else:
                preferences.set_min_move(self.core.db, chat, value)
            deliveries.release_held(self.core.db, chat)  # decided again under the new setting
        await self.reply(update, lang, min_text(preferences.min_move(self.core.db, chat), lang))

    def codes(self) -> set[str]:
        return {
            record["country"]
            for records in latest_records(self.core, PTIME_KIND)
            for record in records.values()
            if "country" in record
        }

    async def country(self, update: Update, lang: str, text: str) -> None:
        usage = s(lang, "usage_country")
        if not text:
            await self.reply(update, lang, usage)
            return
        sub = self.follow_topic(update, PTIME_KIND)
        chat = sub["chat_id"]
        if text.lower() in OFF:
            preferences.set_countries(self.core.db, chat, set())
            await self.reply(update, lang, s(lang, "countries_off"))
            return
        known = self.codes() or None
        code = ptime_names.find_country(text, known)
        if code is None:
            await self.reply(update, lang, s(lang, "unknown_country", text=echo(text), usage=usage))
            return
        chosen = preferences.countries(self.core.db, chat) | {code}
        preferences.set_countries(self.core.db, chat, chosen)
        names = ", ".join(ptime_names.country_name(c, lang) for c in sorted(chosen))
        await self.reply(update, lang, _fr(s(lang, "countries_now", names=names), lang))

    async def programs(self, update: Update, lang: str, keys: list[str]) -> None:
        groups = self.groups()
        if not keys:
            chosen = preferences.programs(self.core.db, update.effective_chat.id)
            listing = [f"{key} – {ptime_names.name(key, lang)}" for key in groups]
            now = (
                s(lang, "programs_now", names=", ".join(sorted(chosen)))
                if chosen
                else s(lang, "programs_all")
            )
            await self.reply(update, lang, _fr(now, lang), s(lang, "programs_list"), *listing)
            return
        sub = self.follow_topic(update, PTIME_KIND)
        if keys[0].lower() in OFF:
            preferences.set_programs(self.core.db, sub["chat_id"], set())
            await self.reply(update, lang, s(lang, "programs_all"))
            return
        unknown = [k for k in keys if k not in groups]
        if unknown:
            shown = ", ".join(echo(k) for k in unknown)
            key = "unknown_program" if len(unknown) == 1 else "unknown_programs"
            await self.reply(update, lang, s(lang, key, keys=shown))
            return
        preferences.set_programs(self.core.db, sub["chat_id"], set(keys))
        names = ", ".join(ptime_names.name(k, lang) for k in sorted(set(keys)))
        await self.reply(update, lang, _fr(s(lang, "programs_now", names=names), lang))

    def groups(self) -> list[str]:
        """The program groups of the files, in file order (the names module's when unchecked)."""
        seen: dict[str, None] = {}
        for records in latest_records(self.core, PTIME_KIND):
            for key, record in records.items():
                if key != AS_OF_KEY:
                    seen.setdefault(record["group"], None)
        return list(seen)

    # -- /iec -----------------------------------------------------------------------------

    async def iec(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        args = [a.strip() for a in context.args or [] if a.strip()]
        usage = s(lang, "usage_iec")
        pools = {
            k: r
            for records in latest_records(self.core, IEC_KIND)
            for k, r in records.items()
            if "code" in r
        }
        chat = update.effective_chat.id
        if not args:
            await self.list_pools(update, lang, pools, usage)
            return
        if args[0].lower() in OFF:
            preferences.clear_pools(self.core.db, chat)
            await self.reply(update, lang, s(lang, "iec_off"))
            return
        category = args[-1].lower()
        text = " ".join(args[:-1])
        if category not in CATEGORIES or not text:
            await self.reply(update, lang, usage)
            return
        code = pool_code(text, pools)
        if code is None or (pools and f"{code}/{category}" not in pools):
            shown = echo(" ".join(args))
            await self.reply(update, lang, s(lang, "iec_unknown", text=shown, usage=usage))
            return
        record = pools.get(f"{code}/{category}", {"code": code, "category": category})
        sub = self.follow_topic(update, IEC_KIND)
        added = preferences.follow_pool(self.core.db, sub["chat_id"], code, category)
        name = pool_name(record, lang)
        await self.reply(update, lang, s(lang, "iec_follow" if added else "iec_already", pool=name))

    async def list_pools(
        self, update: Update, lang: str, pools: dict[str, dict[str, Any]], usage: str
    ) -> None:
        followed = preferences.pools(self.core.db, update.effective_chat.id)
        if not followed:
            await self.reply(update, lang, s(lang, "iec_none", usage=usage))
            return
        lines = [f"<b>{render.escape(s(lang, 'iec_yours'))}</b>"]
        for code, category in sorted(followed):
            record = pools.get(f"{code}/{category}", {"code": code, "category": category})
            facts = [
                f"{ircc_value(record.get(name), lang)} {label}"
                for name, label in _POOL_FIGURES[lang]
                if record.get(name) is not None
            ]
            text = (
                f"{pool_name(record, lang)}: {', '.join(facts)}"
                if facts
                else pool_name(record, lang)
            )
            lines += render.text_lines(_fr(text, lang))
        await self.core.send(update, lines)


_POOL_FIGURES = {
    "en": [("invitations", "invitations"), ("candidates", "candidates"), ("spots", "spots left")],
    "fr": [
        ("invitations", "invitations"),
        ("candidates", "candidats"),
        ("spots", "places restantes"),
    ],
}


def _fr(text: str, lang: str) -> str:
    """French puts a space before a colon."""
    return fr_colon(text, lang)

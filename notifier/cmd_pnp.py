"""/pnp: the latest draw of each provincial program the chat follows, in its language.

Read from the newest snapshot of each ``pnp-updates`` watch whose topic the chat follows
(following "pnp" means every province): its newest entry that states invitations (a draw),
else its newest entry. One line per province: date, stream, invitations, score, link.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from diffing.document import Document
from diffing.messages import describe
from notifier import render
from notifier.botcore import Command, Core
from settings import Watch, topic_family
from storage import snapshots, subscribers

PNP_KIND = "pnp-updates"

STRINGS: dict[str, tuple[str, str]] = {
    "header": (
        "Latest provincial nominee draws",
        "Dernières invitations des programmes des candidats des provinces",
    ),
    "none_followed": (
        "You follow no provincial program yet: choose yours with /topics.",
        "Vous ne suivez encore aucun programme provincial : choisissez-le avec /topics.",
    ),
    "none_yet": (
        "No draw is known yet for the provinces you follow.",
        "Aucune invitation n'est encore connue pour les provinces que vous suivez.",
    ),
}


def s(lang: str, key: str) -> str:
    en, fr = STRINGS[key]
    return fr if lang == "fr" else en


def commands(core: Core) -> list[Command]:
    """The /pnp command."""
    return [
        Command(
            "pnp",
            Pnp(core).latest,
            "Latest draw of each province you follow",
            "Dernière invitation de chaque province suivie",
        )
    ]


def followed_watches(core: Core, topics: list[str]) -> list[Watch]:
    """The ``pnp-updates`` watches whose topic (or its family) is one of ``topics``."""
    wanted = set(topics)
    return [
        watch
        for watch in core.config.watches
        if watch.kind == PNP_KIND and wanted & set(topic_family(watch.topic))
    ]


def latest_entry(core: Core, watch: Watch) -> dict[str, Any] | None:
    """The newest draw (an entry stating invitations) of the watch's newest snapshot, else its
    newest entry; None before the first check."""
    snapshot = snapshots.latest(core.db, watch.name)
    if snapshot is None:
        return None
    records = list(Document.from_json(snapshots.document_json(snapshot)).records.values())
    draws = [r for r in records if r.get("invitations") is not None] or records
    if not draws:
        return None
    newest = max(draws, key=lambda r: (r.get("date") or "", r.get("invitations") or 0))
    return {**newest, "url": watch.url}


class Pnp:
    """The handler."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = self.core.lang_of(update)
        topics = subscribers.topics(self.core.db, update.effective_chat.id)
        watches = followed_watches(self.core, topics)
        if not watches:
            await self.core.send(update, [render.escape(s(lang, "none_followed"))])
            return
        lines = []
        for watch in watches:
            entry = latest_entry(self.core, watch)
            if entry is None:
                continue
            title, summary = describe("pnp_update", entry, lang)
            first = summary.splitlines()[0] if summary else ""
            lines.append(
                f"<b>{render.escape(title)}</b>\n{render.escape(first)} "
                f"{render.link(entry['url'], '↗')}"
            )
        if not lines:
            await self.core.send(update, [render.escape(s(lang, "none_yet"))])
            return
        await self.core.send(update, [f"<b>{render.escape(s(lang, 'header'))}</b>", *lines])

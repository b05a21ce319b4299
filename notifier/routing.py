"""Who receives a change: maintainers everything, admins their alerts (each in their language),
channels and subscribers their topics (channels first: one post reaches every reader at once).

Called by the pipeline inside its transaction, so it only reads, with short synchronous queries.

Languages: the same information is often watched in both languages (the English and French
rounds feeds, a page and its twin). A subscriber gets a change from a watch in their own
language, or from a watch that has no counterpart in their language: its twin (settings.twins)
for a page, else a watch of the same topic and kind; so a French subscriber gets each draw
once, from the French feed, a page's change from its French twin when that changes (IRCC
often publishes French later: never the English change first and the French one again), and
still hears about English-only pages.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from notifier import datakinds
from notifier.drawtypes import DRAW_TYPES, draw_type
from notifier.i18n import draw_type_label, t
from settings import Config, topic_family
from settings.twins import twin_of
from storage import records, subscribers

Recipient = tuple[int | str, str, str]
DRAW_KINDS = ("new_draw", "draw_corrected")


def recipients_for(
    db: sqlite_utils.Database, config: Config, change: dict[str, Any]
) -> list[Recipient]:
    """(chat_id, lang, role) for every chat that must receive ``change``: maintainers, admins,
    channels (role "channel", chat id as configured: an int or "@username"), subscribers."""
    telegram = config.telegram
    out: list[Recipient] = []
    if telegram is not None:
        out += [(chat, "en", "maintainer") for chat in telegram.maintainers]
        if change["audience"] == "admins":
            out += [(user, telegram.admin_lang(user), "admin") for user in telegram.admins]
    if change["audience"] != "subscribers":
        return out
    draw = _draw_facts(db, change) if change["kind"] in DRAW_KINDS else None
    family = topic_family(change["topic"])
    for channel in config.channels:
        if not any(topic in channel.topics for topic in family):
            continue
        if not in_language(config, change["watch"], channel.lang):
            continue
        wanted = {"draw_types": channel.draw_types, "crs_max": None}
        if draw is not None and not wants_draw(wanted, *draw):
            continue
        if not datakinds.channel_wants(change):
            continue
        out.append((channel.chat_id, channel.lang, "channel"))
    for sub in subscribers.following(db, *family):
        if not in_language(config, change["watch"], sub["lang"]):
            continue
        if draw is not None and not wants_draw(sub, *draw):
            continue
        if not datakinds.wants(db, sub["chat_id"], change):
            continue
        out.append((sub["chat_id"], sub["lang"], "subscriber"))
    return out


def in_language(config: Config, watch_name: str, lang: str) -> bool:
    """Whether a ``lang`` reader should hear about changes of this watch (see module doc)."""
    try:
        watch = config.watch(watch_name)
    except KeyError:
        return True
    if watch.lang == lang:
        return True
    twin = twin_of(config, watch_name)
    if twin is not None:
        return twin.lang != lang
    return not any(
        w.lang == lang
        and w.topic == watch.topic
        and w.kind == watch.kind
        and twin_of(config, w.name) is None
        for w in config.watches
    )


def wants_draw(subscriber: dict[str, Any], kind: str, crs: int | None) -> bool:
    """The subscriber's /drawtypes and /crs filters applied to a draw of this type and cutoff."""
    types = subscriber.get("draw_types")
    if types is not None and kind not in types:
        return False
    crs_max = subscriber.get("crs_max")
    return crs_max is None or crs is None or crs <= crs_max


def filter_explanation(
    subscriber: dict[str, Any], lang: str, *, see_why: bool = True
) -> str | None:
    """One line saying which draw filters the subscriber has ("Your filters: …"), or None;
    ``see_why`` adds "See /why." (not in /why's own answer)."""
    parts = []
    types = subscriber.get("draw_types")
    if types is not None:
        names = ", ".join(draw_type_label(lang, k) for k in DRAW_TYPES if k in types)
        parts.append(t(lang, "filter_types", types=names or t(lang, "nothing")))
    if subscriber.get("crs_max") is not None:
        parts.append(t(lang, "filter_crs", crs=subscriber["crs_max"]))
    if not parts:
        return None
    return t(lang, "filters_line" if see_why else "why_filters", filters="; ".join(parts))


def _draw_facts(db: sqlite_utils.Database, change: dict[str, Any]) -> tuple[str, int | None]:
    """(draw type, CRS cutoff) of the draw a change is about.

    A correction carries only the fields that changed, so the rest comes from the stored record.
    """
    data = change.get("data") or {}
    if change["kind"] == "new_draw":
        return draw_type(data.get("name")), data.get("crs")
    record = records.known(db, change["watch"]).get(str(data.get("number")), {})
    fields = data.get("changes") or {}
    name = fields["name"][1] if "name" in fields else data.get("name") or record.get("name")
    crs = fields["crs"][1] if "crs" in fields else record.get("crs")
    return draw_type(name), crs

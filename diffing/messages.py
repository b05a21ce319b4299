"""Titles and one-to-three-line summaries of changes, in English and French.

Written from the change's records, never from raw diff lines. Plain text: whoever puts
it in HTML (Telegram, the review page) escapes it there.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from diffing.formats import MONTHS, fmt_date, fmt_int, fmt_moment, french_spacing, plural
from diffing.wordmarks import mark_words, strip_marks

__all__ = ["MONTHS", "describe", "fmt_date", "fmt_int"]
from diffing.dates import first_date

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

FIELD_NAMES = {
    "en": {
        "size": "invitations",
        "crs": "CRS cutoff",
        "cutoff": "tie-breaking rule",
        "date": "date",
        "name": "draw type",
        "programs": "programs",
        "date_full": "date",
    },
    "fr": {
        "size": "invitations",
        "crs": "note minimale du SCG",
        "cutoff": "règle de départage",
        "date": "date",
        "name": "type de ronde",
        "programs": "programmes",
        "date_full": "date",
    },
}


def describe(
    kind: str, data: dict[str, Any], lang: str = "en", *, marked: bool = False
) -> tuple[str, str]:
    """(title, summary) for a change of ``kind`` with ``data``, in ``lang``.

    ``marked``: keep the marks around the changed words of an edited sentence
    (diffing.wordmarks), for a reader that shows them (Telegram); plain text otherwise.
    """
    lang = lang if lang in ("en", "fr") else "en"
    render = RENDERERS.get(kind, _generic)
    title, summary = render(data, lang)
    if lang == "fr":
        title, summary = french_spacing(title), french_spacing(summary)
    if marked:
        return title, summary
    return strip_marks(title), strip_marks(summary)


def draw_day(written: str, full: str = "") -> str | None:
    """A draw's day as an ISO date: from the feed's ``drawDateFull`` ("April 12, 2023") where
    it reads, else from ``drawDate`` when that is ISO; None when neither reads unambiguously
    (IRCC once published ``drawDate`` "12-04-2023", day first)."""
    found = first_date(full) if full else None
    if found:
        return found[0]
    if _ISO_DAY.fullmatch(written or ""):
        try:
            return date.fromisoformat(written).isoformat()
        except ValueError:
            return None
    return None


def draw_date(d: dict[str, Any], lang: str = "en") -> str:
    """A draw's date written out ("April 12, 2023" / "12 avril 2023"); a date that cannot be
    read unambiguously is shown as written, with the feed's other date field beside it."""
    written, full = str(d.get("date") or ""), str(d.get("date_full") or "")
    day = draw_day(written, full)
    if day:
        return fmt_date(day, lang)
    return f"{written} ({full})" if full and full != written else written


def draw_date_note(d: dict[str, Any]) -> str | None:
    """What a maintainer should know about a draw's dates: ``drawDate`` not ISO, or saying
    another day than ``drawDateFull``; None when they agree."""
    written, full = str(d.get("date") or ""), str(d.get("date_full") or "")
    iso = draw_day(written)
    day = draw_day(written, full)
    if iso and (day is None or day == iso):
        return None
    if day is None:
        return f"drawDate {written!r} and drawDateFull {full!r}: no unambiguous date"
    if iso is None:
        return f"drawDate {written!r} is not ISO; the day told is drawDateFull's {full!r}"
    return f"drawDate {written!r} and drawDateFull {full!r} disagree; drawDateFull's day told"


def _new_draw(d: dict[str, Any], lang: str) -> tuple[str, str]:
    size, crs, when = fmt_int(d.get("size"), lang), fmt_int(d.get("crs"), lang), draw_date(d, lang)
    if lang == "fr":
        return (
            f"Entrée express : ronde n° {d['number']} – {d.get('name', '')}",
            f"{size} invitations, note minimale du SCG {crs} ({when}).",
        )
    return (
        f"Express Entry draw #{d['number']}: {d.get('name', '')}",
        f"{size} invitations, minimum CRS {crs} ({when}).",
    )


def _draw_corrected(d: dict[str, Any], lang: str) -> tuple[str, str]:
    names = FIELD_NAMES[lang]
    if d.get("removed"):
        if lang == "fr":
            return (
                f"Entrée express : ronde n° {d['number']} retirée du fil",
                "La ronde n'apparaît plus dans le fil officiel des rondes d'invitations.",
            )
        return (
            f"Express Entry draw #{d['number']} withdrawn from the feed",
            "The round no longer appears in the official rounds feed.",
        )
    parts = []
    for name, (old, new) in d.get("changes", {}).items():
        label = names.get(name, name.rsplit(".", 1)[-1])
        if isinstance(old, int) or isinstance(new, int):
            old, new = fmt_int(old, lang), fmt_int(new, lang)
        parts.append(f"{label}{' : ' if lang == 'fr' else ': '}{old} → {new}")
    body = "; ".join(parts[:3]) + (" …" if len(parts) > 3 else "")
    if lang == "fr":
        return (f"Entrée express : ronde n° {d['number']} corrigée", body)
    return (f"Express Entry draw #{d['number']} corrected", body)


def _news(d: dict[str, Any], lang: str) -> tuple[str, str]:
    when = fmt_date(d.get("published", ""), lang)
    prefix = _news_source(d, lang)
    return (
        f"{prefix}: {d.get('title', '')}" if lang == "en" else f"{prefix} : {d.get('title', '')}",
        f"{when}\n{d.get('url', '')}".strip(),
    )


def _news_source(d: dict[str, Any], lang: str) -> str:
    """Whose news it is: IRCC's for its canada.ca releases (and canada.ca entries of an
    unnamed feed), else the feed's own name, else the entry's site, else just "News"."""
    parts = urlsplit(d.get("url", ""))
    host = (parts.hostname or "").removeprefix("www.")
    canada = host == "canada.ca" or host.endswith(".canada.ca")
    ircc = re.search(r"/immigration-refug(?:ees-citizenship|ies-citoyennete)/", parts.path)
    if canada and (ircc or not d.get("feed")):
        return "Nouvelles d'IRCC" if lang == "fr" else "IRCC news"
    if d.get("feed"):
        return d["feed"]
    if host:
        return f"Nouvelles ({host})" if lang == "fr" else f"News ({host})"
    return "Nouvelles" if lang == "fr" else "News"


def clean(sentence: str | None) -> str:
    """A sentence as people read it: without the list marker ("- be between…") it was
    stored with."""
    text = (sentence or "").strip()
    while text.startswith(("- ", "+ ")) and len(text) > 2:
        text = text[2:].lstrip()
    return text


WORDS = {
    "en": {
        "before": "Before",
        "after": "After",
        "added": "Added",
        "removed": "Removed",
        "renamed": "Section renamed, formerly “{old}”",
    },
    "fr": {
        "before": "Avant",
        "after": "Après",
        "added": "Ajouté",
        "removed": "Retiré",
        "renamed": "Section renommée, auparavant « {old} »",
    },
}
EDITS_SHOWN = 3


def edit_lines(
    edits: list[dict[str, Any]], lang: str, shown: int = EDITS_SHOWN, total: int | None = None
) -> list[str]:
    """Each edit as people read it, under its section path when that changes: "Before: …" and
    "After: …" with the changed words marked, or "Added: …" / "Removed: …"; then how many
    more edits the page has."""
    words, colon = WORDS[lang], " : " if lang == "fr" else ": "
    lines: list[str] = []
    section = None
    for edit in edits[:shown]:
        if edit.get("section") and edit.get("section") != section:
            section = edit["section"]
            lines.append(section)
        if edit.get("renamed_from"):
            lines.append(words["renamed"].format(old=edit["renamed_from"]))
        before, after = clean(edit.get("before")), clean(edit.get("after"))
        if before and after:
            before, after = mark_words(before, after)
            lines.append(f"{words['before']}{colon}{before}")
            lines.append(f"{words['after']}{colon}{after}")
        elif after:
            lines.append(f"{words['added']}{colon}{after}")
        elif before:
            lines.append(f"{words['removed']}{colon}{before}")
    more = max(len(edits), total or 0) - shown
    if more > 0:
        if lang == "fr":
            lines.append(
                f"Et {plural(more, 'autre modification', 'autres modifications', lang)} "
                "sur la page."
            )
        else:
            lines.append(f"And {plural(more, 'more change', 'more changes')} on the page.")
    return lines


def _page_change(d: dict[str, Any], lang: str) -> tuple[str, str]:
    page = d.get("page") or d.get("watch", "")
    title = f"Page modifiée : {page}" if lang == "fr" else f"Page changed: {page}"
    if d.get("edits"):
        return title, _lines(*edit_lines(d["edits"], lang, total=d.get("edit_count")))
    edits = _excerpt_edits(d)
    if not any(edits):
        # Field changes of a feed entry ("url: … → …"), told as they are.
        return title, _lines(*(d.get("excerpt") or "").splitlines()[:EDITS_SHOWN])
    return title, _lines(*edit_lines(edits, lang))


def _excerpt_edits(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The edits of a page_change stored before edits were kept: its excerpt's "+"/"-" lines
    (the first one under its section), then the ones its counts say it had beyond them."""
    edits: list[dict[str, Any]] = []
    sections = [name for name in d.get("sections", []) if name]
    for line in (d.get("excerpt") or "").splitlines():
        if line.startswith("+ "):
            edits.append({"after": line[2:]})
        elif line.startswith("- "):
            edits.append({"before": line[2:]})
    if edits and sections:
        edits[0]["section"] = sections[0]
    total = int(d.get("added") or 0) + int(d.get("removed") or 0)
    return edits + [{}] * max(0, total - len(edits))


def _rule_change(d: dict[str, Any], lang: str) -> tuple[str, str]:
    page, section = d.get("page", ""), d.get("section", "")
    if page == section:
        page = ""
    befores = [clean(line) for line in str(d.get("before") or "").splitlines() if clean(line)]
    afters = [clean(line) for line in str(d.get("after") or "").splitlines() if clean(line)]
    edits = [{"before": b, "after": a} for b, a in zip(befores, afters, strict=False)]
    edits += [{"before": b} for b in befores[len(afters) :]]
    edits += [{"after": a} for a in afters[len(befores) :]]
    if d.get("renamed_from") and edits:
        edits[0]["renamed_from"] = d["renamed_from"]
    lines = edit_lines(edits, lang) or ["—"]
    if lang == "fr":
        return (
            f"Règle modifiée : {page} – {section}" if page else f"Règle modifiée : {section}",
            _lines(*lines),
        )
    return (
        f"Rule changed: {page} – {section}" if page else f"Rule changed: {section}",
        _lines(*lines),
    )


def _new_category(d: dict[str, Any], lang: str) -> tuple[str, str]:
    occupations = d.get("occupations", [])
    listed = _occupations(occupations)
    if lang == "fr":
        body = (
            f"{plural(len(occupations), 'profession admissible', 'professions admissibles', 'fr')}"
            f" : {listed}"
            if occupations
            else "Catégorie sans liste de professions."
        )
        return f"Nouvelle catégorie d’Entrée express : {d.get('name', '')}", _lines(body)
    body = (
        f"{plural(len(occupations), 'eligible occupation', 'eligible occupations')}: {listed}"
        if occupations
        else "A category without an occupation list."
    )
    return f"New Express Entry category: {d.get('name', '')}", _lines(body)


def _category_removed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Catégorie d’Entrée express retirée : {d.get('name', '')}",
            _lines("Elle ne figure plus parmi les catégories des rondes."),
        )
    return (
        f"Express Entry category removed: {d.get('name', '')}",
        _lines("It is no longer listed among the categories for rounds."),
    )


def _occupations_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    added, removed = d.get("added", []), d.get("removed", [])
    parts = []
    if d.get("renamed_from"):
        return _category_renamed(d, lang)
    if lang == "fr":
        if added:
            parts.append(f"Ajout : {_occupations(added)}")
        if removed:
            parts.append(f"Retrait : {_occupations(removed)}")
        return (
            f"Catégorie d’Entrée express modifiée : {d.get('category', '')}",
            _lines(*parts),
        )
    if added:
        parts.append(f"Added: {_occupations(added)}")
    if removed:
        parts.append(f"Removed: {_occupations(removed)}")
    return f"Express Entry category changed: {d.get('category', '')}", _lines(*parts)


def _category_renamed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    """A category that replaced another under a new name (most occupations kept)."""
    added, removed, name = d.get("added", []), d.get("removed", []), d.get("category", "")
    if lang == "fr":
        parts = [f"Auparavant : {d['renamed_from']}"]
        parts += [f"Ajout : {_occupations(added)}"] if added else []
        parts += [f"Retrait : {_occupations(removed)}"] if removed else []
        return f"Catégorie d’Entrée express renommée : {name}", _lines(*parts)
    parts = [f"Formerly: {d['renamed_from']}"]
    parts += [f"Added: {_occupations(added)}"] if added else []
    parts += [f"Removed: {_occupations(removed)}"] if removed else []
    return f"Express Entry category renamed: {name}", _lines(*parts)


def _row_added(d: dict[str, Any], lang: str) -> tuple[str, str]:
    return _row(d, lang, "ajout" if lang == "fr" else "added")


def _row_removed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    return _row(d, lang, "retrait" if lang == "fr" else "removed")


def _row(d: dict[str, Any], lang: str, verb: str) -> tuple[str, str]:
    rows, columns = d.get("rows", []), d.get("columns", [])
    table = d.get("table") or d.get("page", "")
    labels = [" ".join(cells[:2]) for cells in rows]
    if len(rows) == 1:
        cells = rows[0]
        rest = "; ".join(
            f"{columns[i]}: {value}" if i < len(columns) and columns[i] else value
            for i, value in enumerate(cells[2:], start=2)
            if value
        )
        if lang == "fr":
            return f"{table} : {verb} de « {labels[0]} »", _lines(rest)
        return f"{table}: {verb} “{labels[0]}”", _lines(rest)
    count = fmt_int(len(rows), lang)
    listed = _one_line("; ".join(labels))
    if lang == "fr":
        return f"{table} : {verb} de {count} lignes", _lines(listed)
    return f"{table}: {count} rows {verb}", _lines(listed)


def _new_event(d: dict[str, Any], lang: str) -> tuple[str, str]:
    when = fmt_range(d.get("date", ""), d.get("end"), lang) or d.get("when", "")
    where = d.get("place", "")
    if lang == "fr":
        return (
            f"Nouvel événement de recrutement : {d.get('title', '')}",
            _lines(f"{when}, {where}" if where else when, d.get("link")),
        )
    return (
        f"New recruitment event: {d.get('title', '')}",
        _lines(f"{when}, {where}" if where else when, d.get("link")),
    )


PROVINCES_FR = {
    "British Columbia": "Colombie-Britannique",
    "Quebec": "Québec",
    "Nova Scotia": "Nouvelle-Écosse",
    "New Brunswick": "Nouveau-Brunswick",
    "Prince Edward Island": "Île-du-Prince-Édouard",
    "Newfoundland and Labrador": "Terre-Neuve-et-Labrador",
}


def _pnp_update(d: dict[str, Any], lang: str) -> tuple[str, str]:
    province = d.get("province", "")
    when = fmt_date(d.get("date", ""), lang)
    invitations, score = d.get("invitations"), d.get("score")
    facts = []
    if lang == "fr":
        province = PROVINCES_FR.get(province, province)
        if invitations is not None:
            facts.append(f"{fmt_int(invitations, 'fr')} invitations")
        if score is not None:
            facts.append(f"note minimale {fmt_int(score, 'fr')}")
        body = f"{when} : {', '.join(facts)}." if facts else f"{when}."
        program = (
            f"Programme des candidats des provinces ({province})"
            if province
            else ("Programme des candidats des provinces")
        )
        title = f"{program} : {d.get('headline', '')}"
        return title, _lines(body)
    if invitations is not None:
        facts.append(f"{fmt_int(invitations)} invitations")
    if score is not None:
        facts.append(f"lowest score {fmt_int(score)}")
    body = f"{when}: {', '.join(facts)}." if facts else f"{when}."
    program = f"{province} PNP" if province else "Provincial Nominee Program"
    return f"{program}: {d.get('headline', '')}", _lines(body)


def fmt_range(start: str, end: str | None, lang: str = "en") -> str:
    """ "March 20–21, 2026" / "20–21 mars 2026"; a single day when there is no end."""
    if not end or end == start:
        return fmt_date(start, lang)
    try:
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
    except (TypeError, ValueError):
        return start
    if (first.year, first.month) != (last.year, last.month):
        return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"
    month = MONTHS[lang if lang in MONTHS else "en"][first.month - 1]
    if lang == "fr":
        return f"{first.day}–{last.day} {month} {first.year}"
    return f"{month} {first.day}–{last.day}, {first.year}"


def _occupations(items: list[dict[str, str]], limit: int = 4) -> str:
    shown = [f"{item['noc']} {item['title']}" for item in items[:limit]]
    more = len(items) - limit
    return "; ".join(shown) + (f" (+{more})" if more > 0 else "")


def _one_line(text: str, limit: int = 200) -> str:
    text = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(*parts: str | None) -> str:
    """Non-empty parts, one per line (the summary's one to three lines)."""
    return "\n".join(part for part in parts if part)


def _watch_failing(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Surveillance en échec : {d.get('watch', '')}",
            f"{_failures(d, 'fr')} de suite depuis {_since(d, 'fr')} : {d.get('reason', '')}",
        )
    return (
        f"Watch failing: {d.get('watch', '')}",
        f"{_failures(d, 'en')} in a row since {_since(d, 'en')}: {d.get('reason', '')}",
    )


def _failures(d: dict[str, Any], lang: str) -> str:
    """ "2 failures" / "2 échecs", the plural written out."""
    count = d.get("failures")
    if not isinstance(count, int):
        return f"{count or '?'} {'échecs' if lang == 'fr' else 'failures'}"
    return (
        plural(count, "échec", "échecs", "fr")
        if lang == "fr"
        else plural(count, "failure", "failures")
    )


def _since(d: dict[str, Any], lang: str) -> str:
    """When a trouble began, written out ("December 6, 2026, 04:24 UTC"), not as stored."""
    return fmt_moment(d.get("since"), lang) or "?"


def _watch_recovered(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Surveillance rétablie : {d.get('watch', '')}",
            f"De nouveau fonctionnelle après {_failures(d, 'fr')} (depuis {_since(d, 'fr')}).",
        )
    return (
        f"Watch recovered: {d.get('watch', '')}",
        f"Working again after {_failures(d, 'en')} (since {_since(d, 'en')}).",
    )


def _watch_moved(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if d.get("followed"):
        if lang == "fr":
            return (
                f"Page suivie : {d.get('watch', '')}",
                f"La veille suit maintenant la page la plus récente, {d.get('to', '')} "
                f"(avant : {d.get('from', '')}). Rien à changer dans config.toml.",
            )
        return (
            f"Now following: {d.get('watch', '')}",
            f"The watch follows the newest page now, {d.get('to', '')} "
            f"(was {d.get('from', '')}). Nothing to change in config.toml.",
        )
    if lang == "fr":
        return (
            f"Page déplacée : {d.get('watch', '')}",
            f"Redirection permanente de {d.get('from', '')} vers {d.get('to', '')}. "
            "Mettez à jour l'adresse dans config.toml.",
        )
    return (
        f"Watch moved: {d.get('watch', '')}",
        f"Permanent redirect from {d.get('from', '')} to {d.get('to', '')}. "
        "Update the url in config.toml.",
    )


def _extractor_degraded(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Lecture structurée en panne : {d.get('watch', '')}",
            f"Depuis {_since(d, 'fr')} : {d.get('missing', '')}. La page est lue section "
            "par section en attendant : les abonnés restent informés.",
        )
    return (
        f"Extractor degraded: {d.get('watch', '')}",
        f"Since {_since(d, 'en')}: {d.get('missing', '')}. The page is read section by "
        "section meanwhile, so subscribers are still told of its changes.",
    )


def _extractor_recovered(d: dict[str, Any], lang: str) -> tuple[str, str]:
    count, noun = d.get("records", "?"), d.get("noun", "record")
    if lang == "fr":
        return (
            f"Lecture structurée rétablie : {d.get('watch', '')}",
            f"{_records(count, 'fr')} de nouveau (en panne depuis {_since(d, 'fr')}).",
        )
    return (
        f"Extractor recovered: {d.get('watch', '')}",
        f"{_records(count, 'en', noun)} read again (degraded since {_since(d, 'en')}).",
    )


def _records(count: Any, lang: str, noun: str = "") -> str:
    """ "3 rounds records" / "1 enregistrement lu": the count with its noun agreed."""
    if not isinstance(count, int):
        return f"{count} enregistrements lus" if lang == "fr" else f"{count} {noun} records".strip()
    if lang == "fr":
        return plural(count, "enregistrement lu", "enregistrements lus", "fr")
    return plural(count, f"{noun} record".strip(), f"{noun} records".strip())


def _bulk_held(d: dict[str, Any], lang: str) -> tuple[str, str]:
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted((d.get("counts") or {}).items()))
    examples = [
        _one_line(f"{e.get('title', '')} — {e.get('summary', '')}", 160)
        for e in (d.get("examples") or [])[:3]
    ]
    hold = d.get("hold", "?")
    if lang == "fr":
        return (
            f"{d.get('count', '?')} changements retenus pour vérification sur {d.get('watch', '')}",
            _lines(
                counts,
                *(f"• {e}" for e in examples),
                f"ircc-watch release {hold} pour les envoyer, ircc-watch discard {hold} "
                "pour ne jamais les envoyer.",
            ),
        )
    return (
        f"{d.get('count', '?')} changes held for review on {d.get('watch', '')}",
        _lines(
            counts,
            *(f"• {e}" for e in examples),
            f"ircc-watch release {hold} sends them, ircc-watch discard {hold} never will.",
        ),
    )


def _generic(d: dict[str, Any], lang: str) -> tuple[str, str]:
    title = str(d.get("title") or d.get("name") or d.get("watch") or "Change")
    return title, str(d.get("summary", ""))


RENDERERS = {
    "new_draw": _new_draw,
    "draw_corrected": _draw_corrected,
    "news": _news,
    "page_change": _page_change,
    "rule_change": _rule_change,
    "new_category": _new_category,
    "category_removed": _category_removed,
    "occupations_changed": _occupations_changed,
    "row_added": _row_added,
    "row_removed": _row_removed,
    "new_event": _new_event,
    "pnp_update": _pnp_update,
    "watch_failing": _watch_failing,
    "watch_recovered": _watch_recovered,
    "watch_moved": _watch_moved,
    "extractor_degraded": _extractor_degraded,
    "extractor_recovered": _extractor_recovered,
    "bulk_held": _bulk_held,
}

# Modules that declare renderers of their own kinds (a ``RENDERERS`` dict), as the bot's command
# modules declare their commands: each is registered here, and none imports this module.
RENDERER_MODULES = ("diffing.datamessages", "diffing.poolmessages")
for _name in RENDERER_MODULES:
    RENDERERS.update(importlib.import_module(_name).RENDERERS)

"""Titles and summaries of the data-file kinds' changes (processing times, IEC pools, json).

Declared in :data:`RENDERERS`; :mod:`diffing.messages` registers them (this module imports it not).
IRCC writes its processing times in English ("5 weeks"); French messages say them in
French ("5 semaines") and write dates the French way.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from diffing import durations, ptime_names
from diffing.formats import fmt_date, fmt_int

SHOWN = 3
CATEGORIES = {
    "wh": ("Working Holiday", "Vacances-travail"),
    "yp": ("Young Professionals", "Jeunes professionnels"),
    "coop": ("International Co-op (Internship)", "Stage coop international"),
}
ROUNDS = {"first": ("first round", "première ronde"), "second": ("final round", "dernière ronde")}
_UNITS_FR = {
    "minute": "minute",
    "hour": "heure",
    "day": "jour",
    "week": "semaine",
    "month": "mois",
    "year": "an",
}
_PHRASES_FR = {
    "Not enough data": "Données insuffisantes",
    "No processing time available": "Aucun délai de traitement disponible",
    "Unlimited": "Illimité",
    "To be announced": "À venir",
    "Not applicable": "Sans objet",
}
_COLON = re.compile(r"(?<=\S): ")
_AMOUNT = re.compile(r"(\d+)\s*(minute|hour|day|week|month|year)(s?)\b")


def ircc_value(value: Any, lang: str) -> str:
    """A value as IRCC wrote it, or in French: "5 weeks" → "5 semaines"."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return fmt_int(value, lang)
    text = str(value)
    if lang != "fr":
        return text
    if text in _PHRASES_FR:
        return _PHRASES_FR[text]

    def unit(match: re.Match[str]) -> str:
        word = _UNITS_FR[match.group(2)]
        plural = match.group(3) and word != "mois"
        return f"{match.group(1)} {word}{'s' if plural else ''}"

    text = text.replace("Part 1:", "Partie 1 :")
    return _AMOUNT.sub(unit, text)


def ircc_date(text: str, lang: str) -> str:
    """ "December 3, 2025" (IRCC's own wording, sometimes "August 07, 2026") in ``lang``."""
    try:
        day = datetime.strptime(text.strip(), "%B %d, %Y").date()
    except (AttributeError, ValueError):
        return text or ""
    return fmt_date(day.isoformat(), lang)


def _as_of(text: str, lang: str) -> str:
    if not text:
        return ""
    return f" (IRCC, au {ircc_date(text, 'fr')})" if lang == "fr" else f" (IRCC, as of {text})"


def _move_line(move: dict[str, Any], lang: str, group: str) -> str:
    """ "India: 16 weeks → 14 weeks" or "Home Child Care Provider (PR): 25 months → 28 months"."""
    if "country" in move:
        label = ptime_names.country_name(move["country"], lang)
        if move["program"] != group:
            label += f" ({ptime_names.name(move['program'], lang).split(': ')[-1]})"
    else:
        label = ptime_names.name(move["program"], lang)
    before, after = move["before"], move["after"]
    if after is None:
        gone = "ne figure plus" if lang == "fr" else "no longer listed"
        was = "était" if lang == "fr" else "was"
        return f"{label}: {gone} ({was} {ircc_value(before, lang)})"
    if before is None:
        listed = "nouveau" if lang == "fr" else "now listed"
        return f"{label}: {listed}, {ircc_value(after, lang)}"
    return f"{label}: {ircc_value(before, lang)} → {ircc_value(after, lang)}"


def fr_colon(text: str, lang: str) -> str:
    """French puts a space before a colon (once: names that already have one keep it)."""
    return _COLON.sub(" : ", text) if lang == "fr" else text


def processing_time_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    group = d.get("group", "")
    moves = d.get("moves") or [d]
    when = _as_of(d.get("as_of", ""), lang)
    countries = "country" in moves[0]
    if len(moves) == 1:
        move = moves[0]
        if countries:
            label = f"{ptime_names.name(group, lang)} — {_move_line(move, lang, group)}"
        else:
            label = _move_line(move, lang, group)
        if move["before"] is not None and move["after"] is not None:
            word = "délai de traitement" if lang == "fr" else "processing time"
            head, _, values = label.rpartition(": ")
            label = f"{head}: {word} {values}"
        return fr_colon(label + when, lang), move_summary(move, lang)
    count = len({m.get("country") for m in moves}) if countries else len(moves)
    if lang == "fr":
        what = "pays" if countries else "programmes"
        moved = f"{count} {what} en mouvement"
    else:
        what = ("countries" if count > 1 else "country") if countries else "programs"
        moved = f"{count} {what} moved"
    title = f"{ptime_names.name(group, lang)}: {moved}{when}"
    lines = [_move_line(move, lang, group) for move in moves]
    if countries:
        lead = "Plus grands écarts" if lang == "fr" else "Largest"
        more = len(lines) - SHOWN
        body = f"{lead}: " + "; ".join(lines[:SHOWN])
        if more > 0:
            body += f" (+{more})"
        return fr_colon(title, lang), fr_colon(body, lang)
    shown = lines if len(lines) <= SHOWN + 1 else [*lines[:SHOWN], f"… (+{len(lines) - SHOWN})"]
    return fr_colon(title, lang), fr_colon("\n".join(shown), lang)


UNIT_WORDS = {
    "en": {
        "minute": "minute",
        "hour": "hour",
        "day": "day",
        "week": "week",
        "month": "month",
        "year": "year",
    },
    "fr": {
        "minute": "minute",
        "hour": "heure",
        "day": "jour",
        "week": "semaine",
        "month": "mois",
        "year": "an",
    },
}


def move_summary(move: dict[str, Any], lang: str) -> str:
    """How far one processing time moved, in IRCC's unit and as a share: "2 days shorter (−1 %)."
    / "2 jours de moins (−1 %)."; what changed when a side is not a duration."""
    before, after = move.get("before"), move.get("after")
    if before is None:
        return "Nouvellement publié par IRCC." if lang == "fr" else "Newly listed by IRCC."
    if after is None:
        return "N'est plus publié par IRCC." if lang == "fr" else "No longer listed by IRCC."
    moved = durations.move(before, after)
    if moved is None:
        value = ircc_value(after, lang)
        return (
            f"IRCC affiche maintenant : {value}." if lang == "fr" else f"IRCC now shows: {value}."
        )
    delta, percent = moved
    if delta == 0:
        return (
            "Même durée, écrite autrement." if lang == "fr" else "Same time, written differently."
        )
    unit = durations.unit_of(after) or "day"
    amount = abs(durations.in_unit(delta, unit))
    number = f"{amount:.0f}" if amount >= 1 and amount == round(amount) else f"{amount:.1f}"
    number = number.replace(".", ",") if lang == "fr" else number
    word = UNIT_WORDS[lang][unit]
    several = float(number.replace(",", ".")) >= 2 if lang == "fr" else number != "1"
    if several and not word.endswith("s"):
        word += "s"
    share = f"{'−' if percent < 0 else '+'}{abs(percent):.0f}\u00a0%"
    if lang == "fr":
        return f"{number} {word} de {'moins' if delta < 0 else 'plus'} ({share})."
    return f"{number} {word} {'shorter' if delta < 0 else 'longer'} ({share})."


def personal_lines(data: dict[str, Any], countries: set[str], lang: str) -> list[str]:
    """The moves of a country-file change for the countries a subscriber chose, first."""
    group = data.get("group", "")
    return [
        fr_colon(_move_line(move, lang, group), lang)
        for move in data.get("moves") or []
        if move.get("country") in countries
    ]


def pool_code(text: str, pools: dict[str, dict[str, Any]]) -> str | None:
    """The pool code meant: a code, a location as the file writes it, or a country name."""
    folded = text.casefold()
    for record in pools.values():
        if folded in (record["code"], (record.get("location") or "").casefold()):
            return record["code"]
    codes = {r["code"].upper() for r in pools.values()} or None
    found = ptime_names.find_country(text, codes)
    return found.lower() if found else None


def pool_name(d: dict[str, Any], lang: str) -> str:
    """ "IEC Working Holiday — France" / "EIC Vacances-travail — France"."""
    names = CATEGORIES.get(d.get("category", ""))
    category = (names[1] if lang == "fr" else names[0]) if names else d.get("category", "")
    place = d.get("location") or d.get("code", "")
    if lang == "fr":
        code = (d.get("code") or "").upper()
        french = ptime_names.country_name(code, "fr") if len(code) == 2 else code
        place = french if french != code else place
        return f"EIC {category} — {place}"
    return f"IEC {category} — {place}"


def iec_pool_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    changes = d.get("changes", {})

    def figure(name: str, en: str, fr: str) -> str:
        value = ircc_value(d.get(name), lang)
        text = (fr if lang == "fr" else en).format(value)
        if name in changes:
            was = "auparavant" if lang == "fr" else "was"
            text += f" ({was} {ircc_value(changes[name][0], lang)})"
        return text

    if not any(name in changes for name in ("invitations", "candidates", "spots", "chances")):
        lines = [
            f"{name}: {ircc_value(old, lang)} → {ircc_value(new, lang)}"
            for name, (old, new) in changes.items()
        ]
        return pool_name(d, lang), _listing(lines, lang)
    parts = [
        figure("invitations", "{} invitations", "{} invitations"),
        figure("candidates", "{} candidates in the pool", "{} candidats dans le bassin"),
        figure("spots", "{} spots left", "{} places restantes"),
    ]
    chances = figure("chances", "chances of selection {}", "chances de sélection {}")
    when = ""
    if d.get("as_of"):
        when = f" (au {ircc_date(d['as_of'], 'fr')})" if lang == "fr" else f" (as of {d['as_of']})"
    return pool_name(d, lang), fr_colon(f"{', '.join(parts)}; {chances}{when}", lang)


def _listing(items: list[str], lang: str) -> str:
    shown = items if len(items) <= SHOWN + 1 else [*items[:SHOWN], f"… (+{len(items) - SHOWN})"]
    return fr_colon("\n".join(shown), lang)


def _day_or_value(value: Any, lang: str) -> str:
    """A round's date written out in ``lang`` ("4 août 2023"), else IRCC's words translated."""
    day = ircc_date(value, lang) if isinstance(value, str) else value
    return day if day != value else ircc_value(value, lang)


def iec_round_date_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    lines = []
    for item in d.get("rounds", []):
        names = ROUNDS.get(item.get("field", ""), ("round", "ronde"))
        which = names[1] if lang == "fr" else names[0]
        was = "auparavant" if lang == "fr" else "was"
        lines.append(
            f"{pool_name(item, lang)}: {which} {_day_or_value(item.get('after'), lang)} "
            f"({was} {_day_or_value(item.get('before'), lang)})"
        )
    if len(lines) == 1:
        return fr_colon(lines[0], lang), ""
    count = len({(i.get("code"), i.get("category")) for i in d.get("rounds", [])})
    title = (
        f"EIC : nouvelles dates de ronde pour {count} bassins"
        if lang == "fr"
        else f"IEC: new round dates for {count} pools"
    )
    return title, _listing(lines, lang)


def iec_quota_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    word = "quota" if lang == "fr" else "quota"
    lines = [
        f"{pool_name(item, lang)}: {word} {ircc_value(item.get('before'), lang)} → "
        f"{ircc_value(item.get('after'), lang)}"
        for item in d.get("quotas", [])
    ]
    if len(lines) == 1:
        return fr_colon(lines[0], lang), ""
    title = (
        f"EIC : quotas modifiés pour {len(lines)} bassins"
        if lang == "fr"
        else f"IEC: quotas changed for {len(lines)} pools"
    )
    return title, _listing(lines, lang)


def _pools(
    d: dict[str, Any], lang: str, en: tuple[str, str], fr: tuple[str, str]
) -> tuple[str, str]:
    pools = d.get("pools", [])
    lines = []
    for pool in pools:
        line = pool_name(pool, lang)
        if pool.get("quota") is not None:
            line += f" (quota {ircc_value(pool['quota'], lang)})"
        lines.append(line)
    one, many = fr if lang == "fr" else en
    if len(lines) == 1:
        return fr_colon(f"{one}: {lines[0]}", lang), ""
    return fr_colon(many.format(len(lines)), lang), _listing(lines, lang)


def iec_pool_added(d: dict[str, Any], lang: str) -> tuple[str, str]:
    return _pools(
        d,
        lang,
        ("New pool", "IEC: {} new pools"),
        ("Nouveau bassin", "EIC : {} nouveaux bassins"),
    )


def iec_pool_removed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    return _pools(
        d,
        lang,
        ("Pool no longer listed", "IEC: {} pools no longer listed"),
        ("Bassin retiré de la liste", "EIC : {} bassins retirés de la liste"),
    )


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def json_record_added(d: dict[str, Any], lang: str) -> tuple[str, str]:
    record = d.get("record", {})
    fields = "; ".join(f"{k}: {_show(v)}" for k, v in list(record.items())[:SHOWN])
    if lang == "fr":
        return f"{d.get('watch', '')} : nouvel élément {d.get('key', '')}", fields
    return f"{d.get('watch', '')}: new record {d.get('key', '')}", fields


def json_record_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    lines = [
        f"{name}: {_show(old)} → {_show(new)}" for name, (old, new) in d.get("changes", {}).items()
    ]
    if lang == "fr":
        return f"{d.get('watch', '')} : {d.get('key', '')} modifié", _listing(lines, lang)
    return f"{d.get('watch', '')}: {d.get('key', '')} changed", _listing(lines, lang)


def json_record_removed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return f"{d.get('watch', '')} : élément {d.get('key', '')} retiré", ""
    return f"{d.get('watch', '')}: record {d.get('key', '')} removed", ""


RENDERERS = {
    "processing_time_changed": processing_time_changed,
    "iec_pool_changed": iec_pool_changed,
    "iec_round_date_changed": iec_round_date_changed,
    "iec_quota_changed": iec_quota_changed,
    "iec_pool_added": iec_pool_added,
    "iec_pool_removed": iec_pool_removed,
    "json_record_added": json_record_added,
    "json_record_changed": json_record_changed,
    "json_record_removed": json_record_removed,
}

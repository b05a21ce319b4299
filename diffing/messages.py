"""Titles and one-to-three-line summaries of changes, in English and French.

Written from the change's records, never from raw diff lines. Plain text: whoever puts
it in HTML (Telegram, the review page) escapes it there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}

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
        "crs": "note CRS minimale",
        "cutoff": "règle de départage",
        "date": "date",
        "name": "type de ronde",
        "programs": "programmes",
        "date_full": "date",
    },
}


def fmt_int(value: int | None, lang: str = "en") -> str:
    """5000 → "5,000" in English, "5 000" in French; None → "?"."""
    if value is None:
        return "?"
    text = f"{value:,}"
    return text.replace(",", " ") if lang == "fr" else text


def fmt_date(value: str, lang: str = "en") -> str:
    """An ISO date ("2025-03-06") as people write it: "March 6, 2025" / "6 mars 2025"."""
    try:
        day = date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return value or ""
    month = MONTHS[lang if lang in MONTHS else "en"][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def describe(kind: str, data: dict[str, Any], lang: str = "en") -> tuple[str, str]:
    """(title, summary) for a change of ``kind`` with ``data``, in ``lang``."""
    lang = lang if lang in ("en", "fr") else "en"
    render = RENDERERS.get(kind, _generic)
    return render(data, lang)


def _new_draw(d: dict[str, Any], lang: str) -> tuple[str, str]:
    size, crs, when = fmt_int(d.get("size"), lang), fmt_int(d.get("crs"), lang), d.get("date", "")
    if lang == "fr":
        return (
            f"Entrée express : ronde no {d['number']} – {d.get('name', '')}",
            f"{size} invitations, note CRS minimale {crs} ({fmt_date(when, 'fr')}).",
        )
    return (
        f"Express Entry draw #{d['number']}: {d.get('name', '')}",
        f"{size} invitations, minimum CRS {crs} ({fmt_date(when, 'en')}).",
    )


def _draw_corrected(d: dict[str, Any], lang: str) -> tuple[str, str]:
    names = FIELD_NAMES[lang]
    if d.get("removed"):
        if lang == "fr":
            return (
                f"Entrée express : ronde no {d['number']} retirée du fil",
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
        parts.append(f"{label}: {old} → {new}")
    body = "; ".join(parts[:3]) + (" …" if len(parts) > 3 else "")
    if lang == "fr":
        return (f"Entrée express : ronde no {d['number']} corrigée", body)
    return (f"Express Entry draw #{d['number']} corrected", body)


def _news(d: dict[str, Any], lang: str) -> tuple[str, str]:
    when = fmt_date(d.get("published", ""), lang)
    prefix = "Nouvelles d'IRCC" if lang == "fr" else "IRCC news"
    return (
        f"{prefix}: {d.get('title', '')}" if lang == "en" else f"{prefix} : {d.get('title', '')}",
        f"{when}\n{d.get('url', '')}".strip(),
    )


def _page_change(d: dict[str, Any], lang: str) -> tuple[str, str]:
    added, removed = d.get("added", 0), d.get("removed", 0)
    page = d.get("page") or d.get("watch", "")
    excerpt = d.get("excerpt", "")
    if lang == "fr":
        title = f"Page modifiée : {page}"
        counts = f"{added} ligne(s) ajoutée(s), {removed} ligne(s) supprimée(s)."
    else:
        title = f"Page changed: {page}"
        counts = f"{added} line(s) added, {removed} line(s) removed."
    return title, f"{counts}\n{excerpt}".strip()


def _watch_failing(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Surveillance en échec : {d.get('watch', '')}",
            f"{d.get('failures', '?')} échecs de suite depuis {d.get('since', '?')} : "
            f"{d.get('reason', '')}",
        )
    return (
        f"Watch failing: {d.get('watch', '')}",
        f"{d.get('failures', '?')} failures in a row since {d.get('since', '?')}: "
        f"{d.get('reason', '')}",
    )


def _watch_recovered(d: dict[str, Any], lang: str) -> tuple[str, str]:
    if lang == "fr":
        return (
            f"Surveillance rétablie : {d.get('watch', '')}",
            f"De nouveau fonctionnelle après {d.get('failures', '?')} échecs "
            f"(depuis {d.get('since', '?')}).",
        )
    return (
        f"Watch recovered: {d.get('watch', '')}",
        f"Working again after {d.get('failures', '?')} failures (since {d.get('since', '?')}).",
    )


def _generic(d: dict[str, Any], lang: str) -> tuple[str, str]:
    title = str(d.get("title") or d.get("name") or d.get("watch") or "Change")
    return title, str(d.get("summary", ""))


RENDERERS = {
    "new_draw": _new_draw,
    "draw_corrected": _draw_corrected,
    "news": _news,
    "page_change": _page_change,
    "watch_failing": _watch_failing,
    "watch_recovered": _watch_recovered,
}

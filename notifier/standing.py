"""Where a CRS score stands, from IRCC's own figures: how many candidates of the latest pool
distribution are above it (a range, since IRCC counts by band), and which recent draws of each
followed type it would have passed. Used by /crs N, /pool and /why N.

The range is the band arithmetic shown as is: the candidates of the bands wholly above the
score are certainly above it; those of the score's own band may be above or below.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from diffing import pool
from diffing.formats import fmt_date, fmt_int
from notifier import render
from notifier.drawtypes import DRAW_TYPES, draw_type
from notifier.i18n import draw_type_label

LAST_DRAWS = 10
RECENT_DAYS = 365

STRINGS: dict[str, tuple[str, str]] = {
    "no_pool": (
        "No pool distribution yet: the Express Entry rounds feed has not been read.",
        "Pas encore de répartition du bassin : le fil des rondes d’Entrée express n’a pas "
        "encore été lu.",
    ),
    "header": (
        "Where a CRS score of {score} stands in the Express Entry pool of {date} "
        "({total} candidates):",
        "Où se situe une note de {score} au SCG dans le bassin d’Entrée express au {date} "
        "({total} candidats) :",
    ),
    "range": (
        "Above you: between {low} and {high} candidates ({plow} to {phigh} of the pool).",
        "Au-dessus de vous : entre {low} et {high} candidats ({plow} à {phigh} du bassin).",
    ),
    "range_why": (
        "{low} have {next} or more; the {count} of the {band} band may be above or below you "
        "(IRCC counts candidates by band only).",
        "{low} ont {next} ou plus; les {count} de la tranche {band} peuvent être au-dessus ou "
        "au-dessous de vous (IRCC ne compte les candidats que par tranche).",
    ),
    "exact": (
        "Above you: {low} candidates ({plow} of the pool), all with {next} or more.",
        "Au-dessus de vous : {low} candidats ({plow} du bassin), tous avec {next} ou plus.",
    ),
    "draws_header": (
        "Would {score} have been invited? The last {n} draws of each type you follow:",
        "Une note de {score} aurait-elle été invitée ? Les {n} dernières rondes de chaque type "
        "suivi :",
    ),
    "draws_type": (
        "• {type}: passed {passed} of {n} (cut-offs {low} to {high}; last {last}, {date})",
        "• {type} : {passed} sur {n} (notes minimales de {low} à {high}; dernière {last}, {date})",
    ),
    "no_draws": (
        "No draw of the types you follow in the last 12 months.",
        "Aucune ronde des types suivis depuis 12 mois.",
    ),
    "why_cutoff": (
        "↳ its cut-off {crs} is {gap} above your {score}",
        "↳ sa note minimale {crs} dépasse de {gap} votre {score}",
    ),
    "why_type": (
        "↳ you do not follow {type} draws (/drawtypes)",
        "↳ vous ne suivez pas les rondes {type} (/drawtypes)",
    ),
    "why_draw": (
        "Draw #{number} ({type}, {date}): cut-off {crs}.",
        "Ronde no {number} ({type}, {date}) : note minimale {crs}.",
    ),
    "why_no_score": (
        "You set no score (/crs N): every cut-off reaches you.",
        "Vous n’avez pas donné de note (/crs N) : toutes les notes minimales vous parviennent.",
    ),
    "why_passed": (
        "Your {score} is at or above it: the draw passes your filter.",
        "Votre {score} l’atteint : la ronde passe votre filtre.",
    ),
    "why_missed": (
        "Your {score} is {gap} below it: the draw was filtered out.",
        "Votre {score} est {gap} points en dessous : la ronde a été filtrée.",
    ),
    "why_pool": (
        "In the pool this round reports (as of {date}), between {low} and {high} candidates "
        "were above {score}.",
        "Dans le bassin que cette ronde indique (au {date}), entre {low} et {high} candidats "
        "étaient au-dessus de {score}.",
    ),
    "unknown_draw": ("No draw #{number} in the feed.", "Aucune ronde no {number} dans le fil."),
}


def s(lang: str, key: str, **values: Any) -> str:
    """One of this module's strings in ``lang`` (values escaped by the caller)."""
    en, fr = STRINGS[key]
    return (fr if lang == "fr" else en).format(**values)


def percent(part: int, whole: int, lang: str) -> str:
    """12 % (French, with a no-break space) / 12% (English), rounded to a whole percent."""
    value = round(100 * part / whole) if whole else 0
    return f"{value}\u00a0%" if lang == "fr" else f"{value}%"


def latest_distribution(draws: list[dict[str, Any]]) -> pool.Distribution | None:
    """The distribution the newest round carries (None without one, or a faulty one)."""
    newest = pool.newest_round({str(i): d for i, d in enumerate(draws)})
    if newest is None:
        return None
    try:
        return pool.read(newest)
    except pool.DistributionError:
        return None


def pool_lines(distribution: pool.Distribution, score: int, lang: str) -> list[str]:
    """The header and the range of candidates above ``score`` (HTML lines, escaped)."""
    place = pool.standing(distribution, score)
    header = s(
        lang,
        "header",
        score=score,
        date=fmt_date(distribution.as_on, lang),
        total=fmt_int(distribution.total, lang),
    )
    lines = render.text_lines(header, "<b>{}</b>")
    total = distribution.total
    if place.band is None:
        text = s(
            lang,
            "exact",
            low=fmt_int(place.low, lang),
            plow=percent(place.low, total, lang),
            next=fmt_int(score + 1, lang),
        )
        return lines + render.text_lines(text)
    low, high = pool.RANGE[place.band]
    text = s(
        lang,
        "range",
        low=fmt_int(place.low, lang),
        high=fmt_int(place.high, lang),
        plow=percent(place.low, total, lang),
        phigh=percent(place.high, total, lang),
    )
    why = s(
        lang,
        "range_why",
        low=fmt_int(place.low, lang),
        next=fmt_int(high + 1, lang),
        count=fmt_int(distribution.counts[place.band], lang),
        band=f"{low}–{high}",
    )
    return lines + render.text_lines(text) + render.text_lines(why)


def followed_types(draws: list[dict[str, Any]], chosen: list[str] | None) -> list[str]:
    """The types a subscriber follows, in /drawtypes order: their choice, or every type that
    had a draw in the last 12 months of the feed."""
    if chosen is not None:
        return [kind for kind in DRAW_TYPES if kind in chosen]
    dated = [d["date"] for d in draws if _iso(d.get("date"))]
    if not dated:
        return []
    since = (date.fromisoformat(max(dated)) - timedelta(days=RECENT_DAYS)).isoformat()
    recent = {draw_type(d.get("name")) for d in draws if (d.get("date") or "") >= since}
    return [kind for kind in DRAW_TYPES if kind in recent]


def draw_lines(
    draws: list[dict[str, Any]], score: int, chosen: list[str] | None, lang: str
) -> list[str]:
    """Per followed type, how many of its last 10 draws ``score`` would have passed."""
    ordered = sorted(draws, key=_order, reverse=True)
    lines = render.text_lines(s(lang, "draws_header", score=score, n=LAST_DRAWS), "<b>{}</b>")
    shown = 0
    for kind in followed_types(ordered, chosen):
        last = [d for d in ordered if draw_type(d.get("name")) == kind and d.get("crs")]
        last = last[:LAST_DRAWS]
        if not last:
            continue
        cutoffs = [d["crs"] for d in last]
        text = s(
            lang,
            "draws_type",
            type=draw_type_label(lang, kind),
            passed=sum(1 for crs in cutoffs if score >= crs),
            n=len(last),
            low=fmt_int(min(cutoffs), lang),
            high=fmt_int(max(cutoffs), lang),
            last=fmt_int(cutoffs[0], lang),
            date=fmt_date(last[0].get("date", ""), lang),
        )
        lines += render.text_lines(text)
        shown += 1
    if not shown:
        lines += render.text_lines(s(lang, "no_draws"))
    return lines


def standing_lines(
    draws: list[dict[str, Any]], score: int, chosen: list[str] | None, lang: str
) -> list[str]:
    """/crs N's answer: where ``score`` stands in the pool, and the draws it would pass."""
    distribution = latest_distribution(draws)
    if distribution is None:
        return render.text_lines(s(lang, "no_pool"))
    return pool_lines(distribution, score, lang) + draw_lines(draws, score, chosen, lang)


def filtered_reason(sub: dict[str, Any], draw: dict[str, Any], lang: str) -> str:
    """Why a draw did not pass the subscriber's filters (an escaped line)."""
    kind = draw_type(draw.get("name"))
    types = sub.get("draw_types")
    if types is not None and kind not in types:
        return render.escape(s(lang, "why_type", type=draw_type_label(lang, kind)))
    score, crs = sub.get("crs_max"), draw.get("crs") or 0
    gap = fmt_int(crs - (score or 0), lang)
    return render.escape(s(lang, "why_cutoff", crs=fmt_int(crs, lang), gap=gap, score=score))


def why_draw(sub: dict[str, Any], draw: dict[str, Any], lang: str) -> list[str]:
    """/why N: one draw against the subscriber's filters, and where their score stood in the
    pool that round reports."""
    kind = draw_type(draw.get("name"))
    crs, score = draw.get("crs"), sub.get("crs_max")
    head = s(
        lang,
        "why_draw",
        number=draw.get("number", "?"),
        type=draw_type_label(lang, kind),
        date=fmt_date(draw.get("date", ""), lang),
        crs=fmt_int(crs, lang),
    )
    lines = render.text_lines(head, "<b>{}</b>")
    types = sub.get("draw_types")
    if types is not None and kind not in types:
        lines.append(filtered_reason(sub, draw, lang))
    if score is None:
        return lines + render.text_lines(s(lang, "why_no_score"))
    if crs is None or score >= crs:
        lines += render.text_lines(s(lang, "why_passed", score=score))
    else:
        lines += render.text_lines(
            s(lang, "why_missed", score=score, gap=fmt_int(crs - score, lang))
        )
    try:
        distribution = pool.read(draw)
    except pool.DistributionError:
        distribution = None
    if distribution is not None:
        place = pool.standing(distribution, score)
        text = s(
            lang,
            "why_pool",
            date=fmt_date(distribution.as_on, lang),
            low=fmt_int(place.low, lang),
            high=fmt_int(place.high, lang),
            score=score,
        )
        lines += render.text_lines(text)
    return lines


def _iso(text: Any) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return True


def _order(record: dict[str, Any]) -> tuple[str, int, str]:
    number = str(record.get("number", ""))
    digits = "".join(ch for ch in number if ch.isdigit())
    return (record.get("date") or "", int(digits) if digits else 0, number)

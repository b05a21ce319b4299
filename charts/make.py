"""A chart ready to send: how to draw it, and its caption, a text alternative for screen
readers (the lowest, highest and last values, dated), in the reader's language.

Building a :class:`Chart` only reads figures; :meth:`Chart.render` draws (matplotlib) and is
what callers run in a worker thread. Captions stay within Telegram's 1,024 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from charts import draw, series
from charts.series import Point
from diffing.datamessages import ircc_value
from diffing.formats import fmt_date, fmt_int, french_spacing
from notifier.i18n import draw_type_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CAPTION_MAX = 1024

TEXT: dict[str, tuple[str, str]] = {
    "cutoffs": (
        "CRS cut-offs of {n} draws, {start} to {end}.",
        "Notes minimales du SCG de {n} rondes, du {start} au {end}.",
    ),
    "type_line": (
        "{type}: lowest {low}, highest {high}, last {last} ({date})",
        "{type} : plus basse {low}, plus haute {high}, dernière {last} ({date})",
    ),
    "score": ("Dashed line: your score, {score}.", "Ligne pointillée : votre note, {score}."),
    "pool": (
        "Express Entry pool as of {date}: {total} candidates.",
        "Bassin d’Entrée express au {date} : {total} candidats.",
    ),
    "pool_before": (
        "Four weeks earlier ({date}): {total}.",
        "Quatre semaines plus tôt ({date}) : {total}.",
    ),
    "pool_bands": (
        "Smallest band now {low_label}: {low}; largest {high_label}: {high}.",
        "Plus petite tranche {low_label} : {low}; plus grande {high_label} : {high}.",
    ),
    "ptime": (
        "{name}: last {last} (as of {date}); lowest {low} ({low_date}), highest {high} "
        "({high_date}); {n} updates since {start}.",
        "{name} : dernier délai {last} (au {date}); le plus court {low} ({low_date}), le plus "
        "long {high} ({high_date}); {n} mises à jour depuis le {start}.",
    ),
    "iec": (
        "{name}: invitations to date {last} ({date}), from {low} on {start}; chances last "
        "{chance} %, lowest {chance_low} %, highest {chance_high} %.",
        "{name} : invitations à ce jour {last} ({date}), depuis {low} le {start}; chances "
        "dernières {chance} %, plus basses {chance_low} %, plus hautes {chance_high} %.",
    ),
}


def t(lang: str, key: str, **values: Any) -> str:
    en, fr = TEXT[key]
    return french_spacing(fr.format(**values)) if lang == "fr" else en.format(**values)


@dataclass
class Chart:
    """A chart's drawing and caption; ``data`` is what it plots (kept for tests and pages)."""

    build: Callable[[], Figure]
    caption: str
    data: Any

    def render(self, fmt: str = "png") -> bytes:
        """Draw it (matplotlib; call in a worker thread from async code)."""
        return draw.to_bytes(self.build(), fmt)


def _clip(text: str) -> str:
    return text if len(text) <= CAPTION_MAX else text[: CAPTION_MAX - 1] + "…"


def _day(point: Point, lang: str) -> str:
    return fmt_date(point.day.isoformat(), lang)


def cutoffs_chart(draws: list[dict[str, Any]], score: int | None, lang: str) -> Chart | None:
    """/chart: the last 12 months of cut-offs by draw type."""
    data = series.cutoffs(draws, score)
    points = data.points()
    if not points:
        return None
    first, last = min(points, key=lambda p: p.day), max(points, key=lambda p: p.day)
    lines = [
        t(
            lang,
            "cutoffs",
            n=len(points),
            start=_day(first, lang),
            end=_day(last, lang),
        )
    ]
    for kind, kind_points in data.by_type.items():
        values = [int(p.value) for p in kind_points]
        lines.append(
            t(
                lang,
                "type_line",
                type=draw_type_label(lang, kind),
                low=fmt_int(min(values), lang),
                high=fmt_int(max(values), lang),
                last=fmt_int(values[-1], lang),
                date=_day(kind_points[-1], lang),
            )
        )
    if score is not None:
        lines.append(t(lang, "score", score=fmt_int(score, lang)))
    return Chart(lambda: draw.cutoffs_figure(data, lang), _clip("\n".join(lines)), data)


def pool_chart(draws: list[dict[str, Any]], lang: str) -> Chart | None:
    """/chart pool: the distribution now and four weeks earlier."""
    pair = series.pool_pair(draws)
    if pair is None:
        return None
    now, before = pair
    bands = now.finest(before) if before else now.finest()
    low = min(bands, key=lambda b: now.counts[b])
    high = max(bands, key=lambda b: now.counts[b])
    lines = [t(lang, "pool", date=fmt_date(now.as_on, lang), total=fmt_int(now.total, lang))]
    if before is not None:
        lines.append(
            t(
                lang,
                "pool_before",
                date=fmt_date(before.as_on, lang),
                total=fmt_int(before.total, lang),
            )
        )
    lines.append(
        t(
            lang,
            "pool_bands",
            low_label=now.label(low),
            low=fmt_int(now.counts[low], lang),
            high_label=now.label(high),
            high=fmt_int(now.counts[high], lang),
        )
    )
    return Chart(lambda: draw.pool_figure(now, before, lang), " ".join(lines), pair)


def ptime_chart(history: list[tuple[str, str]], program: str, name: str, lang: str) -> Chart | None:
    """/chart ptime PROGRAM: a program's processing time over the kept snapshots."""
    found = series.ptime(history, program)
    if found is None or not found[1]:
        return None
    _, points = found
    low = min(points, key=lambda p: p.value)
    high = max(points, key=lambda p: p.value)
    caption = t(
        lang,
        "ptime",
        name=name,
        last=_value(points[-1].text, lang),
        date=_day(points[-1], lang),
        low=_value(low.text, lang),
        low_date=_day(low, lang),
        high=_value(high.text, lang),
        high_date=_day(high, lang),
        n=len(points),
        start=_day(points[0], lang),
    )
    return Chart(lambda: draw.ptime_figure(name, points, lang), _clip(caption), found)


def _value(text: str, lang: str) -> str:
    return ircc_value(text, lang)


def iec_chart(history: list[tuple[str, str]], key: str, name: str, lang: str) -> Chart | None:
    """/chart iec COUNTRY CATEGORY: one pool's invitations and chances over the season."""
    season = series.iec_season(history, key)
    if season is None or not season.invitations:
        return None
    invitations, chances = (
        season.invitations,
        season.chances or [Point(season.invitations[-1].day, 0)],
    )
    caption = t(
        lang,
        "iec",
        name=name,
        last=fmt_int(int(invitations[-1].value), lang),
        date=_day(invitations[-1], lang),
        low=fmt_int(int(invitations[0].value), lang),
        start=_day(invitations[0], lang),
        chance=fmt_int(int(chances[-1].value), lang),
        chance_low=fmt_int(int(min(p.value for p in chances)), lang),
        chance_high=fmt_int(int(max(p.value for p in chances)), lang),
    )
    if lang != "fr":
        caption = caption.replace(" %", "%")
    return Chart(lambda: draw.iec_figure(name, season, lang), _clip(caption), season)

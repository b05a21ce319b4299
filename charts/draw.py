"""The four charts drawn with matplotlib's object API on the Agg canvas (no pyplot, no global
state), so a figure can be rendered in a worker thread off the event loop.

matplotlib is imported inside these functions only: ``check`` and the bot's start never pay
its import (tests/test_lazy_imports.py). Titles, axes, month names and numbers follow the
reader's language (babel); every figure is 960×540 px at 100 dpi (PNG, well under Telegram's
10 MB photo limit) or SVG for the review page.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_decimal

from charts.series import Cutoffs, Point, PoolSeason
from diffing import pool
from diffing.formats import french_spacing
from notifier.i18n import draw_type_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
SIZE = (9.6, 5.4)
DPI = 100
SHORT_SPAN_DAYS = 120

TEXT: dict[str, tuple[str, str]] = {
    "cutoffs": (
        "Express Entry: CRS cut-off of each draw, last 12 months",
        "Entrée express : note minimale du SCG de chaque ronde, 12 derniers mois",
    ),
    "crs": ("CRS cut-off", "Note minimale du SCG"),
    "your_score": ("Your score: {score}", "Votre note : {score}"),
    "pool": (
        "Express Entry pool by CRS band: {now} and {before}",
        "Bassin d’Entrée express par tranche du SCG : {now} et {before}",
    ),
    "pool_one": ("Express Entry pool by CRS band: {now}", "Bassin d’Entrée express : {now}"),
    "candidates": ("Candidates", "Candidats"),
    "band": ("CRS band", "Tranche du SCG"),
    "ptime": ("Processing time: {name}", "Délai de traitement : {name}"),
    "in_unit": ("{unit}", "{unit}"),
    "iec": ("{name}: invitations and chances", "{name} : invitations et chances"),
    "invitations": ("Invitations to date", "Invitations à ce jour"),
    "chances": ("Chances (%)", "Chances (%)"),
}
UNITS = {"day": ("days", "jours"), "week": ("weeks", "semaines"), "month": ("months", "mois")}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


def t(lang: str, key: str, **values: Any) -> str:
    en, fr = TEXT[key]
    return french_spacing(fr.format(**values)) if lang == "fr" else en.format(**values)


def number(value: float, lang: str) -> str:
    """A number as the reader writes it: 18,657 / 18 657."""
    return format_decimal(value, locale=LOCALES.get(lang, "en_CA"))


def day_label(day: date, lang: str, pattern: str = "MMM yyyy") -> str:
    """A day on an axis ("Aug 2026" / "août 2026")."""
    return format_date(day, pattern, locale=LOCALES.get(lang, "en_CA"))


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _date_axis(axes: Any, days: list[date], lang: str) -> None:
    """Month names on the time axis; days too when the span is under four months."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    short = bool(days) and (max(days) - min(days)).days < SHORT_SPAN_DAYS
    pattern = "d MMM" if short else "MMM yyyy"
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _: day_label(mdates.num2date(x).date(), lang, pattern))
    )


def _number_axis(axis: Any, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda y, _: number(round(y), lang)))


def cutoffs_figure(data: Cutoffs, lang: str) -> Figure:
    """One line of markers per draw type; the reader's score as a dashed line when set."""
    figure = _figure()
    axes = figure.add_subplot()
    colors = _colors(len(data.by_type))
    for color, (kind, points) in zip(colors, data.by_type.items(), strict=True):
        axes.plot(
            [p.day for p in points],
            [p.value for p in points],
            marker="o",
            markersize=4,
            linewidth=1,
            color=color,
            label=draw_type_label(lang, kind),
            gid=f"type:{kind}",
        )
    if data.score is not None:
        axes.axhline(
            data.score,
            color="black",
            linestyle="--",
            linewidth=1.2,
            label=t(lang, "your_score", score=number(data.score, lang)),
            gid="score",
        )
    axes.set_title(t(lang, "cutoffs"))
    axes.set_ylabel(t(lang, "crs"))
    axes.grid(True, alpha=0.3)
    _date_axis(axes, [p.day for p in data.points()], lang)
    _number_axis(axes.yaxis, lang)
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return figure


def pool_figure(now: pool.Distribution, before: pool.Distribution | None, lang: str) -> Figure:
    """Horizontal bars per CRS band (finest split both share), now and four weeks earlier."""
    figure = _figure()
    axes = figure.add_subplot()
    bands = now.finest(before) if before else now.finest()
    labels = [now.label(b) for b in bands]
    rows = list(range(len(bands)))
    height = 0.4 if before else 0.7
    when = day_label(date.fromisoformat(now.as_on), lang, "d MMM yyyy")
    axes.barh(
        [r - (height / 2 if before else 0) for r in rows],
        [now.counts[b] for b in bands],
        height=height,
        color="#1f77b4",
        label=when,
        gid="now",
    )
    if before is not None:
        earlier = day_label(date.fromisoformat(before.as_on), lang, "d MMM yyyy")
        axes.barh(
            [r + height / 2 for r in rows],
            [before.counts[b] for b in bands],
            height=height,
            color="#bbbbbb",
            label=earlier,
            gid="before",
        )
        axes.set_title(t(lang, "pool", now=when, before=earlier))
    else:
        axes.set_title(t(lang, "pool_one", now=when))
    axes.set_yticks(rows, labels)
    axes.invert_yaxis()
    axes.set_ylabel(t(lang, "band"))
    axes.set_xlabel(t(lang, "candidates"))
    _number_axis(axes.xaxis, lang)
    axes.grid(True, axis="x", alpha=0.3)
    axes.legend()
    return figure


def ptime_unit(points: list[Point]) -> str:
    """The unit IRCC uses for the latest value ("5 weeks" → week), days if none."""
    last = points[-1].text.lower() if points else ""
    return next((unit for unit in ("month", "week", "day") if unit in last), "day")


def ptime_figure(name: str, points: list[Point], lang: str) -> Figure:
    """A program's processing time at each update, in the unit of its latest value."""
    figure = _figure()
    axes = figure.add_subplot()
    unit = ptime_unit(points)
    axes.step(
        [p.day for p in points],
        [p.value / UNIT_DAYS[unit] for p in points],
        where="post",
        marker="o",
        markersize=4,
        gid="ptime",
    )
    axes.set_title(t(lang, "ptime", name=name))
    en, fr = UNITS[unit]
    axes.set_ylabel(fr if lang == "fr" else en)
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    _date_axis(axes, [p.day for p in points], lang)
    return figure


def iec_figure(name: str, season: PoolSeason, lang: str) -> Figure:
    """Invitations to date (bars' line, left axis) and chances (right axis) week by week."""
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot(
        [p.day for p in season.invitations],
        [p.value for p in season.invitations],
        marker="o",
        color="#1f77b4",
        label=t(lang, "invitations"),
        gid="invitations",
    )
    axes.set_ylabel(t(lang, "invitations"))
    axes.set_ylim(bottom=0)
    _number_axis(axes.yaxis, lang)
    right = axes.twinx()
    right.plot(
        [p.day for p in season.chances],
        [p.value for p in season.chances],
        marker="s",
        color="#d62728",
        label=t(lang, "chances"),
        gid="chances",
    )
    right.set_ylabel(t(lang, "chances"))
    right.set_ylim(bottom=0)
    axes.set_title(t(lang, "iec", name=name))
    axes.grid(True, alpha=0.3)
    _date_axis(axes, [p.day for p in season.invitations], lang)
    lines = axes.get_lines() + right.get_lines()
    axes.legend(lines, [line.get_label() for line in lines], loc="lower right")
    return figure


def to_bytes(figure: Figure, fmt: str = "png") -> bytes:
    """The figure as PNG or SVG bytes (SVG text as on the review page)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    # No software version or creation date: the same data gives the same bytes.
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}


def _colors(count: int) -> list[Any]:
    from matplotlib import colormaps

    # Ten distinct colours first; past ten types, the lighter half of tab20 too.
    name, size = ("tab10", 10) if count <= 10 else ("tab20", 20)
    palette = colormaps[name]
    return [palette(index % size) for index in range(count)]

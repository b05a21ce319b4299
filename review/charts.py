"""The charts beside a watch's history on the review page: the list of one watch's changes and
each change's page show the same charts the bot sends, as SVG (``/charts/WATCH/NAME.svg``), each
with its caption (the text alternative: lowest, highest and last values) under it.

Which charts a watch has follows its kind: the rounds feed has the cut-offs and the pool; a
processing-times watch the program of its newest change; an IEC watch the pool of its newest
change (else the first program or pool the file lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import sqlite_utils

from charts.make import Chart
from charts.pick import IEC, PTIME, ROUNDS, Refusal, choose
from diffing.document import Document
from storage import changes, snapshots, watches

LANG = "en"  # the review page is in English


@dataclass(frozen=True)
class _Watch:
    name: str
    kind: str
    lang: str


def charts_for(db: sqlite_utils.Database, watch: str) -> list[tuple[str, Chart]]:
    """(name, chart) of every chart the watch has, in page order; none for other kinds."""
    row = watches.get(db, watch)
    if row is None or row["kind"] not in (ROUNDS, PTIME, IEC):
        return []
    found = [_Watch(row["name"], row["kind"], row["lang"])]
    if row["kind"] == ROUNDS:
        asked = [("cutoffs", []), ("pool", ["pool"])]
    elif row["kind"] == PTIME:
        asked = [("ptime", ["ptime", key])] if (key := _program(db, watch)) else []
    else:
        asked = [("iec", ["iec", *pool])] if (pool := _pool(db, watch)) else []
    out = []
    for name, args in asked:
        chart = choose(db, found, args, LANG)
        if not isinstance(chart, Refusal):
            out.append((name, chart))
    return out


def _program(db: sqlite_utils.Database, watch: str) -> str | None:
    """The program of the watch's newest processing-time change, or the file's first one."""
    for change in changes.listing(db, watch=watch, kind="processing_time_changed", limit=20):
        data = change["data"] or {}
        if "countries" not in data and data.get("group") and data.get("program"):
            return f"{data['group']}/{data['program']}"
    for key, record in _latest(db, watch).items():
        if "program" in record and "country" not in record:
            return key
    return None


def _pool(db: sqlite_utils.Database, watch: str) -> list[str] | None:
    """(code, category) of the pool of the watch's newest pool change, or the first pool."""
    for change in changes.listing(db, watch=watch, kind="iec_pool_changed", limit=20):
        data = change["data"] or {}
        if data.get("code") and data.get("category"):
            return [data["code"], data["category"]]
    for record in _latest(db, watch).values():
        if "code" in record and "category" in record:
            return [record["code"], record["category"]]
    return None


def _latest(db: sqlite_utils.Database, watch: str) -> dict[str, dict]:
    snapshot = snapshots.latest(db, watch)
    if snapshot is None:
        return {}
    return Document.from_json(snapshots.document_json(snapshot)).records


def section(charts: list[tuple[str, Chart]], watch: str, prefix: str) -> str:
    """The charts' figures for a page: each SVG with its caption as alt text and under it."""
    if not charts:
        return ""
    figures = []
    for name, chart in charts:
        src = f"{prefix}/charts/{quote(watch, safe='')}/{name}.svg"
        caption = escape(chart.caption)
        figures.append(
            f'<figure class="chart"><img src="{escape(src)}" alt="{caption}" width="960" '
            f'height="540"><figcaption>{caption.replace(chr(10), "<br>")}</figcaption></figure>'
        )
    return f'<h2 id="charts">Charts of {escape(watch)}</h2>' + "".join(figures)

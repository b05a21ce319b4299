"""Kind ``processing-times``: IRCC's ``data-ptime-*.json`` files → one record per value.

Two files share the kind, told apart by their outline, not their name:

* program groups (``data-ptime-non-country-en.json``): ``{"iec": {"iec": "4 weeks",
  "iec_past": "Not enough data"}, ...}`` plus ``"default-update"`` with the dates;
  records ``"iec/iec"`` → ``{"group": "iec", "program": "iec", "value": "4 weeks"}``;
* per country (``data-ptime-en.json``): ``{"work": {"IN": "16 weeks", ..., "lastupdated":
  "December 3, 2025"}, ...}``, where a value may itself be an object
  (``"refugees_private": {"AF": {"sponsor": ..., "refugee": ...}}``); records ``"work/IN"``
  and ``"refugees_private.sponsor/AF"``, each with its ``country``.

The "as of" dates are kept in one record of their own (:data:`AS_OF_KEY`), so a version
that only moves the dates changes no program record, and a re-indented file none at all.
"""

from __future__ import annotations

import re
from typing import Any

from diffing.document import ContentError, Document
from diffing.textutil import load_json, squash

AS_OF_KEY = "as-of"
DATES_GROUP = "default-update"
_COUNTRY = re.compile(r"[A-Z]{2}")
_MIN_COUNTRIES = 5


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Parse either processing-times file into keyed records (see the module doc)."""
    data = load(body)
    records: dict[str, dict[str, Any]] = {}
    dates: dict[str, str] = {}
    for group, values in data.items():
        if not isinstance(values, dict):
            continue
        if group == DATES_GROUP:
            dates["default"] = _text(values.get("lastupdated"))
            dates["flpt"] = _text(values.get("flpt_lastupdated"))
        elif _per_country(values):
            if "lastupdated" in values:
                dates[group] = _text(values["lastupdated"])
            records.update(_country_records(group, values))
        else:
            for program, value in values.items():
                if isinstance(value, str):
                    key = f"{group}/{program}"
                    records[key] = {"group": group, "program": program, "value": squash(value)}
    if not records:
        raise ContentError("not a processing-times file", "no program has a value")
    lines = [f"{key}: {record['value']}" for key, record in records.items()]
    records[AS_OF_KEY] = {"dates": {k: v for k, v in dates.items() if v}}
    return Document(kind="processing-times", text="\n".join(lines), records=records)


def load(body: bytes) -> dict[str, Any]:
    """The file as a JSON object, or ContentError (an error page, a truncated body)."""
    data = load_json(body, "not a processing-times file")
    if not isinstance(data, dict):
        raise ContentError("not a processing-times file", "the file is not a JSON object")
    return data


def _per_country(values: dict[str, Any]) -> bool:
    """A program keyed by country codes ("AF", "AL", ...) rather than by program keys."""
    keys = [key for key in values if key != "lastupdated"]
    return len(keys) >= _MIN_COUNTRIES and all(_COUNTRY.fullmatch(key) for key in keys)


def _country_records(group: str, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for country, value in values.items():
        if country == "lastupdated":
            continue
        parts = value.items() if isinstance(value, dict) else [("", value)]
        for part, text in parts:
            if not isinstance(text, str):
                continue
            program = f"{group}.{part}" if part else group
            records[f"{program}/{country}"] = {
                "group": group,
                "program": program,
                "country": country,
                "value": squash(text),
            }
    return records


def _text(value: Any) -> str:
    return squash(value) if isinstance(value, str) else ""


def as_of(dates: dict[str, str], group: str, program: str) -> str:
    """The date IRCC gives for a program's value: the monthly one for ``*_flpt`` programs."""
    if program.endswith("_flpt") and dates.get("flpt"):
        return dates["flpt"]
    return dates.get(group) or dates.get("default", "")

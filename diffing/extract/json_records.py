"""Kind ``json``: any JSON file → records found by a JMESPath expression.

``records = "rounds[]"`` selects the records (a list of objects, or an object whose values
are objects); ``key = "drawNumber"`` names the field that identifies one. Without a key, a
record is identified by its path: its index in the list (``"[3]"``) or its name in the
object; a list whose objects all have a distinct id-like field ("id", "drawNumber", "code",
"url", …) is keyed by that field, so a record added at the top changes no other. Values keep
their JSON types; nested objects are compared field by field.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

from diffing.document import ContentError, Document
from diffing.formats import plural
from diffing.textutil import load_json


def compile_expression(expression: str) -> Any:
    """The compiled JMESPath, or ValueError with the parser's reason (for config-check)."""
    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(str(exc).strip().splitlines()[0]) from exc


def extract(
    body: bytes,
    *,
    selector: str | None = None,
    url: str = "",
    records: str | None = None,
    key: str | None = None,
) -> Document:
    """Records of the JSON ``body`` selected by ``records`` and keyed by ``key``."""
    data = load_json(body, "not a JSON file")
    found = select(data, records or "@", key)
    if not found:
        raise ContentError("no records", _nothing_found(data, records or "@", key))
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in found.items()]
    return Document(kind="json", text="\n".join(lines), records=found)


def select(data: Any, expression: str, key: str | None) -> dict[str, dict[str, Any]]:
    """Key → record for what ``expression`` selects in ``data`` (see the module doc)."""
    try:
        result = compile_expression(expression).search(data)
    except ValueError as exc:
        raise ContentError("bad records expression", str(exc)) from exc
    if isinstance(result, dict):
        items = [(str(name), value) for name, value in result.items()]
    elif isinstance(result, list):
        items = [(f"[{index}]", value) for index, value in enumerate(result)]
        key = key or identifying_field(result)
    else:
        return {}
    records: dict[str, dict[str, Any]] = {}
    for path, value in items:
        record = value if isinstance(value, dict) else {"value": value}
        ident = record.get(key) if key else path
        if key and (ident is None or ident == ""):
            continue
        records[str(ident)] = record
    return records


# Field names that identify a record: "id", "drawNumber", "code", "slug", "url", …
_ID_NAME = re.compile(r"^(?:id|key|code|slug|url|link|uuid|guid)$|(?:id|number|code|key)$", re.I)


def identifying_field(items: list[Any]) -> str | None:
    """An id-like field that every object of a list has, with a distinct plain value each.

    Without a ``key``, list records would be named by their positions, and one record
    added at the top would make every other one "changed"; such a field names them instead.
    """
    if len(items) < 2 or not all(isinstance(item, dict) for item in items):
        return None
    for name in items[0]:
        if not _ID_NAME.search(name):
            continue
        values = [item.get(name) for item in items]
        plain = all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
        if plain and all(v != "" for v in values) and len(set(values)) == len(values):
            return name
    return None


def _nothing_found(data: Any, expression: str, key: str | None) -> str:
    """Why nothing was found: the expression selects nothing, or no record has the key field."""
    unkeyed = select(data, expression, None) if key else {}
    if not unkeyed:
        return f"{expression} selects nothing"
    fields = sorted({name for record in unkeyed.values() for name in record})
    shown = ", ".join(fields[:8]) + (", …" if len(fields) > 8 else "")
    return (
        f"{expression} selects {plural(len(unkeyed), 'record', 'records')}, none with the key "
        f"field {key!r} "
        f"(their fields: {shown})"
    )

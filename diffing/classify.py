"""Turning a Diff into named changes (the DESIGN.md change records), per watch kind.

Record keys tell what a record is: "section:…" (a page section's sentences), "row:…" (a
table row), "category:…" (an Express Entry category), "event:…", and for the feeds a
draw number, a news key or a PNP entry key. Change kinds and their data are listed in
docs/kinds.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from diffing import pool
from diffing.change import MAINTAINERS, SUBSCRIBERS, Change, WatchInfo
from diffing.diff import Diff
from diffing.messages import draw_date_note
from diffing.recordkeys import CATEGORY_PREFIX, EVENT_PREFIX, ROW_PREFIX, SECTION_PREFIX
from diffing.sentences import canonical, is_rule_change, pair_edits

EXCERPT_LINES = 3
EXCERPT_CHARS = 300
EDITS_KEPT = 20

# Fields that may change without the record changing in a way anyone should hear about.
IGNORED_FIELDS: dict[str, set[str]] = {
    "atom": {"updated", "summary", "id", "published", "aliases", "feed"},
}


def classify(watch: WatchInfo, diff: Diff) -> list[Change]:
    """Named changes for ``diff``; an empty list when nothing worth telling changed."""
    classifier = CLASSIFIERS.get(watch.kind, _page)
    return classifier(watch, diff)


def removals(watch: WatchInfo, records: dict[str, dict[str, Any]]) -> list[Change]:
    """Changes for records whose disappearance has persisted past the grace period.

    Draws and categories are announced; table rows (an occupation dropped from a list)
    too. News, events and PNP entries roll off their pages by design: not announced.
    A vanished page section goes to maintainers only (it is usually a renamed heading).
    """
    if watch.kind in REMOVERS:
        return REMOVERS[watch.kind](watch, records)
    changes = []
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, record in records.items():
        if key.startswith(ROW_PREFIX) and watch.kind == "page":
            rows.setdefault(record.get("table", ""), []).append(record)
        elif watch.kind == "ee-rounds":
            data = {"number": record.get("number", key), "removed": True}
            data["name"] = record.get("name", "")
            changes.append(Change("draw_corrected", MAINTAINERS, data, key))
        elif watch.kind in ("atom", "events", "pnp-updates") or key.startswith(EVENT_PREFIX):
            continue
        elif key.startswith(CATEGORY_PREFIX):
            data = {"name": record["name"], "occupations": _occupation_list(record)}
            changes.append(Change("category_removed", SUBSCRIBERS, _linked(watch, data), key))
        else:
            data = {
                "page": record.get("page") or watch.name,
                "sections": [record.get("section", key)],
                "added": 0,
                "removed": len(record.get("sentences", [])) or 1,
                "edits": [
                    {"section": section_path(record), "before": sentence}
                    for sentence in record.get("sentences", [])[:EDITS_KEPT]
                ],
                "edit_count": len(record.get("sentences", [])),
                "excerpt": "\n".join(f"- {s}" for s in record.get("sentences", [])[:2]),
            }
            changes.append(Change("page_change", MAINTAINERS, _linked(watch, data), key))
    for table_rows in rows.values():
        changes.append(Change("row_removed", SUBSCRIBERS, _rows_data(watch, table_rows)))
    return changes


def significant(kind: str, changes: dict[str, tuple]) -> dict[str, tuple]:
    """Drop the field changes that the kind ignores."""
    ignored = IGNORED_FIELDS.get(kind, set())
    return {name: values for name, values in changes.items() if name not in ignored}


def excerpt(diff: Diff) -> str:
    """A few changed lines, "+ added" and "- removed", short enough for a message."""
    lines = [f"+ {line}" for line in diff.lines_added[:EXCERPT_LINES]]
    lines += [f"- {line}" for line in diff.lines_removed[: max(1, EXCERPT_LINES - len(lines))]]
    return _clip("\n".join(lines))


def page_change(watch: WatchInfo, diff: Diff, audience: str = SUBSCRIBERS) -> Change:
    """A line-count page_change from the raw line diff (pages without records)."""
    data = {
        "page": watch.name,
        "added": len(diff.lines_added),
        "removed": len(diff.lines_removed),
        "excerpt": excerpt(diff),
    }
    return Change("page_change", audience, _linked(watch, data))


def _ee_rounds(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = []
    for key, record in sorted(diff.added.items(), key=lambda item: _draw_order(item[0])):
        changes.append(
            Change(
                "new_draw",
                SUBSCRIBERS,
                _dated(
                    {
                        "number": record["number"],
                        "date": record["date"],
                        "date_full": record.get("date_full", ""),
                        "name": record["name"],
                        "size": record["size"],
                        "crs": record["crs"],
                    }
                ),
                key,
            )
        )
    for key, fields in sorted(diff.changed.items(), key=lambda item: _draw_order(item[0])):
        fields = {name: list(values) for name, values in fields.items()}
        audience = SUBSCRIBERS if {"crs", "size"} & set(fields) else MAINTAINERS
        changes.append(Change("draw_corrected", audience, {"number": key, "changes": fields}, key))
    return changes + _pool_changed(watch, diff)


def _pool_changed(watch: WatchInfo, diff: Diff) -> list[Change]:
    """One ``pool_changed`` when a new round carries a distribution other than the one the
    newest round before it carried (IRCC updates it about weekly: the week's later rounds
    repeat it and are not told again)."""
    newest = pool.newest_round(diff.added)
    if newest is None or pool.newest_round(diff.current) is not newest:
        return []
    earlier = {k: r for k, r in diff.current.items() if k not in diff.added}
    previous = pool.newest_round(earlier)
    try:
        after = pool.read(newest)
        before = pool.read(previous) if previous else None
    except pool.DistributionError:
        # The schema guard makes a wrong newest distribution a fault before this point.
        return []
    if after is None or after.same_figures(before):
        return []
    data = {"number": newest.get("number", ""), **pool.change_data(before, after)}
    return [Change(pool.CHANGED, SUBSCRIBERS, _linked(watch, data), f"pool:{after.as_on}")]


def _dated(data: dict[str, Any]) -> dict[str, Any]:
    """A draw's data with a note for maintainers when its dates are not unambiguous
    ("drawDate '12-04-2023' is not ISO; …"): subscribers read drawDateFull's day."""
    note = draw_date_note(data)
    if note:
        data["date_note"] = note
    return data


def _draw_order(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def _atom(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = [
        Change(
            "news",
            SUBSCRIBERS,
            {"title": r["title"], "url": r["url"], "published": r["published"]}
            | ({"feed": r["feed"]} if r.get("feed") else {}),
            key,
        )
        for key, r in sorted(diff.added.items(), key=lambda item: item[1].get("published", ""))
    ]
    for key, fields in diff.changed.items():
        fields = significant("atom", fields)
        if fields:
            lines = [f"{name}: {old} → {new}" for name, (old, new) in fields.items()]
            data = {"page": watch.name, "added": 1, "removed": 1, "excerpt": "\n".join(lines)}
            changes.append(Change("page_change", MAINTAINERS, data, key))
    return changes


def _page(watch: WatchInfo, diff: Diff) -> list[Change]:
    """Sections (sentence diffs) and table rows, in page order.

    A page without records (an old snapshot) falls back to the line diff.
    """
    if not (diff.current or diff.added or diff.changed):
        return [page_change(watch, diff)] if diff.lines_added or diff.lines_removed else []
    edits = _Edits(watch)
    renamed = renamed_sections(diff)
    changes: list[Change] = []
    added: dict[str, list[dict[str, Any]]] = {}
    edited: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    for key in [*diff.current, *(k for k in diff.added if k not in diff.current)]:
        record = diff.current.get(key) or diff.added[key]
        if key in diff.added and key.startswith(ROW_PREFIX):
            added.setdefault(record.get("table", ""), []).append(record)
        elif key in renamed:
            old = diff.removed[renamed[key]]
            changes.extend(
                edits.section(
                    record,
                    old.get("sentences") or [],
                    record.get("sentences") or [],
                    key=key,
                    renamed_from=old.get("section", ""),
                )
            )
        elif key in diff.added and key.startswith(SECTION_PREFIX):
            edits.section(record, [], record.get("sentences", []), new_section=True)
        elif key in diff.changed and key.startswith(ROW_PREFIX):
            if "cells" in diff.changed[key]:
                old_cells = diff.changed[key]["cells"][0]
                edited.setdefault(record.get("table", ""), []).append((record, old_cells))
        elif key in diff.changed and key.startswith(SECTION_PREFIX):
            changes.extend(_section_changed(record, diff.changed[key], key, edits))
    for table_rows in added.values():
        changes.append(Change("row_added", SUBSCRIBERS, _rows_data(watch, table_rows)))
    for table_edits in edited.values():
        changes.extend(_rows_changed(watch, table_edits, edits))
    return changes + edits.changes()


def renamed_sections(diff: Diff) -> dict[str, str]:
    """New section key → the key of the section it renamed: one that left the page in the same
    check and shares at least half of its sentences (a heading reworded, its text kept), so
    its edits are told as edits, not as a whole section added."""
    gone = {
        key: {canonical(s) for s in record.get("sentences") or []}
        for key, record in diff.removed.items()
        if key.startswith(SECTION_PREFIX)
    }
    renamed: dict[str, str] = {}
    for key, record in diff.added.items():
        if not key.startswith(SECTION_PREFIX) or not gone:
            continue
        sentences = {canonical(s) for s in record.get("sentences") or []}
        best = max(gone, key=lambda old: len(gone[old] & sentences))
        shared = len(gone[best] & sentences)
        if shared and shared * 2 >= max(len(gone[best]), len(sentences)):
            renamed[key] = best
            del gone[best]
    return renamed


def _section_changed(
    record: dict[str, Any], fields: dict[str, tuple], key: str, edits: _Edits
) -> list[Change]:
    """A known section's edits; a changed heading counts as its first sentence."""
    old = fields["sentences"][0] if "sentences" in fields else record.get("sentences")
    new = record.get("sentences", [])
    if "section" in fields:
        old = [fields["section"][0], *(old or [])]
        new = [fields["section"][1], *new]
    return edits.section(record, old or [], new, key=key)


class _Edits:
    """Collects a page's sentence edits: rule changes now, the rest as one page_change."""

    def __init__(self, watch: WatchInfo) -> None:
        self.watch = watch
        self.page = ""
        self.sections: list[str] = []
        self.added: list[str] = []
        self.removed: list[str] = []
        self.edits: list[dict[str, Any]] = []

    def section(
        self,
        record: dict[str, Any],
        old: list[str],
        new: list[str],
        *,
        new_section: bool = False,
        key: str | None = None,
        renamed_from: str = "",
    ) -> list[Change]:
        """Rule changes of one section (returned); other edits are kept for ``changes``."""
        name = record.get("section", "")
        where = section_path(record)
        self.page = self.page or record.get("page", "")
        befores, afters = [], []
        for before, after in pair_edits(old, new):
            if not new_section and is_rule_change(before, after):
                befores.append(before or "")
                afters.append(after or "")
                continue
            if before:
                self.removed.append(before)
            if after:
                self.added.append(after)
            edit = {"section": where, "before": before, "after": after}
            if renamed_from and not self._renamed(renamed_from):
                edit.update(renamed_from=renamed_from, renamed_to=name)
            self.edits.append(edit)
            if name not in self.sections:
                self.sections.append(name)
        if renamed_from and not (befores or afters or self._renamed(renamed_from)):
            # Renamed, its text unchanged: still a change its readers must hear about.
            self.edits.append({"section": where, "renamed_from": renamed_from, "renamed_to": name})
            if name not in self.sections:
                self.sections.append(name)
        if not (befores or afters):
            return []
        data = {
            "page": record.get("page", "") or self.watch.name,
            "section": where,
            "before": "\n".join(b for b in befores if b),
            "after": "\n".join(a for a in afters if a),
        }
        if renamed_from:
            data.update(renamed_from=renamed_from, renamed_to=name)
        return [Change("rule_change", SUBSCRIBERS, _linked(self.watch, data), key)]

    def _renamed(self, old: str) -> bool:
        """Whether an edit already says the section formerly named ``old`` was renamed."""
        return any(edit.get("renamed_from") == old for edit in self.edits)

    def changes(self) -> list[Change]:
        if not self.edits:
            return []
        lines = [f"+ {line}" for line in self.added] + [f"- {line}" for line in self.removed]
        data = {
            "page": self.page or self.watch.name,
            "sections": self.sections,
            "added": len(self.added),
            "removed": len(self.removed),
            "edits": [
                {name: value for name, value in edit.items() if value is not None}
                for edit in self.edits[:EDITS_KEPT]
            ],
            "edit_count": len(self.edits),
            "excerpt": _clip("\n".join(lines[:EXCERPT_LINES])),
        }
        return [Change("page_change", SUBSCRIBERS, _linked(self.watch, data))]


def section_path(record: dict[str, Any]) -> str:
    """Where a section sits, as people navigate the page: "Categories › Working Holiday"."""
    path = [name for name in record.get("path") or [] if name]
    return " › ".join(path) if path else record.get("section", "")


def _rows_changed(
    watch: WatchInfo, table_edits: list[tuple[dict[str, Any], list[str]]], edits: _Edits
) -> list[Change]:
    """One rule_change for the rows of a table whose figures changed; other edits to ``edits``."""
    befores, afters = [], []
    for record, old_cells in table_edits:
        before, after = _row_text(record, old_cells), _row_text(record, record.get("cells", []))
        if is_rule_change(before, after):
            befores.append(before)
            afters.append(after)
        else:
            edits.section({**record, "section": record.get("table", "")}, [before], [after])
    if not befores:
        return []
    record = table_edits[0][0]
    data = {
        "page": record.get("page") or watch.name,
        "section": record.get("table") or record.get("section", ""),
        "before": "\n".join(befores),
        "after": "\n".join(afters),
    }
    return [Change("rule_change", SUBSCRIBERS, _linked(watch, data))]


def _row_text(record: dict[str, Any], cells: list[str]) -> str:
    """ "Data scientists (21211): Minimum wage floor: Prevailing wage"."""
    columns = record.get("columns") or []
    if not cells:
        return ""
    parts = []
    for index, value in enumerate(cells[1:], start=1):
        label = columns[index] if index < len(columns) else ""
        parts.append(f"{label}: {value}" if label else value)
    return f"{cells[0]}: " + "; ".join(parts) if parts else cells[0]


def _rows_data(watch: WatchInfo, records: list[dict[str, Any]]) -> dict[str, Any]:
    """row_added / row_removed data: the table, its column names and the rows' cells."""
    first = records[0]
    data = {
        "page": first.get("page") or watch.name,
        "table": first.get("table", ""),
        "columns": first.get("columns", []),
        "rows": [record.get("cells", []) for record in records],
    }
    return _linked(watch, data)


def _renamed_categories(diff: Diff) -> dict[str, str]:
    """New category key → the key of the category it replaces: one that left the page in the
    same check and shares at least half of its occupations ("Healthcare occupations" →
    "Healthcare and social services occupations", 2025)."""
    gone = {
        key: set(record.get("occupations") or {})
        for key, record in diff.removed.items()
        if key.startswith(CATEGORY_PREFIX)
    }
    renamed: dict[str, str] = {}
    for key, record in diff.added.items():
        codes = set(record.get("occupations") or {})
        if not key.startswith(CATEGORY_PREFIX) or not codes:
            continue
        best = max(gone, key=lambda old: len(gone[old] & codes), default=None)
        if best is not None and len(gone[best] & codes) * 2 >= len(gone[best]) > 0:
            renamed[key] = best
            del gone[best]
    return renamed


def _ee_categories(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes: list[Change] = []
    renamed = _renamed_categories(diff)
    for key, record in diff.added.items():
        if key in renamed:
            old = diff.removed[renamed[key]]
            before, after = old.get("occupations") or {}, record.get("occupations") or {}
            data = {
                "category": record["name"],
                "renamed_from": old.get("name", ""),
                "added": [{"noc": c, "title": t} for c, t in after.items() if c not in before],
                "removed": [{"noc": c, "title": t} for c, t in before.items() if c not in after],
            }
            changes.append(Change("occupations_changed", SUBSCRIBERS, _linked(watch, data), key))
        elif key.startswith(CATEGORY_PREFIX):
            data = {"name": record["name"], "occupations": _occupation_list(record)}
            changes.append(Change("new_category", SUBSCRIBERS, _linked(watch, data), key))
    for key, fields in diff.changed.items():
        if not key.startswith(CATEGORY_PREFIX):
            continue
        record = diff.current.get(key, {})
        added = [_occupation(name, new) for name, (old, new) in fields.items() if old is None]
        removed = [_occupation(name, old) for name, (old, new) in fields.items() if new is None]
        added = [item for item in added if item]
        removed = [item for item in removed if item]
        if added or removed:
            data = {"category": record.get("name", ""), "added": added, "removed": removed}
            changes.append(Change("occupations_changed", SUBSCRIBERS, _linked(watch, data), key))
        if "requirements" in fields:
            old, new = fields["requirements"]
            edits = _Edits(watch)
            section = {"section": record.get("name", ""), "page": ""}
            changes.extend(edits.section(section, old or [], new or [], key=key))
            changes.extend(edits.changes())
    sections = Diff(
        added={k: v for k, v in diff.added.items() if k.startswith(SECTION_PREFIX)},
        changed={k: v for k, v in diff.changed.items() if k.startswith(SECTION_PREFIX)},
        current={k: v for k, v in diff.current.items() if k.startswith(SECTION_PREFIX)},
    )
    context = _page(watch, sections) if sections.added or sections.changed else []
    if changes:
        # Edits around a category change ("Categories chosen for 2026") only repeat it.
        for change in context:
            change.audience = MAINTAINERS
    return changes + context


def _occupation(field_name: str, title: Any) -> dict[str, str] | None:
    if not field_name.startswith("occupations.") or not isinstance(title, str):
        return None
    return {"noc": field_name.split(".", 1)[1], "title": title}


def _occupation_list(record: dict[str, Any]) -> list[dict[str, str]]:
    return [{"noc": code, "title": title} for code, title in record.get("occupations", {}).items()]


def _events(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = []
    for key, record in sorted(diff.added.items()):
        data = {name: record.get(name) for name in ("title", "date", "end", "when", "place")}
        data["link"] = record.get("link") or watch.url
        changes.append(Change("new_event", SUBSCRIBERS, data, key))
    return changes or _maintainers_only(watch, diff)


def _pnp_updates(watch: WatchInfo, diff: Diff) -> list[Change]:
    changes = []
    for key, record in sorted(diff.added.items(), key=lambda item: (item[1]["date"], item[0])):
        data = {
            name: record.get(name)
            for name in ("province", "date", "headline", "invitations", "score")
        }
        changes.append(Change("pnp_update", SUBSCRIBERS, _linked(watch, data), key))
    return changes or _maintainers_only(watch, diff)


def _maintainers_only(watch: WatchInfo, diff: Diff) -> list[Change]:
    """Text edits outside the records of a feed-like page: worth a look, not an alert."""
    if not (diff.lines_added or diff.lines_removed):
        return []
    return [page_change(watch, diff, MAINTAINERS)]


def _linked(watch: WatchInfo, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the live page's address, which every message ends with."""
    if watch.url:
        data["url"] = watch.url
    return data


def _clip(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


CLASSIFIERS: dict[str, Callable[[WatchInfo, Diff], list[Change]]] = {
    "ee-rounds": _ee_rounds,
    "atom": _atom,
    "page": _page,
    "ee-categories": _ee_categories,
    "events": _events,
    "pnp-updates": _pnp_updates,
}
# Kinds whose removals their own module words.
REMOVERS: dict[str, Callable[[WatchInfo, dict[str, dict[str, Any]]], list[Change]]] = {}

# Modules that declare classifiers of their own kinds (``CLASSIFIERS`` and ``REMOVERS`` dicts),
# as the bot's command modules declare their commands: each is registered here, and none imports
# this module.
KIND_MODULES = ("diffing.datakinds",)
for _name in KIND_MODULES:
    _module = importlib.import_module(_name)
    CLASSIFIERS.update(_module.CLASSIFIERS)
    REMOVERS.update(_module.REMOVERS)

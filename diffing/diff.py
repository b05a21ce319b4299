"""Comparing two Documents: a unified line diff and a record diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from diffing.recordkeys import SECTION_PREFIX


@dataclass
class Diff:
    """What differs between two Documents.

    ``added`` and ``changed`` are judged against every record ever seen (``known``), not
    just the previous snapshot, so a record that flickers out and back is not new.
    ``removed`` lists the keys present in the previous snapshot and absent now.
    ``current`` is the new snapshot's records, so a classifier can name what changed.
    A record may list ``aliases``: other identities under which it may have been seen
    (a news release whose URL gained a "0"); a record known by an alias is not new. A page
    section is also known by its exact heading. ``rekeyed`` lists the old keys of records
    now found under another key: their disappearance is no removal.
    """

    unified: str = ""
    lines_added: list[str] = field(default_factory=list)
    lines_removed: list[str] = field(default_factory=list)
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    returned: list[str] = field(default_factory=list)
    rekeyed: list[str] = field(default_factory=list)
    current: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.lines_added or self.lines_removed or self.added or self.removed or self.changed
        )


def line_diff(
    old: str, new: str, *, label_old: str = "before", label_new: str = "after", context: int = 2
) -> tuple[str, list[str], list[str]]:
    """Unified diff of two texts, plus the added and removed lines on their own."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    unified = "\n".join(
        difflib.unified_diff(old_lines, new_lines, label_old, label_new, n=context, lineterm="")
    )
    added, removed = [], []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(old_lines[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(new_lines[j1:j2])
    return unified, added, removed


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> dict[str, tuple]:
    """Fields whose values differ, flattened one level ("fields.dd1"), as (old, new)."""
    changes: dict[str, tuple] = {}
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            changes.update(field_changes(before, after, f"{prefix}{name}."))
        else:
            changes[f"{prefix}{name}"] = (before, after)
    return changes


def diff_documents(
    old_text: str,
    new_text: str,
    old_records: dict[str, dict[str, Any]],
    new_records: dict[str, dict[str, Any]],
    known: dict[str, dict[str, Any]],
) -> Diff:
    """Diff two snapshots' content; ``known`` holds every record ever seen for the watch."""
    unified, added_lines, removed_lines = line_diff(old_text, new_text)
    result = Diff(
        unified=unified, lines_added=added_lines, lines_removed=removed_lines, current=new_records
    )
    aliases = {alias: key for key, data in known.items() for alias in identities(key, data)}
    previous = {alias: key for key, data in old_records.items() for alias in identities(key, data)}
    for key, record in new_records.items():
        seen_as = key if key in known else _alias_of(key, record, aliases)
        earlier = None if seen_as or key in old_records else _alias_of(key, record, previous)
        if seen_as is not None:
            before = known[seen_as]
            if seen_as != key:
                result.rekeyed.append(seen_as)
        elif earlier is not None:
            # Known under another key in the previous snapshot only (the page-level fallback
            # keeps no record history): a section that moved key keeps its identity.
            before = old_records[earlier]
            result.rekeyed.append(earlier)
        elif key in old_records:
            # Re-extracted with a newer extractor: the previous snapshot had it already.
            before = old_records[key]
        else:
            result.added[key] = record
            continue
        changes = field_changes(before, record)
        if changes:
            result.changed[key] = changes
        if key not in old_records or seen_as is None:
            # Back after an absence, or known only from the previous snapshot re-read by a
            # newer extractor (a new key for an entry already told): remember it now.
            result.returned.append(key)
    for key, record in old_records.items():
        if key not in new_records:
            result.removed[key] = record
    return result


def identities(key: str, record: dict[str, Any]) -> list[str]:
    """The other names a record goes by: its ``aliases``, and for a page section its exact
    heading ("title:…"), by which it keeps its identity when its key changes."""
    names = list(record.get("aliases", ()))
    if key.startswith(SECTION_PREFIX) and record.get("section"):
        names.append(f"title:{record['section']}")
    return names


def _alias_of(key: str, record: dict[str, Any], aliases: dict[str, str]) -> str | None:
    """The key of a known record that ``record`` names among its identities, if any."""
    return next((aliases[alias] for alias in identities(key, record) if alias in aliases), None)

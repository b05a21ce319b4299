"""Find the line on which a key or table of config.toml was written.

``tomllib`` gives no line numbers for values; this small scanner does, so that every message of
``ircc-watch config-check`` can name the line to fix.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Sequence

TomlPath = tuple[str | int, ...]


class Locator:
    """Find the line on which a table or key was written.

    Paths are tuples such as ``("settings", "interval")`` or ``("watch", 2, "url")`` (the third
    ``[[watch]]`` block). The text has already been parsed by tomllib, so it is valid TOML; the
    scanner only tracks strings and brackets so that the inside of a multi-line array or string
    is never mistaken for a key.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[TomlPath, int] = {}
        self._counts: dict[TomlPath, int] = {}
        # Errors here mean a scanner bug: keep the lines found so far rather than fail the load.
        with contextlib.suppress(ValueError, IndexError, tomllib.TOMLDecodeError):
            self._scan(text)

    def line(self, path: TomlPath) -> int:
        """Return the line of ``path``, or of its nearest written parent, or 1."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def _record(self, path: TomlPath, number: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], number)

    def _resolve(self, keys: Sequence[str]) -> TomlPath:
        """Insert the current index after each array-of-tables name in ``keys``."""
        path: list[str | int] = []
        for key in keys:
            path.append(key)
            count = self._counts.get(tuple(path))
            if count is not None:
                path.append(count - 1)
        return tuple(path)

    def _scan(self, text: str) -> None:
        table: TomlPath = ()
        mode: str | None = None
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            start = 0
            if mode is None and depth == 0:
                stripped = line.lstrip()
                offset = len(line) - len(stripped)
                if stripped.startswith("[["):
                    keys, _ = _read_key(stripped, 2)
                    parent = self._resolve(keys[:-1]) + (keys[-1],)
                    index = self._counts.get(parent, 0)
                    self._counts[parent] = index + 1
                    table = (*parent, index)
                    self._record(table, number)
                    continue
                if stripped.startswith("["):
                    keys, _ = _read_key(stripped, 1)
                    table = self._resolve(keys)
                    self._record(table, number)
                    continue
                if stripped and not stripped.startswith("#"):
                    keys, end = _read_key(stripped, 0)
                    self._record(table + tuple(keys), number)
                    start = offset + stripped.index("=", end) + 1
                else:
                    continue
            mode, depth = _scan_value(line, start, mode, depth)


def _read_key(text: str, i: int) -> tuple[list[str], int]:
    """Read a possibly dotted, possibly quoted TOML key starting at ``text[i]``."""
    keys: list[str] = []
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            keys.append(tomllib.loads(f"k = {text[i : j + 1]}")["k"])
            i = j + 1
        elif i < n and text[i] == "'":
            j = text.index("'", i + 1)
            keys.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            keys.append(text[i:j])
            i = j
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return keys, i


def _scan_value(line: str, i: int, mode: str | None, depth: int) -> tuple[str | None, int]:
    """Follow strings and brackets through one line of a value; return the state at its end."""
    n = len(line)
    while i < n:
        if mode == '"""':
            if line[i] == "\\":
                i += 2
                continue
            if line.startswith('"""', i):
                i += 3
                while i < n and line[i] == '"':
                    i += 1
                mode = None
                continue
            i += 1
            continue
        if mode == "'''":
            if line.startswith("'''", i):
                i += 3
                while i < n and line[i] == "'":
                    i += 1
                mode = None
                continue
            i += 1
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            mode = line[i : i + 3]
            i += 3
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "'":
            end = line.find("'", i + 1)
            i = n if end < 0 else end + 1
        elif c in "[{":
            depth += 1
            i += 1
        elif c in "]}":
            depth -= 1
            i += 1
        else:
            i += 1
    return mode, depth

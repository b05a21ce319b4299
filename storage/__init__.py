"""The SQLite database: one module per table or concern, all through sqlite-utils.

Importing this package imports sqlite-utils without numpy and pandas. sqlite-utils imports
both whenever they are installed (matplotlib, for the charts, brings numpy) only to map
their scalar types to column types; ircc-watch stores none. numpy's import starts its BLAS
threads: about 0.15 s of CPU, a sixth of every cron ``check``. Either one still imports
normally afterwards (a chart loads numpy when it draws).
"""

from __future__ import annotations

import sys

OPTIONAL = ("numpy", "pandas")


def _import_sqlite_utils() -> None:
    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


_import_sqlite_utils()

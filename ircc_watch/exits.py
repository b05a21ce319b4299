"""Exit codes of the ``ircc-watch`` command, and the errors that end it with one line.

    0    done (check: every watch worked)
    1    a watch failed (check), the config is invalid, or no such change/hold
    2    usage or environment: bad arguments, unknown watch, database folder missing or file
         not a database, review port busy, Telegram rejected the token
    130  interrupted (Ctrl-C)
    141  the output pipe was closed (``… | head``): the command stops quietly

A user never sees a traceback for these: each is one line saying what and how to fix it.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

OK = 0
FAILED = 1
USAGE = 2
INTERRUPTED = 130
CLOSED_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command a closed pipe stopped


class UserError(Exception):
    """Something the user can fix: ends the command with this one line and ``code``."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def database_folder_problem(database: Path) -> str | None:
    """Say why the database cannot be created where asked, or None (it is never created in a
    folder that does not exist: a typo in --db must not leave a new empty database around)."""
    folder = database.parent
    if folder.is_dir():
        return None
    what = "is not a folder" if folder.exists() else "does not exist"
    return (
        f"{database}: the folder {folder} {what}. Fix: create it (mkdir -p {folder}), or pass "
        "--db (or set settings.database) with a file in an existing folder."
    )


def database_message(database: Path, exc: sqlite3.DatabaseError) -> str:
    """One line for an SQLite error on the database file."""
    reason = str(exc) or type(exc).__name__
    if "malformed" in reason:
        return (
            f"{database}: the database file is damaged ({reason}). Fix: stop ircc-watch, "
            f"restore the file from a backup, or rebuild it with `sqlite3 {database} .recover "
            "| sqlite3 NEW.db` and pass --db NEW.db."
        )
    if "not a database" in reason:
        fix = "pass --db with an ircc-watch database, or with a new file name to start one"
        return f"{database}: not an SQLite database ({reason}). Fix: {fix}."
    if "locked" in reason:
        return (
            f"{database}: {reason}: another process holds it. Fix: try again in a moment, or "
            "stop the other ircc-watch command."
        )
    return f"{database}: cannot use the database ({reason}). Fix: check its path and permissions."


def port_busy_message(host: str, port: int, exc: OSError) -> str:
    """One line for a review page that cannot listen on host:port."""
    reason = exc.strerror or str(exc)
    return (
        f"[review] cannot listen on {host}:{port} ({reason}). Fix: stop what uses that port "
        "(another ircc-watch run?), or set another port in [review]."
    )


def quiet_closed_pipe() -> int:
    """The reader of stdout went away: point stdout at /dev/null so the final flush at exit
    does not fail again, and return :data:`CLOSED_PIPE`."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return CLOSED_PIPE

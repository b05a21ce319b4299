"""One writer per database: an OS file lock beside the database file.

``ircc-watch run`` holds it for its whole life, ``check``, ``replay`` and ``vacuum`` while they
write. ``fcntl.flock`` is released by the kernel when the process ends, however it ends, so a
crash never leaves a stale lock; the file keeps the holder's pid and command for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class Locked(Exception):
    """Another process holds the database's lock; ``holder`` is what it wrote ("pid command")."""

    def __init__(self, path: Path, pid: int | None, command: str) -> None:
        super().__init__(f"{path} is locked by pid {pid}")
        self.path = path
        self.pid = pid
        self.command = command


def lock_path(database: str | Path) -> Path:
    """The lock file of a database: ``NAME.db.lock`` in the same folder."""
    return Path(f"{database}.lock")


class DatabaseLock:
    """The exclusive lock of one database, taken without waiting (``acquire``) and released by
    ``release`` or by the process's end."""

    def __init__(self, database: str | Path, command: str) -> None:
        self.path = lock_path(database)
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> DatabaseLock:
        """Take the lock or raise Locked naming the process that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            os.close(fd)
            pid = int(holder[0]) if holder and holder[0].isdigit() else None
            raise Locked(self.path, pid, " ".join(holder[1:]) or "ircc-watch") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self.command}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the lock go (the file stays: removing it would race a process opening it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> DatabaseLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

"""Whole-process cost: CPU of a finished child (getrusage) or of a live process tree (/proc)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def run_cpu(cmd: Sequence[str], **options: Any) -> tuple[float, float, int]:
    """Run ``cmd`` to its end; (CPU seconds of it and its children, wall seconds, exit code).

    ``RUSAGE_CHILDREN`` counts every descendant that was waited for, so interpreter start-up,
    imports and worker processes are all in the figure.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(cmd), **options)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.returncode


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a live process, all its threads and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        fields = _stat(current)
        if fields:
            # utime, stime, cutime, cstime (fields 14-17 of stat, here shifted by 3)
            total += sum(int(value) for value in fields[11:15]) / TICK
        todo.extend(children.get(current, []))
    return total


def rss_kib(pid: int) -> int:
    """Resident memory of a live process, KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min and max of the samples, and the samples themselves."""
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "n": len(values),
        "samples": [round(value, 4) for value in values],
    }


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll ``predicate`` until true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy the machine was."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "loadavg": [round(value, 2) for value in os.getloadavg()],
    }

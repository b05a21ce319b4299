"""The peers, installed by the benchmark itself: urlwatch and changedetection.io, pinned.

Each gets its own virtual environment under bench/.peers (git-ignored), made on first use
with pip from PyPI. Each tool is run as a user would run it, against the same local workload,
and charged its whole cost: start-up, imports, workers and children included.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.measure import run_cpu, tree_cpu, wait_until
from bench.workload import Workload

PEERS = Path(__file__).resolve().parent / ".peers"
URLWATCH = "urlwatch==2.29"
CHANGEDETECTION = "changedetection.io==0.60.10"


class PeerUnavailable(RuntimeError):
    """A peer could not be installed or run here; the message says exactly why."""


def ensure(name: str, requirement: str, executable: str) -> Path:
    """The peer's executable in its own venv, installing ``requirement`` once."""
    venv = PEERS / name
    exe = venv / "bin" / executable
    marker = venv / "installed.txt"
    if exe.exists() and marker.exists() and marker.read_text() == requirement:
        return exe
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", requirement],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            lines = [ln for ln in done.stderr.splitlines() if "is ignored" not in ln]
            raise PeerUnavailable(f"{' '.join(step[-2:])} failed: " + " | ".join(lines[-5:]))
    marker.write_text(requirement)
    return exe


# urlwatch ----------------------------------------------------------------------------------

URLWATCH_CONFIG = """\
display: {new: true, error: true, unchanged: false}
report:
  text: {details: true, footer: false, line_length: 75}
  stdout: {enabled: true, color: false}
  html: {diff: unified}
"""


class Urlwatch:
    """urlwatch with one job per watch; HTML jobs keep ``<main>`` (css filter), as a user
    would configure it to ignore canada.ca's per-fetch Akamai script."""

    def __init__(self, workdir: Path, watches: list[tuple[str, str, str]]) -> None:
        self.exe = ensure("urlwatch", URLWATCH, "urlwatch")
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        jobs = []
        for name, url, kind in watches:
            job = f"name: {name}\nurl: {url}\n"
            if kind == "page":
                job += "filter:\n  - css: main\n"
            jobs.append(job)
        (workdir / "urls.yaml").write_text("---\n".join(jobs), encoding="utf-8")
        (workdir / "urlwatch.yaml").write_text(URLWATCH_CONFIG, encoding="utf-8")

    def reset(self) -> None:
        (self.dir / "cache.db").unlink(missing_ok=True)

    def check(self) -> tuple[float, float]:
        """One whole ``urlwatch`` run: (CPU s, wall s)."""
        cmd = [
            str(self.exe),
            "--urls",
            str(self.dir / "urls.yaml"),
            "--config",
            str(self.dir / "urlwatch.yaml"),
            "--cache",
            str(self.dir / "cache.db"),
        ]
        env = {**os.environ, "HOME": str(self.dir)}
        cpu, wall, code = run_cpu(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir
        )
        if code not in (0,):
            raise PeerUnavailable(f"urlwatch exited {code}")
        return cpu, wall


# changedetection.io ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Changedetection:
    """changedetection.io with the plain requests fetcher; batch mode (``-b``) for the
    cron-like passes, the daemon with watches added through its REST API for the rest."""

    def __init__(self, workdir: Path, watches: list[tuple[str, str, str]]) -> None:
        self.exe = ensure("changedetection", CHANGEDETECTION, "changedetection.py")
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.watches = watches
        # It refuses loopback URLs unless told otherwise (SSRF protection).
        self.env = {**os.environ, "ALLOW_IANA_RESTRICTED_ADDRESSES": "true", "HOME": str(workdir)}
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.key = ""

    def _cmd(self, datastore: Path, *extra: str) -> list[str]:
        return [str(self.exe), "-d", str(datastore), "-l", "ERROR", *extra]

    def batch_first(self, datastore: Path) -> tuple[float, float]:
        """A new datastore, every watch added with ``-u`` and checked once, then exit."""
        shutil.rmtree(datastore, ignore_errors=True)
        args = ["-C", "-b", "-h", "127.0.0.1", "-p", str(free_port())]
        for i, (_, url, _) in enumerate(self.watches):
            args += ["-u", url, f"-u{i}", json.dumps({"fetch_backend": "html_requests"})]
        return self._batch(self._cmd(datastore, *args))

    def batch_check(self, datastore: Path) -> tuple[float, float]:
        """Recheck every watch of an existing datastore once, then exit (cron-like)."""
        return self._batch(
            self._cmd(datastore, "-b", "-r", "all", "-h", "127.0.0.1", "-p", str(free_port()))
        )

    def _batch(self, cmd: list[str]) -> tuple[float, float]:
        cpu, wall, code = run_cpu(
            cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900
        )
        if code != 0:
            raise PeerUnavailable(f"changedetection.io batch run exited {code}")
        return cpu, wall

    # daemon

    def start_daemon(self, datastore: Path, workload: Workload) -> float:
        """Start the daemon on a new datastore, add every watch through the API and wait for
        all first checks; returns the daemon's CPU seconds until then."""
        shutil.rmtree(datastore, ignore_errors=True)
        self.port = free_port()
        first = self.watches[0][1]
        # One watch on the command line: a new datastore given none gets example watches
        # on the internet, which this benchmark must never fetch.
        cmd = self._cmd(
            datastore,
            "-C",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-u",
            first,
            "-u0",
            json.dumps({"fetch_backend": "html_requests"}),
        )
        self.process = subprocess.Popen(
            cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not wait_until(lambda: (datastore / "changedetection.json").exists(), 60):
            raise PeerUnavailable("changedetection.io daemon wrote no datastore in 60 s")
        if not wait_until(self._up, 60, 0.2):
            raise PeerUnavailable("changedetection.io daemon did not answer in 60 s")
        settings = json.loads((datastore / "changedetection.json").read_text())
        self.key = settings["settings"]["application"]["api_access_token"]
        before = workload.hits
        for _, url, _ in self.watches[1:]:
            self._api("POST", "/api/v1/watch", {"url": url, "fetch_backend": "html_requests"})
        # The site's counter first (free), then the API's word that every watch was checked.
        wait_until(lambda: workload.hits - before >= len(self.watches) - 1, 120, 0.2)
        self._wait_checked(0)
        return tree_cpu(self.process.pid)

    def daemon_pass(self, workload: Workload) -> tuple[float, float]:
        """One 'recheck all' through the API: (daemon CPU s, wall s) until every watch has
        been fetched and processed."""
        assert self.process is not None
        start_cpu, start = tree_cpu(self.process.pid), time.time()
        before = workload.hits
        self._api("GET", "/api/v1/watch?recheck_all=1")
        wait_until(lambda: workload.hits - before >= len(self.watches), 120, 0.05)
        self._wait_checked(start)
        return tree_cpu(self.process.pid) - start_cpu, time.time() - start

    def stop_daemon(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def _wait_checked(self, since: float) -> None:
        def done() -> bool:
            listing = self._api("GET", "/api/v1/watch")
            return len(listing) >= len(self.watches) and all(
                (w.get("last_checked") or 0) >= max(int(since), 1) for w in listing.values()
            )

        if not wait_until(done, 300, 0.5):
            raise PeerUnavailable("changedetection.io did not finish its checks in 300 s")

    def _up(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2).read()
            return True
        except OSError:
            return False

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"x-api-key": self.key, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

"""Shared test helpers: real fixture files, a local site, config files, a real database."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from tests.fakes.site import LocalSite

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = FIXTURES / "real"


def unpack(archive: Path, into: Path) -> list[Path]:
    """Extract a fixture .tar.xz into ``into``; returns the members in name order."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return sorted(p for p in into.rglob("*") if p.is_file())


def write_config(
    directory: Path, watches: list[dict], settings: dict | None = None, extra: str = ""
) -> Path:
    """Write a config.toml with the given watches into ``directory``; returns its path."""
    settings = {
        "database": "test.db",
        "allowed_domains": ["canada.ca", "127.0.0.1"],
        **(settings or {}),
    }
    lines = ["[settings]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    for watch in watches:
        lines.append("\n[[watch]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in watch.items()]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n" + textwrap.dedent(extra), encoding="utf-8")
    return path


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run the real ``ircc-watch`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "ircc_watch.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def site():
    with LocalSite() as local:
        yield local


@pytest.fixture(scope="session", autouse=True)
def stop_twisted_thread_pool():
    """Tests that crawl in-process start Twisted's thread pool; stop it or pytest never exits."""
    yield
    if "twisted.internet.reactor" in sys.modules:
        from crawlers.runner import stop_reactor

        stop_reactor()

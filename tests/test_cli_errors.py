"""What the command says when the environment is wrong: one line, a documented exit code,
never a traceback (closed pipe, missing folder, a file that is not a database, a busy port)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli, write_config
from tests.test_cli import make_history
from tests.test_service import free_port

URL = "https://www.canada.ca/en.html"


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """Run the command with stdout a pipe whose reader is already gone (``… | head`` after
    head has exited): the first write fails with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ircc_watch.cli", *args],
            cwd=ROOT,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)
    return done


@pytest.mark.parametrize("command", [["show", "1"], ["changes"], ["changes", "--json"]])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, command):
    config, folder = make_history(tmp_path)
    assert run_cli("--config", str(config), "replay", str(folder)).returncode == 0
    done = run_into_closed_pipe("--config", str(config), *command)
    assert done.stderr == ""
    assert done.returncode == 141


@pytest.mark.parametrize("command", [["changes"], ["check"], ["watches"], ["run"]])
def test_a_database_in_a_missing_folder_is_one_line_and_creates_nothing(tmp_path, command):
    config = write_config(tmp_path, [{"name": "rules", "url": URL}])
    missing = tmp_path / "nonexistent" / "dir"
    done = run_cli("--config", str(config), "--db", str(missing / "x.db"), *command)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert f"the folder {missing} does not exist" in line and "Fix: " in line
    assert not (tmp_path / "nonexistent").exists()


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    config = write_config(tmp_path, [{"name": "rules", "url": URL}])
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes, not a database.\n" * 200, encoding="utf-8")
    before = notes.read_bytes()
    for command in (["changes"], ["watches"], ["show", "1"]):
        done = run_cli("--config", str(config), "--db", str(notes), *command)
        assert done.returncode == 2, command
        (line,) = done.stderr.splitlines()
        assert f"{notes}: not an SQLite database" in line and "Fix: " in line
    assert notes.read_bytes() == before


def test_run_on_a_busy_review_port_names_it_and_exits_2(tmp_path):
    port = free_port()
    config = write_config(
        tmp_path,
        [{"name": "rules", "url": URL, "interval": "1h"}],
        extra=f'[review]\nhost = "127.0.0.1"\nport = {port}\n',
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        done = run_cli("--config", str(config), "run", timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "[review]" in line]
    assert f"127.0.0.1:{port}" in line and "another port in [review]" in line


def test_exit_codes_are_the_documented_ones(tmp_path):
    config = write_config(tmp_path, [{"name": "rules", "url": URL}])
    assert run_cli("--config", str(config), "config-check").returncode == 0
    assert run_cli("--config", str(config), "check", "nosuchwatch").returncode == 2
    assert run_cli("--config", str(config), "nosuchcommand").returncode == 2
    assert run_cli("--config", str(config), "show", "7").returncode == 1
    assert run_cli("--config", str(tmp_path / "missing.toml"), "changes").returncode == 1
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, meaning in (("0", "ok"), ("1", "a watch failed"), ("2", "usage"), ("141", "pipe")):
        assert any(
            line.lstrip("| ").startswith(code) and meaning in line for line in readme.splitlines()
        ), code


def test_under_json_logs_every_line_on_stderr_is_json(tmp_path):
    config, folder = make_history(tmp_path)
    (folder / "dtf" / "2025-03-01T1200Z_empty.html").write_bytes(b"")
    json_logs = ("--config", str(config), "--log-format", "json")
    done = run_cli(*json_logs, "replay", str(folder))
    again = run_cli(*json_logs, "replay", str(folder))
    missing = run_cli(*json_logs, "--db", str(tmp_path / "no" / "x.db"), "changes")
    for run in (done, again, missing):
        lines = run.stderr.splitlines()
        assert lines and all(json.loads(line)["message"] for line in lines), run.stderr
    assert any("1 failed" in json.loads(line)["message"] for line in done.stderr.splitlines())

"""The command line as a maintainer uses it: replay, changes, show, review, watches, config."""

from __future__ import annotations

import json
import shutil

from tests.conftest import REAL, run_cli, write_config

NOISE = REAL / "canada_ca_html" / "gcweb_noise_only" / "date-time-format"
URL = "https://www.canada.ca/en/government/data-reference-standard-date-time-format.html"


def make_history(tmp_path):
    """A replay folder with a real page, then the same page with one real-looking edit."""
    folder = tmp_path / "replay" / "dtf"
    folder.mkdir(parents=True)
    versions = sorted(NOISE.glob("*.html"))
    shutil.copy(versions[0], folder / versions[0].name)
    edited = (
        versions[1]
        .read_text(encoding="utf-8")
        .replace("6.1 For interpretation", "6.1 For questions about the interpretation")
    )
    (folder / "2025-02-01T1200Z_edited.html").write_text(edited, encoding="utf-8")
    config = write_config(tmp_path, [{"name": "dtf", "url": URL, "topic": "standards"}])
    return config, tmp_path / "replay"


def test_replay_prints_only_json_lines_with_the_contract_fields(tmp_path):
    config, folder = make_history(tmp_path)
    result = run_cli("--config", str(config), "replay", str(folder))
    assert result.returncode == 0, result.stderr
    (change,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(change) == [
        "watch",
        "kind",
        "topic",
        "audience",
        "observed_at",
        "title",
        "summary",
        "data",
    ]
    assert change["kind"] == "page_change" and change["topic"] == "standards"
    assert change["observed_at"] == "2025-02-01T12:00:00Z"
    assert change["data"]["added"] == 1 and change["data"]["removed"] == 1


def test_replay_refuses_a_folder_named_after_no_watch(tmp_path):
    config, folder = make_history(tmp_path)
    (folder / "typo").mkdir()
    result = run_cli("--config", str(config), "replay", str(folder))
    assert result.returncode == 2 and result.stdout == ""
    assert "no watch named typo" in result.stderr


def test_changes_show_review_and_watches(tmp_path):
    config, folder = make_history(tmp_path)
    run_cli("--config", str(config), "replay", str(folder))

    listing = run_cli("--config", str(config), "changes", "--unreviewed")
    assert listing.returncode == 0
    assert "*    1  2025-02-01T12:00:00Z  dtf" in listing.stdout
    assert "Page changed: Data Reference Standard on Date and Time Format" in listing.stdout

    shown = run_cli("--config", str(config), "show", "1", "--color", "always")
    assert (
        "Change 1: [page_change] Page changed: Data Reference Standard on Date and Time Format"
    ) in shown.stdout
    assert "\033[32m+- 6.1 For questions about the interpretation" in shown.stdout
    assert "\033[31m-- 6.1 For interpretation" in shown.stdout

    reviewed = run_cli("--config", str(config), "review", "1", "--note", "typo fix", "--by", "ana")
    assert reviewed.stdout.strip() == "change 1 marked reviewed by ana"
    assert (
        "no changes to review" in run_cli("--config", str(config), "changes", "--unreviewed").stdout
    )
    assert "reviewed: " in run_cli("--config", str(config), "show", "1").stdout
    assert run_cli("--config", str(config), "show", "99").returncode == 1

    health = run_cli("--config", str(config), "watches").stdout.splitlines()
    assert health[0].split()[:4] == ["name", "kind", "topic", "state"]
    assert health[1].split()[:4] == ["dtf", "page", "standards", "ok"]


def test_config_check_reports_every_problem_and_exits_1(tmp_path):
    config = write_config(tmp_path, [{"name": "Bad Name", "url": "ftp://x", "kind": "pages"}])
    result = run_cli("--config", str(config), "config-check")
    assert result.returncode == 1
    assert result.stderr.count("Fix:") >= 3
    good = write_config(tmp_path, [{"name": "ok", "url": URL}])
    result = run_cli("--config", str(good), "config-check")
    assert result.returncode == 0 and "OK, 1 watches" in result.stdout


def test_the_shipped_config_is_valid():
    result = run_cli("config-check")
    assert result.returncode == 0, result.stderr

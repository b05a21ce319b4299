"""config-check on [review]: the host must resolve; a non-loopback host needs a way to sign in."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from settings import ConfigError, Reviewer, load_config
from tests.conftest import run_cli

WATCH = '[[watch]]\nname = "a"\nurl = "https://www.canada.ca/en.html"\n'
ANA = '[{ name = "ana", secret_env = "IRCC_WATCH_REVIEW_ANA" }]'


def write(folder: Path, review: str, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(WATCH + extra + "[review]\n" + textwrap.dedent(review), encoding="utf-8")
    return path


def errors(folder: Path, review: str, extra: str = "") -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(write(folder, review, extra))
    return [e.replace(str(folder / "config.toml"), "config.toml") for e in info.value.errors]


def test_a_host_that_does_not_resolve_is_one_clear_line_not_a_traceback(tmp_path):
    path = write(tmp_path, 'host = "no such host.invalid"\n')
    result = run_cli("--config", str(path), "config-check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f'{path}:5: [review] host: "no such host.invalid" does not resolve (')
    assert line.endswith(
        '. Fix: write an address of this machine, such as "127.0.0.1", or a name that resolves.'
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_loopback_host_is_refused_without_a_way_to_sign_in(tmp_path, host):
    (message,) = errors(tmp_path, f'host = "{host}"\n')
    assert message == (
        f'config.toml:5: [review] host: "{host}" is reachable from other machines but no way to '
        'sign in is configured, so anyone could read the page. Fix: write host = "127.0.0.1", '
        f"or add reviewers = {ANA} (the secret in that environment variable)."
    )
    config = load_config(write(tmp_path, f'host = "{host}"\nreviewers = {ANA}\n'))
    assert config.review.host == host
    assert config.review.reviewers == (Reviewer("ana", "IRCC_WATCH_REVIEW_ANA"),)
    assert config.review.readable_without_login is False


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_hosts_need_no_sign_in_and_are_then_read_only_public(tmp_path, host):
    config = load_config(write(tmp_path, f'host = "{host}"\n'))
    assert not config.review.sign_in and config.review.readable_without_login


def test_secrets_never_go_in_the_file_and_are_never_echoed(tmp_path):
    found = errors(
        tmp_path,
        'reviewers = [{ name = "ana", secret = "hunter2-very-secret" }]\n'
        'session_secret_env = "not a variable name hunter3"\n',
    )
    assert len(found) == 2
    assert all("hunter" not in message for message in found)
    assert "the secret itself never goes in the file" in found[0]
    assert found[1].startswith("config.toml:6: [review] session_secret_env: must be the name")


def test_public_read_public_url_and_telegram_login_are_checked(tmp_path):
    assert errors(tmp_path, "public_read = false\n") == [
        "config.toml:5: [review] public_read: is false but no way to sign in is configured, so "
        f"nobody could read the page. Fix: add reviewers = {ANA}, or remove public_read."
    ]
    (bad_url,) = errors(tmp_path, 'public_url = "review.example.org"\n')
    assert bad_url.startswith('config.toml:5: [review] public_url: "review.example.org" is not')
    (no_url,) = errors(
        tmp_path, 'telegram_login = "ircc_watch_bot"\n', "[telegram]\nadmins = [42]\n"
    )
    assert "telegram_login: needs public_url" in no_url and no_url.startswith("config.toml:7:")
    (no_admins,) = errors(
        tmp_path, 'telegram_login = "ircc_watch_bot"\npublic_url = "https://r.example.org"\n'
    )
    assert "needs a [telegram] section with admins or maintainers" in no_admins
    config = load_config(
        write(
            tmp_path,
            'host = "0.0.0.0"\ntelegram_login = "@ircc_watch_bot"\n'
            'public_url = "https://r.example.org/ircc-watch/"\npublic_read = true\n',
            "[telegram]\nadmins = [42]\n",
        )
    )
    review = config.review
    assert review.telegram_login == "ircc_watch_bot" and review.sign_in
    assert review.public_url == "https://r.example.org/ircc-watch" and review.readable_without_login

"""Tests for the settings package: the API, the shipped config.toml and every error message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from settings import (
    KINDS,
    LANGS,
    Config,
    ConfigError,
    Reviewer,
    ReviewSettings,
    Settings,
    TelegramSettings,
    Watch,
    domain_allowed,
    load_config,
    parse_interval,
)

REPO = Path(__file__).resolve().parent.parent
EE_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"
INTERVAL_FIX = 'Fix: write a number and a unit, such as "30s", "10m", "1h" or "1d".'
WATCH_KEYS = (
    "follow, index, interval, key, kind, lang, name, pattern, records, selector, topic, twin, url"
)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside tmp_path, so that "config.toml" is the path as given."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, text: str, name: str = "config.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(folder: Path, text: str) -> Config:
    write(folder, text)
    return load_config("config.toml")


def errors(folder: Path, text: str) -> list[str]:
    write(folder, text)
    with pytest.raises(ConfigError) as info:
        load_config("config.toml")
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors


# --- good configurations ------------------------------------------------------------------


def test_minimal_config_gets_the_defaults(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [[watch]]
        name = "ee-rounds"
        url = "{EE_URL}"
        """,
    )
    assert config.path == in_tmp.resolve() / "config.toml"
    assert config.settings == Settings(database=in_tmp.resolve() / "ircc-watch.db")
    assert config.settings.interval == 1800.0
    assert config.settings.allowed_domains == ("canada.ca",)
    assert config.settings.failure_threshold == 3
    assert config.settings.user_agent.startswith("ircc-watch/0.1 ")
    assert config.telegram is None
    assert config.review is None
    assert config.watches == (Watch(name="ee-rounds", url=EE_URL),)
    watch = config.watches[0]
    assert (watch.kind, watch.topic, watch.lang, watch.selector) == ("page", "general", "en", None)


def test_full_config(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [settings]
        database = "data/watch.db"
        interval = "1h"
        user_agent = "test-agent/1"
        allowed_domains = ["canada.ca", "127.0.0.1"]
        failure_threshold = 5

        [telegram]
        token_env = "MY_TOKEN"
        admins = [11, 22]
        maintainers = [-100123]
        base_url = "http://127.0.0.1:8081/bot"

        [review]
        host = "0.0.0.0"
        port = 9000
        reviewers = [{{ name = "ana", secret_env = "ANA_SECRET" }}]

        [[watch]]
        name = "ee-rounds"
        url = "{EE_URL}"
        kind = "ee-rounds"
        topic = "express-entry"
        lang = "fr"
        interval = "1s"

        [[watch]]
        name = "local"
        url = "http://127.0.0.1:8000/page.html"
        selector = "main .mwsgeneric-base-html"
        """,
    )
    assert config.settings == Settings(
        database=in_tmp.resolve() / "data" / "watch.db",
        interval=3600.0,
        user_agent="test-agent/1",
        allowed_domains=("canada.ca", "127.0.0.1"),
        failure_threshold=5,
    )
    assert config.telegram == TelegramSettings(
        "MY_TOKEN", (11, 22), (-100123,), config.telegram.base_url
    )
    assert config.telegram.base_url == "http://127.0.0.1:8081/bot"
    ana = Reviewer("ana", "ANA_SECRET")
    assert config.review == ReviewSettings("0.0.0.0", 9000, reviewers=(ana,))
    assert config.watch("ee-rounds") == Watch(
        "ee-rounds", EE_URL, "ee-rounds", "express-entry", "fr", 1.0, None
    )
    assert config.watch("local").interval == 3600.0  # falls back to settings.interval
    assert config.watch("local").selector == "main .mwsgeneric-base-html"


def test_empty_review_and_telegram_tables_get_defaults(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [telegram]
        [review]
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    )
    assert config.telegram == TelegramSettings()
    assert config.review == ReviewSettings()


def test_database_is_relative_to_the_config_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(
        folder,
        f"""
        [settings]
        database = "../var/ircc.db"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    )
    config = load_config(path)
    assert config.settings.database == (tmp_path / "var" / "ircc.db").resolve()
    assert config.settings.database.is_absolute()


def test_db_override_is_relative_to_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    path = write(folder, f'[[watch]]\nname = "a"\nurl = "{EE_URL}"\n')
    config = load_config(str(path), database="other.db")
    assert config.settings.database == cwd.resolve() / "other.db"
    absolute = tmp_path / "abs.db"
    assert load_config(path, database=absolute).settings.database == absolute.resolve()


def test_interval_falls_back_to_settings(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [settings]
        interval = "5m"
        [[watch]]
        name = "default"
        url = "{EE_URL}"
        [[watch]]
        name = "own"
        url = "{EE_URL}"
        interval = "1d"
        """,
    )
    assert config.watch("default").interval == 300.0
    assert config.watch("own").interval == 86400.0


def test_topics_and_watch_lookup(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [[watch]]
        name = "b"
        url = "{EE_URL}"
        topic = "pnp"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        topic = "express-entry"
        [[watch]]
        name = "c"
        url = "{EE_URL}"
        topic = "pnp"
        [[watch]]
        name = "d"
        url = "{EE_URL}"
        """,
    )
    assert config.topics() == ["express-entry", "general", "pnp"]
    assert config.watch("c").topic == "pnp"
    assert [w.name for w in config.watches] == ["b", "a", "c", "d"]
    with pytest.raises(KeyError):
        config.watch("nope")


@pytest.mark.parametrize("kind", ["page", "ee-categories", "events", "pnp-updates"])
def test_selector_is_allowed_for_html_kinds(in_tmp: Path, kind: str) -> None:
    config = load(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "https://www.canada.ca/en.html"
        kind = "{kind}"
        selector = "main"
        """,
    )
    assert config.watch("a").selector == "main"


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    telegram = TelegramSettings(token_env="IRCC_WATCH_TEST_TOKEN")
    monkeypatch.delenv("IRCC_WATCH_TEST_TOKEN", raising=False)
    assert telegram.token() is None
    monkeypatch.setenv("IRCC_WATCH_TEST_TOKEN", "")
    assert telegram.token() is None
    monkeypatch.setenv("IRCC_WATCH_TEST_TOKEN", "123:abc")
    assert telegram.token() == "123:abc"


def test_locator_is_not_fooled_by_multiline_values(in_tmp: Path) -> None:
    found = errors(
        in_tmp,
        '''
        # a comment with interval = "x"
        [settings]
        allowed_domains = [
          "canada.ca",  # [[watch]]
          "ontario.ca",
        ]
        user_agent = """
        interval = "not a key"
        [[watch]]
        """
        "interval" = "soon"

        [[ watch ]]
        name = "a"
        url = "https://www.ontario.ca/x"
        [[watch]]
        name = "b"
        url = "https://www.canada.ca/x"
        'lang' = "de"
        ''',
    )
    assert found == [
        f'config.toml:11: [settings] interval: "soon" is not an interval. {INTERVAL_FIX}',
        'config.toml:19: [[watch]] "b" lang: "de" is not a supported language. '
        'Fix: use "en" or "fr".',
    ]


# --- the shipped config.toml ---------------------------------------------------------------


def test_shipped_config_loads() -> None:
    config = load_config(REPO / "config.toml")
    assert config.settings.database == REPO / "ircc-watch.db"
    assert config.settings.interval == 1800.0
    assert config.settings.allowed_domains[:4] == (
        "canada.ca",
        "ontario.ca",
        "welcomebc.ca",
        "alberta.ca",
    )
    assert config.telegram is not None
    assert config.telegram.token_env == "IRCC_WATCH_TELEGRAM_TOKEN"
    assert len(config.watches) >= 13
    for watch in config.watches:
        assert watch.kind in KINDS
        assert watch.lang in LANGS
        assert watch.url.startswith("https://")
    assert config.watch("ee-rounds").kind == "ee-rounds"
    # The Express Entry feeds every minute (a conditional GET); nothing else more often than
    # every 10 minutes, so www.canada.ca sees about two requests a minute (docs/running.md).
    assert config.watch("ee-rounds").interval == config.watch("ee-rounds-fr").interval == 60.0
    assert all(w.interval >= 600 for w in config.watches if not w.name.startswith("ee-rounds"))
    assert config.watch("ee-rounds-fr").lang == "fr"
    assert config.watch("ircc-news").kind == "atom"
    assert config.watch("iec-pools").kind == "iec-pools"
    assert config.watch("iec-pools").topic == "iec"
    programs, countries = config.watch("ptime-programs"), config.watch("ptime-countries")
    assert programs.kind == countries.kind == "processing-times"
    assert programs.topic == countries.topic == "processing-times"
    assert programs.interval != countries.interval
    assert {"express-entry", "iec", "gts", "work-permits", "events", "news", "pnp"} <= set(
        config.topics()
    )
    # Every province and territory, each its own topic under "pnp", on an allowed domain.
    provinces = {"on", "bc", "ab", "sk", "mb", "qc", "ns", "nb", "pe", "nl", "yt", "nt"}
    assert {f"pnp-{code}" for code in provinces} | {"aip"} <= set(config.topics())
    assert config.watch("quebec-arrima-invitations").lang == "fr"
    oinp = config.watch("oinp-updates")
    assert (oinp.follow, oinp.index) == (
        "latest",
        "https://www.ontario.ca/page/ontario-immigrant-nominee-program-oinp",
    )
    assert oinp.pattern is not None and oinp.pattern.count(r"\d{4}") == 1


# --- parse_interval and domain_allowed ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("30s", 30.0),
        ("10m", 600.0),
        ("30m", 1800.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1.5h", 5400.0),
        (" 2m ", 120.0),
    ],
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "10", "m", "10 minutes", "10 m", "10M", "1w", "-5m", "0s", "0m", "0.0h", "1h30m"]
)
def test_parse_interval_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("canada.ca", ["canada.ca"], True),
        ("www.canada.ca", ["canada.ca"], True),
        ("api.io.canada.ca", ["canada.ca"], True),
        ("WWW.Canada.CA", ["canada.ca"], True),
        ("www.canada.ca.", ["canada.ca"], True),
        ("evilcanada.ca", ["canada.ca"], False),
        ("canada.ca.evil.com", ["canada.ca"], False),
        ("canada.ca", ["www.canada.ca"], False),
        ("www.ontario.ca", ["canada.ca", "ontario.ca"], True),
        ("127.0.0.1", ["127.0.0.1"], True),
        ("127.0.0.1", ["0.0.1"], False),
        ("127.0.0.2", ["127.0.0.1"], False),
        ("::1", ["::1"], True),
        ("[::1]", ["::1"], True),
        ("localhost", ["localhost"], True),
        ("", ["canada.ca"], False),
        ("canada.ca", [], False),
        ("canada.ca", [""], False),
    ],
)
def test_domain_allowed(host: str, allowed: list[str], expected: bool) -> None:
    assert domain_allowed(host, allowed) is expected


# --- bad configurations: one exact message each -------------------------------------------


def test_missing_file(in_tmp: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config("config.toml")
    assert info.value.errors == [
        "config.toml: file not found. Fix: copy the config.toml shipped with ircc-watch to "
        "config.toml and edit it, or pass --config with the right path."
    ]


def test_toml_syntax_error(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        """
        [settings]
        interval = "30m
        """,
    ) == [
        "config.toml:2: TOML syntax: illegal character '\\n' (column 16). "
        "Fix: check the quotes, brackets and commas on that line."
    ]


def test_toml_syntax_error_at_end_of_file(in_tmp: Path) -> None:
    (in_tmp / "config.toml").write_text('[settings]\nallowed_domains = ["canada.ca",')
    with pytest.raises(ConfigError) as info:
        load_config("config.toml")
    assert info.value.errors == [
        "config.toml:2: TOML syntax: invalid value (at the end of the file). "
        "Fix: check the quotes, brackets and commas on that line."
    ]


def test_toml_duplicate_key(in_tmp: Path) -> None:
    assert errors(in_tmp, '[settings]\ninterval = "1m"\ninterval = "2m"\n') == [
        "config.toml:3: TOML syntax: cannot overwrite a value (column 16). "
        "Fix: a key or table is written twice: keep only one of them."
    ]


def test_not_utf8(in_tmp: Path) -> None:
    (in_tmp / "config.toml").write_bytes(b'[settings]\nuser_agent = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_config("config.toml")
    assert info.value.errors == [
        "config.toml:2: TOML syntax: the file is not valid UTF-8. Fix: save the file as UTF-8."
    ]


def test_unknown_top_level_table(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"

        [reveiw]
        port = 8080
        """,
    ) == [
        "config.toml:5: [reveiw]: unknown table. Fix: remove it, or put it under one of: "
        "[settings], [telegram], [review], [[watch]], [[channel]]."
    ]


def test_unknown_top_level_key(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        interval = "10m"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:1: top level: unknown key "interval". Fix: remove it, or put it under one '
        "of: [settings], [telegram], [review], [[watch]], [[channel]]."
    ]


def test_unknown_key_in_settings(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        interval = "30m"
        databse = "x.db"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:3: [settings]: unknown key "databse". Fix: remove it, or use one of: '
        "allowed_domains, bulk_threshold, database, failure_threshold, interval, keep_fetches, "
        "keep_snapshots, max_page_size, user_agent."
    ]


def test_unknown_key_in_telegram(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [telegram]
        admin = [1]
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:2: [telegram]: unknown key "admin". Fix: remove it, or use one of: '
        "admin_langs, admins, base_url, maintainers, max_in_flight, paid_broadcast, "
        "paid_broadcast_daily_cap, paid_broadcast_kinds, token_env."
    ]


def test_unknown_key_in_review(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        [review]
        host = "127.0.0.1"
        bind = "0.0.0.0"
        """,
    ) == [
        'config.toml:6: [review]: unknown key "bind". Fix: remove it, or use one of: host, port, '
        "public_read, public_url, reviewers, session_secret_env, telegram_login."
    ]


def test_unknown_key_in_watch(in_tmp: Path) -> None:
    found = errors(
        in_tmp,
        f"""
        [settings]
        interval = "30m"

        [[watch]]
        name = "iec"
        url = "https://www.canada.ca/iec.html"

        [[watch]]
        name = "ee-rounds"
        url = "{EE_URL}"
        kind = "ee-rounds"
        topic = "express-entry"
        intervall = "10m"
        """,
    )
    assert found == [
        f'config.toml:13: [[watch]] "ee-rounds": unknown key "intervall". '
        f"Fix: remove it, or use one of: {WATCH_KEYS}."
    ]


def test_missing_name_and_url(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "ok"
        url = "{EE_URL}"

        [[watch]]
        url = "{EE_URL}"

        [[watch]]
        name = "no-url"
        """,
    ) == [
        'config.toml:5: [[watch]] #2: missing key "name". Fix: add a line such as name = '
        '"ee-rounds".',
        'config.toml:8: [[watch]] "no-url": missing key "url". Fix: add a line such as url = '
        '"https://www.canada.ca/en.html".',
    ]


@pytest.mark.parametrize("name", ["EE-Rounds", "ee rounds", "-ee", "ee_rounds", "ée"])
def test_bad_name(in_tmp: Path, name: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "{name}"
        url = "{EE_URL}"
        """,
    ) == [
        f'config.toml:2: [[watch]] #1 name: "{name}" is not a valid name. Fix: use lowercase '
        'letters, digits and dashes, starting with a letter or digit, such as "ee-rounds".'
    ]


def test_name_of_the_wrong_type(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = 5
        url = "{EE_URL}"
        """,
    ) == [
        "config.toml:2: [[watch]] #1 name: must be a non-empty string, got 5. Fix: write name = "
        '"ee-rounds".'
    ]


def test_duplicate_names(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "ee-rounds"
        url = "{EE_URL}"

        [[watch]]
        url = "{EE_URL}"
        name = "ee-rounds"
        """,
    ) == [
        'config.toml:7: [[watch]] "ee-rounds" name: "ee-rounds" is already the name of the watch '
        "on line 2. Fix: give each watch its own name."
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://www.canada.ca/file", "is not an http or https URL"),
        ("www.canada.ca/en.html", "is not an http or https URL"),
        ("https://", "has no host"),
        ("https:///en.html", "has no host"),
        ("https://www.canada.ca/a page.html", "contains spaces"),
        ("https://www.canada.ca:99999/", "is not a valid URL"),
    ],
)
def test_bad_url(in_tmp: Path, url: str, problem: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{url}"
        """,
    ) == [
        f'config.toml:3: [[watch]] "a" url: "{url}" {problem}. Fix: write a full address, such '
        'as "https://www.canada.ca/en/....html".'
    ]


def test_url_outside_allowed_domains(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        """
        [settings]
        allowed_domains = ["canada.ca", "ontario.ca"]

        [[watch]]
        name = "evil"
        url = "https://evilcanada.ca/en.html"
        """,
    ) == [
        'config.toml:6: [[watch]] "evil" url: host "evilcanada.ca" is not in '
        'settings.allowed_domains (canada.ca, ontario.ca). Fix: add "evilcanada.ca" to '
        "allowed_domains in [settings], or watch an address on an allowed domain."
    ]


def test_bad_interval_in_settings(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        database = "x.db"
        interval = "10 minutes"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [f'config.toml:3: [settings] interval: "10 minutes" is not an interval. {INTERVAL_FIX}']


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"soon"', '"soon" is not an interval'),
        ("600", "600 is not an interval"),
        ('"0s"', '"0s" must be more than zero'),
    ],
)
def test_bad_interval_in_watch(in_tmp: Path, value: str, problem: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        interval = {value}
        """,
    ) == [f'config.toml:4: [[watch]] "a" interval: {problem}. {INTERVAL_FIX}']


def test_unknown_kind(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        kind = "jsn"
        """,
    ) == [
        'config.toml:4: [[watch]] "a" kind: unknown kind "jsn". Fix: use one of: page, '
        "ee-rounds, ee-categories, events, atom, pnp-updates, processing-times, iec-pools, json."
    ]


def test_json_watch_keeps_its_records_expression_and_key(in_tmp: Path) -> None:
    config = load(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        kind = "json"
        records = "rounds[?drawSize != '0']"
        key = "drawNumber"
        """,
    )
    watch = config.watch("a")
    assert (watch.kind, watch.records, watch.key) == (
        "json",
        "rounds[?drawSize != '0']",
        "drawNumber",
    )


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rounds[?", "the expression ends too early"),
        (
            "a..b",
            "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', "
            "'lbrace'], got: dot: Parse error at column 2, token \".\" (DOT)",
        ),
    ],
)
def test_json_records_that_do_not_compile_are_refused(
    in_tmp: Path, expression: str, reason: str
) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        kind = "json"
        records = "{expression}"
        """,
    ) == [
        f'config.toml:5: [[watch]] "a" records: "{expression}" is not a valid JMESPath '
        f'({reason}). Fix: write a JMESPath such as "rounds[]" or "data.items[*]".'
    ]


def test_json_needs_records_and_other_kinds_refuse_them(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        kind = "json"

        [[watch]]
        name = "b"
        url = "{EE_URL}"
        kind = "ee-rounds"
        records = "rounds[]"
        key = "drawNumber"
        """,
    ) == [
        'config.toml:1: [[watch]] "a": kind "json" needs a "records" expression. '
        'Fix: add a line such as records = "rounds[]" (a JMESPath).',
        'config.toml:10: [[watch]] "b" records: "records" applies to kind "json" only. '
        'Fix: remove the records line, or use kind = "json".',
        'config.toml:11: [[watch]] "b" key: "key" applies to kind "json" only. '
        'Fix: remove the key line, or use kind = "json".',
    ]


def test_bad_lang(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        lang = "EN"
        """,
    ) == [
        'config.toml:4: [[watch]] "a" lang: "EN" is not a supported language. '
        'Fix: use "en" or "fr".'
    ]


def test_bad_topic(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        topic = "Express Entry"
        """,
    ) == [
        'config.toml:4: [[watch]] "a" topic: "Express Entry" is not a valid topic. Fix: use '
        'lowercase letters, digits and dashes, such as "express-entry".'
    ]


@pytest.mark.parametrize("kind", ["ee-rounds", "atom"])
def test_selector_refused_for_feeds(in_tmp: Path, kind: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        kind = "{kind}"
        selector = "main"
        """,
    ) == [
        f'config.toml:5: [[watch]] "a" selector: a CSS selector does not apply to kind "{kind}". '
        'Fix: remove the selector line, or use kind "page".'
    ]


@pytest.mark.parametrize("value", ['"123"', '["123"]', "[1.5]", "[true]", "123"])
def test_admins_must_be_a_list_of_integers(in_tmp: Path, value: str) -> None:
    shown = value.replace(",", ", ")
    assert errors(
        in_tmp,
        f"""
        [telegram]
        admins = {value}
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        f"config.toml:2: [telegram] admins: must be a list of integers (Telegram user ids), got "
        f"{shown}. Fix: write admins = [123456789], without quotes around the numbers."
    ]


def test_maintainers_must_be_a_list_of_integers(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [telegram]
        maintainers = ["@channel"]
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        "config.toml:2: [telegram] maintainers: must be a list of integers (Telegram chat ids), "
        'got ["@channel"]. Fix: write maintainers = [123456789], without quotes around the '
        "numbers."
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "0"), ("70000", "70000"), ('"8080"', '"8080"'), ("true", "true"), ("80.5", "80.5")],
)
def test_bad_port(in_tmp: Path, value: str, shown: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        [review]
        port = {value}
        """,
    ) == [
        f"config.toml:5: [review] port: must be an integer from 1 to 65535, got {shown}. "
        "Fix: write port = 8080."
    ]


def test_allowed_domains_must_be_a_list_of_strings(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        allowed_domains = "canada.ca"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:2: [settings] allowed_domains: must be a list of strings, got "canada.ca". '
        'Fix: write allowed_domains = ["canada.ca"].'
    ]


def test_allowed_domains_entries_must_be_bare_domains(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        allowed_domains = ["https://canada.ca", "canada.ca"]
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:2: [settings] allowed_domains: "https://canada.ca" is not a domain name. '
        'Fix: write the bare domain, such as "canada.ca" (no scheme, path or port).'
    ]


def test_no_watch(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        """
        [settings]
        interval = "30m"
        """,
    ) == [
        "config.toml:1: [[watch]]: no watch is configured. Fix: add at least one [[watch]] "
        "block with a name and a url."
    ]


def test_watch_written_as_a_single_table(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [watch]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        "config.toml:1: [[watch]]: watches must be [[watch]] blocks. Fix: write each watch as a "
        "[[watch]] header followed by its keys, one per line."
    ]


@pytest.mark.parametrize("value", ["0", "-1", '"3"', "true"])
def test_failure_threshold(in_tmp: Path, value: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        failure_threshold = {value}
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        f"config.toml:2: [settings] failure_threshold: must be an integer of at least 1, got "
        f"{value}. Fix: write failure_threshold = 3."
    ]


@pytest.mark.parametrize("value", ["0", "-2", '"5"', "2.5"])
def test_bulk_threshold(in_tmp: Path, value: str) -> None:
    assert errors(
        in_tmp,
        f"""
        [settings]
        bulk_threshold = {value}
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        f"config.toml:2: [settings] bulk_threshold: must be an integer of at least 1, got "
        f"{value}. Fix: write bulk_threshold = 5."
    ]


def test_bulk_threshold_default_and_value(in_tmp: Path) -> None:
    watch = f"""
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """
    assert load(in_tmp, watch).settings.bulk_threshold == 5
    assert load(in_tmp, "[settings]\nbulk_threshold = 40\n" + watch).settings.bulk_threshold == 40


def test_token_in_the_file_is_refused_without_echoing_it(in_tmp: Path) -> None:
    secret = "123456789:AAHsecretSECRETsecret"
    found = errors(
        in_tmp,
        f"""
        [telegram]
        token_env = "BOT_TOKEN"
        token = "{secret}"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    )
    assert found == [
        "config.toml:3: [telegram] token: the bot token must not be written in the config file. "
        "Fix: remove the token line and put the token in the environment variable BOT_TOKEN "
        "(named by token_env)."
    ]
    assert secret not in "\n".join(found)


def test_token_in_token_env_is_not_echoed(in_tmp: Path) -> None:
    secret = "123456789:AAHsecretSECRETsecret"
    found = errors(
        in_tmp,
        f"""
        [telegram]
        token_env = "{secret}"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    )
    assert found == [
        "config.toml:2: [telegram] token_env: must be the name of an environment variable "
        "(letters, digits and underscores), not the token itself. Fix: write token_env = "
        '"IRCC_WATCH_TELEGRAM_TOKEN" and put the token in that environment variable.'
    ]
    assert secret not in "\n".join(found)


def test_bad_base_url(in_tmp: Path) -> None:
    assert errors(
        in_tmp,
        f"""
        [telegram]
        base_url = "127.0.0.1:8081"
        [[watch]]
        name = "a"
        url = "{EE_URL}"
        """,
    ) == [
        'config.toml:2: [telegram] base_url: "127.0.0.1:8081" is not an http or https URL. '
        'Fix: write the Bot API server\'s address, such as "http://127.0.0.1:8081/bot", or '
        "remove the line to use Telegram's own."
    ]


def test_every_problem_is_reported_in_file_order(in_tmp: Path) -> None:
    found = errors(
        in_tmp,
        """
        [settings]
        interval = "10 minutes"
        colour = "blue"

        [telegram]
        admins = ["me"]

        [[watch]]
        name = "Bad Name"
        url = "ftp://x"
        kind = "jsn"

        [[watch]]
        name = "b"
        url = "https://example.com/"
        lang = "de"

        [review]
        port = 0
        """,
    )
    assert [message.split(":")[1] for message in found] == [
        "2",
        "3",
        "6",
        "9",
        "10",
        "11",
        "15",
        "16",
        "19",
    ]
    assert (
        found[0]
        == f'config.toml:2: [settings] interval: "10 minutes" is not an interval. {INTERVAL_FIX}'
    )
    assert found[3].startswith('config.toml:9: [[watch]] #1 name: "Bad Name" is not a valid name.')
    assert found[6].startswith('config.toml:15: [[watch]] "b" url: host "example.com"')
    for message in found:
        assert message.endswith(".")
        assert ". Fix: " in message


def test_path_is_shown_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "[[watch]]\nname = 'a'\nurl = 'https://www.canada.ca/'\nkind = 'x'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.errors[0].startswith(f'{path}:4: [[watch]] "a" kind:')

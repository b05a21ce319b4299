"""A newcomer's config mistakes, through the real `check` and `config-check`: one clear line each.

Before: a JSON file watched as a page said "content region missing: no <main> element and
no <body>", an HTML page watched as a feed "not a feed: invalid XML (<unknown>:3:53:
mismatched tag)", and a json watch whose key field no record has "data.draws[] selects
nothing" although it selects two records.
"""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_config
from tests.unfamiliar_support import gcweb

DRAWS = {"data": {"draws": [{"id": 1, "date": "2026-01-05"}, {"id": 2, "date": "2026-01-12"}]}}


def test_wrong_kinds_and_fields_are_named_in_the_check_line(tmp_path, site):
    page = gcweb("<h2>Eligibility</h2><p>You must have 12 months of work experience.</p>")
    site.set("/page.html", page)
    site.set("/draws.json", json.dumps(DRAWS), content_type="application/json")
    watches = [
        {"name": "json-as-page", "url": site.url("/draws.json")},
        {"name": "page-as-feed", "url": site.url("/page.html"), "kind": "atom"},
        {"name": "no-such-key", "url": site.url("/draws.json"), "kind": "json"},
        {"name": "no-such-part", "url": site.url("/page.html"), "selector": "#wb-cont-x"},
    ]
    watches[2].update(records="data.draws[]", key="drawNumber")
    config = write_config(tmp_path, watches)
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["json-as-page"].endswith("not HTML: the body is JSON: watch it with kind json")
    assert lines["page-as-feed"].endswith("not a feed: an HTML page: watch it with kind page")
    assert lines["no-such-key"].endswith(
        "no records: data.draws[] selects 2 records, none with the key field 'drawNumber' "
        "(their fields: date, id)"
    )
    assert lines["no-such-part"].endswith(
        "content region missing: nothing matches selector '#wb-cont-x'"
    )


def test_an_address_outside_the_allowed_domains_is_refused_with_the_fix(tmp_path):
    watch = {"name": "bc", "url": "https://www.welcomebc.ca/ita", "kind": "pnp-updates"}
    config = write_config(tmp_path, [watch], settings={"allowed_domains": ["canada.ca"]})
    result = run_cli("--config", str(config), "config-check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert 'host "www.welcomebc.ca" is not in settings.allowed_domains' in result.stderr
    assert 'Fix: add "www.welcomebc.ca" to allowed_domains' in result.stderr

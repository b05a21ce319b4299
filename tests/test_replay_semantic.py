"""Every watched program through the real pipeline (real SQLite): the exact alerts each gives.

Fixtures: tests/fixtures/synthetic (GCWeb before/after pairs, see its NOTES.md),
tests/fixtures/semantic (PNP pages and the IRCC news feed built from real copies, see its
NOTES.md) and the real Saskatchewan, open.canada.ca and canada.ca noise-only series.
"""

from __future__ import annotations

import pytest

from tests.semantic_support import REAL, SEMANTIC, SYNTHETIC, Replayer, brief

CATEGORIES_URL = (
    "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"
    "express-entry/submit-profile/rounds-invitations/category-based-selection.html"
)
IEC_URL = "https://www.canada.ca/en/immigration-refugees-citizenship/services/work-canada/iec/eligibility.html"
GTS_URL = "https://www.canada.ca/en/employment-social-development/services/foreign-workers/global-talent/requirements.html"
NEWS = "https://www.canada.ca/en/immigration-refugees-citizenship/news/"
BC_URL = (
    "https://www.welcomebc.ca/immigrate-to-b-c/about-the-bc-provincial-nominee-program/"
    "invitations-to-apply"
)


@pytest.fixture
def replay(tmp_path):
    return Replayer(tmp_path / "replay.db")


def test_new_express_entry_categories_stem_swap_and_removal_after_a_day(replay):
    rows = replay.folder(SYNTHETIC / "ee-categories-en")
    assert brief(rows) == [
        ("new_category", "subscribers", "New Express Entry category: " + name)
        for name in (
            "Physicians with Canadian work experience",
            "Senior managers with Canadian work experience",
            "Researchers with Canadian work experience",
            "Transport occupations",
            "Skilled military recruits",
        )
    ] + [
        (
            "occupations_changed",
            "subscribers",
            "Express Entry category changed: STEM (science, technology, engineering and math) "
            "occupations",
        ),
        (
            "rule_change",
            "maintainers",
            "Rule changed: Express Entry rounds of invitations: Category-based selection – "
            "Categories chosen for 2026",
        ),
    ]
    physicians = rows[0]
    assert physicians["observed_at"] == "2026-02-18T15:00:00Z"
    assert physicians["data"] == {
        "name": "Physicians with Canadian work experience",
        "occupations": [
            {"noc": "31100", "title": "Specialists in clinical and laboratory medicine"},
            {"noc": "31101", "title": "Specialists in surgery"},
            {"noc": "31102", "title": "General practitioners and family physicians"},
        ],
        "url": CATEGORIES_URL,
    }
    assert physicians["summary"] == (
        "3 eligible occupations: 31100 Specialists in clinical and laboratory medicine; "
        "31101 Specialists in surgery; 31102 General practitioners and family physicians"
    )
    assert [o["noc"] for o in rows[3]["data"]["occupations"]] == [
        "22313", "72404", "72600", "72602", "72603", "72604", "73300"
    ]  # fmt: skip
    assert rows[5]["data"]["added"] == [
        {"noc": "21321", "title": "Industrial and manufacturing engineers"}
    ]
    assert rows[5]["data"]["removed"] == [
        {"noc": "21223", "title": "Database analysts and data administrators"}
    ]
    assert rows[5]["summary"] == (
        "Added: 21321 Industrial and manufacturing engineers\n"
        "Removed: 21223 Database analysts and data administrators"
    )
    # The noise-only refetch 30 minutes later is silent, and the removal waits 24 hours.
    assert replay.outcomes()[-1] == ("ee-categories-en", "unchanged")
    later = replay.folder(SEMANTIC / "next-day" / "ee-categories-en")
    assert brief(later) == [
        (
            "category_removed",
            "subscribers",
            "Express Entry category removed: Agriculture and agri-food occupations",
        )
    ]
    assert later[0]["data"]["occupations"] == [
        {"noc": "80020", "title": "Managers in agriculture"},
        {"noc": "80021", "title": "Managers in horticulture"},
        {"noc": "82030", "title": "Agricultural service contractors and farm supervisors"},
    ]
    assert later[0]["summary"] == "It is no longer listed among the categories for rounds."


def test_french_categories_page_parses_like_the_english_one(replay):
    rows = replay.folder(SYNTHETIC / "ee-categories-fr")
    assert [row["kind"] for row in rows] == ["new_category"] * 5 + [
        "occupations_changed",
        "rule_change",
    ]
    assert rows[0]["title"] == (
        "Nouvelle catégorie d’Entrée express\u00a0: Médecins ayant une expérience de travail "
        "au Canada"
    )
    assert rows[0]["summary"].startswith(
        "3 professions admissibles\u00a0: 31100 Médecins spécialistes en médecine clinique"
    )
    assert rows[5]["summary"] == (
        "Ajout\u00a0: 21321 Ingénieurs/ingénieures d’industrie et de fabrication\n"
        "Retrait\u00a0: 21223 Analystes de bases de données et administrateurs/administratrices "
        "de données"
    )


@pytest.mark.parametrize(
    ("watch", "rule", "fee", "edit"),
    [
        (
            "iec-en",
            (
                "Categories › Young Professionals",
                "You must have at least 6 months of continuous work experience in the field of "
                "your job offer.",
                "You must have at least one year (12 months) of continuous paid work experience "
                "in the field of your job offer.",
            ),
            ("IEC fees", "IEC participation fee: Amount (CAN$): $179", "$184"),
            "Dependants\nRemoved: We’ll look at your application separately from theirs.\n"
            "Added: Their applications are assessed separately from yours.",
        ),
        (
            "iec-fr",
            (
                "Catégories › Jeunes professionnels",
                "Vous devez avoir au moins 6 mois d’expérience de travail continue dans le "
                "domaine de votre offre d’emploi.",
                "Vous devez avoir au moins un an (12 mois) d’expérience de travail rémunérée "
                "continue dans le domaine de votre offre d’emploi.",
            ),
            ("Frais de l’EIC", "Frais de participation à l’EIC: Montant ($ CAN): 179 $", "184 $"),
            "Personnes à charge\nRetiré\u00a0: Nous examinerons votre demande séparément de "
            "la leur.\n"
            "Ajouté\u00a0: Leurs demandes sont évaluées séparément de la vôtre.",
        ),
    ],
)
def test_iec_minimum_experience_raised_and_fee_changed(replay, watch, rule, fee, edit):
    rows = replay.folder(SYNTHETIC / watch)
    assert [(row["kind"], row["audience"]) for row in rows] == [
        ("rule_change", "subscribers"),
        ("rule_change", "subscribers"),
        ("page_change", "subscribers"),
    ]
    section, before, after = rule
    assert {k: rows[0]["data"][k] for k in ("section", "before", "after")} == {
        "section": section,
        "before": before,
        "after": after,
    }
    prefix = "Avant\u00a0: " if watch == "iec-fr" else "Before: "
    assert rows[0]["summary"].startswith(prefix + before)
    assert rows[1]["data"]["section"] == fee[0]
    assert rows[1]["data"]["before"] == fee[1]
    assert rows[1]["data"]["after"].endswith(fee[2])
    assert rows[2]["summary"] == edit


def test_iec_english_messages_read_before_and_after(replay):
    rule, fee, _ = replay.folder(SYNTHETIC / "iec-en")
    assert rule["title"] == (
        "Rule changed: Find out if you’re eligible – Categories › Young Professionals"
    )
    assert rule["summary"] == (
        "Before: You must have at least 6 months of continuous work experience in the field of "
        "your job offer.\nAfter: You must have at least one year (12 months) of continuous paid "
        "work experience in the field of your job offer."
    )
    assert rule["data"]["url"] == IEC_URL
    assert fee["summary"] == (
        "Before: IEC participation fee: Amount (CAN$): $179\n"
        "After: IEC participation fee: Amount (CAN$): $184"
    )


def test_global_talent_occupations_list_update(replay):
    rows = replay.folder(SYNTHETIC / "gts-occupations")
    assert brief(rows) == [
        (
            "row_added",
            "subscribers",
            "Global Talent Occupations List: added “21220 Cybersecurity specialists”",
        ),
        (
            "rule_change",
            "subscribers",
            "Rule changed: Program requirements for the Global Talent Stream – Global Talent "
            "Occupations List",
        ),
    ]
    assert rows[0]["data"] == {
        "page": "Program requirements for the Global Talent Stream",
        "table": "Global Talent Occupations List",
        "columns": ["NOC code", "Occupation", "Minimum wage floor"],
        "rows": [
            [
                "21220",
                "Cybersecurity specialists",
                "$80,000 or prevailing wage, whichever is higher",
            ]
        ],
        "url": GTS_URL,
    }
    assert rows[0]["summary"] == (
        "Minimum wage floor: $80,000 or prevailing wage, whichever is higher"
    )
    assert rows[1]["data"]["before"] == (
        "21211: Occupation: Data scientists; Minimum wage floor: Prevailing wage"
    )
    assert rows[1]["data"]["after"] == (
        "21211: Occupation: Data scientists; Minimum wage floor: $80,000 or prevailing wage, "
        "whichever is higher"
    )
    later = replay.folder(SEMANTIC / "next-day" / "gts-occupations")
    assert brief(later) == [
        (
            "row_removed",
            "subscribers",
            "Global Talent Occupations List: removed “22221 User support technicians”",
        )
    ]
    assert later[0]["summary"] == "Minimum wage floor: Prevailing wage"


def test_cusma_professionals_two_rule_changes(replay):
    rows = replay.folder(SYNTHETIC / "cusma-professionals")
    assert [(r["kind"], r["data"]["section"]) for r in rows] == [
        ("rule_change", "Period of stay"),
        ("rule_change", "General professions"),
    ]
    assert rows[0]["data"]["before"] == (
        "Professionals may be issued a work permit for up to three years."
    )
    assert (
        rows[0]["data"]["after"] == "Professionals may be issued a work permit for up to two years."
    )
    assert rows[1]["data"]["after"] == (
        "Computer systems analyst: Minimum education requirements and alternative credentials: "
        "Baccalaureate or Licenciatura Degree in computer science, information systems or a "
        "related field"
    )


@pytest.mark.parametrize(
    ("watch", "title", "summary", "when"),
    [
        (
            "events-en",
            "New recruitment event: Destination Canada Forum Mobilité – Paris",
            "March 20–21, 2026, Paris, France\n"
            "https://www.destination-canada-forum-mobilite.ca/en/paris-2026",
            "March 20 to 21, 2026",
        ),
        (
            "events-fr",
            "Nouvel événement de recrutement\u00a0: Destination Canada Forum Mobilité – Paris",
            "20–21 mars 2026, Paris, France\n"
            "https://www.destination-canada-forum-mobilite.ca/fr/paris-2026",
            "20 et 21 mars 2026",
        ),
    ],
)
def test_free_recruitment_event_in_paris(replay, watch, title, summary, when):
    (row,) = replay.folder(SYNTHETIC / watch)
    lang = watch[-2:]
    assert (row["kind"], row["audience"], row["title"], row["summary"]) == (
        "new_event",
        "subscribers",
        title,
        summary,
    )
    assert row["data"] == {
        "title": "Destination Canada Forum Mobilité – Paris",
        "date": "2026-03-20",
        "end": "2026-03-21",
        "when": when,
        "place": "Paris, France",
        "link": f"https://www.destination-canada-forum-mobilite.ca/{lang}/paris-2026",
    }


def test_fault_bodies_fail_and_only_admins_hear_of_it(replay):
    rows = replay.folder(SYNTHETIC / "faults")
    assert [(r["kind"], r["audience"]) for r in rows] == [
        ("watch_failing", "admins"),
        ("watch_recovered", "admins"),
    ]
    assert rows[0]["data"]["reason"] == "error page: We couldn't find that Web page"
    assert [outcome for _, outcome in replay.outcomes()] == [
        "error",  # Akamai "Access Denied"
        "error",  # empty body
        "error",  # 404 page
        "error",  # maintenance splash, no <main>
        "baseline",  # redesigned template: <main> without property, still the same content
        "error",  # truncated: cut before </html>
    ]


def test_provincial_nominee_updates_ontario_bc_alberta(replay):
    folder = SEMANTIC / "replay"
    ontario = replay.folder(folder / "oinp-updates")
    bc = replay.folder(folder / "bc-pnp-invitations")
    alberta = replay.folder(folder / "aaip-updates")
    assert [row["data"] for row in ontario + bc + alberta] == [
        {
            "province": "Ontario",
            "date": "2026-04-30",
            "headline": "Employer Job Offer streams: candidates invited in the Greater Toronto "
            "Area ( GTA )",
            "invitations": 1063,
            "score": 57,
            "url": "https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates",
        },
        {
            "province": "Ontario",
            "date": "2026-05-29",
            "headline": "Regulatory amendments coming into force May 30",
            "invitations": None,
            "score": None,
            "url": "https://www.ontario.ca/page/2026-ontario-immigrant-nominee-program-updates",
        },
        # Two rows of one date and type, each with its own count: two draws, never their sum.
        {
            "province": "British Columbia",
            "date": "2026-06-18",
            "headline": "Skills Immigration: Innovate: High Economic Impact (Minimum wage of "
            "$62/hour and $125,000/year, and NOC 0, 1, 2, or 3)",
            "invitations": 130,
            "score": None,
            "url": BC_URL,
        },
        {
            "province": "British Columbia",
            "date": "2026-06-18",
            "headline": "Skills Immigration: Innovate: High Economic Impact (Points)",
            "invitations": 149,
            "score": 136,
            "url": BC_URL,
        },
        {
            "province": "Alberta",
            "date": "2026-05-26",
            "headline": "Worker Expression of Interest edit function",
            "invitations": None,
            "score": None,
            "url": "https://www.alberta.ca/aaip-updates",
        },
        {
            "province": "Alberta",
            "date": "2026-06-17",
            "headline": "Eligibility Explorer tool launched",
            "invitations": None,
            "score": None,
            "url": "https://www.alberta.ca/aaip-updates",
        },
    ]
    assert {row["kind"] for row in ontario + bc + alberta} == {"pnp_update"}
    assert ontario[0]["summary"] == "April 30, 2026: 1,063 invitations, lowest score 57."
    assert bc[1]["title"] == (
        "British Columbia PNP: Skills Immigration: Innovate: High Economic Impact (Points)"
    )
    assert bc[0]["summary"] == "June 18, 2026: 130 invitations."
    assert bc[1]["summary"] == "June 18, 2026: 149 invitations, lowest score 136."
    assert alberta[1]["summary"] == "June 17, 2026."


def test_ircc_news_feed_announces_each_release_once(replay):
    rows = replay.folder(SEMANTIC / "replay" / "ircc-news")
    news = [row for row in rows if row["kind"] == "news"]
    per_fetch = {}
    for row in news:
        per_fetch[row["observed_at"]] = per_fetch.get(row["observed_at"], 0) + 1
    # Bot-state timeline: each "0.html" copy and the "indopacific"/"indo-pacific" slug pair
    # arrive alongside their original and are not announced again.
    assert per_fetch == {
        "2026-05-25T13:50:00Z": 1,
        "2026-06-04T21:16:00Z": 1,
        "2026-06-19T20:15:00Z": 1,
        "2026-06-30T19:18:00Z": 4,
        "2026-07-08T15:04:00Z": 7,
        "2026-07-28T18:12:00Z": 5,
    }
    urls = [row["data"]["url"] for row in news]
    assert not [url for url in urls if url.endswith("0.html")]
    assert urls[0] == (
        NEWS + "2026/05/canada-strengthens-indo-pacific-ties-through-changes-to-visa-"
        "requirements-for-eligible-travellers-from-indonesia-and-malaysia.html"
    )
    assert news[1]["title"] == (
        "IRCC news: Canada strengthens borders while supporting Economic and tourism ties with "
        "Saint-Pierre-et-Miquelon"
    )
    assert news[1]["summary"] == (
        "June 4, 2026\n"
        + NEWS
        + "2026/06/canada-strengthens-borders-while-supporting-economic-and-tourism-ties-with-"
        "saint-pierre-et-miquelon.html"
    )
    # Only the Ottawa release, now listed under its "0.html" copy alone, is noted, for review.
    others = [row for row in rows if row["kind"] != "news"]
    assert [(r["kind"], r["audience"], r["observed_at"]) for r in others] == [
        ("page_change", "maintainers", "2026-07-29T17:54:00Z")
    ]


def test_open_canada_atom_series_gives_nothing_after_the_baseline(replay, tmp_path):
    rows = replay.folder(REAL / "atom" / "open_canada_dataset_feed", watch="open-canada-feed")
    assert rows == []
    # Feed-level <updated> only: skipped before parsing; entry <updated> only: a new
    # snapshot, no change.
    assert [outcome for _, outcome in replay.outcomes()] == [
        "baseline",
        "unchanged",
        "unchanged",
        "changed",
        "changed",
    ]


SK = REAL / "provincial" / "sk_sinp"


def test_saskatchewan_junk_versions_are_silent_and_real_edits_alert(replay):
    rows = replay.folder(SK / "maximum-number-of-sinp-applications")
    outcomes = [outcome for _, outcome in replay.outcomes()]
    assert outcomes == [
        "baseline",
        "changed",  # 2017-05-04: draws now every three months
        "error",  # 2017-05-15: the 305-byte "Object moved" page
        "unchanged",  # content back
        "changed",  # 2018-07-04: a year of edits, plus a debug line before <!DOCTYPE>
        "unchanged",  # same minute, debug line gone
        "changed",  # 2018-07-11: new thresholds
        "changed",  # 2018-07-31: Entrepreneur selection schedule
        "changed",  # 2018-10-17
        "unchanged",  # 2018-10-26: site-wide "Postal Strike Update" banner only
    ]
    times = {row["observed_at"] for row in rows}
    assert "2017-05-15T01:54:00Z" not in times and "2017-05-15T02:33:00Z" not in times
    assert "2018-10-26T16:55:00Z" not in times
    first = [row for row in rows if row["observed_at"] == "2017-05-04T16:31:00Z"]
    assert brief(first) == [
        (
            "rule_change",
            "subscribers",
            "Rule changed: Maximum Number of SINP Applications – Selecting Candidates from the "
            "Expression of Interest (EOI) Pool",
        ),
        ("page_change", "subscribers", "Page changed: Maximum Number of SINP Applications"),
    ]
    assert first[0]["data"]["before"].startswith(
        "Immigration Services begun selecting candidates on May 2, 2016"
    )
    assert first[1]["data"]["excerpt"].startswith(
        "+ There will be one EOI pool draw every three months."
    )
    results = [
        r for r in rows if r["data"].get("section") == "EOI Selection Results on April 18, 2018"
    ]
    assert [r["observed_at"] for r in results] == ["2018-07-04T02:03:00Z", "2018-07-04T02:03:00Z"]
    assert results[1]["data"]["before"] == (
        "Number of Invitations Issued: 107\nAverage EOI Score: 110\nLowest EOI Score: 95"
    )
    assert results[1]["data"]["after"] == (
        "Number of Invitations Issued: 231\nAverage EOI Score: 100\nLowest EOI Score: 90"
    )
    # 2018-07-31: "Selecting Candidates from the EOI Pool" renamed "… Entrepreneur …" and its
    # draws moved from every three months to every two: paired with its old self, a rule change.
    renamed = [r for r in rows if r["data"].get("renamed_from")]
    assert [r["data"]["renamed_from"] for r in renamed] == [
        "Selecting Candidates from the Expression of Interest (EOI) Pool"
    ]
    assert "After: There will be one EOI pool draw every two months." in renamed[0]["summary"]
    # The same check renamed "EOI Selection Results on April 18, 2018" with its text unchanged:
    # told to subscribers as renamed (before: to nobody, then to maintainers as a removed section
    # 2½ months later); the old results' rows are still told removed after the grace.
    [page] = [
        r for r in rows if r["observed_at"] == "2018-07-31T23:04:00Z" and r["kind"] == "page_change"
    ]
    assert (
        "Entrepreneur EOI Selection Results on July 18, 2018\n"
        "Section renamed, formerly “EOI Selection Results on April 18, 2018”"
    ) in page["summary"]
    assert [r["kind"] for r in rows if r["observed_at"] == "2018-10-17T23:09:00Z"][-1] == (
        "row_removed"
    )
    # (and neither old heading is announced removed afterwards)
    assert not [r for r in rows if r["audience"] == "maintainers"]
    assert len(rows) == 28


def test_saskatchewan_occupations_page_banner_version_keeps_only_real_edits(replay):
    rows = replay.folder(SK / "occupations-in-demand")
    last = [row for row in rows if row["observed_at"] == "2018-10-26T16:55:00Z"]
    assert [row["kind"] for row in last] == ["rule_change", "page_change"]
    assert (last[0]["data"]["before"], last[0]["data"]["after"]) == (
        "- As of June 20th, 2018, the SINP’s In-Demand Occupation List has been updated.",
        "- Please note that the SINP’s In-Demand Occupation List has been revised.",
    )
    assert last[1]["data"]["excerpt"] == (
        "+ - Ethical Conduct Disclosure and Application Declaration and Consent Form\n"
        "- - Ethical Conduct Disclosure and Declaration Form"
    )
    assert len(rows) == 10


@pytest.mark.parametrize("page", ["date-time-format", "person-gender"])
def test_noise_only_canada_ca_series_stays_silent(replay, page):
    folder = REAL / "canada_ca_html" / "gcweb_noise_only" / page
    assert replay.folder(folder, watch="iec-en") == []
    assert [outcome for _, outcome in replay.outcomes()] == ["baseline"] + ["unchanged"] * 4

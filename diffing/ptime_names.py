"""Readable English and French names for IRCC's processing-time keys and country codes.

IRCC's two data files (``data-ptime-non-country-en.json``, ``data-ptime-en.json``) name
programs by internal keys ("childcare_pr", "visitor-outside-canada"). Every key seen in the
2025 history has a name here (tests check every key of every saved version); a key IRCC
adds later still works, named by its key. Country names come from the Unicode CLDR data
(``babel``), with IRCC's own non-ISO codes added.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

# Program (and multi-program group) keys → (English, French).
NAMES: dict[str, tuple[str, str]] = {
    # Non-country file: program groups and their programs.
    "visitor_inside_canada": (
        "Visitor visa (from inside Canada)",
        "Visa de visiteur (depuis le Canada)",
    ),
    "visitor_extension": (
        "Visitor record (extending a stay)",
        "Fiche du visiteur (prolongation du séjour)",
    ),
    "study_extension": ("Study permit extension", "Prolongation du permis d’études"),
    "work_extension": ("Work permit extension", "Prolongation du permis de travail"),
    "iec": ("IEC work permits", "Permis de travail EIC"),
    "iec_past": ("IEC work permits (past season)", "Permis de travail EIC (saison passée)"),
    "eta": ("Electronic travel authorization (eTA)", "Autorisation de voyage électronique (AVE)"),
    "quebec_business": ("Quebec business immigrants", "Gens d’affaires immigrants du Québec"),
    "self_employed_federal": (
        "Self-employed persons (federal)",
        "Travailleurs autonomes (fédéral)",
    ),
    "fed_skilled_trades": ("Federal Skilled Trades", "Métiers spécialisés (fédéral)"),
    "skilled_trades_ee": (
        "Federal Skilled Trades (Express Entry)",
        "Métiers spécialisés (fédéral) (Entrée express)",
    ),
    "startup_back": ("Start-up Visa", "Visa pour démarrage d’entreprise"),
    "refugees_protected": (
        "Protected persons (permanent residence)",
        "Personnes protégées (résidence permanente)",
    ),
    "refugees_protected_roc": (
        "Protected persons, outside Quebec",
        "Personnes protégées, hors Québec",
    ),
    "refugees_protected_qc": ("Protected persons, Quebec", "Personnes protégées, Québec"),
    "humanitarian_compassionate": (
        "Humanitarian and compassionate grounds",
        "Considérations d’ordre humanitaire",
    ),
    "humanitarian_compassionate_roc": (
        "Humanitarian and compassionate grounds, outside Quebec",
        "Considérations d’ordre humanitaire, hors Québec",
    ),
    "humanitarian_compassionate_qc": (
        "Humanitarian and compassionate grounds, Quebec",
        "Considérations d’ordre humanitaire, Québec",
    ),
    "citizenship": ("Citizenship", "Citoyenneté"),
    "cit_resumption": ("Resumption of citizenship", "Réintégration dans la citoyenneté"),
    "cit_renunciation": ("Renunciation of citizenship", "Répudiation de la citoyenneté"),
    "cit_search": ("Search of citizenship records", "Recherche dans les registres de citoyenneté"),
    "cit_adoption_part1": (
        "Citizenship for a person adopted by a Canadian (part 1)",
        "Citoyenneté pour une personne adoptée par un Canadien (partie 1)",
    ),
    "pr_card": ("Permanent resident cards", "Cartes de résident permanent"),
    "new_pr": ("PR card for new permanent residents", "Carte RP des nouveaux résidents permanents"),
    "existing_pr": (
        "PR card renewal or replacement",
        "Renouvellement ou remplacement de la carte RP",
    ),
    "rep_documents": (
        "Replacement and amended documents",
        "Documents de remplacement ou modifiés",
    ),
    "vos": ("Verification of status", "Vérification du statut"),
    "replacement": ("Replacement of an immigration document", "Remplacement d’un document"),
    "amend_imm": (
        "Amendment of an immigration document",
        "Modification d’un document d’immigration",
    ),
    "amend_tr": (
        "Amendment of a temporary resident document",
        "Modification d’un document de résident temporaire",
    ),
    "caregivers": ("Caregivers", "Aides familiaux"),
    "childcare": (
        "Home Child Care Provider (work permit)",
        "Gardien d’enfants en milieu familial (permis de travail)",
    ),
    "childcare_pr": (
        "Home Child Care Provider (permanent residence)",
        "Gardien d’enfants en milieu familial (résidence permanente)",
    ),
    "supportworker": (
        "Home Support Worker (work permit)",
        "Aide familial à domicile (permis de travail)",
    ),
    "supportworker_pr": (
        "Home Support Worker (permanent residence)",
        "Aide familial à domicile (résidence permanente)",
    ),
    "sawp": (
        "Seasonal Agricultural Worker Program",
        "Programme des travailleurs agricoles saisonniers",
    ),
    "sawp_current": (
        "Seasonal Agricultural Worker Program (work permit)",
        "Programme des travailleurs agricoles saisonniers (permis de travail)",
    ),
    "dependents_protected_persons": (
        "Family members of protected persons",
        "Membres de la famille de personnes protégées",
    ),
    "atlantic-immigration-program": (
        "Atlantic Immigration Program",
        "Programme d’immigration au Canada atlantique",
    ),
    "empp": (
        "Economic Mobility Pathways Pilot",
        "Projet pilote sur la voie d’accès à la mobilité économique",
    ),
    "cec_flpt": (
        "Canadian Experience Class (Express Entry)",
        "Catégorie de l’expérience canadienne (Entrée express)",
    ),
    "pnp_ee_flpt": (
        "Provincial Nominee Program (Express Entry)",
        "Programme des candidats des provinces (Entrée express)",
    ),
    "pnp_flpt": (
        "Provincial Nominee Program (outside Express Entry)",
        "Programme des candidats des provinces (hors Entrée express)",
    ),
    "fsw_ee_flpt": (
        "Federal Skilled Worker (Express Entry)",
        "Travailleurs qualifiés (fédéral) (Entrée express)",
    ),
    "skilled_workers_qc_flpt": (
        "Quebec-selected skilled workers",
        "Travailleurs qualifiés sélectionnés par le Québec",
    ),
    "cit_grant_flpt": ("Citizenship grant", "Attribution de la citoyenneté"),
    "cit_proof_flpt": ("Citizenship certificate", "Certificat de citoyenneté"),
    "spousal_canada_qc_flpt": (
        "Spouse or partner sponsorship, inside Canada (Quebec)",
        "Parrainage d’un époux ou conjoint, au Canada (Québec)",
    ),
    "spousal_canada_roc_flpt": (
        "Spouse or partner sponsorship, inside Canada (outside Quebec)",
        "Parrainage d’un époux ou conjoint, au Canada (hors Québec)",
    ),
    "spousal_outside_qc_flpt": (
        "Spouse or partner sponsorship, outside Canada (Quebec)",
        "Parrainage d’un époux ou conjoint, hors du Canada (Québec)",
    ),
    "spousal_outside_roc_flpt": (
        "Spouse or partner sponsorship, outside Canada (outside Quebec)",
        "Parrainage d’un époux ou conjoint, hors du Canada (hors Québec)",
    ),
    "pgp_qc_flpt": (
        "Parents and grandparents sponsorship (Quebec)",
        "Parrainage des parents et grands-parents (Québec)",
    ),
    "pgp_roc_flpt": (
        "Parents and grandparents sponsorship (outside Quebec)",
        "Parrainage des parents et grands-parents (hors Québec)",
    ),
    # Country file: one program per top-level key ("refugees_private" has two parts).
    "visitor-outside-canada": (
        "Visitor visa (outside Canada)",
        "Visa de visiteur (hors du Canada)",
    ),
    "supervisa": ("Parent and grandparent super visa", "Super visa pour parents et grands-parents"),
    "study": ("Study permit (outside Canada)", "Permis d’études (hors du Canada)"),
    "work": ("Work permit (outside Canada)", "Permis de travail (hors du Canada)"),
    "child_dependent": ("Dependent child", "Enfant à charge"),
    "child_adopted": ("Adopted child", "Enfant adopté"),
    "refugees_gov": ("Government-assisted refugees", "Réfugiés pris en charge par le gouvernement"),
    "refugees_private": ("Privately sponsored refugees", "Réfugiés parrainés par le secteur privé"),
    "refugees_private.sponsor": (
        "Privately sponsored refugees: sponsor’s application",
        "Réfugiés parrainés par le secteur privé : demande du répondant",
    ),
    "refugees_private.refugee": (
        "Privately sponsored refugees: refugee’s application",
        "Réfugiés parrainés par le secteur privé : demande du réfugié",
    ),
}

# Codes IRCC uses that are not ISO 3166 (CLDR has no name for them).
EXTRA_COUNTRIES: dict[str, tuple[str, str]] = {
    "WB": ("West Bank", "Cisjordanie"),
}


def name(key: str, lang: str = "en") -> str:
    """The readable name of a program or group key; the key itself when it is unknown."""
    names = NAMES.get(key)
    if names is None:
        return key
    return names[1] if lang == "fr" else names[0]


def known(key: str) -> bool:
    """Whether ``key`` has a readable name."""
    return key in NAMES


@cache
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale("fr" if lang == "fr" else "en").territories)


def country_name(code: str, lang: str = "en") -> str:
    """ "IN" → "India" / "Inde"; an unknown code is returned as it is."""
    code = code.upper()
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code][1 if lang == "fr" else 0]
    return _territories(lang).get(code, code)


def _fold(text: str) -> str:
    """Lowercase without accents or punctuation, for matching what people type."""
    text = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(kept.split())


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, label in _territories(lang).items():
            if len(code) == 2 and code.isalpha():
                index.setdefault(_fold(label), code)
    for code, labels in EXTRA_COUNTRIES.items():
        for label in labels:
            index.setdefault(_fold(label), code)
    return index


def find_country(text: str, codes: set[str] | None = None) -> str | None:
    """The country code someone means by ``text``: a code ("IN") or a name in English or
    French ("India", "inde", "Côte d'Ivoire"); None when nothing matches.

    ``codes``, when given, limits the answer to the codes a data file actually has.
    """
    raw = text.strip()
    if len(raw) == 2 and raw.isalpha():
        code = raw.upper()
        if codes is None or code in codes:
            return code
    folded = _fold(raw)
    if not folded:
        return None
    index = _country_index()
    code = index.get(folded)
    if code is None:
        starts = sorted({c for label, c in index.items() if label.startswith(folded)})
        code = starts[0] if len(starts) == 1 else None
    if code is not None and (codes is None or code in codes):
        return code
    return None

"""The official pages people read, where a watch reads a data file behind them.

The Express Entry rounds watch reads IRCC's JSON feed; the page readers open for a draw is the
rounds page, in their language.
"""

from __future__ import annotations

ROUNDS_PAGE = {
    "en": "https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"
    "express-entry/submit-profile/rounds-invitations.html",
    "fr": "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/"
    "entree-express/soumettre-profil/rondes-invitations.html",
}
DRAW_KINDS = ("new_draw", "draw_corrected")


def rounds_page(lang: str) -> str:
    """IRCC's rounds page in ``lang`` (English for any other)."""
    return ROUNDS_PAGE.get(lang, ROUNDS_PAGE["en"])

"""Title and summary of ``pool_changed``: a new Express Entry pool distribution (the total,
its date, the score bands that moved most), in English and French.

Registered into :data:`diffing.messages.RENDERERS` with the other kind modules.
"""

from __future__ import annotations

from typing import Any

from diffing.formats import fmt_date, fmt_int


def fmt_signed(value: int, lang: str = "en") -> str:
    """+312 / −1,234 (a true minus sign), French spacing in French."""
    return ("+" if value >= 0 else "−") + fmt_int(abs(value), lang)


def pool_changed(d: dict[str, Any], lang: str) -> tuple[str, str]:
    total, when = fmt_int(d.get("total"), lang), fmt_date(d.get("as_on") or "", lang)
    sep = " : " if lang == "fr" else ": "
    parts = [
        f"{m['label']}{sep}{fmt_int(m['after'], lang)} "
        f"({fmt_signed(m['after'] - m['before'], lang)})"
        for m in d.get("moves") or []
    ]
    before = d.get("total_before")
    if lang == "fr":
        title = f"Bassin d'Entrée express : {total} candidats au {when}"
        moved = "Plus grands écarts par tranche du SCG : " if parts else ""
        was = f" Total précédent : {fmt_int(before, 'fr')}." if before is not None else ""
    else:
        title = f"Express Entry pool: {total} candidates as of {when}"
        moved = "Score bands that moved most: " if parts else ""
        was = f" Total before: {fmt_int(before, 'en')}." if before is not None else ""
    return title, (moved + "; ".join(parts) + ("." if parts else "") + was).strip()


RENDERERS = {"pool_changed": pool_changed}

"""Every sentence the bot says, in English and French.

Strings are Telegram HTML: the few tags here are ours, and every value substituted into them
must already be escaped by the caller (see notifier.render).
"""

from __future__ import annotations

from diffing.formats import french_spacing

LANGS = ("en", "fr")
LANG_NAMES = {"en": "English", "fr": "Français"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": (
            "<b>Welcome to ircc-watch!</b>\n"
            "I watch Canada's immigration pages and tell you when something that matters "
            "changes: Express Entry draws, new rules, news, events.\n\n"
            "Choose your language, then tap the topics you want to follow."
        ),
        "topics_prompt": "Tap a topic to follow or unfollow it. You follow: {topics}",
        "nothing": "nothing yet",
        "subscribed": "You now follow <b>{topic}</b>.",
        "already_subscribed": "You already follow <b>{topic}</b>.",
        "unsubscribed": "You no longer follow <b>{topic}</b>.",
        "not_subscribed": "You did not follow <b>{topic}</b>.",
        "unknown_topic": "Unknown topic <b>{topic}</b>. Topics: {topics}",
        "usage_subscribe": "Usage: /subscribe TOPIC (one of: {topics})",
        "usage_unsubscribe": "Usage: /unsubscribe TOPIC (one of: {topics})",
        "usage_history": "Usage: /history TOPIC [N] (N up to {most}; topics: {topics})",
        "usage_lang": "Usage: /lang en or /lang fr",
        "usage_crs": "Usage: /crs N (only draws with a cutoff of at most N) or /crs off",
        "usage_admin": "Usage: /{command} NAME (a watch name, see /status)",
        "lang_set": "Language: English.",
        "mysubs": (
            "<b>Your subscriptions</b>\nTopics: {topics}\nDraw types: {types}\n"
            "CRS filter: {crs}\nLanguage: {language}"
        ),
        "all_types": "all",
        "crs_any": "none",
        "crs_at_most": "draws with a cutoff of at most {crs}",
        "crs_set": "You will only hear about draws whose CRS cutoff is at most <b>{crs}</b>.",
        "crs_off": "CRS filter removed: you will hear about every draw.",
        "drawtypes_prompt": (
            "Tap a draw type to receive or ignore it (Express Entry draws). Selected: {types}"
        ),
        "all_button": "All types",
        "latest_none": "No Express Entry draw is known yet.",
        "draws_header": "<b>Last {n} Express Entry draws</b>",
        "draw_line": "#{number} · {date} · {type} · {size} · CRS {crs}",
        "history_header": "<b>Latest changes: {topic}</b>",
        "history_none": "No changes recorded yet for <b>{topic}</b>.",
        "stopped": (
            "Done: you are unsubscribed from everything and your data is deleted. "
            "Send /start to come back."
        ),
        "usage_draws": "Usage: /draws N, where N is a number from 1 to {most}",
        "group_admins_only": ("In a group, only the group's administrators can use /{command}."),
        "group_admins_only_button": "In a group, only its administrators can change this.",
        "button_stale": "This button is no longer valid. Send /start for a fresh menu.",
        "unknown_command": "I don't know that command. Try /help, or tap below.",
        "unknown_text": "I only understand commands. Try /help, or tap below.",
        "menu_topics": "Topics",
        "menu_mysubs": "My subscriptions",
        "menu_latest": "Latest draw",
        "menu_help": "Help",
        "help_header": "<b>Commands</b>",
        "help_admin_header": "<b>Admin commands</b>",
        "help_topics": "Topics: {topics}. Choose yours with /topics.",
        "next_step": (
            "Next: /latest shows the last Express Entry draw, /mysubs what you follow, "
            "/help every command."
        ),
        "export_none": "I keep no data about this chat.",
        "export_caption": "Everything ircc-watch keeps about this chat. /stop deletes it.",
        "why_no_filter": "You have no draw filter: every Express Entry draw reaches you.",
        "why_passes": "✅ {line}",
        "why_filtered": "🚫 {line}",
        "filters_line": "Your filters: {filters}. See /why.",
        "why_filters": "Your filters: {filters}.",
        "filter_types": "draw types {types}",
        "filter_crs": "CRS cutoff at most {crs}",
        "usage_digest": (
            "Usage: /digest daily 18:00, /digest weekly [mon…sun] [HH:MM], /digest off; "
            "add keep-draws to get Express Entry draws at once"
        ),
        "usage_tz": "Unknown time zone {zone}. Usage: /tz America/Toronto (an IANA zone name)",
        "usage_tz_bare": "Usage: /tz America/Toronto (an IANA zone name)",
        "usage_quiet": "Usage: /quiet 22:00-07:00 (24-hour times, your time zone) or /quiet off",
        "schedule_line": "{mode} Time zone: {zone}. {quiet}",
        "digest_is_off": "Every message comes at once.",
        "digest_is_daily": "A digest every day at {at}.",
        "digest_is_weekly": "A digest every {day} at {at}.",
        "digest_keeps_draws": "Express Entry draws still come at once.",
        "quiet_is": "Quiet hours: {start}–{end}.",
        "quiet_is_off": "No quiet hours.",
        "day_mon": "Monday",
        "day_tue": "Tuesday",
        "day_wed": "Wednesday",
        "day_thu": "Thursday",
        "day_fri": "Friday",
        "day_sat": "Saturday",
        "day_sun": "Sunday",
        "digest_daily": "<b>Your daily digest</b>: {changes}",
        "digest_weekly": "<b>Your weekly digest</b>: {changes}",
        "ptime_summary": (
            "<b>Processing times this week</b>: {moves} below your /ptime min, biggest first"
        ),
        "corrected_line": "Corrected by IRCC: {what}",
        "channel_removed": (
            "<b>Channel {chat} unavailable</b>: {error}. Its posts fail until the bot is "
            "an administrator of the channel again."
        ),
        "admin_only": "Sorry, only the bot's administrators can use /{command}.",
        "mark_reviewed": "Mark reviewed",
        "reviewed_ok": "Marked reviewed.",
        "already_reviewed": "Already reviewed by {by} on {at}.",
        "unknown_change": "This change no longer exists.",
        "maintainers_only": "Only maintainers can review changes.",
        "review_link": "Review",
        "source_link": "Official page",
        "reviewed_line": "Reviewed by {by} on {at}.",
        "error": "Sorry, something went wrong. Please try again later.",
    },
    "fr": {
        "welcome": (
            "<b>Bienvenue sur ircc-watch!</b>\n"
            "Je surveille les pages d'immigration du Canada et vous préviens quand quelque "
            "chose d'important change : rondes d'Entrée express, nouvelles règles, nouvelles, "
            "événements.\n\n"
            "Choisissez votre langue, puis touchez les sujets à suivre."
        ),
        "topics_prompt": (
            "Touchez un sujet pour le suivre ou ne plus le suivre. Vous suivez : {topics}"
        ),
        "nothing": "rien pour l'instant",
        "subscribed": "Vous suivez maintenant <b>{topic}</b>.",
        "already_subscribed": "Vous suivez déjà <b>{topic}</b>.",
        "unsubscribed": "Vous ne suivez plus <b>{topic}</b>.",
        "not_subscribed": "Vous ne suiviez pas <b>{topic}</b>.",
        "unknown_topic": "Sujet inconnu : <b>{topic}</b>. Sujets : {topics}",
        "usage_subscribe": "Utilisation : /subscribe SUJET (parmi : {topics})",
        "usage_unsubscribe": "Utilisation : /unsubscribe SUJET (parmi : {topics})",
        "usage_history": "Utilisation : /history SUJET [N] (N jusqu'à {most}; sujets : {topics})",
        "usage_lang": "Utilisation : /lang en ou /lang fr",
        "usage_crs": (
            "Utilisation : /crs N (seulement les rondes dont la note minimale est d'au plus N) "
            "ou /crs off"
        ),
        "usage_admin": "Utilisation : /{command} NOM (un nom de surveillance, voir /status)",
        "lang_set": "Langue : français.",
        "mysubs": (
            "<b>Vos abonnements</b>\nSujets : {topics}\nTypes de rondes : {types}\n"
            "Filtre SCG : {crs}\nLangue : {language}"
        ),
        "all_types": "tous",
        "crs_any": "aucun",
        "crs_at_most": "rondes dont la note minimale est d'au plus {crs}",
        "crs_set": (
            "Vous ne serez prévenu que des rondes dont la note minimale du SCG est d'au plus "
            "<b>{crs}</b>."
        ),
        "crs_off": "Filtre SCG retiré : vous serez prévenu de toutes les rondes.",
        "drawtypes_prompt": (
            "Touchez un type de ronde pour le recevoir ou l'ignorer (rondes d'Entrée express). "
            "Choisis : {types}"
        ),
        "all_button": "Tous les types",
        "latest_none": "Aucune ronde d'Entrée express n'est encore connue.",
        "draws_header": "<b>Les {n} dernières rondes d'Entrée express</b>",
        "draw_line": "n° {number} · {date} · {type} · {size} · SCG {crs}",
        "history_header": "<b>Derniers changements : {topic}</b>",
        "history_none": "Aucun changement enregistré pour <b>{topic}</b>.",
        "stopped": (
            "C'est fait : vous êtes désabonné de tout et vos données sont supprimées. "
            "Envoyez /start pour revenir."
        ),
        "usage_draws": "Utilisation : /draws N, où N est un nombre de 1 à {most}",
        "group_admins_only": (
            "Dans un groupe, seuls les administrateurs du groupe peuvent utiliser /{command}."
        ),
        "group_admins_only_button": (
            "Dans un groupe, seuls ses administrateurs peuvent changer ceci."
        ),
        "button_stale": "Ce bouton n'est plus valide. Envoyez /start pour un nouveau menu.",
        "unknown_command": (
            "Je ne connais pas cette commande. Essayez /help, ou touchez ci-dessous."
        ),
        "unknown_text": (
            "Je ne comprends que les commandes. Essayez /help, ou touchez ci-dessous."
        ),
        "menu_topics": "Sujets",
        "menu_mysubs": "Mes abonnements",
        "menu_latest": "Dernière ronde",
        "menu_help": "Aide",
        "help_header": "<b>Commandes</b>",
        "help_admin_header": "<b>Commandes d'administration</b>",
        "help_topics": "Sujets : {topics}. Choisissez les vôtres avec /topics.",
        "next_step": (
            "Ensuite : /latest montre la dernière ronde d'Entrée express, /mysubs ce que vous "
            "suivez, /help toutes les commandes."
        ),
        "export_none": "Je ne garde aucune donnée sur cette conversation.",
        "export_caption": (
            "Tout ce qu'ircc-watch garde sur cette conversation. /stop le supprime."
        ),
        "why_no_filter": (
            "Vous n'avez aucun filtre : toutes les rondes d'Entrée express vous parviennent."
        ),
        "why_passes": "✅ {line}",
        "why_filtered": "🚫 {line}",
        "filters_line": "Vos filtres : {filters}. Voir /why.",
        "why_filters": "Vos filtres : {filters}.",
        "filter_types": "types de rondes {types}",
        "filter_crs": "note minimale du SCG d'au plus {crs}",
        "usage_digest": (
            "Utilisation : /digest daily 18:00, /digest weekly [mon…sun] [HH:MM], /digest off; "
            "ajoutez keep-draws pour recevoir les rondes d'Entrée express tout de suite"
        ),
        "usage_tz": (
            "Fuseau horaire inconnu : {zone}. Utilisation : /tz America/Toronto (un nom IANA)"
        ),
        "usage_tz_bare": "Utilisation : /tz America/Toronto (un nom IANA)",
        "usage_quiet": (
            "Utilisation : /quiet 22:00-07:00 (heures sur 24 h, votre fuseau) ou /quiet off"
        ),
        "schedule_line": "{mode} Fuseau horaire : {zone}. {quiet}",
        "digest_is_off": "Chaque message arrive tout de suite.",
        "digest_is_daily": "Un résumé chaque jour à {at}.",
        "digest_is_weekly": "Un résumé chaque {day} à {at}.",
        "digest_keeps_draws": "Les rondes d'Entrée express arrivent toujours tout de suite.",
        "quiet_is": "Heures de silence : {start}–{end}.",
        "quiet_is_off": "Pas d'heures de silence.",
        "day_mon": "lundi",
        "day_tue": "mardi",
        "day_wed": "mercredi",
        "day_thu": "jeudi",
        "day_fri": "vendredi",
        "day_sat": "samedi",
        "day_sun": "dimanche",
        "digest_daily": "<b>Votre résumé du jour</b> : {changes}",
        "digest_weekly": "<b>Votre résumé de la semaine</b> : {changes}",
        "ptime_summary": (
            "<b>Délais de traitement de la semaine</b> : {moves} sous votre /ptime min, "
            "les plus grands d’abord"
        ),
        "corrected_line": "Corrigé par IRCC : {what}",
        "channel_removed": (
            "<b>Canal {chat} indisponible</b> : {error}. Ses publications échouent tant que le "
            "robot n'en est pas de nouveau administrateur."
        ),
        "admin_only": "Désolé, seuls les administrateurs du robot peuvent utiliser /{command}.",
        "mark_reviewed": "Marquer comme vu",
        "reviewed_ok": "Marqué comme vu.",
        "already_reviewed": "Déjà vu par {by} le {at}.",
        "unknown_change": "Ce changement n'existe plus.",
        "maintainers_only": "Seuls les responsables peuvent valider les changements.",
        "review_link": "Revue",
        "source_link": "Page officielle",
        "reviewed_line": "Vu par {by} le {at}.",
        "error": "Désolé, une erreur s'est produite. Réessayez plus tard.",
    },
}

TOPIC_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "express-entry": "Express Entry",
        "iec": "International Experience Canada",
        "gts": "Global Talent Stream",
        "work-permits": "Work permits",
        "events": "Recruitment events",
        "news": "IRCC news",
        "pnp": "Provincial nominee programs (all)",
        "pnp-on": "Ontario",
        "pnp-bc": "British Columbia",
        "pnp-ab": "Alberta",
        "pnp-sk": "Saskatchewan",
        "pnp-mb": "Manitoba",
        "pnp-qc": "Quebec",
        "pnp-ns": "Nova Scotia",
        "pnp-nb": "New Brunswick",
        "pnp-pe": "Prince Edward Island",
        "pnp-nl": "Newfoundland and Labrador",
        "pnp-yt": "Yukon",
        "pnp-nt": "Northwest Territories",
        "aip": "Atlantic Immigration Program",
        "processing-times": "Processing times",
        "general": "General",
    },
    "fr": {
        "express-entry": "Entrée express",
        "iec": "Expérience internationale Canada",
        "gts": "Volet des talents mondiaux",
        "work-permits": "Permis de travail",
        "events": "Événements de recrutement",
        "news": "Nouvelles d'IRCC",
        "pnp": "Programmes des candidats des provinces (tous)",
        "pnp-on": "Ontario",
        "pnp-bc": "Colombie-Britannique",
        "pnp-ab": "Alberta",
        "pnp-sk": "Saskatchewan",
        "pnp-mb": "Manitoba",
        "pnp-qc": "Québec",
        "pnp-ns": "Nouvelle-Écosse",
        "pnp-nb": "Nouveau-Brunswick",
        "pnp-pe": "Île-du-Prince-Édouard",
        "pnp-nl": "Terre-Neuve-et-Labrador",
        "pnp-yt": "Yukon",
        "pnp-nt": "Territoires du Nord-Ouest",
        "aip": "Programme d'immigration au Canada atlantique",
        "processing-times": "Délais de traitement",
        "general": "Général",
    },
}

DRAW_TYPE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "cec": "Canadian Experience Class",
        "pnp": "Provincial Nominee Program",
        "fsw": "Federal Skilled Worker",
        "fst": "Federal Skilled Trades",
        "french": "French proficiency",
        "stem": "STEM",
        "healthcare": "Healthcare",
        "trades": "Trades",
        "education": "Education",
        "transport": "Transport",
        "agriculture": "Agriculture",
        "physicians": "Physicians",
        "senior-managers": "Senior managers",
        "military": "Military recruits",
        "general": "General (all programs)",
        "other": "Other / new categories",
    },
    "fr": {
        "cec": "Catégorie de l’expérience canadienne",
        "pnp": "Programme des candidats des provinces",
        "fsw": "Programme des travailleurs qualifiés (fédéral)",
        "fst": "Programme des travailleurs de métiers spécialisés (fédéral)",
        "french": "Compétence linguistique en français",
        "stem": "STIM",
        "healthcare": "Santé",
        "trades": "Métiers",
        "education": "Éducation",
        "transport": "Transport",
        "agriculture": "Agriculture",
        "physicians": "Médecins",
        "senior-managers": "Cadres supérieurs",
        "military": "Recrues militaires",
        "general": "Générale (tous les programmes)",
        "other": "Autres / nouvelles catégories",
    },
}


def lang_or_default(lang: str | None) -> str:
    """``lang`` if supported, else English."""
    return lang if lang in LANGS else "en"


def t(lang: str | None, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English if missing), with ``values`` substituted."""
    table = STRINGS[lang_or_default(lang)]
    text = table.get(key) or STRINGS["en"][key]
    text = text.format(**values) if values else text
    return french_spacing(text) if lang == "fr" else text


def topic_name(lang: str | None, topic: str) -> str:
    """A topic's name for people ("Express Entry"); a topic we have no name for reads as
    its slug with spaces ("work-visas" → "Work visas")."""
    known = TOPIC_NAMES[lang_or_default(lang)].get(topic)
    if known:
        return known
    words = topic.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else topic


def draw_type_label(lang: str | None, draw_type: str) -> str:
    """A draw type's name for people."""
    return DRAW_TYPE_LABELS[lang_or_default(lang)].get(draw_type, draw_type)


def guess_lang(language_code: str | None) -> str:
    """The language for a new subscriber from Telegram's ``language_code`` ("fr-CA" → "fr")."""
    return "fr" if (language_code or "").lower().startswith("fr") else "en"

"""ircc-watch's configuration: the ground floor every other package stands on.

``from settings import load_config, Config, Watch`` is all most code needs. This package imports
no other package of the project (a test checks it), so ``crawlers``, ``diffing``, ``storage``,
``notifier``, ``review`` and ``ircc_watch`` may all read the configuration without an import circle.
"""

from settings.channels import Channel
from settings.load import load_config
from settings.model import (
    KINDS,
    LANGS,
    Config,
    ConfigError,
    Settings,
    TelegramSettings,
    Watch,
    domain_allowed,
    parse_interval,
    subscribable,
    topic_family,
)
from settings.review import Reviewer, ReviewSettings

__all__ = [
    "KINDS",
    "LANGS",
    "Channel",
    "Config",
    "ConfigError",
    "ReviewSettings",
    "Reviewer",
    "Settings",
    "TelegramSettings",
    "Watch",
    "domain_allowed",
    "load_config",
    "parse_interval",
    "subscribable",
    "topic_family",
]

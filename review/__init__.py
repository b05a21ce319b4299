"""The maintainers' review page and Atom feed of changes (an aiohttp app in the service's loop)."""

from review.app import create_app, start_review, stop_review

__all__ = ["create_app", "start_review", "stop_review"]

"""The review page's access log: one line per request, with no credential in it.

aiohttp's default line carries the whole request line and the Referer, and Telegram's Login
Widget sends its signature (``hash``) in the query string of ``/login/telegram``: a copy of the
log was a way to sign in. Here the query's credentials are masked and no header is written.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

MASK = "[redacted]"
SECRET_PARAMS = frozenset({"hash", "secret", "csrf_token", "token"})


def masked_target(request: BaseRequest) -> str:
    """The request's path and query, every credential-bearing parameter's value masked."""
    url = request.rel_url
    if not url.query_string:
        return url.raw_path
    query = "&".join(
        f"{quote(key)}={MASK if key.lower() in SECRET_PARAMS else quote(value)}"
        for key, value in url.query.items()
    )
    return f"{url.raw_path}?{query}"


class AccessLog(AbstractAccessLogger):
    """Writes ``address "METHOD target" status bytes seconds`` at INFO."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %d %d %.3fs',
            request.remote,
            request.method,
            masked_target(request),
            response.status,
            response.body_length,
            time,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

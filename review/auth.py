"""Who is signed in to the review page: signed session cookies, CSRF tokens, sign-in checks.

A session is a cookie signed with itsdangerous (HMAC over a timestamped payload): a random
session id and, once signed in, who it is: the reviewer's name with a fingerprint of their
secret, or the Telegram user id. The page checks that identity against the running config on
every request (review/app.py), so a maintainer removed from the config, or whose secret
changed, is signed out at the next reload. Signed-out session ids are kept in the database
(storage/signins.py) until they would have expired anyway; a restart with another signing key
(no ``session_secret_env``) signs everybody out.
The CSRF token is an HMAC of the session id: one per session, changed at every sign-in.
Maintainers sign in with their own secret (from the environment) or Telegram's Login Widget,
whose data is checked exactly as https://core.telegram.org/widgets/login#checking-authorization
says: hex HMAC-SHA-256 of the data-check-string with SHA-256(bot token) as the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "ircc_watch_session"
SESSION_MAX_AGE = 12 * 3600  # seconds a sign-in lasts
TELEGRAM_MAX_AGE = 24 * 3600  # how old Telegram's auth_date may be
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Session:
    """One visitor's session: ``sid`` is random, ``user`` is set once signed in.

    ``who`` is what the sign-in is checked against on every request: the reviewer's name
    (``via`` "secret", with ``key`` the fingerprint of the secret they used) or the Telegram
    user id as text (``via`` "telegram").
    """

    sid: str
    user: str | None = None
    via: str | None = None  # "secret" or "telegram"
    who: str | None = None
    key: str | None = None

    @classmethod
    def new(
        cls,
        user: str | None = None,
        via: str | None = None,
        who: str | None = None,
        key: str | None = None,
    ) -> Session:
        """A fresh session (a new id: sign-in never keeps the id a visitor had before)."""
        return cls(secrets.token_urlsafe(18), user, via, who, key)


class Sessions:
    """Signs and reads session cookies, and makes each session's CSRF token."""

    def __init__(self, key: str | None) -> None:
        """``key``: the signing secret; None draws a random one (sessions end at restart)."""
        self._key = key or secrets.token_urlsafe(32)
        self._serializer = URLSafeTimedSerializer(self._key, salt="ircc-watch review session")

    def fingerprint(self, name: str, secret: str) -> str:
        """A short keyed digest of a reviewer's secret: it changes when the secret does, and
        the cookie that carries it reveals nothing about the secret."""
        message = f"reviewer:{name}:{secret}".encode()
        return hmac.new(self._key.encode(), message, hashlib.sha256).hexdigest()[:32]

    def dump(self, session: Session) -> str:
        """The cookie value for ``session``."""
        return self._serializer.dumps(
            {
                "sid": session.sid,
                "u": session.user,
                "v": session.via,
                "w": session.who,
                "k": session.key,
            }
        )

    def load(self, value: str | None) -> Session | None:
        """The session in a cookie, or None if it is missing, tampered with or expired."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            return None
        user, via, who, key = (
            value if isinstance(value, str) else None
            for value in (data.get("u"), data.get("v"), data.get("w"), data.get("k"))
        )
        return Session(data["sid"], user, via, who, key)

    def csrf_token(self, session: Session) -> str:
        """The session's CSRF token: only this session's forms carry it."""
        message = f"csrf:{session.sid}".encode()
        return hmac.new(self._key.encode(), message, hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session | None, token: object) -> bool:
        """Whether ``token`` is the CSRF token of ``session``."""
        if session is None or not isinstance(token, str):
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token(session).encode())


class Throttle:
    """Slows guessing: after ``limit`` wrong secrets for one key within ``window`` seconds,
    that key may not try again until the oldest of them is ``window`` seconds old.

    The page's key is (name, source address): with secrets of 16 characters or more, 5 guesses
    a minute per address leave nothing to guess in any useful time, and a stranger typing wrong
    secrets for a maintainer's name never keeps that maintainer out from their own address.
    """

    def __init__(self, limit: int = 5, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[Hashable, list[float]] = {}

    def wait(self, key: Hashable, now: float | None = None) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        recent = [t for t in self._failures.get(key, []) if t > now - self.window]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        if len(recent) < self.limit:
            return 0.0
        return recent[0] + self.window - now

    def failed(self, key: Hashable, now: float | None = None) -> None:
        """Count one wrong secret for ``key``."""
        self._failures.setdefault(key, []).append(time.monotonic() if now is None else now)
        if len(self._failures) > 10_000:  # names are typed by strangers: keep memory bounded
            self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: Hashable) -> None:
        """Forget ``key``'s failures."""
        self._failures.pop(key, None)


def same_origin(headers: Mapping[str, str], expected: str) -> bool:
    """True when the request says it comes from ``expected`` (``scheme://host[:port]``).

    Browsers send Origin on every cross-site POST (and on same-origin POSTs too); when a
    privacy setting strips it, Referer is checked instead. A POST with neither is refused.
    """
    origin = headers.get("Origin")
    if origin and origin != "null":
        return origin.rstrip("/").lower() == expected.lower()
    referer = headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == expected.lower()
    return False


def host_names(public_url: str | None, listen_host: str) -> frozenset[str]:
    """The host names the page answers to: ``public_url``'s, the listen address, localhost.

    A browser sends the name it resolved in the Host header; answering no other name keeps a
    hostile site whose name was made to resolve to this machine (DNS rebinding) from reading
    the page through a visitor's browser, which reaches addresses the hostile site cannot.
    """
    names = {"localhost", "127.0.0.1", "::1", listen_host.strip("[]").lower()}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    return frozenset(names - {""})


def host_allowed(host_header: str | None, names: Iterable[str]) -> bool:
    """Whether a request's Host header (``name[:port]``) names one of ``names``."""
    if not host_header:
        return False
    try:
        parts = urlsplit(f"//{host_header}")
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    name = (parts.hostname or "").rstrip(".")
    return bool(name) and name in names


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def secret_matches(given: str, expected: str | None) -> bool:
    """Constant-time comparison of a typed secret with the one in the environment."""
    if not expected or len(expected) < MIN_SECRET_LENGTH:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def telegram_data_check_string(fields: Mapping[str, str]) -> str:
    """Every received field but ``hash``, sorted by key, as ``key=value`` lines."""
    return "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")


def telegram_hash(fields: Mapping[str, str], bot_token: str) -> str:
    """The hash Telegram computes for the Login Widget's data."""
    key = hashlib.sha256(bot_token.encode()).digest()
    check = telegram_data_check_string(fields).encode("utf-8")
    return hmac.new(key, check, hashlib.sha256).hexdigest()


def verify_telegram_login(
    fields: Mapping[str, str], bot_token: str, now: float | None = None
) -> int | None:
    """The Telegram user id in Login Widget data that is genuine and fresh, else None."""
    given = fields.get("hash", "")
    if not given or not bot_token:
        return None
    if not hmac.compare_digest(given.lower().encode(), telegram_hash(fields, bot_token).encode()):
        return None
    auth_date, user_id = fields.get("auth_date", ""), fields.get("id", "")
    if not (auth_date.isascii() and auth_date.isdigit() and user_id.isascii()):
        return None
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    age = (time.time() if now is None else now) - int(auth_date)
    if age > TELEGRAM_MAX_AGE or age < -300:
        return None
    return int(user_id)

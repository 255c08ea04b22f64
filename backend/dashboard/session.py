"""Dashboard sessions: a signed cookie after sign-in with the officer token, and CSRF tokens.

The cookie holds the officer id, the time of sign-in and an HMAC over both, the officer's
current token hash and their session version, so a revoked or replaced token ends every session
made with it, and signing out (which raises the version in the database:
``backend.auth.end_sessions``) ends every session of that officer on every replica at once.
Anything that is not exactly such a cookie (huge or negative numbers, other digits, a wrong
length) is read as "not signed in". The key is
derived from SERVICE_TOKEN (already a server secret), so there is no second secret to manage;
changing SERVICE_TOKEN signs everyone out. Forms carry a CSRF token derived from the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from backend.models import Officer

COOKIE = "msme_dashboard"
LOGIN_COOKIE = "msme_dashboard_login"  # CSRF for the sign-in form, before there is a session
LIFETIME = timedelta(hours=12)
# id (at most 18 digits: within a 64-bit integer), Unix time of sign-in, 32-byte HMAC in
# unpadded URL-safe base64; ASCII only (str.isdigit also takes "²" and "١").
_COOKIE_SHAPE = re.compile(r"([1-9][0-9]{0,17})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})", re.ASCII)


def _key(service_token: str) -> bytes:
    return hmac.new(service_token.encode(), b"dashboard-session-v1", hashlib.sha256).digest()


def _sign(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _signed_part(officer: Officer, issued: str) -> str:
    return f"{officer.id}.{issued}.{officer.token_hash}.{officer.session_version or 0}"


def session_cookie(service_token: str, officer: Officer, now: datetime) -> str:
    issued = str(int(now.timestamp()))
    signature = _sign(_key(service_token), _signed_part(officer, issued))
    return f"{officer.id}.{issued}.{signature}"


def officer_for_cookie(
    session: Session, service_token: str, value: str | None, now: datetime
) -> Officer | None:
    """The signed-in officer, or None for a missing, forged, expired or revoked session."""
    match = _COOKIE_SHAPE.fullmatch(value or "")
    if match is None:
        return None
    officer_id, issued, signature = match.groups()
    age = now.timestamp() - int(issued)
    if age < -300 or age > LIFETIME.total_seconds():
        return None
    officer = session.get(Officer, int(officer_id))
    if officer is None or not officer.active:
        return None
    expected = _sign(_key(service_token), _signed_part(officer, issued))
    if not hmac.compare_digest(expected, signature):
        return None
    return officer


def csrf_token(service_token: str, cookie_value: str) -> str:
    return _sign(_key(service_token), f"csrf.{cookie_value}")


def csrf_ok(service_token: str, cookie_value: str | None, presented: str | None) -> bool:
    if not cookie_value or not presented:
        return False
    return hmac.compare_digest(csrf_token(service_token, cookie_value), presented)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)

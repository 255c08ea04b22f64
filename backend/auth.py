"""Officer tokens (random, shown once, stored hashed) and the scope rules of the admin API."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Department, Officer, Ticket

ROLES = ("officer", "head", "leadership")
TOKEN_PREFIX = "ofc_"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(token.encode()).hexdigest()


def service_token_ok(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())


def add_officer(
    session: Session, name: str, department_code: str, role: str
) -> tuple[Officer, str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if session.get(Department, department_code) is None:
        raise LookupError(f"unknown department {department_code} (run migrate first?)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    officer = Officer(
        name=name, department_code=department_code, role=role, token_hash=hash_token(token)
    )
    session.add(officer)
    session.flush()
    return officer, token


def officer_for_token(session: Session, token: str) -> Officer | None:
    return session.scalars(
        select(Officer).where(Officer.token_hash == hash_token(token), Officer.active.is_(True))
    ).first()


def can_see(officer: Officer, ticket: Ticket) -> bool:
    """Officers and heads work their own department's tickets (heads see its escalations);
    leadership sees everything."""
    if officer.role == "leadership":
        return True
    return ticket.department_code == officer.department_code


def can_act(officer: Officer, ticket: Ticket) -> bool:
    return can_see(officer, ticket)


def visible_department(officer: Officer) -> str | None:
    """The department an officer's listings are limited to (None: all)."""
    return None if officer.role == "leadership" else officer.department_code

"""Officer tokens (random, shown once, stored hashed) and the scope rules of the admin API."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.models import OPEN_SQL, Department, Officer, Ticket

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


def end_sessions(session: Session, officer_id: int) -> None:
    """Make every dashboard cookie issued to the officer so far worthless (sign-out,
    revocation): their signatures cover the old session version
    (``backend.dashboard.session``). In the database, so every replica agrees at once."""
    session.execute(
        update(Officer)
        .where(Officer.id == officer_id)
        .values(session_version=Officer.session_version + 1)
    )


def list_officers(session: Session) -> list[Officer]:
    """Every officer, active or revoked, for the operator (rows carry token hashes: callers
    show names, roles and departments only)."""
    return list(session.scalars(select(Officer).order_by(Officer.id)))


def find_officer(session: Session, who: str) -> Officer:
    """The officer with this id, or else this exact name; LookupError when none or several
    (two officers may share a name: then the operator gives the id)."""
    if who.isascii() and who.isdigit() and len(who) <= 18:
        officer = session.get(Officer, int(who))
        if officer is not None:
            return officer
    named = list(session.scalars(select(Officer).where(Officer.name == who)))
    if not named:
        raise LookupError(f"no officer with id or name {who!r}")
    if len(named) > 1:
        ids = ", ".join(str(o.id) for o in named)
        raise LookupError(f"several officers are named {who!r} (ids {ids}): give the id")
    return named[0]


def revoke_officer(session: Session, who: str) -> tuple[Officer, int]:
    """Deactivate an officer: their token is refused from the next request on (the admin API
    and the dashboard sign-in look for active officers only), their dashboard sessions end (a
    new session version), and no new ticket is assigned to them. Returns the officer and how
    many open tickets are still assigned to them, for the operator to transfer."""
    officer = find_officer(session, who)
    session.execute(update(Officer).where(Officer.id == officer.id).values(active=False))
    end_sessions(session, officer.id)
    session.refresh(officer)
    still_open = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.officer_id == officer.id, Ticket.status.in_(_open_statuses())
        )
    )
    return officer, int(still_open or 0)


def _open_statuses() -> list[str]:
    return [s.strip().strip("'") for s in OPEN_SQL.split(",")]


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

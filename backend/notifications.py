"""What the citizen and officers are told, written to the outbox with the change itself."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Notification, Officer, Ticket, TicketEvent
from infra.channels import CHAT_CHANNELS, PORTAL_CHANNELS
from infra.texts import LANGUAGES, pick
from infra.texts import texts as catalogue_texts
from routing.urgency import REASON_TITLES

# The texts: the catalogue's citizen and officer notifications (infra/texts.yaml).
_TEXTS = catalogue_texts("citizen", "notification")
_OFFICER_TEXTS = catalogue_texts("officer", "notification")


def level_name(level: int, language: str) -> str:
    """Who a grievance escalated to ``level`` is with, as the citizen reads it ("" at 0)."""
    entry = catalogue_texts("citizen", "level").get(str(level))
    return pick(entry, language) if entry else ""


_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")


def citizen_language(declared: str | None, *texts: str | None) -> str:
    """The language to write to the citizen in: what the conversation declared, except that
    someone who writes Devanagari reads Devanagari.

    "hinglish" is Hindi in Latin letters; the assistant's language detector says it for a
    short Latin reply such as "haan ji" at the summary, so a person who told their whole
    grievance in Devanagari was filed, and notified, in Hinglish (issue 13, item 5). Their own
    words decide: mostly Devanagari letters make "hinglish" Hindi. English stays English (a
    person may choose English and still write names in Devanagari).
    """
    language = declared if declared in LANGUAGES else "en"
    if language == "hinglish":
        written = " ".join(t for t in texts if t)
        if len(_DEVANAGARI.findall(written)) > len(_LATIN.findall(written)):
            return "hi"
    return language


class _NamedDepartment(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def name_hi(self) -> str: ...


def department_name(department: _NamedDepartment, language: str) -> str:
    """The department as the citizen reads it: the directory's Hindi name in Hindi."""
    if language == "hi" and department.name_hi:
        return department.name_hi
    return department.name


def citizen_key(number: str, kind: str, event_id: int) -> str:
    """The delivery key of the citizen's notice of an event (delivered at most once)."""
    return f"{number}:{kind}:{event_id}:citizen"


def officer_key(number: str, kind: str, event_id: int, officer_id: int) -> str:
    """The delivery key of one officer's notice of an event."""
    return f"{number}:{kind}:{event_id}:officer:{officer_id}"


def officer_text(
    kind: str, *, number: str, category: str, state: str, level: int, note: str
) -> str:
    """What an officer is told of an event (English: the desk works in English)."""
    return _OFFICER_TEXTS[kind]["en"].format(
        number=number, category=category, state=state, level=level, note=note[:300]
    )


def citizen_text(kind: str, language: str, **values: object) -> str:
    return pick(_TEXTS[kind], language).format(**values)


def notify_citizen(
    session: Session, ticket: Ticket, kind: str, event_id: int, note: str = ""
) -> Notification | None:
    if ticket.channel not in CHAT_CHANNELS:
        return None
    language = ticket.language if ticket.language in LANGUAGES else "en"
    text = citizen_text(
        kind,
        language,
        number=ticket.number,
        department=(
            department_name(ticket.department, language)
            if ticket.department
            else ticket.department_code
        ),
        note=note,
        level_name=level_name(ticket.escalation_level, language),
    )
    notification = Notification(
        ticket_id=ticket.id,
        delivery_key=citizen_key(ticket.number, kind, event_id),
        recipient="citizen",
        channel=ticket.channel,
        channel_user_id=ticket.channel_user_id,
        language=language,
        kind=kind,
        text=text,
        ticket_status=ticket.status,
        next_attempt_at=ticket.updated_at,
    )
    session.add(notification)
    return notification


def portal_key(number: str, event_id: int, channel: str) -> str:
    """The delivery key of a status change written back to the portal a ticket came from."""
    return f"{number}:status:{event_id}:{channel}"


def notify_portal(session: Session, ticket: Ticket, event: TicketEvent) -> Notification | None:
    """A grievance pulled or imported from a portal that takes status changes (CPGRAMS,
    ``infra/channels.py``) is told each change of status, through the outbox like any
    notification: written with the change, posted by the worker, retried while the portal is
    down. Only the portal's own grievances (their external source is the portal) are told."""
    if ticket.channel not in PORTAL_CHANNELS or ticket.external_source != ticket.channel:
        return None
    if event.from_status == event.to_status or not ticket.external_ref:
        return None
    notification = Notification(
        ticket_id=ticket.id,
        delivery_key=portal_key(ticket.number, event.id, ticket.channel),
        recipient="portal",
        channel=ticket.channel,
        channel_user_id=ticket.external_ref,
        language="en",
        kind="status",
        text=event.note,
        ticket_status=ticket.status,
        next_attempt_at=event.at,
        created_at=event.at,
    )
    session.add(notification)
    return notification


def _active_officers(session: Session, role: str, department_code: str | None) -> list[Officer]:
    """Active officers of a role (in a department), remembered for the unit of work: a sweep
    escalating hundreds of tickets asks the same question for each."""
    cache: dict[tuple[str, str | None], list[Officer]] = session.info.setdefault(
        "active_officers", {}
    )
    key = (role, department_code)
    if key not in cache:
        query = select(Officer).where(Officer.role == role, Officer.active.is_(True))
        if department_code is not None:
            query = query.where(Officer.department_code == department_code)
        cache[key] = list(session.scalars(query))
    return cache[key]


def officers_to_alert(session: Session, ticket: Ticket) -> list[Officer]:
    """The assigned officer, plus the department's heads from level 1, leadership at level 3."""
    officers: dict[int, Officer] = {}
    if ticket.officer_id is not None:
        officer = session.get(Officer, ticket.officer_id)
        if officer is not None and officer.active:
            officers[officer.id] = officer
    # A critical grievance (routing/urgency.py) is followed by the heads and leadership from
    # the start, as an escalated one is.
    critical = ticket.urgency == "critical"
    if ticket.escalation_level >= 1 or critical:
        heads = _active_officers(session, "head", ticket.department_code)
        officers.update({o.id: o for o in heads})
    if ticket.escalation_level >= 3 or critical:
        leaders = _active_officers(session, "leadership", None)
        officers.update({o.id: o for o in leaders})
    return list(officers.values())


def critical_note(reasons: Sequence[str]) -> str:
    """Urgency reason codes as officers read them."""
    return "; ".join(REASON_TITLES.get(code, code) for code in reasons) or "urgent"


def critical_officer_text(number: str, category: str, state: str, reasons: Sequence[str]) -> str:
    """The alert a critical grievance sends its department's heads and leadership at filing."""
    note = critical_note(reasons)
    return officer_text(
        "critical", number=number, category=category, state=state, level=0, note=note
    )


def notify_officers(
    session: Session, ticket: Ticket, kind: str, event_id: int, note: str = ""
) -> list[Notification]:
    text = officer_text(
        kind,
        number=ticket.number,
        category=ticket.category,
        state=ticket.state,
        level=ticket.escalation_level,
        note=note,
    )
    rows = []
    for officer in officers_to_alert(session, ticket):
        row = Notification(
            ticket_id=ticket.id,
            delivery_key=officer_key(ticket.number, kind, event_id, officer.id),
            recipient="officer",
            channel="officer",
            channel_user_id=str(officer.id),
            language="en",
            kind=kind,
            text=text,
            ticket_status=ticket.status,
            next_attempt_at=ticket.updated_at,
        )
        session.add(row)
        rows.append(row)
    return rows

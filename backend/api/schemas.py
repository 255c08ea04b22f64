"""Request and response bodies of the service and admin APIs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from backend.tickets import REQUIRED_FIELDS, is_placeholder
from routing.categories import CATEGORIES
from routing.contact import normalize_mobile, normalize_udyam
from routing.states import canonical_state

Channel = Literal["telegram", "whatsapp", "web", "cpgrams"]
Language = Literal["en", "hi", "hinglish"]
MAX_DESCRIPTION = 4000
# Free text that people write in lines: newlines and tabs are kept there (CR LF and a lone CR
# are stored as LF). Every other text field is one line.
MULTILINE_FIELDS = frozenset({"description", "text", "comment", "note"})
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        """Every text of every request: control characters (NUL, escapes, C1 codes, line
        breaks outside free text) are refused with the field's name, never stored: they
        truncate strings in C libraries, break CSV exports and logs, and hide text on screens.
        Leading and trailing whitespace is stripped first (as ``str_strip_whitespace`` would)."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if info.field_name in MULTILINE_FIELDS:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            bad = _CONTROL_IN_LINES.search(text)
        else:
            bad = _CONTROL_IN_LINE.search(text)
        if bad is not None:
            where = "" if info.field_name in MULTILINE_FIELDS else " (one line of text)"
            raise ValueError(
                f"{info.field_name} contains a control character "
                f"(U+{ord(bad.group()):04X}){where}; send plain text"
            )
        return text


class ChannelIdentity(_Strict):
    channel: Channel
    channel_user_id: str = Field(min_length=1, max_length=64)


class TicketCreate(ChannelIdentity):
    idempotency_key: str | None = Field(
        default=None,
        min_length=8,
        max_length=128,
        description=(
            "Makes retries safe. Scoped per caller (channel + channel_user_id): the same key "
            "with the same body answers 200 with the first ticket; with another body, 409 "
            "code idempotency_key_reused; another caller's equal key is unrelated (a new "
            "ticket)."
        ),
    )
    name: str = Field(min_length=1, max_length=120)
    mobile: str = Field(max_length=32)
    enterprise_name: str = Field(min_length=1, max_length=200)
    udyam_number: str | None = Field(default=None, max_length=40)
    state: str = Field(min_length=1, max_length=60)
    district: str = Field(min_length=1, max_length=80)
    category: str = Field(default="other", max_length=40)
    description: str = Field(min_length=10, max_length=MAX_DESCRIPTION)
    language: Language = "en"

    @field_validator(*REQUIRED_FIELDS, mode="before")
    @classmethod
    def _required(cls, value: object, info: ValidationInfo) -> object:
        """A required field holds a real answer: not empty, blank or a placeholder ("None",
        "null", "n/a", "skip"...); refused with the field's name, and nothing is stored."""
        if is_placeholder(value):
            raise ValueError(f"{info.field_name} is required (empty or a placeholder: {value!r})")
        return value

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        mobile = normalize_mobile(value)
        if mobile is None:
            raise ValueError(
                "not an Indian mobile number (10 digits 0-9 or ०-९ starting 6-9, +91 optional)"
            )
        return mobile

    @field_validator("udyam_number")
    @classmethod
    def _udyam(cls, value: str | None) -> str | None:
        if value is None or is_placeholder(value):  # optional: no Udyam number is null
            return None
        udyam = normalize_udyam(value)
        if udyam is None:
            raise ValueError("Udyam number must look like UDYAM-XX-00-0000000 (digits 0-9 or ०-९)")
        return udyam

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        state = canonical_state(value)
        if state is None:
            raise ValueError("unknown state or union territory")
        return state

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category; one of: {', '.join(CATEGORIES)}")
        return value


class _HasDepartmentNames(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_hi(self) -> str: ...


class DepartmentView(BaseModel):
    code: str
    name: str
    name_hi: str = ""  # the directory's Hindi name, for Hindi conversations

    @classmethod
    def of(cls, department: _HasDepartmentNames) -> DepartmentView:
        """From a directory entry or a departments row."""
        return cls(code=department.code, name=department.name, name_hi=department.name_hi or "")


class UrgencyView(BaseModel):
    """routing/urgency.py: ``level`` critical | high | normal; ``reasons`` are codes
    (self_harm, violence, safety, wages_unpaid, closure, sealing_seizure, disaster,
    bribe_deadline, model), the most serious first."""

    level: Literal["critical", "high", "normal"]
    reasons: list[str]

    @classmethod
    def of(cls, level: str, reasons: str) -> UrgencyView:
        """From a ticket's stored columns (reason codes joined by commas)."""
        return cls(level=level, reasons=[r for r in reasons.split(",") if r])


class TicketCreated(BaseModel):
    number: str
    status: str
    department: DepartmentView
    ack_due_at: datetime
    resolve_due_at: datetime
    # The number of the caller's open ticket that this one repeats (backend.duplicates).
    duplicate_of: str | None = None
    urgency: UrgencyView


class TicketPublicView(BaseModel):
    """What anyone with the number may see: no personal detail, no hint of what may be done."""

    number: str
    status: str
    department: DepartmentView
    is_owner: bool = False


class TicketStatusView(TicketPublicView):
    """The status as its owner sees it (also the answer to their messages and feedback)."""

    escalation_level: int
    ack_due_at: datetime
    resolve_due_at: datetime
    created_at: datetime
    updated_at: datetime


class TicketOwnerView(TicketStatusView):
    """What the ticket's own channel identity sees in addition."""

    name: str
    mobile: str | None
    enterprise_name: str
    udyam_number: str | None
    state: str
    district: str
    category: str
    description: str
    language: str
    resolution: str | None
    rejection_reason: str | None
    rating: int | None
    last_reply: str | None = None
    # What the officer asked (the latest request for information) while awaiting_info.
    officer_question: str | None = None
    # Resolved, and still within the reopening window after resolution.
    reopen_allowed: bool = False


class TicketSummary(TicketStatusView):
    """One of the caller's tickets in their list."""

    category: str
    officer_question: str | None = None
    # The officer's reply, while it is the ticket's latest message (in work, not awaiting).
    officer_reply_unanswered: str | None = None


class TicketList(BaseModel):
    tickets: list[TicketSummary]


class CitizenMessage(ChannelIdentity):
    text: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    # The conversation's language now: the ticket's later notifications follow it.
    language: Language | None = None


class Feedback(ChannelIdentity):
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)
    reopen: bool = False
    language: Language | None = None  # as in CitizenMessage


class RoutePreviewRequest(_Strict):
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    category: str | None = Field(default=None, max_length=40)
    state: str | None = Field(default=None, max_length=60)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if value not in CATEGORIES:
            raise ValueError(f"unknown category; one of: {', '.join(CATEGORIES)}")
        return value

    @field_validator("state")
    @classmethod
    def _state(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        state = canonical_state(value)
        if state is None:
            raise ValueError("unknown state or union territory")
        return state


class RoutePreview(BaseModel):
    department: DepartmentView
    category: str
    confidence: float
    reason: str
    urgency: UrgencyView


class EventView(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    note: str


class MessageView(BaseModel):
    id: int
    at: datetime
    author: str
    text: str


class AdminTicketView(TicketOwnerView):
    channel: str
    channel_user_id: str
    officer_id: int | None
    route_confidence: float
    route_reason: str
    urgency: UrgencyView
    external_source: str | None
    external_ref: str | None
    attachments: list[str]
    duplicate_of: str | None = None
    allowed_actions: list[str]
    events: list[EventView]
    messages: list[MessageView]


class AdminTicketSummary(TicketStatusView):
    state: str
    district: str
    category: str
    enterprise_name: str
    officer_id: int | None
    overdue: bool
    urgency: str = "normal"


class AdminTicketPage(BaseModel):
    tickets: list[AdminTicketSummary]
    page: int
    page_size: int
    total: int


class OfficerAction(_Strict):
    note: str = Field(default="", max_length=MAX_DESCRIPTION)
    department: str | None = Field(default=None, max_length=40)


class NotificationView(BaseModel):
    id: int
    ticket_id: int | None
    recipient: str
    channel: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    delivery_status: str | None
    created_at: datetime
    next_attempt_at: datetime

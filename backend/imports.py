"""Import grievances registered on CPGRAMS (or another portal) as tickets.

A batch is CSV (a header row) or JSON (an array of objects, or one object per line) with the
fields: registration number, date, name, state, district, CPGRAMS category path, text
(optional: mobile, enterprise). Each good row becomes a ticket with channel ``cpgrams`` and its
registration number as external reference, routed to the department that the category path
maps to (``routing.directory.map_cpgrams_path``). Importing the same row again changes nothing:
the unique (external_source, external_ref) decides. A bad row is reported with its line number
and does not stop the others; each row commits on its own.

The same rows come from three doors: an uploaded file (``/admin/v1/imports``, ``python -m
backend import``), a file dropped in the watched folder, and a page pulled from the CPGRAMS API
(``backend/cpgrams_pull.py``), whose rows are numbered by their index on the page
(``read_items``, ``import_rows(..., position="index")``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backend.filing import create_ticket
from backend.tickets import NewTicket, find_by_external_ref, is_placeholder
from backend.triage import Triage
from routing.contact import normalize_mobile
from routing.directory import map_cpgrams_path
from routing.rules import RouteDecision
from routing.states import canonical_state

CHANNEL = "cpgrams"
FORMATS = ("csv", "json")
MIN_TEXT = 10
MAX_TEXT = 4000

# Header spellings seen in portal exports -> our field names.
_ALIASES = {
    "registration_number": "registration_number",
    "registration_no": "registration_number",
    "reg_no": "registration_number",
    "registration": "registration_number",
    "grievance_id": "registration_number",
    "date": "date",
    "date_of_receipt": "date",
    "received_date": "date",
    "registration_date": "date",
    "name": "name",
    "complainant_name": "name",
    "state": "state",
    "district": "district",
    "category_path": "category_path",
    "cpgrams_category_path": "category_path",
    "cpgrams_category": "category_path",
    "category": "category_path",
    "text": "text",
    "grievance_text": "text",
    "grievance_description": "text",
    "description": "text",
    "subject_content": "text",
    "mobile": "mobile",
    "mobile_no": "mobile",
    "enterprise_name": "enterprise_name",
    "enterprise": "enterprise_name",
}
REQUIRED = ("registration_number", "date", "name", "state", "district", "category_path", "text")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S")


class RowError(ValueError):
    pass


@dataclass
class ImportReport:
    created: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "skipped": len(self.skipped),
            "errors": self.errors,
            "tickets": self.created + self.skipped,
        }


class CpgramsRoute(Triage):
    """Routes by the portal's category path instead of the text: the mapping is a fact."""

    def __init__(self, decision: RouteDecision) -> None:
        super().__init__(use_classifier=False)
        self.decision = decision

    def route(self, category: str | None, state: str | None, description: str) -> RouteDecision:
        return self.decision


def _field_name(header: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", header.strip().casefold()).strip("_")
    return _ALIASES.get(key, key)


def read_rows(payload: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, why it could not be read) for each row of the batch."""
    if fmt == "csv":
        yield from _csv_rows(payload)
    elif fmt == "json":
        yield from _json_rows(payload)
    else:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")


def _csv_rows(payload: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    reader = csv.reader(io.StringIO(payload.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        return
    names = [_field_name(h) for h in header]
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            yield line, None, f"expected {len(names)} fields, found {len(values)}"
            continue
        yield line, dict(zip(names, values, strict=True)), None


def _json_rows(payload: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    for line, item, problem in json_objects(payload):
        if item is None:
            yield line, None, problem
        else:
            yield line, {_field_name(str(k)): v for k, v in item.items()}, None


def json_objects(
    payload: str, position: int = 0
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line it starts on, object or None, why not) for each object of a JSON array (starting
    at ``position``) or of JSON Lines. Lines are counted as the reading goes (a big batch is
    read once, not once per object)."""
    decoder = json.JSONDecoder()
    text = payload.lstrip("\ufeff") if position == 0 else payload
    position = _skip(text, position, "")
    if position < len(text) and text[position] == "[":
        position = _skip(text, position + 1, "")
    line, counted = 1, 0
    while position < len(text) and text[position] != "]":
        line += text.count("\n", counted, position)
        counted = position
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield line, None, f"not valid JSON: {error.msg}"
            return  # the rest cannot be located reliably
        if isinstance(item, dict):
            yield line, item, None
        else:
            yield line, None, "each row must be a JSON object"
        position = _skip(text, position, ",")


def _skip(text: str, position: int, separators: str) -> int:
    while position < len(text) and (text[position].isspace() or text[position] in separators):
        position += 1
    return position


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else " ".join(str(value).split())


def parse_date(text: str) -> datetime:
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)  # made UTC below
                break
            except ValueError:
                continue
        else:
            raise RowError(f"date {value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_ticket(row: dict[str, Any], source: str, now: datetime) -> tuple[NewTicket, RouteDecision]:
    """Check one row and build the ticket and its route; RowError says what is wrong."""
    # A blank cell and a placeholder ("None", "NA", "-") are the same: no answer.
    missing = [name for name in REQUIRED if is_placeholder(_text(row, name))]
    if missing:
        raise RowError(f"missing {', '.join(missing)}")
    reference = _text(row, "registration_number")
    if len(reference) > 64:
        raise RowError("registration number longer than 64 characters")
    filed = parse_date(_text(row, "date"))
    if filed > now:
        raise RowError(f"date {filed.date().isoformat()} is in the future")
    state = canonical_state(_text(row, "state"))
    if state is None:
        raise RowError(f"unknown state {_text(row, 'state')!r}")
    path = _text(row, "category_path")
    mapped = map_cpgrams_path(path, state)
    if mapped is None:
        raise RowError(f"CPGRAMS category path {path!r} is not one of the Ministry of MSME's")
    category, department = mapped
    description = str(row.get("text") or "").strip()
    if len(description) < MIN_TEXT:
        raise RowError(f"text shorter than {MIN_TEXT} characters")
    if len(description) > MAX_TEXT:  # refused, never cut
        raise RowError(f"text longer than {MAX_TEXT} characters ({len(description)})")
    name = _text(row, "name")[:120]
    enterprise = _text(row, "enterprise_name")
    mobile = _text(row, "mobile")
    data = NewTicket(
        channel=CHANNEL,
        channel_user_id=reference,
        name=name,
        enterprise_name=(name if is_placeholder(enterprise) else enterprise)[:200],
        state=state,
        district=_text(row, "district")[:80],
        category=category,
        description=description,
        mobile=None if is_placeholder(mobile) else normalize_mobile(mobile),
        external_source=source,
        external_ref=reference,
        created_at=filed,
    )
    decision = RouteDecision(department, category, 1.0, f"CPGRAMS category {path}", state)
    return data, decision


def read_items(items: list[Any]) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """The items of a page pulled from the portal's API, numbered by their index (from 0)."""
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield index, {_field_name(str(k)): v for k, v in item.items()}, None
        else:
            yield index, None, "each item must be a JSON object"


def import_batch(
    factory: sessionmaker[Session], payload: str, fmt: str, source: str, now: datetime
) -> ImportReport:
    return import_rows(factory, read_rows(payload, fmt), source, now)


def import_rows(
    factory: sessionmaker[Session],
    rows: Iterable[tuple[int, dict[str, Any] | None, str | None]],
    source: str,
    now: datetime,
    *,
    position: str = "line",
) -> ImportReport:
    """Each readable, valid row becomes a ticket (once); each other row an error naming its
    ``position`` (a file's line, a page's index) and registration number."""
    report = ImportReport()
    for place, row, problem in rows:
        reference = _text(row, "registration_number") if row else ""
        if row is None:
            report.errors.append({position: place, "registration_number": None, "error": problem})
            continue
        try:
            data, decision = new_ticket(row, source, now)
        except RowError as error:
            report.errors.append(
                {position: place, "registration_number": reference or None, "error": str(error)}
            )
            continue
        with factory() as session:
            existing = find_by_external_ref(session, source, reference)
        if existing is None:
            ticket, created = create_ticket(factory, data, CpgramsRoute(decision), now)
        else:
            ticket, created = existing, False
        outcome = {position: place, "registration_number": reference, "number": ticket.number}
        (report.created if created else report.skipped).append(outcome)
    return report

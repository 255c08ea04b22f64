"""Logging: plain or JSON lines, with phone numbers and named fields masked wherever they appear.

Masking runs on the whole formatted line (message and traceback), so an exception whose text
carries a mobile is masked too. Names cannot be recognised in free text: code logs a citizen's
name only as a ``name=...`` / ``"name": ...`` field, which is masked here.
"""

from __future__ import annotations

import json
import logging
import re

from backend.config import Settings
from backend.requestid import RequestIdFilter

# An Indian mobile: optional +91/91/0, then ten digits starting 6-9, possibly grouped by
# single spaces or hyphens ("+91 98765 43210", "98765-43210", "wa:+919876543210").
_PHONE = re.compile(r"(?<![\w+.])(\+?91[\s\-]?|0)?([6-9](?:[\s\-]?\d){9})(?!\w)")
# A name field in key=value or JSON/dict form; the value ends at a quote, comma or brace.
_NAME_FIELD = re.compile(
    r"""(?<![\w.])((?:citizen_|officer_|full_)?name)(["']?\s*[:=]\s*["']?)([^"',;}\n]+)"""
)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    return f"{match.group(1) or ''}{digits[:2]}******{digits[-2:]}"


def _mask_name(match: re.Match[str]) -> str:
    value = match.group(3).strip()
    return f"{match.group(1)}{match.group(2)}{value[:1]}***" if value else match.group(0)


def mask_phones(text: str) -> str:
    return _PHONE.sub(_mask_phone, text)


def mask_personal_data(text: str) -> str:
    """Mobiles and name fields masked; everything else as it was."""
    return _NAME_FIELD.sub(_mask_name, mask_phones(text))


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_data(record.getMessage()),
        }
        for key in ("request_id", "conversation_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = mask_personal_data(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class MaskingFormatter(logging.Formatter):
    """Plain lines, masked after formatting so tracebacks are covered too."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskPersonalData())
    handler.addFilter(RequestIdFilter())
    if settings.log_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())

"""Logging of the app's processes: plain or JSON lines, with phone numbers and named fields
masked wherever they appear (the masking itself: ``infra/masking.py``, shared with the Rasa
processes)."""

from __future__ import annotations

import json
import logging

from core.config import Settings
from core.requestid import RequestIdFilter
from infra.masking import MaskPersonalData, mask_personal_data, quiet_chatty_loggers

__all__ = ["JsonFormatter", "MaskPersonalData", "MaskingFormatter", "configure_logging"]


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
    quiet_chatty_loggers()

"""Personal data masked before it reaches a log line, in every process.

Masking runs on the whole message and on the traceback, so an exception whose text carries a
mobile is masked too. Names cannot be recognised in free text: code logs a citizen's name
only as a ``name=...`` / ``"name": ...`` field, which is masked here. A mobile inside a URL
(``channel_user_id=%2B919812345678``) is masked like any other.

The app's processes build their handlers in ``core/logs.py`` on top of this; the Rasa
processes add ``mask_process_logs()`` to the handlers Rasa configures.
"""

from __future__ import annotations

import logging
import re

# An Indian mobile: optional +91/91/0 (the + may be URL-encoded as %2B), then ten digits
# starting 6-9, possibly grouped by single spaces or hyphens ("+91 98765 43210",
# "98765-43210", "wa:+919876543210", "channel_user_id=%2B919876543210").
_PHONE = re.compile(
    r"(?:(?<=%2B)|(?<=%2b)|(?<![\w+.]))(\+?91[\s\-]?|0)?([6-9](?:[\s\-]?\d){9})(?!\w)"
)
# A name field in key=value or JSON/dict form; the value ends at a quote, comma or brace.
_NAME_FIELD = re.compile(
    r"""(?<![\w.])((?:citizen_|officer_|full_)?name)(["']?\s*[:=]\s*["']?)([^"',;&}\n]+)"""
)
# Libraries that log each request's URL or form at INFO: phone numbers in query strings,
# the Telegram bot token in PTB's URLs, message texts in twilio's forms.
CHATTY_LOGGERS = ("httpx", "twilio.http_client")


def mask_phone(number: str | None) -> str:
    """Keep the country code and the last four digits: ``+91******3210``.

    Enough for an operator to tell two users apart, too little to call anyone.
    """
    if not number:
        return ""
    digits = re.findall(r"\d", number)
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 2 if number.lstrip().startswith("+") else 0
    head = "".join(digits[:keep_head])
    tail = "".join(digits[-4:])
    middle = "*" * (len(digits) - keep_head - 4)
    return f"{'+' if keep_head else ''}{head}{middle}{tail}"


def mask_name(name: str | None) -> str:
    """First letter of each word, the rest starred: ``Ramesh Kumar`` -> ``R***** K****``."""
    if not name:
        return ""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def _mask_phone(match: re.Match[str]) -> str:
    # The prefix as written (+91, 91-, 0), then as mask_phone: six stars and the last four.
    digits = re.sub(r"\D", "", match.group(2))
    return f"{match.group(1) or ''}******{digits[-4:]}"


def _mask_name(match: re.Match[str]) -> str:
    value = match.group(3).strip()
    return f"{match.group(1)}{match.group(2)}{mask_name(value)}" if value else match.group(0)


def mask_phones(text: str) -> str:
    return _PHONE.sub(_mask_phone, text)


def mask_personal_data(text: str) -> str:
    """Mobiles and name fields masked; everything else as it was."""
    return _NAME_FIELD.sub(_mask_name, mask_phones(text))


class MaskPersonalData(logging.Filter):
    """Masks a record's message and its traceback before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters use exc_text when it is set: format the traceback once, masked.
            record.exc_text = mask_personal_data(
                logging.Formatter().formatException(record.exc_info)
            )
        return True


def quiet_chatty_loggers() -> None:
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def mask_process_logs() -> None:
    """Mask every handler the root logger has now (as Rasa and rasa_sdk configure them)."""
    quiet_chatty_loggers()
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskPersonalData())

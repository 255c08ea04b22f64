from __future__ import annotations

import json
import logging

import pytest

from core.logs import JsonFormatter, MaskingFormatter
from infra.masking import MaskPersonalData, mask_personal_data


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("call +91 98765 43210 today", "98765 43210"),
        ("sender wa:+919876543210", "919876543210"),
        ("mobile=98765-43210,", "98765-43210"),
        ("{'name': 'Meena Kumari', 'state': 'MH'}", "Meena Kumari"),
        ('{"name": "Ravi Shankar", "mobile": "09876543210"}', "Ravi Shankar"),
        ("citizen_name=Asha Devi; district=Pune", "Asha Devi"),
    ],
)
def test_mobiles_and_name_fields_are_masked(text: str, hidden: str) -> None:
    masked = mask_personal_data(text)
    assert hidden not in masked
    assert masked != text


def test_other_numbers_and_words_are_left_alone() -> None:
    text = "ticket MS-7K3Q-9, 123 rows in 0.9876543210 s; logger name here; filename=x.csv"
    assert mask_personal_data(text) == text


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("backend.x", logging.ERROR, __file__, 7, message, args, exc_info)


def failing() -> BaseException:
    try:
        raise ValueError("cannot send to +91 98765 43210 for name=Meena Kumari")
    except ValueError as error:
        return error


def test_an_error_log_with_a_mobile_is_masked_in_json_and_plain_lines() -> None:
    entry = record("send to %s failed", "+919876543210", exc=failing())
    assert MaskPersonalData().filter(entry)
    line = json.loads(JsonFormatter().format(entry))
    assert line["level"] == "ERROR"
    assert "9876543210" not in line["message"] and "+91******3210" in line["message"]
    # The traceback carries the exception's text: masked as well.
    assert "ValueError" in line["exception"]
    assert "98765 43210" not in line["exception"] and "Meena" not in line["exception"]

    plain = MaskingFormatter("%(levelname)s %(message)s").format(
        record("send to %s failed", "98765 43210", exc=failing())
    )
    assert plain.startswith("ERROR send to ******3210 failed")
    assert "43210" not in plain and "Meena" not in plain

"""Issue 14 item 6: no phone number reaches a log line, in any process (the end-to-end tests
read every process's log: test_channels_e2e.py, test_whatsapp_e2e.py)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.masking import CHATTY_LOGGERS, MaskPersonalData, mask_personal_data, mask_process_logs

mobiles = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("6789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(mobiles, st.sampled_from(["", "+91", "91", "0", "%2B91", "%2b91", "+91 ", "wa:+91"]))
def test_a_mobile_in_any_form_is_masked(mobile: str, prefix: str) -> None:
    for line in (
        f"GET http://b/api/v1/tickets?channel=whatsapp&channel_user_id={prefix}{mobile} 200",
        f"sender {prefix}{mobile} said hello",
        f'{{"mobile": "{prefix}{mobile}"}}',
    ):
        assert mobile not in mask_personal_data(line), line


def test_a_traceback_carrying_a_mobile_is_masked() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError("no ticket for +919812345678")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert MaskPersonalData().filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "9812345678" not in line and "ValueError" in line


def test_rasa_processes_mask_what_their_handlers_write(caplog: pytest.LogCaptureFixture) -> None:
    """As the action server calls it after rasa_sdk configured its handlers."""
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        mask_process_logs()
        assert any(isinstance(f, MaskPersonalData) for f in handler.filters)
        assert all(logging.getLogger(name).level == logging.WARNING for name in CHATTY_LOGGERS)
    finally:
        root.removeHandler(handler)

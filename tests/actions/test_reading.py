"""What kind of message it is (actions/reading.py): bare commands, status questions and requests
to file, in English, Hinglish and Hindi; names that hold command words are none of them."""

from __future__ import annotations

import pytest

from actions import reading


@pytest.mark.parametrize(
    "text",
    ["Status Garments", "Helpline Printers", "Cancel Traders", "Complaint Box Stores",
     "Help Agro", "Thane", "Ram Prasad", "Jai Hind Industries", "stop it now please, buyer"],
)  # fmt: skip
def test_names_holding_command_words_are_no_commands(text: str) -> None:
    assert reading.command_in(text) is None
    assert not reading.asks_status(text)
    assert not reading.is_question(text)


@pytest.mark.parametrize(
    ("text", "command"),
    [("cancel", "cancel"), ("Cancel!", "cancel"), ("band karo", "cancel"), ("रद्द करें", "cancel"),
     ("help", "help"), ("मदद", "help"), ("start over", "restart"), ("shuru se", "restart"),
     ("हिंदी", "language:hi"), ("English please", "language:en"), ("menu", "menu")],
)  # fmt: skip
def test_bare_commands_in_three_languages(text: str, command: str) -> None:
    assert reading.command_in(text) == command


@pytest.mark.parametrize(
    "text",
    ["status MS-ABC234-X", "what is the status of my complaint", "meri shikayat ka kya hua",
     "मेरी शिकायत की स्थिति क्या है", "actually i want to check status of my old complaint first",
     "MS-ABC234-X"],
)  # fmt: skip
def test_status_questions(text: str) -> None:
    assert reading.asks_status(text)


@pytest.mark.parametrize(
    "text",
    ["complaint", "file a complaint", "File grievance", "new complaint", "register complaint",
     "i want to file a complaint", "complaint darj karni hai", "शिकायत दर्ज करनी है", "नई शिकायत"],
)  # fmt: skip
def test_requests_to_file(text: str) -> None:
    assert reading.is_filing_request(text)


@pytest.mark.parametrize(
    "text",
    ["My buyer in Pune has not paid me", "मैंने बिल की कॉपी ईमेल से भेज दी है",
     "Complaint Box Stores", "The buyer is Kohli Auto Parts, GST 27AAACK1234F1Z5"],
)  # fmt: skip
def test_messages_that_are_more_than_a_request_to_file(text: str) -> None:
    assert not reading.is_filing_request(text)

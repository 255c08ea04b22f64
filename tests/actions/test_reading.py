"""What a message states in passing (actions/reading.py), in English, Hinglish and Hindi."""

from __future__ import annotations

import pytest

from actions import reading

OPENINGS = [
    (
        "I am Suresh Gupta, my firm Gupta Plastics in Kanpur, Uttar Pradesh, mobile 9415012345. "
        "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 months ago.",
        {"name": "Suresh Gupta", "enterprise_name": "Gupta Plastics", "mobile": "+919415012345",
         "state": "Uttar Pradesh", "district": "Kanpur Nagar",
         "description": "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 "
                        "months ago."},
    ),
    (
        "Mera naam Ramesh Yadav hai, meri firm Yadav Steel Works Lucknow mein hai, mobile "
        "9876543210. Buyer ne 3 lakh ka payment 6 mahine se nahi diya.",
        {"name": "Ramesh Yadav", "enterprise_name": "Yadav Steel Works", "mobile": "+919876543210",
         "state": "Uttar Pradesh", "district": "Lucknow",
         "description": "Buyer ne 3 lakh ka payment 6 mahine se nahi diya."},
    ),
    (
        "मेरा नाम सुनीता देवी है। मेरी फर्म देवी फूड्स पटना, बिहार में है। बैंक ने 6 महीने से मेरा "
        "लोन नहीं दिया।",
        {"name": "सुनीता देवी", "enterprise_name": "देवी फूड्स", "state": "Bihar",
         "district": "Patna", "description": "बैंक ने 6 महीने से मेरा लोन नहीं दिया।"},
    ),
    (
        "Hi, I run Sharma Electricals in Noida. The state electricity board has cut our power "
        "for 10 days without notice.",
        {"enterprise_name": "Sharma Electricals", "district": "Gautam Buddha Nagar",
         "state": "Uttar Pradesh",
         "description": "The state electricity board has cut our power for 10 days without "
                        "notice."},
    ),
    (
        "my udyam no is UDYAM-UP-45-0012345 and mobile 98390 12345",
        {"udyam_number": "UDYAM-UP-45-0012345", "mobile": "+919839012345"},
    ),
    # The buyer's city is not the person's: a story names no district of theirs.
    ("My buyer in Pune has not paid me 4.5 lakh for 5 months",
     {"description": "My buyer in Pune has not paid me 4.5 lakh for 5 months"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), OPENINGS)
def test_every_field_an_opening_states_is_read(text: str, expected: dict[str, str]) -> None:
    assert reading.stated_fields(text) == expected


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


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("sorry, the district is Thane", "district", "Thane"),
     ("change the state to Gujarat", "state", "Gujarat"),
     ("राज्य बदलकर गुजरात करो", "state", "गुजरात"),
     ("district Indore kar do", "district", "Indore"),
     ("wrong mobile, it is 091234 56789", "mobile", "091234 56789"),
     ("change the name to suresh patil", "name", "suresh patil")],
)  # fmt: skip
def test_corrections_name_their_field_and_value(text: str, field: str, value: str) -> None:
    assert reading.corrected_field_named(text) == field
    assert reading.correction_value(text) == value


def test_a_long_description_saying_change_and_company_is_no_correction_by_length() -> None:
    # The form only reads short messages as corrections (actions/filing.py); the reading
    # itself finds the words, which is why the length guard exists.
    text = "The buyer's company changed the order and has not paid our bill of 2 lakh"
    assert reading.corrected_field_named(text) in (None, "enterprise_name", "mobile")

"""A bribe told of at a unit of the ministry goes to that unit's vigilance, whatever button was
pressed; a lawful charge, or a bribe at a body that is not the ministry's, does not move."""

from __future__ import annotations

import itertools
import random

import pytest

from routing.bribes import tells_of_bribe
from routing.categories import CATEGORY_CODES
from routing.rules import route


class FixedPredictor:
    def __init__(self, category: str, confidence: float) -> None:
        self.result = (category, confidence)

    def predict(self, text: str) -> tuple[str, float]:
        return self.result


# (words naming the body, its vigilance)
BODIES = (
    ("NSIC", "VIG-NSIC"),
    ("एनएसआईसी", "VIG-NSIC"),
    ("the KVIC office", "VIG-KVIC"),
    ("केवीआईसी", "VIG-KVIC"),
    ("Coir Board", "VIG-COIR"),
    ("MGIRI Wardha", "VIG-MGIRI"),
    ("NI-MSME", "VIG-NIMSME"),
    ("the MSME-DFO", "VIG-DCMSME"),
    ("DC MSME office", "VIG-DCMSME"),
    ("Ludhiana tool room", "VIG-DCMSME"),
)
# A bribe, told in the three languages: {body} is where it happened.
BRIBES = (
    "An officer at {body} asked for Rs 5,000 to clear our file.",
    "{body} ke ek banda 5000 maang raha hai certificate ke liye",
    "{body} के एक कर्मचारी ने स्टॉल देने के नाम पर नकद पैसे लिए।",
    "{body} के फील्ड अधिकारी ने सब्सिडी जारी करने के लिए 10% कमीशन माँगा।",
    "The clerk at {body} is taking cash from spinners to put their names on the list",
    "{body} wale babu bolte hai 15% dena padega tabhi subsidy milegi",
    "They want a bribe at {body} before the inspection.",
    "{body} में बिना रिश्वत के कोई काम नहीं होता",
    "{body} me admission ke liye ek staff member 15,000 cash maang raha hai",
)
# Money asked for that is no bribe, or a bribe at a body that is not the ministry's.
NOT_OURS = (
    ("The officer at {body} asked for a bank guarantee of Rs 2 lakh for the raw material.", None),
    ("{body} ne tender fee 5000 maangi thi, receipt mil gayi", None),
    ("The officer asked us for documents in 2024 and the file at {body} is still pending.", None),
    ("The electricity board lineman wants Rs 3000 to restore our connection.", "DFO"),
    ("Bijli vibhag ka adhikari 2000 rishwat maang raha hai meter lagane ke liye", "DFO"),
)


@pytest.mark.parametrize(("body", "vigilance"), BODIES)
def test_a_bribe_at_a_unit_goes_to_its_vigilance_whatever_the_button(
    body: str, vigilance: str
) -> None:
    rng = random.Random(body)
    other_topics = [code for code in CATEGORY_CODES if code != "corruption_vigilance"]
    for template in BRIBES:
        text = template.format(body=body)
        assert tells_of_bribe(text), text
        for button in (None, *rng.sample(CATEGORY_CODES, 5)):
            predictor = FixedPredictor(rng.choice(other_topics), rng.random())
            decision = route(button, "Maharashtra", text, predictor)
            assert decision.department_code == vigilance, (text, button, decision.reason)
            assert decision.category == "corruption_vigilance"
            if button != "corruption_vigilance":
                assert "bribe" in decision.reason


@pytest.mark.parametrize(("template", "local"), NOT_OURS)
def test_a_lawful_charge_or_another_bodys_bribe_does_not_move_the_grievance(
    template: str, local: str | None
) -> None:
    for body, _ in BODIES[:4]:
        text = template.format(body=body)
        decision = route("infrastructure_power", "Punjab", text, FixedPredictor("labour", 0.3))
        assert not decision.department_code.startswith("VIG-"), (text, decision.reason)
        if local:
            assert decision.department_code == "DFO-LUDHIANA"


def test_no_bribe_is_read_into_ordinary_grievances() -> None:
    ordinary = (
        "Buyer ne 4 lakh 5 mahine se nahi diye, officer bolte hai wait karo",
        "The bank manager asks for new papers every week for our Mudra loan.",
        "हमारी इकाई के लिए बिजली कनेक्शन छह महीने से नहीं मिला, अधिकारी कहते हैं कल आना।",
        "NSIC ke officer ne raw material ke liye 2 lakh ki bank guarantee maangi",
        "Our workers have not been paid for two months; the staff want their dues.",
        "The inspector collected the samples in 2023 and no report has come.",
    )
    for text, (body, _) in itertools.product(ordinary, BODIES[:2]):
        assert not tells_of_bribe(f"{text} ({body})"), text

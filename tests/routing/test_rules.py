from __future__ import annotations

import pytest

from routing.rules import OVERRIDE_CONFIDENCE, RouteDecision, route, unit_named_in


class FixedPredictor:
    """Stands in for the classifier: always predicts the same thing."""

    def __init__(self, category: str, confidence: float) -> None:
        self.result = (category, confidence)
        self.calls: list[str] = []

    def predict(self, text: str) -> tuple[str, float]:
        self.calls.append(text)
        return self.result


@pytest.mark.parametrize(
    ("category", "state", "department"),
    [
        ("delayed_payment", "Maharashtra", "MSEFC-MH"),
        ("delayed_payment", "tamilnadu", "MSEFC-TN"),
        ("pmegp_khadi", "Bihar", "KVIC"),
        ("coir", "Kerala", "COIR"),
        ("raw_material", "Gujarat", "NSIC"),
        ("marketing_procurement", None, "NSIC"),
        ("udyam_registration", "Delhi", "DCMSME"),
        ("labour", "Punjab", "DFO-LUDHIANA"),
        ("regulation_licensing", "Chandigarh", "DFO-LUDHIANA"),
        ("infrastructure_power", "उत्तर प्रदेश", "DFO-KANPUR"),
        ("skill_technology", "Lakshadweep", "DFO-THRISSUR"),
        ("finance_credit", "Assam", "CREDIT-CELL"),
        ("schemes_subsidy", "Goa", "DCMSME-SCHEMES"),
        ("corruption_vigilance", "Delhi", "VIG-MIN"),
        ("employee_related", None, "MIN-MAIN"),
        ("policy_suggestion", None, "MIN-SME"),
        ("other", None, "MIN-MAIN"),
    ],
)
def test_rules_for_explicit_categories(category: str, state: str | None, department: str) -> None:
    decision = route(category, state)
    assert decision == RouteDecision(
        department_code=department,
        category=category,
        confidence=1.0,
        reason=decision.reason,
        state=decision.state,
    )
    assert decision.reason


def test_no_state_gives_a_national_default_and_says_why() -> None:
    payment = route("delayed_payment", None)
    assert payment.department_code == "MSME-SAMADHAAN"
    assert "state unknown" in payment.reason
    power = route("infrastructure_power", "Atlantis")
    assert power.department_code == "DCMSME"
    assert "not recognised" in power.reason and "MSME-DFO is unknown" in power.reason


def test_state_named_in_the_text_is_used_when_the_field_is_empty() -> None:
    decision = route("delayed_payment", None, "Buyer in Surat owes us; our unit is in Gujarat.")
    assert decision.department_code == "MSEFC-GJ"
    assert decision.state == "Gujarat"
    assert "from the text" in decision.reason


@pytest.mark.parametrize(
    ("text", "vigilance"),
    [
        ("The NSIC branch manager demanded a bribe for the subsidy", "VIG-NSIC"),
        ("KVIC ke officer ne PMEGP file ke liye rishwat maangi", "VIG-KVIC"),
        ("कॉयर बोर्ड के कर्मचारी ने पैसे मांगे", "VIG-COIR"),
        ("Staff at MSME-DFO Kanpur asked for money", "VIG-DCMSME"),
        ("An officer at MGIRI Wardha took cash", "VIG-MGIRI"),
        ("Training fee fraud at NI-MSME Hyderabad", "VIG-NIMSME"),
        ("Somebody asked for a bribe", "VIG-MIN"),
    ],
)
def test_corruption_goes_to_the_vigilance_of_the_unit_named(text: str, vigilance: str) -> None:
    assert route("corruption_vigilance", "Delhi", text).department_code == vigilance


def test_employee_and_policy_follow_the_unit_named() -> None:
    assert route("employee_related", None, "My pension from KVIC is pending").department_code == (
        "KVIC"
    )
    assert route("policy_suggestion", None, "Coir Board should revise norms").department_code == (
        "COIR"
    )
    # NSIC is not a policy unit in the CPGRAMS tree: the SME Division takes it.
    assert route("policy_suggestion", None, "NSIC tender rules should change").department_code == (
        "MIN-SME"
    )
    assert unit_named_in("first NSIC then KVIC") == "NSIC"
    assert unit_named_in("nothing here") is None


def test_missing_or_other_category_is_decided_by_the_classifier() -> None:
    predictor = FixedPredictor("delayed_payment", 0.6)
    decision = route(None, "Karnataka", "buyer has not paid for 120 days", predictor)
    assert (decision.department_code, decision.category, decision.confidence) == (
        "MSEFC-KA",
        "delayed_payment",
        0.6,
    )
    assert route("other", "Karnataka", "not paid", predictor).department_code == "MSEFC-KA"
    assert predictor.calls == ["buyer has not paid for 120 days", "not paid"]


def test_classifier_overrides_a_chosen_category_only_when_sure() -> None:
    sure = FixedPredictor("coir", OVERRIDE_CONFIDENCE)
    overridden = route("labour", "Kerala", "coir yarn subsidy pending", sure)
    assert (overridden.department_code, overridden.category) == ("COIR", "coir")
    assert "not the chosen labour" in overridden.reason
    unsure = FixedPredictor("coir", OVERRIDE_CONFIDENCE - 0.01)
    kept = route("labour", "Kerala", "coir yarn subsidy pending", unsure)
    assert (kept.department_code, kept.category, kept.confidence) == ("DFO-THRISSUR", "labour", 1.0)


def test_without_classifier_or_category_the_general_desk_takes_it() -> None:
    decision = route(None, None, "some text")
    assert (decision.department_code, decision.category, decision.confidence) == (
        "MIN-MAIN",
        "other",
        0.0,
    )
    unknown = route("bogus", None)
    assert "unknown category" in unknown.reason and unknown.category == "other"


# Issue 15: what the complaint names wins over a generic category, and route_reason says so.
@pytest.mark.parametrize(
    ("category", "state", "text", "department"),
    [
        ("schemes_subsidy", "Kerala", "Coir Udyami Yojana subsidy not released", "COIR"),
        ("other", "Telangana", "NI-MSME Hyderabad has not issued my certificate", "NIMSME"),
        ("schemes_subsidy", "Maharashtra", "MGIRI Wardha test report is late", "MGIRI"),
        ("finance_credit", "Uttar Pradesh", "PMEGP ka loan bank wale nahi de rahe", "KVIC"),
        (None, "Bihar", "पीएमईजीपी का ऋण बैंक नहीं दे रहा", "KVIC"),
        ("schemes_subsidy", "Delhi", "NSIC single point registration renewal pending", "NSIC"),
        ("other", "Maharashtra", "my case on MSME Samadhaan has no hearing", "MSEFC-MH"),
        ("other", None, "my Samadhaan application is stuck", "MSME-SAMADHAAN"),
        ("other", "Odisha", "समाधान पोर्टल पर मामला लंबित है", "MSEFC-OD"),
        (
            "skill_technology",
            "Assam",
            "the MSME Technology Centre in Guwahati has not given my certificate",
            "TC-TRTC-GUWAHATI",
        ),
        ("other", "Punjab", "Central Tool Room Ludhiana delayed our die", "TC-CTR-LUDHIANA"),
        ("other", "Telangana", "CITD ne design adhura chhoda", "TC-CITD-HYDERABAD"),
        (None, "Jharkhand", "जमशेदपुर टूल रूम का प्रमाणपत्र नहीं मिला", "TC-IDTR-JAMSHEDPUR"),
        (None, "Punjab", "लुधियाना टूल रूम ने फीस नहीं लौटाई", "TC-CTR-LUDHIANA"),
        ("other", "Uttar Pradesh", "CFTI Agra course did not start", "TC-CFTI-AGRA"),
        ("other", "Uttar Pradesh", "Agra tool room lab report is wrong", "TC-PPDC-AGRA"),
        ("skill_technology", None, "we need a tool room in our district", "DCMSME-TECH"),
        # Named in Hindi, as people write them (found by the first blind routing set).
        ("other", None, "कन्नौज के सुगंध एवं स्वाद विकास केंद्र की रिपोर्ट नहीं आई", "TC-FFDC-KANNAUJ"),
        (None, None, "फिरोजाबाद के कांच उद्योग विकास केंद्र की जांच गलत", "TC-CDGI-FIROZABAD"),
        (None, None, "फ़िरोज़ाबाद टूल रूम की फीस", "TC-CDGI-FIROZABAD"),  # nukta spelling
        ("other", None, "मेरठ के पीपीडीसी में टेस्टिंग", "TC-PPDC-MEERUT"),
        ("other", "Punjab", "jalandhar ke hand tools institute ki report", "TC-CIHT-JALANDHAR"),
        ("other", None, "आईडीईएमआई मुंबई का कैलिब्रेशन चार्ज", "TC-IDEMI-MUMBAI"),
        ("schemes_subsidy", None, "एनआई-एमएसएमई हैदराबाद के कार्यक्रम की फीस", "NIMSME"),
        ("schemes_subsidy", None, "हनी मिशन में बी बॉक्स नहीं मिले", "KVIC"),
    ],
)
def test_a_named_unit_or_scheme_routes_there_under_a_generic_category(
    category: str | None, state: str | None, text: str, department: str
) -> None:
    decision = route(category, state, text)
    assert decision.department_code == department
    assert decision.reason.startswith("the text names ")


@pytest.mark.parametrize(
    ("category", "state", "text", "department"),
    [
        # Named in passing under a category with a home of its own: the category's home.
        ("delayed_payment", "Gujarat", "NSIC registered unit, buyer not paid", "MSEFC-GJ"),
        ("infrastructure_power", "Bihar", "my PMEGP unit has 8 hour power cuts", "DFO-PATNA"),
        ("udyam_registration", "Kerala", "Udyam of my coir unit shows wrong NIC", "DCMSME"),
        ("policy_suggestion", None, "NSIC tender rules should change", "MIN-SME"),
    ],
)
def test_a_unit_named_in_passing_does_not_move_a_specific_category(
    category: str, state: str | None, text: str, department: str
) -> None:
    assert route(category, state, text).department_code == department


def test_corruption_at_a_technology_centre_goes_to_the_dc_msme_vigilance() -> None:
    decision = route("corruption_vigilance", "Punjab", "CTR Ludhiana staff asked for a bribe")
    assert decision.department_code == "VIG-DCMSME"


def test_mgiri_named_in_hindi_with_either_spelling() -> None:
    for spelling in ("औद्योगीकरण", "औद्योगिकीकरण"):
        text = f"महात्मा गांधी ग्रामीण {spelling} संस्थान से रिपोर्ट नहीं मिली"
        assert route("other", "Maharashtra", text).department_code == "MGIRI"


@pytest.mark.parametrize(
    ("chosen", "predicted", "confidence", "department"),
    [
        # "Scheme / subsidy" is pressed by those who do not know which to press.
        ("schemes_subsidy", "infrastructure_power", 0.5, "DFO-INDORE"),
        ("schemes_subsidy", "infrastructure_power", 0.3, "DCMSME-SCHEMES"),
        # A buyer's debt and a bank's are told alike and pressed alike.
        ("finance_credit", "delayed_payment", 0.5, "MSEFC-MP"),
        ("delayed_payment", "finance_credit", 0.5, "CREDIT-CELL"),
        ("finance_credit", "delayed_payment", 0.3, "CREDIT-CELL"),
        # Between other buttons the text must be sure.
        ("labour", "infrastructure_power", 0.8, "DFO-INDORE"),
        ("udyam_registration", "schemes_subsidy", 0.8, "DCMSME"),
        ("udyam_registration", "schemes_subsidy", OVERRIDE_CONFIDENCE, "DCMSME-SCHEMES"),
    ],
)
def test_the_text_overrides_a_generic_or_neighbouring_button_at_lower_confidence(
    chosen: str, predicted: str, confidence: float, department: str
) -> None:
    decision = route(chosen, "Madhya Pradesh", "some words", FixedPredictor(predicted, confidence))
    assert decision.department_code == department, decision.reason

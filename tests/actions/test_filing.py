"""The filing form read in context (issue 13's reproductions), over the real actions in Rasa's
form loop (tests/actions/form_loop.py); the backend is faked at its HTTP edge.

Every typed message is given the NLU intent ``inform`` (or the misreading the issue reports):
the form must not depend on the intent to tell an answer from a command.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from actions.grievance_fields import NO_UDYAM
from tests.actions.form_loop import FormLoop

NUMBER = "MS-ABC234-X"


@pytest.fixture
def filed(backend: respx.MockRouter) -> list[dict[str, Any]]:
    """The tickets the backend was asked to create; route previews answer by keyword."""
    created: list[dict[str, Any]] = []

    def create(request: httpx.Request) -> httpx.Response:
        created.append(json.loads(request.content))
        return httpx.Response(
            201,
            json={
                "number": NUMBER,
                "status": "routed",
                "department": {"code": "X", "name": "MSEFC"},
            },
        )

    def preview(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        text = body["description"].lower()
        category = body.get("category") or ("delayed_payment" if "paid" in text else "other")
        return httpx.Response(
            200,
            json={
                "department": {"code": "MSEFC-MH", "name": "MSEFC Maharashtra"},
                "category": category,
                "confidence": 0.9,
                "reason": "category",
            },
        )

    backend.post("/api/v1/tickets").mock(side_effect=create)
    backend.post("/api/v1/route/preview").mock(side_effect=preview)
    backend.get("/api/v1/tickets").mock(return_value=httpx.Response(200, json=[]))
    return created


def bot_texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


async def file_all(loop: FormLoop, answers: list[str], opening: str = "complaint") -> None:
    await loop.say(opening, intent="file_grievance")
    for answer in answers:
        await loop.say(answer)


# Name, mobile, enterprise, district (which names its state), the problem (whose category is
# proposed), and Submit at the summary.
STANDARD = [
    "Ramesh Kumar",
    "98765 43210",
    "Shree Ganesh Textiles",
    "Pune",
    "A central PSU has not paid our invoices worth 4 lakh since March",
    "yes",
]


@pytest.mark.parametrize(
    "opening",
    [
        "complaint",
        "file grievance",
        "/file_grievance",
        "file a complaint",
        "new complaint",
        "register complaint",
    ],
)
async def test_a_bare_request_to_file_asks_the_name_first_and_nothing_is_none(
    domain: dict[str, Any], filed: list[dict[str, Any]], opening: str
) -> None:
    loop = FormLoop(domain)
    first = bot_texts(await loop.say(opening, intent="file_grievance"))
    assert "name" in first.lower()
    assert "mobile" not in first.lower() and "state" not in first.lower()
    for answer in STANDARD:
        await loop.say(answer)
    assert len(filed) == 1
    ticket = filed[0]
    assert ticket["name"] == "Ramesh Kumar" and ticket["district"] == "Pune"
    assert ticket["enterprise_name"] == "Shree Ganesh Textiles"
    assert "None" not in json.dumps(ticket)


@pytest.mark.parametrize(
    "enterprise",
    [
        "Status Garments",
        "Helpline Printers",
        "Cancel Traders",
        "Farida Tailoring Unit",
        "Jai Mata Di Enterprises",
        "Jai Hind Industries",
        "Complaint Box Stores",
        "Help Agro",
        "Mudra Textiles",
        "Khadi Gram Udyog Samiti",
        "Coir Crafts",
        "Udyam Steel",
    ],
)
async def test_enterprise_names_holding_intent_words_are_the_answer(
    domain: dict[str, Any], filed: list[dict[str, Any]], enterprise: str
) -> None:
    loop = FormLoop(domain)
    await loop.say("complaint", intent="file_grievance")
    await loop.say("Ramesh Kumar")
    await loop.say("9876543210")
    misread = {"Status Garments": "check_status", "Cancel Traders": "cancel"}.get(enterprise)
    await loop.say(enterprise, intent=misread or "file_grievance")
    assert loop.slots["enterprise_name"] == enterprise
    assert loop.slots["requested_slot"] == "district"


@pytest.mark.parametrize("name", ["Ram Prasad", "राम प्रसाद", "Jai Prakash", "Sita Ram Yadav"])
async def test_common_names_are_names(domain: dict[str, Any], filed: list[dict], name: str) -> None:
    loop = FormLoop(domain)
    await loop.say("complaint", intent="file_grievance")
    await loop.say(name, intent="greet")
    assert loop.slots["name"] == name


@pytest.mark.parametrize(
    ("state", "district", "stored"),
    [("Maharashtra", "Thane", "Thane"), ("Haryana", "करनाल", "Karnal")],
)
async def test_districts_that_look_like_words_are_districts(
    domain: dict[str, Any], filed: list[dict], state: str, district: str, stored: str
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar", "9876543210", "Shree Ganesh Textiles", "no", state])
    await loop.say(district, intent="thank")
    assert loop.slots["district"] == stored
    assert loop.slots["requested_slot"] == "description"


async def test_everything_in_the_opening_message_is_kept(
    domain: dict[str, Any], filed: list[dict[str, Any]]
) -> None:
    loop = FormLoop(domain)
    opening = (
        "I am Suresh Gupta, my firm Gupta Plastics in Kanpur, Uttar Pradesh, mobile 9415012345. "
        "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 months ago."
    )
    reply = bot_texts(await loop.say(opening, intent="file_grievance"))
    assert loop.slots["name"] == "Suresh Gupta"
    assert loop.slots["enterprise_name"] == "Gupta Plastics"
    assert loop.slots["mobile"] == "+919415012345"
    assert loop.slots["state"] == "Uttar Pradesh"
    assert loop.slots["district"] == "Kanpur Nagar"
    assert "UP Jal Nigam has not paid" in loop.slots["description"]
    assert loop.slots["category"] == "delayed_payment"  # proposed from the story
    assert "Please check your complaint" in reply  # nothing left to ask: the summary
    await loop.say("yes")
    assert len(filed) == 1 and len(loop.turns) == 2


async def test_a_story_as_the_first_message_is_the_description(
    domain: dict[str, Any], filed: list[dict[str, Any]]
) -> None:
    loop = FormLoop(domain)
    await loop.say(
        "My buyer in Pune has not paid me 4.5 lakh for 5 months", intent="file_grievance"
    )
    assert loop.slots["description"] == "My buyer in Pune has not paid me 4.5 lakh for 5 months"
    assert loop.slots.get("district") is None  # the buyer's city, not the person's
    assert loop.slots["requested_slot"] == "name"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Scheme / subsidy", "schemes_subsidy"),
        ("योजना / सब्सिडी", "schemes_subsidy"),
        ("PMEGP", "pmegp_khadi"),
        ("1", "delayed_payment"),
        ("Delayed payment", "delayed_payment"),
    ],
)
async def test_a_category_label_typed_is_the_category(
    domain: dict[str, Any], filed: list[dict], typed: str, code: str, backend: respx.MockRouter
) -> None:
    # Without a proposal (the route preview down) the category is asked with its buttons.
    backend.post("/api/v1/route/preview").mock(return_value=httpx.Response(503))
    loop = FormLoop(domain)
    await file_all(loop, STANDARD[:5])
    assert loop.slots["requested_slot"] == "category"
    await loop.say(typed, intent="ask_scheme")
    assert loop.slots["category"] == code


async def test_a_status_question_mid_form_is_answered_and_never_stored(
    domain: dict[str, Any], filed: list[dict], backend: respx.MockRouter
) -> None:
    backend.get(f"/api/v1/tickets/{NUMBER}").mock(
        return_value=httpx.Response(200, json={"number": NUMBER, "status": "routed"})
    )
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar", "9876543210"])
    await loop.say(
        "actually i want to check status of my old complaint first", intent="check_status"
    )
    assert loop.slots.get("enterprise_name") is None
    reply = bot_texts(await loop.say(NUMBER, intent="inform"))
    assert loop.slots.get("enterprise_name") is None
    assert NUMBER in reply and "enterprise" in reply.lower()
    await loop.say("ok lets continue the complaint", intent="cancel")
    assert loop.active and loop.slots.get("enterprise_name") is None


async def test_a_long_description_is_stored_whole_with_its_line_breaks(
    domain: dict[str, Any], filed: list[dict[str, Any]]
) -> None:
    story = "\n".join(
        f"Line {i}: the buyer has not paid invoice {i} of 25,000 rupees since March."
        for i in range(50)
    )
    assert 3000 < len(story) < 4000
    loop = FormLoop(domain)
    await file_all(loop, [*STANDARD[:4], story, "yes"])
    assert filed[0]["description"] == story


async def test_a_description_over_the_limit_is_refused_with_the_limit(
    domain: dict[str, Any], filed: list[dict[str, Any]]
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, STANDARD[:4])
    reply = bot_texts(await loop.say("payment pending " * 300))
    assert "4,000" in reply and loop.slots.get("description") is None


@pytest.mark.parametrize("asked_index", [0, 2, 3])  # name, enterprise, district
async def test_skip_is_not_an_answer_to_a_required_question(
    domain: dict[str, Any], filed: list[dict], asked_index: int
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, STANDARD[:asked_index])
    asked = loop.slots["requested_slot"]
    reply = bot_texts(await loop.say("skip", intent="skip"))
    assert loop.slots.get(asked) is None and loop.slots["requested_slot"] == asked
    assert "can't be skipped" in reply


async def test_a_landline_is_not_a_mobile(domain: dict[str, Any], filed: list[dict]) -> None:
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar"])
    await loop.say("080-2839 1234")
    assert loop.slots.get("mobile") is None


async def test_a_changed_state_drops_a_district_of_the_old_one(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await file_all(
        loop,
        [
            "Ramesh Kumar",
            "9876543210",
            "Shree Ganesh Textiles",
            "no",
            "Uttar Pradesh",
            "Lucknow",
            "The buyer has not paid 2 lakh for 6 months",
        ],
    )
    await loop.say("sorry, the state is Uttarakhand")
    assert loop.slots["state"] == "Uttarakhand"
    assert loop.slots.get("district") is None


@pytest.mark.parametrize("typed", ["start over", "restart", "shuru se", "फिर से शुरू"])
async def test_start_over_clears_the_answers(
    domain: dict[str, Any], filed: list[dict], typed: str
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar", "9876543210"])
    await loop.say(typed, intent="nlu_fallback")
    assert loop.slots.get("name") is None and loop.slots["requested_slot"] == "name"


@pytest.mark.parametrize(
    ("typed", "state"),
    [
        ("bangalore", "Karnataka"),
        ("noida", "Uttar Pradesh"),
        ("यूपी", "Uttar Pradesh"),
        ("gurgaon", "Haryana"),
    ],
)
async def test_a_city_or_short_form_names_the_state(
    domain: dict[str, Any], filed: list[dict], typed: str, state: str
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, STANDARD[:3])
    assert loop.slots["requested_slot"] == "district"
    reply = bot_texts(await loop.say(typed))
    assert loop.slots["state"] == state and state in reply  # told, so it can be changed
    assert loop.slots["requested_slot"] in ("description", "district")


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("udyam nahi hai", "hinglish"),
        ("no udyam", "en"),
        ("I don't have udyam", "en"),
        ("udyam number nahi hai ji", "hinglish"),
        ("उद्यम नंबर नहीं है", "hi"),
    ],
)
async def test_the_udyam_answered_a_turn_late_is_not_taken_for_the_district(
    domain: dict[str, Any], filed: list[dict], typed: str, language: str
) -> None:
    """Seen in a Hinglish chat: the firm's name, then "udyam nahi hai" to "Which district?",
    stored as the district "Udyam Nahi"."""
    loop = FormLoop(domain, language=language)
    await file_all(loop, STANDARD[:3])
    assert loop.slots["requested_slot"] == "district"
    await loop.say(typed)
    assert loop.slots["udyam_number"] == "none"
    assert loop.slots.get("district") is None and loop.slots["requested_slot"] == "district"


async def test_a_problem_about_udyam_registration_is_not_a_no(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, [*STANDARD[:3], "Pune"])
    assert loop.slots["requested_slot"] == "description"
    story = "udyam registration nahi ho raha, portal error deta hai har baar since March"
    await loop.say(story)
    assert loop.slots["description"] == story and loop.slots.get("udyam_number") != "none"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Bihar"), ("hi", "बिहार"), ("hinglish", "Bihar")]
)
async def test_a_district_several_states_have_asks_which_with_those_states(
    domain: dict[str, Any], filed: list[dict], language: str, expected: str
) -> None:
    loop = FormLoop(domain, language=language)
    await file_all(loop, STANDARD[:3])
    messages = await loop.say("Aurangabad")
    asked = messages[-1]
    assert "Aurangabad" in asked["text"]
    titles = [b["title"] for b in asked.get("buttons") or []]
    assert expected in titles and len(titles) >= 2
    await loop.say(asked["buttons"][titles.index(expected)]["payload"])
    assert loop.slots["state"] == "Bihar" and loop.slots["district"] == "Aurangabad"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("mera naam hai Sunil", "Sunil"),
        ("naam hai Ramesh Kumar", "Ramesh Kumar"),
        ("मेरा नाम है सुनीता", "सुनीता"),
        ("Sagar", "Sagar"),  # a district too, and a common first name
        ("Anand Kumar", "Anand Kumar"),
    ],
)
async def test_the_name_is_what_follows_the_words_that_introduce_it(
    domain: dict[str, Any], filed: list[dict], typed: str, name: str
) -> None:
    loop = FormLoop(domain)
    await loop.say("complaint", intent="file_grievance")
    await loop.say(typed)
    assert loop.slots["name"] == name


@pytest.mark.parametrize(
    ("typed", "district", "state"),
    [
        ("Banglore", "Bengaluru Urban", "Karnataka"),
        ("Pune", "Pune", "Maharashtra"),
        ("UP", None, "Uttar Pradesh"),
    ],
)
async def test_a_place_given_for_the_name_is_kept_as_the_place_and_the_name_asked_again(
    domain: dict[str, Any], filed: list[dict], typed: str, district: str | None, state: str
) -> None:
    """Seen in a probe: "Banglore" to "What is your name?" was filed as the name."""
    loop = FormLoop(domain)
    await loop.say("complaint", intent="file_grievance")
    reply = bot_texts(await loop.say(typed))
    assert loop.slots.get("name") is None and loop.slots["requested_slot"] == "name"
    assert loop.slots["state"] == state and loop.slots.get("district") == district
    assert state in reply


async def test_several_fields_in_an_answer_to_the_name(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await loop.say("complaint", intent="file_grievance")
    await loop.say("I am Suresh Agarwal from Kanpur UP, my firm Suresh Plastics")
    assert loop.slots["name"] == "Suresh Agarwal"
    assert loop.slots["enterprise_name"] == "Suresh Plastics"
    assert loop.slots["state"] == "Uttar Pradesh"
    assert loop.slots["district"] == "Kanpur Nagar"
    assert loop.slots["requested_slot"] == "mobile"


async def test_cancel_asks_first_and_no_keeps_the_answers(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar", "9876543210"])
    await loop.say("cancel", intent="cancel")
    assert loop.slots["requested_slot"] == "stop_filing"
    await loop.say("no", intent="deny")
    assert (
        loop.slots["requested_slot"] == "enterprise_name" and loop.slots["name"] == "Ramesh Kumar"
    )
    await loop.say("stop", intent="cancel")
    await loop.say("yes", intent="affirm")
    assert not loop.active and loop.slots.get("name") is None and not filed


async def test_placeholders_are_never_filed(domain: dict[str, Any], filed: list[dict]) -> None:
    loop = FormLoop(domain)
    await file_all(
        loop, ["None", "null", "Ramesh Kumar", "9876543210", "-", "N/A", "Shree Ganesh Textiles"]
    )
    assert loop.slots["name"] == "Ramesh Kumar"
    assert loop.slots["enterprise_name"] == "Shree Ganesh Textiles"


async def test_the_summary_shows_the_department_and_a_correction_there_is_applied(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, STANDARD[:5])
    summary = bot_texts(loop.turns[-1][1])
    assert "MSEFC Maharashtra" in summary and "Shree Ganesh Textiles" in summary
    await loop.say("sorry, the district is Thane")
    assert loop.slots["district"] == "Thane" and loop.slots["requested_slot"] == "confirmed"
    await loop.say("yes")
    assert filed and filed[0]["district"] == "Thane"


@pytest.mark.parametrize("typed", ["hi", "thanks", "ok", "namaste", "धन्यवाद"])
async def test_small_talk_mid_form_stores_nothing_and_counts_no_failure(
    domain: dict[str, Any], filed: list[dict], typed: str
) -> None:
    loop = FormLoop(domain)
    await file_all(loop, ["Ramesh Kumar"])
    messages = await loop.say(typed, intent="greet")
    assert loop.slots.get("mobile") is None and loop.slots["failed_attempts"] == 0.0
    assert bot_texts(messages).startswith("Your mobile number?")


async def test_the_phrase_lists_are_all_text() -> None:
    """YAML reads a bare yes/no/on/off as a boolean: every phrase must stay a string."""
    from actions.reading import _PHRASES

    def strings(node: Any) -> bool:
        if isinstance(node, dict):
            return all(strings(v) for v in node.values())
        if isinstance(node, list):
            return all(isinstance(v, str) for v in node)
        return True

    assert strings(_PHRASES)


@pytest.mark.parametrize(
    ("story", "language", "helpline_text"),
    [
        ("The buyer has not paid 9 lakh for a year, I feel like ending my life", "en",
         "Tele-MANAS"),
        ("6 महीने से भुगतान नहीं मिला, अब आत्महत्या के सिवा कोई रास्ता नहीं", "hi", "टेली-मानस"),
        ("payment nahi mila, ab to khudkushi kar lunga aisa lagta hai", "hinglish",
         "Tele-MANAS"),
    ],
)  # fmt: skip
async def test_self_harm_gets_the_helpline_first_and_the_filing_goes_on(
    domain: dict[str, Any], filed: list[dict], story: str, language: str, helpline_text: str
) -> None:
    loop = FormLoop(domain, language=language)
    await file_all(loop, ["Ramesh Kumar", "9876543210", "Shree Ganesh Textiles", "Pune"])
    messages = await loop.say(story)
    first = messages[0]["text"]
    assert helpline_text in first and "14416" in first and "1-800-891-4416" in first
    assert loop.slots["description"] == story  # the complaint goes on, nothing lost
    assert loop.slots["requested_slot"] == "confirmed"

    opening = FormLoop(domain, language=language)
    said = await opening.say(story, intent="file_grievance")
    assert "14416" in said[0]["text"] and opening.slots["description"] == story


@pytest.mark.parametrize("answer", ["nahi hai", "I don't have one", "नहीं है"])
async def test_the_udyam_number_offered_at_the_summary_can_be_declined_there(
    domain: dict[str, Any], filed: list[dict], answer: str
) -> None:
    loop = FormLoop(domain)
    opening = (
        "I am Suresh Gupta, my firm Gupta Plastics in Kanpur, Uttar Pradesh, mobile 9415012345. "
        "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 months ago."
    )
    said = bot_texts(await loop.say(opening, intent="file_grievance"))
    assert "Udyam registration number" in said  # offered with the summary, not asked apart
    reply = bot_texts(await loop.say(answer, intent="deny"))
    assert loop.slots["requested_slot"] == "confirmed" and "Please check" in reply
    assert "Udyam registration number" not in reply  # offered once
    await loop.say("yes")
    assert filed and filed[0]["udyam_number"] is None


async def test_the_udyam_number_sent_at_the_summary_is_kept(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    loop = FormLoop(domain)
    await loop.say(
        "I am Suresh Gupta, my firm Gupta Plastics in Kanpur, Uttar Pradesh, mobile 9415012345. "
        "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 months ago.",
        intent="file_grievance",
    )
    await loop.say("udyam up 45 0012345")
    await loop.say("yes")
    assert filed and filed[0]["udyam_number"] == "UDYAM-UP-45-0012345"


@pytest.mark.parametrize(
    ("language", "distress", "answers"),
    [
        ("en", "I have written letters for my kids, this is my last complaint",
         ["Ramesh Kumar", "9876543210", "Shree Ganesh Textiles", "Pune",
          "The buyer has not paid 3 lakh for six months"]),
        ("hinglish", "ab aur nahi hota, zeher kha lunga",
         ["Ramesh Kumar", "9876543210", "Shree Ganesh Textiles", "Pune",
          "buyer ne 6 mahine se 3 lakh nahi diya"]),
        ("hi", "मेरे बाद बच्चों का ध्यान रखना, अब और लड़ने की हिम्मत नहीं है",
         ["रमेश कुमार", "9876543210", "श्री गणेश टेक्सटाइल्स", "पुणे",
          "खरीदार ने छह महीने से 3 लाख नहीं दिए"]),
    ],
)  # fmt: skip
async def test_distress_said_between_answers_is_written_on_the_filed_ticket(
    domain: dict[str, Any],
    filed: list[dict],
    backend: respx.MockRouter,
    language: str,
    distress: str,
    answers: list[str],
) -> None:
    """Said as a message of its own, not in the complaint: the helpline at once, the answer
    asked for is not taken from it, and once filed the words go on the ticket (the backend
    then makes it critical and tells the heads)."""
    written: list[dict[str, Any]] = []

    def message(request: httpx.Request) -> httpx.Response:
        written.append(json.loads(request.content))
        return httpx.Response(201, json={})

    backend.post(f"/api/v1/tickets/{NUMBER}/messages").mock(side_effect=message)
    loop = FormLoop(domain, language=language)
    await loop.say("complaint", intent="file_grievance")
    await loop.say(answers[0])
    said = await loop.say(distress)
    assert "14416" in said[0]["text"]
    for answer in answers[1:]:
        await loop.say(answer)
    assert loop.slots["requested_slot"] == "confirmed"
    await loop.say("yes", intent="affirm")
    ticket = filed[0]
    assert ticket["name"] == answers[0] and answers[-1] in ticket["description"]
    # The words reach the ticket once: in the complaint (read as told in passing), or
    # written on it after filing; nothing is lost.
    on_ticket = [ticket["description"], *(w["text"] for w in written)]
    assert sum(distress in text for text in on_ticket) == 1
    assert loop.slots.get("distress") is None  # then forgotten


async def test_udyam_no_with_a_number_is_the_number_not_a_no(
    domain: dict[str, Any], filed: list[dict]
) -> None:
    """ "Udyam no." abbreviates "number": "Coir Crafts, Udyam no. UDYAM-TN-26-7315874" gives
    the number (a 'no Udyam' reading of it lost 15 of 300 generated Hinglish people's numbers)."""
    loop = FormLoop(domain, language="hinglish")
    await file_all(
        loop, ["Anjali Sharma", "9123456780", "Coir Crafts, Udyam no. udyam-tn-26-7315874"]
    )
    assert loop.slots["enterprise_name"] == "Coir Crafts"
    assert loop.slots["udyam_number"] == "UDYAM-TN-26-7315874"


@pytest.mark.parametrize(
    ("language", "answer", "enterprise"),
    [
        ("hinglish", "Yadav Steel Works, Udyam nahi hai", "Yadav Steel Works"),
        ("en", "Yadav Steel Works - no udyam", "Yadav Steel Works"),
        ("en", "Khadi Gram Udyog Samiti, no Udyam number", "Khadi Gram Udyog Samiti"),
        ("hinglish", "Yadav Steel udyam registration nahi hua abhi tak", "Yadav Steel"),
        ("hi", "यादव स्टील वर्क्स, उद्यम नहीं है", "यादव स्टील वर्क्स"),
    ],
)
async def test_the_enterprise_with_no_udyam_keeps_both_answers(
    domain: dict[str, Any], filed: list[dict], language: str, answer: str, enterprise: str
) -> None:
    """The question asks for the enterprise and its Udyam number: "X, Udyam nahi hai" answers
    both (it used to keep only "no Udyam" and ask the enterprise again)."""
    loop = FormLoop(domain, language=language)
    await file_all(loop, ["Rakesh Yadav", "9123456780", answer])
    assert loop.slots["enterprise_name"] == enterprise
    assert loop.slots["udyam_number"] == NO_UDYAM
    assert loop.slots["requested_slot"] == "district"


@pytest.mark.parametrize(
    ("language", "more"),
    [
        ("en", "Also the buyer has stopped answering my calls since Diwali"),
        ("hinglish", "aur buyer ne Diwali ke baad se phone uthana band kar diya hai"),
        ("hi", "और खरीदार ने दिवाली के बाद से फोन उठाना बंद कर दिया है"),
    ],
)
async def test_more_of_the_story_at_the_summary_is_added_not_dropped(
    domain: dict[str, Any], filed: list[dict], language: str, more: str
) -> None:
    loop = FormLoop(domain, language=language)
    story = "The buyer in Pune has not paid 3 lakh for six months"
    await file_all(loop, ["Ramesh Kumar", "9876543210", "Shree Ganesh Textiles", "Pune", story])
    while loop.slots["requested_slot"] != "confirmed":
        await loop.say("nahi hai")
    await loop.say(more)
    assert loop.slots["requested_slot"] == "confirmed"
    await loop.say("yes", intent="affirm")
    assert filed[0]["description"] == f"{story}\n{more}"

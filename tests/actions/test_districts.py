"""The district gazetteer (routing/data/districts.yaml, actions/districts.py): the whole table,
typed answers, districts named in sentences, and the sentences that name none."""

from __future__ import annotations

import re
import timeit
from collections import Counter

import pytest

from actions.districts import (
    _EVERYDAY,
    _PERSONAL,
    DistrictMatch,
    DistrictRecord,
    _index,
    _state_key_names,
    canonical_district,
    district_in_state,
    district_records,
    find_district_in_text,
    fold,
    state_of_district,
    states_of_district,
)
from actions.states import state_records

# Districts per state as of 2025 (see the head of districts.yaml): Rajasthan 41 after the
# December 2024 reorganisation, Delhi 11, Gujarat 34 with Vav-Tharad, Nagaland 17 with Meluri.
EXPECTED_COUNTS = {
    "Andhra Pradesh": 26, "Arunachal Pradesh": 27, "Assam": 35, "Bihar": 38, "Chhattisgarh": 33,
    "Goa": 2, "Gujarat": 34, "Haryana": 22, "Himachal Pradesh": 12, "Jharkhand": 24,
    "Karnataka": 31, "Kerala": 14, "Madhya Pradesh": 55, "Maharashtra": 36, "Manipur": 16,
    "Meghalaya": 12, "Mizoram": 11, "Nagaland": 17, "Odisha": 30, "Punjab": 23, "Rajasthan": 41,
    "Sikkim": 6, "Tamil Nadu": 38, "Telangana": 33, "Tripura": 8, "Uttar Pradesh": 75,
    "Uttarakhand": 13, "West Bengal": 23, "Andaman and Nicobar Islands": 3, "Chandigarh": 1,
    "Dadra and Nagar Haveli and Daman and Diu": 3, "Delhi": 11, "Jammu and Kashmir": 20,
    "Ladakh": 2, "Lakshadweep": 1, "Puducherry": 4,
}  # fmt: skip
# Official names two states both use.
SAME_OFFICIAL_NAME = {"Bilaspur", "Hamirpur", "Pratapgarh"}
_DEVANAGARI = re.compile(r"^[\u0900-\u0963\u0966-\u097f0-9 \-]+$")


def _match(state: str, district: str) -> DistrictMatch:
    return DistrictMatch(district, state)


# --- the table ------------------------------------------------------------------------------


def test_every_state_and_ut_has_its_districts_in_the_order_of_states_yaml() -> None:
    states = [record.canonical for record in state_records()]
    per_state = Counter(record.state for record in district_records())
    assert list(dict.fromkeys(r.state for r in district_records())) == list(per_state)
    assert set(per_state) == set(states)
    assert dict(per_state) == EXPECTED_COUNTS
    assert sum(per_state.values()) == 780


def test_names_are_unique_within_a_state_and_complete() -> None:
    seen: set[tuple[str, str]] = set()
    for record in district_records():
        assert (record.state, record.name) not in seen, record
        seen.add((record.state, record.name))
        assert record.name.strip() == record.name and record.name[:1].isupper(), record
        assert record.hindi, f"{record.name} has no Hindi name"
        for hindi in (*record.hindi, *(s for s in record.shared if not s.isascii())):
            assert _DEVANAGARI.match(hindi), (record.name, hindi)
        for alias in (*record.aliases, *(s for s in record.shared if s.isascii())):
            assert alias == alias.lower().strip() and alias.isascii(), (record.name, alias)


def _own_keys(record: DistrictRecord) -> set[str]:
    return {fold(n) for n in (record.name, *record.hindi, *record.aliases)}


def test_no_alias_or_hindi_name_names_two_districts() -> None:
    """Only names two states both use officially (Bilaspur, Hamirpur, Pratapgarh) and the
    names marked ``shared`` (old names such as Aurangabad) may name two districts."""
    owners: dict[str, set[tuple[str, str]]] = {}
    for record in district_records():
        for key in _own_keys(record):
            owners.setdefault(key, set()).add((record.state, record.name))
    allowed = {
        key
        for record in district_records()
        if record.name in SAME_OFFICIAL_NAME
        for key in {fold(record.name), *(fold(h) for h in record.hindi)}
    }
    clashes = {key: found for key, found in owners.items() if len(found) > 1}
    assert set(clashes) <= allowed, {k: v for k, v in clashes.items() if k not in allowed}
    for key in allowed:
        assert {name for _, name in clashes[key]} <= SAME_OFFICIAL_NAME


def test_a_shared_name_is_another_districts_own_name() -> None:
    for record in district_records():
        for shared in record.shared:
            others = [
                r for r in district_records() if r is not record and fold(shared) in _own_keys(r)
            ]
            assert others, (record.name, shared)
            assert fold(shared) not in _own_keys(record)


def test_no_district_name_is_the_name_of_another_state() -> None:
    states = _state_key_names()
    for record in district_records():
        for key in _own_keys(record) | {fold(s) for s in record.shared}:
            assert states.get(key, record.state) == record.state, (record.name, key)


def test_the_everyday_and_personal_word_lists_name_districts() -> None:
    assert not _EVERYDAY & _PERSONAL
    assert sorted(k for k in _EVERYDAY | _PERSONAL if k not in _index().names) == []


def test_every_name_alias_and_hindi_name_finds_its_own_district() -> None:
    for record in district_records():
        for name in (record.name, *record.hindi, *record.aliases):
            assert canonical_district(name, record.state) == record.match, (record, name)
            shared = len(states_of_district(name)) > 1 or record.name in SAME_OFFICIAL_NAME
            expected = None if shared else record.match
            assert canonical_district(name) == expected, (record, name)
            assert district_in_state(name, record.state), (record, name)
            if not shared:
                assert state_of_district(name) == record.state
                assert find_district_in_text(f"District {name}") == record.match, name
        for name in record.shared:
            assert canonical_district(name, record.state) == record.match, (record, name)
            assert len(states_of_district(name)) == 2 and state_of_district(name) is None


# --- typed answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "state", "district"),
    [
        ("Kanpur", "Uttar Pradesh", "Kanpur Nagar"),
        ("kanpur nagar", "Uttar Pradesh", "Kanpur Nagar"),
        ("KANPUR", "Uttar Pradesh", "Kanpur Nagar"),
        ("kanpurnagar", "Uttar Pradesh", "Kanpur Nagar"),
        ("noida", "Uttar Pradesh", "Gautam Buddha Nagar"),
        ("Greater Noida", "Uttar Pradesh", "Gautam Buddha Nagar"),
        ("from noida", "Uttar Pradesh", "Gautam Buddha Nagar"),
        ("bangalore", "Karnataka", "Bengaluru Urban"),
        ("Bengaluru", "Karnataka", "Bengaluru Urban"),
        ("Gurgaon", "Haryana", "Gurugram"),
        ("Bombay", "Maharashtra", "Mumbai City"),
        ("Calcutta", "West Bengal", "Kolkata"),
        ("Allahabad", "Uttar Pradesh", "Prayagraj"),
        ("Vizag", "Andhra Pradesh", "Visakhapatnam"),
        ("Baroda", "Gujarat", "Vadodara"),
        ("Trivandrum", "Kerala", "Thiruvananthapuram"),
        ("Pondicherry", "Puducherry", "Puducherry"),
        ("Mysore", "Karnataka", "Mysuru"),
        ("Belgaum", "Karnataka", "Belagavi"),
        ("Hoshangabad", "Madhya Pradesh", "Narmadapuram"),
        ("Osmanabad", "Maharashtra", "Dharashiv"),
        ("Ahmednagar", "Maharashtra", "Ahilyanagar"),
        ("Sambhajinagar", "Maharashtra", "Chhatrapati Sambhajinagar"),
        ("Karimganj", "Assam", "Sribhumi"),
        ("Ramanagara", "Karnataka", "Bengaluru South"),
        ("Vijayawada", "Andhra Pradesh", "NTR"),
        ("Jamshedpur", "Jharkhand", "East Singhbhum"),
        ("Bhubaneswar", "Odisha", "Khordha"),
        ("Mohali", "Punjab", "Sahibzada Ajit Singh Nagar"),
        ("Bhiwadi", "Rajasthan", "Khairthal-Tijara"),
        ("Didwana Kuchaman", "Rajasthan", "Didwana-Kuchaman"),
        ("Tharad", "Gujarat", "Vav-Tharad"),
        ("Port Blair", "Andaman and Nicobar Islands", "South Andaman"),
        ("Thane district", "Maharashtra", "Thane"),
        ("jila Indore", "Madhya Pradesh", "Indore"),
        ("my district is Pune", "Maharashtra", "Pune"),
        ("Pune se", "Maharashtra", "Pune"),
        ("Pune, Maharashtra", "Maharashtra", "Pune"),
        ("Kanpur UP", "Uttar Pradesh", "Kanpur Nagar"),
        ("Mandi", "Himachal Pradesh", "Mandi"),  # a whole answer: everyday words are fine
        ("gaya", "Bihar", "Gaya"),
        ("North 24 Parganas", "West Bengal", "North 24 Parganas"),
        ("new delhi", "Delhi", "New Delhi"),
        ("Chandigarh", "Chandigarh", "Chandigarh"),
        ("my unit is in Kanpur", "Uttar Pradesh", "Kanpur Nagar"),
    ],
)
def test_towns_and_old_names(typed: str, state: str, district: str) -> None:
    assert canonical_district(typed) == _match(state, district)
    assert canonical_district(typed, state) == _match(state, district)


@pytest.mark.parametrize(
    ("typed", "state", "district"),
    [
        ("करनाल", "Haryana", "Karnal"),
        ("जिला करनाल", "Haryana", "Karnal"),
        ("कर\u200dनाल", "Haryana", "Karnal"),  # a zero-width joiner
        ("पटना", "Bihar", "Patna"),
        ("कानपुर", "Uttar Pradesh", "Kanpur Nagar"),
        ("कानपुर नगर", "Uttar Pradesh", "Kanpur Nagar"),
        ("नोएडा", "Uttar Pradesh", "Gautam Buddha Nagar"),
        ("गुड़गांव", "Haryana", "Gurugram"),
        ("गुडगांव", "Haryana", "Gurugram"),  # no nukta
        ("गुड़गाँव", "Haryana", "Gurugram"),  # chandrabindu
        ("मुज़फ़्फ़रपुर", "Bihar", "Muzaffarpur"),
        ("इलाहाबाद", "Uttar Pradesh", "Prayagraj"),
        ("बेंगलुरु", "Karnataka", "Bengaluru Urban"),
        ("मुंबई", "Maharashtra", "Mumbai City"),
        ("ठाणे जिला", "Maharashtra", "Thane"),
        ("लखनऊ से", "Uttar Pradesh", "Lucknow"),
    ],
)
def test_devanagari(typed: str, state: str, district: str) -> None:
    assert canonical_district(typed) == _match(state, district)


@pytest.mark.parametrize(
    ("typed", "state", "district"),
    [
        ("Nashkik", None, "Nashik"),
        ("Banglore", None, "Bengaluru Urban"),
        ("Gurgoan", None, "Gurugram"),
        ("Lukhnow", None, "Lucknow"),
        ("Ludhiyana", None, "Ludhiana"),
        ("Muzaffernagar", None, "Muzaffarnagar"),
        ("Visakapatanam", None, "Visakhapatnam"),
        ("Coimbator", None, "Coimbatore"),
        ("Gorakpur", "Uttar Pradesh", "Gorakhpur"),
        ("Jalandar", "Punjab", "Jalandhar"),
        ("Tiruppure", "Tamil Nadu", "Tiruppur"),
    ],
)
def test_typos(typed: str, state: str | None, district: str) -> None:
    found = canonical_district(typed, state)
    assert found is not None and found.district == district


@pytest.mark.parametrize(
    "typed",
    ["payment", "pending", "March", "garments", "printers", "status", "helpline", "invoice",
     "udyam", "bank loan", "buyer", "supplier", "GST", "yes", "no", "haan", "nahi", "skip",
     "pata nahi", "don't know", "", "   ", "x", "Delhi", "Goa", "Bihar", "Manipur", "Tripura",
     "India", "Bharat", "banana", "Narnia", "London", "Korea", "Status Garments",
     "Helpline Printers", "Jai Mata Di Enterprises", "the buyer has not paid", "bank",
     "from the bank", "karna hai", "mandir", "Durga", "Shakti", "hamari", "mana", "Mandy's",
     "123456", "411001"],
)  # fmt: skip
def test_answers_that_are_no_district(typed: str) -> None:
    assert canonical_district(typed) is None


def test_the_fuzzy_match_stays_within_the_state() -> None:
    assert canonical_district("Nashkik", "Maharashtra") == _match("Maharashtra", "Nashik")
    assert canonical_district("Nashkik", "Gujarat") is None
    assert canonical_district("Kanpur", "Bihar") is None
    assert canonical_district("Kanpur", "UP") == _match("Uttar Pradesh", "Kanpur Nagar")


# --- names several states share -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "states"),
    [
        ("Aurangabad", ("Bihar", "Maharashtra")),
        ("Bilaspur", ("Chhattisgarh", "Himachal Pradesh")),
        ("Hamirpur", ("Himachal Pradesh", "Uttar Pradesh")),
        ("Pratapgarh", ("Rajasthan", "Uttar Pradesh")),
        ("Balrampur", ("Chhattisgarh", "Uttar Pradesh")),
        ("Bijapur", ("Chhattisgarh", "Karnataka")),
        ("Lakhimpur", ("Assam", "Uttar Pradesh")),
        ("औरंगाबाद", ("Bihar", "Maharashtra")),
        ("बिलासपुर", ("Chhattisgarh", "Himachal Pradesh")),
    ],
)
def test_a_name_two_states_share_is_not_guessed(name: str, states: tuple[str, ...]) -> None:
    assert states_of_district(name) == states
    assert state_of_district(name) is None
    assert canonical_district(name) is None
    assert find_district_in_text(f"my factory is in {name} district") is None
    for state in states:
        found = canonical_district(name, state)
        assert found is not None and found.state == state and district_in_state(name, state)
        assert canonical_district(f"{name}, {state}") == found
        assert find_district_in_text(f"my factory is in {name}", state) == found
        assert find_district_in_text(f"my factory is in {name}, {state}") == found


def test_states_of_a_district() -> None:
    assert states_of_district("Kanpur Nagar") == ("Uttar Pradesh",)
    assert states_of_district("noida") == ("Uttar Pradesh",)
    assert state_of_district("Gurgaon") == "Haryana"
    assert state_of_district("Chhatrapati Sambhajinagar") == "Maharashtra"
    assert state_of_district("Atlantis") is None and states_of_district("") == ()
    assert district_in_state("Thane", "Maharashtra")
    assert not district_in_state("Thane", "Gujarat")
    assert not district_in_state("Aurangabad", "Gujarat")


# --- districts named in sentences -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "state", "district"),
    [
        ("my unit is in Kanpur", "Uttar Pradesh", "Kanpur Nagar"),
        ("from noida", "Uttar Pradesh", "Gautam Buddha Nagar"),
        ("जिला करनाल", "Haryana", "Karnal"),
        ("bangalore", "Karnataka", "Bengaluru Urban"),
        ("Gurgaon", "Haryana", "Gurugram"),
        ("my firm Gupta Plastics in Kanpur, Uttar Pradesh", "Uttar Pradesh", "Kanpur Nagar"),
        ("We make auto parts in Kanpur Dehat", "Uttar Pradesh", "Kanpur Dehat"),
        ("unit at Peenya, Bangalore, buyer not paying", "Karnataka", "Bengaluru Urban"),
        ("Gurgaon ki company ne payment roka hai", "Haryana", "Gurugram"),
        ("हमारी फैक्ट्री जिला करनाल में है", "Haryana", "Karnal"),
        ("मैं लखनऊ से हूँ, भुगतान नहीं मिला", "Uttar Pradesh", "Lucknow"),
        ("my shop is in Ludhiana. GST refund pending", "Punjab", "Ludhiana"),
        ("textile unit, Tiruppur", "Tamil Nadu", "Tiruppur"),
        ("unit in Mandi, Himachal", "Himachal Pradesh", "Mandi"),
        ("unit in Mandi", "Himachal Pradesh", "Mandi"),
        ("district mandi", "Himachal Pradesh", "Mandi"),
        ("mandi jila", "Himachal Pradesh", "Mandi"),
        ("I am from Gaya", "Bihar", "Gaya"),
        ("जिला गया, बिहार", "Bihar", "Gaya"),
        ("Banda UP", "Uttar Pradesh", "Banda"),
        ("dairy unit in Anand", "Gujarat", "Anand"),
        ("Anand district", "Gujarat", "Anand"),
        ("Krishna Dairy, Mathura district", "Uttar Pradesh", "Mathura"),
        ("factory in Aurangabad, Bihar", "Bihar", "Aurangabad"),
        ("Aurangabad Maharashtra", "Maharashtra", "Chhatrapati Sambhajinagar"),
        ("Allahabad se hoon", "Uttar Pradesh", "Prayagraj"),
        ("Navi Mumbai MIDC", "Maharashtra", "Thane"),
        ("located in North 24 Parganas", "West Bengal", "North 24 Parganas"),
        ("works in Didwana-Kuchaman", "Rajasthan", "Didwana-Kuchaman"),
        ("we are in Kanpur and Kanpur Nagar is our district", "Uttar Pradesh", "Kanpur Nagar"),
        ("office in Noida, factory in Pune district", "Maharashtra", "Pune"),
    ],
)
def test_a_district_in_a_sentence(sentence: str, state: str, district: str) -> None:
    assert find_district_in_text(sentence) == _match(state, district)


def test_the_given_state_keeps_the_district_consistent() -> None:
    assert find_district_in_text("unit in Hamirpur", "Himachal Pradesh") == _match(
        "Himachal Pradesh", "Hamirpur"
    )
    assert find_district_in_text("unit in Gurgaon", "Uttar Pradesh") is None
    assert find_district_in_text("unit in Noida, buyer in Gurgaon") is None  # two districts
    assert find_district_in_text("unit in Noida, buyer in Gurgaon", "Haryana") == _match(
        "Haryana", "Gurugram"
    )


# Ordinary messages of MSME owners that name no district (some name a state or a country).
ORDINARY = [
    "the buyer has not paid",
    "the buyer has not paid for 5 months",
    "payment pending since March",
    "payment pending since March, please help",
    "Status Garments",
    "Helpline Printers",
    "Jai Mata Di Enterprises",
    "Shree Ganesh Textiles",
    "Balaji Food Products",
    "Anand Traders has not paid our bill",
    "Sagar Industries supplies us raw material",
    "Krishna Dairy owes us 2 lakh",
    "I spoke to Anand from the bank yesterday",
    "payment from Anand is still pending",
    "Vaishali Enterprises, proprietor Vaishali Sharma",
    "Tirupati Traders placed an order in January",
    "Udupi Hotel bill not cleared",
    "Kalyan Jewellers order cancelled",
    "Khanna Steel Works has not paid",
    "Nirmal Kumar is my partner",
    "Mansa Ram and Sons",
    "Salem Ali is the accountant",
    "Hassan Electricals did not deliver",
    "Narmada Agro Foods",
    "Gomati Handloom",
    "Mathura Sweets",
    "Ayodhya Steels Pvt Ltd",
    "Darjeeling Tea House invoice",
    "Nilgiris Dairy Farm",
    "rates in mandi are very low this season",
    "mandi rates are low and the bank refused the loan",
    "I sell my produce in the mandi",
    "mandi mein bhav gir gaya",
    "payment nahi gaya abhi tak",
    "paisa gaya kahan",
    "maal bhej diya par paisa nahi aaya",
    "bill gaya tha last week",
    "kota khatam ho gaya",
    "the quota for coal is exhausted, the kota is over",
    "subsidy ka kota nahi mila",
    "profits erode because of late payments",
    "our margins erode every month",
    "una baaton ka kya",
    "dang reh gaya main",
    "banda phone nahi uthata",
    "ek banda aaya tha inspection ke liye",
    "basti ke paas godown hai",
    "sidhi baat hai, paisa do",
    "seedhi si baat",
    "shimla mirch ki kheti",
    "dhalai ka kaam karte hain",
    "we do dhalai work for foundries",
    "baksa bhej diya",
    "jalna mat, kaam karo",
    "dhule kapde",
    "thane mein FIR likhwai",
    "puri sabzi ki dukan",
    "panna number 5 dekho",
    "sambhal ke rehna",
    "samba dance class",
    "the chatra vidyarthi scheme",
    "bhandara tha mandir mein",
    "guna bhaag",
    "do guna daam",
    "pali badal di",
    "second pali mein kaam",
    "Mon to Fri",
    "Mon-Sat 9am to 6pm",
    "see you on Mon",
    "the leh loan",
    "tonk hai",
    "bundi jacket order",
    "banka sa naam",
    "batala do kya karna hai",
    "kutch nahi hua",
    "patan ho gaya business ka",
    "andheri raat mein bijli nahi",
    "mahe ke hisab se",
    "daman ki neeti",
    "diu hai",
    "tapi",
    "I want to know the status of my complaint",
    "what is the status",
    "my complaint number is MSME-2024-000123",
    "how do I register on Udyam",
    "Udyam registration number UDYAM-MH-12-0012345",
    "the GST refund is stuck for 6 months",
    "bank is not giving me a loan under CGTMSE",
    "electricity bill is too high",
    "the power cut is daily for 8 hours",
    "I need a working capital loan of 10 lakh",
    "my invoice of Rs 3.2 lakh is unpaid",
    "the PSU has not paid for 8 months",
    "Government department is not paying",
    "the railway contractor has not paid",
    "please help me",
    "hello",
    "hi",
    "namaste",
    "thank you",
    "ok",
    "yes",
    "no",
    "cancel",
    "start over",
    "what schemes are there for women entrepreneurs",
    "is there a subsidy for solar panels",
    "PMEGP loan rejected",
    "Mudra loan application pending",
    "the factory licence renewal is pending",
    "pollution board NOC not received",
    "fire NOC delayed",
    "labour inspector is harassing us",
    "we export garments to Dubai",
    "raw material prices have gone up",
    "steel prices increased by 20 percent",
    "import from Korea is cheaper",
    "buyer in Germany cancelled the order",
    "my buyer is in Gujarat",
    "I am from Maharashtra",
    "we are based in Tamil Nadu",
    "I live in Bihar",
    "unit in UP",
    "factory in Delhi",
    "I am in India",
    "the buyer is a central PSU",
    "MSME Samadhaan case filed",
    "TReDS platform invoice not accepted",
    "delayed payment under MSMED Act section 15",
    "interest on delayed payment at three times the bank rate",
    "the order was for 500 pieces",
    "they rejected the goods without reason",
    "quality complaint is false",
    "we delivered on time",
    "the tender was cancelled",
    "EMD not refunded",
    "security deposit not returned",
    "performance guarantee invoked wrongly",
    "GeM order payment pending",
    "GeM seller rating dropped",
    "the portal shows error",
    "OTP not received",
    "website not working",
    "I forgot my password",
    "my mobile number changed",
    "update my email",
    "call me back",
    "when will I get my money",
    "is anyone there",
    "who is the nodal officer",
    "give me the phone number of the DIC",
    "the District Industries Centre is not responding",
    "district officer did not reply",
    "jila udyog kendra mein koi nahi sunta",
    "main ek chhota vyapari hoon",
    "mera paisa atka hua hai",
    "bhugtan nahi hua",
    "bijli ka bill zyada aaya",
    "loan nahi mil raha",
    "bank wale mana kar rahe hain",
    "subsidy kab milegi",
    "mera udyam registration ho gaya hai",
    "hamari company ka naam Shree Ram Textiles hai",
    "Maa Durga Steel Udyog",
    "Shiv Shakti Enterprises",
    "Sai Baba Traders",
    "Om Sai Ram Industries",
    "Laxmi Narayan Agro",
    "Hanuman Rice Mill",
    "Ganga Jamuna Fabrics",
    "Saraswati Printing Press",
    "Ambika Engineering Works",
    "New India Garments",
    "Royal Packaging",
    "Super Star Plastics",
    "Golden Crafts",
    "Bharat Electricals",
    "मेरा भुगतान नहीं हुआ",
    "खरीदार ने पैसे नहीं दिए",
    "पैसा नहीं गया",
    "वह चला गया",
    "माल भेज दिया गया था",
    "मंडी में भाव कम है",
    "सब्सिडी का कोटा खत्म",
    "दूसरी पाली में काम होता है",
    "चाकू की धार तेज है",
    "पूरी सब्जी",
    "सीधी बात",
    "संभल कर रहना",
    "बस्ती में दुकान है",
    "पन्ना पलटो",
    "कोरिया से माल आता है",
    "सेनापति ने आदेश दिया",
    "नदिया किनारे खेत",
    "लेह लो",
    "दमन और शोषण",
    "भंडारा कराया",
    "धुले कपड़े",
    "सागर जैसा गहरा",
    "आनंद आ गया",
    "श्री कृष्णा डेयरी",
    "वैशाली एंटरप्राइजेज",
    "बिजली नहीं है",
    "लोन नहीं मिल रहा",
    "उद्यम पंजीकरण कैसे करें",
    "मेरी शिकायत की स्थिति क्या है",
    "मुझे मदद चाहिए",
    "धन्यवाद",
    "नमस्ते",
    "हाँ",
    "नहीं",
    "जय माता दी एंटरप्राइजेज",
    "स्टेटस गारमेंट्स",
    "बालाजी फूड प्रोडक्ट्स",
    "मुद्रा टेक्सटाइल्स",
    "खादी ग्राम उद्योग समिति",
    "श्री गणेश टेक्सटाइल्स",
    "हम उत्तर प्रदेश से हैं",
    "बिहार में फैक्ट्री है",
    "गुजरात का खरीदार",
]


def test_there_are_enough_ordinary_sentences() -> None:
    assert len(ORDINARY) >= 200 and len(set(ORDINARY)) == len(ORDINARY)


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_sentences_name_no_district(sentence: str) -> None:
    assert find_district_in_text(sentence) is None


def test_a_long_message_is_read_in_well_under_a_millisecond() -> None:
    message = (
        "Namaste, I am Suresh Gupta, proprietor of Gupta Plastics, an MSME unit registered on "
        "Udyam. Our buyer, a large PSU, has not paid our invoices of Rs 3.2 lakh for pipes "
        "supplied eight months ago despite many reminders and emails. The mandi rates have "
        "fallen and the bank has refused a working capital loan, so we cannot pay our "
        "workers. Please help us recover the payment with interest under the MSMED Act. "
        "Our factory is in Kanpur Dehat, Uttar Pradesh. Thank you for your kind attention and "
        "an early reply."
    )
    assert len(message) >= 500
    assert find_district_in_text(message) == _match("Uttar Pradesh", "Kanpur Dehat")
    runs = 200
    seconds = timeit.timeit(lambda: find_district_in_text(message), number=runs) / runs
    assert seconds < 0.002  # about 0.1 ms on a laptop; generous for slow CI machines


def test_hindi_names_are_those_of_the_first_matching_record_in_the_list() -> None:
    from actions.districts import district_hindi_name, district_records

    def scanned(name: str, state: str | None) -> str:  # the list read in order
        for record in district_records():
            if record.name == name and (state is None or record.state == state) and record.hindi:
                return record.hindi[0]
        return name

    records = district_records()
    states = sorted({record.state for record in records})
    asked = [(r.name, s) for r in records for s in (None, r.state, states[0], "Nowhere")]
    asked += [("Not A District", None), ("Not A District", states[0])]
    assert sum(1 for record in records if record.hindi) > 500
    for name, state in asked:
        assert district_hindi_name(name, state) == scanned(name, state), (name, state)

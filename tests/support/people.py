"""Realistic Indian entrepreneurs for generated conversations, from a seed.

``person(seed)`` gives the same person for the same seed: a name, an enterprise, a mobile
number written as people write it, maybe a Udyam number, a state and a district that really
belong together, a category and a story that fits it (an amount, a counterparty, since when),
a language (English, Hindi in Devanagari, Hinglish), how they open the chat and how they
answer. Names and enterprise names include ones that hold intent and domain words ("Status
Garments", "Helpline Printers", "Cancel Traders", "Jai Mata Di Enterprises"), because real
people are called so and an assistant must take them as answers.

``officer_answer(rng, language)`` gives an answer to an officer's request for information in
one of many phrasings. Plain Python, no project imports except the states table (read-only).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "hi", "hinglish")
OPENINGS = ("greeting", "command", "payload", "story", "everything")

# --- people -------------------------------------------------------------------------------
# (Latin, Devanagari) pairs: the Devanagari form is used by people who write in Hindi.
PEOPLE: tuple[tuple[str, str], ...] = (
    ("Ram Prasad", "राम प्रसाद"),
    ("Jai Prakash", "जय प्रकाश"),
    ("Sita Ram Yadav", "सीता राम यादव"),
    ("Suresh Gupta", "सुरेश गुप्ता"),
    ("Sunita Devi", "सुनीता देवी"),
    ("Ramesh Kumar", "रमेश कुमार"),
    ("Farida Begum", "फ़रीदा बेगम"),
    ("Mohammed Irfan", "मोहम्मद इरफ़ान"),
    ("Lakshmi Narayanan", "लक्ष्मी नारायणन"),
    ("Anjali Sharma", "अंजलि शर्मा"),
    ("Gurpreet Singh", "गुरप्रीत सिंह"),
    ("Priya Nair", "प्रिया नायर"),
    ("Rajesh Patel", "राजेश पटेल"),
    ("Kavita Joshi", "कविता जोशी"),
    ("Abdul Rashid", "अब्दुल रशीद"),
    ("Meena Kumari", "मीना कुमारी"),
    ("Vijay Singh Chauhan", "विजय सिंह चौहान"),
    ("Pooja Agarwal", "पूजा अग्रवाल"),
    ("Manoj Tiwari", "मनोज तिवारी"),
    ("Santosh Kumar Mishra", "संतोष कुमार मिश्रा"),
    ("Rekha Verma", "रेखा वर्मा"),
    ("Harish Chandra", "हरीश चंद्र"),
    ("Deepak Yadav", "दीपक यादव"),
    ("Shabnam Khan", "शबनम ख़ान"),
    ("Arvind Reddy", "अरविंद रेड्डी"),
    ("Geeta Rani", "गीता रानी"),
    ("Dinesh Chaudhary", "दिनेश चौधरी"),
    ("Nirmala Sitaraman Iyer", "निर्मला अय्यर"),
    ("Bhagwan Das", "भगवान दास"),
    ("Prem Singh", "प्रेम सिंह"),
    ("Sukhwinder Kaur", "सुखविंदर कौर"),
    ("Amit Jain", "अमित जैन"),
    ("Raju Mondal", "राजू मंडल"),
    ("Shanti Devi", "शांति देवी"),
)

# Enterprise names: many hold words an intent classifier knows, or scheme and ministry words.
ENTERPRISES: tuple[str, ...] = (
    "Status Garments",
    "Helpline Printers",
    "Cancel Traders",
    "Farida Tailoring Unit",
    "Jai Mata Di Enterprises",
    "Jai Hind Industries",
    "Mudra Textiles",
    "Udyam Steel",
    "Khadi Gram Udyog Samiti",
    "Coir Crafts",
    "Complaint Box Stores",
    "Help Agro",
    "Gupta Plastics",
    "Shree Ganesh Textiles",
    "Balaji Food Products",
    "Sai Engineering Works",
    "Laxmi Rice Mill",
    "Om Sai Fabricators",
    "New India Packaging",
    "Krishna Dairy",
    "Annapurna Masala Udyog",
    "Bharat Auto Components",
    "Royal Leather Works",
    "Green Valley Organics",
    "Maa Durga Handloom",
    "Hello Prints",
    "Thanks Bakery",
    "Yes Bank Road Hardware",
    "Start Up Solutions",
    "Menu Caterers",
    "Sri Venkateswara Agencies",
    "Apna Bazaar Foods",
)
ENTERPRISES_HI: tuple[str, ...] = (
    "जय माता दी एंटरप्राइजेज",
    "खादी ग्राम उद्योग समिति",
    "श्री गणेश टेक्सटाइल्स",
    "बालाजी फूड प्रोडक्ट्स",
    "मुद्रा टेक्सटाइल्स",
    "स्टेटस गारमेंट्स",
)

# --- places ---------------------------------------------------------------------------------
# Real districts of each state, (English official name, Hindi name). Facts, not generated.
# What people often type instead of the official name (the old name, or the district's city).
COLLOQUIAL = {
    "Kanpur Nagar": "Kanpur",
    "Gurugram": "Gurgaon",
    "Mysuru": "Mysore",
    "Belagavi": "Belgaum",
    "Alappuzha": "Alleppey",
    "Vadodara": "Baroda",
}
DISTRICTS: dict[str, tuple[tuple[str, str], ...]] = {
    "Maharashtra": (
        ("Pune", "पुणे"),
        ("Thane", "ठाणे"),
        ("Nagpur", "नागपुर"),
        ("Nashik", "नासिक"),
        ("Kolhapur", "कोल्हापुर"),
    ),
    "Uttar Pradesh": (
        ("Lucknow", "लखनऊ"),
        ("Kanpur Nagar", "कानपुर नगर"),
        ("Agra", "आगरा"),
        ("Varanasi", "वाराणसी"),
        ("Meerut", "मेरठ"),
    ),
    "Haryana": (
        ("Karnal", "करनाल"),
        ("Panipat", "पानीपत"),
        ("Faridabad", "फरीदाबाद"),
        ("Hisar", "हिसार"),
        ("Gurugram", "गुरुग्राम"),
    ),
    "Gujarat": (
        ("Ahmedabad", "अहमदाबाद"),
        ("Surat", "सूरत"),
        ("Rajkot", "राजकोट"),
        ("Vadodara", "वडोदरा"),
    ),
    "Tamil Nadu": (
        ("Coimbatore", "कोयंबटूर"),
        ("Chennai", "चेन्नई"),
        ("Madurai", "मदुरै"),
        ("Tiruppur", "तिरुप्पुर"),
    ),
    "Karnataka": (
        ("Mysuru", "मैसूरु"),
        ("Belagavi", "बेलगावी"),
        ("Dharwad", "धारवाड़"),
    ),
    "Rajasthan": (
        ("Jaipur", "जयपुर"),
        ("Jodhpur", "जोधपुर"),
        ("Udaipur", "उदयपुर"),
        ("Bhilwara", "भीलवाड़ा"),
    ),
    "Bihar": (
        ("Patna", "पटना"),
        ("Gaya", "गया"),
        ("Muzaffarpur", "मुज़फ़्फ़रपुर"),
        ("Bhagalpur", "भागलपुर"),
    ),
    "Madhya Pradesh": (
        ("Indore", "इंदौर"),
        ("Bhopal", "भोपाल"),
        ("Jabalpur", "जबलपुर"),
        ("Gwalior", "ग्वालियर"),
    ),
    "Punjab": (
        ("Ludhiana", "लुधियाना"),
        ("Jalandhar", "जालंधर"),
        ("Amritsar", "अमृतसर"),
    ),
    "West Bengal": (
        ("Howrah", "हावड़ा"),
        ("Hooghly", "हुगली"),
        ("Nadia", "नदिया"),
    ),
    "Kerala": (
        ("Alappuzha", "आलप्पुझा"),
        ("Kollam", "कोल्लम"),
        ("Ernakulam", "एर्नाकुलम"),
    ),
    "Uttarakhand": (
        ("Dehradun", "देहरादून"),
        ("Haridwar", "हरिद्वार"),
        ("Nainital", "नैनीताल"),
    ),
    "Odisha": (
        ("Cuttack", "कटक"),
        ("Khordha", "खोरधा"),
        ("Ganjam", "गंजाम"),
    ),
    "Telangana": (
        ("Hyderabad", "हैदराबाद"),
        ("Warangal", "वारंगल"),
    ),
}


@dataclass(frozen=True)
class StateInfo:
    canonical: str
    code: str
    hindi: str
    aliases: tuple[str, ...]


@cache
def states() -> dict[str, StateInfo]:
    """The states of DISTRICTS as routing/data/states.yaml names them (read-only)."""
    raw = yaml.safe_load((ROOT / "routing" / "data" / "states.yaml").read_text(encoding="utf-8"))
    table = {
        entry["canonical"]: StateInfo(
            entry["canonical"],
            entry["code"],
            entry["hindi"][0],
            tuple(entry.get("aliases") or ()),
        )
        for entry in raw["states"]
    }
    missing = set(DISTRICTS) - set(table)
    assert not missing, f"states not in routing/data/states.yaml: {missing}"
    return table


# --- categories and stories -----------------------------------------------------------------
# Each story has {amount}, {months}, {party} and {place} filled from the lists below.
PARTIES = {
    "buyer": ("Kohli Auto Parts", "UP Jal Nigam", "a central PSU", "Sharma Distributors",
              "the state electricity board", "Reliable Exports", "NTPC's contractor"),
    "bank": ("State Bank of India", "Punjab National Bank", "Bank of Baroda", "Canara Bank",
             "the local cooperative bank"),
    "office": ("the District Industries Centre", "the pollution control board",
               "the municipal corporation", "the labour department", "the KVIC office"),
}  # fmt: skip

STORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "delayed_payment": {
        "en": (
            "{party} has not paid our bill of {amount} for goods supplied {months} months ago.",
            "My buyer in {place} has not paid me {amount} for {months} months.",
            "Payment of {amount} is pending from {party} for {months} months despite invoices "
            "and reminders.",
        ),
        "hi": (
            "{party_hi} ने {months} महीने पहले सप्लाई किए माल का {amount_hi} का भुगतान अभी तक "
            "नहीं किया है।",
            "मेरे खरीदार ने {months} महीने से {amount_hi} का बकाया भुगतान नहीं किया।",
        ),
        "hinglish": (
            "{party} ne {months} mahine se hamara {amount} ka payment nahi kiya hai, bill "
            "bhej diya tha.",
            "Mera buyer {place} mein hai, {months} mahine se {amount} ka bhugtan pending hai.",
        ),
    },
    "finance_credit": {
        "en": (
            "{bank} has not released my sanctioned loan of {amount} for {months} months.",
            "{bank} is asking for collateral for a {amount} loan under CGTMSE; my file is "
            "pending for {months} months.",
        ),
        "hi": ("{bank} ने {months} महीने से मेरा {amount_hi} का स्वीकृत लोन जारी नहीं किया है।",),
        "hinglish": (
            "{bank} ne {months} mahine se mera {amount} ka sanctioned loan release nahi kiya.",
        ),
    },
    "raw_material": {
        "en": (
            "We are not getting our allotted raw material (steel coils worth {amount}) from "
            "the depot for {months} months.",
        ),
        "hi": ("{months} महीने से हमें डिपो से {amount_hi} का आवंटित कच्चा माल नहीं मिल रहा है।",),
        "hinglish": ("{months} mahine se depot se {amount} ka kachcha maal nahi mil raha hai.",),
    },
    "marketing_procurement": {
        "en": (
            "Our bid of {amount} on the GeM portal was rejected without reason {months} "
            "months ago and the tender was given to a bigger firm.",
        ),
        "hi": (
            "{months} महीने पहले GeM पोर्टल पर हमारा {amount_hi} का टेंडर बिना कारण रद्द कर दिया गया।",
        ),
        "hinglish": (
            "GeM portal par hamara {amount} ka tender {months} mahine pehle bina "
            "reason reject ho gaya.",
        ),
    },
    "labour": {
        "en": (
            "The labour department inspector has been demanding EPF dues of {amount} that we "
            "already paid {months} months ago for our 12 workers.",
        ),
        "hi": (
            "श्रम विभाग {months} महीने से हमारे 12 मजदूरों के {amount_hi} के पीएफ बकाये की मांग कर रहा "
            "है जो हम पहले ही जमा कर चुके हैं।",
        ),
        "hinglish": (
            "Labour department {months} mahine se hamare mazdooron ka {amount} ka PF "
            "maang raha hai jo hum jama kar chuke hain.",
        ),
    },
    "regulation_licensing": {
        "en": (
            "My factory licence renewal is pending with {office} for {months} months and "
            "they ask {amount} as a fine without any order.",
        ),
        "hi": (
            "{months} महीने से फैक्ट्री लाइसेंस का नवीनीकरण लंबित है और {amount_hi} जुर्माना मांगा जा रहा है।",
        ),
        "hinglish": (
            "{months} mahine se factory licence renewal pending hai, {amount} fine "
            "maang rahe hain.",
        ),
    },
    "infrastructure_power": {
        "en": (
            "Our industrial area in {place} has power cuts of 8 hours a day for {months} "
            "months; we lost orders worth {amount}.",
        ),
        "hi": (
            "{months} महीने से हमारे औद्योगिक क्षेत्र में रोज़ 8 घंटे बिजली कटौती हो रही है, {amount_hi} "
            "के ऑर्डर का नुकसान हुआ।",
        ),
        "hinglish": (
            "{months} mahine se industrial area mein roz 8 ghante bijli cut hoti hai, "
            "{amount} ke orders ka nuksaan hua.",
        ),
    },
    "skill_technology": {
        "en": (
            "We paid {amount} for a technology upgradation training at the MSME tool room "
            "{months} months ago but the course never started.",
        ),
        "hi": (),
        "hinglish": (),
    },
    "udyam_registration": {
        "en": (
            "My Udyam registration certificate shows the wrong activity and I cannot correct "
            "it on the portal for {months} months.",
        ),
        "hi": (
            "{months} महीने से मेरे उद्यम पंजीकरण प्रमाणपत्र में गलत गतिविधि दिख रही है और "
            "पोर्टल पर सुधार नहीं हो रहा।",
        ),
        "hinglish": (
            "{months} mahine se mere Udyam registration certificate mein galat "
            "activity hai, portal par correction nahi ho raha.",
        ),
    },
    "schemes_subsidy": {
        "en": (
            "The capital subsidy of {amount} under the state scheme was sanctioned {months} "
            "months ago but not credited to my account.",
        ),
        "hi": ("{months} महीने पहले मंज़ूर हुई {amount_hi} की सब्सिडी अभी तक खाते में नहीं आई।",),
        "hinglish": (
            "{months} mahine pehle {amount} ki subsidy sanction hui thi par abhi tak "
            "account mein nahi aayi.",
        ),
    },
    "pmegp_khadi": {
        "en": (
            "My PMEGP margin money of {amount} is pending with {bank} for {months} months "
            "after the loan was disbursed.",
        ),
        "hi": ("{months} महीने से PMEGP की {amount_hi} की मार्जिन मनी बैंक में अटकी है।",),
        "hinglish": ("PMEGP ki {amount} margin money {months} mahine se bank mein atki hai.",),
    },
    "coir": {
        "en": (
            "The Coir Board has not released the {amount} assistance for our coir spinning "
            "unit for {months} months.",
        ),
        "hi": (),
        "hinglish": (),
    },
    "corruption_vigilance": {
        "en": (
            "An official at {office} asked me for a bribe of {amount} to clear my file; this "
            "has gone on for {months} months.",
        ),
        "hi": (),
        "hinglish": (),
    },
    "employee_related": {
        "en": (
            "I retired from the MSME Development Institute {months} months ago and my pension "
            "arrears of {amount} are still not paid.",
        ),
        "hi": (),
        "hinglish": (),
    },
    "policy_suggestion": {
        "en": (
            "I suggest that the ministry should make the 45-day payment rule apply to all "
            "buyers; small units like mine lose {amount} a year to late payments.",
        ),
        "hi": (),
        "hinglish": (),
    },
    "other": {
        "en": (
            "Our unit was shown as closed in a government survey {months} months ago though "
            "we are working and employ 9 people.",
        ),
        "hi": (),
        "hinglish": (),
    },
}
# Main grievances come more often, as they do at the ministry.
CATEGORY_WEIGHTS = {
    "delayed_payment": 8, "finance_credit": 5, "raw_material": 2, "marketing_procurement": 2,
    "labour": 2, "regulation_licensing": 2, "infrastructure_power": 2, "skill_technology": 1,
    "udyam_registration": 2, "schemes_subsidy": 2, "pmegp_khadi": 2, "coir": 1,
    "corruption_vigilance": 1, "employee_related": 1, "policy_suggestion": 1, "other": 1,
}  # fmt: skip

SCHEME_QUESTIONS = {
    "en": ("what is the PMEGP scheme?", "How do I get a collateral-free loan?",
           "what is CGTMSE?"),
    "hi": ("PMEGP योजना क्या है?", "बिना गारंटी लोन कैसे मिलेगा?"),
    "hinglish": ("PMEGP scheme kya hai?", "bina guarantee loan kaise milega?"),
}  # fmt: skip

# The category labels people type instead of tapping (as the buttons show them).
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")


@dataclass(frozen=True)
class Person:
    seed: int
    language: str
    name: str
    enterprise_name: str
    mobile_written: str
    mobile: str  # E.164, what must be stored
    udyam_written: str | None
    udyam_number: str | None  # canonical, what must be stored
    state: str  # canonical
    state_written: str
    district: str  # English official name
    district_hi: str
    district_written: str
    wrong_district: str | None  # said first, then corrected ("sorry, the district is ...")
    category: str
    story: str
    opening: str
    name_style: str  # bare | prefixed | with_mobile
    enterprise_style: str  # bare | prefixed
    scheme_question: str | None
    scheme_question_before: str | None  # the field asked when the question comes
    types_category_label: bool
    location_together: bool = False  # "Karnal, Haryana" to the first of state and district
    firm_with_udyam: bool = False  # "Gupta Plastics, UDYAM-UP-12-0001234" to the firm question
    lower_case: bool = False
    chat: str = ""  # another chat of the same person ("-direct")

    @property
    def sender(self) -> str:
        return f"web:gen-{self.seed}{self.chat}"

    @property
    def opens_with_story(self) -> bool:
        return self.opening in ("story", "everything")

    def describe(self) -> str:
        return (
            f"seed={self.seed} {self.language} opening={self.opening} name={self.name!r} "
            f"enterprise={self.enterprise_name!r} mobile={self.mobile_written!r} "
            f"udyam={self.udyam_written!r} state={self.state_written!r} "
            f"district={self.district_written!r} (wrong first: {self.wrong_district!r}) "
            f"category={self.category} name_style={self.name_style} "
            f"scheme_question={self.scheme_question!r} before {self.scheme_question_before} "
            f"types_label={self.types_category_label} together={self.location_together} "
            f"firm_with_udyam={self.firm_with_udyam}"
        )

    def accepted_districts(self) -> tuple[str, ...]:
        """The official name, the Hindi name, or what the person typed."""
        return (self.district, self.district_hi, self.district_written)


def _mobile(rng: random.Random) -> tuple[str, str]:
    digits = rng.choice("6789") + "".join(rng.choice("0123456789") for _ in range(9))
    style = rng.choice(("plain", "split", "plus91", "plus91dash", "zero", "devanagari", "91"))
    written = {
        "plain": digits,
        "split": f"{digits[:5]} {digits[5:]}",
        "plus91": f"+91 {digits[:5]} {digits[5:]}",
        "plus91dash": f"+91-{digits[:5]}-{digits[5:]}",
        "zero": f"0{digits}",
        "devanagari": digits.translate(DEVANAGARI_DIGITS),
        "91": f"91{digits}",
    }[style]
    return written, f"+91{digits}"


def _udyam(rng: random.Random, state_code: str) -> tuple[str, str] | None:
    if rng.random() < 0.4:
        return None
    district = f"{rng.randint(1, 40):02d}"
    serial = f"{rng.randint(1, 9999999):07d}"
    canonical = f"UDYAM-{state_code}-{district}-{serial}"
    written = rng.choice(
        (
            canonical,
            canonical.lower(),
            f"UDYAM {state_code} {district} {serial}",
            f"Udyam-{state_code}-{district}-{serial}",
            f"UDYAM - {state_code} - {district} - {serial}",
            f"udyam {state_code.lower()} {district} {serial}",
        )
    )
    return written, canonical


def _amount(rng: random.Random) -> tuple[str, str]:
    lakh = rng.choice(("1.2", "2", "3.2", "4.5", "6", "8.75", "12", "25"))
    style = rng.random()
    if style < 0.5:
        return f"{lakh} lakh", f"{lakh} लाख रुपये"
    if style < 0.8:
        return f"Rs {lakh} lakh", f"₹{lakh} लाख"
    rupees = int(float(lakh) * 100000)
    return f"Rs. {rupees:,}", f"₹{rupees}"


def _story(rng: random.Random, category: str, language: str, place: str) -> str:
    template = rng.choice(STORIES[category][language])
    amount, amount_hi = _amount(rng)
    party = rng.choice(PARTIES["buyer"])
    return template.format(
        amount=amount,
        amount_hi=amount_hi,
        months=rng.randint(2, 11),
        party=party,
        party_hi=rng.choice(("खरीदार कंपनी", "एक सरकारी उपक्रम", "जल निगम", party)),
        bank=rng.choice(PARTIES["bank"]),
        office=rng.choice(PARTIES["office"]),
        place=place,
    )


def _state_written(rng: random.Random, info: StateInfo, language: str) -> str:
    if language == "hi":
        return info.hindi if rng.random() < 0.8 else info.canonical
    choices = [info.canonical, info.canonical, info.canonical.lower()]
    choices += [alias for alias in info.aliases if " " not in alias or len(alias) > 6][:2]
    return rng.choice(choices)


def person(seed: int) -> Person:
    rng = random.Random(seed)
    language = rng.choices(LANGUAGES, weights=(5, 3, 3))[0]
    categories = [c for c in CATEGORY_WEIGHTS if STORIES[c][language]]
    category = rng.choices(categories, weights=[CATEGORY_WEIGHTS[c] for c in categories])[0]
    latin, devanagari = rng.choice(PEOPLE)
    name = devanagari if language == "hi" and rng.random() < 0.7 else latin
    if language == "hi" and rng.random() < 0.4:
        enterprise = rng.choice(ENTERPRISES_HI)
    else:
        enterprise = rng.choice(ENTERPRISES)
    if category == "coir" and rng.random() < 0.5:
        enterprise = "Coir Crafts"
    state = rng.choice(sorted(DISTRICTS))
    info = states()[state]
    district, district_hi = rng.choice(DISTRICTS[state])
    district_written = district_hi if language == "hi" and rng.random() < 0.7 else district
    if district in COLLOQUIAL and district_written == district and rng.random() < 0.6:
        district_written = COLLOQUIAL[district]
    others = [d for d in DISTRICTS[state] if d[0] != district]
    wrong = None
    if others and rng.random() < 0.12:
        wrong = rng.choice(others)[1 if district_written == district_hi else 0]
    mobile_written, mobile = _mobile(rng)
    udyam = _udyam(rng, info.code)
    opening = rng.choices(OPENINGS, weights=(3, 3, 2, 3, 2))[0]
    scheme_question = None
    before = None
    if rng.random() < 0.12:
        scheme_question = rng.choice(SCHEME_QUESTIONS[language])
        before = rng.choice(("mobile", "enterprise_name", "state", "district"))
    lower = language != "hi" and rng.random() < 0.15
    return Person(
        seed=seed,
        language=language,
        name=name,
        enterprise_name=enterprise,
        mobile_written=mobile_written,
        mobile=mobile,
        udyam_written=udyam[0] if udyam else None,
        udyam_number=udyam[1] if udyam else None,
        state=state,
        state_written=_state_written(rng, info, language),
        district=district,
        district_hi=district_hi,
        district_written=district_written,
        wrong_district=wrong,
        category=category,
        story=_story(rng, category, language, district),
        opening=opening,
        name_style=rng.choices(("bare", "prefixed", "with_mobile"), weights=(5, 3, 2))[0],
        enterprise_style=rng.choice(("bare", "prefixed")),
        scheme_question=scheme_question,
        scheme_question_before=before,
        types_category_label=rng.random() < 0.25,
        location_together=rng.random() < 0.3,
        firm_with_udyam=udyam is not None and rng.random() < 0.3,
        lower_case=lower,
    )


# --- what people say ------------------------------------------------------------------------
GREETINGS = {"en": ("hi", "hello", "namaste", "Hi there"), "hi": ("नमस्ते", "नमस्कार"),
             "hinglish": ("namaste", "hello ji", "hi")}  # fmt: skip
FILE_COMMANDS = {
    "en": ("complaint", "file a complaint", "I want to file a complaint", "new complaint",
           "register complaint", "file grievance"),
    "hi": ("शिकायत दर्ज करनी है", "मुझे शिकायत करनी है", "शिकायत"),
    "hinglish": ("complaint karni hai", "mujhe shikayat darj karni hai", "complaint"),
}  # fmt: skip


def opening_message(p: Person, rng: random.Random) -> str:
    if p.opening == "greeting":
        return rng.choice(GREETINGS[p.language])
    if p.opening == "command":
        return rng.choice(FILE_COMMANDS[p.language])
    if p.opening == "payload":
        return "/file_grievance"
    if p.opening == "story":
        return p.story
    return everything_message(p)


def everything_message(p: Person) -> str:
    """An opening that tells everything: who, which firm, where, the mobile, the story."""
    district = p.district_written
    if p.language == "hi":
        return (
            f"मेरा नाम {p.name} है, मेरी फर्म {p.enterprise_name}, {district}, {p.state_written}, "
            f"मोबाइल {p.mobile_written}। {p.story}"
        )
    if p.language == "hinglish":
        if p.seed % 2:
            return (
                f"Mera naam {p.name} hai, meri firm {p.enterprise_name} hai, {district} "
                f"{p.state_written} mein, mobile {p.mobile_written}. {p.story}"
            )
        return (
            f"Mera naam {p.name} hai, meri firm {p.enterprise_name} {district}, "
            f"{p.state_written} mein hai, mobile {p.mobile_written}. {p.story}"
        )
    return (
        f"I am {p.name}, my firm {p.enterprise_name} in {district}, {p.state_written}, "
        f"mobile {p.mobile_written}. {p.story}"
    )


def cased(p: Person, text: str) -> str:
    return text.lower() if p.lower_case else text


def name_answer(p: Person) -> str:
    name = cased(p, p.name)
    if p.name_style == "prefixed":
        return {"en": f"my name is {name}", "hi": f"मेरा नाम {name} है",
                "hinglish": f"mera naam {name} hai"}[p.language]  # fmt: skip
    if p.name_style == "with_mobile":
        return f"{name}, {p.mobile_written}"
    return name


def location_answer(p: Person, district: str) -> str:
    """District and state in one answer, as people write an address."""
    return {"en": f"{district}, {p.state_written}", "hi": f"{district}, {p.state_written}",
            "hinglish": f"{district}, {p.state_written} mein"}[p.language]  # fmt: skip


def enterprise_answer(p: Person) -> str:
    firm = cased(p, p.enterprise_name)
    if p.firm_with_udyam and p.udyam_written:
        return {"en": f"{firm}, Udyam number {p.udyam_written}",
                "hi": f"{firm}, उद्यम नंबर {p.udyam_written}",
                "hinglish": f"{firm}, Udyam no. {p.udyam_written}"}[p.language]  # fmt: skip
    if p.enterprise_style == "prefixed":
        return {"en": f"my company name is {firm}", "hi": f"मेरी कंपनी का नाम {firm} है",
                "hinglish": f"meri company ka naam {firm} hai"}[p.language]  # fmt: skip
    return firm


def no_udyam_answer(rng: random.Random, language: str) -> str:
    return rng.choice(
        {
            "en": ("no", "I don't have one", "not registered"),
            "hi": ("नहीं है", "नहीं"),
            "hinglish": ("nahi hai", "abhi nahi"),
        }[language]
    )


def district_correction(p: Person) -> str:
    return {
        "en": f"sorry, the district is {p.district_written}",
        "hi": f"माफ़ कीजिए, ज़िला {p.district_written} है",
        "hinglish": f"sorry, district {p.district_written} hai",
    }[p.language]


def yes(language: str) -> str:
    return {"en": "yes", "hi": "हाँ", "hinglish": "haan"}[language]


def status_question(rng: random.Random, language: str, number: str) -> str:
    return rng.choice(
        {
            "en": (
                f"status {number}",
                f"what is the status of {number}",
                f"status of {number}?",
                "what is the status of my complaint",
            ),
            "hi": (f"{number} की स्थिति क्या है?", f"status {number}", "मेरी शिकायत की स्थिति क्या है?"),
            "hinglish": (
                f"{number} ka status kya hai?",
                f"status {number}",
                "meri complaint ka status kya hai",
            ),
        }[language]
    )


# --- answers to an officer's request for information ------------------------------------------
OFFICER_NOTES = (
    "Please share the invoice numbers and dates of supply.",
    "Kindly send the GST number of the buyer.",
    "Has the buyer replied to your notice? Please tell us.",
    "Please attach the sanction letter from the bank.",
)
OFFICER_ANSWERS = {
    "en": (
        "I have sent the invoice by email to the council yesterday, invoice no PEW/2026/{n}",
        "The buyer is Kohli Auto Parts, GST 27AAACK{n}F1Z5",
        "No, they have been promising for 3 months",
        "Invoices 114, 115 and 131 dated 4 March, 2 April and 9 May 2026",
        "I have attached the sanction letter and the delivery challans",
        "yes they replied once in August saying funds are not there",
        "Status of payment: still pending. Invoice {n} of Rs 1,20,000",
        "Complaint was also made to the MSEFC in June, case no {n}",
        "Good morning sir, the buyer replied on 2 Nov that funds will come next month",
        "Cancel the earlier invoice, the correct one is PEW/2026/{n}",
        "27AAACK{n}F1Z5",
        "Invoice details:\n1. PEW/2026/{n} dated 4 March, Rs 1,20,000\n2. PEW/2026/115 dated "
        "2 April, Rs 80,000",
        "Help me sir, they are not picking up the phone since September",
    ),
    "hi": (
        "मैंने बिल की कॉपी ईमेल से भेज दी है, बिल नंबर {n}",
        "खरीदार का GST नंबर 09AABCU{n}R1Z2 है",
        "नहीं, वे 3 महीने से सिर्फ़ वादा कर रहे हैं",
        "बैंक का स्वीकृति पत्र संलग्न कर दिया है",
        "नमस्ते सर, बिल नंबर {n} दिनांक 4 मार्च, राशि ₹1,20,000",
    ),
    "hinglish": (
        "maine invoice ki copy email kar di hai, invoice no {n}",
        "nahi sir, 3 mahine se sirf promise kar rahe hain",
        "buyer ka GST 27AAACK{n}F1Z5 hai, bill number {n}",
        "sanction letter attach kar diya hai, please dekh lijiye",
        "ji haan, buyer ne 2 Nov ko bola tha agle mahine payment karenge",
        "status wahi hai sir, payment abhi tak nahi aaya",
    ),
}


def officer_answer(rng: random.Random, language: str) -> str:
    text = rng.choice(OFFICER_ANSWERS[language])
    return text.replace("{n}", str(rng.randint(1000, 9999)))


def compact(text: str) -> str:
    """Whitespace collapsed, for comparing what was said with what was stored."""
    return re.sub(r"\s+", " ", text).strip()

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.components.language_detector import LanguageDetector
from routing.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("नमस्ते, मेरी शिकायत दर्ज करो", "hi"),
        ("मेरा भुगतान नहीं आया MS-ABC234-X", "hi"),
        ("mera payment nahi aaya", "hinglish"),
        ("PMEGP kya hai", "hinglish"),
        ("complaint status batao", "hinglish"),
        ("I want to file a complaint", "en"),
        ("what is PMEGP", "en"),
        ("thank you", "en"),
        # No clear sign: the conversation keeps its language.
        ("status of MS-PEFC6H-2", None),
        ("my udyam is UDYAM-MH-12-0001234", "en"),
        ("Ramesh Kumar", None),
        ("98765 43210", None),
        ("ok", None),
        # Short Latin replies a Hindi speaker also types: no switch to Hinglish.
        ("haan", None),
        ("ji", None),
        ("ok ji", None),
        ("theek hai", None),
        ("Haan ji!", None),
        ('/inform{"category":"labour"}', None),
        ("", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_the_nlu_component_adds_a_detected_language_entity() -> None:
    detector = LanguageDetector()
    hindi, name = Message(data={"text": "मुझे शिकायत करनी है"}), Message(data={"text": "Ramesh"})
    detector.process([hindi, name])
    assert [e["value"] for e in hindi.get("entities")] == ["hi"]
    assert hindi.get("entities")[0]["entity"] == "detected_language"
    assert not name.get("entities")


def test_codes_in_capitals_say_nothing_of_the_language() -> None:
    """A ticket or Udyam number's letters are no English: the words around them tell."""
    from routing.language import detect_language

    assert detect_language("MS-WRTZHQ-G की स्थिति") == "hi"
    assert detect_language("UDYAM-UP-43-0012345 है") == "hi"
    assert detect_language("MS-WRTZHQ-G ka status kya hai") == "hinglish"
    assert detect_language("what is the status of MS-WRTZHQ-G") == "en"

"""Checks on the training data that Rasa's own validator does not make."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actions.grievance_fields import CATEGORIES
from actions.language import detect_language
from actions.states import state_records
from tests.actions.conftest import ROOT

_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for block in data.get("nlu", []):
        if "intent" in block:
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.strip()]
            found.setdefault(block["intent"], []).extend(_ANNOTATION.sub(r"\1", t) for t in lines)
    return found


def _training() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "nlu").rglob("*.yml")):
        for intent, texts in _examples(path).items():
            merged.setdefault(intent, []).extend(texts)
    return merged


def test_the_state_lookup_has_every_name_of_the_table() -> None:
    lookup = (ROOT / "nlu" / "lookups" / "states.yml").read_text(encoding="utf-8")
    entries = {line.strip()[2:] for line in lookup.splitlines() if line.strip().startswith("- ")}
    for record in state_records():
        for name in (record.canonical, *record.hindi, *record.aliases):
            if len(name) >= 3:
                assert name in entries, name


def test_held_out_examples_never_enter_training() -> None:
    training = {t.lower() for texts in _training().values() for t in texts}
    for path in sorted((ROOT / "tests" / "nlu_heldout").glob("*.yml")):
        for intent, texts in _examples(path).items():
            for text in texts:
                assert text.lower() not in training, f"{path.name}: {text!r} ({intent})"


def test_every_intent_has_examples_in_each_language() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    training = _training()
    for intent in domain["intents"]:
        languages = {detect_language(text) for text in training[intent]}
        assert {"hi", "hinglish"} <= languages or intent in ("skip", "retry", "bot_challenge"), (
            intent,
            languages,
        )
        assert len(training[intent]) >= 20, intent
        for path in sorted((ROOT / "tests" / "nlu_heldout").glob("*.yml")):
            wanted = 3 if path.name.startswith("fresh_") else 6
            assert len(_examples(path).get(intent, [])) >= wanted, (path.name, intent)


def test_category_buttons_use_the_backend_codes() -> None:
    assert len(CATEGORIES) == 16 and len(set(CATEGORIES)) == 16

"""The text catalogue (infra/texts.yaml): every citizen text in all three languages with the
same placeholders, every officer text in English, and no text table written elsewhere."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from infra.texts import LANGUAGES, catalogue, pick, texts

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CITIZEN = [
    (kind, key, entry)
    for kind, table in catalogue()["citizen"].items()
    for key, entry in table.items()
]


@pytest.mark.parametrize(("kind", "key", "entry"), CITIZEN, ids=[f"{k}.{n}" for k, n, _ in CITIZEN])
def test_every_citizen_text_has_three_languages_with_the_same_placeholders(
    kind: str, key: str, entry: dict[str, str]
) -> None:
    assert set(entry) == set(LANGUAGES), f"{kind}.{key}"
    assert all(isinstance(text, str) and text.strip() for text in entry.values())
    english = _placeholders(entry["en"])
    assert all(_placeholders(entry[lang]) == english for lang in LANGUAGES), f"{kind}.{key}"


def test_officer_texts_are_english_and_audiences_are_known() -> None:
    assert set(catalogue()) == {"citizen", "officer"}
    assert all(set(entry) == {"en"} for entry in texts("officer", "notification").values())


def test_a_missing_language_falls_back_to_english() -> None:
    assert pick({"en": "Hello"}, "hi") == "Hello"
    assert pick({"en": "Hello", "hi": "नमस्ते"}, "hi") == "नमस्ते"


def test_no_module_writes_its_own_table_of_texts_in_languages() -> None:
    """One home: a dict literal with "en" and "hi" keys in product code is a second catalogue."""
    offenders = []
    for package in ("actions", "backend", "bot", "channels", "core", "infra", "routing"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Dict):
                    keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                    if {"en", "hi"} <= keys:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders

"""Rasa's RegexEntityExtractor with lookup boundaries that work for Devanagari.

Rasa wraps every lookup entry in ``\\b`` (``rasa/nlu/utils/pattern_utils.py``). Python's ``\\w``
does not count Devanagari vowel signs (matras), virama or anusvara as word characters, so an
entry that ends in one ("हरियाणा", "हिंदी", "जिला") has no ``\\b`` after it and is never found,
while one that ends in a consonant ("मध्य प्रदेश") is. Here an entry must instead not touch a
letter, digit or Devanagari sign on either side. The danda (।, ॥) is punctuation and
counts as a boundary. The regexes of the training data are used as they are.

Alternatives are tried longest first, so "mobile number" wins over "mobile" and "andhra pradesh
state" over "andhra pradesh" (Python's alternation takes the first one that matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.regex_entity_extractor import (
    RegexEntityExtractor as RasaRegexEntityExtractor,
)
from rasa.nlu.utils import pattern_utils
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import raise_warning

# Word characters around an entry: \w plus the Devanagari block without the two dandas.
_WORD = r"\w\u0900-\u0963\u0966-\u097F"


def lookup_pattern(entries: Iterable[str]) -> str:
    """One regex for a lookup table: any entry, not inside a longer word of either script."""
    unique = sorted({entry.strip() for entry in entries if entry.strip()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(entry) for entry in unique)
    return rf"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])"


def _entries(table: dict[str, Any]) -> list[str]:
    elements = table["elements"]
    if isinstance(elements, list):
        return [str(element) for element in elements]
    return pattern_utils.read_lookup_table_file(elements)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ScriptAwareRegexEntityExtractor(RasaRegexEntityExtractor):
    """Extracts entities with the training data's regexes and lookup tables."""

    def train(self, training_data: TrainingData) -> Resource:
        patterns: list[dict[str, str]] = []
        if self._config["use_regexes"]:
            patterns.extend(
                pattern_utils.extract_patterns(
                    training_data,
                    use_lookup_tables=False,
                    use_regexes=True,
                    use_only_entities=True,
                )
            )
        if self._config["use_lookup_tables"]:
            # Like Rasa, only tables named after an entity used in the training data.
            for table in training_data.lookup_tables:
                if table["name"] in training_data.entities:
                    pattern = lookup_pattern(_entries(table))
                    patterns.append({"name": table["name"], "pattern": pattern})
        self.patterns = patterns
        if not self.patterns:
            raise_warning(
                "No lookup tables or regexes named after an entity of the training data: "
                f"{self.__class__.__name__} will extract nothing."
            )
        self.persist()
        return self._resource

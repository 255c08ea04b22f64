"""Hindi and Hinglish -> English words for the English-only sentence encoder (all-MiniLM-L6-v2).

One glossary (``data/glossary.yaml``) and one romaniser, used by the route classifier's digest
(``routing/classifier.py``) and by the scheme search (``backend/schemes/query.py``). Standard
library and PyYAML only, so both Python environments may import it.

* ``latin_form``: a Devanagari word in Latin letters: an acronym's English letters
  ("एनएसआईसी" -> "nsic"), else its spelling as Hinglish is typed ("कितना" -> "kitna").
* ``fold_spelling``: Latin spelling variants that Hinglish writers mix meet (vishwakarma /
  vishvakarma, shikayat / sikayat); used for matching only, never shown to the encoder.
* ``Glossary``: entries in either script, one word or several. A Latin entry serves the
  Devanagari words that romanise to it too; a Devanagari entry is matched as written (where
  two words romanise alike, नई / नाई) and, by ``to_english``, also inside words (Hindi
  inflects: भुगतानों).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.yaml"

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
# Devanagari vowel signs are not "alphanumeric" for Python's \w; keep them inside words.
_WORD = re.compile(r"[0-9a-z\u0900-\u097F]+")
# Words of a text to be rewritten, the dandas (U+0964, U+0965) left out: they end sentences.
_TEXT_WORD = re.compile(r"([0-9a-z\u0900-\u0963\u0966-\u097F]+)")
_NUKTA = "\u093c"

# --- Devanagari -> Hinglish romanisation -------------------------------------------------
# Written out rather than taken from an academic scheme (ITRANS writes "kitanA", "lona"):
# people type "kitna", "loan"/"lon", so inherent vowels are dropped as Hindi speakers do.
_CONSONANTS = {
    "क": "k",
    "ख": "kh",
    "ग": "g",
    "घ": "gh",
    "ङ": "n",
    "च": "ch",
    "छ": "chh",
    "ज": "j",
    "झ": "jh",
    "ञ": "n",
    "ट": "t",
    "ठ": "th",
    "ड": "d",
    "ढ": "dh",
    "ण": "n",
    "त": "t",
    "थ": "th",
    "द": "d",
    "ध": "dh",
    "न": "n",
    "प": "p",
    "फ": "ph",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "y",
    "र": "r",
    "ल": "l",
    "व": "v",
    "श": "sh",
    "ष": "sh",
    "स": "s",
    "ह": "h",
    "ळ": "l",
    "क़": "k",
    "ख़": "kh",
    "ग़": "g",
    "ज़": "z",
    "ड़": "r",
    "ढ़": "rh",
    "फ़": "f",
    "य़": "y",
}
_VOWELS = {
    "अ": "a",
    "आ": "a",
    "इ": "i",
    "ई": "i",
    "उ": "u",
    "ऊ": "u",
    "ऋ": "ri",
    "ए": "e",
    "ऐ": "ai",
    "ओ": "o",
    "औ": "au",
    "ऑ": "o",
    "ॲ": "e",
}
_MATRAS = {
    "ा": "a",
    "ि": "i",
    "ी": "i",
    "ु": "u",
    "ू": "u",
    "ृ": "ri",
    "े": "e",
    "ै": "ai",
    "ो": "o",
    "ौ": "au",
    "ॉ": "o",
    "ॅ": "e",
}
_VIRAMA = "\u094d"
_NASALS = {"ं": "n", "ँ": "n", "ः": "h"}
_DIGITS = {chr(0x0966 + i): str(i) for i in range(10)}


def romanise_devanagari(word: str) -> str:
    """Romanise one Devanagari word roughly as it is typed in Hinglish ("कितना" -> "kitna")."""
    word = unicodedata.normalize("NFC", word)
    # Compose consonant + nukta into the precomposed letters used as keys above.
    syllables: list[list[str]] = []  # [consonant, vowel, "inherent" or ""]
    index = 0
    while index < len(word):
        char = word[index]
        if index + 1 < len(word) and word[index + 1] == _NUKTA:
            char = unicodedata.normalize("NFC", char + _NUKTA)
            index += 1
        index += 1
        if char in _CONSONANTS:
            syllables.append([_CONSONANTS[char], "a", "inherent"])
        elif char in _MATRAS and syllables:
            syllables[-1][1], syllables[-1][2] = _MATRAS[char], ""
        elif char == _VIRAMA and syllables:
            syllables[-1][1], syllables[-1][2] = "", ""
        elif char in _VOWELS:
            syllables.append(["", _VOWELS[char], ""])
        elif char in _NASALS and syllables:
            syllables[-1][1] += _NASALS[char]
            syllables[-1][2] = ""
        elif char in _DIGITS:
            syllables.append([_DIGITS[char], "", ""])
    # Schwa deletion, right to left as Hindi speakers do: drop a word-final inherent "a", and
    # a medial one between a vowel and a consonant that keeps its vowel (kitanā -> kitnā).
    last = len(syllables) - 1
    for position in range(last, -1, -1):
        inherent = syllables[position][2]
        if not inherent or position == 0:
            continue
        if position == last:
            syllables[position][1] = ""
        elif (
            syllables[position - 1][1] and syllables[position + 1][0] and syllables[position + 1][1]
        ):
            syllables[position][1] = ""
    return "".join(consonant + vowel for consonant, vowel, _ in syllables)


# Hindi spellings of English letter names: acronyms are written letter by letter in Devanagari
# ("सीजीटीएमएसई" is C-G-T-M-S-E). Romanising them phonetically gives "sijitiemesi", which
# neither BM25 nor the English model can use; reading them as letters gives "cgtmse".
_LETTER_NAMES = {
    "ए": "a",
    "बी": "b",
    "सी": "c",
    "डी": "d",
    "ई": "e",
    "एफ": "f",
    "एफ़": "f",
    "जी": "g",
    "एच": "h",
    "आई": "i",
    "जे": "j",
    "के": "k",
    "एल": "l",
    "एम": "m",
    "एन": "n",
    "ओ": "o",
    "पी": "p",
    "क्यू": "q",
    "आर": "r",
    "एस": "s",
    "टी": "t",
    "यू": "u",
    "वी": "v",
    "डब्ल्यू": "w",
    "एक्स": "x",
    "वाई": "y",
    "जेड": "z",
    "ज़ेड": "z",
}


def decode_letter_acronym(word: str) -> str | None:
    """Read a Devanagari word as English letter names ("एनएसआईसी" -> "nsic"), if it is one.

    Only a word that splits wholly into letter names, at least two of them, counts: ordinary
    Hindi words ("के", "एक", "है") do not split, so they are left to the romaniser.
    """
    word = unicodedata.normalize("NFC", word)
    # Fewest letters wins where two readings exist (shortest path over the word).
    best: list[str | None] = [None] * (len(word) + 1)
    best[0] = ""
    for start in range(len(word)):
        reading = best[start]
        if reading is None:
            continue
        for name, letter in _LETTER_NAMES.items():
            if word.startswith(name, start):
                end = start + len(name)
                candidate = reading + letter
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    decoded = best[len(word)]
    return decoded if decoded is not None and len(decoded) >= 2 else None


def latin_form(word: str) -> str:
    """A Devanagari word as Latin letters: an acronym's letters, else its Hinglish spelling."""
    if not _DEVANAGARI.search(word):
        return word
    return decode_letter_acronym(word) or romanise_devanagari(word)


def fold_spelling(token: str) -> str:
    """Fold Latin spelling variants that Hinglish writers mix (vishwakarma / vishvakarma)."""
    token = token.replace("w", "v").replace("ph", "f").replace("z", "j")
    token = re.sub(r"(aa|ee|oo|ii|uu)", lambda m: m.group(0)[0], token)
    token = token.replace("sh", "s").replace("chh", "ch")
    return token


def fold_script(text: str) -> str:
    """Lower case, NFC, Devanagari without nukta (so "ड़" and "ड" match alike)."""
    return unicodedata.normalize("NFC", text).replace(_NUKTA, "").lower()


def words(text: str) -> list[str]:
    """Lower-case words, Devanagari kept whole (matras and viramas included)."""
    return _WORD.findall(unicodedata.normalize("NFC", text.lower()))


def word_key(word: str) -> str:
    """The key a word is matched by, whatever its script: its Latin form, spelling-folded."""
    return fold_spelling(latin_form(word))


def alias_keys(text: str) -> list[str]:
    """One folded Latin key per word, whatever the script (for matching names and entries)."""
    return [word_key(word) for word in words(text)]


@dataclass(frozen=True)
class Glossary:
    """Hindi / Hinglish -> English, from ``data/glossary.yaml``."""

    # Devanagari entries as written (nukta folded), longest first: matched inside words.
    devanagari: tuple[tuple[str, str], ...]
    written: dict[str, str]  # the same, by their text
    # Latin entries by their words' keys (``word_key``): one or more words -> English.
    by_keys: dict[tuple[str, ...], str]
    longest: int

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Glossary:
        devanagari: dict[str, str] = {}
        by_keys: dict[tuple[str, ...], str] = {}
        for phrase, english in pairs:
            if _DEVANAGARI.search(phrase):
                devanagari.setdefault(fold_script(phrase), english)
            else:
                by_keys.setdefault(tuple(alias_keys(phrase)), english)
        return cls(
            devanagari=tuple(sorted(devanagari.items(), key=lambda p: len(p[0]), reverse=True)),
            written=devanagari,
            by_keys=by_keys,
            longest=max((len(key) for key in by_keys), default=0),
        )

    def __len__(self) -> int:
        return len(self.by_keys)

    def gloss(self, word: str) -> str | None:
        """English for one word: its Devanagari entry as written, else by its key."""
        if _DEVANAGARI.search(word):
            english = self.written.get(fold_script(word))
            if english is not None:
                return english
        return self.by_keys.get((word_key(word),))

    def match(self, keys: Sequence[str], start: int) -> tuple[int, str] | None:
        """The longest entry starting at ``keys[start]``: (its number of words, its English)."""
        for length in range(min(self.longest, len(keys) - start), 0, -1):
            english = self.by_keys.get(tuple(keys[start : start + length]))
            if english is not None:
                return length, english
        return None

    def to_english(self, text: str) -> str:
        """``text`` with Hindi and Hinglish words in English, lower case, for the encoder.

        Devanagari entries are replaced at word starts (Hindi inflects); the Devanagari left
        is written in Latin letters (``latin_form``), and entries of Latin words (one or more,
        folded spelling) are replaced as whole words. Other words, punctuation and spacing
        stay as they were (lower case); the dandas become spaces.
        """
        folded = fold_script(text)
        if not (self.devanagari and _DEVANAGARI.search(folded)):
            return self._latin_to_english(folded)
        out, done = [], 0  # English put in for Devanagari entries is not read again
        for found in _devanagari_pattern(self.devanagari).finditer(folded):
            out.append(self._latin_to_english(folded[done : found.start()]))
            out.append(f" {self.written[found.group(0)]} ")
            done = found.end()
        out.append(self._latin_to_english(folded[done:]))
        return "".join(out)

    def _latin_to_english(self, folded: str) -> str:
        parts = _TEXT_WORD.split(folded)  # separator, word, separator, ..., separator
        separators, found = parts[0::2], parts[1::2]
        latin = [latin_form(word) for word in found]
        keys = [fold_spelling(word) for word in latin]
        out = [separators[0]]
        position = 0
        while position < len(found):
            match = self.match(keys, position)
            length, english = match if match is not None else (1, latin[position])
            position += length
            out.extend((english, separators[position]))
        return "".join(out).replace("\u0964", " ").replace("\u0965", " ")


@cache
def _devanagari_pattern(entries: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """Devanagari entries at a word start, longest first: Hindi inflects at the end
    (भुगतानों, रिश्वतखोरी), while a match inside a word would misread it (बुनाई is not नाई)."""
    alternation = "|".join(re.escape(phrase) for phrase, _ in entries)
    return re.compile(rf"(?<![\u0900-\u097F])(?:{alternation})")


def load_glossary(path: Path | None = None) -> Glossary:
    raw: dict[str, str] = yaml.safe_load((path or GLOSSARY_FILE).read_text(encoding="utf-8"))
    return Glossary.from_pairs((str(phrase), str(english)) for phrase, english in raw.items())


@cache
def glossary() -> Glossary:
    """The shipped glossary, read once per process."""
    return load_glossary()

"""Hindi and Hinglish help for an English-only embedding model and a word-matching BM25.

Entrepreneurs write "mudra loan kitna milta hai" or "मुद्रा लोन" as often as English. The
embedding model only knows English, so a query is turned into three things:

* BM25 tokens: the words as typed (Devanagari too, matching the Devanagari aliases in the
  knowledge base), Devanagari romanised the way people type Hinglish, all spelling-folded;
* English glosses for Hindi/Hinglish words from a small lexicon, for both BM25 and the model;
* a text for the embedding model: the query with Hindi/Hinglish words replaced by glosses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
# Devanagari vowel signs are not "alphanumeric" for Python's \w; keep them inside words.
_WORD = re.compile(r"[0-9a-z\u0900-\u097F]+")

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
_NUKTA = "\u093c"
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


# --- Lexicon: Hindi / Hinglish word (folded Latin) -> English gloss: data, in lexicon.yaml ---
_LEXICON: dict[str, str] = yaml.safe_load(
    (Path(__file__).with_name("lexicon.yaml")).read_text(encoding="utf-8")
)
# Keys are matched after spelling folding, so fold them the same way once.
_GLOSSES = {fold_spelling(word): gloss for word, gloss in _LEXICON.items()}
# Devanagari words whose romanisation collides with another word: नई (new) and नाई (barber)
# both fold to "nai". Looked up before the romanised lexicon.
_DEVANAGARI_GLOSSES = {
    "नई": "new",
    "नए": "new",
    "नया": "new",
    "नाई": "barber",
}

# Hinglish glue words: dropped from the embedding text (they confuse an English model) and
# from BM25 tokens. Only used when the query is recognisably Hindi or Hinglish, because some
# ("me", "to", "hi") are English words too.
_HINDI_FILLERS = frozenset(
    "hai hain ho hu hun ka ki ke ko se me mein mai main mujhe mera meri mere hum hamara hamari "
    "hame apna apni apne aap tum tu yeh ye vah vo voh is us isme usme iske uske ek aur ya bhi "
    "to toh tha thi the raha rahi rahe ji sir madam please plz pls liye lie wala wali wale "
    "par pe tak abhi kuch koi sab jo agar toh hoga hogi hone kaam men ne sa si hu".split()
)
# Words that only occur in Hindi/Hinglish: their presence switches the filler handling on.
_HINGLISH_MARKERS = frozenset(
    "hai hain kya kaise kese kitna kitni kitne kab kaun kon kahan kaha kyon kyu kyun milta "
    "milti milega milegi chahiye chaiye karna kare karu sakta sakti sakte mujhe mera meri "
    "hamara apna nahi nahin liye wala wali kaunsa konsa batao bataiye".split()
)
ENGLISH_STOPWORDS = frozenset(
    "a an the of for to in on at by with from and or is are was were be been am do does did "
    "i my me we our you your it its this that these those what which who how when where why "
    "can could should would will shall may might must there their them they he she his her "
    "about into as if so not no any all some get got have has had please tell know want".split()
)


@dataclass(frozen=True)
class NormalisedQuery:
    """A query prepared for both retrievers."""

    original: str
    dense_text: str
    lexical_tokens: tuple[str, ...]
    is_hindi_or_hinglish: bool


class AliasTable:
    """Names written in a script the model cannot read, and the English name it can.

    "सीजीटीएमएसई क्या है" or "क्लस्टर विकास कार्यक्रम" mean nothing to an English model even
    romanised; the knowledge base knows them as aliases of a scheme, so the query's text for
    the model gets that scheme's English name in their place. Matching is on folded Latin
    keys (``alias_keys``), longest phrase first, so spelling variants meet.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        phrases: dict[tuple[str, ...], str] = {}
        for phrase, english in pairs:
            key = tuple(alias_keys(phrase))
            if key and key not in phrases:
                phrases[key] = english
        self._phrases = phrases
        self._longest = max((len(key) for key in phrases), default=0)

    def __len__(self) -> int:
        return len(self._phrases)

    def match(self, keys: Sequence[str], start: int) -> tuple[int, str] | None:
        """The longest phrase starting at ``keys[start]``: (its length, its English name)."""
        for length in range(min(self._longest, len(keys) - start), 0, -1):
            english = self._phrases.get(tuple(keys[start : start + length]))
            if english is not None:
                return length, english
        return None


def words(text: str) -> list[str]:
    """Lower-case words, Devanagari kept whole (matras and viramas included)."""
    return _WORD.findall(unicodedata.normalize("NFC", text.lower()))


def alias_keys(text: str) -> list[str]:
    """One folded Latin key per word, whatever the script (for matching names)."""
    return [fold_spelling(latin_form(word)) for word in words(text)]


def _gloss(word: str, folded: str) -> str | None:
    if word in _DEVANAGARI_GLOSSES:
        return _DEVANAGARI_GLOSSES[word]
    return _GLOSSES.get(folded)


def lexical_tokens(text: str) -> list[str]:
    """Tokens for BM25, used alike for knowledge-base text and queries.

    Every word is spelling-folded; Devanagari words also yield their Latin form (an acronym's
    letters or the Hinglish romanisation), and Hindi/Hinglish words their English gloss, so
    the three ways of writing a scheme question meet on common tokens.
    """
    tokens: list[str] = []
    for word in words(text):
        latin = word
        if _DEVANAGARI.search(word):
            tokens.append(word)
            latin = latin_form(word)
        folded = fold_spelling(latin)
        if latin in ENGLISH_STOPWORDS or folded in _HINDI_FILLERS:
            continue
        tokens.append(folded)
        gloss = _gloss(word, folded)
        if gloss is not None and gloss != folded:
            tokens.extend(
                g for g in gloss.split() if g not in ENGLISH_STOPWORDS and g not in tokens
            )
    return tokens


def normalise_query(text: str, aliases: AliasTable | None = None) -> NormalisedQuery:
    """Prepare a user's question for BM25 and for the English embedding model.

    English questions reach the model as typed. Hindi and Hinglish ones are rewritten word by
    word: known names (``aliases``) become the scheme's English name, Devanagari acronyms
    their letters, Hindi words their English gloss, glue words are dropped, and the rest is
    kept as typed (romanised if Devanagari).
    """
    raw_words = words(text)
    latin_words = [latin_form(word) for word in raw_words]
    keys = [fold_spelling(word) for word in latin_words]
    hindi = bool(_DEVANAGARI.search(text)) or any(key in _HINGLISH_MARKERS for key in keys)
    if hindi:
        english: list[str] = []
        position = 0
        while position < len(keys):
            found = aliases.match(keys, position) if aliases is not None else None
            if found is not None:
                length, name = found
                english.append(name)
                position += length
                continue
            word, latin, key = raw_words[position], latin_words[position], keys[position]
            position += 1
            gloss = _gloss(word, key)
            if gloss is not None:
                english.append(gloss)
            elif key in _HINDI_FILLERS:
                continue
            elif _DEVANAGARI.search(word) and decode_letter_acronym(word):
                english.append(latin.upper())
            else:
                english.append(latin)
        dense_text = " ".join(english) or text.strip()
    else:
        dense_text = text.strip()
    return NormalisedQuery(
        original=text,
        dense_text=dense_text,
        lexical_tokens=tuple(lexical_tokens(text)),
        is_hindi_or_hinglish=hindi,
    )

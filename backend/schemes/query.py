"""A scheme-search query prepared for an English-only embedding model and a word-matching BM25.

Entrepreneurs write "mudra loan kitna milta hai" or "मुद्रा लोन" as often as English. The
embedding model only knows English, so a query is turned into three things:

* BM25 tokens: the words as typed (Devanagari too, matching the Devanagari aliases in the
  knowledge base), Devanagari in Latin letters the way people type Hinglish, all
  spelling-folded;
* English glosses for Hindi/Hinglish words, for both BM25 and the model;
* a text for the embedding model: the query with Hindi/Hinglish words replaced by glosses.

The glossary, the romaniser and the spelling folding are the project's (``routing/glossary.py``,
``routing/data/glossary.yaml``), shared with the route classifier; what is here is the scheme
search's own: glue words, the Hindi/Hinglish test, stopwords, scheme names as aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routing.glossary import (
    alias_keys,
    decode_letter_acronym,
    fold_spelling,
    glossary,
    latin_form,
    words,
)
from routing.language import HINGLISH_MARKERS

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")

# Hinglish glue words: dropped from the embedding text (they confuse an English model) and
# from BM25 tokens. Only used when the query is recognisably Hindi or Hinglish, because some
# ("me", "to", "hi") are English words too.
_HINDI_FILLERS = frozenset(
    "hai hain ho hu hun ka ki ke ko se me mein mai main mujhe mera meri mere hum hamara hamari "
    "hame apna apni apne aap tum tu yeh ye vah vo voh is us isme usme iske uske ek aur ya bhi "
    "to toh tha thi the raha rahi rahe ji sir madam please plz pls liye lie wala wali wale "
    "par pe tak abhi kuch koi sab jo agar toh hoga hogi hone kaam men ne sa si hu".split()
)
# Words that only occur in Hindi/Hinglish (the language detector's, spelling folded as the
# query's words are): their presence switches the filler handling on.
_HINGLISH_MARKERS = frozenset(fold_spelling(word) for word in HINGLISH_MARKERS)
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
        gloss = glossary().gloss(word)
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
            gloss = glossary().gloss(word)
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

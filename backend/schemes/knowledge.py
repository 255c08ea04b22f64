"""The scheme knowledge base: one YAML file per scheme or service in ``data/``.

Each file is written by hand from official sources, cites them, and says when it was checked.
Loading validates every file, so a broken or incomplete entry fails at start-up and in the
tests, never in front of an entrepreneur.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
# The bot shows an answer on a phone: a few lines, not a page.
MAX_ANSWER_CHARS = 420
_REQUIRED = (
    "id",
    "name",
    "aliases",
    "summary",
    "eligibility",
    "benefits",
    "how_to_apply",
    "documents",
    "url",
    "last_verified",
    "sources",
    "faq",
)


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is missing a field or holds something unusable."""


@dataclass(frozen=True)
class FaqEntry:
    """Several ways of asking one question, and the one short answer to all of them."""

    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Scheme:
    """A government scheme or service, as an entrepreneur needs to know it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    summary: str
    eligibility: tuple[str, ...]
    benefits: tuple[str, ...]
    how_to_apply: tuple[str, ...]
    documents: tuple[str, ...]
    url: str
    last_verified: dt.date
    sources: tuple[str, ...]
    faq: tuple[FaqEntry, ...]
    status: str = "active"


def _strings(value: Any, field: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        raise KnowledgeBaseError(f"{path.name}: {field} must be a non-empty list of strings")
    return tuple(" ".join(item.split()) for item in value)


def _text(value: Any, field: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeBaseError(f"{path.name}: {field} must be a non-empty string")
    return " ".join(value.split())


def _faq(value: Any, path: Path) -> tuple[FaqEntry, ...]:
    if not isinstance(value, list) or not value:
        raise KnowledgeBaseError(f"{path.name}: faq must be a non-empty list")
    entries = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise KnowledgeBaseError(f"{path.name}: faq #{number} must be a mapping")
        answer = _text(item.get("answer"), f"faq #{number} answer", path)
        if len(answer) > MAX_ANSWER_CHARS:
            raise KnowledgeBaseError(
                f"{path.name}: faq #{number} answer has {len(answer)} characters "
                f"(at most {MAX_ANSWER_CHARS}: it is read on a phone)"
            )
        questions = _strings(item.get("questions"), f"faq #{number} questions", path)
        entries.append(FaqEntry(questions=questions, answer=answer))
    return tuple(entries)


def parse_scheme(document: Any, path: Path) -> Scheme:
    """Validate one parsed YAML document and turn it into a ``Scheme``."""
    if not isinstance(document, dict):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping at the top level")
    missing = [field for field in _REQUIRED if field not in document]
    if missing:
        raise KnowledgeBaseError(f"{path.name}: missing {', '.join(missing)}")
    scheme_id = _text(document["id"], "id", path)
    if scheme_id != path.stem:
        raise KnowledgeBaseError(f"{path.name}: id {scheme_id!r} must match the file name")
    url = _text(document["url"], "url", path)
    sources = _strings(document["sources"], "sources", path)
    for link in (url, *sources):
        if not link.startswith("https://"):
            raise KnowledgeBaseError(f"{path.name}: {link!r} is not an https link")
    verified = document["last_verified"]
    if not isinstance(verified, dt.date):
        raise KnowledgeBaseError(f"{path.name}: last_verified must be a date (YYYY-MM-DD)")
    status = document.get("status", "active")
    if status not in {"active", "closed"}:
        raise KnowledgeBaseError(f"{path.name}: status must be active or closed")
    return Scheme(
        id=scheme_id,
        name=_text(document["name"], "name", path),
        aliases=_strings(document["aliases"], "aliases", path),
        summary=_text(document["summary"], "summary", path),
        eligibility=_strings(document["eligibility"], "eligibility", path),
        benefits=_strings(document["benefits"], "benefits", path),
        how_to_apply=_strings(document["how_to_apply"], "how_to_apply", path),
        documents=_strings(document["documents"], "documents", path),
        url=url,
        last_verified=verified,
        sources=sources,
        faq=_faq(document["faq"], path),
        status=status,
    )


def load_scheme(path: Path) -> Scheme:
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{path.name}: not valid YAML ({error})") from error
    return parse_scheme(document, path)


def load_knowledge_base(directory: Path = DATA_DIR) -> tuple[Scheme, ...]:
    """Every scheme in ``directory`` (``*.yaml``), ordered by id."""
    paths = sorted(Path(directory).glob("*.yaml"))
    if not paths:
        raise KnowledgeBaseError(f"no scheme files in {directory}")
    return check_unique(load_scheme(path) for path in paths)


def check_unique(schemes: Iterable[Scheme]) -> tuple[Scheme, ...]:
    ordered = tuple(sorted(schemes, key=lambda scheme: scheme.id))
    ids = [scheme.id for scheme in ordered]
    duplicates = {scheme_id for scheme_id in ids if ids.count(scheme_id) > 1}
    if duplicates:
        raise KnowledgeBaseError(f"duplicate scheme ids: {sorted(duplicates)}")
    return ordered


# Requests the knowledge base does not answer (Aadhaar changes, GST returns, personal loans...),
# as users type them: the search refuses a question nearer to one of these than to anything
# the knowledge base says (``backend.schemes.search``).
OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent / "out_of_scope.yaml"


def load_out_of_scope(path: Path = OUT_OF_SCOPE_FILE) -> tuple[str, ...]:
    """The example requests of ``path`` (``questions: [{lang, q}, ...]``), in file order."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{Path(path).name}: not valid YAML ({error})") from error
    items = document.get("questions") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeBaseError(f"{Path(path).name}: needs a non-empty 'questions' list")
    questions: list[str] = []
    for number, item in enumerate(items, start=1):
        text = item.get("q") if isinstance(item, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeBaseError(f"{Path(path).name}: question {number} has no text 'q'")
        questions.append(text.strip())
    return tuple(questions)

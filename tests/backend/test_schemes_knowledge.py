"""The bundled knowledge base: complete, sourced, phone-sized, and carrying the key figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.schemes.knowledge import (
    MAX_ANSWER_CHARS,
    KnowledgeBaseError,
    Scheme,
    load_knowledge_base,
)

REQUIRED_SCHEMES = {
    "udyam_registration", "udyam_assist_platform", "msme_classification", "pmegp", "cgtmse",
    "pm_mudra", "delayed_payments", "treds", "zed_certification", "public_procurement_policy",
    "pm_vishwakarma", "sfurti", "mse_cdp", "esdp", "ramp", "champions", "clcss", "eclgs",
    "nsic_raw_material_assistance", "nsic_single_point_registration", "kvic_schemes",
    "coir_board_schemes", "technology_centres", "where_to_turn",
}  # fmt: skip
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module")
def kb() -> dict[str, Scheme]:
    return {scheme.id: scheme for scheme in load_knowledge_base()}


def all_text(scheme: Scheme) -> str:
    parts = [scheme.summary, *scheme.benefits, *scheme.eligibility]
    parts += [entry.answer for entry in scheme.faq]
    return " ".join(parts)


def test_every_required_scheme_is_there_with_enough_faq(kb: dict[str, Scheme]) -> None:
    assert REQUIRED_SCHEMES <= set(kb)
    assert sum(len(scheme.faq) for scheme in kb.values()) >= 150


def test_every_scheme_is_sourced_dated_and_named_in_both_scripts(kb: dict[str, Scheme]) -> None:
    for scheme in kb.values():
        assert scheme.url.startswith("https://"), scheme.id
        assert scheme.sources and all(s.startswith("https://") for s in scheme.sources)
        assert scheme.last_verified.year >= 2025, scheme.id
        assert any(DEVANAGARI.search(alias) for alias in scheme.aliases), scheme.id
        assert any(alias.isascii() for alias in scheme.aliases), scheme.id


def test_answers_fit_a_phone_and_questions_have_several_phrasings(kb: dict[str, Scheme]) -> None:
    for scheme in kb.values():
        for entry in scheme.faq:
            assert len(entry.answer) <= MAX_ANSWER_CHARS
        assert sum(len(entry.questions) >= 2 for entry in scheme.faq) >= len(scheme.faq) - 1


@pytest.mark.parametrize(
    ("scheme_id", "facts"),
    [
        ("msme_classification", ["Rs 2.5 crore", "Rs 10 crore", "Rs 25 crore", "Rs 100 crore",
                                 "Rs 125 crore", "Rs 500 crore", "1 April 2025", "Rs 1 crore",
                                 "Rs 5 crore", "Rs 250 crore"]),
        ("pm_mudra", ["Rs 50,000", "Rs 5 lakh", "Rs 10 lakh", "Rs 20 lakh", "Tarun Plus"]),
        ("delayed_payments", ["45 days", "three times the bank rate", "90 days", "Samadhaan"]),
        ("public_procurement_policy", ["25%", "4%", "3%", "358"]),
        ("pmegp", ["15%", "25%", "35%", "Rs 50 lakh", "Rs 20 lakh"]),
        ("cgtmse", ["Rs 10 crore", "85%", "80%", "75%", "0.37%"]),
        ("zed_certification", ["80%", "60%", "50%", "Rs 10,000", "Rs 5 lakh", "LWE"]),
        ("sfurti", ["Rs 2.5 crore", "Rs 5 crore", "500 artisans"]),
        ("ramp", ["Rs 6,062.45 crore", "Rs 3,750 crore", "USD 500 million"]),
        ("eclgs", ["31 March 2023"]),
        ("pm_vishwakarma", ["Rs 15,000", "5%", "Rs 500 a day", "18"]),
    ],
)  # fmt: skip
def test_key_figures_are_stated(kb: dict[str, Scheme], scheme_id: str, facts: list[str]) -> None:
    text = all_text(kb[scheme_id])
    for fact in facts:
        assert fact in text, f"{scheme_id}: {fact!r} missing"


def test_closed_schemes_say_so(kb: dict[str, Scheme]) -> None:
    for scheme_id in ("eclgs", "clcss"):
        scheme = kb[scheme_id]
        assert scheme.status == "closed"
        assert "closed" in scheme.faq[0].answer.lower() or "stopped" in scheme.faq[0].answer


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    return directory


VALID = """\
id: demo
name: Demo
aliases: [Demo]
summary: A demo.
eligibility: [Anyone]
benefits: [None]
how_to_apply: [Online]
documents: [Aadhaar]
url: https://example.gov.in
last_verified: 2026-11-26
sources: [https://example.gov.in]
faq:
  - questions: [What is demo]
    answer: A demo.
"""


def test_a_valid_file_loads(tmp_path: Path) -> None:
    (scheme,) = load_knowledge_base(write(tmp_path, "demo.yaml", VALID))
    assert scheme.id == "demo"
    assert scheme.faq[0].questions == ("What is demo",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("url: https://example.gov.in\n", ""), "missing url"),
        (("id: demo", "id: other"), "must match the file name"),
        (("url: https://example.gov.in", "url: http://example.gov.in"), "not an https link"),
        (("last_verified: 2026-11-26", "last_verified: recently"), "must be a date"),
        (("answer: A demo.", "answer: " + "x" * (MAX_ANSWER_CHARS + 1)), "read on a phone"),
        (("questions: [What is demo]", "questions: []"), "questions must be"),
    ],
)
def test_broken_files_are_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    broken = VALID.replace(*change)
    with pytest.raises(KnowledgeBaseError, match=message):
        load_knowledge_base(write(tmp_path, "demo.yaml", broken))


def test_empty_directory_and_malformed_yaml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="no scheme files"):
        load_knowledge_base(tmp_path)
    with pytest.raises(KnowledgeBaseError, match=r"demo\.yaml: not valid YAML"):
        load_knowledge_base(write(tmp_path, "demo.yaml", "faq: [unclosed"))

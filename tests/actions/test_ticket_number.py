from __future__ import annotations

from pathlib import Path

from actions import ticket_number

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ticket_numbers.txt"


def _fixture() -> list[tuple[str, str]]:
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _, text = line.partition(" ")
            rows.append((kind, text))
    return rows


def test_agrees_with_the_shared_fixture() -> None:
    rows = _fixture()
    assert any(kind == "valid" for kind, _ in rows) and any(k == "invalid" for k, _ in rows)
    for kind, text in rows:
        assert ticket_number.is_valid(text) is (kind == "valid"), text


def test_valid_numbers_come_back_canonical() -> None:
    for kind, text in _fixture():
        if kind == "valid":
            number = ticket_number.normalize(text)
            assert number is not None and number.startswith("MS-") and len(number) == 11
            assert ticket_number.normalize(number) == number


def test_a_single_typo_is_caught_but_the_shape_still_looks_like_a_number() -> None:
    good = next(text for kind, text in _fixture() if kind == "valid" and text.startswith("MS-"))
    body = good[3:9]
    replacement = "2" if body[0] != "2" else "3"
    typo = f"MS-{replacement}{body[1:]}-{good[-1]}"
    assert not ticket_number.is_valid(typo)
    assert ticket_number.looks_like_number(typo)
    assert not ticket_number.looks_like_number("hello there")

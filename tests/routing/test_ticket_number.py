from __future__ import annotations

import itertools
from pathlib import Path

from routing import ticket_number
from routing.ticket_number import ALPHABET, check_char, format_number, normalize

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ticket_numbers.txt"


def test_generated_numbers_are_valid_and_canonical() -> None:
    for _ in range(200):
        number = ticket_number.generate()
        assert normalize(number) == number
        assert len(number) == len("MS-XXXXXX-C")


def test_every_single_substitution_is_caught() -> None:
    body = "7K3Q9P"
    good = format_number(body)
    for position, replacement in itertools.product(range(6), ALPHABET):
        if body[position] == replacement:
            continue
        typo = body[:position] + replacement + body[position + 1 :]
        assert normalize(f"MS-{typo}-{good[-1]}") is None


def test_every_swap_of_neighbours_is_caught() -> None:
    body = "7K3Q9P"
    check = check_char(body)
    for i in range(5):
        swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
        assert normalize(f"MS-{swapped}-{check}") is None


def test_common_writings_are_accepted() -> None:
    number = format_number("7K3Q9P")
    assert normalize(number.lower()) == number
    assert normalize(number.replace("-", " ")) == number
    assert normalize(number.replace("-", "")) == number
    assert normalize(number[3:]) == number  # prefix left out


def test_look_alike_characters_are_not_numbers() -> None:
    assert normalize("MS-0O1IL2-3") is None


def test_shared_fixture_agrees() -> None:
    # The action server has its own copy of the algorithm; both check this file.
    for line in FIXTURE.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        kind, text = line.split(" ", 1)
        assert (normalize(text) is not None) == (kind == "valid"), line

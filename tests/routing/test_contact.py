from __future__ import annotations

import pytest

from routing.contact import normalize_mobile, normalize_udyam


@pytest.mark.parametrize(
    "text",
    [
        "9876543210",
        "+91 98765 43210",
        "+91-98765-43210",
        "098765 43210",
        "91 9876543210",
        "(+91) 98765.43210",
    ],
)
def test_mobiles_in_common_writings(text: str) -> None:
    assert normalize_mobile(text) == "+919876543210"


@pytest.mark.parametrize("text", ["12345", "5876543210", "+1 415 555 0100", "98765432101", ""])
def test_not_indian_mobiles(text: str) -> None:
    assert normalize_mobile(text) is None


def test_udyam() -> None:
    assert normalize_udyam("udyam-mh-18-0012345") == "UDYAM-MH-18-0012345"
    assert normalize_udyam("UDYAM MH 18 0012345") == "UDYAM-MH-18-0012345"
    assert normalize_udyam("UDYAM-MH-18-001234") is None
    assert normalize_udyam("UDYOG-MH-18-0012345") is None

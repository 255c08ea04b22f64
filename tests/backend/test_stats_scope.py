"""Which department's figures an officer may see (``backend/stats_scope.py``), and the
answers the app gives for a refusal: the same for the admin API and the dashboard's CSV."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.models import Officer
from backend.stats_scope import DepartmentOutOfScope, UnknownDepartment, stats_scope
from tests.backend.conftest import Officers, sign_in


def officer(role: str, department: str = "MSEFC-MH") -> Officer:
    return Officer(name="x", department_code=department, role=role, token_hash="h")


def test_officers_and_heads_see_their_own_department_leadership_any() -> None:
    assert stats_scope(officer("officer"), None) == "MSEFC-MH"
    assert stats_scope(officer("head"), "MSEFC-MH") == "MSEFC-MH"
    assert stats_scope(officer("leadership", "DCMSME"), None) is None
    assert stats_scope(officer("leadership", "DCMSME"), "NSIC") == "NSIC"


def test_another_or_an_unknown_department_is_refused() -> None:
    with pytest.raises(DepartmentOutOfScope, match="you can see department MSEFC-MH only"):
        stats_scope(officer("officer"), "NSIC")
    with pytest.raises(UnknownDepartment, match="a department code of the directory"):
        stats_scope(officer("leadership", "DCMSME"), "NOPE")
    # Unknown is checked first: an officer is not told whether a code exists elsewhere.
    with pytest.raises(UnknownDepartment):
        stats_scope(officer("officer"), "NOPE")


def test_refusals_answer_403_and_422_with_a_sentence(
    client: TestClient, officers: Officers
) -> None:
    asha = officers.add("asha", "MSEFC-MH")
    other = client.get("/admin/v1/stats", params={"department": "NSIC"}, headers=asha)
    assert other.status_code == 403
    assert other.json() == {"detail": "you can see department MSEFC-MH only"}
    unknown = client.get("/admin/v1/stats", params={"department": "NOPE"}, headers=asha)
    assert unknown.status_code == 422
    assert unknown.json() == {
        "detail": "department must be a department code of the directory, such as MSEFC-MH"
    }
    sign_in(client, officers, "asha")
    export = client.get("/dashboard/analytics/by_department_status.csv?department=NSIC")
    assert export.status_code == 403 and export.json() == other.json()

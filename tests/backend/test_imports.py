"""Import from CPGRAMS: rows become routed tickets, bad rows are reported by line, reruns skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.__main__ import main
from backend.models import Ticket
from core.config import Settings
from tests.backend.conftest import Officers

MSME = "Ministry of Micro Small and Medium  Enterprises"
DELAYED = f"{MSME} >> Loan/ Subsidy and Delayed Payment Related >> Delayed Payment to MSME"
PMEGP = f"{MSME} >> Schemes >> PMEGP"
RAILWAYS = "Ministry of Railways >> Catering"
PAYMENT = "Buyer has not paid three invoices for 120 days, MSMED Act applies."

CSV_BATCH = f"""Registration Number,Date,Name,State,District,CPGRAMS Category Path,Text
DMSME/E/2026/0001234,2026-10-28,Ravi Patel,Gujarat,Surat,{DELAYED},"{PAYMENT}"
DMSME/E/2026/0001235,28/10/2026,Sunita Devi,Bihar,Patna,{PMEGP},"PMEGP subsidy not released
although the unit started production in June."
DMSME/E/2026/0001236,2026-10-29,No Such,Atlantis,X,{PMEGP},Subsidy not released for a long time.
DMSME/E/2026/0001237,2026-10-29,Wrong Path,Kerala,Kochi,{RAILWAYS},Food on the train was cold.
,2026-10-29,No Number,Kerala,Kochi,{PMEGP},Subsidy not released for a long time.
DMSME/E/2026/0001238,someday,Bad Date,Kerala,Kochi,{PMEGP},Subsidy not released for a long time.
DMSME/E/2026/0001239,2026-10-30,Short,Kerala,Kochi,{PMEGP},too short
"""


def leadership(officers: Officers) -> dict[str, str]:
    return officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")


def test_csv_batch_creates_routed_tickets_and_reports_bad_lines(
    client: TestClient, officers: Officers, factory: sessionmaker[Session]
) -> None:
    boss = leadership(officers)
    response = client.post(
        "/admin/v1/imports", content=CSV_BATCH, headers={**boss, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == 2 and report["skipped"] == 0
    # The second row spans lines 3-4, so the rows after it start one line later.
    errors = {e["line"]: e for e in report["errors"]}
    assert sorted(errors) == [5, 6, 7, 8, 9]
    assert "state" in errors[5]["error"] and errors[5]["registration_number"] == (
        "DMSME/E/2026/0001236"
    )
    assert "category path" in errors[6]["error"]
    assert "registration_number" in errors[7]["error"]
    assert "date" in errors[8]["error"]
    assert "shorter" in errors[9]["error"]
    with factory() as session:
        tickets = {t.external_ref: t for t in session.scalars(select(Ticket))}
    payment = tickets["DMSME/E/2026/0001234"]
    # Delayed payments go to the Facilitation Council of the complainant's state.
    assert (payment.channel, payment.department_code, payment.category) == (
        "cpgrams",
        "MSEFC-GJ",
        "delayed_payment",
    )
    assert payment.external_source == "cpgrams" and payment.status == "routed"
    assert payment.created_at.isoformat().startswith("2026-10-28")
    subsidy = tickets["DMSME/E/2026/0001235"]
    assert (subsidy.department_code, subsidy.category) == ("KVIC", "pmegp_khadi")
    assert "although the unit started" in subsidy.description


def test_import_is_idempotent(
    client: TestClient, officers: Officers, factory: sessionmaker[Session]
) -> None:
    boss = leadership(officers)
    headers = {**boss, "Content-Type": "text/csv"}
    first = client.post("/admin/v1/imports", content=CSV_BATCH, headers=headers).json()
    again = client.post("/admin/v1/imports", content=CSV_BATCH, headers=headers).json()
    assert (again["created"], again["skipped"]) == (0, 2)
    assert sorted(t["number"] for t in again["tickets"]) == sorted(
        t["number"] for t in first["tickets"]
    )
    with factory() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 2


def test_json_batch_reports_lines_and_only_leadership_imports(
    client: TestClient, officers: Officers
) -> None:
    boss = leadership(officers)
    officer = officers.add("asha", "KVIC")
    rows = [
        {
            "registration_number": "DMSME/E/2026/0009001",
            "date": "2026-10-20",
            "name": "Kiran",
            "state": "Odisha",
            "district": "Cuttack",
            "category_path": PMEGP,
            "text": "PMEGP subsidy claim pending with the bank for five months.",
        },
        {"registration_number": "DMSME/E/2026/0009002", "date": "2026-10-21"},
        "not an object",
    ]
    payload = "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]"
    json_headers = {"Content-Type": "application/json"}
    refused = client.post("/admin/v1/imports", content=payload, headers={**officer, **json_headers})
    assert refused.status_code == 403
    report = client.post(
        "/admin/v1/imports", content=payload, headers={**boss, **json_headers}
    ).json()
    assert report["created"] == 1
    assert [(e["line"], e["registration_number"]) for e in report["errors"]] == [
        (3, "DMSME/E/2026/0009002"),
        (4, None),
    ]
    assert "missing name" in report["errors"][0]["error"]


def test_command_line_import(
    settings_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(CSV_BATCH, encoding="utf-8")
    assert main(["import", "--file", str(batch), "--source", "cpgrams"]) == 1
    captured = capsys.readouterr()
    assert "created 2, skipped 0 (already imported), errors 5" in captured.out
    assert "line 5: unknown state 'Atlantis'" in captured.err
    assert main(["import", "--file", str(batch)]) == 1
    assert "created 0, skipped 2" in capsys.readouterr().out


@pytest.fixture
def settings_env(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, factory: sessionmaker[Session]
) -> Path:
    # The command line reads its settings from the environment, like in production.
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return Path(".")

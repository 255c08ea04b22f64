"""CPGRAMS's watched folder: settled files imported once and moved; half-written ones left."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.cpgrams_pull import SETTLE_SECONDS, scan_folder
from backend.models import Ticket
from tests.backend.conftest import START
from tests.support.fake_cpgrams import GeneratedRow, grievance_rows

FIELDS = ("registration_number", "date", "name", "state", "district", "category_path", "text")


def as_csv(rows: list[GeneratedRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Registration Number", "Date", "Name", "State", "District", "Category", "Text"]
    )
    for row in rows:
        writer.writerow([row.item[name] for name in FIELDS])
    return out.getvalue()


def drop(folder: Path, name: str, text: str | bytes, *, age: float = 60.0) -> Path:
    """A file as a copier leaves it, last written ``age`` seconds ago."""
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def ticket_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        rows = session.execute(
            select(Ticket.external_ref, func.count()).group_by(Ticket.external_ref)
        ).all()
    return {str(ref): count for ref, count in rows}


def test_settled_files_are_imported_once_and_moved(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rng = random.Random(21)
    rows = grievance_rows(rng, 40, bad_share=0.0, today=START)
    mixed = grievance_rows(random.Random(22), 60, bad_share=0.3, today=START)[40:]
    folder = tmp_path / "cpgrams-in"
    folder.mkdir()
    drop(folder, "batch-1.csv", as_csv(rows[:20]))
    drop(folder, "batch-2.jsonl", "\n".join(json.dumps(r.item) for r in rows[20:30]) + "\n")
    # JSON array, one row per line after the "[": row k is on line k + 2.
    body = "[\n" + ",\n".join(json.dumps(r.item, ensure_ascii=False) for r in mixed) + "\n]\n"
    drop(folder, "mixed.json", body)
    drop(folder, "latin1.csv", "Registration Number,Name\nX/1,Jos\xe9\n".encode("latin-1"))
    # Still being written: under a name that is not read, or modified a moment ago.
    drop(folder, "batch-3.csv.part", as_csv(rows[30:35]))
    drop(folder, "batch-4.csv", as_csv(rows[35:]), age=1.0)
    drop(folder, "notes.txt", "not a batch")

    outcomes = {o["file"]: o for o in scan_folder(factory, folder, START)}

    assert set(outcomes) == {"batch-1.csv", "batch-2.jsonl", "mixed.json", "latin1.csv"}
    assert (outcomes["batch-1.csv"]["created"], outcomes["batch-2.jsonl"]["created"]) == (20, 10)
    assert sorted(p.name for p in (folder / "processed").iterdir()) == [
        "batch-1.csv",
        "batch-2.jsonl",
    ]
    failed = folder / "failed"
    assert sorted(p.name for p in failed.iterdir()) == [
        "latin1.csv",
        "latin1.csv.errors.json",
        "mixed.json",
        "mixed.json.errors.json",
    ]
    # The errors beside the file: each bad row by its line and registration number.
    report: dict[str, Any] = json.loads((failed / "mixed.json.errors.json").read_text("utf-8"))
    expected = {k + 2: r for k, r in enumerate(mixed) if not r.good}
    assert expected and {e["line"]: e["registration_number"] for e in report["errors"]} == {
        line: r.registration_number for line, r in expected.items()
    }
    for error in report["errors"]:
        assert expected[error["line"]].problem in error["error"]
    assert report["created"] == sum(1 for r in mixed if r.good)
    latin = json.loads((failed / "latin1.csv.errors.json").read_text("utf-8"))
    assert latin["errors"][0]["error"] == "not UTF-8 text"
    # What was not read is still where it was.
    assert {p.name for p in folder.iterdir() if p.is_file()} == {
        "batch-3.csv.part",
        "batch-4.csv",
        "notes.txt",
    }

    # Nothing new: a second look imports nothing (batch-4.csv is still being written to).
    os.utime(folder / "batch-4.csv")
    assert scan_folder(factory, folder, START) == []
    # The writer is done: renamed into place, and the other one settled.
    (folder / "batch-3.csv.part").rename(folder / "batch-3.csv")
    os.utime(folder / "batch-3.csv", (time.time() - 60, time.time() - 60))
    os.utime(folder / "batch-4.csv", (time.time() - SETTLE_SECONDS - 1,) * 2)
    later = {o["file"]: o["created"] for o in scan_folder(factory, folder, START)}
    assert later == {"batch-3.csv": 5, "batch-4.csv": 5}
    # The same file dropped again is moved beside the first, and makes no ticket twice.
    drop(folder, "batch-1.csv", as_csv(rows[:20]))
    again = scan_folder(factory, folder, START)
    assert [(o["created"], o["skipped"]) for o in again] == [(0, 20)]
    assert (folder / "processed" / "batch-1.1.csv").exists()

    counts = ticket_counts(factory)
    good = {r.registration_number for r in rows + mixed if r.good}
    assert set(counts) == good and set(counts.values()) == {1}

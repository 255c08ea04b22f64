"""CPGRAMS pulled automatically: paging, the cursor rule, failures and back-off, bad rows.

Against a local fake CPGRAMS (``tests/support/fake_cpgrams.py``) that pages, checks the token
and fails on demand; rows are generated (varied states, every category path of the ministry,
English and Hindi, several date formats, bad rows of several kinds).
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.__main__ import main
from backend.cpgrams_pull import (
    CURSOR,
    RETRY_CAP,
    PullReport,
    failed,
    pull,
    pull_status,
    retry_delay,
)
from backend.models import PullCursor, Ticket
from channels.cpgrams import CpgramsClient
from core.config import Settings
from tests.backend.conftest import START, Clock
from tests.support.fake_cpgrams import (
    TOKEN,
    FakeCpgrams,
    GeneratedRow,
    cursor_at,
    grievance_rows,
)

PAGE = 7


def tickets_by_reference(factory: sessionmaker[Session]) -> Counter[str]:
    with factory() as session:
        rows = session.execute(
            select(Ticket.external_ref, func.count()).group_by(Ticket.external_ref)
        ).all()
    return Counter({str(ref): count for ref, count in rows})


def cursor_row(factory: sessionmaker[Session]) -> PullCursor:
    with factory() as session:
        row = session.get(PullCursor, CURSOR)
        assert row is not None
        session.expunge(row)
        return row


async def pull_now(
    factory: sessionmaker[Session], client: CpgramsClient, clock: Clock, **options: Any
) -> PullReport:
    return await pull(
        factory,
        client,
        interval_seconds=900,
        clock=clock,
        page_size=PAGE,
        **options,
    )


def expected_errors(rows: list[GeneratedRow]) -> dict[tuple[str, int], GeneratedRow]:
    """(page cursor, index on the page) of each bad row, with pages of ``PAGE`` items."""
    return {
        (cursor_at(g - g % PAGE) if g >= PAGE else None, g % PAGE): row  # type: ignore[misc]
        for g, row in enumerate(rows)
        if not row.good
    }


@pytest.mark.parametrize("seed", [11, 29])
async def test_failures_at_random_pages_lose_nothing_and_make_nothing_twice(
    factory: sessionmaker[Session], clock: Clock, seed: int
) -> None:
    rng = random.Random(seed)
    rows = grievance_rows(rng, 80, today=START)
    # CPGRAMS sends a grievance again when it changes: the repeat is skipped, not a new ticket.
    for good in rng.sample([r for r in rows if r.good], 3):
        rows.insert(rng.randrange(len(rows) + 1), good)
    pages = range(0, len(rows), PAGE)
    with FakeCpgrams([r.item for r in rows]) as fake:
        fake.hang_seconds = 1.5
        for offset in rng.sample(list(pages), 5):
            fake.fail_page(offset, rng.choice(["500", "malformed", "shape", "500"]))
        fake.fail_page(rng.choice(list(pages)), "timeout")
        seen: list[int] = []

        def committed_before(offset: int) -> None:
            """When a page is asked for, the cursor names it and the rows before it are in."""
            with factory() as session:
                row = session.get(PullCursor, CURSOR)
                assert (row.cursor if row else None) == (cursor_at(offset) if offset else None)
            tickets = tickets_by_reference(factory)
            before = {r.registration_number for r in rows[:offset] if r.good}
            assert before <= set(tickets)
            seen.append(offset)

        fake.on_page = committed_before
        client = CpgramsClient(fake.url, TOKEN, timeout=0.5)
        reports: list[PullReport] = []
        streak = 0
        for _ in range(60):
            report = await pull_now(factory, client, clock, pages_per_pass=4)
            assert report.ran
            reports.append(report)
            state = cursor_row(factory)
            if report.failure:
                streak += 1
                assert state.failures == streak and state.last_error == report.failure
                # Back-off: 30 s doubling (capped), from the failure.
                assert state.next_pull_at == clock.now + retry_delay(streak)
            else:
                streak = 0
                assert state.failures == 0 and state.last_error is None
            if not report.failure and not report.more:
                break
            assert state.next_pull_at is not None
            clock.now = state.next_pull_at  # due
        await client.aclose()

        assert sum(1 for r in reports if r.failure) == 6
        assert set(seen) == set(pages)  # the checks ran (an assertion there fails the page)
        final = cursor_row(factory)
        assert final.cursor == fake.last_cursor and final.failures == 0
        assert final.next_pull_at == clock.now + timedelta(seconds=900)
        # Every good row is a ticket exactly once, no bad row is.
        tickets = tickets_by_reference(factory)
        good = {r.registration_number for r in rows if r.good}
        assert set(tickets) == good and set(tickets.values()) == {1}
        assert sum(r.created for r in reports) == len(good)
        assert sum(r.skipped for r in reports) == 3  # the repeats
        # Each bad row reported once, by its page, its index there and its registration number.
        reported = {(e["page"], e["index"]): e for r in reports for e in r.errors}
        assert len(reported) == sum(len(r.errors) for r in reports)
        expected = expected_errors(rows)
        assert set(reported) == set(expected)
        for place, row in expected.items():
            assert reported[place]["registration_number"] == row.registration_number
            assert row.problem in reported[place]["error"]
        # Pages were asked from where the previous one ended, never skipping one.
        asked = {r["cursor"] for r in fake.requests}
        assert asked == {None} | {cursor_at(o) for o in pages if o}


async def test_a_page_read_again_changes_nothing_and_the_next_pull_is_incremental(
    factory: sessionmaker[Session], clock: Clock
) -> None:
    rows = grievance_rows(random.Random(5), 30, bad_share=0.0, today=START)
    with FakeCpgrams([r.item for r in rows[:20]]) as fake:
        client = CpgramsClient(fake.url, TOKEN, timeout=2.0)
        first = await pull_now(factory, client, clock)
        assert (first.created, first.pages, first.cursor) == (20, 3, cursor_at(20))
        # A crash after a page's rows were committed but before the cursor moved: the cursor
        # still names the page, which is read again.
        with factory() as session, session.begin():
            row = session.get(PullCursor, CURSOR)
            assert row is not None
            row.cursor = cursor_at(14)
        again = await pull_now(factory, client, clock, force=True)
        assert (again.created, again.skipped, again.cursor) == (0, 6, cursor_at(20))
        # New grievances on CPGRAMS: only they are asked for, once the pull is due.
        fake.items.extend(r.item for r in rows[20:])
        fake.requests.clear()
        early = await pull_now(factory, client, clock)
        assert not early.ran and fake.requests == []  # not due yet
        clock.advance(seconds=900)
        later = await pull_now(factory, client, clock)
        assert (later.created, later.skipped, later.cursor) == (10, 0, cursor_at(30))
        assert fake.requests[0]["cursor"] == cursor_at(20)
        await client.aclose()
    tickets = tickets_by_reference(factory)
    assert set(tickets) == {r.registration_number for r in rows} and set(tickets.values()) == {1}


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("500", "HTTP 500"),
        ("timeout", "timed out"),
        ("malformed", "not JSON"),
        ("shape", "no list of items"),
    ],
)
async def test_each_failure_keeps_the_cursor_and_is_said(
    factory: sessionmaker[Session], clock: Clock, kind: str, said: str
) -> None:
    rows = grievance_rows(random.Random(7), 10, bad_share=0.0, today=START)
    with FakeCpgrams([r.item for r in rows]) as fake:
        fake.hang_seconds = 1.5
        fake.fail_page(PAGE, kind)  # the second page
        client = CpgramsClient(fake.url, TOKEN, timeout=0.5)
        report = await pull_now(factory, client, clock)
        assert said in (report.failure or "")
        state = cursor_row(factory)
        # The first page's rows are in and the cursor is after it, not beyond.
        assert state.cursor == cursor_at(PAGE) and len(tickets_by_reference(factory)) == PAGE
        assert state.failures == 1 and said in (state.last_error or "")
        clock.now = state.next_pull_at or clock.now
        recovered = await pull_now(factory, client, clock)
        await client.aclose()
    assert recovered.failure is None and recovered.created == 10 - PAGE
    assert cursor_row(factory).failures == 0


async def test_a_wrong_token_is_refused_and_retried_with_back_off(
    factory: sessionmaker[Session], clock: Clock
) -> None:
    rows = grievance_rows(random.Random(3), 5, bad_share=0.0, today=START)
    with FakeCpgrams([r.item for r in rows]) as fake:
        client = CpgramsClient(fake.url, "not-the-token", timeout=2.0)
        report = await pull_now(factory, client, clock)
        assert report.failure == "HTTP 401" and report.created == 0
        state = cursor_row(factory)
        assert state.cursor is None and state.next_pull_at == START + timedelta(seconds=30)
        # Not due again before the back-off has passed (the schedule, not the caller, decides).
        clock.advance(seconds=29)
        assert not (await pull_now(factory, client, clock)).ran
        assert (await pull_now(factory, client, clock, force=True)).failure == "HTTP 401"
        await client.aclose()
    assert tickets_by_reference(factory) == Counter()
    # Doubling, then capped.
    for _ in range(12):
        failed(factory, clock.now, "HTTP 503")
    state = cursor_row(factory)
    assert state.failures == 14 and state.next_pull_at == clock.now + RETRY_CAP
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8)] == [30, 60, 120, 3600]


def test_the_pull_needs_its_token_and_an_http_address() -> None:
    with pytest.raises(ValidationError, match="CPGRAMS_PULL_TOKEN"):
        Settings(cpgrams_pull_url="https://cpgrams.example")
    with pytest.raises(ValidationError, match="http"):
        Settings(cpgrams_pull_url="ftp://cpgrams.example", cpgrams_pull_token="t")
    token = "tok-4f9a2c7e1b"
    settings = Settings(cpgrams_pull_url="https://cpgrams.example", cpgrams_pull_token=token)
    assert token not in repr(settings) and token not in str(settings.model_dump())


def test_command_line_pulls_once_and_tells_the_status(
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = grievance_rows(random.Random(13), 12, today=START)
    bad = sum(1 for r in rows if not r.good)
    with FakeCpgrams([r.item for r in rows]) as fake:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
        monkeypatch.setenv("CPGRAMS_PULL_URL", fake.url)
        monkeypatch.setenv("CPGRAMS_PULL_TOKEN", TOKEN)
        code = main(["cpgrams", "pull", "--once"])
        printed = json.loads(capsys.readouterr().out)
        assert code == (1 if bad else 0)
        assert printed["pull"]["created"] == len(rows) - bad
        assert len(printed["pull"]["errors"]) == bad
        assert main(["cpgrams", "status"]) == 0
        status = json.loads(capsys.readouterr().out)
    assert status["cursor"] == cursor_at(len(rows)) and status["failures"] == 0
    assert status["last_pulled_at"] is not None and status["pull_url"] == fake.url
    assert pull_status(factory)["cursor"] == cursor_at(len(rows))
    assert TOKEN not in json.dumps(status)


async def test_the_worker_pulls_and_reads_the_folder(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    from backend.worker import run_worker

    rows = grievance_rows(random.Random(17), 12, bad_share=0.0, today=START)
    folder = tmp_path / "drop"
    folder.mkdir()
    body = json.dumps([r.item for r in rows[8:]], ensure_ascii=False)
    (folder / "batch.json").write_text(body, encoding="utf-8")
    os.utime(folder / "batch.json", (0, 0))
    with FakeCpgrams([r.item for r in rows[:8]]) as fake:
        configured = settings.model_copy(
            update={
                "cpgrams_pull_url": fake.url,
                "cpgrams_pull_token": SecretStr(TOKEN),
                "cpgrams_watch_dir": folder,
            }
        )
        await run_worker(configured, once=True)
    tickets = tickets_by_reference(factory)
    assert set(tickets) == {r.registration_number for r in rows}
    assert cursor_row(factory).cursor == cursor_at(8)
    assert (folder / "processed" / "batch.json").exists()


async def test_the_worker_pulls_nothing_unless_configured(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    from backend.worker import run_worker

    await run_worker(settings, once=True)
    with factory() as session:
        assert session.get(PullCursor, CURSOR) is None

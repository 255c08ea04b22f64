"""Feeds pulled from a local HTTP server: good RSS and Atom kept once, conditional requests and
304, broken XML, a feed that never answers, 500s with growing back-off and recovery, and the
worker's pass over due feeds."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_engine, transaction
from backend.models import PulseItem, PulseSource
from backend.pulse_feeds import (
    FIRST_RETRY,
    LONGEST_RETRY,
    PullOutcome,
    pull_due,
    pull_source,
    retry_delay,
)
from backend.pulse_sources import SourceChanges, add_source, update_source
from backend.worker import run_worker
from core.config import Settings
from tests.support.feed_server import ETAG, LAST_MODIFIED, FeedServer, entries
from tests.support.pulse_checks import assert_consistent, items
from tests.support.pulse_posts import posts

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = posts(24, seed=3)


@pytest.fixture
def feed_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"pulse_feeds_allow_private": True, "pulse_feed_timeout_seconds": 0.5}
    )


@pytest.fixture
def engine(factory: sessionmaker[Session], settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    # The Atom feed repeats two of the RSS feed's stories (same text, other links).
    feeds = FeedServer(
        rss_entries=entries("rss", TEXTS[:12], NOW, author="Desk Reporter"),
        atom_entries=entries("atom", TEXTS[10:24], NOW),
    )
    with feeds.running():
        yield feeds


def add_feed(factory: sessionmaker[Session], name: str, url: str, **extra: object) -> None:
    with transaction(factory) as session:
        add_source(session, name, "rss", url=url, **extra)  # type: ignore[arg-type]


def source(factory: sessionmaker[Session], name: str) -> PulseSource:
    with factory() as session:
        found = session.scalar(select(PulseSource).where(PulseSource.name == name))
        assert found is not None
        session.expunge(found)
        return found


def pull(
    engine: Engine,
    factory: sessionmaker[Session],
    name: str,
    settings: Settings,
    at: datetime = NOW,
) -> PullOutcome:
    return pull_source(engine, source(factory, name), settings, now=at)


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(PulseItem)) or 0)


def test_rss_and_atom_kept_once_then_304_changes_nothing(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "news", server.url("/rss"), interval_minutes=30)
    add_feed(factory, "blog", server.url("/atom"))
    first = pull(engine, factory, "news", feed_settings)
    assert (first.status, first.report.created, first.report.errors) == ("new", 12, [])
    second = pull(engine, factory, "blog", feed_settings)
    # Two of the blog's fourteen stories are the news feed's, word for word: kept once.
    assert (second.report.created, second.report.skipped) == (12, 2)
    assert count(engine) == 24
    kept = {row.text: row for row in items(engine)}
    assert set(TEXTS) <= set(kept)  # the title is the summary's start: the summary alone
    assert {row.author for row in kept.values() if row.kind == "rss"} >= {"Desk Reporter"}
    news = source(factory, "news")
    assert (news.etag, news.last_modified, news.failures) == (ETAG, LAST_MODIFIED, 0)
    assert news.next_pull_at == NOW + timedelta(minutes=30)
    assert_consistent(engine)

    later = NOW + timedelta(hours=1)
    again = pull(engine, factory, "news", feed_settings, at=later)
    assert again.status == "not-modified"
    assert server.seen("/rss")[-1] == {
        "if-none-match": ETAG,
        "if-modified-since": LAST_MODIFIED,
    }
    assert count(engine) == 24
    assert source(factory, "news").next_pull_at == later + timedelta(minutes=30)
    # A new URL forgets the validators: the whole feed comes again, and nothing is kept twice.
    with transaction(factory) as session:
        update_source(session, "news", SourceChanges(url=server.url("/rss?edition=2")))
    whole = pull(engine, factory, "news", feed_settings, at=later)
    assert server.seen("/rss")[-1] == {}
    assert (whole.status, whole.report.created, whole.report.skipped) == ("new", 0, 12)
    assert count(engine) == 24
    assert_consistent(engine)


def test_broken_xml_fails_and_backs_off_without_storing(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "broken", server.url("/broken"))
    outcome = pull(engine, factory, "broken", feed_settings)
    assert outcome.status == "failed" and "not a feed" in (outcome.error or "")
    state = source(factory, "broken")
    assert (state.failures, state.next_pull_at) == (1, NOW + FIRST_RETRY)
    assert state.etag is None and "not a feed" in (state.last_error or "")
    assert count(engine) == 0


def test_truncated_feed_keeps_what_it_read_and_asks_in_full_next_time(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "cut", server.url("/truncated"))
    outcome = pull(engine, factory, "cut", feed_settings)
    assert outcome.status == "new" and outcome.report.created >= 1
    state = source(factory, "cut")
    assert state.failures == 0 and "not well-formed" in (state.last_error or "")
    assert state.etag is None and state.last_modified is None  # no 304 for a partial read
    pull(engine, factory, "cut", feed_settings, at=NOW + timedelta(hours=2))
    assert server.seen("/truncated")[-1] == {}
    assert_consistent(engine)


def test_a_feed_that_never_answers_times_out_and_backs_off(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "slow", server.url("/slow"))
    outcome = pull(engine, factory, "slow", feed_settings)
    assert outcome.status == "failed"
    assert outcome.error == "no answer within 0.5 s"
    assert source(factory, "slow").failures == 1
    assert count(engine) == 0


def test_500s_back_off_doubling_then_recovery_clears(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "flaky", server.url("/flaky"))
    at = NOW
    for failures in range(1, 5):
        outcome = pull(engine, factory, "flaky", feed_settings, at=at)
        assert (outcome.status, outcome.error) == ("failed", "HTTP 500")
        state = source(factory, "flaky")
        assert state.failures == failures
        assert state.next_pull_at == at + FIRST_RETRY * 2 ** (failures - 1)
        at = state.next_pull_at
    server.flaky_fails = False
    outcome = pull(engine, factory, "flaky", feed_settings, at=at)
    assert (outcome.status, outcome.report.created) == ("new", 12)
    state = source(factory, "flaky")
    assert (state.failures, state.last_error) == (0, None)
    assert state.next_pull_at == at + timedelta(minutes=60)
    assert_consistent(engine)


def test_retry_delay_doubles_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(1, 30)]
    assert delays[0] == FIRST_RETRY
    assert all(b == min(2 * a, LONGEST_RETRY) for a, b in itertools.pairwise(delays))
    assert max(delays) == LONGEST_RETRY


def test_worker_pass_pulls_only_due_enabled_feeds_once(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "news", server.url("/rss"))
    add_feed(factory, "blog", server.url("/atom"))
    add_feed(factory, "off", server.url("/flaky"))
    with transaction(factory) as session:
        add_source(session, "uploads", "csv")
        update_source(session, "off", SourceChanges(enabled=False))
    outcomes = pull_due(engine, feed_settings, NOW)
    assert sorted(o.source for o in outcomes) == ["blog", "news"]
    assert server.seen("/flaky") == []
    # Nothing is due again before the interval.
    assert pull_due(engine, feed_settings, NOW + timedelta(minutes=59)) == []
    again = pull_due(engine, feed_settings, NOW + timedelta(minutes=61))
    assert sorted((o.source, o.status) for o in again) == [
        ("blog", "not-modified"),
        ("news", "not-modified"),
    ]
    assert_consistent(engine)


def test_private_addresses_refused_unless_allowed(
    engine: Engine, factory: sessionmaker[Session], settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "inside", server.url("/rss"))
    outcome = pull(engine, factory, "inside", settings)  # PULSE_FEEDS_ALLOW_PRIVATE off
    assert outcome.status == "failed" and "private address" in (outcome.error or "")
    assert server.seen("/rss") == []


async def test_the_worker_pulls_due_feeds(
    engine: Engine, factory: sessionmaker[Session], feed_settings: Settings, server: FeedServer
) -> None:
    add_feed(factory, "news", server.url("/rss"))
    add_feed(factory, "down", server.url("/flaky"))
    await run_worker(feed_settings, once=True)
    assert count(engine) == 12
    assert source(factory, "news").last_pulled_at is not None
    assert source(factory, "down").failures == 1
    assert_consistent(engine)

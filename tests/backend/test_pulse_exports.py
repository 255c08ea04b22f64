"""Exports of every shape, generated with duplicates within and across files, bad items at
known lines, Hindi, Hinglish, English, emoji and Meta's mojibake: every good item is kept
exactly once, bad ones are reported with their line, re-importing changes nothing, and the
daily counts are the relevant items per key."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.db import make_engine, transaction
from backend.pulse_exports import parse_time, unmangle
from backend.pulse_sources import add_source, import_export
from core.config import Settings
from tests.support.pulse_checks import assert_consistent, daily, items
from tests.support.pulse_posts import posts

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEXTS = posts(130, seed=11)


def mangle(text: str) -> str:
    """What Meta's exports do to UTF-8."""
    return text.encode("utf-8").decode("latin-1")


def when(number: int) -> datetime:
    return NOW - timedelta(hours=7 * number + 1)


@dataclass
class Export:
    """One file: its kind, its text, the texts it must add, the lines it must refuse."""

    name: str
    kind: str
    lines: list[str] = field(default_factory=list)
    texts: set[str] = field(default_factory=set)
    bad_lines: list[int] = field(default_factory=list)

    def add(self, line: str, text: str | None = None, *, bad: bool = False) -> None:
        self.lines.append(line)
        if text is not None:
            self.texts.add(text)
        if bad:
            self.bad_lines.append(len(self.lines))

    @property
    def payload(self) -> str:
        return "\n".join(self.lines) + "\n"


def tweet(number: int, text: str, **extra: Any) -> dict[str, Any]:
    created = when(number).strftime("%a %b %d %H:%M:%S +0000 %Y")
    return {"id_str": str(10_000 + number), "full_text": text, "created_at": created, **extra}


def tweets_js() -> Export:
    export = Export("tweets.js", "x")
    export.add("window.YTD.tweets.part0 = [")
    for n in range(0, 30):
        export.add(json.dumps({"tweet": tweet(n, TEXTS[n])}, ensure_ascii=False) + ",", TEXTS[n])
    export.add(json.dumps({"tweet": tweet(3, TEXTS[3])}) + ",")  # the same tweet again
    export.add(json.dumps({"tweet": tweet(200, TEXTS[5].upper())}) + ",")  # same text, folded
    export.add(json.dumps({"tweet": tweet(201, "")}) + ",", bad=True)
    export.add(
        json.dumps({"tweet": {**tweet(202, TEXTS[120]), "created_at": "kal"}}) + ",", bad=True
    )
    export.add(json.dumps({"tweet": tweet(203, TEXTS[121])}), TEXTS[121])
    export.add("]")
    return export


def tweets_plain() -> Export:
    """API-shaped tweets as JSON Lines, overlapping the archive (same ids: same URLs)."""
    export = Export("tweets.jsonl", "x")
    for n in range(25, 45):
        body = tweet(n, TEXTS[n], user={"screen_name": f"udyami_{n}"})
        export.add(json.dumps(body, ensure_ascii=False), TEXTS[n])
    export.add('{"id_str": "999", "full_text": "broken', bad=True)
    export.add(json.dumps(tweet(122, TEXTS[122], user={"screen_name": "x"})), TEXTS[122])
    return export


def facebook() -> Export:
    export = Export("your_posts.json", "facebook")
    export.add('{"status_updates_v2": [')
    for n in range(45, 70):
        post = {"timestamp": int(when(n).timestamp()), "data": [{"post": mangle(TEXTS[n])}]}
        if n == 50:
            post["attachments"] = [{"data": [{"place": {"name": mangle("लुधियाना")}}]}]
        export.add(json.dumps(post) + ",", TEXTS[n])
    titled = {"timestamp": int(when(123).timestamp()), "title": mangle(TEXTS[123]), "data": []}
    export.add(json.dumps(titled) + ",", TEXTS[123])
    export.add(json.dumps({"data": [{"post": mangle(TEXTS[124])}]}) + ",", bad=True)  # no time
    export.add(
        json.dumps({"timestamp": int(when(60).timestamp()), "data": [{"post": "  "}]}), bad=True
    )
    export.add("]}")
    return export


def instagram() -> Export:
    export = Export("posts_1.json", "instagram")
    export.add("[")
    for n in range(70, 85):
        media = [{"uri": f"media/{n}.jpg", "creation_timestamp": int(when(n).timestamp())}]
        if n % 2:
            media[0]["title"] = mangle(TEXTS[n])  # a single photo: the caption on the medium
            post: dict[str, Any] = {"media": media}
        else:
            post = {"media": media, "title": mangle(TEXTS[n])}
        export.add(json.dumps(post) + ",", TEXTS[n])
    export.add(json.dumps({"media": [], "title": mangle(TEXTS[125])}), bad=True)  # no time
    export.add("]")
    return export


def generic_csv() -> Export:
    export = Export("posts.csv", "csv")
    export.add("Text,Time,URL,Author,Place")

    def row(*values: str) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(values)
        return out.getvalue()

    for n in range(85, 105):
        url = f"https://forum.example/t/{n}"
        export.add(row(TEXTS[n], when(n).isoformat(), url, f"member{n}", "Pune"), TEXTS[n])
    export.add(row(TEXTS[90], when(90).isoformat(), "https://forum.example/t/90", "", ""))
    export.add(row(TEXTS[126], "", "", "", ""), bad=True)  # no time
    export.add(row(TEXTS[127], when(1).isoformat(), "javascript:alert(1)", "", ""), bad=True)
    export.add(row(TEXTS[128], "02/11/2026"), bad=True)  # two fields of five
    export.add(row(TEXTS[129], (NOW + timedelta(days=30)).isoformat(), "", "", ""), bad=True)
    export.add(row(TEXTS[45], str(int(when(45).timestamp())), "", "", ""))  # Facebook's, again
    return export


def generic_jsonl() -> Export:
    export = Export("posts.jsonl", "jsonl")
    for n in range(105, 120):
        body = {"content": TEXTS[n], "created_at": when(n).isoformat(), "link": None}
        export.add(json.dumps(body, ensure_ascii=n % 2 == 0), TEXTS[n])
    export.add("[1, 2, 3]", bad=True)
    export.add(json.dumps({"text": TEXTS[110] + "  ", "time": when(110).isoformat()}))
    return export


EXPORTS = [tweets_js, tweets_plain, facebook, instagram, generic_csv, generic_jsonl]


@pytest.fixture
def engine(factory: sessionmaker[Session], settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    with transaction(factory) as session:
        for export in EXPORTS:
            add_source(session, export.__name__, export().kind)
    yield engine
    engine.dispose()


def test_every_good_item_kept_once_bad_ones_reported_by_line(engine: Engine) -> None:
    expected: set[str] = set()
    first = {}
    for make in EXPORTS:
        export = make()
        report = import_export(engine, make.__name__, export.payload, NOW)
        assert [e["line"] for e in report.errors] == export.bad_lines, export.name
        assert all(e["error"] for e in report.errors)
        expected |= export.texts
        first[make.__name__] = report
    kept = items(engine)
    assert sorted(row.text for row in kept) == sorted(expected)  # mojibake undone, once each
    assert sum(report.created for report in first.values()) == len(kept)
    assert_consistent(engine)
    by_text = {row.text: row for row in kept}
    assert by_text[TEXTS[50]].place == "लुधियाना"
    assert by_text[TEXTS[3]].url == "https://x.com/i/web/status/10003"
    assert by_text[TEXTS[30]].author == "udyami_30"
    assert by_text[TEXTS[30]].published_at == when(30).replace(microsecond=0)
    assert by_text[TEXTS[90]].author == "member90"
    assert {row.language for row in kept} == {"en", "hi", "hinglish"}
    assert any(row.relevant for row in kept) and not all(row.relevant for row in kept)

    before = (sorted((row.id, row.text_hash) for row in kept), daily(engine))
    for make in EXPORTS:
        again = import_export(engine, make.__name__, make().payload, NOW)
        was = first[make.__name__]
        assert (again.created, again.skipped) == (0, was.created + was.skipped)
        assert again.errors == was.errors
    after = (sorted((row.id, row.text_hash) for row in items(engine)), daily(engine))
    assert after == before


def test_the_same_file_imported_twice_at_once_is_kept_once(engine: Engine) -> None:
    export = tweets_js()
    reports: list[Any] = []

    def run() -> None:
        reports.append(import_export(engine, "tweets_js", export.payload, NOW))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(report.created for report in reports) == len(export.texts)
    assert len(items(engine)) == len(export.texts)
    assert_consistent(engine)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1762074000, datetime(2025, 11, 2, 9, 0, tzinfo=UTC)),
        ("1762074000000", datetime(2025, 11, 2, 9, 0, tzinfo=UTC)),
        ("Sun Nov 02 09:00:00 +0000 2025", datetime(2025, 11, 2, 9, 0, tzinfo=UTC)),
        ("2025-11-02T14:30:00+05:30", datetime(2025, 11, 2, 9, 0, tzinfo=UTC)),
        ("02/11/2025", datetime(2025, 11, 2, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_times_in_every_shape(value: Any, expected: datetime | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["yesterday", True, "31/31/2025"])
def test_what_is_not_a_time_is_refused(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_time(value)


@pytest.mark.parametrize("text", [*TEXTS[:40], "café ☕", "₹ 5 लाख", "plain"])
def test_mojibake_undone_and_clean_text_left_alone(text: str) -> None:
    assert unmangle(mangle(text)) == text
    assert unmangle(text) == text

"""The pulse page (issue 16): its numbers are counted again here from the generated posts and
tickets themselves, its CSV downloads are its tables, only leadership sees it, hidden handles
stay hidden, and an empty pulse renders."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.clusters import EmergingIssues
from backend.db import transaction
from backend.pulse_figures import NOT_KNOWN, TABLES, recent_posts
from pulse.reader import SENTIMENTS
from routing.states import STATES
from tests.backend.conftest import Clock, Officers, file, sign_in
from tests.support.pulse_rows import PostRow, SourceRow, add_sources, generated_posts, store_posts

SOURCES = [
    SourceRow("Economic News", "rss"),
    SourceRow("X export", "x", hide_handles=True),
    SourceRow("Forum dump", "csv"),
]


# --- reading the page ----------------------------------------------------------------------


class _Tables(HTMLParser):
    """The cells' text of every ``<table data-table=...>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._name: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("data-table"):
            self._name = dict(attrs)["data-table"]
            self.tables[self._name or ""] = []
        elif self._name and tag == "tr":
            self.tables[self._name].append([])
        elif self._name and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._name = None
        elif self._name and tag in ("td", "th") and self._cell is not None:
            self.tables[self._name][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def csv_rows(client: TestClient, table: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/dashboard/pulse/{table}.csv{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(io.StringIO(response.text)))


def shown_value(text: str) -> float | str | None:
    """A cell as the page shows it: "–" none, "+0.25" net sentiment, "12.5%" a share."""
    if text == "–":
        return None
    if text.endswith("%"):
        return float(text[:-1]) / 100
    try:
        return float(text)
    except ValueError:
        return text


def same_cell(shown: str, exported: str) -> bool:
    value = shown_value(shown)
    if value is None:
        return exported == ""
    if isinstance(value, float):
        return abs(value - float(exported)) <= 0.006  # the page rounds, the CSV does not
    return value == exported


# --- counting again from the posts ---------------------------------------------------------


def in_window(posts: list[PostRow], now: datetime, days: int) -> list[PostRow]:
    first = now.date() - timedelta(days=days - 1)
    return [
        p
        for p in posts
        if p.relevant and first <= p.published_at.astimezone(UTC).date() <= now.date()
    ]


def expected_by(posts: list[PostRow], field: str) -> dict[str, list[int]]:
    """{value: [posts, negative, neutral, positive]} over ``field`` of the posts."""
    counts: dict[str, Counter[str]] = {}
    for post in posts:
        key = getattr(post, field) or NOT_KNOWN
        counts.setdefault(key, Counter())[post.sentiment] += 1
    return {k: [sum(c.values()), *(c[s] for s in SENTIMENTS)] for k, c in counts.items()}


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def leadership(client: TestClient, officers: Officers) -> TestClient:
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    sign_in(client, officers, "director")
    return client


def store(factory: sessionmaker[Session], posts: list[PostRow], sources: list[SourceRow]) -> None:
    with transaction(factory) as session:
        add_sources(session, sources)
        store_posts(session, posts)


# --- tests ---------------------------------------------------------------------------------


def test_numbers_on_the_page_are_the_posts_counted_again(
    client: TestClient,
    factory: sessionmaker[Session],
    service_headers: dict[str, str],
    officers: Officers,
    clock: Clock,
) -> None:
    # Grievances: three filed 200 days ago, then four now (one a second before the 90-day
    # window opens, one at its first second).
    for i, (state, district, category) in enumerate(
        [
            ("Maharashtra", "Pune", "delayed_payment"),
            ("Gujarat", "Surat", "delayed_payment"),
            ("Gujarat", "Surat", "finance_credit"),
        ]
    ):
        file(
            client,
            service_headers,
            state=state,
            district=district,
            category=category,
            channel_user_id=f"old{i}",
        )
    clock.advance(days=200)
    now = clock.now
    opens = datetime.combine(now.date() - timedelta(days=89), datetime.min.time(), tzinfo=UTC)
    clock.now = opens - timedelta(seconds=1)
    file(
        client,
        service_headers,
        state="Kerala",
        district="Kochi",
        category="labour",
        channel_user_id="edge0",
    )
    clock.now = opens
    file(
        client,
        service_headers,
        state="Kerala",
        district="Kochi",
        category="labour",
        channel_user_id="edge1",
    )
    clock.now = now
    file(client, service_headers, state="Gujarat", district="Surat", channel_user_id="n1")
    file(
        client,
        service_headers,
        state="Bihar",
        district="Patna",
        category="finance_credit",
        channel_user_id="n2",
    )

    rng = random.Random(16)
    posts = generated_posts(rng, 600, now, SOURCES)
    # Posts at the window's edges: the first second in, the last second before it out.
    posts += [
        PostRow("Economic News", "edge in", opens, True, "labour", "Kerala", "negative"),
        PostRow(
            "Economic News",
            "edge out",
            opens - timedelta(seconds=1),
            True,
            "labour",
            "Kerala",
            "negative",
        ),
    ]
    store(factory, posts, SOURCES)
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    sign_in(client, officers, "director")

    for days, category, state in [
        (90, None, None),
        (7, None, None),
        (365, None, None),
        (90, "delayed_payment", None),
        (180, None, "Maharashtra"),
    ]:
        query = (
            f"?days={days}"
            + (f"&category={category}" if category else "")
            + (f"&state={state}" if state else "")
        )
        page = client.get("/dashboard/pulse" + query)
        assert page.status_code == 200, page.text
        chosen = [
            p
            for p in in_window(posts, now, days)
            if (category is None or p.category == category) and (state is None or p.state == state)
        ]
        shown = figures(page.text)
        sentiments = Counter(p.sentiment for p in chosen)
        assert int(shown["posts"]) == len(chosen)
        assert [int(shown[s]) for s in SENTIMENTS] == [sentiments[s] for s in SENTIMENTS]

        # By state and by category: every row, counted again from the posts.
        for table, field in (("by_state", "state"), ("by_category", "category")):
            rows = csv_rows(client, table, query)
            assert rows[0] == [field, "posts", "negative", "neutral", "positive", "net_sentiment"]
            got = {r[0]: [int(x) for x in r[1:5]] for r in rows[1:]}
            assert got == expected_by(chosen, field), (table, query)
            for r in rows[1:]:
                n, neg, pos = int(r[1]), int(r[2]), int(r[4])
                assert float(r[5]) == pytest.approx((pos - neg) / n, abs=1e-4)
        by_kind = {r[0]: int(r[1]) for r in csv_rows(client, "by_source_kind", query)[1:]}
        kinds = {s.name: s.kind for s in SOURCES}
        assert by_kind == dict(Counter(kinds[p.source] for p in chosen))

        # Over time: every day (or week) of the window, summing to the posts.
        over = csv_rows(client, "over_time", query)
        assert over[0][0] == ("week" if days > 90 else "day")
        first = now.date() - timedelta(days=days - 1)
        window_days = [first + timedelta(days=k) for k in range(days)]
        weeks = {d - timedelta(days=d.weekday()) for d in window_days}
        assert [r[0] for r in over[1:]] == sorted(
            d.isoformat() for d in (weeks if days > 90 else window_days)
        )
        assert sum(int(r[1]) for r in over[1:]) == len(chosen)
        if days <= 90:
            per_day = Counter(p.published_at.date().isoformat() for p in chosen)
            assert {r[0]: int(r[1]) for r in over[1:] if int(r[1])} == dict(per_day)

        # Every table on the page is its CSV download, row for row.
        tables = page_tables(page.text)
        for name in TABLES:
            if name == "emerging_topics":
                continue  # needs the embedding model: test_hidden_handles_stay_hidden
            exported = csv_rows(client, name, query)
            shown_rows = tables[name]
            assert [c.replace(" ", "_") for c in shown_rows[0]] == exported[0], name
            body = [r for r in shown_rows[1:] if r != ["Nothing in this window."]]
            assert len(body) == len(exported) - 1, name
            for shown_row, exported_row in zip(body, exported[1:], strict=True):
                assert all(map(same_cell, shown_row, exported_row)), (name, shown_row, exported_row)

    # Public and chat side by side over the default window: the tickets filed from its first
    # midnight on (the one a second earlier is out), beside the negative posts.
    side = csv_rows(client, "public_vs_chat_by_state", "?days=90")
    tickets = {r[0]: int(r[3]) for r in side[1:]}
    assert {k: v for k, v in tickets.items() if v} == {"Kerala": 1, "Gujarat": 1, "Bihar": 1}
    chosen = in_window(posts, now, 90)
    negative = Counter(p.state for p in chosen if p.sentiment == "negative" and p.state)
    assert {r[0]: int(r[2]) for r in side[1:] if int(r[2])} == dict(negative)
    total = sum(negative.values())
    for row in side[1:]:
        assert float(row[4]) == pytest.approx(int(row[2]) / total, abs=1e-4)
        assert float(row[5]) == pytest.approx(int(row[3]) / 3, abs=1e-4)
    assert int(figures(client.get("/dashboard/pulse").text)["tickets"]) == 3
    all_year = csv_rows(client, "public_vs_chat_by_category", "?days=365")
    assert sum(int(r[3]) for r in all_year[1:]) == 7
    by_category = {r[0]: int(r[3]) for r in all_year[1:] if int(r[3])}
    assert by_category == {"delayed_payment": 3, "finance_credit": 2, "labour": 2}

    # The map: one tile per state, each saying its posts.
    html = client.get("/dashboard/pulse?days=90&shade=sentiment").text
    assert html.count("data-state=") == len(STATES)
    in_state = expected_by(chosen, "state")
    for state in STATES:
        if state in in_state:
            n, negative_n = in_state[state][:2]
            assert f"<title>{state}: {n} posts ({negative_n} negative), net sentiment" in html
        else:
            assert f"<title>{state}: no posts</title>" in html


def test_only_leadership_sees_the_pulse(
    client: TestClient, officers: Officers, factory: sessionmaker[Session]
) -> None:
    store(factory, [PostRow("Economic News", "A post", datetime.now(UTC))], SOURCES)
    # Not signed in: the sign-in page, for the page and its downloads alike.
    for path in ("/dashboard/pulse", "/dashboard/pulse/by_state.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/dashboard/login?next=")
    # A bearer token is not a session.
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    bearer = client.get(
        "/dashboard/pulse", headers=officers.headers("director"), follow_redirects=False
    )
    assert bearer.status_code == 303
    for key, role in (("asha", "officer"), ("head", "head")):
        officers.add(key, "MSEFC-MH", role=role)
        client.cookies.clear()
        sign_in(client, officers, key)
        page = client.get("/dashboard/pulse")
        assert page.status_code == 403 and "ministry leadership" in page.text
        assert "Economic News" not in page.text and 'href="/dashboard/pulse"' not in page.text
        assert client.get("/dashboard/pulse/sources.csv").status_code == 403
    client.cookies.clear()
    sign_in(client, officers, "director")
    assert 'href="/dashboard/pulse"' in client.get("/dashboard/").text  # in the menu
    assert client.get("/dashboard/pulse/sources.csv").status_code == 200


def test_bad_parameters_are_refused_naming_them(leadership: TestClient) -> None:
    for query, words in (
        ("?days=45", "days must be one of 7, 30, 90, 180, 365"),
        ("?days=ninety", "days must be one of"),
        ("?category=potholes", "category must be a category code"),
        ("?state=Atlantis", "state must be the name of a state"),
        ("?shade=rainbow", "shade must be volume or sentiment"),
    ):
        page = leadership.get("/dashboard/pulse" + query)
        assert page.status_code == 422 and words in page.text, query
        download = leadership.get("/dashboard/pulse/by_state.csv" + query)
        assert download.status_code == 422 and words in download.json()["detail"]
    assert leadership.get("/dashboard/pulse/tickets.csv").status_code == 404
    assert leadership.get("/dashboard/pulse?days=&state=").status_code == 200  # blank: default


def test_an_empty_pulse_renders(leadership: TestClient) -> None:
    page = leadership.get("/dashboard/pulse")
    assert page.status_code == 200
    assert "No public post about MSMEs in this window" in page.text
    assert figures(page.text)["posts"] == "0" and figures(page.text)["net_sentiment"] == "–"
    assert page.text.count("data-state=") == len(STATES)  # the map, all pale
    assert "tile map" in page.text  # says what kind of map it is
    assert "Needs the embedding model" in page.text
    for name in TABLES:
        rows = csv_rows(leadership, name)
        expected = 90 if name == "over_time" else 0  # every day, with no posts
        assert len(rows) - 1 == expected, name
        assert all(r[1] == "0" for r in rows[1:])


# --- hidden handles, in emerging topics ----------------------------------------------------

GST = [
    "GST refunds for textile exporters in Surat are stuck for four months, units cannot pay wages",
    "Surat textile exporters say their GST refund has been pending since June",
    "Textile exporters of Surat still await GST refunds, working capital is exhausted",
    "Delayed GST refund hurts Surat textile exporters, many looms shut",
]
POWER = [
    "Power cuts of eight hours a day stop small foundries in Kolhapur",
    "Kolhapur foundry owners protest daily power cuts that halt production",
    "Small foundries in Kolhapur lose orders as power cuts last all afternoon",
    "Daily power cuts in Kolhapur shut small foundries for hours",
]


@pytest.fixture(scope="module")
def encoder() -> Iterator[Any]:
    from backend.embeddings import get_encoder

    yield get_encoder()


def test_hidden_handles_stay_hidden(
    app: Any,
    leadership: TestClient,
    factory: sessionmaker[Session],
    clock: Clock,
    encoder: Any,
) -> None:
    now = clock.now
    posts = [
        PostRow(
            "X export",
            f"@meena_tex: {text} cc @msme_ministry",
            now - timedelta(hours=i + 1),
            True,
            "finance_credit",
            "Gujarat",
            "negative",
            author="@meena_tex",
            url=f"https://x.com/meena_tex/status/{1000 + i}",
        )
        for i, text in enumerate(GST)
    ] + [
        PostRow(
            "Economic News",
            text,
            now - timedelta(hours=i + 1),
            True,
            "infrastructure_power",
            "Maharashtra",
            "negative",
            author="Ravi Reporter",
            url=f"https://news.example/power/{i}",
        )
        for i, text in enumerate(POWER)
    ]
    store(factory, posts, SOURCES)
    app.state.pulse_topics = EmergingIssues(factory, encoder.encode, recent_posts)

    page = leadership.get("/dashboard/pulse")
    assert page.status_code == 200
    topics = page.text[page.text.index('id="topics"') :]
    assert "Surat" in topics and "Kolhapur" in topics  # both groups stand out
    assert "meena_tex" not in page.text and "msme_ministry" not in page.text
    assert "@…" in topics and "x.com" not in page.text  # the link carries the handle
    assert "Ravi Reporter" in topics and "https://news.example/power/0" in topics
    exported = leadership.get("/dashboard/pulse/emerging_topics.csv").text
    assert "meena_tex" not in exported and "https://news.example/power/" in exported
    rows = list(csv.reader(io.StringIO(exported)))
    assert sorted(int(r[0]) for r in rows[1:]) == [4, 4]

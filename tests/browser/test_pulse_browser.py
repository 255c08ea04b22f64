"""The pulse page in a real browser (Debian's Chromium through Playwright), against the real
backend started as a process (the ``backend`` fixture of ``test_dashboard_browser.py``), with
public posts written straight into its SQLite database by the test fixture of
``tests/support/pulse_rows.py``.

Screenshots of the page (map by volume, then by sentiment, narrowed to a state) are kept in
test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backend.db import make_engine
from routing.states import STATES
from tests.browser.test_dashboard_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    Backend,
    backend,  # noqa: F401 (the fixture)
    file_ticket,
)
from tests.support.pulse_rows import SourceRow, add_sources, generated_posts, store_posts

pytestmark = pytest.mark.browser

SOURCES = [SourceRow("Economic News", "rss"), SourceRow("X export", "x", hide_handles=True)]


def add_posts(database: Path) -> None:
    engine = make_engine(f"sqlite:///{database}")
    with Session(engine) as session, session.begin():
        add_sources(session, SOURCES)
        posts = generated_posts(random.Random(7), 400, datetime.now(UTC), SOURCES, days=120)
        store_posts(session, posts)
    engine.dispose()


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
def test_leadership_reads_the_pulse_in_a_browser(backend: Backend, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    add_posts(tmp_path / "dashboard.db")
    file_ticket(backend)
    file_ticket(backend, state="Gujarat", district="Surat", channel_user_id="77")
    ARTIFACTS.mkdir(exist_ok=True)
    refused_by_csp: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.on(
            "console",
            lambda m: (
                refused_by_csp.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        page.goto(backend.url + "/dashboard/")
        page.get_by_label("Officer token").fill(backend.tokens["director"])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Pulse").click()

        expect(page.locator("h1")).to_contain_text("Pulse of the sector")
        tiles = page.locator("svg.india-map a")
        expect(tiles).to_have_count(len(STATES))
        expect(page.locator("svg.india-map")).to_be_visible()
        expect(page.locator("svg.chart").nth(1)).to_be_visible()  # over time
        assert page.locator("svg.chart rect[fill='#D55E00']").count() > 10  # negative posts
        expect(page.locator("#pulse-summary [data-figure=tickets]")).to_have_text("2")
        assert int(page.locator("#pulse-summary [data-figure=posts]").inner_text()) > 100
        page.screenshot(path=str(ARTIFACTS / "pulse-page.png"), full_page=True)

        # A CSV downloads, and it is the table of states.
        with page.expect_download() as download_info:
            page.locator("#pulse-map a.csv").click()
        download = download_info.value
        assert download.suggested_filename.startswith("pulse-by_state-90d-")
        saved = ARTIFACTS / "pulse-by_state.csv"
        download.save_as(saved)
        rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
        assert rows[0] == ["state", "posts", "negative", "neutral", "positive", "net_sentiment"]
        assert len(rows) > 5

        # The map by net sentiment, then one state followed by clicking its tile.
        page.get_by_label("Map shows").select_option("sentiment")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(
            f"{backend.url}/dashboard/pulse?days=90&category=&state=&shade=sentiment"
        )
        page.locator("svg.india-map a[data-state='Gujarat']").click()
        expect(page.locator("h1")).to_contain_text("Gujarat")
        expect(page.locator("#pulse-filters select[name=state]")).to_have_value("Gujarat")
        expect(page.locator("#pulse-summary [data-figure=tickets]")).to_have_text("1")
        page.screenshot(path=str(ARTIFACTS / "pulse-page-gujarat.png"), full_page=True)
        page.locator("#pulse-map").screenshot(path=str(ARTIFACTS / "pulse-map-sentiment.png"))
        browser.close()
    assert refused_by_csp == []
    assert (ARTIFACTS / "pulse-page.png").stat().st_size > 10_000
    assert (ARTIFACTS / "pulse-page-gujarat.png").stat().st_size > 10_000

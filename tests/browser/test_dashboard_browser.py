"""The officers' dashboard in a real browser (Debian's Chromium through Playwright), against
the real backend started as a process on a free port with a temporary SQLite database.

Screenshots of the queue and the analytics page are kept in test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVICE_TOKEN = "browser-test-service-token"


@dataclass
class Backend:
    url: str
    tokens: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "backend", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dashboard.db'}",
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "LOAD_EMBEDDING_MODEL": "false",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    _run(env, "migrate")
    tokens = {}
    for key, department, role in (
        ("asha", "MSEFC-MH", "officer"),
        ("ravi", "KVIC", "officer"),
        ("director", "MINISTRY-LEADERSHIP", "leadership"),
    ):
        output = _run(
            env, "officer", "add", "--name", key, "--department", department, "--role", role
        )
        tokens[key] = output.strip().splitlines()[-1]
    port = _free_port()
    log = (tmp_path / "backend.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError((tmp_path / "backend.log").read_text())
        time.sleep(0.2)
    try:
        yield Backend(url, tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def file_ticket(backend: Backend, **overrides: str) -> str:
    body = {
        "channel": "telegram",
        "channel_user_id": overrides.pop("channel_user_id", "5550001"),
        "name": "Meena Kumari",
        "mobile": "+91 98765 43210",
        "enterprise_name": overrides.pop("enterprise_name", "Meena Textiles"),
        "state": "Maharashtra",
        "district": "Pune",
        "category": "delayed_payment",
        "description": "A buyer in Mumbai has not paid invoice 113 for 90 days after delivery.",
        **overrides,
    }
    response = httpx.post(
        backend.url + "/api/v1/tickets",
        json=body,
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
def test_officer_works_the_queue_in_a_browser(backend: Backend) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    pune = file_ticket(backend)
    nagpur = file_ticket(
        backend,
        channel_user_id="5550002",
        district="Nagpur",
        enterprise_name="Nagpur Forgings",
        description="A state PSU has held back payment of Rs 4 lakh for six months now.",
    )
    elsewhere = file_ticket(
        backend,
        state="Gujarat",
        district="Surat",
        channel_user_id="77",
        enterprise_name="Surat Weaves",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    refused_by_csp: list[str] = []  # the dashboard's CSP must not refuse its own pages

    def sign_in(page: Page, key: str) -> None:
        page.on(
            "console",
            lambda m: (
                refused_by_csp.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        page.goto(backend.url + "/dashboard/")
        expect(page).to_have_url(f"{backend.url}/dashboard/login?next=/dashboard/")
        page.get_by_label("Officer token").fill(backend.tokens[key])
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("header .who")).to_contain_text(key)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})  # a laptop
        page.on("dialog", lambda dialog: dialog.accept())
        sign_in(page, "asha")
        queue = page.locator("table.queue tbody")
        expect(queue).to_contain_text(pune)
        expect(queue).to_contain_text(nagpur)
        expect(queue).not_to_contain_text(elsewhere)  # another department's ticket

        # Filter: choosing a district's state and a status narrows the list (auto-submits).
        page.get_by_label("Status").select_option("routed")
        expect(page).to_have_url(f"{backend.url}/dashboard/?status=routed&state=&category=")
        page.screenshot(path=str(ARTIFACTS / "dashboard-queue.png"), full_page=True)

        page.get_by_role("link", name=pune).click()
        expect(page.locator("h1")).to_contain_text(pune)
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.get_by_role("status")).to_contain_text("Done: Acknowledge.")
        expect(page.locator("ol.timeline")).to_contain_text("routed → acknowledged")

        page.get_by_label("Reply to the citizen").fill("We have written to the buyer today.")
        page.get_by_role("button", name="Reply to the citizen").click()
        expect(page.get_by_role("status")).to_contain_text("Done: Reply to the citizen.")
        expect(page.locator("ol.timeline li.message")).to_contain_text(
            "We have written to the buyer today."
        )
        expect(page.locator("ol.timeline")).to_contain_text("acknowledged → in_progress")
        page.screenshot(path=str(ARTIFACTS / "dashboard-ticket.png"), full_page=True)

        # The queue filtered by status no longer lists the acknowledged ticket.
        page.goto(backend.url + "/dashboard/?status=in_progress")
        expect(queue).to_contain_text(pune)
        expect(queue).not_to_contain_text(nagpur)

        # An officer of another department cannot open it.
        other = browser.new_context().new_page()
        sign_in(other, "ravi")
        response = other.goto(f"{backend.url}/dashboard/tickets/{pune}")
        assert response is not None and response.status == 403
        expect(other.get_by_role("alert")).to_contain_text("belongs to another department")
        expect(other.locator("body")).not_to_contain_text("Meena Textiles")

        # Leadership: the analytics page with its charts.
        boss = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(boss, "director")
        boss.get_by_role("link", name="Analytics").click()
        expect(boss.locator("ul.cards")).to_contain_text("3")
        expect(boss.locator("svg.chart").first).to_be_visible()
        expect(boss.locator("table.heatmap")).to_contain_text("Gujarat")
        # Heatmap colours come from the style sheet's classes (no inline style under the CSP).
        shaded = boss.locator("table.heatmap td[class^=heat-]").first
        expect(shaded).to_have_css("background-color", re.compile(r"rgba\(0, 114, 178"))
        boss.screenshot(path=str(ARTIFACTS / "dashboard-analytics.png"), full_page=True)
        browser.close()
    assert refused_by_csp == []
    assert (ARTIFACTS / "dashboard-queue.png").stat().st_size > 10_000
    assert (ARTIFACTS / "dashboard-analytics.png").stat().st_size > 10_000

"""The web chat page in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest

from bot.app import create_app
from core.config import Settings
from tests.bot.conftest import SERVICE_TOKEN, make_gateway
from tests.support.fake_twilio import FakeTwilioHttpClient
from tests.support.local_server import LocalServer
from tests.support.rasa_stand_in import RasaStandIn

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def gateway_url(settings: Settings, twilio_http: FakeTwilioHttpClient) -> Iterator[str]:
    app = create_app(settings, gateway=make_gateway(settings, twilio_http), start_telegram=False)
    server = LocalServer(app).start()
    yield server.url
    server.stop()


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
def test_type_see_reply_and_pushed_notification(gateway_url: str, rasa: RasaStandIn) -> None:
    from playwright.sync_api import expect, sync_playwright

    rasa.replies["hello"] = [
        {
            "text": "Namaste! How can I help?",
            "buttons": [{"title": "Check status", "payload": "/check_status"}],
        },
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 390, "height": 780})  # a phone screen
        page.goto(gateway_url + "/")
        page.get_by_label("Your message").fill("hello")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("li.user").last).to_have_text("hello")
        expect(page.locator("li.bot").last).to_contain_text("Namaste! How can I help?")

        page.get_by_role("button", name="Check status").click()
        expect(page.locator("li.bot").last).to_contain_text("echo: /check_status")

        sender = page.evaluate("localStorage.getItem('msme-desk-sender')")
        pushed = httpx.post(
            gateway_url + "/internal/webchat/push",
            json={"channel_user_id": sender, "text": "Grievance MS-7K3Q-9 is resolved."},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        assert pushed.status_code == 201
        expect(page.locator("li.notification")).to_contain_text(
            "Grievance MS-7K3Q-9 is resolved.", timeout=10_000
        )
        browser.close()
    assert rasa.messages() == ["hello", "/check_status"]

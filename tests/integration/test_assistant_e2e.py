"""The assistant end to end: the real backend, the real action server and the real Rasa server
with the trained model. A grievance is filed through Rasa's REST channel, found in the backend
with the service token, and its status asked in the same conversation.

Runs under the app env (.venv/bin/pytest); needs .venv-rasa and a model in models/ (`make
train`), and skips with the reason when either is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import (
    Service,
    action_server_command,
    action_server_env,
    backend_service,
    free_port,
    migrate,
    rasa_ready_url,
    rasa_server,
    rasa_skip_reason,
    rasa_turn,
    running,
)

pytestmark = pytest.mark.integration

TOKEN = "e2e-service-token"
SENDER = "web:e2e-filer"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = rasa_skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("assistant")
    database_url = f"sqlite:///{tmp / 'app.db'}"
    migrate(database_url, tmp)
    backend_port = free_port()
    backend, backend_url = backend_service(database_url, TOKEN, tmp, port=backend_port)
    actions_port, rasa_port = free_port(), free_port()
    actions = Service(
        "actions",
        action_server_command(actions_port),
        {"BACKEND_URL": backend_url, "SERVICE_TOKEN": TOKEN, **action_server_env()},
        tmp,
    )
    rasa = rasa_server(tmp, rasa_port, actions_port)
    with running(backend, actions, rasa):
        backend.start()
        actions.start()
        rasa.start()
        backend.wait(f"{backend_url}/healthz", timeout=60)
        _warm_up(backend_url)
        actions.wait(f"http://127.0.0.1:{actions_port}/health", timeout=120)
        rasa.wait(rasa_ready_url(rasa_port), timeout=240)
        state: dict[str, Any] = {
            "backend": backend_url,
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "database_url": database_url,
            "backend_port": str(backend_port),
            "tmp": str(tmp),
            "_backend": backend,  # a test restarts it; the last one is stopped here
        }
        try:
            yield state
        finally:
            state["_backend"].stop()


def say(assistant: dict[str, Any], text: str, sender: str = SENDER) -> str:
    response = rasa_turn(assistant["rasa"], sender, text, timeout=30)
    response.raise_for_status()
    replies: list[dict[str, Any]] = response.json()
    return "\n".join(reply.get("text", "") for reply in replies)


def test_file_a_grievance_find_it_in_the_backend_and_ask_its_status(
    assistant: dict[str, Any],
) -> None:
    assert "name" in say(assistant, "I want to file a complaint").lower()
    assert "mobile" in say(assistant, "Ramesh Kumar").lower()
    assert "udyam" in say(assistant, "+91 98765-43210").lower()  # asked with the enterprise
    assert "district" in say(assistant, "Shree Ganesh Textiles").lower()
    assert "describe" in say(assistant, "Pune, maharastra").lower()
    summary = say(assistant, "A central PSU has not paid our invoices worth 4 lakh since March")
    assert "Delayed payment" in summary  # the category proposed from the story
    assert "Maharashtra" in summary and "+919876543210" in summary
    assert "It will go to:" in summary

    filed = say(assistant, "/affirm")
    match = re.search(r"MS-[0-9A-Z]{6}-[0-9A-Z]", filed)
    assert match, filed
    number = match.group(0)
    assert "within 3 days" in filed and "within 7 days" in filed

    ticket = httpx.get(
        f"{assistant['backend']}/api/v1/tickets/{number}",
        params={"channel": "web", "channel_user_id": "e2e-filer"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()
    assert ticket["is_owner"] is True
    assert ticket["name"] == "Ramesh Kumar"
    assert ticket["mobile"] == "+919876543210"
    assert ticket["state"] == "Maharashtra" and ticket["district"] == "Pune"
    assert ticket["category"] == "delayed_payment"
    assert ticket["udyam_number"] is None
    assert ticket["language"] == "en"

    status = say(assistant, f"what is the status of {number}")
    assert number in status and "Ticket" in status

    mistyped = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert "mistyped" in say(assistant, f"status of {mistyped}")


def test_hindi_is_answered_in_hindi(assistant: dict[str, Any]) -> None:
    assert "नमस्ते" in say(assistant, "नमस्ते", sender="web:e2e-hindi")
    assert "शिकायत" in say(assistant, "मेरी शिकायतें", sender="web:e2e-hindi")


def test_a_message_no_rule_reads_is_answered_once_then_offered_the_menu(
    assistant: dict[str, Any],
) -> None:
    """Outside any flow, with no ticket awaiting an answer, a message the NLU cannot place
    (nlu_fallback) gets one "please say it differently", then the menu: never a loop."""
    sender = "web:e2e-fallback"
    first = rasa_turn(
        assistant["rasa"], sender, "SBI Kalyanpur branch, sanction 12 August ko mila tha"
    )
    replies = [reply.get("text", "") for reply in first.json()]
    assert len(replies) == 1, replies
    second = rasa_turn(assistant["rasa"], sender, "SBI Kalyanpur branch, 12 August")
    assert len(second.json()) == 1, second.json()
    assert [b["payload"] for b in second.json()[0].get("buttons", [])][:3] == [
        "/file_grievance", "/check_status", "/ask_scheme"
    ]  # fmt: skip


def _tickets_of(assistant: dict[str, Any], user: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{assistant['backend']}/api/v1/tickets",
        params={"channel": "web", "channel_user_id": user},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    return list(response.json()["tickets"])


def _warm_up(backend_url: str) -> None:
    """Until the backend routes: it loads its encoder after /healthz already answers, and
    requests wait behind that load longer than the action server waits for a reply."""
    httpx.post(
        f"{backend_url}/api/v1/route/preview",
        json={"description": "payment pending from a buyer", "category": None, "state": None},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    ).raise_for_status()


def _fill_up_to_summary(assistant: dict[str, Any], sender: str) -> str:
    for text in ["file a complaint", "Sunita Devi", "9876543210", "Devi Foods", "Patna, Bihar"]:
        say(assistant, text, sender)
    return say(assistant, "The bank has not released my sanctioned loan for six months", sender)


def test_scheme_question_mid_form_correction_and_cancel(assistant: dict[str, Any]) -> None:
    sender = "web:e2e-interrupt"
    say(assistant, "I want to file a complaint", sender)
    say(assistant, "Sunita Devi", sender)
    answer = say(assistant, "what is the PMEGP scheme?", sender)
    # The backend's real scheme search (int8 encoder, no-answer guards) found the scheme...
    assert "Employment Generation Programme" in answer
    assert "mobile" in answer.lower()  # ...then the form asks the same question again
    for text in ["98765 43210", "Devi Foods", "Patna, Bihar"]:
        say(assistant, text, sender)
    summary = say(assistant, "The bank has not released my sanctioned loan for six months", sender)
    assert "Bihar" in summary and "Loan / credit" in summary

    corrected = say(assistant, "change the state to Gujarat", sender)
    # Patna is no district of Gujarat: it is asked again before the summary comes back.
    assert "Changed state to Gujarat" in corrected and "district" in corrected.lower()
    assert "State: Gujarat" in say(assistant, "Ahmedabad", sender)

    assert "stop filing" in say(assistant, "cancel", sender).lower()
    assert "Nothing was filed" in say(assistant, "yes", sender)
    assert _tickets_of(assistant, "e2e-interrupt") == []


def test_backend_down_at_submit_then_retry_files_exactly_one_ticket(
    assistant: dict[str, Any],
) -> None:
    sender = "web:e2e-retry"
    assert "Bihar" in _fill_up_to_summary(assistant, sender)
    backend = assistant["_backend"]
    backend.stop()
    try:
        assert "NOT filed" in say(assistant, "/affirm", sender)
    finally:
        restarted, _ = backend_service(
            assistant["database_url"], TOKEN, Path(assistant["tmp"]),
            port=int(assistant["backend_port"]),
        )  # fmt: skip
        restarted.start().wait(f"{assistant['backend']}/healthz", timeout=60)
        assistant["_backend"] = restarted
        _warm_up(assistant["backend"])
    filed = say(assistant, "/retry", sender)
    assert re.search(r"MS-[0-9A-Z]{6}-[0-9A-Z]", filed), filed
    assert len(_tickets_of(assistant, "e2e-retry")) == 1

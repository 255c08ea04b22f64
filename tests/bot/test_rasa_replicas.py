"""Several Rasa servers behind the gateway: a stable server per sender, failover on refusal."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
import respx

from bot.rasa_client import AssistantUnavailable, RasaClient
from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH

ONE, TWO = "http://rasa-1:5005", "http://rasa-2:5005"
SECRET = "s" * 32


def client() -> RasaClient:
    return RasaClient(f"{ONE}, {TWO}/", secret=SECRET)


def test_each_sender_has_a_stable_server_and_senders_spread() -> None:
    rasa = client()
    firsts = Counter(rasa.replicas_for(f"web:user-{i:04d}")[0] for i in range(400))
    assert set(firsts) == {ONE, TWO}
    assert min(firsts.values()) > 150  # roughly even
    for i in range(20):
        sender = f"tg:{1000 + i}"
        assert client().replicas_for(sender) == rasa.replicas_for(sender)  # across restarts
        assert sorted(rasa.replicas_for(sender)) == [ONE, TWO]


@respx.mock
async def test_a_refusing_server_fails_over_and_goes_last_for_a_while() -> None:
    rasa = client()
    sender = next(
        s for s in (f"web:u{i:06d}" for i in range(100)) if rasa.replicas_for(s)[0] == ONE
    )
    first = respx.post(f"{ONE}{WEBHOOK_PATH}").mock(side_effect=httpx.ConnectError("refused"))
    second = respx.post(f"{TWO}{WEBHOOK_PATH}").mock(
        return_value=httpx.Response(200, json=[{"text": "from two"}])
    )
    assert await rasa.send(sender, "hello", {}) == [{"text": "from two"}]
    assert first.call_count == 1 and second.call_count == 1
    # The refusing server is skipped for the next turns instead of costing a connect each time.
    assert rasa.replicas_for(sender) == [TWO, ONE]
    assert await rasa.send(sender, "again", {}) == [{"text": "from two"}]
    assert first.call_count == 1 and second.call_count == 2
    await rasa.close()


@respx.mock
async def test_a_request_that_reached_a_server_is_not_sent_to_another() -> None:
    rasa = client()
    sender = next(
        s for s in (f"web:u{i:06d}" for i in range(100)) if rasa.replicas_for(s)[0] == ONE
    )
    respx.post(f"{ONE}{WEBHOOK_PATH}").mock(side_effect=httpx.ReadTimeout("slow"))
    other = respx.post(f"{TWO}{WEBHOOK_PATH}").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(AssistantUnavailable):
        await rasa.send(sender, "hello", {})
    assert other.call_count == 0  # it may have changed the tracker: the inbox replays it later
    await rasa.close()


@respx.mock
async def test_all_servers_down_is_unavailable_and_one_up_is_up() -> None:
    rasa = client()
    respx.post(url__regex=rf".*{WEBHOOK_PATH}").mock(side_effect=httpx.ConnectError("x"))
    with pytest.raises(AssistantUnavailable):
        await rasa.send("web:someone-1", "hello", {})
    respx.get(f"{ONE}/").mock(side_effect=httpx.ConnectError("down"))
    respx.get(f"{TWO}/").mock(return_value=httpx.Response(200, text="Hello from Rasa"))
    assert await rasa.is_up()
    await rasa.close()


@respx.mock
async def test_every_turn_carries_the_shared_secret() -> None:
    rasa = client()
    turn = respx.post(url__regex=rf".*{WEBHOOK_PATH}").mock(
        return_value=httpx.Response(200, json=[{"text": "hi"}])
    )
    assert await rasa.send("web:someone-2", "hello", {}) == [{"text": "hi"}]
    assert turn.calls.last.request.headers[SECRET_HEADER] == SECRET
    await rasa.close()


@respx.mock
async def test_a_refused_secret_keeps_the_message_for_later() -> None:
    """Rasa answering 401 is a setting to fix, not a reply: the inbox keeps the message."""
    rasa = client()
    respx.post(url__regex=rf".*{WEBHOOK_PATH}").mock(return_value=httpx.Response(401))
    with pytest.raises(AssistantUnavailable, match="shared secret"):
        await rasa.send("web:someone-3", "hello", {})
    await rasa.close()

"""The channel registry (infra/channels.py) is the one list: the API accepts exactly its
channels, and every channel whose user ids are personal data is masked in logs."""

from __future__ import annotations

from typing import get_args

import pytest

from backend.api.schemas import Channel as ApiChannel
from channels.privacy import mask_sender
from infra.channels import CHANNEL_NAMES, CHANNELS, CHAT_CHANNELS, parse_sender, sender_id


def test_the_api_accepts_exactly_the_registered_channels() -> None:
    assert set(get_args(ApiChannel)) == set(CHANNEL_NAMES)


@pytest.mark.parametrize("name", sorted(CHAT_CHANNELS))
def test_a_sender_id_round_trips(name: str) -> None:
    parsed = parse_sender(sender_id(name, "+919812345678"))
    assert parsed is not None and parsed[0].name == name and parsed[1] == "+919812345678"


@pytest.mark.parametrize("name", sorted(CHAT_CHANNELS))
def test_private_user_ids_are_masked_in_logs(name: str) -> None:
    logged = mask_sender(sender_id(name, "+919812345678"))
    assert ("9812345678" in logged) is (not CHANNELS[name].private_user_id)


def test_imports_are_not_chats() -> None:
    assert "cpgrams" in CHANNELS and "cpgrams" not in CHAT_CHANNELS
    with pytest.raises(ValueError):
        sender_id("cpgrams", "x")
    assert parse_sender("x:1") is None and parse_sender("tg:") is None

"""One id per inbound message, from the webhook to Rasa, the actions and the backend.

The id is the webhook request's ``X-Request-ID`` (honoured or made by the backend's
``RequestIdMiddleware``, which the gateway also runs), or a fresh one for updates fetched by
long polling. It is stored with the message (``metadata.request_id``), so a message replayed
after an outage or a restart keeps its id; while the message is processed the id is the
current request id, which puts it on every log line (``RequestIdFilter``) and into the
metadata sent to Rasa (``bot/rasa_client.py``), from where the actions pass it to the
backend as ``X-Request-ID``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from bot.inbox import Inbound
from bot.store import StoredMessage
from core.requestid import current_request_id, new_request_id, usable_request_id

KEY = "request_id"


def with_request_id(inbound: Inbound) -> Inbound:
    """The message with an id to keep: the current request's, or a new one."""
    if usable_request_id(inbound.metadata.get(KEY)):
        return inbound
    request_id = current_request_id.get() or new_request_id()
    return dataclasses.replace(inbound, metadata={**inbound.metadata, KEY: request_id})


def request_id_of(message: StoredMessage) -> str:
    """The id recorded with the message; messages recorded before ids were kept get one
    derived from their row, stable across replays."""
    return usable_request_id(message.metadata.get(KEY)) or f"gw-msg-{message.id}"


@contextmanager
def processing(message: StoredMessage) -> Iterator[str]:
    """Make the message's id the current request id while it is processed."""
    request_id = request_id_of(message)
    token = current_request_id.set(request_id)
    try:
        yield request_id
    finally:
        current_request_id.reset(token)

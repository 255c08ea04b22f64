"""The durable inbox: record first, answer the webhook, process in order per sender.

Every inbound message is written to ``gateway_inbound_messages`` before the webhook is
answered; redeliveries (same ``update_id`` / ``MessageSid``) are dropped by the unique key.
One task per sender takes that sender's pending messages oldest first, so a user's messages
reach the assistant in the order they were typed while different users proceed in parallel.

When the assistant is unavailable the message stays pending, the sender is told once per
outage, and a recovery loop probes the assistant and replays every pending message once it
answers again. Pending messages are replayed at start-up too, so a gateway restart loses
nothing. A channel that cannot send yet (Telegram while its bot is not registered) is paused:
its messages are recorded and queued as always, and processed once it is resumed. A message
that keeps failing for another reason is given up after a few attempts so
that it cannot block its sender forever.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.rasa_client import AssistantUnavailable
from bot.store import GatewayStore, StoredMessage
from channels.privacy import mask_sender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """A message as a channel parsed it, before it is recorded."""

    dedup_key: str  # "tg:<update_id>", "wa:<MessageSid>", "web:<client message id>"
    channel: str
    sender_id: str  # "tg:<chat_id>", "wa:<E.164>", "web:<id>"
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


ProcessMessage = Callable[[StoredMessage], Awaitable[None]]
# Called for every message held back by an outage; ``first`` is True once per outage and
# sender: that is when the user is told (channels that answer synchronously, like the web
# chat, answer every held message).
MessageHeld = Callable[[StoredMessage, bool], Awaitable[None]]
Probe = Callable[[], Awaitable[bool]]


class Inbox:
    def __init__(
        self,
        store: GatewayStore,
        process: ProcessMessage,
        held: MessageHeld,
        probe: Probe,
        *,
        recovery_interval: float = 2.0,
        give_up_after: int = 5,
    ) -> None:
        self._store = store
        self._process = process
        self._held = held
        self._probe = probe
        self._recovery_interval = recovery_interval
        self._give_up_after = give_up_after
        self._workers: dict[str, asyncio.Task[None]] = {}
        # Each sender's recorded, not yet finished messages, oldest first. The database is
        # the durable copy (replayed at start and after outages); keeping the queue in memory
        # spares the normal path a read per message. An id stays in ``_queued`` until its
        # message is done, so a replay from the database never queues it twice.
        self._queues: dict[str, list[StoredMessage]] = {}
        self._queued: set[int] = set()
        # Ids handled (done or given up) lately: a recovery pass that read a message as pending
        # just before its worker finished it must not queue it again.
        self._handled: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._outage = False
        self._held_ids: set[int] = set()  # messages already held in the current outage
        # Senders told of the current outage; their flag is cleared once a message gets
        # through (kept in memory so that the normal path costs no extra write).
        self._told: set[str] = set()
        self._recovery: asyncio.Task[None] | None = None
        self._paused: set[str] = set()  # channels whose messages wait, recorded, for resume()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_outage(self) -> bool:
        return self._outage

    def pause(self, channel: str) -> None:
        """Hold this channel's messages (recorded, not processed): its replies could not be
        sent, and a turn the assistant took whose answer is lost is a message lost."""
        self._paused.add(channel)

    def resume(self, channel: str) -> None:
        """Process what the channel received while paused, in order per sender."""
        self._paused.discard(channel)
        for sender_id, queue in list(self._queues.items()):
            if queue and queue[0].channel == channel:
                self.schedule(sender_id)

    async def start(self) -> None:
        """Replay what was pending before a restart, and watch for recovery."""
        self._told = set(await self._store.call(self._store.senders_told_of_outage))
        await self.resume_pending()
        self._recovery = asyncio.create_task(self._recovery_loop(), name="inbox-recovery")

    async def stop(self) -> None:
        tasks = [*self._workers.values()]
        if self._recovery:
            tasks.append(self._recovery)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._workers.clear()

    async def accept(self, inbound: Inbound) -> int | None:
        """Record the message durably and schedule it; None for a duplicate."""
        message_id = await self._store.record_inbound_async(
            dedup_key=inbound.dedup_key,
            channel=inbound.channel,
            sender_id=inbound.sender_id,
            text=inbound.text,
            metadata=inbound.metadata,
        )
        if message_id is None:
            log.info("duplicate message from %s dropped", mask_sender(inbound.sender_id))
            return None
        self._enqueue(
            StoredMessage(
                id=message_id,
                channel=inbound.channel,
                sender_id=inbound.sender_id,
                text=inbound.text,
                metadata=inbound.metadata,
                attempts=0,
            )
        )
        self.schedule(inbound.sender_id)
        return message_id

    def _enqueue(self, message: StoredMessage) -> None:
        if message.id in self._queued or message.id in self._handled:
            return
        self._queued.add(message.id)
        queue = self._queues.setdefault(message.sender_id, [])
        # Ids grow in the order messages were recorded; a replay racing a webhook may hand
        # them over out of order, so insert in place.
        bisect.insort(queue, message, key=lambda queued: queued.id)

    def _dequeue(self, message: StoredMessage) -> None:
        self._handled[message.id] = None
        while len(self._handled) > 10_000:
            self._handled.popitem(last=False)
        queue = self._queues.get(message.sender_id)
        if queue and queue[0].id == message.id:
            queue.pop(0)
        self._queued.discard(message.id)

    def schedule(self, sender_id: str) -> None:
        """Make sure a worker is draining this sender's pending messages."""
        worker = self._workers.get(sender_id)
        if worker is not None and not worker.done():
            return
        self._idle.clear()
        # A fresh context: the worker outlives the webhook that started it, so it must not
        # carry that request's id onto the log lines of the sender's later messages.
        task = asyncio.create_task(
            self._drain(sender_id), name=f"inbox-{sender_id}", context=contextvars.Context()
        )
        self._workers[sender_id] = task
        task.add_done_callback(functools.partial(self._finished, sender_id))

    def _finished(self, sender_id: str, task: asyncio.Task[None]) -> None:
        if self._workers.get(sender_id) is task:
            del self._workers[sender_id]
            if not self._queues.get(sender_id):
                self._queues.pop(sender_id, None)
        if not self._workers:
            self._idle.set()

    async def resume_pending(self) -> None:
        for sender_id in await self._store.call(self._store.senders_with_pending):
            for message in await self._store.call(self._store.pending_for, sender_id, 1000):
                self._enqueue(message)
            self.schedule(sender_id)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no sender has work in progress (for tests and benchmarks)."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def _drain(self, sender_id: str) -> None:
        try:
            await self._drain_sender(sender_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug must not kill the worker silently; the message stays pending
            log.exception("inbox worker for %s crashed", mask_sender(sender_id))

    async def _drain_sender(self, sender_id: str) -> None:
        queue = self._queues.get(sender_id)
        while queue:
            message = queue[0]
            if message.channel in self._paused:
                return  # resume() schedules this sender again
            if self._outage:
                await self._hold_new(queue)
                return
            try:
                await self._process(message)
            except AssistantUnavailable as error:
                if not self._outage:
                    log.warning("assistant unavailable (%s); holding messages", error)
                self._outage = True
                await self._hold_new(queue)
                return
            except Exception as error:
                log.exception("processing message %s failed", message.id)
                gave_up = await self._store.call(
                    self._store.mark_attempt_failed,
                    message.id,
                    repr(error),
                    self._give_up_after,
                )
                if not gave_up:
                    return  # the recovery loop tries it again later rather than now
                self._dequeue(message)
                continue
            await self._store.mark_done_async(message.id)
            self._dequeue(message)
        if sender_id in self._told:
            self._told.discard(sender_id)
            await self._store.call(self._store.clear_outage_notice, sender_id)

    async def _hold_new(self, queue: list[StoredMessage]) -> None:
        """Hold every queued message not held yet in this outage, including those that
        arrive while the user is being told (their webhook found this worker running)."""
        while True:
            fresh = [message for message in queue if message.id not in self._held_ids]
            if not fresh:
                return
            self._held_ids.update(message.id for message in fresh)
            await self._hold_all(fresh)

    async def _hold_all(self, messages: list[StoredMessage]) -> None:
        sender_id = messages[0].sender_id
        first = await self._store.call(self._store.claim_outage_notice, sender_id)
        self._told.add(sender_id)
        for message in messages:
            try:
                await self._held(message, first)
            except Exception:
                log.exception("could not tell %s of the outage", mask_sender(message.sender_id))
            first = False

    async def _recovery_loop(self) -> None:
        while True:
            await asyncio.sleep(self._recovery_interval)
            try:
                await self._recover_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox recovery pass failed")

    async def _recover_once(self) -> None:
        if self._outage:
            if not await self._probe():
                return
            log.info("assistant is back; replaying held messages")
            self._outage = False
            self._held_ids.clear()
        # Also picks up messages whose processing failed once and is due for another try.
        await self.resume_pending()

"""The Rasa server's runtime pieces: the speed-ups of rasa_runtime/speedups.py and the
memory-first SQL tracker store (rasa_runtime/tracker_store.py), on a real SQLite file."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from rasa_runtime import speedups
from rasa_runtime.tracker_store import MemoryFirstSQLTrackerStore, _Snapshot

ROOT = Path(__file__).resolve().parents[2]


DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def domain() -> Domain:
    return DOMAIN


@pytest.fixture(autouse=True, scope="module")
def _speedups_undone_after() -> Any:
    """The tests below apply the speed-ups; later test modules get Rasa as it ships."""
    yield
    speedups.undo()


def test_undo_puts_rasa_back_and_apply_refuses_another_rasa(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rasa

    original = DialogueStateTracker.applied_events
    speedups.apply()
    assert DialogueStateTracker.applied_events is not original
    speedups.undo()
    assert DialogueStateTracker.applied_events is original
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RuntimeError, match=r"3\.6\.21"):
        speedups.apply()
    assert DialogueStateTracker.applied_events is original


def test_the_sql_tracker_store_pings_pooled_connections() -> None:
    """After PostgreSQL restarts, a dead pooled connection is replaced, not used (Rasa
    would fall back to an empty in-memory tracker for that turn)."""
    import rasa.core.tracker_store as tracker_store

    url = "postgresql://rasa:secret@postgres:5432/rasa"
    assert "pool_pre_ping" not in tracker_store.create_engine_kwargs(url)
    speedups.apply()
    try:
        kwargs = tracker_store.create_engine_kwargs(url)
        assert kwargs["pool_pre_ping"] is True and "pool_size" in kwargs
    finally:
        speedups.undo()
    assert "pool_pre_ping" not in tracker_store.create_engine_kwargs(url)


def test_the_engine_made_after_login_db_pings_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``login_db`` Rasa creates the database and then serves from a new engine made
    without its own settings; that engine pings its pooled connections as well."""
    import rasa.core.tracker_store as tracker_store
    import sqlalchemy

    url = "postgresql://rasa:secret@postgres:5432/rasa"

    def rasa_own(self: Any, db: str, engine_url: Any) -> None:  # what Rasa 3.6.21 ends with
        self.engine = sqlalchemy.create_engine(url)

    monkeypatch.setattr(
        tracker_store.SQLTrackerStore, "_create_database_and_update_engine", rasa_own
    )
    store = type("Store", (), {})()
    speedups.apply()
    try:
        tracker_store.SQLTrackerStore._create_database_and_update_engine(store, "rasa", url)
    finally:
        speedups.undo()
    assert store.engine.pool._pre_ping is True  # type: ignore[attr-defined]
    assert tracker_store.SQLTrackerStore._create_database_and_update_engine is rasa_own


# --- speed-ups --------------------------------------------------------------------------------


def test_action_answers_are_still_validated() -> None:
    speedups.apply()
    action = RemoteAction("validate_grievance_form", None)
    good = {"events": [{"event": "slot", "name": "state", "value": "Gujarat"}], "responses": []}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot"}], "responses": "text"})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


SAMPLE_EVENTS: list[Event] = [
    SlotSet("state", "Gujarat"),
    SlotSet("failed_attempts", 2.0),
    ActiveLoop("grievance_form"),
    ActiveLoop(None),
    FollowupAction("action_listen"),
    BotUttered("Namaste!", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
    UserUttered("hello", {"name": "greet", "confidence": 0.98}, []),
    ActionExecuted("action_listen"),
    SessionStarted(),
    Restarted(),
    AllSlotsReset(),
    ConversationPaused(),
    ConversationResumed(),
    UserUtteranceReverted(),
    ActionReverted(),
    LoopInterrupted(True),
    ActionExecutionRejected("validate_grievance_form"),
    ReminderScheduled("remind", datetime(2026, 11, 26, 10, 0), name="r1"),
    ReminderCancelled(name="r1"),
]


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [event.as_dict() for event in SAMPLE_EVENTS], "responses": [{"text": "hi"}]},
        {"events": [], "responses": []},
        {},
        {"events": [{"event": "slot"}], "responses": []},  # no slot name
        {"events": [{"event": "slot", "name": 5, "value": 1}]},
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"name": "state"}]},  # no event type
        {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "noon"}]},
        {"events": [{"event": "user", "text": 3}]},
        {"events": [{"event": "bot", "text": "hi", "metadata": "x"}]},
        {"events": "SlotSet(state)"},
        {"events": [], "responses": "text"},
        {"events": [{"event": "active_loop", "name": 7}]},
    ],
)
def test_action_answers_are_judged_exactly_as_jsonschema_does(answer: dict[str, Any]) -> None:
    fast = speedups.ActionResponseValidator(RemoteAction.action_response_format_spec())
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        valid = True
    except ValidationError:
        valid = False
    assert (fast.first_error(answer) is None) is valid


def test_event_types_resolve_as_before() -> None:
    speedups.apply()
    speedups.apply()  # idempotent
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet  # the remembered answer
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


# --- the memory-first tracker store -----------------------------------------------------------


def start_session(tracker: DialogueStateTracker) -> None:
    """What Rasa appends when a session starts."""
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


def conversation(sender: str, *texts: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    start_session(tracker)
    for text in texts:
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        tracker.update(SlotSet("district", text))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def rows(db: Path, sender: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        )
        return [name for (name,) in found]


def store(domain: Domain, db: Path, **kwargs: object) -> MemoryFirstSQLTrackerStore:
    return MemoryFirstSQLTrackerStore(domain, dialect="sqlite", db=str(db), **kwargs)


async def test_turns_are_served_from_memory_and_written_behind(
    domain: Domain, tmp_path: Path
) -> None:
    db = tmp_path / "tracker.db"
    first = store(domain, db)
    tracker = conversation("tg:1", "Pune")
    await first.save(tracker)

    again = await first.retrieve("tg:1")
    assert again is not None and again.get_slot("district") == "Pune"
    # The latest session, as Rasa's SQL store reads it back (from `session_started` on).
    assert list(again.events) == list(tracker.events)[1:]

    await first._written()
    assert rows(db, "tg:1") == [event.type_name for event in tracker.events]

    # The next turn appends only its new events.
    again.update(UserUttered("Surat", {"name": "inform", "confidence": 1.0}))
    again.update(SlotSet("district", "Surat"))
    await first.save(again)
    await first._written()
    assert rows(db, "tg:1") == [event.type_name for event in tracker.events] + ["user", "slot"]


async def test_a_restarted_server_continues_from_sqlite(domain: Domain, tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    before = store(domain, db)
    await before.save(conversation("wa:+919876543210", "Pune", "Nashik"))
    await before._written()

    after = store(domain, db)  # a new process: nothing in memory
    tracker = await after.retrieve("wa:+919876543210")
    assert tracker is not None and tracker.get_slot("district") == "Nashik"
    # Rasa's own SQL store reads the same rows: the table is the one it uses.
    plain = await SQLTrackerStore(domain, dialect="sqlite", db=str(db)).retrieve("wa:+919876543210")
    assert plain is not None and list(plain.events) == list(tracker.events)


async def test_evicted_conversations_are_read_back_after_their_writes(
    domain: Domain, tmp_path: Path
) -> None:
    db = tmp_path / "tracker.db"
    small = store(domain, db, max_conversations=1)
    await small.save(conversation("web:a", "Pune"))
    await small.save(conversation("web:b", "Agra"))  # evicts web:a from memory
    assert "web:a" not in small._live

    tracker = await small.retrieve("web:a")  # waits for web:a's queued write, then reads it
    assert tracker is not None and tracker.get_slot("district") == "Pune"


async def test_a_failed_write_is_made_good_by_the_next_save(
    domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "tracker.db"
    flaky = store(domain, db)
    original = MemoryFirstSQLTrackerStore._append_new_events
    failures = {"tg:7": 2}  # its share of the batch, then its own transaction

    def append(
        self: MemoryFirstSQLTrackerStore, session: Any, tracker: DialogueStateTracker, known: Any
    ) -> Any:
        if failures.get(tracker.sender_id, 0) > 0:
            failures[tracker.sender_id] -= 1
            raise OSError("disk full")
        return original(self, session, tracker, known)

    monkeypatch.setattr(MemoryFirstSQLTrackerStore, "_append_new_events", append)
    tracker = conversation("tg:7", "Pune")
    healthy = conversation("tg:8", "Agra")
    await flaky.save(tracker)
    await flaky.save(healthy)
    await flaky._written()
    assert rows(db, "tg:7") == []  # the write failed; the turn still has its tracker
    assert (await flaky.retrieve("tg:7")) is not None
    # The other conversation in the same batch was written all the same.
    assert rows(db, "tg:8") == [event.type_name for event in healthy.events]

    tracker.update(UserUttered("Surat", {"name": "inform", "confidence": 1.0}))
    await flaky.save(tracker)
    await flaky._written()
    assert rows(db, "tg:7") == [event.type_name for event in tracker.events]


async def test_many_quick_saves_land_in_order(domain: Domain, tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    busy = store(domain, db)
    await busy.save(conversation("tg:9"))
    for number in range(30):  # turn after turn as Rasa runs them: retrieve, update, save
        tracker = await busy.retrieve("tg:9")
        assert tracker is not None
        tracker.update(UserUttered(f"message {number}", {"name": "inform", "confidence": 1.0}))
        await busy.save(tracker)
        await asyncio.sleep(0)
    await busy._written()
    with sqlite3.connect(db) as connection:
        texts = [
            text
            for (text,) in connection.execute(
                "SELECT json_extract(data, '$.text') FROM events "
                "WHERE sender_id = 'tg:9' AND type_name = 'user' ORDER BY id"
            )
        ]
    assert texts == [f"message {number}" for number in range(30)]


def counting_table_reads(
    monkeypatch: pytest.MonkeyPatch, tracker_store: MemoryFirstSQLTrackerStore
) -> list[str]:
    """Record each time the store asks the table how many events it holds."""
    asked: list[str] = []
    original = tracker_store._event_query

    def event_query(session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        asked.append(sender_id)
        return original(session, sender_id, fetch_events_from_all_sessions)

    monkeypatch.setattr(tracker_store, "_event_query", event_query)
    return asked


async def test_turns_that_continue_the_table_do_not_count_it_again(
    domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "tracker.db"
    busy = store(domain, db)
    asked = counting_table_reads(monkeypatch, busy)
    await busy.save(conversation("tg:10", "Pune"))
    await busy._written()
    for number in range(5):
        tracker = await busy.retrieve("tg:10")
        assert tracker is not None
        tracker.update(UserUttered(f"message {number}", {"name": "inform", "confidence": 1.0}))
        await busy.save(tracker)
        await busy._written()
    assert asked == ["tg:10"]  # the first write only: the store knew nothing yet
    plain = await SQLTrackerStore(domain, dialect="sqlite", db=str(db)).retrieve("tg:10")
    remembered = await busy.retrieve("tg:10")
    assert plain is not None and remembered is not None
    assert list(plain.events) == list(remembered.events)


async def test_a_new_session_is_written_once_and_counted_from_its_start(
    domain: Domain, tmp_path: Path
) -> None:
    db = tmp_path / "tracker.db"
    first = store(domain, db)
    await first.save(conversation("wa:+919812345678", "Pune"))
    await first._written()
    tracker = await first.retrieve("wa:+919812345678")
    assert tracker is not None
    start_session(tracker)
    tracker.update(UserUttered("Agra", {"name": "inform", "confidence": 1.0}))
    await first.save(tracker)
    later = await first.retrieve("wa:+919812345678")  # the new session only
    assert later is not None and type(later.events[0]) is SessionStarted
    later.update(UserUttered("Surat", {"name": "inform", "confidence": 1.0}))
    await first.save(later)
    await first._written()

    assert rows(db, "wa:+919812345678") == [
        *[event.type_name for event in conversation("x", "Pune").events],
        "action", "session_started", "action", "user", "user",
    ]  # fmt: skip
    # A new process reads what Rasa's own store reads: the latest session, each event once.
    plain = await SQLTrackerStore(domain, dialect="sqlite", db=str(db)).retrieve("wa:+919812345678")
    assert plain is not None
    assert [event.type_name for event in plain.events] == [
        "session_started", "action", "user", "user",
    ]  # fmt: skip


async def test_a_new_session_and_the_next_turn_saved_before_either_is_written(
    domain: Domain, tmp_path: Path
) -> None:
    # Under load the writer may take both trackers at once: the first holds both sessions,
    # the second only the new one. Neither turn's events may be lost.
    db = tmp_path / "tracker.db"
    busy = store(domain, db)
    await busy.save(conversation("tg:12", "Pune"))
    await busy._written()
    with busy._guard:  # hold the writer back until both turns are saved
        tracker = await busy.retrieve("tg:12")
        assert tracker is not None
        start_session(tracker)
        tracker.update(UserUttered("Agra", {"name": "inform", "confidence": 1.0}))
        busy._dirty.setdefault("tg:12", []).append(_Snapshot("tg:12", list(tracker.events)))
        busy._remember(tracker)
        later = await busy.retrieve("tg:12")
        assert later is not None
        later.update(UserUttered("Surat", {"name": "inform", "confidence": 1.0}))
        busy._dirty["tg:12"].append(_Snapshot("tg:12", list(later.events)))
        busy._remember(later)
        busy._queued["tg:12"] = busy._writer.submit(busy._write_waiting)
    await busy._written()
    plain = await SQLTrackerStore(domain, dialect="sqlite", db=str(db)).retrieve("tg:12")
    assert plain is not None
    assert [event.type_name for event in plain.events] == [
        "session_started", "action", "user", "user",
    ]  # fmt: skip
    assert [e.text for e in plain.events if isinstance(e, UserUttered)] == ["Agra", "Surat"]


async def test_a_tracker_that_does_not_continue_the_table_is_counted_again(
    domain: Domain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # E.g. the events replaced through Rasa's HTTP API: the remembered count no longer
    # describes this tracker, so the store asks the table, as Rasa's store always does.
    db = tmp_path / "tracker.db"
    replaced = store(domain, db)
    asked = counting_table_reads(monkeypatch, replaced)
    await replaced.save(conversation("tg:11", "Pune", "Agra"))
    await replaced._written()
    await replaced.save(conversation("tg:11", "Surat", "Nashik", "Indore"))
    await replaced._written()
    assert asked == ["tg:11", "tg:11"]


async def test_action_calls_reuse_one_connection_and_survive_a_restart() -> None:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    speedups.apply()
    peers: list[object] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response({"events": [], "responses": [], "echo": await request.json()})

    async def serve(port: int = 0) -> tuple[web.AppRunner, int]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    runner, port = await serve()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    try:
        answers = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
        assert [answer["echo"]["n"] for answer in answers] == [0, 1, 2]
        assert len(peers) == 3 and len(set(peers)) == 1  # one kept-alive connection

        await runner.cleanup()  # the action server restarts: the kept connection is closed
        runner, _ = await serve(port)
        answer = await endpoint.request(json={"n": 3}, method="post")
        assert answer["echo"]["n"] == 3
    finally:
        await runner.cleanup()


# --- applied events, continued where they left off ----------------------------------------------


def _story_event_lists() -> list[list[Event]]:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    reader = YAMLStoryReader(DOMAIN)
    found = []
    paths = [
        *sorted((ROOT / "nlu").rglob("*.yml")),
        *sorted((ROOT / "tests" / "stories").glob("*")),
    ]
    for path in paths:
        if path.suffix in (".yml", ".yaml"):
            found += [step.events for step in reader.read_from_file(path) if step.events]
    return found


def _random_event_lists(count: int, length: int) -> list[list[Event]]:
    import random

    chooser = random.Random(7)
    loops = ["grievance_form", "reply_form", "feedback_form"]

    def one() -> Event:
        kind = chooser.randrange(12)
        loop = chooser.choice(loops)
        return [
            lambda: UserUttered("x", {"name": "inform", "confidence": 1.0}),
            lambda: ActionExecuted("action_listen"),
            lambda: ActionExecuted(loop),
            lambda: ActionExecuted("action_ask_name"),
            lambda: ActiveLoop(loop),
            lambda: ActiveLoop(None),
            lambda: ActionExecutionRejected(loop),
            lambda: UserUtteranceReverted(),
            lambda: ActionReverted(),
            lambda: SlotSet("district", "Pune"),
            lambda: SessionStarted() if chooser.random() < 0.3 else Restarted(),
            lambda: ActionExecuted(loop),
        ][kind]()

    return [[one() for _ in range(length)] for _ in range(count)]


def test_applied_events_continue_exactly_as_rasa_computes_them() -> None:
    speedups.apply()
    rasa_applied_events = speedups._RASA_APPLIED_EVENTS
    sequences = _story_event_lists() + _random_event_lists(150, 60)
    assert len(sequences) > 150
    compared = 0
    for events in sequences:
        growing = DialogueStateTracker("tg:1", DOMAIN.slots)  # asked after every event
        for event in events:
            growing.update(event)
            ours = growing.applied_events()
            assert [id(e) for e in ours] == [id(e) for e in rasa_applied_events(growing)]
            compared += 1
        # A tracker asked only at the end, and asked twice, answers the same.
        whole = DialogueStateTracker("tg:2", DOMAIN.slots)
        for event in events:
            whole.update(event)
        expected = [id(e) for e in rasa_applied_events(whole)]
        assert [id(e) for e in whole.applied_events()] == expected
        whole.applied_events().clear()  # a caller changing its copy changes nothing
        assert [id(e) for e in whole.applied_events()] == expected
    assert compared > 5000


# --- the saved tracker object, handed to the next turn -------------------------------------------


async def test_the_next_turn_continues_with_the_saved_tracker_object(
    domain: Domain, tmp_path: Path
) -> None:
    live = store(domain, tmp_path / "tracker.db")
    await live.save(conversation("tg:20", "Pune"))  # holds more than the latest session
    first = await live.retrieve("tg:20")  # rebuilt: from `session_started` on
    assert first is not None
    first.update(UserUttered("Agra", {"name": "inform", "confidence": 1.0}))
    await live.save(first)
    assert await live.retrieve("tg:20") is first  # no JSON round trip
    assert await live.retrieve("tg:20") is first


async def test_a_turn_that_failed_is_not_seen_by_the_next_one(
    domain: Domain, tmp_path: Path
) -> None:
    live = store(domain, tmp_path / "tracker.db")
    await live.save(conversation("tg:21", "Pune"))
    tracker = await live.retrieve("tg:21")
    assert tracker is not None
    await live.save(tracker)
    saved = [event.type_name for event in tracker.events]
    held = await live.retrieve("tg:21")
    assert held is tracker
    # The turn appends events, then fails before its save: Rasa would read the saved state.
    held.update(UserUttered("Surat", {"name": "inform", "confidence": 1.0}))
    held.update(SlotSet("district", "Surat"))
    again = await live.retrieve("tg:21")
    assert again is not None and again is not held
    assert [event.type_name for event in again.events] == saved
    assert again.get_slot("district") == "Pune"


async def test_the_writer_writes_the_events_of_the_save_not_later_ones(
    domain: Domain, tmp_path: Path
) -> None:
    db = tmp_path / "tracker.db"
    live = store(domain, db)
    tracker = conversation("tg:22", "Pune")
    # The writer is busy until the next turn has changed the object.
    release = threading.Event()
    live._writer.submit(release.wait, 30)
    await live.save(tracker)
    tracker.update(UserUttered("not saved", {"name": "inform", "confidence": 1.0}))
    release.set()
    await live._written()
    assert rows(db, "tg:22") == [event.type_name for event in tracker.events][:-1]


async def test_a_turn_that_starts_a_new_session_hands_over_only_the_new_session(
    domain: Domain, tmp_path: Path
) -> None:
    live = store(domain, tmp_path / "tracker.db")
    await live.save(conversation("tg:23", "Pune"))
    tracker = await live.retrieve("tg:23")
    assert tracker is not None
    await live.save(tracker)
    start_session(tracker)
    await live.save(tracker)
    later = await live.retrieve("tg:23")
    assert later is not None and later is not tracker
    assert [event.type_name for event in later.events] == ["session_started", "action"]


def test_a_failed_turn_is_answered_503_so_the_gateway_keeps_the_message() -> None:
    """Rasa's REST channel answers a turn that raised (Redis's lock store down) with 200 and
    no message, which the gateway took as done; the gateway channel answers 503 instead, and
    the next turn on the same server is answered as usual."""
    import json
    import urllib.error
    import urllib.request

    from sanic import Sanic

    from rasa_runtime.channels import GatewayInput
    from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH

    secret = "s" * 40

    async def on_new_message(message: Any) -> None:
        if message.text == "fail":
            raise ConnectionError("Error 111 connecting to redis:6379")
        await message.output_channel.send_text_message(message.sender_id, f"ok {message.text}")

    app = Sanic("gateway_channel_test")
    app.blueprint(GatewayInput(secret).blueprint(on_new_message), url_prefix="/webhooks/gateway")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def post(text: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            data=json.dumps({"sender": "tg:1", "message": text}).encode(),
            headers={"Content-Type": "application/json", SECRET_HEADER: secret},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())

    async def scenario() -> list[tuple[int, Any]]:
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        assert server is not None
        await server.startup()
        loop = asyncio.get_running_loop()
        try:
            return [await loop.run_in_executor(None, post, t) for t in ("hi", "fail", "again")]
        finally:
            server.close()

    first, failed, again = asyncio.run(scenario())
    assert first == (200, [{"recipient_id": "tg:1", "text": "ok hi"}])
    assert failed[0] == 503
    assert again == (200, [{"recipient_id": "tg:1", "text": "ok again"}])


def test_a_tripped_circuit_breaker_ends_the_turn_listening() -> None:
    """Rasa counts predicted actions back to the last action_listen: a turn its breaker
    stopped logged none, so every later message tripped it at once and got no answer."""
    from rasa.core.processor import MessageProcessor

    speedups.undo()  # Rasa as it ships first
    processor = object.__new__(MessageProcessor)
    processor.max_number_of_predictions = 10
    tracker = DialogueStateTracker.from_events(
        "web:stuck",
        [
            ActionExecuted("action_listen"),
            UserUttered("zzz", {"name": "nlu_fallback", "confidence": 0.2}),
            *[ActionExecuted("action_fallback") for _ in range(10)],
        ],
    )
    assert processor.is_action_limit_reached(tracker, True)
    tracker.update(UserUttered("hello", {"name": "greet", "confidence": 0.9}))
    assert processor.is_action_limit_reached(tracker, True)  # stuck: Rasa as it ships

    stuck = DialogueStateTracker.from_events("web:stuck", list(tracker.events)[:-1])
    speedups._listen_after_circuit_break(stuck, None, None)
    stuck.update(UserUttered("hello", {"name": "greet", "confidence": 0.9}))
    assert not processor.is_action_limit_reached(stuck, True)

    speedups.apply()
    try:
        # A conversation stuck before: its next message is counted from that message.
        assert not processor.is_action_limit_reached(tracker, True)
        tracker.update(ActionExecuted("action_fallback"))
        assert not processor.is_action_limit_reached(tracker, True)
        for _ in range(9):
            tracker.update(ActionExecuted("action_fallback"))
        assert processor.is_action_limit_reached(tracker, True)  # a loop still stops
        created = object.__new__(MessageProcessor)
        speedups._processor_init(lambda self, *a, **k: setattr(self, "on_circuit_break", None))(
            created
        )
        assert created.on_circuit_break is speedups._listen_after_circuit_break
    finally:
        speedups.undo()


async def test_a_turn_whose_action_server_cannot_be_reached_fails_and_is_not_saved() -> None:
    """Rasa as it ships logs "Bot will continue, but the actions events are lost" and saves
    the turn: the user's answer was read by no action and lost. Now the turn raises (the
    gateway channel answers it 503 and the gateway sends the message again), nothing of it is
    saved, and once the action server answers, the same message is handled once."""
    from aiohttp import web
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    model = ROOT / "models" / "grievance.tar.gz"
    if not model.exists():
        pytest.skip("needs the trained model (make train)")
    speedups.apply()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here yet: the action server is down
    endpoints = AvailableEndpoints(action=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    sender, text = "tg:action-server-down", "I want to file a complaint"

    async def saved_texts() -> list[str]:
        tracker = await agent.tracker_store.retrieve(sender)
        return (
            []
            if tracker is None
            else [e.text for e in tracker.events if isinstance(e, UserUttered)]
        )

    with pytest.raises(speedups.ActionServerUnavailable) as failed:
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
    assert isinstance(failed.value.__cause__, RasaException)
    assert await saved_texts() == []

    ran: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        ran.append((await request.json())["next_action"])
        return web.json_response({"events": [], "responses": [{"text": "back"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        output = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, output, sender))
    finally:
        await runner.cleanup()
    assert ran and any(message.get("text") == "back" for message in output.messages)
    assert await saved_texts() == [text]


def test_only_an_unreachable_action_server_fails_the_turn() -> None:
    import aiohttp
    from rasa.core.actions.action import ActionExecutionRejection

    def raised(cause: BaseException) -> RasaException:
        try:
            try:
                raise cause
            except Exception as error:
                raise RasaException("Failed to execute custom action") from error
        except RasaException as outer:
            return outer

    info: Any = None
    assert speedups._server_unreachable(raised(aiohttp.ClientConnectionError("refused")))
    assert speedups._server_unreachable(asyncio.TimeoutError())
    for status in (502, 503, 504):
        error = aiohttp.ClientResponseError(info, (), status=status)
        assert speedups._server_unreachable(raised(error))
    # The server ran the action and it failed there, or rejected it: the turn goes on, as before.
    assert not speedups._server_unreachable(
        raised(aiohttp.ClientResponseError(info, (), status=500))
    )
    assert not speedups._server_unreachable(ActionExecutionRejection("action_x"))
    assert not speedups._server_unreachable(ValueError("a bad answer"))

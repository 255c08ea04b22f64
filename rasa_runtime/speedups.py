"""Starts Rasa with some of Rasa 3.6's per-turn costs removed and four of its failure modes fixed.

Measured on our 2-core machine with py-spy (docs/PERFORMANCE.md, "Assistant (Rasa)"):

- Every custom action's answer is checked against a JSON schema with ``jsonschema.validate``,
  which first checks *the schema itself* against the 2020-12 meta-schema: 35 ms per action
  call, 62 % of the server's CPU in a form turn. The schema never changes, so we check it once;
  and each event is checked against its own type's part of the schema instead of all 23 of
  them (``ActionResponseValidator``): the answer is still validated, in well under 1 ms.
- Every stored event is turned back into its class by ``Event.resolve_by_type``, which walks
  all subclasses of ``Event`` for each event: 11 % of the CPU. We remember the class per type
  name (falling back to the walk, so events defined later still resolve).
- Every call to the action server opens a new aiohttp session (a new connection) and closes it
  after; each endpoint now keeps one session open (``_KeptSession``).
- Every prediction asks the tracker for its ``applied_events`` (the events that count after
  rewinds and form unhappy paths), which re-walks the whole session, with backward searches
  for each form execution: about 1,000 ``isinstance`` checks per call, four or more calls per
  turn. A tracker now remembers its answer and, when it has only grown since, continues from
  it (``_applied_events``); the result is the same list (tested against Rasa's method).

One change that is not about speed: Rasa's SQL tracker store keeps pooled PostgreSQL
connections without checking them, so after PostgreSQL restarts the next turn fails on a dead
connection and Rasa falls back to an empty in-memory tracker: the conversation so far is lost
for that turn (seen with `make test-containers`, PostgreSQL's container killed). Its engine now
pings a pooled connection before use (``pool_pre_ping``) and reconnects; also the engine Rasa
makes anew, without any of its own engine settings, after creating the database through
``login_db`` (``_create_database_and_update_engine``), which is the one that serves.

And one more: when a turn predicts ``max_number_of_predictions`` actions without listening,
Rasa's circuit breaker stops the turn but logs no ``action_listen``; it counts actions back to
the last one, so from then on every message of that chat trips it at once and gets no answer,
until the session expires (seen with a fallback loop, fixed in ``actions/conversation.py``).
A processor now listens after a tripped breaker (``_listen_after_circuit_break``), and counts
only the actions of the current turn, back to its message (``_is_action_limit_reached``, so a
conversation stuck before this change answers again): a loop still stops, and the next
message is answered.

And a last one: when the action server cannot be reached (down, restarting, timing out),
Rasa logs "Bot will continue, but the actions events are lost", goes on with the turn and
saves it, and the user's answer is lost: a form never reads it (seen with
`make test-containers`, the action server's container killed). Such a turn now fails
(``ActionServerUnavailable``, ``_run_action``): nothing of it is saved, the gateway channel
answers it 503 (``rasa_runtime/channels.py``), and the gateway keeps the message and sends it
again. An action that the server ran and that failed there (HTTP 500, a rejected answer) is
handled as before.

Run it exactly like the ``rasa`` command::

    .venv-rasa/bin/python -m rasa_runtime.speedups run -m models/grievance.tar.gz
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from contextvars import ContextVar
from typing import Any, NamedTuple

import aiohttp
from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

_applied = False
_RASA_APPLIED_EVENTS = DialogueStateTracker.applied_events  # before apply(): for the tests


class ActionResponseValidator:
    """Rasa's action-response schema, checked the same way at a fraction of the cost.

    The schema says: an object whose ``events`` is an array of objects, each valid against
    the common event properties and against exactly one of 23 branches, one per event type,
    told apart by ``event``'s ``const``. ``jsonschema`` tries all 23 branches for every
    event (~2-3 ms per answer); since exactly one branch can match a given ``event``, each
    event is checked against the common part and its own branch only. An event type with no
    branch fails, as ``oneOf`` with no match does. The schema is checked once, here.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)
        items = schema["properties"]["events"]["items"]
        branches = items["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
        if len(set(names)) != len(names):
            raise ValueError("event branches are not told apart by their const")
        common = {key: value for key, value in items.items() if key != "oneOf"}
        outer = json.loads(json.dumps(schema))
        outer["properties"]["events"]["items"] = {}
        self._outer = validator_class(outer)
        self._common = validator_class(common)
        self._branches = {
            name: validator_class(branch) for name, branch in zip(names, branches, strict=True)
        }
        self._whole = validator_class(schema)  # for Rasa's own error text when one fails

    def first_error(self, result: Any) -> ValidationError | None:
        error = best_match(self._outer.iter_errors(result))
        if error is not None:
            return error
        for event in result.get("events") or []:
            error = best_match(self._common.iter_errors(event))
            branch = self._branches.get(event.get("event")) if error is None else None
            if error is None and (branch is None or not branch.is_valid(event)):
                # The full check names the failure as Rasa would have.
                error = best_match(self._whole.iter_errors(result))
            if error is not None:
                return error
        return None


def _validate_action_result(validator: ActionResponseValidator) -> Any:
    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = validator.first_error(result)
        if error is not None:
            # The same message as Rasa's own check, so logs read the same.
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    return validate


def _resolve_by_type() -> Any:
    known: dict[str, type[Event]] = {}
    original = Event.resolve_by_type

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        found = known.get(type_name)
        if found is not None:
            return found
        for cls in all_subclasses(Event):
            if cls.type_name == type_name:
                known[type_name] = cls  # the first match, as the original returns
                return cls
        return original(type_name, default)  # its own answer for "topic" and unknown names

    return staticmethod(resolve_by_type)


class _KeptSession:
    """What ``EndpointConfig.session()`` returns instead of a new ``aiohttp.ClientSession``:
    ``async with`` yields the endpoint's one session, kept open (Rasa 3.6 opens a session, and
    so a TCP connection, for every action call and closes it after)."""

    def __init__(self, endpoint: EndpointConfig) -> None:
        self._endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        kept: aiohttp.ClientSession | None = getattr(self._endpoint, "_kept_session", None)
        loop = asyncio.get_running_loop()
        if kept is None or kept.closed or getattr(kept, "_loop", loop) is not loop:
            kept = _new_session(self._endpoint)
            self._endpoint._kept_session = kept  # type: ignore[attr-defined]
        return kept

    async def __aexit__(self, *_: object) -> None:
        return None  # kept for the next call


_new_session = EndpointConfig.session


class _AppliedSoFar(NamedTuple):
    """A tracker's applied events as last computed, and what they were computed from."""

    size: int  # len(tracker.events) then
    first: Event  # tracker.events[0] then (a bounded history drops events on the left)
    last: Event  # tracker.events[size - 1]
    loop_names: frozenset[str]  # names of every loop activated in those events
    applied: list[Event]  # never handed out itself: callers get a copy


def _applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """``DialogueStateTracker.applied_events`` (Rasa 3.6.21), continued where it left off.

    Rasa's method first collects the names of all loops, then makes one pass over the
    events that depends only on those names and on the list built so far. So when the
    tracker's events have only been appended to since the last call and the new events
    activate no loop of a new name, continuing the pass over the new events gives what a
    pass from the start would. Otherwise it starts from the beginning, as Rasa does.
    """
    events = tracker.events
    count = len(events)
    if count == 0:
        return []
    known: _AppliedSoFar | None = tracker.__dict__.get("_applied_so_far")
    todo: Any = events
    applied: list[Event] = []
    loop_names: frozenset[str] | None = None
    if (
        known is not None
        and known.first is events[0]
        and known.size <= count
        and events[known.size - 1] is known.last
    ):
        new = list(itertools.islice(events, known.size, count))
        if not new:
            return list(known.applied)
        names = {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
        if names <= known.loop_names:
            todo, applied, loop_names = new, list(known.applied), known.loop_names
    if loop_names is None:
        loop_names = frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
    for event in todo:  # the loop of Rasa's applied_events, unchanged
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    tracker.__dict__["_applied_so_far"] = _AppliedSoFar(
        count, events[0], events[-1], loop_names, applied
    )
    return list(applied)


# Each change reads Rasa internals of this release; another release must be re-read and
# re-measured before they are trusted (tests/actions/test_rasa_runtime.py checks each one).
RASA_VERSION = "3.6.21"
_ORIGINALS: dict[tuple[Any, str], Any] = {}


def _create_engine_kwargs(original: Any) -> Any:
    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = original(url)
        kwargs["pool_pre_ping"] = True
        return kwargs

    return create_engine_kwargs


def _update_engine(original: Any) -> Any:
    def create_database_and_update_engine(self: Any, db: str, engine_url: Any) -> None:
        import rasa.core.tracker_store as tracker_store
        import sqlalchemy

        original(self, db, engine_url)
        url = self.engine.url
        if url.get_backend_name() == "postgresql":
            self.engine.dispose()
            self.engine = sqlalchemy.create_engine(
                url,
                **tracker_store.create_engine_kwargs(url),  # type: ignore[attr-defined]
            )

    return create_database_and_update_engine


def _listen_after_circuit_break(tracker: DialogueStateTracker, *_: Any) -> None:
    """Rasa's ``on_circuit_break`` callback: the stopped turn ends listening."""
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))


def _is_action_limit_reached(
    self: MessageProcessor, tracker: DialogueStateTracker, should_predict_another_action: bool
) -> bool:
    """Rasa's check, counting the actions predicted since the turn's message only."""
    predicted = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted):
            if event.action_name in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
                break
            predicted += 1
    return predicted >= self.max_number_of_predictions and should_predict_another_action


def _processor_init(original: Any) -> Any:
    def init(self: MessageProcessor, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.on_circuit_break is None:
            self.on_circuit_break = _listen_after_circuit_break

    return init


class ActionServerUnavailable(RasaException):
    """The action server could not be reached during a turn: the turn fails, unsaved."""


# HTTP statuses of a proxy or server that is not (yet) serving: the action never ran.
_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
# Set by a remote action whose server could not be reached; read by ``_run_action``.
_unreachable: ContextVar[BaseException | None] = ContextVar(
    "action_server_unreachable", default=None
)


def _server_unreachable(error: BaseException) -> bool:
    """Whether ``error`` (what RemoteAction.run raised) says the action server never ran it:
    no connection, a timeout, or a proxy's 502/503/504."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, aiohttp.ClientResponseError):
            return cause.status in _UNAVAILABLE_STATUSES
        if isinstance(cause, (aiohttp.ClientConnectionError, asyncio.TimeoutError)):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _remote_run(original: Any) -> Any:
    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except Exception as error:
            if _server_unreachable(error):
                _unreachable.set(error)
            raise

    return run


def _run_action(original: Any) -> Any:
    async def run_action(self: MessageProcessor, action: Any, *args: Any, **kwargs: Any) -> Any:
        token = _unreachable.set(None)
        try:
            should_predict_another_action = await original(self, action, *args, **kwargs)
            failure = _unreachable.get()
        finally:
            _unreachable.reset(token)
        if failure is not None:
            raise ActionServerUnavailable(
                f"the action server did not run '{action.name()}': the turn is not saved"
            ) from failure
        return should_predict_another_action

    return run_action


def apply() -> None:
    """Install the changes (idempotent); refuses any Rasa but the one they were written for."""
    global _applied
    if _applied:
        return
    import rasa
    import rasa.core.tracker_store as tracker_store

    if rasa.__version__ != RASA_VERSION:
        raise RuntimeError(
            f"rasa_runtime.speedups patches Rasa {RASA_VERSION} internals; this is Rasa "
            f"{rasa.__version__}: re-read each patch against it (or run plain `rasa run`)"
        )
    for owner, name in (
        (RemoteAction, "_validate_action_result"),
        (Event, "resolve_by_type"),
        (EndpointConfig, "session"),
        (DialogueStateTracker, "applied_events"),
        (tracker_store, "create_engine_kwargs"),
        (tracker_store.SQLTrackerStore, "_create_database_and_update_engine"),
        (MessageProcessor, "__init__"),
        (MessageProcessor, "is_action_limit_reached"),
        (MessageProcessor, "_run_action"),
        (RemoteAction, "run"),
    ):
        _ORIGINALS[(owner, name)] = owner.__dict__[name]
    tracker_store.create_engine_kwargs = _create_engine_kwargs(  # type: ignore[attr-defined]
        _ORIGINALS[(tracker_store, "create_engine_kwargs")]
    )
    tracker_store.SQLTrackerStore._create_database_and_update_engine = _update_engine(
        _ORIGINALS[(tracker_store.SQLTrackerStore, "_create_database_and_update_engine")]
    )
    RemoteAction._validate_action_result = _validate_action_result(  # type: ignore[method-assign]
        ActionResponseValidator(RemoteAction.action_response_format_spec())
    )
    Event.resolve_by_type = _resolve_by_type()  # type: ignore[method-assign]
    EndpointConfig.session = lambda self: _KeptSession(self)  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = _applied_events  # type: ignore[method-assign]
    MessageProcessor.__init__ = _processor_init(  # type: ignore[method-assign]
        _ORIGINALS[(MessageProcessor, "__init__")]
    )
    MessageProcessor.is_action_limit_reached = _is_action_limit_reached  # type: ignore[method-assign]
    MessageProcessor._run_action = _run_action(  # type: ignore[method-assign]
        _ORIGINALS[(MessageProcessor, "_run_action")]
    )
    RemoteAction.run = _remote_run(_ORIGINALS[(RemoteAction, "run")])  # type: ignore[method-assign]
    _applied = True


def undo() -> None:
    """Put Rasa back as it was (for tests that must see Rasa's own behaviour afterwards)."""
    global _applied
    for (owner, name), original in _ORIGINALS.items():
        setattr(owner, name, original)
    _ORIGINALS.clear()
    _applied = False


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

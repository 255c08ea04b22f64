"""Starts Rasa with two of Rasa 3.6's per-turn costs removed, and nothing else changed.

Measured on our 2-core machine with py-spy (docs/PERFORMANCE.md, "Assistant (Rasa)"):

- Every custom action's answer is checked against a JSON schema with ``jsonschema.validate``,
  which first checks *the schema itself* against the 2020-12 meta-schema: 35 ms per action
  call, 62 % of the server's CPU in a form turn. The schema never changes, so we check it once
  and keep a compiled validator: the answer is still validated, at ~3 ms.
- Every stored event is turned back into its class by ``Event.resolve_by_type``, which walks
  all subclasses of ``Event`` for each event: 11 % of the CPU. We remember the class per type
  name (falling back to the walk, so events defined later still resolve).

Run it exactly like the ``rasa`` command::

    .venv-rasa/bin/python -m nlu.components.speedups run --enable-api -m models/grievance.tar.gz
"""

from __future__ import annotations

import sys
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_applied = False


def _compiled_action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every action call
    return validator_class(schema)


def _validate_action_result(validator: Any) -> Any:
    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
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


def apply() -> None:
    """Install both changes (idempotent)."""
    global _applied
    if _applied:
        return
    RemoteAction._validate_action_result = _validate_action_result(  # type: ignore[method-assign]
        _compiled_action_response_validator()
    )
    Event.resolve_by_type = _resolve_by_type()  # type: ignore[method-assign]
    _applied = True


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

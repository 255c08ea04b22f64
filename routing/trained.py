"""What the trained readers (``routing/urgency_model.py``, ``pulse/reader.py``) share apart from
their features (``routing/text_features.py``): examples kept as one JSON-lines file per writer,
and a reader fitted once per process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def read_json_lines(path: Path, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    """One writer's file: ``parse`` turns each JSON line into an example and raises
    ValueError, KeyError or TypeError on a bad one; the error raised names the file and line."""
    examples: list[T] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            examples.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from exc
    return examples


def load_writers(data_dir: Path, read: Callable[[Path], list[T]], what: str) -> list[T]:
    """Every writer's examples (``*.jsonl`` of ``data_dir``, in name order)."""
    files = sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no {what} examples in {data_dir}")
    return [example for path in files for example in read(path)]


class FittedOnce(Generic[T]):
    """A reader fitted on first use, once per process, however many threads ask at once."""

    def __init__(self, fit: Callable[[], T]) -> None:
        self._fit = fit
        self._reader: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    self._reader = self._fit()
        return self._reader

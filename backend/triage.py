"""Routing for the service: the pure rules of ``routing`` plus the embedding classifier."""

from __future__ import annotations

import logging
import threading
from typing import Any

from routing.directory import Directory, load_directory
from routing.rules import RouteDecision, route

log = logging.getLogger(__name__)


class Triage:
    """Decides the department of a grievance; the classifier is built once, on first use."""

    def __init__(self, use_classifier: bool = True) -> None:
        self._use_classifier = use_classifier
        self._classifier: Any = None
        self._lock = threading.Lock()
        self.directory: Directory = load_directory()

    def classifier(self) -> Any:
        if not self._use_classifier:
            return None
        if self._classifier is None:
            with self._lock:
                if self._classifier is None:
                    from backend.embeddings import get_encoder
                    from routing.classifier import Classifier

                    self._classifier = Classifier.from_data(get_encoder().encode)
                    log.info("route classifier ready")
        return self._classifier

    def route(self, category: str | None, state: str | None, description: str) -> RouteDecision:
        return route(category, state, description, classifier=self.classifier())

    def sla_for(self, category: str) -> tuple[int, int]:
        return self.directory.sla_for(category)

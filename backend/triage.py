"""Routing for the service: the pure rules of ``routing`` plus the embedding classifier."""

from __future__ import annotations

import functools
import logging
import threading

from infra.memory import release_free_memory
from routing.directory import Directory, load_directory
from routing.rules import CategoryPredictor, RouteDecision, route
from routing.urgency import Urgency, assess
from routing.urgency_model import shipped_reader

log = logging.getLogger(__name__)


class _RememberingPredictor:
    """Remembers recent predictions: the assistant previews a grievance's route and then
    files the same text, so filing need not encode it a second time."""

    def __init__(self, predictor: CategoryPredictor, size: int = 2048) -> None:
        self.predict = functools.lru_cache(maxsize=size)(predictor.predict)


class Triage:
    """Decides the department of a grievance; the classifier is built once, on first use."""

    def __init__(self, use_classifier: bool = True) -> None:
        self._use_classifier = use_classifier
        self._classifier: _RememberingPredictor | None = None
        # A filing after its preview reads the same text again: remember recent answers.
        self._assess = functools.lru_cache(maxsize=2048)(self._assess_uncached)
        self._lock = threading.Lock()
        self.directory: Directory = load_directory()

    @property
    def uses_classifier(self) -> bool:
        """Whether routing may encode the text (CPU work to keep off the event loop)."""
        return self._use_classifier

    def classifier(self) -> CategoryPredictor | None:
        if not self._use_classifier:
            return None
        if self._classifier is None:
            with self._lock:
                if self._classifier is None:
                    from backend.embeddings import get_route_encoder
                    from routing.classifier import Classifier

                    built = Classifier.from_data(get_route_encoder().encode)
                    self._classifier = _RememberingPredictor(built)
                    log.info("route classifier ready")
        return self._classifier

    def warm_up(self) -> None:
        """Load the model, build the classifier and fit the urgency reader now rather than on
        the first request."""
        shipped_reader()
        release_free_memory()  # the reader's fit scratch
        classifier = self.classifier()
        if classifier is not None:
            classifier.predict("warm up the route classifier")

    def route(self, category: str | None, state: str | None, description: str) -> RouteDecision:
        return route(category, state, description, classifier=self.classifier())

    def urgency(self, description: str) -> Urgency:
        """How urgent the grievance is: keyword guards, raised by the trained reader."""
        return self._assess(description)

    def _assess_uncached(self, description: str) -> Urgency:
        return assess(description, shipped_reader())

    def sla_for(self, category: str) -> tuple[int, int]:
        return self.directory.sla_for(category)

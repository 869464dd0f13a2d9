"""The recognition model's output layer rewritten when it is loaded (docs/ocr.md, Speed).

PP-OCR's recogniser ends in `MatMul` over [crops, time steps, 120] × [120, 18,710], a bias `Add` and a
`Softmax` over its 18,710 characters. ONNX Runtime fuses a bias into a matrix product only for 2-D
inputs, so the bias is a pass of its own over the largest tensor of the model, and the `Softmax` two
more. Here the layer becomes one `Gemm` with its bias on [crops × time steps, 120] and gives the
logits: the greedy decoding takes the same argmax from them, and the probability of a chosen character
is computed for the time steps that emit one (`ctc_decode`), a few of the thousands read.

The model is read with the protobuf classes of the `onnx` package's generated `onnx_ml_pb2` module,
loaded on its own: `import onnx` takes about 0.9 CPU s (its `ml_dtypes`), and a worker starts an engine
in each fresh process.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

OUTPUT_OPS = ("MatMul", "Add", "Softmax")
FLOAT, INT64 = 1, 7
"""`TensorProto` element types."""


def load_model(path: str | Path) -> Any | None:
    """The ONNX model at `path` as a `ModelProto`, or None without the `onnx` package."""
    proto = _onnx_proto()
    if proto is None:
        return None
    model = proto.ModelProto()
    model.ParseFromString(Path(path).read_bytes())
    return model


@functools.cache
def _onnx_proto() -> Any | None:
    """The `onnx` package's `onnx_ml_pb2` (protobuf classes only), without importing the package."""
    package = importlib.util.find_spec("onnx")
    folders = package.submodule_search_locations if package is not None else None
    if not folders:
        return None
    spec = importlib.util.spec_from_file_location("xxgk_onnx_ml_pb2", Path(folders[0]) / "onnx_ml_pb2.py")
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logits_model(model: Any) -> Any | None:
    """`model` (an `onnx.ModelProto`, changed in place) with its output layer as one `Gemm` giving the
    logits as [crops × time steps, characters], or None if it does not end as PP-OCR's recogniser does
    (a `MatMul` by a 2-D weight, an `Add` of a 1-D bias, a `Softmax` over the last axis; `Identity`
    nodes between them are passed over)."""
    graph = model.graph
    if len(graph.output) != 1:
        return None
    producers = {out: node for node in graph.node for out in node.output}
    initialisers = {tensor.name: tensor for tensor in graph.initializer}
    chain = _chain(producers, graph.output[0].name)
    if [node.op_type for node in chain] != list(OUTPUT_OPS):
        return None
    matmul, add, softmax = chain
    features, weight = matmul.input
    bias = next((name for name in add.input if name in initialisers), None)
    if weight not in initialisers or bias is None or len(initialisers[weight].dims) != 2:
        return None
    if len(initialisers[bias].dims) != 1 or _softmax_axis(softmax) not in (-1, 2):
        return None
    width, characters = initialisers[weight].dims
    dropped = _between(producers, graph.output[0].name, features)
    kept = [node for node in graph.node if tuple(node.output) not in dropped]
    output = graph.output[0].name
    nodes = [_copy(node) for node in kept]
    del graph.node[:]
    for node in nodes:
        graph.node.add().CopyFrom(node)
    shape = graph.initializer.add(name="xxgk.rows.shape", data_type=INT64, dims=[2], int64_data=[-1, width])
    graph.node.add(op_type="Reshape", name="xxgk.rows", input=[features, shape.name], output=["xxgk.rows"])
    graph.node.add(op_type="Gemm", name="xxgk.logits", input=["xxgk.rows", weight, bias], output=[output])
    del graph.output[:]
    tensor = graph.output.add(name=output).type.tensor_type
    tensor.elem_type = FLOAT
    tensor.shape.dim.add(dim_param="rows")
    tensor.shape.dim.add(dim_value=characters)
    return model


def _copy(message: Any) -> Any:
    copied = type(message)()
    copied.CopyFrom(message)
    return copied


def _chain(producers: dict[str, Any], output: str) -> list[Any]:
    """The nodes from the graph's output back to the `MatMul`, first to last, `Identity` left out."""
    chain: list[Any] = []
    name = output
    while name in producers and len(chain) < len(OUTPUT_OPS):
        node = producers[name]
        if node.op_type != "Identity":
            chain.insert(0, node)
        source = [x for x in node.input if x in producers]
        if node.op_type == "MatMul" or len(source) != 1:
            break
        name = source[0]
    return chain


def _between(producers: dict[str, Any], output: str, features: str) -> set[tuple[str, ...]]:
    """The nodes (by their outputs) from the graph's output back to the node giving `features`, that
    one left out."""
    dropped: set[tuple[str, ...]] = set()
    pending = [output]
    while pending:
        name = pending.pop()
        if name == features or name not in producers:
            continue
        node = producers[name]
        if tuple(node.output) not in dropped:
            dropped.add(tuple(node.output))
            pending.extend(node.input)
    return dropped


def _softmax_axis(node: Any) -> int:
    axes = [a.i for a in node.attribute if a.name == "axis"]
    return int(axes[0]) if axes else 1

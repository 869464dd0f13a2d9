"""The recognition model's output layer rewritten when it is loaded (docs/ocr.md, Speed).

PP-OCR's recogniser ends in `MatMul` over [crops, time steps, 120] × [120, 18,710], a bias `Add` and a
`Softmax` over its 18,710 characters. ONNX Runtime fuses a bias into a matrix product only for 2-D
inputs, so the bias is a pass of its own over the largest tensor of the model, and the `Softmax` two
more. Here the layer becomes one `Gemm` with its bias on [crops × time steps, 120] and gives the
logits: the greedy decoding takes the same argmax from them, and the probability of a chosen character
is computed for the time steps that emit one (`ctc_decode`), a few of the thousands read.
"""

from __future__ import annotations

from typing import Any

OUTPUT_OPS = ("MatMul", "Add", "Softmax")


def logits_model(model: Any) -> Any | None:
    """`model` (an `onnx.ModelProto`, changed in place) with its output layer as one `Gemm` giving the
    logits as [crops × time steps, characters], or None if it does not end as PP-OCR's recogniser does
    (a `MatMul` by a 2-D weight, an `Add` of a 1-D bias, a `Softmax` over the last axis; `Identity`
    nodes between them are passed over)."""
    from onnx import TensorProto, helper, numpy_helper

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
    kept = [node for node in graph.node if id(node) not in dropped]
    output = graph.output[0].name
    shape = numpy_helper.from_array(_int64([-1, width]), "xxgk.rows.shape")
    del graph.node[:]
    graph.node.extend(
        [
            *kept,
            helper.make_node("Reshape", [features, shape.name], ["xxgk.rows"], name="xxgk.rows"),
            helper.make_node("Gemm", ["xxgk.rows", weight, bias], [output], name="xxgk.logits"),
        ]
    )
    graph.initializer.append(shape)
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(output, TensorProto.FLOAT, ["rows", characters]))
    return model


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


def _between(producers: dict[str, Any], output: str, features: str) -> set[int]:
    """The nodes from the graph's output back to (not including) the node giving `features`."""
    dropped: set[int] = set()
    pending = [output]
    while pending:
        name = pending.pop()
        if name == features or name not in producers:
            continue
        node = producers[name]
        if id(node) not in dropped:
            dropped.add(id(node))
            pending.extend(node.input)
    return dropped


def _softmax_axis(node: Any) -> int:
    from onnx import helper

    axes = [helper.get_attribute_value(a) for a in node.attribute if a.name == "axis"]
    return int(axes[0]) if axes else 1


def _int64(values: list[int]) -> Any:
    import numpy as np

    return np.array(values, np.int64)

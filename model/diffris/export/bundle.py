"""Writes a model bundle from a trained checkpoint (the contract in ARCHITECTURE.md).

BUNDLE/
  model.json          name, version, license, task, image, text, output, threshold, onnx, training
  text_encoder.onnx   input_ids int64 [N,77] -> text_features float32 [N,77,D]; not in a
                      `wordpiece` bundle, whose model.json names its pretrained encoder instead
                      (text.encoder: Maven coordinates, the graph's path in that jar, its sha256)
  segmenter.onnx      image float32 [N,3,H,W], text_features [N,L,D] -> mask_logits [N,1,H,W]
                      (+ Deepness-style metadata_props, every value JSON-encoded)
  *.onnx.data         a graph's weights as ONNX external data, when they pass EXTERNAL_DATA_BYTES
                      (protobuf cannot hold 2 GB: the sd15 segmenter has 3.6 GB of them)
  tokenizer/          vocab.json, merges.txt (CLIP format), tokenizer.json (HuggingFace); or
                      vocab.txt (BERT WordPiece) for a checkpoint with a pretrained text encoder
  parity/             index.json + raw little-endian arrays: inputs and PyTorch outputs

A checkpoint trained with a pretrained text encoder (train.py --text-encoder) becomes a
`wordpiece` bundle: the encoder's weights stay in their Maven jar (neither the repository nor the
bundle carries them), its last hidden state [N, L, 384] is the segmenter's text_features input, and
the parity files hold our PyTorch encoder's features, which the runtime's run of the jar's graph
must equal.

Nothing is written in place: the bundle is assembled in a sibling partial folder
(`.BUNDLE.<pid>.<hex>.partial`, see `diffris.partial`) and moved into place at the end, so a
failed or stopped export leaves no half-written bundle, and one killed outright leaves a folder
the next export removes.
"""
import hashlib
import json
import shutil
import tempfile
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .. import stops
from ..nn import SegmenterGraph, TextEncoderGraph, load_checkpoint
from ..nn.model import attention_mask
from ..partial import PartialFolder
from ..text_rules import first_control_character, is_blank
from ..tokenizer import ClipBpeTokenizer, WordPieceTokenizer, write_tokenizer

OPSET = 17
SIZE_MULTIPLE = 32
# Weights past this go beside the graph as external data: under protobuf's 2 GB limit with room
# for the graph itself.
EXTERNAL_DATA_BYTES = 1 << 30
# What the model was trained on, for the runtime's value scaling (its --scale auto) to explain.
RADIOMETRY = ("8-bit sRGB-like display colours, 0-255 per channel, as rendered by model/generate.py;"
              " other encodings are brought to this range by the runtime's value scaling")
RADIOMETRY_REAL = ("8-bit display colours, 0-255 per channel: aerial and satellite RGB photographs "
                   "as published (JPEG, PNG, GeoTIFF) and model/generate.py's renderings; other "
                   "encodings are brought to this range by the runtime's value scaling")
RADIOMETRY_SD15 = ("8-bit RGB, 0-255 per channel, brought to the [-1, 1] the Stable Diffusion VAE "
                   "was trained on (scale 1/255, mean 0.5, std 0.5); other encodings are brought "
                   "to 0-255 by the runtime's value scaling")
PARITY_QUERIES = ("the white storage tanks", "the red vehicle on the left",
                  "the building next to the swimming pool")
# A wordpiece bundle's parity adds a query with what BERT's tokenizer treats specially (case,
# accents, punctuation, a special token typed in the text): the Java tokenizer and the mask the
# runtime feeds the encoder must agree with Python's on it too.
WORDPIECE_PARITY_QUERIES = PARITY_QUERIES + ("Trees [PAD] in the SOUTH-EAST, près de l'eau!",)
PARITY_SEED = 424242
# The inputs the Java runtime feeds a pretrained encoder (DiffrisModel): ids, the tokenizer's
# attention mask and all-zero token types.
ENCODER_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_bundle(checkpoint, out_dir, name="diffris-tiny", version="0.1.0", license="Apache-2.0",
                  weights=None, external_data_bytes=EXTERNAL_DATA_BYTES, store_fp16=False,
                  runtime_memory=None):
    """`weights` replaces an sd15 checkpoint's backbone weights path; graphs whose weights pass
    `external_data_bytes` keep them in `<graph>.data` beside the graph. `store_fp16` stores the
    weights in half precision (half the bundle) and computes in fp32: the bundle is the model
    with its weights rounded to fp16, and its parity outputs are that model's.
    `runtime_memory` is ONNX Runtime's native memory measured for these graphs
    (dev/native-memory/measure.sh prints it, or writes it into a bundle with --write); without it
    model.json has none and the runtime's estimate says the native memory is unknown."""
    out_dir = Path(out_dir)
    check_metadata(name=name, version=version, license=license)
    if runtime_memory is not None:
        runtime_memory = check_runtime_memory(runtime_memory)
    check_output(out_dir, [checkpoint])
    stops.reached("load")
    model, ckpt = load_checkpoint(checkpoint, weights=weights)
    stops.check()
    check_output(out_dir, [ckpt["config"].get("backbone_args", {}).get("weights")])
    if store_fp16:
        round_weights_to_fp16(model)
    encoder = pretrained_encoder(model, ckpt, checkpoint)
    folder = PartialFolder(out_dir)
    try:
        tmp = folder.create()
        if encoder is None:
            vocab = write_tokenizer(tmp / "tokenizer",
                                    [tuple(m) for m in ckpt["tokenizer"]["merges"]])
            if vocab != ckpt["tokenizer"]["vocab"]:
                raise ValueError(
                    f"{checkpoint}: the stored vocabulary does not follow from its merges")
            tokenizer = ClipBpeTokenizer.load(tmp / "tokenizer")
        else:
            tokenizer = encoder["tokenizer"]
            tokenizer.save(tmp / "tokenizer")
        meta = model_json(model, ckpt, tokenizer, name, version, license, encoder)
        meta["onnx"]["weights_stored_as"] = "float16" if store_fp16 else "float32"
        if runtime_memory is not None:
            meta["runtime_memory"] = runtime_memory
        (tmp / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if encoder is None:
            export_onnx(model, tmp, model.backbone.text_dim, ckpt["image"]["size"],
                        external_data_bytes, store_fp16, meta)
        else:
            export_onnx(model, tmp, encoder["width"], ckpt["image"]["size"],
                        external_data_bytes, store_fp16, meta,
                        text_length=tokenizer.max_length, text_encoder=False)
        stops.check()
        write_parity(model, meta, tokenizer, tmp / "parity")
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        folder.commit()
    except BaseException:
        folder.discard()
        raise
    return out_dir


def pretrained_encoder(model, ckpt, checkpoint):
    """None for a model with its own text encoder (exported as text_encoder.onnx); for one with a
    pretrained encoder, what its bundle names it by: model.json's text.encoder (the graph's sha256
    and per-token output read from the jar the model's encoder weights came from), its width and
    the checkpoint's WordPiece tokenizer, checked against the encoder's own vocabulary."""
    key = model.config.get("text_encoder")
    facts = ckpt["tokenizer"]
    if not key:
        if facts.get("kind") == "wordpiece":
            raise ValueError(f"{checkpoint}: a WordPiece tokenizer without a pretrained text "
                             "encoder in its config (text_encoder); not a checkpoint of train.py")
        return None
    from ..nn.bert_text import ENCODERS, read_from_jar, vocabulary

    if facts.get("kind") != "wordpiece":
        raise ValueError(f"{checkpoint}: text encoder {key} needs its WordPiece tokenizer, but "
                         "the checkpoint keeps a CLIP BPE one; not a checkpoint of train.py")
    spec = ENCODERS[key]
    tokens = list(facts["tokens"])
    if tokens != vocabulary(key):
        raise ValueError(f"{checkpoint}: its WordPiece vocabulary ({len(tokens)} tokens) is not "
                         f"that of {spec.name} in {spec.artifact}: it was trained with another "
                         "encoder's tokenizer")
    tokenizer = WordPieceTokenizer(tokens, facts["max_length"])
    if tokenizer.pad_id != model.config["text_pad_id"]:
        raise ValueError(f"{checkpoint}: text_pad_id {model.config['text_pad_id']} is not the "
                         f"vocabulary's [PAD] id {tokenizer.pad_id}")
    graph = read_from_jar(spec.artifact, spec.entry)
    proto = onnx.load_from_string(graph).graph
    width = model.text_encoder.config.width
    inputs = [i.name for i in proto.input]
    if "input_ids" not in inputs or not set(inputs) <= set(ENCODER_INPUTS):
        raise ValueError(f"{spec.artifact}!{spec.entry} takes {inputs}; the runtime feeds "
                         f"{', '.join(ENCODER_INPUTS)} only")
    per_token = [o.name for o in proto.output
                 if len(o.type.tensor_type.shape.dim) == 3
                 and o.type.tensor_type.shape.dim[2].dim_value == width]
    if len(per_token) != 1:
        raise ValueError(f"{spec.artifact}!{spec.entry}: expected one per-token output "
                         f"[N, L, {width}], found {[o.name for o in proto.output]}")
    return {
        "tokenizer": tokenizer, "width": width, "spec": spec, "inputs": inputs,
        "source": {"name": spec.name, "license": spec.license, "artifact": spec.artifact,
                   "entry": spec.entry, "sha256": hashlib.sha256(graph).hexdigest(),
                   "output": per_token[0], "pooling": model.config["text_pooling"] or "none"},
    }


RUNTIME_MEMORY_FIELDS = ("tile", "base_bytes", "bytes_per_batch_item")


def check_runtime_memory(memory):
    """model.json's runtime_memory as the Java runtime reads it: tile a whole number from 1 to
    65536, base_bytes and bytes_per_batch_item whole numbers from 0 (other members are notes)."""
    if not isinstance(memory, dict) or not all(k in memory for k in RUNTIME_MEMORY_FIELDS):
        raise ValueError(f"runtime_memory must be an object with {', '.join(RUNTIME_MEMORY_FIELDS)}"
                         f" (dev/native-memory/measure.sh prints one), got {memory!r}")
    for key, low, high in (("tile", 1, 1 << 16), ("base_bytes", 0, 10 ** 15),
                           ("bytes_per_batch_item", 0, 10 ** 15)):
        value = memory[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"runtime_memory.{key} must be a whole number from {low} to {high},"
                             f" got {value!r}")
    return dict(memory)


def check_metadata(**values):
    """What model.json names the model by (shown by `diffris info`, written into every output's
    metadata) must be one line of visible text: the bundle reader refuses a blank value, and a
    control character would break the lines that show it. ValueError naming the option."""
    for option, value in values.items():
        if not isinstance(value, str) or is_blank(value):
            raise ValueError(f"--{option} {value!r} is blank: give visible text, e.g. "
                             f"{METADATA_EXAMPLES[option]}")
        found = first_control_character(value)
        if found is not None:
            position, ch = found
            raise ValueError(f"--{option} {value!r} holds the invisible or control character "
                             f"U+{ord(ch):04X} ({character_name(ch)}) at position "
                             f"{position}: give it on one line, in visible characters")


def character_name(ch):
    return {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x1b": "escape"}.get(
        ch, unicodedata.name(ch, "not text: a byte that is not UTF-8"
                             if unicodedata.category(ch) == "Cs" else "control character").lower())


METADATA_EXAMPLES = {"name": "diffris-tiny", "version": "0.1.0", "license": "Apache-2.0"}


def check_output(out_dir, inputs):
    """The bundle folder is replaced as a whole: refuse one that is or holds an input, or an
    existing folder that is not a bundle (a typo must not delete a user's folder)."""
    out = out_dir.resolve()
    for given in filter(None, inputs):
        path = Path(given).resolve()
        if path == out or out in path.parents:
            raise ValueError(f"--out {out_dir} holds the input {given}, and a bundle folder is "
                             "replaced as a whole: choose a folder of its own")
    if out_dir.exists() and not (out_dir / "model.json").is_file():
        raise ValueError(f"--out {out_dir} exists and is not a model bundle (no model.json); "
                         "only a bundle is replaced: choose a new folder")


def export_onnx(model, folder, text_dim, size, external_data_bytes=EXTERNAL_DATA_BYTES,
                store_fp16=False, meta=None, text_length=77, text_encoder=True):
    """Traces the graphs and saves them into `folder`, the segmenter with `meta`'s
    metadata_props: each graph is written once (3.6 GB for the full-size segmenter). Without
    `text_encoder` (a pretrained encoder the bundle names) the segmenter alone, taking
    text_features [N, text_length, text_dim]."""
    model.eval()
    ids = torch.zeros((2, text_length), dtype=torch.long)
    image = torch.zeros((2, 3, size, size))
    text = torch.zeros((2, text_length, text_dim))
    # The exporter writes a graph over 2 GB as one file per tensor beside it: each graph goes to
    # a scratch folder of its own first and is saved into the bundle from there.
    scratch = Path(tempfile.mkdtemp(prefix="onnx.", dir=folder))
    try:
        _trace(model, scratch, ids if text_encoder else None, image, text)
        outputs = {"segmenter.onnx": ["N", 1, "H", "W"]}
        if text_encoder:
            outputs = {"text_encoder.onnx": ["N", text_length, text_dim], **outputs}
        for name, shape in outputs.items():
            graph = onnx.load(str(scratch / name / name))
            _declare_output_shape(graph, shape)
            if store_fp16:
                store_weights_as_fp16(graph)
            if meta is not None and name == "segmenter.onnx":
                add_metadata_props(graph, meta)
            save_graph(graph, folder / name, external_data_bytes)
            shutil.rmtree(scratch / name)
            stops.reached("save")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    model.eval()


def _trace(model, scratch, ids, image, text):
    """Traces the segmenter, and the text encoder unless `ids` is None."""
    names = ("segmenter.onnx",) if ids is None else ("text_encoder.onnx", "segmenter.onnx")
    for name in names:
        (scratch / name).mkdir()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python values
        # Wrappers built in eval mode: the exporter restores the wrapper's mode onto the model
        # afterwards, and a training-mode model would add Gumbel noise to the parity outputs.
        if ids is not None:
            torch.onnx.export(TextEncoderGraph(model).eval(), (ids,),
                              str(scratch / "text_encoder.onnx" / "text_encoder.onnx"),
                              input_names=["input_ids"], output_names=["text_features"],
                              dynamic_axes={"input_ids": {0: "N"}, "text_features": {0: "N"}},
                              opset_version=OPSET, do_constant_folding=True)
        segmenter = SegmenterGraph(model).eval()
        if stops.wanted("trace"):  # a test's stop landing inside the tracer
            segmenter.register_forward_pre_hook(lambda *_: stops.reached("trace"))
        torch.onnx.export(segmenter, (image, text),
                          str(scratch / "segmenter.onnx" / "segmenter.onnx"),
                          input_names=["image", "text_features"], output_names=["mask_logits"],
                          dynamic_axes={"image": {0: "N", 2: "H", 3: "W"},
                                        "text_features": {0: "N"},
                                        "mask_logits": {0: "N", 2: "H", 3: "W"}},
                          opset_version=OPSET, do_constant_folding=True)


# Smaller tensors (biases, norms) stay fp32: a Cast each would cost more than it saves.
FP16_MIN_ELEMENTS = 1024


def round_weights_to_fp16(model):
    """The model whose weights are what an fp16-stored bundle holds, computed in fp32."""
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() >= FP16_MIN_ELEMENTS:
                p.copy_(p.half().float())


def store_weights_as_fp16(graph):
    """Stores each large fp32 weight as fp16 and casts it back to fp32 at the start of the graph:
    the inputs, outputs and arithmetic stay fp32, so any runtime (ONNX Runtime's CPU provider
    included, which has few fp16 kernels) runs it; it folds the casts once when it loads it."""
    casts = []
    for tensor in graph.graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT or np.prod(tensor.dims) < FP16_MIN_ELEMENTS:
            continue
        name = tensor.name
        half = numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16),
                                       name + ".fp16")
        tensor.CopyFrom(half)
        casts.append(onnx.helper.make_node("Cast", [name + ".fp16"], [name],
                                           to=onnx.TensorProto.FLOAT, name="Cast_" + name))
    nodes = casts + list(graph.graph.node)  # casts first: the node list is in execution order
    del graph.graph.node[:]
    graph.graph.node.extend(nodes)


def weight_bytes(graph):
    return sum(t.ByteSize() for t in graph.graph.initializer)


def save_graph(graph, path, external_data_bytes=EXTERNAL_DATA_BYTES):
    """Checks and saves a graph; weights past `external_data_bytes` go to `<name>.data` beside
    it (one file, so a bundle stays a handful of files)."""
    path = Path(path)
    data = path.with_name(path.name + ".data")
    data.unlink(missing_ok=True)  # save_model appends to an existing data file
    if weight_bytes(graph) <= external_data_bytes:
        onnx.checker.check_model(graph, full_check=True)
        onnx.save(graph, str(path))
        return
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data.name, size_threshold=1024)
    # The checker reads a graph with external data from its path only.
    onnx.checker.check_model(str(path), full_check=True)


def _declare_output_shape(graph, shape):
    """The exporter leaves inferred names on static output dims; state the contract's shape."""
    dims = graph.graph.output[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, shape):
        if isinstance(value, str):
            dim.dim_param = value
        else:
            dim.dim_value = value


def model_json(model, ckpt, tokenizer, name, version, license, encoder=None):
    """model.json; `encoder` (pretrained_encoder's) makes it a wordpiece bundle's."""
    image = ckpt["image"]
    training = ckpt["training"]
    cfg = model.config
    meta = {
        "name": name,
        "version": version,
        "license": license,
        "task": "referring-segmentation",
        "architecture": {
            "paper": "DiffRIS (arXiv 2506.18946), reference re-implementation",
            "backbone": cfg["backbone"], "adapter": cfg["adapter"],
            "assignment": "hard" if cfg["hard_assignment"] else "soft",
            "decoder_dim": cfg["decoder_dim"], "num_queries": cfg["num_queries"],
            "decoder_conv_blocks": bool(cfg.get("decoder_refine", False)),
            "text_dim": model.backbone.text_dim,
            **_backbone_facts(model.backbone),
        },
        "image": {
            "size": image["size"], "channels": 3,
            "mean": [round(v, 6) for v in image["mean"]],
            "std": [round(v, 6) for v in image["std"]],
            "scale": image["scale"],
            "gsd_m": "none" if image["gsd_m"] is None else image["gsd_m"],
            "band_order": "RGB", "layout": "NCHW",
            "radiometry": RADIOMETRY_SD15 if cfg["backbone"] != "tiny"
            else RADIOMETRY_REAL if "real" in training.get("data_kinds", ()) else RADIOMETRY,
            "normalisation": "x = (pixel * scale - mean[c]) / std[c]",
            "size_multiple": SIZE_MULTIPLE,
            "dynamic_size": True,
            "allowed_sizes": f"H and W any positive multiple of {SIZE_MULTIPLE}; "
                             f"trained at {image['size']}x{image['size']}",
        },
        "text": None if encoder is not None else
        {"tokenizer": "clip-bpe", "max_length": tokenizer.max_length,
         "bos": tokenizer.bos_id, "eos": tokenizer.eos_id, "pad": tokenizer.pad_id,
         "lowercase": True, "files": ["tokenizer/vocab.json", "tokenizer/merges.txt",
                                      "tokenizer/tokenizer.json"]},
        "tiling": {"size": image["size"], "overlap": image["size"] // 4},
        "output": {"stride": 1, "kind": "logits", "activation": "sigmoid",
                   "name": "mask_logits"},
        "threshold": 0.5,
        "threshold_note": "on sigmoid(mask_logits); equivalently logits > 0",
        "onnx": {"opset": OPSET, "text_encoder": "text_encoder.onnx",
                 "segmenter": "segmenter.onnx",
                 "inputs": {"text_encoder": ["input_ids"],
                            "segmenter": ["image", "text_features"]},
                 "outputs": {"text_encoder": ["text_features"],
                             "segmenter": ["mask_logits"]},
                 "dynamic_axes": {"input_ids": ["N"], "image": ["N", "H", "W"],
                                  "text_features": ["N"], "mask_logits": ["N", "H", "W"]},
                 "deterministic": True},
        "source": "model/train.py and model/export.py of this repository",
        "training": _training_facts(cfg, training),
    }
    if encoder is not None:
        _name_the_pretrained_encoder(meta, model, tokenizer, encoder)
    return meta


def _name_the_pretrained_encoder(meta, model, tokenizer, encoder):
    """A wordpiece bundle's model.json: the tokenizer's files and ids, the encoder it names
    instead of carrying, the segmenter alone among the graphs."""
    spec, width = encoder["spec"], encoder["width"]
    meta["architecture"].update({
        "text_encoder": f"{spec.name}, pretrained and frozen ({spec.parameters} parameters, "
                        f"{width}-wide last hidden state), named by text.encoder",
        "text_projection": f"LayerNorm + Linear {width} -> {model.backbone.text_dim}, trained, "
                           "inside the segmenter",
        "text_features_dim": width,
    })
    meta["text"] = {"tokenizer": "wordpiece", "max_length": tokenizer.max_length,
                    # bos/eos are BERT's [CLS] and [SEP]: the ids the runtime checks vocab.txt by.
                    "bos": tokenizer.cls_id, "eos": tokenizer.sep_id, "pad": tokenizer.pad_id,
                    "unk": tokenizer.unk_id, "vocab_size": len(tokenizer.tokens),
                    "lowercase": True, "files": ["tokenizer/vocab.txt"],
                    "encoder": encoder["source"]}
    onnx_section = meta["onnx"]
    del onnx_section["text_encoder"]
    onnx_section["inputs"] = {"segmenter": ["image", "text_features"],
                              "text.encoder": encoder["inputs"]}
    onnx_section["outputs"] = {"segmenter": ["mask_logits"],
                               "text.encoder": [encoder["source"]["output"]]}
    del onnx_section["dynamic_axes"]["input_ids"]
    training = meta["training"]
    if "stage2" in training:
        training["stage2"]["what"] = "text projection + " + training["stage2"]["what"]
    training["text_encoder"] = f"{spec.name} ({spec.license}), frozen, its weights read from " \
                               f"{spec.artifact}!{spec.entry}"


def _backbone_facts(backbone):
    if not getattr(backbone, "external_weights", False):
        return {}
    weights = backbone.weights
    return {"backbone_size": backbone.size, "latent_stride": backbone.latent_stride,
            # The file's name only: where it lay on the training machine says nothing here.
            "backbone_weights": Path(weights).name if weights else "random (untrained)"}


def _training_facts(cfg, training):
    if cfg["backbone"] == "sd15":
        return {
            "data": [Path(d).name for d in training["data"]]
            if isinstance(training["data"], list) else training["data"],
            "split": training["train_split"],
            "backbone": "Stable Diffusion 1.5 VAE encoder + UNet and CLIP ViT-L/14 text encoder, "
                        "published weights, frozen",
            "stage2": {"what": "adapter + decoder + head on the frozen backbone",
                       "steps": training["stage2_steps"], "seconds": training["stage2_seconds"],
                       "batch": training["batch"], "lr": training["lr"]},
        }
    real = "real" in training.get("data_kinds", ())
    return {
        "data": (REAL_DATA + " and the " if real else "") + "synthetic referring-aerial corpus "
                f"(model/generate.py), {training['train_split']} split",
        "stage1": {"what": "backbone pre-training: VAE reconstruction + text-conditioned "
                           "denoising + image-text contrast",
                   "steps": training["stage1_steps"], "seconds": training["stage1_seconds"]},
        "stage2": {"what": stage2_parts(training),
                   "steps": training["stage2_steps"], "seconds": training["stage2_seconds"],
                   "batch": training["batch"], "lr": training["lr"]},
        "note": REAL_NOTE if real else "trained on synthetic scenes only; not a model for real "
                                        "imagery",
    }


def stage2_parts(training):
    """What stage 2 trained, from the checkpoint's training facts (older ones lack the flags)."""
    if not training.get("joint") and not training.get("joint_image_encoder"):
        return "adapter + decoder + head on the frozen backbone"
    return "adapter + decoder + head" + (" + UNet" if training.get("joint") else "") + \
        (" + image encoder" if training.get("joint_image_encoder") else "") + \
        ("; samples turned, mirrored and relit where their words allow"
         if training.get("augment") else "")


REAL_DATA = ("real aerial imagery (model/generate_real.py from ../shared/real-imagery: "
             "OpenAerialMap Dubai land cover, fAIr drone buildings with OpenStreetMap outlines, "
             "NAIP urban trees)")
REAL_NOTE = ("buildings, roads, vegetation, water, bare land and trees learnt from real aerial "
             "imagery; the other categories (cars, ships, airplanes, tanks, pools, courts, ...) "
             "from synthetic scenes only; figures per class and source in docs/model.md")


def add_metadata_props(graph, meta):
    """Deepness-style keys, every value JSON-encoded, on the graph in memory."""
    image = meta["image"]
    props = {
        "model_type": "Segmentor",
        "class_names": {"0": "referred object"},
        "resolution": None if image["gsd_m"] == "none" else round(image["gsd_m"] * 100, 3),
        "tile_size": image["size"],
        "tiles_size": image["size"],
        "tiles_overlap": 25,  # percent, = model.json tiling.overlap / tiling.size
        "standardization_mean": image["mean"],
        "standardization_std": image["std"],
        "seg_thresh": meta["threshold"],
        "diffris_model_json": {"name": meta["name"], "version": meta["version"]},
    }
    if props["resolution"] is None:
        # cm per pixel; left out for a model that runs at each raster's own resolution, as
        # readers take the key to be a number.
        del props["resolution"]
    del graph.metadata_props[:]
    for key, value in props.items():
        entry = graph.metadata_props.add()
        entry.key = key
        entry.value = json.dumps(value)


def parity_queries(tokenizer):
    return WORDPIECE_PARITY_QUERIES if isinstance(tokenizer, WordPieceTokenizer) \
        else PARITY_QUERIES


def parity_inputs(tokenizer, size):
    """Deterministic inputs: the parity queries (three, four for WordPiece), a batch of two
    square tiles from the corpus generator, and one non-square tile (to exercise dynamic H, W)."""
    from ..corpus.dataset import CorpusSpec, build_scene, render_scene
    from ..training.data import to_model_size
    spec = CorpusSpec(seed=PARITY_SEED, split="parity", size=2 * size)
    tiles = []
    for index in range(3):
        scene, _ = build_scene(spec, index)
        rgb = render_scene(spec, index, scene).transpose(2, 0, 1)
        tiles.append(to_model_size(rgb, size).round().clamp(0, 255))
    ids = torch.tensor(tokenizer.encode_batch(parity_queries(tokenizer)), dtype=torch.long)
    square = torch.stack(tiles[:2])
    mosaic = torch.cat([torch.cat([tiles[2], tiles[0]], dim=2),
                        torch.cat([tiles[1], tiles[2]], dim=2)], dim=1)
    wide = mosaic[None, :, : size + SIZE_MULTIPLE, :]          # [1,3,size+32,2*size]
    return ids, square, wide


def write_parity(model, meta, tokenizer, folder):
    """Parity inputs and PyTorch outputs; images are normalised with model.json's own values.
    A wordpiece bundle's text features are those of our PyTorch twin of the encoder it names
    (bert_text.BertTextEncoder), with the inputs the runtime feeds the jar's graph beside them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    image = meta["image"]
    ids, square, wide = parity_inputs(tokenizer, image["size"])
    mean = torch.tensor(image["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(image["std"]).view(1, 3, 1, 1)
    with torch.no_grad():
        text = model.encode_text(ids)
        square_in = (square * image["scale"] - mean) / std
        wide_in = (wide * image["scale"] - mean) / std
        square_out = model(square_in, text[:2])
        wide_out = model(wide_in, text[2:3])
    arrays = {
        "input_ids": ids.numpy().astype("<i8"),
        "text_features": text.numpy().astype("<f4"),
        "image_a": square_in.numpy().astype("<f4"),
        "mask_logits_a": square_out.numpy().astype("<f4"),
        "image_b": wide_in.numpy().astype("<f4"),
        "mask_logits_b": wide_out.numpy().astype("<f4"),
        "pixels_a": square.numpy().astype(np.uint8),
        "pixels_b": wide.numpy().astype(np.uint8),
    }
    encoder = meta["text"].get("encoder")
    text_case = {"graph": "text_encoder.onnx", "inputs": {"input_ids": "input_ids"},
                 "outputs": {"text_features": "text_features"}}
    if encoder is not None:
        arrays["attention_mask"] = attention_mask(ids, meta["text"]["pad"]).numpy().astype("<i8")
        arrays["token_type_ids"] = np.zeros(ids.shape, dtype="<i8")
        # The encoder graph's own output; text_features is it after text.encoder.pooling.
        with torch.no_grad():
            hidden = model.text_encoder(ids, attention_mask(ids, meta["text"]["pad"]))
        arrays["encoder_hidden"] = hidden.numpy().astype("<f4")
        text_case = {"graph": f"text.encoder: {encoder['entry']} from {encoder['artifact']}",
                     "inputs": {k: k for k in meta["onnx"]["inputs"]["text.encoder"]},
                     "outputs": {encoder["output"]: "encoder_hidden"}}
    index = {
        "format": "raw little-endian arrays, C order; dtype and shape below",
        "tolerance": 1e-4,
        "queries": list(parity_queries(tokenizer)),
        "arrays": {k: {"file": f"{k}.bin", "dtype": str(v.dtype.newbyteorder("<")
                                                         if v.dtype.itemsize > 1 else v.dtype),
                       "shape": list(v.shape)} for k, v in arrays.items()},
        "cases": [
            text_case,
            {"graph": "segmenter.onnx", "inputs": {"image": "image_a",
                                                   "text_features": "text_features[0:2]"},
             "outputs": {"mask_logits": "mask_logits_a"}},
            {"graph": "segmenter.onnx", "inputs": {"image": "image_b",
                                                   "text_features": "text_features[2:3]"},
             "outputs": {"mask_logits": "mask_logits_b"}},
        ],
        "notes": "image_* are pixels_* (uint8 RGB, model resolution) normalised as model.json "
                 "says; text_features[a:b] selects rows of the text_features array; "
                 "encoder_hidden (a pretrained encoder) is its graph's output, text_features "
                 "that after text.encoder.pooling",
    }
    for k, v in arrays.items():
        (folder / f"{k}.bin").write_bytes(np.ascontiguousarray(v).tobytes())
        stops.reached("parity")
    (folder / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return arrays


def read_parity(folder):
    """The parity arrays as numpy, by name (for tests and checks)."""
    folder = Path(folder)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    out = {}
    for k, spec in index["arrays"].items():
        data = np.frombuffer((folder / spec["file"]).read_bytes(), dtype=np.dtype(spec["dtype"]))
        out[k] = data.reshape(spec["shape"])
    return index, out

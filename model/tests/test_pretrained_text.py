"""DiffRIS with a pretrained, frozen text encoder (``text_encoder`` in its config): the encoder's
features are the bundle's text features, a learned projection brings them to the backbone's
width, and checkpoints keep everything but the encoder (read from its Maven jar)."""
import json

import pytest
import torch

from diffris.nn import DiffRIS, checkpoint_state, load_state
from diffris.nn.bert_text import ENCODERS, maven_jar, vocabulary
from diffris.tokenizer import WordPieceTokenizer, tokenizer_facts, tokenizer_from_facts

KEY = "all-minilm-l6-v2"


@pytest.fixture(scope="module")
def model():
    try:
        maven_jar(ENCODERS[KEY].artifact)
    except FileNotFoundError as e:
        pytest.skip(str(e).split(":")[0] + " is not downloaded (run the Maven build)")
    torch.manual_seed(0)
    config = {"backbone": "tiny", "backbone_args": {"vocab_size": 50}, "decoder_dim": 32,
              "text_encoder": KEY}
    return DiffRIS(config).eval()


@pytest.fixture(scope="module")
def tokenizer(model):
    return WordPieceTokenizer(vocabulary(KEY), 16)


def test_text_features_are_the_encoders_own_with_padding_masked(model, tokenizer):
    ids, mask = tokenizer.encode_with_mask("the largest building")
    ids, mask = torch.tensor([ids]), torch.tensor([mask])
    with torch.no_grad():
        features = model.encode_text(ids)
        direct = model.text_encoder(ids, mask)
        unmasked = model.text_encoder(ids, torch.ones_like(ids))
    assert features.shape == (1, 16, 384)
    assert torch.equal(features, direct)
    # The padding mask matters: without it the real tokens read the padding.
    n = int(mask.sum())
    assert not torch.allclose(features[:, :n], unmasked[:, :n], atol=1e-3)


def test_the_projection_brings_the_features_to_the_backbones_width(model, tokenizer):
    ids = torch.tensor(tokenizer.encode_batch(["buildings", "water"]))
    image = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(image, model.encode_text(ids))
    assert logits.shape == (2, 1, 64, 64)
    assert model.text_projection[1].out_features == model.backbone.text_dim
    assert model.text_projection in model.trainable_modules()


def test_training_leaves_the_encoder_frozen_and_in_eval_mode(model):
    model.train()
    try:
        assert not model.text_encoder.training
        assert not any(p.requires_grad for p in model.text_encoder.parameters())
    finally:
        model.eval()


def test_a_checkpoint_keeps_everything_but_the_encoder_and_loads_back(model):
    state = checkpoint_state(model)
    assert not any(k.startswith("text_encoder.") for k in state)
    assert any(k.startswith("text_projection.") for k in state)
    assert any(k.startswith("backbone.") for k in state)
    torch.manual_seed(1)
    other = DiffRIS(model.config).eval()
    load_state(other, state, "test")
    for k, v in model.state_dict().items():
        assert torch.equal(v, other.state_dict()[k]), k
    del state["text_projection.1.weight"]
    with pytest.raises(ValueError, match="missing.*text_projection"):
        load_state(other, state, "test")


def test_tokenizer_facts_rebuild_the_same_ids(tokenizer):
    again = tokenizer_from_facts(tokenizer_facts(tokenizer))
    texts = ["Trees in the south-east", "the biggest house", "greenery"]
    assert again.encode_batch(texts) == tokenizer.encode_batch(texts)
    assert again.max_length == 16


def test_train_py_runs_both_stages_with_the_encoder_and_reuses_its_stage_1(model, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import train
    from diffris.nn import load_checkpoint

    root = Path(__file__).resolve().parents[1]
    for split, count in (("train", 24), ("val", 6)):
        subprocess.run([sys.executable, str(root / "generate.py"), "--seed", "3", "--count",
                        str(count), "--split", split, "--out", str(tmp_path / "data")],
                       check=True, capture_output=True)
    common = ["--data", str(tmp_path / "data"), "--text-encoder", KEY, "--text-length", "12",
              "--batch", "4", "--size", "64", "--stage2-steps", "2"]
    assert train.main([*common, "--out", str(tmp_path / "a"), "--stage1-steps", "2"]) == 0
    first, ckpt = load_checkpoint(tmp_path / "a" / "model.pt")
    assert ckpt["tokenizer"]["kind"] == "wordpiece" and ckpt["tokenizer"]["max_length"] == 12
    assert first.backbone.text_encoder is None
    assert not any(k.startswith("text_encoder.") for k in ckpt["model"])
    s1 = torch.load(tmp_path / "a" / "stage1.pt")
    assert set(s1) >= {"backbone", "text_projection"}

    # A second run on that stage 1 starts from its trained projection, not a fresh one.
    assert train.main([*common, "--out", str(tmp_path / "b"), "--lr", "0",
                       "--init-backbone", str(tmp_path / "a" / "stage1.pt")]) == 0
    second, _ = load_checkpoint(tmp_path / "b" / "model.pt")
    for k, v in s1["text_projection"].items():
        assert torch.equal(second.text_projection.state_dict()[k], v), k


def test_a_model_with_the_backbones_own_text_encoder_starts_a_run_with_a_pretrained_one(
        model, small_corpus, tmp_path):
    """--init-model from a model whose text side was the tiny backbone's own encoder (0.6.0's
    kind): everything but its text side carries over; its stage 1 had no projection, so the
    projection starts fresh."""
    import train

    common = ["--data", str(small_corpus), "--batch", "4", "--size", "64", "--stage2-steps", "2"]
    assert train.main([*common, "--out", str(tmp_path / "own"), "--stage1-steps", "2"]) == 0
    own = torch.load(tmp_path / "own" / "model.pt")
    assert not own["config"].get("text_encoder")
    assert any(k.startswith("backbone.text_encoder.") for k in own["model"])

    assert train.main([*common, "--out", str(tmp_path / "b"), "--text-encoder", KEY,
                       "--text-length", "12", "--lr", "0", "--init-backbone",
                       str(tmp_path / "own" / "stage1.pt"), "--init-model",
                       str(tmp_path / "own" / "model.pt")]) == 0
    started = torch.load(tmp_path / "b" / "model.pt")["model"]
    assert not any(k.startswith("backbone.text_encoder.") for k in started)
    kept = [k for k in own["model"] if not k.startswith("backbone.text_encoder.")]
    assert any(k.startswith("decoder.") for k in kept) and any(k.startswith("head.") for k in kept)
    for k in kept:
        assert torch.equal(started[k], own["model"][k]), k
    assert any(k.startswith("text_projection.") for k in started)
    log = (tmp_path / "b" / "train.log").read_text()
    assert "its text side is left out, the projection is stage 1's" in log


def test_train_py_refuses_a_text_encoder_for_sd15(tmp_path, capsys):
    import train

    with pytest.raises(SystemExit) as e:
        train.main(["--data", str(tmp_path), "--out", str(tmp_path / "o"), "--backbone", "sd15",
                    "--weights", str(tmp_path), "--tokenizer", str(tmp_path),
                    "--text-encoder", KEY])
    assert e.value.code == 2


def test_the_mask_is_the_tokenizers_even_for_a_typed_pad_token(model, tokenizer):
    # "[PAD]" written in a query is a token (HuggingFace and the Java tokenizer keep it with a 1
    # in the mask); the padding is what follows [SEP]. The features must be those of that mask.
    ids, mask = tokenizer.encode_with_mask("trees [PAD] near water")
    assert 0 in ids[: sum(mask)]
    ids, mask = torch.tensor([ids]), torch.tensor([mask])
    with torch.no_grad():
        features = model.encode_text(ids)
        direct = model.text_encoder(ids, mask)
        without_it = model.text_encoder(ids, (ids != 0).long())
    assert torch.equal(features, direct)
    assert not torch.allclose(features, without_it, atol=1e-3)


def test_mean_at_cls_pooling_puts_the_sentence_mean_first_and_zeroes_the_padding(model, tokenizer):
    from diffris.nn.model import attention_mask, pool_text

    ids = torch.tensor([tokenizer.encode_with_mask(q)[0] for q in ("rooftops", "buildings",
                                                                     "water", "all the rooftops")])
    mask = attention_mask(ids, tokenizer.pad_id)
    with torch.no_grad():
        hidden = model.text_encoder(ids, mask)
    pooled = pool_text(hidden, mask, "mean-at-cls")
    real = int(mask[3].sum())
    assert torch.allclose(pooled[3, 0], hidden[3, :real].mean(dim=0), atol=1e-6)
    assert torch.equal(pooled[3, 1:real], hidden[3, 1:real])
    assert not pooled[3, real:].any()
    assert pool_text(hidden, mask, None) is hidden
    with pytest.raises(ValueError, match="unknown text pooling 'max'"):
        pool_text(hidden, mask, "max")

    # Why: the sentence mean puts a paraphrase nearer its meaning than [CLS] does
    def closeness(first):
        f = torch.nn.functional.normalize(first, dim=-1)
        return (f[0] @ f[1]).item() - (f[0] @ f[2]).item()  # rooftops~buildings, minus ~water
    assert closeness(pooled[:, 0]) > closeness(hidden[:, 0]), \
        (closeness(pooled[:, 0]), closeness(hidden[:, 0]))


def test_model_json_says_real_imagery_only_when_a_real_corpus_was_trained_on(tmp_path):
    import train
    from diffris.export.bundle import REAL_NOTE, _training_facts

    real = tmp_path / "real"
    real.mkdir()
    (real / "sources_train.tsv").write_text("id\tsource\tclass\n")
    synthetic = tmp_path / "synthetic"
    synthetic.mkdir()
    assert [train.data_kind(d, "train") for d in (real, synthetic)] == ["real", "synthetic"]
    facts = {"train_split": "train", "stage1_steps": 1, "stage1_seconds": 1, "stage2_steps": 1,
             "stage2_seconds": 1, "batch": 1, "lr": 0.001, "joint": False}
    cfg = {"backbone": "tiny"}
    mixed = _training_facts(cfg, {**facts, "data_kinds": ["real", "synthetic"]})
    assert mixed["note"] == REAL_NOTE and mixed["data"].startswith("real aerial imagery")
    # a checkpoint from before data_kinds, or a synthetic-only run, keeps the old warning
    for older in (facts, {**facts, "data_kinds": ["synthetic"]}):
        t = _training_facts(cfg, older)
        assert t["note"].startswith("trained on synthetic scenes only") and "real" not in t["data"]


def test_a_real_trained_bundle_says_it_saw_photographs(tmp_path):
    import test_export_wordpiece as wp
    from diffris.export.bundle import RADIOMETRY, RADIOMETRY_REAL, export_bundle

    try:
        maven_jar(ENCODERS["all-minilm-l6-v2"].artifact)
    except FileNotFoundError as e:
        pytest.skip(str(e).split(":")[0] + " is not downloaded (run the Maven build)")
    ckpt = wp.make_checkpoint(tmp_path / "model.pt")
    c = torch.load(ckpt)
    c["training"]["data_kinds"] = ["real", "synthetic"]
    torch.save(c, ckpt)
    bundle = export_bundle(ckpt, tmp_path / "bundle", name="real-test")
    meta = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    assert meta["image"]["radiometry"] == RADIOMETRY_REAL != RADIOMETRY
    assert meta["training"]["data"].startswith("real aerial imagery")

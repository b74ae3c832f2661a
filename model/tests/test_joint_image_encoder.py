"""`train.py --joint-image-encoder`: stage 2 fine-tunes the image encoder, so its latents are
computed at every step; a model whose encoder was fine-tuned can never be trained on with the
cached latents of stage 1's encoder (they would be another encoder's)."""
import pytest
import torch

import train
from diffris.export.bundle import stage2_parts


@pytest.fixture(scope="module")
def data(small_corpus):
    return small_corpus


def common(data):
    return ["--data", str(data), "--batch", "4", "--size", "64", "--stage2-steps", "2",
            "--decoder-dim", "32"]


def encoder_of(path):
    return {k: v for k, v in torch.load(path)["model"].items()
            if k.startswith("backbone.image_encoder.")}


def test_the_encoder_trains_and_a_run_without_the_flag_refuses_its_weights(data, tmp_path,
                                                                           capsys):
    a = tmp_path / "a"
    assert train.main([*common(data), "--out", str(a), "--stage1-steps", "2", "--lr", "1e-2",
                       "--joint", "--joint-image-encoder"]) == 0
    stage1 = torch.load(a / "stage1.pt")["backbone"]
    tuned = encoder_of(a / "model.pt")
    assert tuned and any(not torch.equal(v, stage1[k.removeprefix("backbone.")])
                         for k, v in tuned.items())
    assert torch.load(a / "model.pt")["training"]["joint_image_encoder"] is True
    # Its latents were computed at every step: none were computed ahead or cached.
    assert not list(a.glob("features*.pt"))
    assert "(latents computed at every step)" in (a / "train.log").read_text()

    # On from those weights with cached latents: refused before any work, naming the flag.
    b = tmp_path / "b"
    init = ["--init-backbone", str(a / "stage1.pt"), "--init-model", str(a / "model.pt")]
    with pytest.raises(SystemExit) as stop:
        train.main([*common(data), "--out", str(b), *init, "--joint"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "image encoder was fine-tuned" in err and "--joint-image-encoder" in err
    assert not b.exists()

    # The same weights with no training facts to say so: the weights themselves are compared
    # once read, and the run stops with the same reason, leaving no folder behind.
    bare = torch.load(a / "model.pt")
    bare["training"].pop("joint_image_encoder")
    torch.save(bare, tmp_path / "bare.pt")
    init_bare = ["--init-backbone", str(a / "stage1.pt"), "--init-model", str(tmp_path / "bare.pt")]
    assert train.main([*common(data), "--out", str(b), *init_bare, "--joint"]) == 2
    assert "image encoder was fine-tuned" in capsys.readouterr().err
    assert not b.exists()

    # With the flag, it trains on (lr 0: the weights it started from are the ones it keeps).
    c = tmp_path / "c"
    assert train.main([*common(data), "--out", str(c), *init, "--lr", "0",
                       "--joint-image-encoder"]) == 0
    for k, v in encoder_of(c / "model.pt").items():
        assert torch.equal(v, tuned[k]), k


def test_a_frozen_encoder_run_from_stage_1_weights_is_not_refused(data, tmp_path):
    a = tmp_path / "a"
    assert train.main([*common(data), "--out", str(a), "--stage1-steps", "2", "--joint"]) == 0
    assert (a / "features.pt").is_file()  # a frozen encoder's latents are cached for reuse
    b = tmp_path / "b"
    assert train.main([*common(data), "--out", str(b), "--init-backbone",
                       str(a / "stage1.pt"), "--init-model", str(a / "model.pt")]) == 0


def test_the_model_card_names_what_stage_2_trained():
    assert stage2_parts({"joint": False}) == "adapter + decoder + head on the frozen backbone"
    assert stage2_parts({"joint": True}) == "adapter + decoder + head + UNet"
    assert stage2_parts({"joint": True, "joint_image_encoder": True}) == \
        "adapter + decoder + head + UNet + image encoder"


@pytest.mark.parametrize("option,named", [("--init-model", "model.pt"),
                                          ("--init-backbone", "stage1.pt")])
def test_a_missing_or_unreadable_start_is_refused_before_any_work(data, tmp_path, capsys, option,
                                                                   named):
    with pytest.raises(SystemExit) as stop:
        train.main([*common(data), "--out", str(tmp_path / "a"), option,
                    str(tmp_path / "nowhere.pt")])
    assert stop.value.code == 2
    assert f"nowhere.pt is not a file: give a run's {named}" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_a_file_that_is_not_a_checkpoint_is_refused_before_any_work(data, tmp_path, capsys):
    (tmp_path / "text.pt").write_text("not a checkpoint")
    with pytest.raises(SystemExit):
        train.main([*common(data), "--out", str(tmp_path / "a"), "--init-model",
                    str(tmp_path / "text.pt")])
    assert "text.pt: not a train.py checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_a_run_resumed_with_other_trained_parts_is_refused_before_any_work(data, tmp_path,
                                                                           capsys):
    a = tmp_path / "a"
    assert train.main([*common(data), "--out", str(a), "--stage1-steps", "2", "--joint"]) == 0
    # A run stopped between checkpoints: its last.pt, no model.pt yet.
    ck = torch.load(a / "model.pt")
    ck.update(step=1, elapsed=0.0, optimizer={})
    torch.save(ck, a / "last.pt")
    (a / "model.pt").unlink()
    with pytest.raises(SystemExit) as stop:
        train.main([*common(data), "--out", str(a), "--resume", "--joint",
                    "--joint-image-encoder"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "last.pt was started with --joint; resume it with the same (asked: --joint " \
           "--joint-image-encoder)" in err
    assert not (a / "model.pt").exists()

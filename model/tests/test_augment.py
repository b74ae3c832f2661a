"""Stage-2 augmentation: image and mask move together, and no expression is made false."""
import pytest
import torch

import train
from diffris.export.bundle import stage2_parts
from diffris.training.augment import Augmentation, may_relight, may_turn, square_symmetry

ALL_TYPES = ["category", "plural", "size", "absent", "colour", "colour_plural", "position",
             "relation", "region"]


def batch(n, size=8, seed=0):
    """Images whose red channel is the mask, so any turn shows in both or neither."""
    g = torch.Generator().manual_seed(seed)
    masks = torch.randint(0, 256, (n, 1, size, size), generator=g, dtype=torch.uint8)
    images = torch.randint(0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
    images[:, :1] = masks
    return images, masks


def symmetries(x):
    return [square_symmetry(x, k, m) for k in range(4) for m in (False, True)]


def test_the_eight_symmetries_are_distinct_and_a_group():
    x = torch.arange(16.0).view(1, 4, 4)
    seen = symmetries(x)
    assert len({tuple(s.flatten().tolist()) for s in seen}) == 8
    # Any symmetry of a symmetry is again one of the eight.
    for s in seen:
        for t in symmetries(s):
            assert any(torch.equal(t, u) for u in seen)


def test_which_expressions_allow_which_change():
    assert may_turn(ALL_TYPES).tolist() == [True] * 6 + [False] * 3
    assert may_relight(ALL_TYPES).tolist() == [True] * 4 + [False, False] + [True] * 3


def test_image_and_mask_turn_together_and_every_symmetry_is_drawn():
    images, masks = batch(256)
    types = ["category"] * 256
    out_images, out_masks = Augmentation(0, 0, 0).apply(
        images, masks, may_turn(types), may_relight(types), torch.Generator().manual_seed(1))
    assert out_masks.dtype == masks.dtype and out_images.dtype == torch.float32
    drawn = set()
    for i in range(256):
        options = symmetries(masks[i])
        match = [k for k, s in enumerate(options) if torch.equal(s, out_masks[i])]
        assert match, i
        drawn.add(match[0])
        # The image went through the very same symmetry (no light change asked).
        assert torch.equal(out_images[i], symmetries(images[i].float())[match[0]])
    assert drawn == set(range(8))


def test_places_and_directions_are_never_turned_and_colours_never_relit():
    images, masks = batch(64)
    types = ["position", "relation", "region", "colour"] * 16
    out_images, out_masks = Augmentation().apply(
        images, masks, may_turn(types), may_relight(types), torch.Generator().manual_seed(2))
    for i, kind in enumerate(types):
        if kind != "colour":
            assert torch.equal(out_masks[i], masks[i]), kind
            assert not torch.equal(out_images[i], images[i].float())
        else:
            match = [s for s in symmetries(images[i].float()) if torch.equal(s, out_images[i])]
            assert match, "a colour expression's image may turn but must keep its light"


def test_light_changes_stay_in_range_and_leave_masks_alone():
    images, masks = batch(128, seed=3)
    types = ["region"] * 128  # never turned, always relit
    out_images, out_masks = Augmentation(0.5, 0.5, 0.5).apply(
        images, masks, may_turn(types), may_relight(types), torch.Generator().manual_seed(4))
    assert torch.equal(out_masks, masks)
    assert out_images.min() >= 0 and out_images.max() <= 255
    changed = (out_images - images.float()).abs().flatten(1).max(1).values
    assert (changed > 1).all()
    # Brightness alone scales every pixel by one factor per image within the asked range.
    flat = torch.full((8, 3, 4, 4), 100, dtype=torch.uint8)
    lit, _ = Augmentation(0.2, 0, 0).apply(flat, torch.zeros(8, 1, 4, 4), may_turn(["region"] * 8),
                                           may_relight(["region"] * 8),
                                           torch.Generator().manual_seed(5))
    per_image = lit.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image))
    assert ((per_image[:, 0] >= 80 - 1e-4) & (per_image[:, 0] <= 120 + 1e-4)).all()
    assert per_image[:, 0].std() > 1


def test_the_same_generator_seed_gives_the_same_batch():
    images, masks = batch(32)
    types = ALL_TYPES * 3 + ["plural"] * 5
    runs = [Augmentation().apply(images, masks, may_turn(types), may_relight(types),
                                 torch.Generator().manual_seed(7)) for _ in range(2)]
    assert torch.equal(runs[0][0], runs[1][0]) and torch.equal(runs[0][1], runs[1][1])


@pytest.mark.parametrize("name", ["brightness", "contrast", "saturation"])
def test_a_factor_out_of_range_is_refused(name):
    with pytest.raises(ValueError, match=f"{name} 1.0 is out of range"):
        Augmentation(**{name: 1.0})


def test_train_py_augments_only_with_latents_computed_every_step(small_corpus, tmp_path,
                                                                  capsys):
    common = ["--data", str(small_corpus), "--batch", "4", "--size", "64", "--stage1-steps", "2",
              "--stage2-steps", "2", "--decoder-dim", "32", "--augment"]
    with pytest.raises(SystemExit) as stop:
        train.main([*common, "--out", str(tmp_path / "a"), "--joint"])
    assert stop.value.code == 2
    assert "--augment needs --joint-image-encoder" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()

    assert train.main([*common, "--out", str(tmp_path / "b"), "--joint-image-encoder"]) == 0
    log = (tmp_path / "b" / "train.log").read_text()
    assert "stage2: augmenting: " in log and " of 16 samples may be turned and mirrored, " in log
    training = torch.load(tmp_path / "b" / "model.pt")["training"]
    assert training["augment"] is True
    assert stage2_parts(training) == ("adapter + decoder + head + image encoder; samples turned, "
                                      "mirrored and relit where their words allow")

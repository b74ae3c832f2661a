"""The `sd15` backbone in plain PyTorch: DiffRIS on it at the reduced size (strides, gradients
into the adapter only, checkpoints without the backbone) and the full size's structure on the
meta device."""
import pytest
import torch

from diffris.nn import DiffRIS, checkpoint_state, count_parameters
from diffris.nn.sd15 import Sd15Backbone, Sd15Config

REDUCED = {"backbone": "sd15", "backbone_args": {"size": "reduced", "vocab_size": 300}}


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = DiffRIS(REDUCED)
    m.backbone.freeze()
    return m


def inputs(n=2, h=64, w=96):
    g = torch.Generator().manual_seed(1)
    return torch.rand(n, 3, h, w, generator=g) * 2 - 1, torch.randint(0, 300, (n, 77), generator=g)


def test_reduced_backbone_gives_the_decoder_strides_4_to_32(model):
    image, ids = inputs()
    b = model.backbone
    assert b.latent_stride == 8
    text = b.encode_text(ids)
    assert text.shape == (2, 77, b.text_dim)
    latent = b.encode_image(image)
    assert latent.shape == (2, 4, 8, 12)
    features = b.unet_features(latent, text)
    for f, stride, channels in zip(features, (4, 8, 16, 32), b.feature_channels):
        assert f.shape == (2, channels, 64 // stride, 96 // stride)
    logits = model(image, text)
    assert logits.shape == (2, 1, 64, 96) and torch.isfinite(logits).all()


def test_gradients_reach_the_adapter_through_the_frozen_unet_and_stop_there(model):
    image, ids = inputs()
    with torch.no_grad():
        text = model.encode_text(ids)
        latent = model.backbone.encode_image(image)
    model.train()
    logits, _ = model.segment_latent(latent, text, image)
    logits.mean().backward()
    adapter_grads = [p.grad for p in model.adapter.parameters() if p.grad is not None]
    assert adapter_grads and any(g.abs().sum() > 0 for g in adapter_grads)
    assert all(p.grad is None for p in model.backbone.parameters())
    assert not model.backbone.training  # frozen: stays in eval mode under model.train()
    model.zero_grad(set_to_none=True)
    model.eval()


def test_a_checkpoint_keeps_the_trained_parts_only(model):
    state = checkpoint_state(model)
    assert state and not any(k.startswith("backbone.") for k in state)
    trained = sum(count_parameters(m) for m in model.trainable_modules())
    assert sum(v.numel() for v in state.values()) >= trained


def test_random_backbones_are_reproducible_from_their_seed_and_leave_the_global_rng_alone():
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    a = Sd15Backbone("reduced", seed=3)
    after = torch.rand(1)
    b = Sd15Backbone("reduced", seed=3)
    c = Sd15Backbone("reduced", seed=4)
    assert torch.equal(before, after)
    key = "unet.conv_in.weight"
    assert torch.equal(a.state_dict()[key], b.state_dict()[key])
    assert not torch.equal(a.state_dict()[key], c.state_dict()[key])


def test_full_size_is_sd15_and_clip_as_published():
    b = Sd15Backbone("full", device="meta")
    assert (b.text_dim, b.latent_stride, b.feature_channels) == (768, 8, (320, 640, 1280, 1280))
    assert count_parameters(b.unet) == 859_520_964
    assert count_parameters(b.text_encoder) == 123_060_480
    assert count_parameters(b.vae) == 34_163_664


def test_sizes_and_vocabularies_that_do_not_fit_are_refused():
    with pytest.raises(ValueError, match="49408 tokens"):
        Sd15Config.of("full", vocab_size=600)
    with pytest.raises(ValueError, match="full, reduced"):
        Sd15Config.of("xl")

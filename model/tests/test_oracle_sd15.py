"""SD 1.5's UNet and VAE encoder and CLIP ViT-L/14's text transformer compute what the reference
implementations compute: diffusers' UNet2DConditionModel and AutoencoderKL and transformers'
CLIPTextModel, built from the published configurations (written below, nothing downloaded), given
the same random weights as ours and the same inputs, on the CPU.

Equal within 1e-4 of the reference's largest magnitude (at least 1): float32 sums taken in another
order differ by about 1e-6 of the magnitude. Every weight is random, the norms' scales and
shifts included, so no part of the networks is left at an identity that would hide it.

The default run compares the published widths and depths on small inputs (the UNet on an 8 x 8
latent, which is 64 px of image, the VAE on a 48 x 32 image; about 30 s together on two cores),
and the reduced configuration on odd sizes; the slow tests (DIFFRIS_SLOW=1) compare a whole
512 px tile, the UNet's 64 x 64 latent at both timesteps and the VAE's 512 x 512 image. The mutation tests show the
comparison fails when one detail is wrong that loads the official weights without complaint.
"""

import contextlib
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

from diffris.nn import clip_text, sd_unet, sd_vae
from diffris.nn.clip_text import ClipTextConfig, ClipTextModel
from diffris.nn.sd_unet import Unet, UnetConfig
from diffris.nn.sd_vae import LATENT_SCALE, VaeConfig, VaeEncoder

from oracles import require

diffusers = require("diffusers")
transformers = require("transformers")

TOLERANCE = 1e-4

# unet/config.json, vae/config.json and text_encoder/config.json of
# stable-diffusion-v1-5/stable-diffusion-v1-5, the fields that shape the networks.
SD15_UNET = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    center_input_sample=False,
    flip_sin_to_cos=True,
    freq_shift=0,
    down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    block_out_channels=(320, 640, 1280, 1280),
    layers_per_block=2,
    downsample_padding=1,
    mid_block_scale_factor=1,
    act_fn="silu",
    norm_num_groups=32,
    norm_eps=1e-5,
    cross_attention_dim=768,
    attention_head_dim=8,  # diffusers' name for the number of heads in SD 1.x configurations
)
SD15_VAE = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(128, 256, 512, 512),
    layers_per_block=2,
    act_fn="silu",
    latent_channels=4,
    norm_num_groups=32,
    sample_size=512,
)
CLIP_VIT_L14_TEXT = dict(
    vocab_size=49408,
    hidden_size=768,
    intermediate_size=3072,
    num_hidden_layers=12,
    num_attention_heads=12,
    max_position_embeddings=77,
    hidden_act="quick_gelu",
    layer_norm_eps=1e-5,
    projection_dim=768,
    bos_token_id=0,
    eos_token_id=2,
    pad_token_id=1,
)


def reduced_unet_config():
    c = UnetConfig.reduced()
    ref = dict(
        SD15_UNET,
        block_out_channels=c.channels,
        norm_num_groups=c.groups,
        cross_attention_dim=c.text_width,
        attention_head_dim=c.heads,
    )
    return c, ref


def randomise_norms(module: torch.nn.Module, generator: torch.Generator) -> None:
    """GroupNorm and LayerNorm start as identities (scale 1, shift 0); random ones make a norm's
    affine part, and which norm sits where, visible in the outputs."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (torch.nn.GroupNorm, torch.nn.LayerNorm)):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=generator))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=generator))


@contextlib.contextmanager
def uninitialised():
    """Builds a reference network without drawing its initial weights (half the time of the
    full-size UNet's comparison): ours are loaded into it right after."""
    with contextlib.ExitStack() as stack:
        for layer in (torch.nn.Linear, torch.nn.Conv2d, torch.nn.Embedding):
            stack.enter_context(mock.patch.object(layer, "reset_parameters", lambda self: None))
        yield


def ours_and_theirs(ours_class, our_config, build_theirs, seed):
    torch.manual_seed(seed)
    ours = ours_class(our_config).eval()
    randomise_norms(ours, torch.Generator().manual_seed(seed))
    with uninitialised():
        theirs = build_theirs()
    result = theirs.load_state_dict(ours.state_dict(), strict=False)
    return ours, theirs.eval(), result


def difference(ours: torch.Tensor, theirs: torch.Tensor) -> float:
    """Largest absolute difference, relative to the reference's largest magnitude when that is
    above 1."""
    assert ours.shape == theirs.shape
    return (ours - theirs).abs().max().item() / max(1.0, theirs.abs().max().item())


# --- UNet -----------------------------------------------------------------------------------


def unet_pair(full: bool):
    if full:
        config, ref = UnetConfig(), SD15_UNET
    else:
        config, ref = reduced_unet_config()
    ours, theirs, loaded = ours_and_theirs(
        Unet, config, lambda: diffusers.UNet2DConditionModel(**ref), seed=15
    )
    assert not loaded.missing_keys and not loaded.unexpected_keys, loaded
    return ours, theirs


def unet_differences(ours, theirs, latent_size, timesteps=(1, 500)) -> dict:
    """{(timestep, output): difference} for the four up-blocks' outputs and the noise
    prediction, with random text conditioning."""
    generator = torch.Generator().manual_seed(3)
    c = ours.config
    latent = torch.randn((1, 4) + latent_size, generator=generator)
    text = torch.randn((1, 77, c.text_width), generator=generator)
    captured = []
    hooks = [b.register_forward_hook(lambda m, i, o: captured.append(o)) for b in theirs.up_blocks]
    out = {}
    try:
        with torch.no_grad():
            for t in timesteps:
                captured.clear()
                features, noise = ours(latent, torch.tensor([t]), text)
                ref_noise = theirs(latent, torch.tensor([t]), encoder_hidden_states=text).sample
                assert len(captured) == 4
                for i, (a, b) in enumerate(zip(features, captured)):
                    assert_nonzero(b, f"up-block {i} at t={t}")
                    out[(t, f"up_blocks.{i}")] = difference(a, b)
                assert_nonzero(ref_noise, f"noise at t={t}")
                out[(t, "noise")] = difference(noise, ref_noise)
    finally:
        for h in hooks:
            h.remove()
    return out


def assert_nonzero(t, what):
    assert t.abs().max().item() > 1e-2, f"{what}: the reference is all but zero"


def assert_all_within(differences: dict, what: str):
    worst = max(differences, key=differences.get)
    assert differences[worst] <= TOLERANCE, (
        f"{what}: {worst} differs from the reference by {differences[worst]:.2e} "
        f"(tolerance {TOLERANCE}); all: { {k: f'{v:.1e}' for k, v in differences.items()} }"
    )


@pytest.fixture(scope="module")
def reduced_unet():
    return unet_pair(full=False)


def test_the_reduced_unet_computes_what_diffusers_computes(reduced_unet):
    # 20 x 12 is not a multiple of 8: the up-path must meet each skip at its size, as diffusers'
    # forward_upsample_size does.
    for size in [(16, 16), (20, 12)]:
        assert_all_within(unet_differences(*reduced_unet, size), f"reduced UNet at {size}")


def test_the_full_size_unet_computes_what_diffusers_computes():
    ours, theirs = unet_pair(full=True)
    assert sum(p.numel() for p in theirs.parameters()) == 859_520_964
    assert_all_within(unet_differences(ours, theirs, (8, 8)), "SD 1.5 UNet")


@pytest.mark.slow
def test_the_full_size_unet_computes_what_diffusers_computes_on_a_512_px_tile():
    ours, theirs = unet_pair(full=True)
    assert_all_within(unet_differences(ours, theirs, (64, 64)), "SD 1.5 UNet at 64 x 64")


def test_the_unet_comparison_fails_when_the_timestep_embedding_puts_sines_first(
    reduced_unet, monkeypatch
):
    monkeypatch.setattr(sd_unet, "timestep_embedding", sines_first(sd_unet.timestep_embedding))
    differences = unet_differences(*reduced_unet, (16, 16))
    assert max(differences.values()) > 100 * TOLERANCE, differences


def sines_first(original):
    def swapped(t, width):
        e = original(t, width)
        return torch.cat([e[:, width // 2 :], e[:, : width // 2]], dim=1)

    return swapped


def test_the_unet_comparison_fails_when_the_attention_scale_is_the_whole_width(
    reduced_unet, monkeypatch
):
    # The classic slip: 1 / sqrt(channels) instead of 1 / sqrt(channels per head).
    def forward(self, x, context=None):
        context = x if context is None else context
        n, length, width = x.shape

        def split(t):
            return t.reshape(n, -1, self.heads, width // self.heads).transpose(1, 2)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        weights = torch.softmax(q @ k.transpose(-1, -2) / width**0.5, dim=-1)
        return self.to_out[0]((weights @ v).transpose(1, 2).reshape(n, length, width))

    monkeypatch.setattr(sd_unet.CrossAttention, "forward", forward)
    differences = unet_differences(*reduced_unet, (16, 16), timesteps=(1,))
    assert max(differences.values()) > 100 * TOLERANCE, differences


# --- VAE ------------------------------------------------------------------------------------


def vae_pair(full: bool):
    if full:
        config, ref = VaeConfig(), SD15_VAE
    else:
        config = VaeConfig(channels=(8, 16, 16, 16), layers_per_block=1, groups=4)
        ref = dict(
            SD15_VAE, block_out_channels=config.channels, layers_per_block=1, norm_num_groups=4
        )
    ours, theirs, loaded = ours_and_theirs(
        VaeEncoder, config, lambda: diffusers.AutoencoderKL(**ref), seed=16
    )
    # Ours is the encoder half: the decoder is all that may be left over.
    assert not loaded.unexpected_keys, loaded.unexpected_keys
    assert all(k.startswith(("decoder.", "post_quant_conv.")) for k in loaded.missing_keys)
    return ours, theirs


def vae_difference(ours, theirs, image_size) -> float:
    image = torch.rand((1, 3) + image_size, generator=torch.Generator().manual_seed(4)) * 2 - 1
    with torch.no_grad():
        mean = theirs.encode(image).latent_dist.mean
        assert_nonzero(mean, "posterior mean")
        return difference(ours(image) / LATENT_SCALE, mean)


def test_the_reduced_vae_encoder_gives_diffusers_posterior_mean():
    ours, theirs = vae_pair(full=False)
    for size in [(64, 64), (48, 40)]:
        d = vae_difference(ours, theirs, size)
        assert d <= TOLERANCE, f"posterior mean at {size}: {d:.2e}"


def test_the_full_size_vae_encoder_gives_diffusers_posterior_mean():
    ours, theirs = vae_pair(full=True)
    d = vae_difference(ours, theirs, (48, 32))
    assert d <= TOLERANCE, f"posterior mean: {d:.2e}"


@pytest.mark.slow
def test_the_full_size_vae_encoder_gives_diffusers_posterior_mean_on_a_512_px_tile():
    ours, theirs = vae_pair(full=True)
    d = vae_difference(ours, theirs, (512, 512))
    assert d <= TOLERANCE, f"posterior mean: {d:.2e}"


def test_the_vae_comparison_fails_when_the_downsampling_pads_the_other_side(monkeypatch):
    ours, theirs = vae_pair(full=False)
    monkeypatch.setattr(
        sd_vae.Downsample, "forward", lambda self, x: self.conv(F.pad(x, (1, 0, 1, 0)))
    )
    assert vae_difference(ours, theirs, (64, 64)) > 100 * TOLERANCE


# --- CLIP -----------------------------------------------------------------------------------


def clip_pair(full: bool):
    if full:
        config, ref = ClipTextConfig(), CLIP_VIT_L14_TEXT
    else:
        config = ClipTextConfig.reduced()
        ref = dict(
            CLIP_VIT_L14_TEXT,
            vocab_size=config.vocab_size,
            hidden_size=config.width,
            intermediate_size=config.mlp_width,
            num_hidden_layers=config.layers,
            num_attention_heads=config.heads,
        )
    ours, theirs, loaded = ours_and_theirs(
        ClipTextModel,
        config,
        lambda: transformers.CLIPTextModel(transformers.CLIPTextConfig(**ref)),
        seed=17,
    )
    assert not loaded.unexpected_keys, loaded.unexpected_keys
    assert set(loaded.missing_keys) <= {clip_text.POSITION_IDS}, loaded.missing_keys
    return ours, theirs


def clip_difference(ours, theirs) -> float:
    # SD's way: start token, text, end token, padded to 77 with the end token; no attention mask.
    generator = torch.Generator().manual_seed(5)
    vocab = ours.config.vocab_size
    ids = torch.full((2, 77), vocab - 1)
    ids[:, 0] = vocab - 2
    ids[0, 1:12] = torch.randint(0, vocab - 2, (11,), generator=generator)
    ids[1, 1:76] = torch.randint(0, vocab - 2, (75,), generator=generator)
    with torch.no_grad():
        ref = theirs(input_ids=ids).last_hidden_state
        assert_nonzero(ref, "last hidden state")
        return difference(ours(ids), ref)


def test_the_reduced_clip_text_model_gives_transformers_last_hidden_state():
    d = clip_difference(*clip_pair(full=False))
    assert d <= TOLERANCE, f"last hidden state: {d:.2e}"


def test_the_full_size_clip_text_model_gives_transformers_last_hidden_state():
    ours, theirs = clip_pair(full=True)
    assert sum(p.numel() for p in theirs.parameters()) == 123_060_480
    d = clip_difference(ours, theirs)
    assert d <= TOLERANCE, f"last hidden state: {d:.2e}"


def test_the_clip_comparison_fails_when_the_attention_scale_is_the_whole_width():
    ours, theirs = clip_pair(full=False)
    for layer in ours.text_model.encoder.layers:
        layer.self_attn.scale = ours.config.width**-0.5
    assert clip_difference(ours, theirs) > 100 * TOLERANCE


def test_the_clip_comparison_fails_without_the_causal_mask(monkeypatch):
    ours, theirs = clip_pair(full=False)
    forward = clip_text.ClipAttention.forward
    monkeypatch.setattr(
        clip_text.ClipAttention,
        "forward",
        lambda self, x, causal: forward(self, x, torch.zeros_like(causal)),
    )
    assert clip_difference(ours, theirs) > 100 * TOLERANCE

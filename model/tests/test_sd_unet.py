"""SD 1.5's UNet in plain PyTorch: the published size and names, and the up-block features
DiffRIS takes, on a reduced configuration."""

import pytest
import torch

from diffris.nn.sd_unet import Unet, UnetConfig, timestep_embedding


def test_the_full_configuration_has_the_published_size_and_names():
    model = Unet(UnetConfig(), device="meta")
    params = dict(model.named_parameters())
    assert sum(p.numel() for p in params.values()) == 859_520_964
    assert len(params) == 686
    # The diffusers unet/ folder's names and shapes.
    cross = "down_blocks.0.attentions.0.transformer_blocks.0.attn2"
    assert params[f"{cross}.to_k.weight"].shape == (320, 768)
    assert f"{cross}.to_k.bias" not in params
    assert params["down_blocks.0.attentions.0.proj_in.weight"].shape == (320, 320, 1, 1)
    geglu = "mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight"
    assert params[geglu].shape == (10240, 1280)
    assert params["up_blocks.3.resnets.2.conv_shortcut.weight"].shape == (320, 640, 1, 1)
    assert params["time_embedding.linear_2.weight"].shape == (1280, 1280)
    assert "down_blocks.3.attentions.0.norm.weight" not in params
    assert "up_blocks.3.upsamplers.0.conv.weight" not in params


@pytest.mark.parametrize("size", [(32, 32), (20, 12)])
def test_up_block_features_are_at_strides_32_16_8_8_of_the_image(size):
    torch.manual_seed(0)
    c = UnetConfig.reduced()
    model = Unet(c).eval()
    h, w = size  # latent pixels, an eighth of the image's
    with torch.no_grad():
        features, noise = model(torch.randn(2, 4, h, w), torch.ones(2), torch.randn(2, 77, 16))
    assert noise.shape == (2, 4, h, w)
    assert [f.shape[1] for f in features] == [64, 64, 64, 32]
    sizes = [(h, w)]
    for _ in range(3):
        sizes.append(((sizes[-1][0] + 1) // 2, (sizes[-1][1] + 1) // 2))
    assert [tuple(f.shape[-2:]) for f in features] == [sizes[2], sizes[1], sizes[0], sizes[0]]


def test_the_text_conditions_the_features():
    torch.manual_seed(1)
    model = Unet(UnetConfig.reduced()).eval()
    latent = torch.randn(1, 4, 16, 16)
    with torch.no_grad():
        a, _ = model(latent, torch.ones(1), torch.randn(1, 77, 16))
        b, _ = model(latent, torch.ones(1), torch.randn(1, 77, 16))
    assert not torch.allclose(a[-1], b[-1])


def test_the_timestep_embedding_is_cosines_then_sines():
    e = timestep_embedding(torch.tensor([0.0, 1.0]), 8)
    assert torch.allclose(e[0], torch.tensor([1.0] * 4 + [0.0] * 4))
    freqs = torch.exp(-torch.log(torch.tensor(10000.0)) * torch.arange(4) / 4)
    assert torch.allclose(e[1], torch.cat([torch.cos(freqs), torch.sin(freqs)]))

"""SD 1.5's VAE encoder in plain PyTorch: its share of the published AutoencoderKL size, shapes,
and the latent as the posterior's mode."""

import torch

from diffris.nn.sd_vae import LATENT_SCALE, VaeConfig, VaeEncoder

# AutoencoderKL of SD 1.5 (sd-vae / v1-5 vae/): encoder + decoder + both 1x1 quant convs.
PUBLISHED_AUTOENCODER_KL = 83_653_863


def conv(cin, cout, k):
    return cin * cout * k * k + cout


def norm(ch):
    return 2 * ch


def resnet(cin, cout):
    return (
        norm(cin)
        + conv(cin, cout, 3)
        + norm(cout)
        + conv(cout, cout, 3)
        + (conv(cin, cout, 1) if cin != cout else 0)
    )


def attention(ch):
    return norm(ch) + 4 * (ch * ch + ch)


def decoder(channels=(128, 256, 512, 512), layers=2, latent=4):
    """The decoder the encoder is published with, counted from its layout: conv_in from the
    latent, the middle, four up levels of layers + 1 ResNet blocks (reversed channels), each but
    the last ending in a 3x3 convolution after upsampling, GroupNorm and conv_out to RGB."""
    top = channels[-1]
    total = conv(latent, top, 3) + 2 * resnet(top, top) + attention(top)
    previous = top
    for i, ch in enumerate(reversed(channels)):
        for j in range(layers + 1):
            total += resnet(previous if j == 0 else ch, ch)
        previous = ch
        if i < len(channels) - 1:
            total += conv(ch, ch, 3)
    return total + norm(channels[0]) + conv(channels[0], 3, 3)


def test_the_encoder_is_its_share_of_the_published_autoencoder():
    model = VaeEncoder(VaeConfig(), device="meta")
    encoder_and_quant_conv = sum(p.numel() for p in model.parameters())
    post_quant_conv = conv(4, 4, 1)
    assert encoder_and_quant_conv + decoder() + post_quant_conv == PUBLISHED_AUTOENCODER_KL
    assert encoder_and_quant_conv == 34_163_664
    names = dict(model.named_parameters())
    # The diffusers vae/ folder's names.
    assert names["encoder.down_blocks.1.resnets.0.conv_shortcut.weight"].shape == (256, 128, 1, 1)
    assert names["encoder.down_blocks.2.downsamplers.0.conv.weight"].shape == (512, 512, 3, 3)
    assert names["encoder.mid_block.attentions.0.to_out.0.weight"].shape == (512, 512)
    assert names["quant_conv.weight"].shape == (8, 8, 1, 1)
    assert "encoder.down_blocks.3.downsamplers.0.conv.weight" not in names


def test_the_latent_is_the_posterior_mode_scaled_at_an_eighth_of_the_size():
    torch.manual_seed(0)
    model = VaeEncoder(VaeConfig(channels=(8, 16, 16, 16), layers_per_block=1, groups=4)).eval()
    image = torch.rand(2, 3, 64, 48) * 2 - 1
    with torch.no_grad():
        latent = model(image)
        moments = model.quant_conv(model.encoder(image))
    assert latent.shape == (2, 4, 8, 6)
    assert torch.allclose(latent, moments[:, :4] * LATENT_SCALE)

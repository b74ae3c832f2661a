"""Stable Diffusion 1.5's VAE encoder in plain PyTorch (what DiffRIS needs of the AutoencoderKL),
written from the published architecture, without `diffusers`.

conv_in 3 -> 128; four levels of two ResNet blocks at 128, 256, 512, 512 channels, each level but
the last ending in a stride-2 convolution (padded right and bottom by one); a middle of ResNet,
single-head self-attention over the 512 channels, ResNet; GroupNorm, SiLU, conv_out to the 8
channels of the posterior's mean and log-variance; quant_conv (1 x 1). GroupNorm of 32 groups,
eps 1e-6. `latent` is the posterior's mode (its mean) times 0.18215, as VPD and DiffRIS use it.

Parameter names are the diffusers `vae/` folder's (`encoder.down_blocks.0.resnets.0.conv1.weight`,
`encoder.mid_block.attentions.0.to_q.weight`, `quant_conv.weight`), so that folder's encoder
tensors load as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

LATENT_SCALE = 0.18215


@dataclass(frozen=True)
class VaeConfig:
    channels: tuple = (128, 256, 512, 512)
    layers_per_block: int = 2
    groups: int = 32
    eps: float = 1e-6
    latent_channels: int = 4

    @staticmethod
    def reduced() -> "VaeConfig":
        return VaeConfig(channels=(8, 16), layers_per_block=1, groups=4)


def group_norm(c: VaeConfig, channels: int, device=None):
    return nn.GroupNorm(c.groups, channels, eps=c.eps, device=device)


class ResnetBlock(nn.Module):
    def __init__(self, c: VaeConfig, cin: int, cout: int, device=None):
        super().__init__()
        self.norm1 = group_norm(c, cin, device)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, device=device)
        self.norm2 = group_norm(c, cout, device)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, device=device)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1, device=device) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class Downsample(nn.Module):
    def __init__(self, channels: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, device=device)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class DownBlock(nn.Module):
    def __init__(self, c: VaeConfig, cin: int, cout: int, downsample: bool, device=None):
        super().__init__()
        self.resnets = nn.ModuleList(
            ResnetBlock(c, cin if i == 0 else cout, cout, device) for i in range(c.layers_per_block)
        )
        self.downsamplers = nn.ModuleList([Downsample(cout, device)] if downsample else [])

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        for d in self.downsamplers:
            x = d(x)
        return x


class Attention(nn.Module):
    """One head over all channels, at every position of the feature map."""

    def __init__(self, c: VaeConfig, channels: int, device=None):
        super().__init__()
        self.group_norm = group_norm(c, channels, device)
        self.to_q = nn.Linear(channels, channels, device=device)
        self.to_k = nn.Linear(channels, channels, device=device)
        self.to_v = nn.Linear(channels, channels, device=device)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels, device=device)])

    def forward(self, x):
        n, ch, h, w = x.shape
        t = self.group_norm(x).reshape(n, ch, h * w).transpose(1, 2)
        q, k, v = self.to_q(t), self.to_k(t), self.to_v(t)
        weights = torch.softmax(q @ k.transpose(1, 2) / ch**0.5, dim=-1)
        out = self.to_out[0](weights @ v)
        return x + out.transpose(1, 2).reshape(n, ch, h, w)


class MidBlock(nn.Module):
    def __init__(self, c: VaeConfig, channels: int, device=None):
        super().__init__()
        self.resnets = nn.ModuleList(ResnetBlock(c, channels, channels, device) for _ in range(2))
        self.attentions = nn.ModuleList([Attention(c, channels, device)])

    def forward(self, x):
        return self.resnets[1](self.attentions[0](self.resnets[0](x)))


class Encoder(nn.Module):
    def __init__(self, c: VaeConfig, device=None):
        super().__init__()
        ch = c.channels
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1, device=device)
        self.down_blocks = nn.ModuleList(
            DownBlock(c, ch[max(i - 1, 0)], ch[i], i < len(ch) - 1, device) for i in range(len(ch))
        )
        self.mid_block = MidBlock(c, ch[-1], device)
        self.conv_norm_out = group_norm(c, ch[-1], device)
        self.conv_out = nn.Conv2d(ch[-1], 2 * c.latent_channels, 3, padding=1, device=device)

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.down_blocks:
            x = block(x)
        x = self.mid_block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class VaeEncoder(nn.Module):
    """image float [N, 3, H, W] in [-1, 1] -> latent [N, 4, H/8, W/8] (posterior mode x 0.18215)."""

    def __init__(self, config: VaeConfig = VaeConfig(), device=None):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config, device)
        self.quant_conv = nn.Conv2d(
            2 * config.latent_channels, 2 * config.latent_channels, 1, device=device
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        moments = self.quant_conv(self.encoder(image))
        mean = moments[:, : self.config.latent_channels]
        return mean * LATENT_SCALE

"""Stable Diffusion 1.5's denoising UNet in plain PyTorch, written from the published
architecture, without `diffusers`; DiffRIS runs it once (timestep 1, no noise) and keeps the
outputs of its four up-blocks as features.

Layout (channels 320, 640, 1280, 1280; two ResNet blocks a level down, three up; 8 heads):
conv_in 4 -> 320; a sinusoidal timestep embedding (320, cosine half first) through two linears to
1280, added to every ResNet block; down: three levels of ResNet + spatial transformer pairs
ending in a stride-2 convolution, then two plain ResNet blocks; middle: ResNet, transformer,
ResNet; up: three plain ResNet blocks and an upsampling convolution, then three levels of ResNet +
transformer triples (all but the last ending in nearest x2 and a convolution), each ResNet block
taking the matching down-path output concatenated; GroupNorm, SiLU, conv_out to 4 channels. A
spatial transformer: GroupNorm, 1 x 1 projection in, one block of LayerNorm'd self-attention,
cross-attention to the [N, 77, 768] text and a GEGLU feed-forward (x4), 1 x 1 projection out,
residual. GroupNorm 32 groups, eps 1e-5 in ResNet blocks and 1e-6 in transformers.

Parameter names are the diffusers `unet/` folder's (`down_blocks.0.attentions.0.transformer_blocks
.0.attn2.to_k.weight`, ...). A reduced `UnetConfig` builds the same classes small, for tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class UnetConfig:
    channels: tuple = (320, 640, 1280, 1280)
    attention_levels: tuple = (True, True, True, False)  # down levels with transformers
    layers_per_block: int = 2
    heads: int = 8
    text_width: int = 768
    groups: int = 32
    latent_channels: int = 4

    @staticmethod
    def reduced() -> "UnetConfig":
        return UnetConfig(channels=(32, 64, 64, 64), heads=2, text_width=16, groups=8)

    @property
    def time_width(self) -> int:
        return 4 * self.channels[0]


def timestep_embedding(t: torch.Tensor, width: int) -> torch.Tensor:
    """Sinusoids of the timestep at frequencies 10000^(-i / half), cosines first."""
    half = width // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs.to(t.device)[None]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)


class ResnetBlock(nn.Module):
    def __init__(self, c: UnetConfig, cin: int, cout: int, device=None):
        super().__init__()
        self.norm1 = nn.GroupNorm(c.groups, cin, eps=1e-5, device=device)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, device=device)
        self.time_emb_proj = nn.Linear(c.time_width, cout, device=device)
        self.norm2 = nn.GroupNorm(c.groups, cout, eps=1e-5, device=device)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, device=device)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1, device=device) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class CrossAttention(nn.Module):
    def __init__(self, width: int, context_width: int, heads: int, device=None):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(width, width, bias=False, device=device)
        self.to_k = nn.Linear(context_width, width, bias=False, device=device)
        self.to_v = nn.Linear(context_width, width, bias=False, device=device)
        self.to_out = nn.ModuleList([nn.Linear(width, width, device=device)])

    def forward(self, x, context=None):
        context = x if context is None else context
        n, length, width = x.shape
        head = width // self.heads

        def split(t):
            return t.reshape(n, -1, self.heads, head).transpose(1, 2)

        q, k, v = split(self.to_q(x)), split(self.to_k(context)), split(self.to_v(context))
        weights = torch.softmax(q @ k.transpose(-1, -2) / head**0.5, dim=-1)
        return self.to_out[0]((weights @ v).transpose(1, 2).reshape(n, length, width))


class GegluFeedForward(nn.Module):
    def __init__(self, width: int, device=None):
        super().__init__()
        # diffusers' names: net.0.proj is the GEGLU projection, net.2 the output.
        self.net = nn.ModuleList(
            [
                Geglu(width, 4 * width, device),
                nn.Identity(),
                nn.Linear(4 * width, width, device=device),
            ]
        )

    def forward(self, x):
        return self.net[2](self.net[0](x))


class Geglu(nn.Module):
    def __init__(self, width: int, inner: int, device=None):
        super().__init__()
        self.proj = nn.Linear(width, 2 * inner, device=device)

    def forward(self, x):
        value, gate = self.proj(x).chunk(2, dim=-1)
        return value * F.gelu(gate)


class TransformerBlock(nn.Module):
    def __init__(self, c: UnetConfig, width: int, device=None):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, device=device)
        self.attn1 = CrossAttention(width, width, c.heads, device)
        self.norm2 = nn.LayerNorm(width, device=device)
        self.attn2 = CrossAttention(width, c.text_width, c.heads, device)
        self.norm3 = nn.LayerNorm(width, device=device)
        self.ff = GegluFeedForward(width, device)

    def forward(self, x, text):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), text)
        return x + self.ff(self.norm3(x))


class SpatialTransformer(nn.Module):
    def __init__(self, c: UnetConfig, width: int, device=None):
        super().__init__()
        self.norm = nn.GroupNorm(c.groups, width, eps=1e-6, device=device)
        self.proj_in = nn.Conv2d(width, width, 1, device=device)
        self.transformer_blocks = nn.ModuleList([TransformerBlock(c, width, device)])
        self.proj_out = nn.Conv2d(width, width, 1, device=device)

    def forward(self, x, text):
        n, ch, h, w = x.shape
        t = self.proj_in(self.norm(x)).reshape(n, ch, h * w).transpose(1, 2)
        for block in self.transformer_blocks:
            t = block(t, text)
        return x + self.proj_out(t.transpose(1, 2).reshape(n, ch, h, w))


class Downsample(nn.Module):
    def __init__(self, width: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, stride=2, padding=1, device=device)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, width: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, padding=1, device=device)

    def forward(self, x, size):
        return self.conv(F.interpolate(x, size=size, mode="nearest"))


class DownBlock(nn.Module):
    def __init__(self, c, cin, cout, attention, downsample, device=None):
        super().__init__()
        n = c.layers_per_block
        self.resnets = nn.ModuleList(
            ResnetBlock(c, cin if i == 0 else cout, cout, device) for i in range(n)
        )
        self.attentions = nn.ModuleList(
            SpatialTransformer(c, cout, device) for _ in range(n if attention else 0)
        )
        self.downsamplers = nn.ModuleList([Downsample(cout, device)] if downsample else [])

    def forward(self, x, temb, text, skips):
        for i, r in enumerate(self.resnets):
            x = r(x, temb)
            if self.attentions:
                x = self.attentions[i](x, text)
            skips.append(x)
        for d in self.downsamplers:
            x = d(x)
            skips.append(x)
        return x


class UpBlock(nn.Module):
    def __init__(self, c, cin, cout, skip_widths, attention, upsample, device=None):
        super().__init__()
        self.resnets = nn.ModuleList(
            ResnetBlock(c, (cin if i == 0 else cout) + s, cout, device)
            for i, s in enumerate(skip_widths)
        )
        self.attentions = nn.ModuleList(
            SpatialTransformer(c, cout, device) for _ in range(len(skip_widths) if attention else 0)
        )
        self.upsamplers = nn.ModuleList([Upsample(cout, device)] if upsample else [])

    def forward(self, x, temb, text, skips, size):
        for i, r in enumerate(self.resnets):
            x = r(torch.cat([x, skips.pop()], dim=1), temb)
            if self.attentions:
                x = self.attentions[i](x, text)
        for u in self.upsamplers:
            x = u(x, size)
        return x


class MidBlock(nn.Module):
    def __init__(self, c, width, device=None):
        super().__init__()
        self.resnets = nn.ModuleList(ResnetBlock(c, width, width, device) for _ in range(2))
        self.attentions = nn.ModuleList([SpatialTransformer(c, width, device)])

    def forward(self, x, temb, text):
        x = self.resnets[0](x, temb)
        return self.resnets[1](self.attentions[0](x, text), temb)


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, cout, device=None):
        super().__init__()
        self.linear_1 = nn.Linear(cin, cout, device=device)
        self.linear_2 = nn.Linear(cout, cout, device=device)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class Unet(nn.Module):
    """latent [N, 4, h, w], timestep [N], text [N, 77, 768] -> the four up-blocks' outputs
    (strides 32, 16, 8 and 8 of the image for a latent at stride 8) and the noise prediction."""

    def __init__(self, config: UnetConfig = UnetConfig(), device=None):
        super().__init__()
        c = self.config = config
        ch = c.channels
        last = len(ch) - 1
        self.conv_in = nn.Conv2d(c.latent_channels, ch[0], 3, padding=1, device=device)
        self.time_embedding = TimestepEmbedding(ch[0], c.time_width, device)
        self.down_blocks = nn.ModuleList()
        skip_widths = [ch[0]]
        for i, width in enumerate(ch):
            cin = ch[max(i - 1, 0)] if i else ch[0]
            self.down_blocks.append(
                DownBlock(c, cin, width, c.attention_levels[i], i < last, device)
            )
            skip_widths += [width] * c.layers_per_block + ([width] if i < last else [])
        self.mid_block = MidBlock(c, ch[-1], device)
        self.up_blocks = nn.ModuleList()
        previous = ch[-1]
        for i, width in enumerate(reversed(ch)):
            skips = [skip_widths.pop() for _ in range(c.layers_per_block + 1)]
            attention = list(reversed(c.attention_levels))[i]
            self.up_blocks.append(UpBlock(c, previous, width, skips, attention, i < last, device))
            previous = width
        self.conv_norm_out = nn.GroupNorm(c.groups, ch[0], eps=1e-5, device=device)
        self.conv_out = nn.Conv2d(ch[0], c.latent_channels, 3, padding=1, device=device)

    def forward(self, latent, timestep, text):
        temb = self.time_embedding(timestep_embedding(timestep, self.config.channels[0]))
        x = self.conv_in(latent)
        skips = [x]
        sizes = []
        for block in self.down_blocks:
            sizes.append(x.shape[-2:])
            x = block(x, temb, text, skips)
        x = self.mid_block(x, temb, text)
        features = []
        for block in self.up_blocks:
            sizes.pop()  # this level's; an up-block ends at the size of the level above
            x = block(x, temb, text, skips, sizes[-1] if sizes else None)
            features.append(x)
        return features, self.conv_out(F.silu(self.conv_norm_out(x)))

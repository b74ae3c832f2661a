"""Small building blocks shared by the tiny backbone, the adapter and the decoder.

Everything here exports to ONNX with dynamic batch and spatial size: attention is written with
plain matmul/softmax, and spatial coordinates come from cumulative sums instead of shape-driven
`arange`, so no size gets frozen into the graph.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def group_norm(channels):
    groups = 8 if channels % 8 == 0 else 1
    return nn.GroupNorm(groups, channels)


class Attention(nn.Module):
    """Multi-head attention: queries [N,Lq,Dq] attend to keys/values [N,Lk,Dk]."""

    def __init__(self, query_dim, context_dim=None, heads=4, dim=None):
        super().__init__()
        context_dim = context_dim or query_dim
        dim = dim or query_dim
        if dim % heads:
            raise ValueError(f"attention width {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.q = nn.Linear(query_dim, dim, bias=False)
        self.k = nn.Linear(context_dim, dim, bias=False)
        self.v = nn.Linear(context_dim, dim, bias=False)
        self.out = nn.Linear(dim, query_dim)

    def forward(self, x, context=None, causal_mask=None):
        context = x if context is None else context
        q, k, v = self._split(self.q(x)), self._split(self.k(context)), self._split(self.v(context))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        if causal_mask is not None:
            scores = scores + causal_mask
        out = torch.matmul(scores.softmax(dim=-1), v)
        n, h, l, d = out.shape
        return self.out(out.permute(0, 2, 1, 3).reshape(n, l, h * d))

    def _split(self, t):
        n, l, _ = t.shape
        return t.reshape(n, l, self.heads, -1).permute(0, 2, 1, 3)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, dim * mult), nn.GELU(), nn.Linear(dim * mult, dim))

    def forward(self, x):
        return self.net(x)


class TransformerLayer(nn.Module):
    """Pre-norm Transformer encoder layer (self-attention + feed-forward)."""

    def __init__(self, dim, heads=4, mult=2):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads=heads)
        self.norm2 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim, mult)

    def forward(self, x, causal_mask=None):
        x = x + self.attn(self.norm1(x), causal_mask=causal_mask)
        return x + self.ff(self.norm2(x))


class CrossAttentionBlock(nn.Module):
    """Residual cross-attention of a sequence onto a context, with pre-norm."""

    def __init__(self, dim, context_dim, heads=4):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = Attention(dim, context_dim, heads=heads)

    def forward(self, x, context):
        return x + self.attn(self.norm(x), context)


class SpatialCrossAttention(nn.Module):
    """Cross-attention of a feature map [N,C,H,W] onto text tokens [N,L,D] (residual)."""

    def __init__(self, channels, context_dim, heads=4):
        super().__init__()
        self.norm = group_norm(channels)
        self.attn = Attention(channels, context_dim, heads=heads)

    def forward(self, x, context):
        n, c, h, w = x.shape
        seq = self.norm(x).flatten(2).transpose(1, 2)
        out = self.attn(seq, context).transpose(1, 2).reshape(n, c, h, w)
        return x + out


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv residual block, optionally shifted by a timestep embedding."""

    def __init__(self, cin, cout, time_dim=None):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(time_dim, cout) if time_dim else None
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time is not None and temb is not None:
            h = h + self.time(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


def timestep_embedding(t, dim):
    """Sinusoidal embedding of integer timesteps [N] -> [N, dim] (as in DDPM/SD)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :].to(t.device)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def coordinate_channels(x):
    """Two channels in [-1, 1] (x then y pixel-centre coordinates) shaped like x's batch/space.

    Built with cumsum so ONNX keeps H and W dynamic.
    """
    ones = torch.ones_like(x[:, :1])
    col = ones.cumsum(dim=3)
    row = ones.cumsum(dim=2)
    width = ones.sum(dim=3, keepdim=True)
    height = ones.sum(dim=2, keepdim=True)
    return torch.cat([(col - 0.5) / width * 2 - 1, (row - 0.5) / height * 2 - 1], dim=1)


def upsample2(x):
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)

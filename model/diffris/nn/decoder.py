"""Progressive Cross-Modal Reasoning Decoder (PCMRD) and the mask head.

Three stages over coarse-to-fine feature pairs (strides 32+16, 16+8, 8+4). In each stage:
- the coarse map (the previous stage's output, or f32) is upsampled and added to the fine map,
  with two coordinate channels so "left/top" can be read;
- pixels read the text (cross-attention), and the K learnable query tokens read the text;
- every pixel is assigned to one token: cosine similarity of L2-normalised queries and keys over
  a learnable temperature exp(min(tau, 0)), Gumbel-softmax (noise in training only), hard
  one-hot by straight-through `one_hot(argmax) - soft.detach() + soft` (CGFormer's rule);
  inference is the deterministic argmax;
- tokens are updated from the pixels assigned to them, pixels from the token they belong to.
Token 0 is the referent: its assignment map per stage gets the auxiliary Dice loss, and the head
reads the pixels' similarity to it.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import CrossAttentionBlock, FeedForward, coordinate_channels, group_norm, upsample2


def straight_through_assignment(logits, dim, hard=True, gumbel=False):
    """Softmax over `dim`; with hard=True the forward value is the one-hot argmax and the
    gradient is the softmax's (the one-hot part contributes none)."""
    if gumbel:
        u = torch.rand_like(logits).clamp_(1e-9, 1.0 - 1e-9)
        logits = logits - torch.log(-torch.log(u))
    soft = logits.softmax(dim=dim)
    if not hard:
        return soft
    one_hot = (soft == soft.amax(dim=dim, keepdim=True)).to(soft.dtype)
    return one_hot - soft.detach() + soft


class ReasoningStage(nn.Module):
    def __init__(self, coarse_channels, fine_channels, dim, text_dim, heads=4, hard=True,
                 tau_init=math.log(0.1), pixels_read_text=True, refine=False):
        super().__init__()
        self.hard = hard
        self.coarse = nn.Conv2d(coarse_channels, dim, 1)
        self.fine = nn.Conv2d(fine_channels, dim, 1)
        self.coords = nn.Conv2d(2, dim, 1)
        self.norm = group_norm(dim)
        # Pixel-text attention at stride 4 would cost more than the rest of the decoder; the
        # last stage reads the text through the upsampled stride-8 map and the tokens instead.
        self.pixel_text = CrossAttentionBlock(dim, text_dim, heads) if pixels_read_text else None
        self.query_text = CrossAttentionBlock(dim, text_dim, heads)
        self.to_q = nn.Linear(dim, dim)
        self.to_k = nn.Linear(dim, dim)
        self.to_v = nn.Linear(dim, dim)
        self.token_norm = nn.LayerNorm(dim)
        self.token_update = FeedForward(dim)
        self.pixel_update = nn.Linear(dim, dim)
        # Referent-token modulation of the pixels (FiLM); zero-initialised, so it starts as the
        # identity. Multiplicative text-pixel interaction is what makes the grouping learn fast.
        self.modulate = nn.Linear(dim, 2 * dim)
        nn.init.zeros_(self.modulate.weight)
        nn.init.zeros_(self.modulate.bias)
        self.tau = nn.Parameter(torch.tensor(float(tau_init)))
        # Spatial context before grouping: everything above mixes pixels only through the text
        # and the tokens, so without it a pixel cannot see the object it lies on.
        self.refine = TextConditionedConvBlock(dim) if refine else None

    def forward(self, coarse, fine, queries, text):
        x = upsample2(self.coarse(coarse)) + self.fine(fine)
        x = self.norm(x + self.coords(coordinate_channels(x)))
        n, c, h, w = x.shape
        pixels = x.flatten(2).transpose(1, 2)                              # [N,HW,C]
        if self.pixel_text is not None:
            pixels = self.pixel_text(pixels, text)
        queries = self.query_text(queries, text)                         # [N,K,C]
        scale, shift = self.modulate(queries[:, 0]).unsqueeze(1).chunk(2, dim=-1)
        pixels = pixels * (1 + scale) + shift
        if self.refine is not None:
            grid = self.refine(pixels.transpose(1, 2).reshape(n, c, h, w), queries[:, 0])
            pixels = grid.flatten(2).transpose(1, 2)
        q = F.normalize(self.to_q(queries), dim=-1)
        k = F.normalize(self.to_k(pixels), dim=-1)
        temperature = torch.exp(torch.clamp(self.tau, max=0.0))
        logits = torch.matmul(q, k.transpose(1, 2)) / temperature        # [N,K,HW]
        assign = straight_through_assignment(logits, dim=1, hard=self.hard,
                                             gumbel=self.training)
        mass = assign.sum(dim=2, keepdim=True) + 1.0
        gathered = torch.matmul(assign, self.to_v(pixels)) / mass           # [N,K,C]
        queries = queries + self.token_update(self.token_norm(queries + gathered))
        pixels = pixels + self.pixel_update(torch.matmul(assign.transpose(1, 2), queries))
        out = pixels.transpose(1, 2).reshape(n, c, h, w)
        referent = assign[:, :1].reshape(n, 1, h, w)
        return out, queries, referent


class TextConditionedConvBlock(nn.Module):
    """Residual 3x3-conv block whose hidden map is scaled and shifted by the referent token.

    The second convolution starts at zero, so the block starts as the identity."""

    def __init__(self, dim):
        super().__init__()
        self.conv1 = nn.Conv2d(dim, dim, 3, padding=1)
        self.norm = group_norm(dim)
        self.film = nn.Linear(dim, 2 * dim)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x, token):
        scale, shift = self.film(token)[:, :, None, None].chunk(2, dim=1)
        h = self.norm(self.conv1(x)) * (1 + scale) + shift
        return x + self.conv2(F.gelu(h))


class ReasoningDecoder(nn.Module):
    def __init__(self, feature_channels, text_dim, dim=48, num_queries=4, hard=True,
                 refine=False):
        super().__init__()
        c4, c8, c16, c32 = feature_channels
        self.queries = nn.Parameter(torch.randn(num_queries, dim) * 0.02)
        self.stages = nn.ModuleList([
            ReasoningStage(c32, c16, dim, text_dim, hard=hard, refine=refine),
            ReasoningStage(dim, c8, dim, text_dim, hard=hard, refine=refine),
            ReasoningStage(dim, c4, dim, text_dim, hard=hard, pixels_read_text=False,
                           refine=refine),
        ])

    def forward(self, features, text):
        """features: [f4, f8, f16, f32]. Returns (stride-4 map, query tokens, 3 referent maps)."""
        f4, f8, f16, f32 = features
        queries = self.queries.unsqueeze(0).expand(text.shape[0], -1, -1)
        x = f32
        maps = []
        for stage, fine in zip(self.stages, (f16, f8, f4)):
            x, queries, referent = stage(x, fine, queries, text)
            maps.append(referent)
        return x, queries, maps


class MaskHead(nn.Module):
    """Stride-4 decoder map + similarity to the referent token -> full-size mask logits.

    A light full-resolution branch on the normalised image sharpens boundaries that stride 4
    cannot place (a car is 4x2 pixels at 1 m); it is trained with the head.
    """

    def __init__(self, dim=48, hidden=16, image_hidden=8):
        super().__init__()
        self.referent = nn.Linear(dim, dim)
        self.film = nn.Linear(dim, 2 * hidden)
        self.coarse_in = nn.Sequential(nn.Conv2d(dim + 1, hidden, 3, padding=1), group_norm(hidden))
        self.coarse_out = nn.Conv2d(hidden, hidden, 3, padding=1)
        self.image = nn.Sequential(nn.Conv2d(3, image_hidden, 3, padding=1), nn.GELU(),
                                   nn.Conv2d(image_hidden, image_hidden, 3, padding=1))
        # 1x1 at full resolution: the 3x3 context is already in both inputs.
        self.fuse = nn.Sequential(nn.GELU(), nn.Conv2d(hidden + image_hidden, hidden, 1),
                                  nn.GELU(), nn.Conv2d(hidden, 1, 1))

    def forward(self, x, queries, image):
        token = F.normalize(self.referent(queries[:, 0]), dim=-1)               # [N,C]
        sim = torch.einsum("nc,nchw->nhw", token, F.normalize(x, dim=1)).unsqueeze(1)
        scale, shift = self.film(queries[:, 0])[:, :, None, None].chunk(2, dim=1)
        h = self.coarse_in(torch.cat([x, sim], dim=1)) * (1 + scale) + shift
        h = self.coarse_out(F.gelu(h))
        h = F.interpolate(h, scale_factor=4.0, mode="bilinear", align_corners=False)
        return self.fuse(torch.cat([h, self.image(image)], dim=1))

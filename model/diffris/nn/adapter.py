"""Context Perception adapter: refines the frozen text features with the image in view.

refined = text + gamma * f(text, latent), gamma a learnable scalar initialised at 1e-4 (VPD's
text adapter), where f chains:
1. global context: a Transformer encoder layer over the text tokens;
2. object-aware cross-attention: text tokens attend to the visual latent's pixels;
3. low-rank domain adjustment: x + up(down(x)) with a rank-r bottleneck (up starts at zero).
At initialisation refined == text up to 1e-4, so training starts from the backbone's own text.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import CrossAttentionBlock, TransformerLayer


class ContextPerceptionAdapter(nn.Module):
    def __init__(self, text_dim, latent_channels, rank=8, heads=4, gamma_init=1e-4):
        super().__init__()
        self.context = TransformerLayer(text_dim, heads)
        self.visual = nn.Sequential(nn.Conv2d(latent_channels, text_dim, 1), nn.GELU(),
                                    nn.Conv2d(text_dim, text_dim, 1))
        self.object_attention = CrossAttentionBlock(text_dim, text_dim, heads)
        self.norm = nn.LayerNorm(text_dim)
        self.down = nn.Linear(text_dim, rank, bias=False)
        self.up = nn.Linear(rank, text_dim, bias=False)
        nn.init.zeros_(self.up.weight)
        self.gamma = nn.Parameter(torch.tensor(float(gamma_init)))

    def forward(self, text, latent):
        # The latent at half resolution is enough to find the objects and costs 4x less.
        visual = self.visual(F.avg_pool2d(latent, 2)).flatten(2).transpose(1, 2)
        h = self.context(text)
        h = self.object_attention(h, visual)
        h = self.norm(h)
        h = h + self.up(self.down(h))
        return text + self.gamma * h

"""CLIP ViT-L/14's text transformer in plain PyTorch: the text encoder Stable Diffusion 1.5 is
conditioned on, written from the published architecture, without `transformers`.

Token and position embeddings (49,408 x 768, 77 x 768) summed; 12 pre-LayerNorm blocks of causal
multi-head self-attention (12 heads of 64, queries scaled by 1/8) and an MLP 768 -> 3072 -> 768 with
QuickGELU (x * sigmoid(1.702 x)); a final LayerNorm (eps 1e-5 everywhere). The output is the last
hidden state [N, 77, 768], which SD 1.5 feeds to its UNet. No padding mask: SD pads with the end
token and attends causally only.

Module and parameter names are the diffusers/transformers ones (`text_model.encoder.layers.0.
self_attn.q_proj.weight`, ...), so the `text_encoder/` folder of the diffusers layout loads as is
and the single-file checkpoint loads with its `cond_stage_model.transformer.` prefix removed
(`load_state`). A reduced `ClipTextConfig` builds the same classes small, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

# The single-file checkpoint's (v1-5-pruned-emaonly) prefix for the text encoder's keys.
SINGLE_FILE_PREFIX = "cond_stage_model.transformer."
# A buffer some files carry (0..76); the model computes positions itself.
POSITION_IDS = "text_model.embeddings.position_ids"


@dataclass(frozen=True)
class ClipTextConfig:
    vocab_size: int = 49408
    max_positions: int = 77
    width: int = 768
    layers: int = 12
    heads: int = 12
    mlp_width: int = 3072
    eps: float = 1e-5

    @staticmethod
    def reduced() -> "ClipTextConfig":
        """The same architecture at a size a test runs in milliseconds."""
        return ClipTextConfig(vocab_size=300, width=32, layers=2, heads=4, mlp_width=64)


class ClipAttention(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.heads = c.heads
        self.head_width = c.width // c.heads
        self.scale = self.head_width**-0.5
        self.q_proj = nn.Linear(c.width, c.width, device=device)
        self.k_proj = nn.Linear(c.width, c.width, device=device)
        self.v_proj = nn.Linear(c.width, c.width, device=device)
        self.out_proj = nn.Linear(c.width, c.width, device=device)

    def forward(self, x: torch.Tensor, causal: torch.Tensor) -> torch.Tensor:
        n, length, width = x.shape

        def split(t):
            return t.reshape(n, length, self.heads, self.head_width).transpose(1, 2)

        q = split(self.q_proj(x) * self.scale)
        k = split(self.k_proj(x))
        v = split(self.v_proj(x))
        weights = torch.softmax(q @ k.transpose(-1, -2) + causal, dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(n, length, width))


class ClipMlp(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.fc1 = nn.Linear(c.width, c.mlp_width, device=device)
        self.fc2 = nn.Linear(c.mlp_width, c.width, device=device)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(h * torch.sigmoid(1.702 * h))  # QuickGELU, as CLIP was trained


class ClipEncoderLayer(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(c.width, eps=c.eps, device=device)
        self.self_attn = ClipAttention(c, device)
        self.layer_norm2 = nn.LayerNorm(c.width, eps=c.eps, device=device)
        self.mlp = ClipMlp(c, device)

    def forward(self, x, causal):
        x = x + self.self_attn(self.layer_norm1(x), causal)
        return x + self.mlp(self.layer_norm2(x))


class ClipEmbeddings(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.token_embedding = nn.Embedding(c.vocab_size, c.width, device=device)
        self.position_embedding = nn.Embedding(c.max_positions, c.width, device=device)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        return self.token_embedding(input_ids) + self.position_embedding(positions)[None]


class ClipEncoder(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.layers = nn.ModuleList(ClipEncoderLayer(c, device) for _ in range(c.layers))


class ClipTextTransformer(nn.Module):
    def __init__(self, c: ClipTextConfig, device=None):
        super().__init__()
        self.embeddings = ClipEmbeddings(c, device)
        self.encoder = ClipEncoder(c, device)
        self.final_layer_norm = nn.LayerNorm(c.width, eps=c.eps, device=device)


class ClipTextModel(nn.Module):
    """input_ids int64 [N, L <= 77] -> last hidden state float [N, L, width]."""

    def __init__(self, config: ClipTextConfig = ClipTextConfig(), device=None):
        super().__init__()
        self.config = config
        self.text_model = ClipTextTransformer(config, device)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        t = self.text_model
        x = t.embeddings(input_ids)
        length = input_ids.shape[1]
        # Position i attends to positions <= i only.
        causal = torch.full((length, length), float("-inf"), device=x.device).triu(1)
        for layer in t.encoder.layers:
            x = layer(x, causal)
        return t.final_layer_norm(x)

    def load_state(self, state: dict, source: str) -> list[str]:
        """Loads the text encoder's tensors from either published layout, strictly.

        `state` is a diffusers `text_encoder/` state dict or a whole single-file checkpoint (its
        `cond_stage_model.transformer.` keys are used, the rest ignored). Raises ValueError naming
        every missing or mis-shaped tensor and `source`; returns the unexpected keys of the text
        encoder's own (neither a parameter nor the position_ids buffer).
        """
        from ..weights.sd15 import load_into

        if any(k.startswith(SINGLE_FILE_PREFIX) for k in state):
            state = {
                k[len(SINGLE_FILE_PREFIX) :]: v
                for k, v in state.items()
                if k.startswith(SINGLE_FILE_PREFIX)
            }
        return [k for k in load_into(self, state, source) if k != POSITION_IDS]

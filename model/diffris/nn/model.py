"""DiffRIS: frozen diffusion backbone + Context Perception adapter + PCMRD + mask head.

Data flow (the segmenter graph of the bundle):
  image -> backbone.encode_image -> latent
  text_features (from the frozen text encoder, once per query) + latent -> adapter -> refined
  latent + refined -> one UNet pass at t=1, no noise -> [f4, f8, f16, f32]
  features + refined -> decoder -> stride-4 map + referent token -> head (+ image) -> logits
"""
import pickle

import torch
import torch.nn as nn

from .adapter import ContextPerceptionAdapter
from .backbone import build_backbone
from .decoder import MaskHead, ReasoningDecoder

DEFAULT_CONFIG = {
    "backbone": "tiny",
    "backbone_args": {},
    "decoder_dim": 48,
    "num_queries": 4,
    "adapter": True,
    "hard_assignment": True,
    "adapter_rank": 8,
    "decoder_refine": False,
}


class DiffRIS(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = {**DEFAULT_CONFIG, **config}
        cfg = self.config
        self.backbone = build_backbone(cfg["backbone"], **cfg["backbone_args"])
        b = self.backbone
        self.adapter = (ContextPerceptionAdapter(b.text_dim, b.latent_channels,
                                                 rank=cfg["adapter_rank"])
                        if cfg["adapter"] else None)
        self.decoder = ReasoningDecoder(b.feature_channels, b.text_dim, cfg["decoder_dim"],
                                        cfg["num_queries"], hard=cfg["hard_assignment"],
                                        refine=cfg["decoder_refine"])
        self.head = MaskHead(cfg["decoder_dim"])

    def trainable_modules(self):
        """The parts trained on a frozen backbone."""
        return [m for m in (self.adapter, self.decoder, self.head) if m is not None]

    def encode_text(self, input_ids):
        return self.backbone.encode_text(input_ids)

    def segment_latent(self, latent, text_features, image):
        """Mask logits [N,1,H,W] and the three stage referent maps, from a cached latent."""
        refined = self.adapter(text_features, latent) if self.adapter is not None \
            else text_features
        features = self.backbone.unet_features(latent, refined)
        x, queries, maps = self.decoder(features, refined)
        return self.head(x, queries, image), maps

    def forward(self, image, text_features):
        latent = self.backbone.encode_image(image)
        logits, _ = self.segment_latent(latent, text_features, image)
        return logits


class TextEncoderGraph(nn.Module):
    """The exported `text_encoder.onnx`: input_ids int64 [N,77] -> text_features [N,77,D]."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.encode_text(input_ids)


class SegmenterGraph(nn.Module):
    """The exported `segmenter.onnx`: image [N,3,H,W], text_features -> mask_logits [N,1,H,W]."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image, text_features):
        return self.model(image, text_features)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters()) if module is not None else 0


def checkpoint_state(model):
    """The weights a checkpoint keeps: all of them for a backbone we train ourselves (`tiny`),
    all but the backbone's for one whose published weights stay in their own file (`sd15`, whose
    checkpoint keeps that file's path in its config)."""
    state = model.state_dict()
    if getattr(model.backbone, "external_weights", False):
        state = {k: v for k, v in state.items() if not k.startswith("backbone.")}
    return state


def load_checkpoint(path, map_location="cpu", weights=None):
    """Rebuilds the model from a checkpoint written by the trainer; returns (model, checkpoint).

    `weights` replaces the backbone weights path an `sd15` checkpoint was trained with (the
    file moved, or another machine)."""
    try:
        ckpt = torch.load(path, map_location=map_location)
        config = ckpt["config"]
    except (RuntimeError, OSError, EOFError, KeyError, TypeError, pickle.UnpicklingError) as e:
        raise ValueError(f"{path}: not a checkpoint written by model/train.py (cut short or "
                         f"another kind of file): {e}") from e
    if weights is not None:
        if config.get("backbone") != "sd15":
            raise ValueError(f"{path}: a {config.get('backbone')} checkpoint holds its backbone; "
                             "backbone weights are given for sd15 checkpoints only")
        config = {**config, "backbone_args": {**config.get("backbone_args", {}),
                                              "weights": str(weights)}}
        ckpt["config"] = config
    model = DiffRIS(config)
    if getattr(model.backbone, "external_weights", False):
        missing, unexpected = model.load_state_dict(ckpt["model"], strict=False)
        missing = [k for k in missing if not k.startswith("backbone.")]
        if missing or unexpected:
            raise ValueError(f"{path}: not a checkpoint of this model; missing {missing[:5]}, "
                             f"unexpected {unexpected[:5]}")
    else:
        model.load_state_dict(ckpt["model"])
    model.backbone.freeze()
    model.eval()
    return model, ckpt

"""DiffRIS: frozen diffusion backbone + Context Perception adapter + PCMRD + mask head.

Data flow (the segmenter graph of the bundle):
  image -> backbone.encode_image -> latent
  text_features (from the frozen text encoder, once per query) [-> text projection] + latent
    -> adapter -> refined
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
    # A pretrained BERT-style sentence encoder (a key of bert_text.ENCODERS) in place of the
    # backbone's own text encoder: frozen, its weights read from its Maven jar and never kept in
    # a checkpoint. Its features ([N, L, 384]) are what the bundle's runtime feeds the segmenter;
    # a learned LayerNorm + Linear inside the segmenter brings them to the backbone's text width.
    "text_encoder": None,
    "text_pad_id": 0,
    # How the runtime shapes the encoder's last hidden state before the segmenter sees it.
    # None: as it is. "mean-at-cls": the mean over the real tokens (the sentence embedding the
    # encoder was trained to give) in place of [CLS], and the padding zeroed. Paraphrases of one
    # meaning get near sentence embeddings even when their tokens differ ("rooftops", "buildings").
    "text_pooling": None,
}

TEXT_POOLINGS = (None, "mean-at-cls")

# Weights a checkpoint does not keep because they come from their own published file.
EXTERNAL_PREFIXES = {"sd15": ("backbone.",), "text_encoder": ("text_encoder.",)}


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
        self.text_encoder = None
        self.text_projection = None
        if cfg["text_encoder"]:
            from .bert_text import load_pretrained

            self.text_encoder = load_pretrained(cfg["text_encoder"])[0]
            width = self.text_encoder.config.width
            self.text_projection = nn.Sequential(nn.LayerNorm(width),
                                                 nn.Linear(width, b.text_dim))

    def trainable_modules(self):
        """The parts trained on a frozen backbone."""
        return [m for m in (self.text_projection, self.adapter, self.decoder, self.head)
                if m is not None]

    def train(self, mode=True):
        super().train(mode)
        if self.text_encoder is not None:  # frozen, as the backbone
            self.text_encoder.eval()
        return self

    def encode_text(self, input_ids):
        """The text features the bundle's text encoder gives for these ids (what the runtime
        feeds the segmenter)."""
        if self.text_encoder is None:
            return self.backbone.encode_text(input_ids)
        mask = attention_mask(input_ids, self.config["text_pad_id"])
        return pool_text(self.text_encoder(input_ids, mask), mask, self.config["text_pooling"])

    def segment_latent(self, latent, text_features, image):
        """Mask logits [N,1,H,W] and the three stage referent maps, from a cached latent."""
        if self.text_projection is not None:
            text_features = self.text_projection(text_features)
        refined = self.adapter(text_features, latent) if self.adapter is not None \
            else text_features
        features = self.backbone.unet_features(latent, refined)
        x, queries, maps = self.decoder(features, refined)
        return self.head(x, queries, image), maps

    def forward(self, image, text_features):
        latent = self.backbone.encode_image(image)
        logits, _ = self.segment_latent(latent, text_features, image)
        return logits


def pool_text(hidden, mask, pooling):
    """The segmenter's text features from an encoder's last hidden state [N, L, D] and its
    attention mask [N, L] (see DEFAULT_CONFIG["text_pooling"]; the Java runtime does the same)."""
    if pooling is None:
        return hidden
    if pooling != "mean-at-cls":
        raise ValueError(f"unknown text pooling {pooling!r}; known: {TEXT_POOLINGS}")
    m = mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)
    return torch.cat([mean.unsqueeze(1), (hidden * m)[:, 1:]], dim=1)


def attention_mask(input_ids, pad_id):
    """1 from [CLS] to [SEP], 0 for the padding after it: the mask the tokenizer gives (Java's and
    HuggingFace's), read back from the ids. Not `ids != pad`: a "[PAD]" typed in the text is a
    real token, kept with a 1; the padding is the run of pad ids after the last other id."""
    real = (input_ids != pad_id).long()
    return real.flip(-1).cummax(-1).values.flip(-1)


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


def external_prefixes(model):
    """State-dict prefixes of the weights that stay in their own published file: the backbone of
    `sd15` (its checkpoint keeps the file's path in its config) and a pretrained text encoder
    (read from its Maven jar)."""
    prefixes = ()
    if getattr(model.backbone, "external_weights", False):
        prefixes += EXTERNAL_PREFIXES["sd15"]
    if model.text_encoder is not None:
        prefixes += EXTERNAL_PREFIXES["text_encoder"]
    return prefixes


def checkpoint_state(model):
    """The weights a checkpoint keeps: all but those of `external_prefixes`."""
    prefixes = external_prefixes(model)
    return {k: v for k, v in model.state_dict().items()
            if not (prefixes and k.startswith(prefixes))}


def load_state(model, state, source):
    """Loads a checkpoint's weights; only the external ones may be missing."""
    prefixes = external_prefixes(model)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not (prefixes and k.startswith(prefixes))]
    if missing or unexpected:
        raise ValueError(f"{source}: not a checkpoint of this model; missing {missing[:5]}, "
                         f"unexpected {unexpected[:5]}")


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
    load_state(model, ckpt["model"], path)
    model.backbone.freeze()
    model.eval()
    return model, ckpt

"""DiffRIS network: backbones (`tiny`, `sd15`), adapter, reasoning decoder, mask head, loss."""
from .backbone import DiffusionBackbone, build_backbone
from .model import DiffRIS, SegmenterGraph, TextEncoderGraph, checkpoint_state, count_parameters, \
    load_checkpoint, load_state

__all__ = ["DiffusionBackbone", "build_backbone", "DiffRIS", "SegmenterGraph",
           "TextEncoderGraph", "checkpoint_state", "count_parameters", "load_checkpoint",
           "load_state"]

"""The frozen diffusion backbone interface shared by the `tiny` and `sd15` implementations.

A backbone does three things, each usable on its own so latents and text features can be cached:
- `encode_text(input_ids [N,77]) -> [N,77,text_dim]`  (CLIP-style token features)
- `encode_image(image [N,3,H,W]) -> latent [N,C,H/latent_stride,W/latent_stride]` (the VAE
  posterior mode times the backbone's latent scale)
- `unet_features(latent, text) -> [f4, f8, f16, f32]`, one denoising-UNet pass at a small
  timestep with no noise, feature maps at strides 4/8/16/32 of the input image, channel counts
  in `feature_channels`.
"""
import torch.nn as nn


class DiffusionBackbone(nn.Module):
    text_dim: int
    latent_channels: int
    latent_stride: int
    feature_channels: tuple
    max_length: int = 77

    def encode_text(self, input_ids):
        raise NotImplementedError

    def encode_image(self, image):
        raise NotImplementedError

    def unet_features(self, latent, text):
        raise NotImplementedError

    def freeze(self):
        """Stops all gradients into the backbone's own weights and puts it in eval mode."""
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()
        self.frozen = True
        return self

    def train(self, mode=True):
        # A frozen backbone stays in eval mode whatever its parent module asks.
        return super().train(mode and not getattr(self, "frozen", False))


def build_backbone(name, **kwargs):
    """`tiny` (our CPU-sized backbone) or `sd15` (Stable Diffusion 1.5 + CLIP ViT-L/14)."""
    if name == "tiny":
        from .tiny import TinyBackbone
        return TinyBackbone(**kwargs)
    if name == "sd15":
        from .sd15 import Sd15Backbone
        return Sd15Backbone(**kwargs)
    raise ValueError(f"unknown backbone {name!r}: use 'tiny' or 'sd15'")

"""`sd15`: the real frozen backbone — Stable Diffusion 1.5 UNet + VAE and CLIP ViT-L/14 text.

VPD's recipe: VAE posterior mode times 0.18215 as the latent, one UNet pass at timestep t = 1
with no noise added, conditioned on the (refined) CLIP token features [N,77,768]; features are
the outputs of the UNet's four up-blocks. For a 512 px tile (latent 64x64) those are at image
strides 32 (1280 ch), 16 (1280 ch), 8 (640 ch) and 8 (320 ch); the last is upsampled x2 to give
the stride-4 map the decoder expects.

Needs `diffusers` and `transformers` and the weights (a local folder or hub id in the diffusers
layout with `unet/`, `vae/`, `text_encoder/`). Those packages are import-guarded: without them,
building this backbone raises `BackboneUnavailable` with the reason.
"""
import torch
import torch.nn.functional as F

from .backbone import DiffusionBackbone

MISSING_MESSAGE = ("diffusers and transformers are not installed; the sd15 backbone needs them "
                   "(pip install diffusers transformers) and Stable Diffusion 1.5 weights")


class BackboneUnavailable(RuntimeError):
    pass


def sd15_available():
    try:
        import diffusers  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


class Sd15Backbone(DiffusionBackbone):
    text_dim = 768
    latent_channels = 4
    latent_stride = 8
    feature_channels = (320, 640, 1280, 1280)
    latent_scale = 0.18215

    def __init__(self, weights="runwayml/stable-diffusion-v1-5",
                 text_weights="openai/clip-vit-large-patch14", feature_timestep=1):
        super().__init__()
        if not sd15_available():
            raise BackboneUnavailable(MISSING_MESSAGE)
        from diffusers import AutoencoderKL, UNet2DConditionModel
        from transformers import CLIPTextModel
        self.weights = weights
        self.feature_timestep = feature_timestep
        self.vae = AutoencoderKL.from_pretrained(weights, subfolder="vae")
        self.unet = UNet2DConditionModel.from_pretrained(weights, subfolder="unet")
        self.text_encoder = CLIPTextModel.from_pretrained(text_weights)
        self._captured = []
        for block in self.unet.up_blocks:
            block.register_forward_hook(lambda _m, _i, out: self._captured.append(out))

    def encode_text(self, input_ids):
        return self.text_encoder(input_ids=input_ids).last_hidden_state

    def encode_image(self, image):
        # The VAE expects RGB in [-1, 1]; the caller's normalisation must produce that
        # (model.json mean 0.5, std 0.5 for this backbone).
        return self.vae.encode(image).latent_dist.mode() * self.latent_scale

    def unet_features(self, latent, text):
        self._captured = []
        t = torch.full((latent.shape[0],), self.feature_timestep, dtype=torch.long,
                       device=latent.device)
        self.unet(latent, t, encoder_hidden_states=text)
        f32, f16, f8, f8b = self._captured
        self._captured = []
        f4 = F.interpolate(f8b, scale_factor=2.0, mode="bilinear", align_corners=False)
        return [f4, f8, f16, f32]

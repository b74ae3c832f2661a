"""`sd15`: the real frozen backbone, Stable Diffusion 1.5's VAE encoder and UNet with CLIP
ViT-L/14's text transformer, in plain PyTorch (`sd_vae`, `sd_unet`, `clip_text`).

VPD's recipe, which DiffRIS follows: the VAE posterior mode times 0.18215 is the latent; one UNet
pass at timestep t = 1 with no noise added, conditioned on the (refined) CLIP token features
[N, 77, 768]; the features are the outputs of the UNet's four up-blocks. For a 512 px tile (latent
64 x 64) those are at image strides 32 (1280 ch), 16 (1280 ch), 8 (640 ch) and 8 (320 ch); the
last is upsampled x2 to give the stride-4 map the decoder expects.

`size="full"` is SD 1.5 as published (about 1.02 billion parameters in the three parts);
`size="reduced"` is the same classes narrow and shallow, with the same strides, for tests and for
checking the whole path on a CPU. The weights come from `weights` (a single-file checkpoint,
`.safetensors` or `.ckpt`, or a diffusers folder; read by `diffris.weights.sd15`); without them
the backbone is randomly initialised from `seed`, which is only good for structure and timing.

The image must reach the VAE in [-1, 1]: a bundle of this backbone says scale 1/255, mean 0.5,
std 0.5 in model.json.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .backbone import DiffusionBackbone
from .clip_text import ClipTextConfig, ClipTextModel
from .sd_unet import Unet, UnetConfig
from .sd_vae import LATENT_SCALE, VaeConfig, VaeEncoder

SIZES = ("full", "reduced")
# The [-1, 1] input the SD VAE was trained on, as model.json's normalisation of 0-255 pixels.
IMAGE_MEAN = [0.5, 0.5, 0.5]
IMAGE_STD = [0.5, 0.5, 0.5]


@dataclass(frozen=True)
class Sd15Config:
    vae: VaeConfig
    unet: UnetConfig
    text: ClipTextConfig

    @staticmethod
    def of(size: str, vocab_size: int | None = None) -> "Sd15Config":
        """`full` (SD 1.5, CLIP's 49,408 tokens) or `reduced`; `vocab_size` only for `reduced`,
        whose tokenizer is whatever the run learnt."""
        if size == "full":
            if vocab_size not in (None, ClipTextConfig().vocab_size):
                raise ValueError(
                    f"the full sd15 backbone has CLIP's {ClipTextConfig().vocab_size} tokens; "
                    f"a tokenizer of {vocab_size} does not fit it"
                )
            return Sd15Config(VaeConfig(), UnetConfig(), ClipTextConfig())
        if size == "reduced":
            width = 32
            return Sd15Config(
                # Four levels like SD's VAE, so the latent is at stride 8 as in the full model.
                VaeConfig(channels=(8, 16, 16, 16), layers_per_block=1, groups=4),
                UnetConfig(channels=(32, 64, 64, 64), heads=2, text_width=width, groups=8),
                ClipTextConfig(
                    vocab_size=vocab_size or 300, width=width, layers=2, heads=4, mlp_width=64
                ),
            )
        raise ValueError(f"unknown sd15 size {size!r}: use one of {', '.join(SIZES)}")


class Sd15Backbone(DiffusionBackbone):
    latent_channels = 4
    latent_scale = LATENT_SCALE
    # The published weights live outside our checkpoints: a checkpoint keeps the path only.
    external_weights = True

    def __init__(
        self,
        size: str = "full",
        weights: str | None = None,
        vocab_size: int | None = None,
        feature_timestep: int = 1,
        seed: int = 0,
        device=None,
    ):
        super().__init__()
        config = self.config = Sd15Config.of(size, vocab_size)
        self.size = size
        self.weights = weights
        self.feature_timestep = feature_timestep
        self.text_dim = config.text.width
        self.latent_stride = 2 ** (len(config.vae.channels) - 1)
        self.feature_channels = tuple(config.unet.channels)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.vae = VaeEncoder(config.vae, device)
            self.unet = Unet(config.unet, device)
            self.text_encoder = ClipTextModel(config.text, device)
        if weights is not None:
            self.load_weights(weights)

    def load_weights(self, path):
        """Loads the three parts from a single file or a diffusers folder; returns the keys of
        the file(s) that were not used (the VAE decoder, EMA copies, ...)."""
        from ..weights.sd15 import load_into, read_sd15

        state = read_sd15(path)
        # consume: each tensor is dropped once copied, so 4 GB are not held twice.
        load_into(self.vae, state.vae, state.source, consume=True)
        load_into(self.unet, state.unet, state.source, consume=True)
        load_into(self.text_encoder, state.text, state.source, consume=True)
        return state.ignored

    def encode_text(self, input_ids):
        return self.text_encoder(input_ids)

    def encode_image(self, image):
        return self.vae(image)

    def unet_features(self, latent, text):
        t = torch.full(
            (latent.shape[0],), self.feature_timestep, dtype=torch.long, device=latent.device
        )
        (f32, f16, f8, f8b), _noise = self.unet(latent, t, text)
        f4 = F.interpolate(f8b, scale_factor=2.0, mode="bilinear", align_corners=False)
        return [f4, f8, f16, f32]

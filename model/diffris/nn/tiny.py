"""`tiny`: our own CPU-sized stand-in for Stable Diffusion 1.5 + CLIP.

Same roles, scaled down:
- `TinyImageEncoder`: VAE-like encoder to a latent at stride 4 (SD's VAE is stride 8; stride 4
  keeps a 64 px tile at 16x16 latent pixels so the UNet can give stride-4..32 maps).
  `TinyImageDecoder` exists for pre-training only (reconstruction keeps the latent informative).
- `TinyTextEncoder`: CLIP-style causal Transformer over BPE ids (77 positions, final LayerNorm).
- `TinyUNet`: text-conditioned denoising UNet on the latent with cross-attention, timestep
  embedding, three downsamplings; its up path gives features at latent strides 8/4/2/1, i.e.
  image strides 32/16/8/4.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .backbone import DiffusionBackbone
from .layers import ResBlock, SpatialCrossAttention, TransformerLayer, group_norm, \
    timestep_embedding, upsample2


class TinyImageEncoder(nn.Module):
    """Two stride-2 convolutions with residual blocks at 1/2 and 1/4 resolution (no
    full-resolution block: on a CPU it would cost more than the rest of the encoder)."""

    def __init__(self, latent_channels=8, widths=(16, 24, 48)):
        super().__init__()
        w0, w1, w2 = widths
        self.stem = nn.Conv2d(3, w0, 3, padding=1)
        self.down1 = nn.Conv2d(w0, w1, 3, stride=2, padding=1)
        self.block1 = ResBlock(w1, w1)
        self.down2 = nn.Conv2d(w1, w2, 3, stride=2, padding=1)
        self.block2 = ResBlock(w2, w2)
        self.norm = group_norm(w2)
        self.moments = nn.Conv2d(w2, 2 * latent_channels, 1)

    def forward(self, image):
        """Returns the posterior (mean, logvar), each [N, latent_channels, H/4, W/4]."""
        h = self.stem(image)
        h = self.block1(self.down1(F.silu(h)))
        h = self.block2(self.down2(h))
        mean, logvar = self.moments(F.silu(self.norm(h))).chunk(2, dim=1)
        return mean, logvar.clamp(-20.0, 10.0)


class TinyImageDecoder(nn.Module):
    """Mirror of the encoder, used only to pre-train it (reconstruction)."""

    def __init__(self, latent_channels=8, widths=(48, 24, 16)):
        super().__init__()
        w0, w1, w2 = widths
        self.stem = nn.Conv2d(latent_channels, w0, 3, padding=1)
        self.block0 = ResBlock(w0, w0)
        self.up1 = nn.Conv2d(w0, w1, 3, padding=1)
        self.block1 = ResBlock(w1, w1)
        self.up2 = nn.Conv2d(w1, w2, 3, padding=1)
        self.norm = group_norm(w2)
        self.out = nn.Conv2d(w2, 3, 3, padding=1)

    def forward(self, latent):
        h = self.block0(self.stem(latent))
        h = self.block1(self.up1(upsample2(h)))
        h = self.up2(upsample2(h))
        return self.out(F.silu(self.norm(h)))


class TinyTextEncoder(nn.Module):
    def __init__(self, vocab_size, dim=64, layers=2, heads=4, max_length=77):
        super().__init__()
        self.token = nn.Embedding(vocab_size, dim)
        self.position = nn.Parameter(torch.randn(max_length, dim) * 0.01)
        self.layers = nn.ModuleList(TransformerLayer(dim, heads) for _ in range(layers))
        self.final_norm = nn.LayerNorm(dim)
        # CLIP's text encoder is causal; a large negative (not -inf) keeps ONNX constants finite.
        mask = torch.full((max_length, max_length), -1e4).triu(1)
        self.register_buffer("causal_mask", mask, persistent=False)
        nn.init.normal_(self.token.weight, std=0.02)

    def forward(self, input_ids):
        x = self.token(input_ids) + self.position
        for layer in self.layers:
            x = layer(x, causal_mask=self.causal_mask)
        return self.final_norm(x)


class _Level(nn.Module):
    def __init__(self, cin, cout, time_dim, text_dim, attend):
        super().__init__()
        self.res = ResBlock(cin, cout, time_dim)
        self.attn = SpatialCrossAttention(cout, text_dim) if attend else None

    def forward(self, x, temb, text):
        x = self.res(x, temb)
        return self.attn(x, text) if self.attn is not None else x


class TinyUNet(nn.Module):
    """Denoising UNet: eps-prediction output plus the four up-path feature maps."""

    def __init__(self, latent_channels=8, text_dim=64, widths=(24, 32, 48, 64), time_dim=64):
        super().__init__()
        self.widths = widths
        self.time_dim = time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, time_dim), nn.SiLU(),
                                      nn.Linear(time_dim, time_dim))
        self.conv_in = nn.Conv2d(latent_channels, widths[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        for i, w in enumerate(widths):
            cin = widths[max(i - 1, 0)]
            self.down.append(_Level(cin, w, time_dim, text_dim, attend=i >= 1))
            if i < len(widths) - 1:
                self.downsample.append(nn.Conv2d(w, w, 3, stride=2, padding=1))
        self.mid = _Level(widths[-1], widths[-1], time_dim, text_dim, attend=True)
        self.up = nn.ModuleList()
        for i in reversed(range(len(widths))):
            cin = widths[i] * 2 if i == len(widths) - 1 else widths[i + 1] + widths[i]
            # No attention at the finest level: it would dominate the cost on a CPU.
            self.up.append(_Level(cin, widths[i], time_dim, text_dim, attend=i >= 1))
        self.norm_out = group_norm(widths[0])
        self.conv_out = nn.Conv2d(widths[0], latent_channels, 3, padding=1)

    def forward(self, latent, timesteps, text):
        """Returns (eps prediction, [f_stride1, f_stride2, f_stride4, f_stride8] of the latent)."""
        temb = self.time_mlp(timestep_embedding(timesteps, self.time_dim))
        h = self.conv_in(latent)
        skips = []
        for i, level in enumerate(self.down):
            h = level(h, temb, text)
            skips.append(h)
            if i < len(self.downsample):
                h = self.downsample[i](h)
        h = self.mid(h, temb, text)
        features = []
        for j, level in enumerate(self.up):
            skip = skips[len(skips) - 1 - j]
            if j > 0:
                h = upsample2(h)
            h = level(torch.cat([h, skip], dim=1), temb, text)
            features.append(h)
        eps = self.conv_out(F.silu(self.norm_out(h)))
        return eps, features[::-1]


class TinyBackbone(DiffusionBackbone):
    latent_stride = 4

    def __init__(self, vocab_size, text_dim=64, latent_channels=8, unet_widths=(24, 32, 48, 64),
                 text_layers=2, feature_timestep=1, num_train_timesteps=1000):
        super().__init__()
        self.text_dim = text_dim
        self.latent_channels = latent_channels
        self.feature_channels = tuple(unet_widths)
        self.feature_timestep = feature_timestep
        self.num_train_timesteps = num_train_timesteps
        self.image_encoder = TinyImageEncoder(latent_channels)
        self.image_decoder = TinyImageDecoder(latent_channels)
        # None when a pretrained encoder beside the backbone gives the text (DiffRIS's
        # `text_encoder`): the backbone then has no text encoder of its own.
        self.text_encoder = (TinyTextEncoder(vocab_size, text_dim, layers=text_layers)
                             if vocab_size else None)
        self.unet = TinyUNet(latent_channels, text_dim, unet_widths)
        # Like SD's 0.18215: set after pre-training so that latents have unit variance.
        self.register_buffer("latent_scale", torch.ones(()))

    def encode_text(self, input_ids):
        if self.text_encoder is None:
            raise ValueError("this tiny backbone has no text encoder of its own: the model's "
                             "pretrained text encoder gives the text features")
        return self.text_encoder(input_ids)

    def encode_image(self, image):
        mean, _ = self.image_encoder(image)
        return mean * self.latent_scale

    def unet_features(self, latent, text):
        t = torch.full_like(latent[:, 0, 0, 0], float(self.feature_timestep))
        _, features = self.unet(latent, t, text)
        return features

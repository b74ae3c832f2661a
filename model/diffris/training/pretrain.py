"""Stage 1: pre-trains the `tiny` backbone on image-expression pairs (no masks are used).

Three objectives, summed, as SD and CLIP are trained (scaled down, jointly instead of in turn):
- VAE: the encoder's posterior sample is decoded back to the image (L1 + MSE) with a small KL
  term, which keeps the latent informative;
- denoising: on the (detached, scaled) posterior mean, DDPM noise at a uniform timestep from SD's
  scaled-linear schedule (1000 steps), the UNet predicts the noise conditioned on the expression's
  text features (MSE);
- image-text contrast (CLIP's InfoNCE) between the text features at the last position and a
  pooled projection of the latent, so the text encoder learns words that matter in images.
With a pretrained, frozen text encoder (``text_projection`` given) the conditioning is that
encoder's cached features through the model's learned projection, which trains here with the
backbone (the encoder's own text encoder is not used), and the contrast reads the first
position ([CLS], where BERT-style encoders put the sentence).
After it, `latent_scale` is set to 1 / std of the latent (SD's 0.18215 plays that role).
"""
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import progress as stage_progress


def sd_alphas_cumprod(steps=1000, beta_start=0.00085, beta_end=0.012):
    betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, steps) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


class ContrastiveHeads(nn.Module):
    """Throw-away projection heads for the image-text objective (not part of the backbone)."""

    def __init__(self, latent_channels, text_dim, dim=64):
        super().__init__()
        self.image = nn.Sequential(nn.Conv2d(latent_channels, dim, 3, padding=1), nn.GELU(),
                                   nn.Conv2d(dim, dim, 3, padding=1))
        self.image_proj = nn.Linear(dim, dim)
        self.text_proj = nn.Linear(text_dim, dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, latent, text, position=-1):
        img = F.normalize(self.image_proj(self.image(latent).mean(dim=(2, 3))), dim=-1)
        txt = F.normalize(self.text_proj(text[:, position]), dim=-1)
        logits = img @ txt.t() * self.logit_scale.exp().clamp(max=100)
        labels = torch.arange(len(img))
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


class BackbonePretrainer:
    def __init__(self, backbone, lr=1e-3, kl_weight=1e-4, contrast_weight=0.1,
                 text_projection=None):
        self.backbone = backbone
        self.text_projection = text_projection
        self.heads = ContrastiveHeads(backbone.latent_channels, backbone.text_dim)
        self.trained = list(backbone.parameters())
        if text_projection is not None:
            self.trained += list(text_projection.parameters())
        params = self.trained + list(self.heads.parameters())
        self.optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=1e-2)
        self.base_lr = lr
        self.kl_weight = kl_weight
        self.contrast_weight = contrast_weight
        self.alphas = sd_alphas_cumprod(backbone.num_train_timesteps)
        self.latent_std = None

    def step(self, images, text_input, progress):
        """`text_input`: token ids for the backbone's own text encoder, or the pretrained
        encoder's features when there is a `text_projection`."""
        b = self.backbone
        lr = self.base_lr * min(1.0, progress * 20) * 0.5 * (1 + math.cos(math.pi * progress))
        for g in self.optimizer.param_groups:
            g["lr"] = lr
        mean, logvar = b.image_encoder(images)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        recon = b.image_decoder(z)
        rec = F.l1_loss(recon, images) + F.mse_loss(recon, images)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        latent = mean.detach()
        std = latent.std().clamp(min=1e-3)
        self.latent_std = std.item() if self.latent_std is None else \
            0.98 * self.latent_std + 0.02 * std.item()
        latent = latent / self.latent_std
        if self.text_projection is None:
            text, position = b.text_encoder(text_input), -1
        else:
            text, position = self.text_projection(text_input), 0
        t = torch.randint(0, len(self.alphas), (len(images),))
        a = self.alphas[t].view(-1, 1, 1, 1)
        noise = torch.randn_like(latent)
        eps, _ = b.unet(a.sqrt() * latent + (1 - a).sqrt() * noise, t, text)
        diffusion = F.mse_loss(eps, noise)
        contrast = self.heads(latent, text, position)
        loss = rec + self.kl_weight * kl + diffusion + self.contrast_weight * contrast
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.trained, 1.0)
        self.optimizer.step()
        return {"loss": loss.item(), "rec": rec.item(), "kl": kl.item(),
                "diffusion": diffusion.item(), "contrast": contrast.item(), "lr": lr}

    def finish(self):
        self.backbone.latent_scale.fill_(1.0 / self.latent_std)

    def state_dict(self):
        return {"heads": self.heads.state_dict(), "optimizer": self.optimizer.state_dict(),
                "latent_std": self.latent_std}

    def load_state_dict(self, state):
        self.heads.load_state_dict(state["heads"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.latent_std = state["latent_std"]


def run_pretraining(backbone, images_fn, ids_fn, count, steps, minutes, batch, log, state=None,
                    save_fn=None, start_step=0, seed=0, text_projection=None):
    """Trains until `steps` or `minutes` (whichever comes first; the schedule follows the larger
    fraction). images_fn(idx) -> normalised images, ids_fn(idx) -> token ids (or, with a
    `text_projection`, the pretrained encoder's features)."""
    trainer = BackbonePretrainer(backbone, text_projection=text_projection)
    if state is not None:
        trainer.load_state_dict(state)
    backbone.train()
    if text_projection is not None:
        text_projection.train()
    gen = torch.Generator().manual_seed(seed + start_step)
    start = time.time()
    elapsed_before = state.get("elapsed", 0.0) if state else 0.0
    step = start_step
    while True:
        elapsed = elapsed_before + time.time() - start
        progress = stage_progress(step, steps, elapsed, minutes)
        if progress >= 1.0:
            break
        idx = torch.randint(0, count, (batch,), generator=gen)
        parts = trainer.step(images_fn(idx), ids_fn(idx), progress)
        step += 1
        if step % 25 == 0 or step == start_step + 1:
            log("stage1 step %d %.0fs %s" % (step, elapsed, " ".join(
                f"{k}={v:.4g}" for k, v in parts.items())))
        if save_fn and step % 200 == 0:
            save_fn(step, {**trainer.state_dict(), "elapsed": elapsed})
    trainer.finish()
    return step, elapsed_before + time.time() - start

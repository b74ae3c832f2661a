"""Stage 2: trains adapter + decoder + head on the frozen backbone.

The backbone's image latents and text features depend only on the frozen weights, so they are
computed once and cached; every step still runs the frozen UNet (its conditioning is the
adapter's refined text, so gradients pass through it to the adapter).
With `joint=True` the UNet's weights train too (the side-by-side jointly fine-tuned variant;
latents and text features stay cached, the image and text encoders stay frozen). With
`image_encoder=True` the image encoder trains as well: its latents are then computed from the
image at every step (a cached latent would be that of weights since changed).
"""
import math
import time

import torch

from . import progress as stage_progress
from .losses import segmentation_loss


def device_of(model):
    return next(model.parameters()).device


@torch.no_grad()
def cache_latents(model, images_fn, count, batch=256, first=0):
    """Latents of samples first..count-1, kept in host memory (the model may be on a GPU)."""
    out = []
    for start in range(first, count, batch):
        idx = torch.arange(start, min(count, start + batch))
        out.append(model.backbone.encode_image(images_fn(idx).to(device_of(model))).cpu())
    return torch.cat(out)


@torch.no_grad()
def cache_text(model, id_rows, batch=512, known=None):
    """Text features of each distinct id row; returns (features [U,77,D], index per sample).

    Distinct rows are numbered in order of first occurrence, so for rows that extend those of
    an earlier call, that call's features (`known`) are the first U' here and are reused."""
    keys = {}
    index = []
    for row in id_rows:
        index.append(keys.setdefault(tuple(row), len(keys)))
    unique = torch.tensor(list(keys.keys()), dtype=torch.long)
    first = 0 if known is None else len(known)
    parts = [] if known is None else [known]
    parts += [model.encode_text(unique[s:s + batch].to(device_of(model))).cpu()
              for s in range(first, len(unique), batch)]
    return torch.cat(parts), torch.tensor(index, dtype=torch.long)


def fine_tuned_backbone_parts(model, joint=False, image_encoder=False):
    """The backbone modules stage 2 trains besides the adapter, decoder and head."""
    return ([model.backbone.unet] if joint else []) + \
        ([model.backbone.image_encoder] if image_encoder else [])


def trainable_parameters(model, joint=False, image_encoder=False):
    params = [p for m in model.trainable_modules() for p in m.parameters()]
    for part in fine_tuned_backbone_parts(model, joint, image_encoder):
        params += list(part.parameters())
    return params


class SegmentationTrainer:
    def __init__(self, model, lr=1e-3, weight_decay=1e-2, joint=False, image_encoder=False,
                 aux_weight=0.1):
        self.model = model
        self.image_encoder = image_encoder
        self.tuned = fine_tuned_backbone_parts(model, joint, image_encoder)
        for part in self.tuned:
            for p in part.parameters():
                p.requires_grad_(True)
        self.params = trainable_parameters(model, joint, image_encoder)
        self.optimizer = torch.optim.AdamW(self.params, lr=lr, weight_decay=weight_decay)
        self.base_lr = lr
        self.aux_weight = aux_weight

    def step(self, latent, text, image, target, progress):
        """One AdamW step; `latent` is the cached one, unused (may be None) when the image
        encoder trains."""
        lr = self.base_lr * min(1.0, progress * 25) * 0.5 * (1 + math.cos(math.pi * progress))
        for g in self.optimizer.param_groups:
            g["lr"] = lr
        self.model.train()
        for part in self.tuned:
            part.train()
        if self.image_encoder:
            latent = self.model.backbone.encode_image(image)
        logits, maps = self.model.segment_latent(latent, text, image)
        loss, parts = segmentation_loss(logits, maps, target, self.aux_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        parts.update(loss=loss.item(), lr=lr)
        return parts


@torch.no_grad()
def predict_latent(model, latent, text, image, batch=128):
    model.eval()
    device = device_of(model)
    out = []
    for s in range(0, len(latent), batch):
        logits, _ = model.segment_latent(latent[s:s + batch].to(device),
                                         text[s:s + batch].to(device),
                                         image[s:s + batch].to(device))
        out.append(logits.cpu())
    return torch.cat(out)


def quick_miou(logits, target_fraction):
    """mIoU at the model's resolution against the >= 50 % covered mask (validation only)."""
    pred = logits > 0
    truth = target_fraction >= 0.5
    inter = (pred & truth).flatten(1).sum(1).float()
    union = (pred | truth).flatten(1).sum(1).float()
    iou = torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))
    return iou.mean().item()


def run_segmentation_training(trainer, batch_fn, count, steps, minutes, batch, log,
                              validate_fn=None, save_fn=None, start_step=0, elapsed_before=0.0,
                              seed=0, every=200):
    gen = torch.Generator().manual_seed(seed + 7919 + start_step)
    start = time.time()
    step = start_step
    while True:
        elapsed = elapsed_before + time.time() - start
        progress = stage_progress(step, steps, elapsed, minutes)
        if progress >= 1.0:
            break
        idx = torch.randint(0, count, (batch,), generator=gen)
        parts = trainer.step(*batch_fn(idx), progress)
        step += 1
        if step % 25 == 0 or step == start_step + 1:
            log("stage2 step %d %.0fs %s" % (step, elapsed, " ".join(
                f"{k}={v:.4g}" for k, v in parts.items())))
        if step % every == 0:
            if validate_fn:
                log("stage2 step %d val mIoU(model res)=%.4f" % (step, validate_fn()))
            if save_fn:
                save_fn(step, elapsed)
    return step, elapsed_before + time.time() - start

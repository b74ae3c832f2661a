"""Segmentation loss: BCE + Dice on the mask, small auxiliary Dice on the stage referent maps."""
import torch
import torch.nn.functional as F


def dice_loss(prob, target, eps=1.0):
    """1 - soft Dice per sample, averaged; prob and target in [0, 1], same shape [N,1,H,W]."""
    p = prob.flatten(1)
    t = target.flatten(1)
    inter = (p * t).sum(1)
    return (1 - (2 * inter + eps) / (p.sum(1) + t.sum(1) + eps)).mean()


def segmentation_loss(logits, maps, target, aux_weight=0.1):
    """target: covered fraction [N,1,H,W] at the logits' size. Returns (total, parts dict)."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    dice = dice_loss(torch.sigmoid(logits), target)
    aux = logits.new_zeros(())
    for m in maps:
        small = F.adaptive_avg_pool2d(target, m.shape[-2:])
        aux = aux + dice_loss(m, small)
    total = bce + dice + aux_weight * aux
    return total, {"bce": bce.item(), "dice": dice.item(), "aux": aux.item()}

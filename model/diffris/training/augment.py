"""Stage-2 augmentation: a training sample seen turned, mirrored and under other light.

What may change depends on what the sample's expression says (its type in the corpus):

- the eight symmetries of the square (four quarter turns, each mirrored or not), applied to the
  image and its mask together, unless the expression names a place or a direction ("the car on
  the left", "the tank above the road", "houses in the north": types position, relation,
  region). Buildings, roads and water have no up in an aerial image; "the left one" does.
- brightness, contrast and saturation drawn around 1, unless the expression names a colour
  ("the grey storage tank": colour, colour_plural), where a darker or greyer image would no
  longer fit its words. Hue is never changed: green is what vegetation looks like.

Draws come from the caller's generator, so a run is repeatable.
"""
from dataclasses import dataclass

import torch

SPATIAL_TYPES = frozenset({"position", "relation", "region"})
COLOUR_TYPES = frozenset({"colour", "colour_plural"})
# Rec. 601 luma: the grey a saturation change moves towards.
LUMA = (0.299, 0.587, 0.114)


def may_turn(types):
    """Bool tensor: which samples' expressions hold under a turn or a mirror."""
    return torch.tensor([t not in SPATIAL_TYPES for t in types], dtype=torch.bool)


def may_relight(types):
    """Bool tensor: which samples' expressions hold under other light."""
    return torch.tensor([t not in COLOUR_TYPES for t in types], dtype=torch.bool)


def square_symmetry(x, turns, mirrored):
    """x [..., H, W] turned `turns` quarter turns counter-clockwise, then mirrored left-right."""
    x = torch.rot90(x, turns, dims=(-2, -1)) if turns else x
    return x.flip(-1) if mirrored else x


@dataclass(frozen=True)
class Augmentation:
    """Each factor is drawn uniformly in [1 - x, 1 + x] per sample; 0 leaves it alone."""

    brightness: float = 0.15
    contrast: float = 0.15
    saturation: float = 0.2

    def __post_init__(self):
        for name in ("brightness", "contrast", "saturation"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ValueError(f"{name} {value} is out of range: use 0 (off) to 1 (exclusive)")

    def apply(self, images, masks, turn, relight, generator):
        """(images, masks) of a batch, changed where allowed.

        images: uint8 or float [N,3,H,W] in 0..255; masks: [N,1,H,W] (any dtype, kept);
        turn, relight: bool [N] from may_turn / may_relight. Returns float images in 0..255 and
        masks of the input's dtype; a sample allowed neither change comes back equal.
        """
        n = images.shape[0]
        images = images.float().clone()
        masks = masks.clone()
        turns = torch.randint(0, 4, (n,), generator=generator)
        mirrored = torch.randint(0, 2, (n,), generator=generator).bool()
        for i in torch.nonzero(turn, as_tuple=False).flatten().tolist():
            k, m = int(turns[i]), bool(mirrored[i])
            images[i] = square_symmetry(images[i], k, m)
            masks[i] = square_symmetry(masks[i], k, m)
        light = torch.rand((n, 3), generator=generator) * 2 - 1  # uniform in [-1, 1]
        pick = relight.nonzero(as_tuple=False).flatten()
        if len(pick):
            x = images[pick]
            scale = torch.tensor([self.brightness, self.contrast, self.saturation])
            b, c, s = (1 + light[pick] * scale).unbind(1)
            x = x * b.view(-1, 1, 1, 1)
            grey_mean = x.mean(dim=(1, 2, 3), keepdim=True)
            x = (x - grey_mean) * c.view(-1, 1, 1, 1) + grey_mean
            grey = (x * torch.tensor(LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True)
            x = (x - grey) * s.view(-1, 1, 1, 1) + grey
            images[pick] = x.clamp(0, 255)
        return images, masks

"""The single-file (`v1-5-pruned-emaonly`) key mapping equals diffusers' own conversion
(`diffusers.loaders.single_file_utils.convert_ldm_*_checkpoint`) of the same file.

At full size the file is the published key list (`diffris/weights/manifests/`), every tensor a
distinct constant expanded to its shape (no memory), so the comparison says which file tensor
each of our names receives and with which shape. At the reduced size a random file written by
`write_single_file` is read back by both sides, values compared exactly."""

from pathlib import Path

import torch

from diffris.nn.sd_unet import Unet, UnetConfig
from diffris.nn.sd_vae import VaeConfig, VaeEncoder
from diffris.nn.clip_text import ClipTextConfig, ClipTextModel
from diffris.weights import safetensors, sd15

from oracles import require
from test_oracle_sd15 import SD15_UNET, SD15_VAE, reduced_unet_config

single_file_utils = require("diffusers.loaders.single_file_utils")

MANIFEST = Path(sd15.__file__).resolve().parent / "manifests" / "sd15_single_file.tsv"


def diffusers_conversion(checkpoint: dict, unet_config: dict, vae_config: dict):
    """diffusers' three conversions, the VAE's cut to the encoder half we load."""
    unet = single_file_utils.convert_ldm_unet_checkpoint(dict(checkpoint), unet_config)
    vae = single_file_utils.convert_ldm_vae_checkpoint(dict(checkpoint), vae_config)
    vae = {k: v for k, v in vae.items() if k.startswith(("encoder.", "quant_conv."))}
    text = single_file_utils.convert_ldm_clip_checkpoint(dict(checkpoint))
    text.pop("text_model.embeddings.position_ids", None)  # a buffer, not a weight
    return unet, vae, text


def our_mapping(names: list, tensors: dict):
    """{part: {our key: tensor}} as read_single_file maps and reshapes a file's tensors."""
    parts = {"unet": {}, "vae": {}, "text": {}}
    for key, (part, ours) in sd15.single_file_plan(names).items():
        t = tensors[key]
        if part == "vae" and sd15.is_vae_attention_matrix(ours) and t.shape[2:] == (1, 1):
            t = t[:, :, 0, 0]
        parts[part][ours] = t
    return parts["unet"], parts["vae"], parts["text"]


def published_single_file() -> dict:
    """Every tensor of the published file, tensor i holding the value i throughout."""
    out = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, shape, _use = line.split("\t")
        dims = tuple(int(d) for d in shape.split(",")) if shape else ()
        out[key] = torch.tensor(float(len(out)), dtype=torch.float64).expand(dims)
    return out


def source_of(t: torch.Tensor) -> int:
    values = t.reshape(-1)
    assert torch.all(values == values[0]), "a tensor mixes two of the file's tensors"
    return int(values[0])


def test_our_single_file_names_are_diffusers_conversion_of_the_published_file():
    checkpoint = published_single_file()
    assert len(checkpoint) > 1100
    theirs = diffusers_conversion(checkpoint, SD15_UNET, SD15_VAE)
    ours = our_mapping(list(checkpoint), checkpoint)
    for part, a, b in zip(("unet", "vae", "text"), ours, theirs):
        assert sorted(a) == sorted(b), (
            f"{part}: only ours {sorted(set(a) - set(b))[:5]}, "
            f"only diffusers' {sorted(set(b) - set(a))[:5]}"
        )
        for k in a:
            assert a[k].shape == b[k].shape, f"{part} {k}: {tuple(a[k].shape)} vs {tuple(b[k].shape)}"
            assert source_of(a[k]) == source_of(b[k]), f"{part} {k}: another tensor of the file"
    # Our modules take exactly those names and shapes.
    for module, part in zip(
        (Unet(UnetConfig(), device="meta"), VaeEncoder(VaeConfig(), device="meta")), theirs
    ):
        own = {k: tuple(v.shape) for k, v in module.state_dict().items()}
        assert own == {k: tuple(v.shape) for k, v in part.items()}
    text = ClipTextModel(ClipTextConfig(), device="meta").state_dict()
    assert {k: tuple(v.shape) for k, v in text.items()} == {
        k: tuple(v.shape) for k, v in theirs[2].items()
    }


def test_a_written_single_file_reads_back_as_diffusers_converts_it(tmp_path):
    torch.manual_seed(29)
    unet_config, unet_ref = reduced_unet_config()
    # The published VAE structure (two ResNet blocks a level) at reduced widths.
    vae_config = VaeConfig(channels=(8, 16, 16, 16), layers_per_block=2, groups=4)
    vae_ref = dict(SD15_VAE, block_out_channels=vae_config.channels, norm_num_groups=4)
    state = (
        Unet(unet_config).state_dict(),
        VaeEncoder(vae_config).state_dict(),
        ClipTextModel(ClipTextConfig.reduced()).state_dict(),
    )
    path = tmp_path / "v1-5-reduced.safetensors"
    sd15.write_single_file(path, state)

    theirs = diffusers_conversion(safetensors.read(path), unet_ref, vae_ref)
    read = sd15.read_sd15(path)
    for part, original, ours, ref in zip(
        ("unet", "vae", "text"), state, (read.unet, read.vae, read.text), theirs
    ):
        assert sorted(ours) == sorted(ref) == sorted(original), part
        for k in ref:
            assert torch.equal(ours[k], ref[k].float()), f"{part} {k}"
            assert torch.equal(original[k], ref[k]), f"{part} {k}: written under another name"

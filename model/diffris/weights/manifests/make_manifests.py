"""Writes the two key manifests of Stable Diffusion 1.5 from published key lists.

    /usr/bin/python3 model/diffris/weights/manifests/make_manifests.py COMPONENTS_FOLDER

COMPONENTS_FOLDER holds `UNET-v1-SD.txt`, `VAE-v1-SD.txt` and `CLIP-v1-SD.txt` of
github.com/arenasys/stable-diffusion-webui-model-toolkit (folder `components/`, MIT licence,
commit f51c956880eeb08928b3ba520373c1e18f6580eb): each line `name [d0,d1,...]`, the tensors of the
SD v1 single-file checkpoint (v1-5-pruned-emaonly) without their prefixes, which this script puts
back (`model.diffusion_model.`, `first_stage_model.`, `cond_stage_model.transformer.text_model.`).
The buffers of the LatentDiffusion wrapper (the noise schedule, `model_ema.decay`,
`model_ema.num_updates`; the same toolkit's `OPTIONAL` list) are added as ignored keys.

The diffusers manifest is derived from the single-file one by the published correspondence
(diffusers' conversion of original checkpoints, for SD 1.x's configuration: two ResNet blocks a
level, so input block i is level (i - 1) // 3, output block i level i // 3; the VAE decoder's
levels are numbered the other way round), written here as a table of patterns with SD 1.5's
constants, independently of the structural mapping in `diffris/weights/sd15.py` that the tests
check against it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PREFIXES = {
    "UNET-v1-SD.txt": ("model.diffusion_model.", "unet"),
    "VAE-v1-SD.txt": ("first_stage_model.", "vae"),
    "CLIP-v1-SD.txt": ("cond_stage_model.transformer.text_model.", "text"),
}
SCHEDULE = [
    "alphas_cumprod",
    "alphas_cumprod_prev",
    "betas",
    "log_one_minus_alphas_cumprod",
    "posterior_log_variance_clipped",
    "posterior_mean_coef1",
    "posterior_mean_coef2",
    "posterior_variance",
    "sqrt_alphas_cumprod",
    "sqrt_one_minus_alphas_cumprod",
    "sqrt_recip_alphas_cumprod",
    "sqrt_recipm1_alphas_cumprod",
]

RESNET = [
    ("in_layers.0.", "norm1."),
    ("in_layers.2.", "conv1."),
    ("emb_layers.1.", "time_emb_proj."),
    ("out_layers.0.", "norm2."),
    ("out_layers.3.", "conv2."),
    ("skip_connection.", "conv_shortcut."),
]


def unet_name(ldm: str) -> str:
    fixed = {
        "time_embed.0.": "time_embedding.linear_1.",
        "time_embed.2.": "time_embedding.linear_2.",
        "input_blocks.0.0.": "conv_in.",
        "out.0.": "conv_norm_out.",
        "out.2.": "conv_out.",
        "middle_block.0.": "mid_block.resnets.0.",
        "middle_block.1.": "mid_block.attentions.0.",
        "middle_block.2.": "mid_block.resnets.1.",
    }
    for old, new in fixed.items():
        if ldm.startswith(old):
            return resnet_rest(new, ldm[len(old) :])
    m = re.fullmatch(r"input_blocks\.(\d+)\.0\.op\.(.*)", ldm)
    if m:
        return f"down_blocks.{(int(m[1]) - 1) // 3}.downsamplers.0.conv.{m[2]}"
    m = re.fullmatch(r"input_blocks\.(\d+)\.([01])\.(.*)", ldm)
    if m:
        i = int(m[1]) - 1
        kind = "resnets" if m[2] == "0" else "attentions"
        return resnet_rest(f"down_blocks.{i // 3}.{kind}.{i % 3}.", m[3])
    m = re.fullmatch(r"output_blocks\.(\d+)\.([12])\.conv\.(.*)", ldm)
    if m:
        return f"up_blocks.{int(m[1]) // 3}.upsamplers.0.conv.{m[3]}"
    m = re.fullmatch(r"output_blocks\.(\d+)\.([01])\.(.*)", ldm)
    if m:
        i = int(m[1])
        kind = "resnets" if m[2] == "0" else "attentions"
        return resnet_rest(f"up_blocks.{i // 3}.{kind}.{i % 3}.", m[3])
    raise ValueError(f"no diffusers name for UNet key {ldm}")


def resnet_rest(prefix: str, rest: str) -> str:
    if ".resnets." in prefix:
        for old, new in RESNET:
            if rest.startswith(old):
                return prefix + new + rest[len(old) :]
    return prefix + rest


def vae_names(ldm: str) -> list[tuple[str, str]]:
    """[(diffusers name, which names: all/current/legacy)] of one VAE key."""
    if ldm.startswith(("quant_conv.", "post_quant_conv.")):
        return [(ldm, "all")]
    part, rest = ldm.split(".", 1)
    simple = {"conv_in.": "conv_in.", "conv_out.": "conv_out.", "norm_out.": "conv_norm_out."}
    for old, new in simple.items():
        if rest.startswith(old):
            return [(f"{part}.{new}{rest[len(old):]}", "all")]
    m = re.fullmatch(r"(down|up)\.(\d+)\.(block\.(\d+)|downsample|upsample)\.(.*)", rest)
    if m:
        level = int(m[2]) if m[1] == "down" else 3 - int(m[2])  # the decoder counts up from 0
        blocks = "down_blocks" if m[1] == "down" else "up_blocks"
        if m[4] is not None:
            tail = m[5].replace("nin_shortcut.", "conv_shortcut.")
            return [(f"{part}.{blocks}.{level}.resnets.{m[4]}.{tail}", "all")]
        sampler = "downsamplers" if m[1] == "down" else "upsamplers"
        return [(f"{part}.{blocks}.{level}.{sampler}.0.{m[5]}", "all")]
    m = re.fullmatch(r"mid\.block_([12])\.(.*)", rest)
    if m:
        tail = m[2].replace("nin_shortcut.", "conv_shortcut.")
        return [(f"{part}.mid_block.resnets.{int(m[1]) - 1}.{tail}", "all")]
    m = re.fullmatch(r"mid\.attn_1\.(norm|q|k|v|proj_out)\.(weight|bias)", rest)
    if m:
        base = f"{part}.mid_block.attentions.0."
        if m[1] == "norm":
            return [(f"{base}group_norm.{m[2]}", "all")]
        current = {"q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"}[m[1]]
        legacy = {"q": "query", "k": "key", "v": "value", "proj_out": "proj_attn"}[m[1]]
        return [(f"{base}{current}.{m[2]}", "current"), (f"{base}{legacy}.{m[2]}", "legacy")]
    raise ValueError(f"no diffusers name for VAE key {ldm}")


def read_list(path: Path) -> list[tuple[str, list[int]]]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            name, shape = line.split()
            out.append((name, [int(d) for d in shape.strip("[]").split(",") if d]))
    return out


def shape_text(shape) -> str:
    return ",".join(str(d) for d in shape)


def main(folder: str) -> None:
    single = []
    for file, (prefix, part) in PREFIXES.items():
        for name, shape in read_list(Path(folder) / file):
            if part == "vae" and not name.startswith(("encoder.", "quant_conv.")):
                use = "ignored"  # the decoder and post_quant_conv
            elif name == "embeddings.position_ids":
                use = "ignored"  # a buffer of 0..76; our model computes positions
            else:
                use = part
            single.append((prefix + name, shape, use, part, name))
    for name in SCHEDULE:
        single.append((name, [1000], "ignored", "", ""))
    single.append(("model_ema.decay", [], "ignored", "", ""))
    single.append(("model_ema.num_updates", [], "ignored", "", ""))

    with open(HERE / "sd15_single_file.tsv", "w") as f:
        f.write("# key\tshape\tuse (unet, vae, text: loaded; ignored: read past)\n")
        for key, shape, use, _, _ in sorted(single):
            f.write(f"{key}\t{shape_text(shape)}\t{use}\n")

    rows = []
    for key, shape, _, part, name in single:
        if part == "unet":
            rows.append(("unet", unet_name(name), shape, "all", key))
        elif part == "vae":
            for new, names in vae_names(name):
                square = len(shape) == 4 and shape[2:] == [1, 1] and ".attentions." in new
                rows.append(("vae", new, shape[:2] if square else shape, names, key))
        elif part == "text":
            rows.append(("text_encoder", "text_model." + name, shape, "all", key))
    with open(HERE / "sd15_diffusers.tsv", "w") as f:
        f.write(
            "# folder\tkey\tshape\tnames (all; VAE attention: current to_q.. or legacy query..)"
            "\tsingle-file key\n"
        )
        for folder_, key, shape, names, ldm in sorted(rows):
            f.write(f"{folder_}\t{key}\t{shape_text(shape)}\t{names}\t{ldm}\n")


if __name__ == "__main__":
    main(sys.argv[1])

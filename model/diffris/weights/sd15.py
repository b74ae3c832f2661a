"""Stable Diffusion 1.5's weights in either published layout, read without diffusers,
transformers or safetensors, into the names of our plain-PyTorch modules.

Layouts (key lists with shapes: `manifests/`):

* the original single file (`v1-5-pruned-emaonly.safetensors` / `.ckpt`): the UNet under
  `model.diffusion_model.` with the LDM names (`input_blocks.N.M.`, `middle_block.`,
  `output_blocks.`, `time_embed.`, `out.`), the VAE under `first_stage_model.` (`encoder.down.N.
  block.M.`, `encoder.mid.attn_1.q` stored as a 1 x 1 convolution [C, C, 1, 1]), the text encoder
  under `cond_stage_model.transformer.` (transformers' names), plus the VAE decoder, the noise
  schedule and EMA bookkeeping, which DiffRIS does not use;
* the diffusers folder: `unet/diffusion_pytorch_model.safetensors` (or `.bin`),
  `vae/diffusion_pytorch_model.safetensors` (attention named `to_q/to_k/to_v/to_out.0`, or
  `query/key/value/proj_attn` in folders written by older diffusers versions), `text_encoder/
  model.safetensors` (or `pytorch_model.bin`); `*.fp16.*` variants are taken when alone;
  these are our modules' names already.

The LDM names are computed from the structure (levels, ResNet blocks per level, which levels
have transformers), which is read off the keys, so reduced configurations map as the full one does:
down level L's block j is input block 1 + L (n + 1) + j and its downsampler input block
(L + 1)(n + 1); up level U's block j is output block U (n + 1) + j, its upsampler that block's last
module; the VAE decoder (not loaded) numbers its levels the other way round.

Every tensor is converted to float32 as it is read, one at a time (the file's copy dropped as
ours is made); of a single safetensors file only the tensors we use are read at all.

    state = read_sd15("v1-5-pruned-emaonly.safetensors")  # or a .ckpt, or a diffusers folder
    state.load(unet=Unet(), vae=VaeEncoder(), text=ClipTextModel())  # strict; or load_into(...)

`write_single_file` and `write_diffusers_folder` write either layout from our state dicts.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from diffris.weights import safetensors

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
TEXT_PREFIX = "cond_stage_model.transformer."

# Module renames inside a UNet ResNet block (LDM -> diffusers) and a VAE one.
UNET_RESNET = {
    "in_layers.0": "norm1",
    "in_layers.2": "conv1",
    "emb_layers.1": "time_emb_proj",
    "out_layers.0": "norm2",
    "out_layers.3": "conv2",
    "skip_connection": "conv_shortcut",
}
VAE_RESNET = {"nin_shortcut": "conv_shortcut"}
# VAE mid-block attention: LDM name -> diffusers name; the legacy diffusers names.
VAE_ATTENTION = {
    "norm": "group_norm",
    "q": "to_q",
    "k": "to_k",
    "v": "to_v",
    "proj_out": "to_out.0",
}
VAE_ATTENTION_LEGACY = {"query": "to_q", "key": "to_k", "value": "to_v", "proj_attn": "to_out.0"}

DIFFUSERS_FILES = {
    "unet": ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"],
    "vae": ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"],
    "text_encoder": ["model.safetensors", "pytorch_model.bin"],
}


@dataclass
class Sd15State:
    """The three parts DiffRIS uses, float32, under our modules' names."""

    unet: dict[str, torch.Tensor]  # keys: our Unet().state_dict() names (diffusers unet/)
    vae: dict[str, torch.Tensor]  # keys: our VaeEncoder().state_dict() names
    text: dict[str, torch.Tensor]  # keys: our ClipTextModel().state_dict() names
    source: str  # the path read
    # Keys in the file(s) that we do not use (a folder's prefixed with their subfolder: vae/...).
    ignored: list[str] = field(default_factory=list)
    # The file each part ("unet", "vae", "text") came from: for a folder, its subfolder's file.
    files: dict[str, str] = field(default_factory=dict)

    def load(self, unet=None, vae=None, text=None) -> dict:
        """Loads the given modules strictly (see `load_into`); their unexpected keys by part."""
        out = {}
        for part, module in (("unet", unet), ("vae", vae), ("text", text)):
            if module is not None:
                where = self.files.get(part, self.source)
                out[part] = load_into(module, getattr(self, part), where)
        return out


# ---------------------------------------------------------------- name correspondence


@dataclass(frozen=True)
class UnetLayout:
    levels: int
    blocks: int  # ResNet blocks per down level (layers_per_block); up levels have one more
    attention: tuple  # per down level: has transformers


@dataclass(frozen=True)
class VaeLayout:
    levels: int
    blocks: int


def unet_prefixes(s: UnetLayout) -> list[tuple[str, str, dict]]:
    """(LDM module prefix, our module prefix, renames inside it) of every UNet module."""
    n, last = s.blocks, s.levels - 1
    out = [
        ("time_embed.0.", "time_embedding.linear_1.", {}),
        ("time_embed.2.", "time_embedding.linear_2.", {}),
        ("input_blocks.0.0.", "conv_in.", {}),
        ("out.0.", "conv_norm_out.", {}),
        ("out.2.", "conv_out.", {}),
        ("middle_block.0.", "mid_block.resnets.0.", UNET_RESNET),
        ("middle_block.1.", "mid_block.attentions.0.", {}),
        ("middle_block.2.", "mid_block.resnets.1.", UNET_RESNET),
    ]
    for level in range(s.levels):
        for j in range(n):
            i = 1 + level * (n + 1) + j
            out.append((f"input_blocks.{i}.0.", f"down_blocks.{level}.resnets.{j}.", UNET_RESNET))
            if s.attention[level]:
                out.append((f"input_blocks.{i}.1.", f"down_blocks.{level}.attentions.{j}.", {}))
        if level < last:
            i = (level + 1) * (n + 1)
            out.append((f"input_blocks.{i}.0.op.", f"down_blocks.{level}.downsamplers.0.conv.", {}))
    for up in range(s.levels):
        attention = s.attention[last - up]
        for j in range(n + 1):
            i = up * (n + 1) + j
            out.append((f"output_blocks.{i}.0.", f"up_blocks.{up}.resnets.{j}.", UNET_RESNET))
            if attention:
                out.append((f"output_blocks.{i}.1.", f"up_blocks.{up}.attentions.{j}.", {}))
        if up < last:
            i = up * (n + 1) + n
            m = 2 if attention else 1
            out.append((f"output_blocks.{i}.{m}.conv.", f"up_blocks.{up}.upsamplers.0.conv.", {}))
    return out


def vae_prefixes(s: VaeLayout) -> list[tuple[str, str, dict]]:
    """(LDM prefix, our prefix, renames) of the VAE encoder's modules and quant_conv."""
    out = [
        ("encoder.conv_in.", "encoder.conv_in.", {}),
        ("encoder.norm_out.", "encoder.conv_norm_out.", {}),
        ("encoder.conv_out.", "encoder.conv_out.", {}),
        ("encoder.mid.block_1.", "encoder.mid_block.resnets.0.", VAE_RESNET),
        ("encoder.mid.block_2.", "encoder.mid_block.resnets.1.", VAE_RESNET),
        ("encoder.mid.attn_1.", "encoder.mid_block.attentions.0.", VAE_ATTENTION),
        ("quant_conv.", "quant_conv.", {}),
    ]
    for level in range(s.levels):
        for j in range(s.blocks):
            ours = f"encoder.down_blocks.{level}.resnets.{j}."
            out.append((f"encoder.down.{level}.block.{j}.", ours, VAE_RESNET))
        if level < s.levels - 1:
            ours = f"encoder.down_blocks.{level}.downsamplers.0.conv."
            out.append((f"encoder.down.{level}.downsample.conv.", ours, {}))
    return out


def rename(key: str, prefixes: list[tuple[str, str, dict]], forward: bool = True) -> str | None:
    """The other layout's name of one key, or None when no module of the layout holds it."""
    for ldm, ours, renames in prefixes:
        src, dst = (ldm, ours) if forward else (ours, ldm)
        if key.startswith(src):
            rest = key[len(src) :]
            for old, new in renames.items():
                a, b = (old, new) if forward else (new, old)
                if rest.startswith(a + "."):
                    return dst + b + rest[len(a) :]
            if renames and rest.split(".")[0] in (renames.values() if forward else renames):
                return None  # the other layout's module name: not a name of this layout
            return dst + rest
    return None


def unet_layout_of_ldm(keys) -> UnetLayout:
    """The structure a single file's UNet keys (prefix removed) describe."""
    inputs = {int(m[1]) for k in keys if (m := re.match(r"input_blocks\.(\d+)\.", k))}
    ops = sorted({int(m[1]) for k in keys if (m := re.match(r"input_blocks\.(\d+)\.0\.op\.", k))})
    if not inputs:
        return UnetLayout(0, 0, ())
    blocks = ops[0] - 1 if ops else max(inputs)
    levels = len(ops) + 1
    attention = tuple(
        any(k.startswith(f"input_blocks.{1 + level * (blocks + 1)}.1.") for k in keys)
        for level in range(levels)
    )
    return UnetLayout(levels, blocks, attention)


def unet_layout_of_ours(keys) -> UnetLayout:
    down = {int(m[1]) for k in keys if (m := re.match(r"down_blocks\.(\d+)\.", k))}
    resnets = {int(m[1]) for k in keys if (m := re.match(r"down_blocks\.0\.resnets\.(\d+)\.", k))}
    attention = tuple(
        any(k.startswith(f"down_blocks.{level}.attentions.") for k in keys)
        for level in range(len(down))
    )
    return UnetLayout(len(down), len(resnets), attention)


def vae_layout_of_ldm(keys) -> VaeLayout:
    levels = {int(m[1]) for k in keys if (m := re.match(r"encoder\.down\.(\d+)\.", k))}
    blocks = {int(m[1]) for k in keys if (m := re.match(r"encoder\.down\.0\.block\.(\d+)\.", k))}
    return VaeLayout(len(levels), len(blocks))


def vae_layout_of_ours(keys) -> VaeLayout:
    levels = {int(m[1]) for k in keys if (m := re.match(r"encoder\.down_blocks\.(\d+)\.", k))}
    blocks = {
        int(m[1]) for k in keys if (m := re.match(r"encoder\.down_blocks\.0\.resnets\.(\d+)\.", k))
    }
    return VaeLayout(len(levels), len(blocks))


def is_vae_attention_matrix(ours: str) -> bool:
    """Our VAE attention's linear weights, stored as 1 x 1 convolutions in the single file."""
    return bool(
        re.fullmatch(r"encoder\.mid_block\.attentions\.0\.(to_[qkv]|to_out\.0)\.weight", ours)
    )


# ---------------------------------------------------------------- reading


def read_sd15(path) -> Sd15State:
    """SD 1.5's UNet, VAE encoder and text encoder from a single file or a diffusers folder."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder (SD 1.5 weights expected)")
    if path.is_dir():
        return read_diffusers_folder(path)
    return read_single_file(path)


def read_single_file(path: Path) -> Sd15State:
    kind = file_kind(path)
    if kind == "safetensors":
        header, _, _ = safetensors.read_header(path)
        names = list(header)
        shapes = {k: tuple(v["shape"]) for k, v in header.items()}
    else:
        tensors = torch_load(path)
        names = list(tensors)
        shapes = {k: tuple(v.shape) for k, v in tensors.items() if torch.is_tensor(v)}
    check_single_file_model(path, names, shapes)

    plan = single_file_plan(names)
    ignored = sorted(k for k in names if k not in plan)

    state = Sd15State(
        {}, {}, {}, str(path), ignored, {p: str(path) for p in ("unet", "vae", "text")}
    )
    if kind == "safetensors":
        tensors = safetensors.read(path, names=set(plan))
    for k in list(tensors):
        t = tensors.pop(k)  # one tensor at a time: the file's copy goes as ours is made
        if k not in plan:
            continue
        part, ours = plan[k]
        getattr(state, part)[ours] = as_float32(
            path, k, t, part == "vae" and is_vae_attention_matrix(ours)
        )
    return state


def single_file_plan(names) -> dict:
    """{file key: (part, our key)} of the keys of a single file that we load; the structure of
    the UNet and the VAE encoder is read off the keys themselves."""
    unet_keys = [k[len(UNET_PREFIX) :] for k in names if k.startswith(UNET_PREFIX)]
    vae_keys = [k[len(VAE_PREFIX) :] for k in names if k.startswith(VAE_PREFIX)]
    unet_map = unet_prefixes(unet_layout_of_ldm(unet_keys))
    vae_map = vae_prefixes(vae_layout_of_ldm(vae_keys))
    plan = {}
    for k in names:
        if k.startswith(UNET_PREFIX):
            ours, part = rename(k[len(UNET_PREFIX) :], unet_map), "unet"
        elif k.startswith(VAE_PREFIX):
            ours, part = rename(k[len(VAE_PREFIX) :], vae_map), "vae"
        elif k.startswith(TEXT_PREFIX) and not k.endswith("position_ids"):
            ours, part = k[len(TEXT_PREFIX) :], "text"
        else:
            ours = None
        if ours is not None:
            plan[k] = (part, ours)
    return plan


def check_single_file_model(path: Path, names: list, shapes: dict) -> None:
    """A file of another model is said to be so, before any tensor is read."""
    if any(k.startswith("conditioner.embedders.") for k in names):
        raise ValueError(f"{path}: an SDXL checkpoint (conditioner.embedders.*), not SD 1.5")
    if any(k.startswith("cond_stage_model.model.") for k in names):
        raise ValueError(
            f"{path}: an SD 2.x checkpoint (OpenCLIP text encoder, cond_stage_model.model.*, "
            "1024 wide), not SD 1.5"
        )
    for prefix, what in ((UNET_PREFIX, "UNet"), (VAE_PREFIX, "VAE"), (TEXT_PREFIX, "text encoder")):
        if not any(k.startswith(prefix) for k in names):
            raise ValueError(
                f"{path}: no {prefix}* tensors (the {what} of an SD 1.5 single-file checkpoint); "
                f"the file holds {len(names)} tensors"
                + (f", e.g. {', '.join(sorted(names)[:3])}" if names else "")
            )
    check_text_width(path, shapes.get(TEXT_PREFIX + "text_model.embeddings.token_embedding.weight"))
    cross = UNET_PREFIX + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    check_context_width(path, cross, shapes.get(cross))


def check_text_width(where, shape) -> None:
    if shape is not None and len(shape) == 2 and shape[1] == 1024:
        raise ValueError(
            f"{where}: the text encoder is 1024 wide (token_embedding {list(shape)}): "
            "Stable Diffusion 2.x, not SD 1.5 (768)"
        )


def check_context_width(where, key, shape) -> None:
    if shape is not None and len(shape) == 2 and shape[1] == 1024:
        raise ValueError(
            f"{where}: {key} reads 1024-wide text ({list(shape)}): Stable Diffusion 2.x, "
            "not SD 1.5 (768)"
        )


def read_diffusers_folder(path: Path) -> Sd15State:
    files = {}
    for sub, candidates in DIFFUSERS_FILES.items():
        folder = path / sub
        if not folder.is_dir():
            present = sorted(p.name + "/" for p in path.iterdir() if p.is_dir())
            raise FileNotFoundError(
                f"{path}: a diffusers folder needs {sub}/ (with {' or '.join(candidates)}); "
                f"it has {', '.join(present) or 'no subfolders'}"
            )
        variants = [c.replace(".safetensors", ".fp16.safetensors") for c in candidates]
        variants += [c.replace(".bin", ".fp16.bin") for c in candidates if c.endswith(".bin")]
        found = [folder / c for c in candidates + variants if (folder / c).is_file()]
        if not found:
            raise FileNotFoundError(
                f"{folder}: none of {', '.join(candidates)} (the diffusers {sub} weights)"
            )
        files[sub] = found[0]

    state = Sd15State({}, {}, {}, str(path), [], {})
    for sub, part in (("text_encoder", "text"), ("unet", "unet"), ("vae", "vae")):
        file = files[sub]
        state.files[part] = str(file)
        tensors = read_tensor_file(file)
        if part == "text":
            check_text_width(
                file, shape_of(tensors, "text_model.embeddings.token_embedding.weight")
            )
        if part == "unet":
            key = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"
            check_context_width(file, key, shape_of(tensors, key))
        target = getattr(state, part)
        for k in list(tensors):
            t = tensors.pop(k)
            ours = diffusers_name(part, k)
            if ours is None:
                state.ignored.append(f"{sub}/{k}")
                continue
            target[ours] = as_float32(file, k, t, part == "vae" and is_vae_attention_matrix(ours))
    state.ignored.sort()
    return state


def shape_of(tensors: dict, key: str):
    t = tensors.get(key)
    return tuple(t.shape) if torch.is_tensor(t) else None


def diffusers_name(part: str, key: str) -> str | None:
    """Our name of a diffusers folder's key, or None for a key we do not load."""
    if part == "text":
        return None if key.endswith("position_ids") else key
    if part == "vae":
        if not key.startswith(("encoder.", "quant_conv.")):
            return None  # decoder.*, post_quant_conv.*
        m = re.fullmatch(r"(encoder\.mid_block\.attentions\.0\.)(\w+)\.(weight|bias)", key)
        if m and m[2] in VAE_ATTENTION_LEGACY:
            return f"{m[1]}{VAE_ATTENTION_LEGACY[m[2]]}.{m[3]}"
    return key


def as_float32(file, key: str, t, squeeze_1x1: bool) -> torch.Tensor:
    if not torch.is_tensor(t):
        raise ValueError(f"{file}: '{key}' is a {type(t).__name__}, not a tensor")
    if not t.is_floating_point():
        raise ValueError(f"{file}: '{key}' is {t.dtype}, expected floating-point weights")
    if squeeze_1x1 and t.dim() == 4 and t.shape[2:] == (1, 1):
        t = t[:, :, 0, 0]  # a 1 x 1 convolution's weight is the linear layer's
    return t.float().contiguous()


def file_kind(path: Path) -> str:
    """'safetensors' or 'torch' (a torch.save zip or legacy pickle), from the bytes."""
    try:
        safetensors.read_header(path)
        return "safetensors"
    except safetensors.SafetensorsError as e:
        problem = e
    with open(path, "rb") as f:
        head = f.read(4)
        f.seek(0)
        if _has_json_header(f):
            raise ValueError(f"{path}: a damaged safetensors file: {problem}")
    # torch.save writes a zip (whose first entry starts "PK\3\4") or, before torch 1.6, a pickle
    if head == b"PK\x03\x04" or zipfile.is_zipfile(path) or head[:2] == b"\x80\x02":
        return "torch"
    raise ValueError(
        f"{path}: neither a safetensors file nor a PyTorch checkpoint (.ckpt/.pt/.bin): {problem}"
    )


def _has_json_header(f) -> bool:
    """Whether the file starts like a safetensors file: a length, then that many bytes of JSON."""
    size = int.from_bytes(f.read(8), "little")
    if not 2 <= size <= 100_000_000:
        return False
    try:
        return isinstance(json.loads(f.read(size)), dict)
    except ValueError:
        return False


def torch_load(path: Path) -> dict:
    """A .ckpt/.pt/.bin state dict (a Lightning checkpoint's 'state_dict' if there is one),
    unpickling tensors and plain containers only."""
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise ValueError(
            f"{path}: not a loadable PyTorch checkpoint of tensors: it holds other objects, which "
            "are not unpickled (weights_only=True; the .safetensors of the same weights reads): "
            f"{str(e).splitlines()[0]}"
        ) from None
    except (RuntimeError, EOFError) as e:
        raise ValueError(
            f"{path}: not a loadable PyTorch checkpoint of tensors (cut short or damaged?): "
            f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
        ) from None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: holds a {type(obj).__name__}, not a state dict")
    return obj


def read_tensor_file(path: Path) -> dict:
    if file_kind(path) == "safetensors":
        return safetensors.read(path)
    return torch_load(path)


# ---------------------------------------------------------------- loading


def load_into(module: torch.nn.Module, state: dict, source: str, consume: bool = False) -> list:
    """Copies `state` (our names) into `module`, strictly: every tensor of the module must be
    there with its shape, or a ValueError names the missing and mis-shaped keys (with their
    single-file names) and `source`. Returns the unexpected keys. With consume=True each tensor
    is dropped from `state` once copied, so the weights are never held twice."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    wrong = [
        f"{k} {list(state[k].shape)} (expected {list(own[k].shape)})"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or wrong:
        problems = []
        if missing:
            named = [f"{k}{single_file_hint(module, own, k)}" for k in missing[:8]]
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            problems.append(f"missing {len(missing)}: {', '.join(named)}{more}")
        if wrong:
            problems.append(f"wrong shape: {', '.join(wrong[:8])}")
        raise ValueError(
            f"{source}: not the weights of this {type(module).__name__}; " + "; ".join(problems)
        )
    with torch.no_grad():
        for k, target in own.items():
            target.copy_(state[k])
            if consume:
                del state[k]
    return sorted(k for k in state if k not in own)


def single_file_hint(module, own: dict, key: str) -> str:
    name = single_file_name(module, list(own), key)
    return f" ({name} in a single file)" if name else ""


def single_file_name(module, keys: list, key: str) -> str | None:
    """The single-file (LDM) name of one of our module's keys."""
    kind = type(module).__name__
    if kind == "Unet":
        name = rename(key, unet_prefixes(unet_layout_of_ours(keys)), forward=False)
        return UNET_PREFIX + name if name else None
    if kind == "VaeEncoder":
        name = rename(key, vae_prefixes(vae_layout_of_ours(keys)), forward=False)
        return VAE_PREFIX + name if name else None
    if kind == "ClipTextModel":
        return TEXT_PREFIX + key
    return None


# ---------------------------------------------------------------- writing


def _parts(state) -> tuple[dict, dict, dict]:
    if isinstance(state, Sd15State):
        return state.unet, state.vae, state.text
    unet, vae, text = state
    return unet, vae, text


def single_file_state(state, dtype=None) -> dict:
    """Our three state dicts under the single file's (LDM) names."""
    unet, vae, text = _parts(state)
    out = {}
    unet_map = unet_prefixes(unet_layout_of_ours(list(unet)))
    vae_map = vae_prefixes(vae_layout_of_ours(list(vae)))
    for part, tensors, prefix, mapping in (
        ("unet", unet, UNET_PREFIX, unet_map),
        ("vae", vae, VAE_PREFIX, vae_map),
        ("text", text, TEXT_PREFIX, None),
    ):
        for k, t in tensors.items():
            name = k if mapping is None else rename(k, mapping, forward=False)
            if name is None:
                raise ValueError(f"{part} key {k}: no single-file name")
            if part == "vae" and is_vae_attention_matrix(k) and t.dim() == 2:
                t = t[:, :, None, None]
            out[prefix + name] = t if dtype is None else t.to(dtype)
    return out


def write_single_file(path, state, format: str = "safetensors", dtype=None, extra=None) -> None:
    """Writes the single-file layout (LDM names): `state` is an Sd15State or (unet, vae, text)
    dicts in our names; `extra` tensors (e.g. a decoder) are written under their own names; a
    .ckpt is torch.save({"state_dict": ...}) as the original is."""
    tensors = single_file_state(state, dtype)
    tensors.update(extra or {})
    tensors = {k: v.detach().contiguous() for k, v in tensors.items()}
    if format == "safetensors":
        safetensors.write(path, tensors)
    elif format == "ckpt":
        torch.save({"state_dict": tensors}, path)
    else:
        raise ValueError(f"format {format!r}: 'safetensors' or 'ckpt'")


def write_diffusers_folder(
    path, state, format: str = "safetensors", dtype=None, legacy_vae_names=False, extra=None
) -> None:
    """Writes the diffusers folder layout (unet/, vae/, text_encoder/) of our three state dicts;
    format 'bin' writes torch.save state dicts; legacy_vae_names uses query/key/value/proj_attn;
    `extra` maps a subfolder to more tensors for its file (e.g. {"vae": decoder})."""
    unet, vae, text = _parts(state)
    legacy = {v: k for k, v in VAE_ATTENTION_LEGACY.items()}
    if legacy_vae_names:
        vae = {
            re.sub(
                r"attentions\.0\.(to_[qkv]|to_out\.0)\.",
                lambda m: f"attentions.0.{legacy[m[1]]}.",
                k,
            ): v
            for k, v in vae.items()
        }
    for sub, tensors in (("unet", unet), ("vae", vae), ("text_encoder", text)):
        folder = Path(path) / sub
        os.makedirs(folder, exist_ok=True)
        tensors = {
            k: (v if dtype is None else v.to(dtype)).detach().contiguous()
            for k, v in tensors.items()
        }
        tensors.update((extra or {}).get(sub, {}))
        names = DIFFUSERS_FILES[sub]
        if format == "safetensors":
            safetensors.write(folder / names[0], tensors)
        elif format == "bin":
            torch.save(tensors, folder / names[1])
        else:
            raise ValueError(f"format {format!r}: 'safetensors' or 'bin'")

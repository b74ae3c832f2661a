"""SD 1.5's weights in both published layouts: the key manifests against our modules at full size
(meta device), round trips through every file format at the reduced configuration, and the
errors people will meet."""

import math
from pathlib import Path

import pytest
import torch

from diffris.nn.clip_text import ClipTextConfig, ClipTextModel
from diffris.nn.sd_unet import Unet, UnetConfig
from diffris.nn.sd_vae import VaeConfig, VaeEncoder
from diffris.weights import safetensors as st
from diffris.weights import sd15

MANIFESTS = Path(sd15.__file__).resolve().parent / "manifests"


def read_tsv(name, shape_column):
    rows = []
    for line in (MANIFESTS / name).read_text().splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            fields[shape_column] = tuple(int(d) for d in fields[shape_column].split(",") if d)
            rows.append(fields)
    return rows


def single_file_rows():
    return read_tsv("sd15_single_file.tsv", 1)  # key, shape, use


def diffusers_rows():
    return read_tsv("sd15_diffusers.tsv", 2)  # folder, key, shape, names, single-file key


@pytest.fixture(scope="module")
def full():
    """Our three modules at SD 1.5's size, without memory for their weights."""
    return {
        "unet": {k: tuple(v.shape) for k, v in Unet(device="meta").state_dict().items()},
        "vae": {k: tuple(v.shape) for k, v in VaeEncoder(device="meta").state_dict().items()},
        "text": {k: tuple(v.shape) for k, v in ClipTextModel(device="meta").state_dict().items()},
    }


# ---------------------------------------------------------------- manifests


def test_the_single_file_manifest_has_the_published_counts():
    rows = single_file_rows()
    by_use = {}
    for key, shape, use in rows:
        by_use.setdefault(use, []).append((key, shape))
    assert len(rows) == len({r[0] for r in rows}) == 1145
    assert {u: len(v) for u, v in by_use.items()} == {
        "unet": 686,
        "vae": 108,
        "text": 196,
        "ignored": 155,
    }
    params = {u: sum(math.prod(s) for _, s in v) for u, v in by_use.items()}
    assert params["unet"] == 859_520_964
    assert params["text"] == 123_060_480
    assert params["vae"] == 34_163_664
    # AutoencoderKL's published 83,653,863: our encoder share plus the decoder we read past.
    vae_ignored = [s for k, s in by_use["ignored"] if k.startswith("first_stage_model.")]
    assert len(vae_ignored) == 140
    assert params["vae"] + sum(math.prod(s) for s in vae_ignored) == 83_653_863
    shapes = dict((k, s) for k, s, _ in rows)
    assert shapes["first_stage_model.encoder.mid.attn_1.q.weight"] == (512, 512, 1, 1)
    assert shapes["cond_stage_model.transformer.text_model.embeddings.position_ids"] == (1, 77)
    assert shapes["model.diffusion_model.output_blocks.2.1.conv.weight"] == (1280, 1280, 3, 3)
    assert shapes["model_ema.num_updates"] == ()


def test_each_single_file_key_we_use_lands_on_exactly_one_of_our_tensors(full):
    rows = single_file_rows()
    plan = sd15.single_file_plan([k for k, _, _ in rows])
    landed = {"unet": {}, "vae": {}, "text": {}}
    for key, shape, use in rows:
        if use == "ignored":
            assert key not in plan, key
            continue
        part, ours = plan[key]
        assert part == use, key
        assert ours in full[part], f"{key} -> {ours}, not one of our {part} tensors"
        assert ours not in landed[part], f"{key} and {landed[part].get(ours)} both -> {ours}"
        landed[part][ours] = key
        if part == "vae" and sd15.is_vae_attention_matrix(ours):
            assert shape[2:] == (1, 1), key  # stored as a 1 x 1 convolution
            shape = shape[:2]
        assert shape == full[part][ours], f"{key} {shape} -> {ours} {full[part][ours]}"
    for part in landed:
        assert set(landed[part]) == set(full[part]), f"{part}: not covered"


def test_our_names_map_back_to_the_published_single_file_names(full):
    rows = single_file_rows()
    published = {k for k, _, use in rows if use != "ignored"}
    shapes = {part: {k: torch.empty(0) for k in full[part]} for part in full}
    written = set(sd15.single_file_state((shapes["unet"], shapes["vae"], shapes["text"])))
    assert written == published


def test_the_diffusers_manifest_is_our_modules_names_and_shapes(full):
    rows = diffusers_rows()
    unet = {k: s for folder, k, s, _, _ in rows if folder == "unet"}
    assert unet == full["unet"]
    text = {k: s for folder, k, s, _, _ in rows if folder == "text_encoder"}
    assert text.pop("text_model.embeddings.position_ids") == (1, 77)
    assert text == full["text"]
    vae = [(k, s, names) for folder, k, s, names, _ in rows if folder == "vae"]
    assert len([r for r in vae if r[2] != "legacy"]) == 248
    ours = {k: s for k, s, names in vae if names != "legacy" and sd15.diffusers_name("vae", k)}
    assert ours == full["vae"]
    # Folders written before diffusers 0.14 name the attention query/key/value/proj_attn.
    legacy = {sd15.diffusers_name("vae", k): s for k, s, names in vae if names == "legacy"}
    legacy = {k: s for k, s in legacy.items() if k is not None}
    assert len(legacy) == 8
    assert all(full["vae"][k] == s for k, s in legacy.items())


def test_both_manifests_and_our_mapping_pair_the_same_tensors():
    single = single_file_rows()
    plan = sd15.single_file_plan([k for k, _, _ in single])
    parts = {"unet": "unet", "vae": "vae", "text_encoder": "text"}
    checked = 0
    for folder, key, _, names, single_key in diffusers_rows():
        part = parts[folder]
        ours = sd15.diffusers_name(part, key)
        if ours is None:
            assert single_key not in plan, single_key
            continue
        assert plan[single_key] == (part, ours), single_key
        if names == "legacy":
            continue
        checked += 1
    assert checked == 686 + 108 + 196


def test_the_mapping_is_structural_at_other_sizes():
    # Three levels, three blocks a level, transformers on the middle level only.
    layout = sd15.UnetLayout(3, 3, (False, True, False))
    pairs = sd15.unet_prefixes(layout)
    ldm = dict((o, l) for l, o, _ in pairs)
    assert ldm["down_blocks.1.resnets.2."] == "input_blocks.7.0."
    assert ldm["down_blocks.1.attentions.0."] == "input_blocks.5.1."
    assert ldm["down_blocks.1.downsamplers.0.conv."] == "input_blocks.8.0.op."
    assert "down_blocks.2.downsamplers.0.conv." not in ldm
    assert ldm["up_blocks.0.upsamplers.0.conv."] == "output_blocks.3.1.conv."
    assert ldm["up_blocks.1.attentions.3."] == "output_blocks.7.1."
    assert ldm["up_blocks.1.upsamplers.0.conv."] == "output_blocks.7.2.conv."
    keys = [l + "x" for l, _, _ in pairs if l.startswith("input_blocks")]
    assert sd15.unet_layout_of_ldm(keys) == layout


# ---------------------------------------------------------------- round trips, reduced size


def randomized(module, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.2)  # norms too, so that swapped names show
    return module.eval()


@pytest.fixture(scope="module")
def reduced():
    return {
        "unet": randomized(Unet(UnetConfig.reduced()), 1),
        "vae": randomized(VaeEncoder(VaeConfig.reduced()), 2),
        "text": randomized(ClipTextModel(ClipTextConfig.reduced()), 3),
    }


def fresh():
    return {
        "unet": Unet(UnetConfig.reduced()).eval(),
        "vae": VaeEncoder(VaeConfig.reduced()).eval(),
        "text": ClipTextModel(ClipTextConfig.reduced()).eval(),
    }


def outputs(models):
    torch.manual_seed(9)
    latent, text = torch.randn(1, 4, 8, 8), torch.randn(1, 77, 16)
    image, ids = torch.rand(1, 3, 16, 16) * 2 - 1, torch.randint(0, 300, (1, 77))
    with torch.no_grad():
        features, noise = models["unet"](latent, torch.ones(1), text)
        return features + [noise, models["vae"](image), models["text"](ids)]


def states(models):
    return tuple(models[p].state_dict() for p in ("unet", "vae", "text"))


# What a real single file holds besides: decoder, schedule, EMA bookkeeping, position ids.
EXTRA = {
    "first_stage_model.decoder.conv_in.weight": torch.randn(16, 4, 3, 3),
    "first_stage_model.post_quant_conv.weight": torch.randn(4, 4, 1, 1),
    "alphas_cumprod": torch.rand(1000),
    "model_ema.num_updates": torch.tensor(7, dtype=torch.int32),
    "cond_stage_model.transformer.text_model.embeddings.position_ids": torch.arange(77)[None],
}


def write(tmp_path, layout, fmt, models, dtype=None):
    if layout == "single":
        path = tmp_path / ("sd15.safetensors" if fmt == "safetensors" else "sd15.ckpt")
        sd15.write_single_file(path, states(models), format=fmt, dtype=dtype, extra=EXTRA)
    else:
        path = tmp_path / "sd15"
        extra = {"vae": {"decoder.conv_in.weight": torch.randn(16, 4, 3, 3)}}
        sd15.write_diffusers_folder(
            path,
            states(models),
            format=fmt,
            dtype=dtype,
            legacy_vae_names=layout == "diffusers-legacy",
            extra=extra,
        )
    return path


def load(path):
    state = sd15.read_sd15(path)
    models = fresh()
    unexpected = state.load(**models)
    assert unexpected == {"unet": [], "vae": [], "text": []}
    return state, models


LAYOUTS = [
    ("single", "safetensors"),
    ("single", "ckpt"),
    ("diffusers", "safetensors"),
    ("diffusers", "bin"),
    ("diffusers-legacy", "safetensors"),
]


@pytest.mark.parametrize("layout,fmt", LAYOUTS)
def test_weights_come_back_exactly(tmp_path, reduced, layout, fmt):
    state, models = load(write(tmp_path, layout, fmt, reduced))
    for a, b in zip(outputs(reduced), outputs(models)):
        assert torch.equal(a, b)
    for part in ("unet", "vae", "text"):
        for k, v in getattr(state, part).items():
            assert v.dtype == torch.float32
    if layout == "single":
        assert state.ignored == sorted(EXTRA)
    else:
        assert state.ignored == ["vae/decoder.conv_in.weight"]
        assert state.files["unet"].endswith("diffusion_pytorch_model." + fmt)


@pytest.mark.parametrize("layout,fmt", [LAYOUTS[0], LAYOUTS[1], LAYOUTS[3]])
def test_fp16_files_load_as_the_rounded_weights_in_float32(tmp_path, reduced, layout, fmt):
    state, models = load(write(tmp_path, layout, fmt, reduced, dtype=torch.float16))
    assert all(v.dtype == torch.float32 for v in state.unet.values())
    rounded = fresh()
    for part, model in rounded.items():
        model.load_state_dict({k: v.half().float() for k, v in reduced[part].state_dict().items()})
    for a, b in zip(outputs(rounded), outputs(models)):
        assert torch.equal(a, b)
    assert not torch.equal(outputs(reduced)[-1], outputs(models)[-1])


def test_the_single_file_holds_the_vae_attention_as_1x1_convolutions(tmp_path, reduced):
    path = write(tmp_path, "single", "safetensors", reduced)
    header, _, _ = st.read_header(path)
    assert header["first_stage_model.encoder.mid.attn_1.q.weight"]["shape"] == [16, 16, 1, 1]
    assert header["first_stage_model.encoder.mid.attn_1.q.bias"]["shape"] == [16]
    assert "model.diffusion_model.input_blocks.3.0.op.weight" in header
    assert "model.diffusion_model.output_blocks.8.2.conv.weight" in header
    assert "first_stage_model.encoder.down.0.downsample.conv.weight" in header


def test_load_into_can_drop_each_tensor_once_copied(reduced):
    state = dict(reduced["vae"].state_dict())
    model = VaeEncoder(VaeConfig.reduced())
    assert sd15.load_into(model, state, "vae.safetensors", consume=True) == []
    assert state == {}


# ---------------------------------------------------------------- errors


def test_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.safetensors: no such file or folder"):
        sd15.read_sd15(tmp_path / "nowhere.safetensors")


def test_a_folder_without_a_subfolder(tmp_path, reduced):
    path = write(tmp_path, "diffusers", "safetensors", reduced)
    for f in (path / "vae").iterdir():
        f.unlink()
    (path / "vae").rmdir()
    with pytest.raises(FileNotFoundError, match=r"sd15: a diffusers folder needs vae/"):
        sd15.read_sd15(path)


def test_a_subfolder_without_weights(tmp_path, reduced):
    path = write(tmp_path, "diffusers", "safetensors", reduced)
    (path / "text_encoder" / "model.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match=r"text_encoder: none of model.safetensors"):
        sd15.read_sd15(path)


def test_a_file_of_neither_format(tmp_path):
    path = tmp_path / "notes.ckpt"
    path.write_text("these are not weights, but long enough to have a header length\n")
    with pytest.raises(ValueError, match="notes.ckpt: neither a safetensors file nor a PyTorch"):
        sd15.read_sd15(path)


def test_a_pickle_of_other_objects_is_refused_unexecuted(tmp_path):
    path = tmp_path / "odd.ckpt"
    torch.save({"state_dict": {"x": Path("y")}}, path)
    with pytest.raises(ValueError, match="odd.ckpt: not a loadable PyTorch checkpoint"):
        sd15.read_sd15(path)


def test_a_single_file_without_a_part(tmp_path, reduced):
    path = tmp_path / "unet-only.safetensors"
    tensors = sd15.single_file_state(states(reduced))
    st.write(path, {k: v for k, v in tensors.items() if not k.startswith("first_stage_model.")})
    with pytest.raises(ValueError, match="unet-only.safetensors: no first_stage_model.. tensors"):
        sd15.read_sd15(path)


def test_sd2_single_files_are_named_as_such(tmp_path, reduced):
    path = tmp_path / "v2-1_512-ema-pruned.safetensors"
    tensors = sd15.single_file_state(states(reduced))
    tensors = {k: v for k, v in tensors.items() if not k.startswith(sd15.TEXT_PREFIX)}
    tensors["cond_stage_model.model.token_embedding.weight"] = torch.zeros(8, 1024)
    st.write(path, tensors)
    with pytest.raises(ValueError, match="v2-1_512-ema-pruned.safetensors: an SD 2.x checkpoint"):
        sd15.read_sd15(path)


def test_a_1024_wide_text_encoder_is_named_sd2(tmp_path, reduced):
    wide = ClipTextModel(ClipTextConfig(vocab_size=20, width=1024, layers=1, heads=16, mlp_width=8))
    path = tmp_path / "sd2"
    sd15.write_diffusers_folder(
        path, (reduced["unet"].state_dict(), reduced["vae"].state_dict(), wide.state_dict())
    )
    with pytest.raises(
        ValueError, match=r"model.safetensors: the text encoder is 1024 wide .*2\.x"
    ):
        sd15.read_sd15(path)


def test_a_missing_tensor_is_named_with_its_file_and_single_file_name(tmp_path, reduced):
    path = tmp_path / "cut.safetensors"
    tensors = sd15.single_file_state(states(reduced))
    del tensors["model.diffusion_model.input_blocks.4.1.proj_in.weight"]
    st.write(path, tensors)
    state = sd15.read_sd15(path)
    with pytest.raises(ValueError) as e:
        state.load(unet=Unet(UnetConfig.reduced()))
    assert str(e.value).startswith(f"{path}: not the weights of this Unet; missing 1: ")
    assert (
        "down_blocks.1.attentions.0.proj_in.weight "
        "(model.diffusion_model.input_blocks.4.1.proj_in.weight in a single file)"
    ) in str(e.value)


def test_a_mis_shaped_tensor_is_named_with_its_file(tmp_path, reduced):
    path = tmp_path / "sd15"
    vae = dict(reduced["vae"].state_dict())
    vae["encoder.conv_in.weight"] = torch.zeros(8, 3, 5, 5)
    sd15.write_diffusers_folder(path, (reduced["unet"].state_dict(), vae, {}), format="bin")
    state = sd15.read_sd15(path)
    with pytest.raises(ValueError) as e:
        state.load(vae=VaeEncoder(VaeConfig.reduced()))
    message = str(e.value)
    assert message.startswith(f"{path / 'vae' / 'diffusion_pytorch_model.bin'}: ")
    assert "wrong shape: encoder.conv_in.weight [8, 3, 5, 5] (expected [8, 3, 3, 3])" in message


def test_a_module_of_another_size_refuses_the_weights(tmp_path, reduced):
    path = write(tmp_path, "single", "safetensors", reduced)
    state = sd15.read_sd15(path)
    other = ClipTextModel(ClipTextConfig(vocab_size=300, width=64, layers=2, heads=4, mlp_width=64))
    with pytest.raises(ValueError, match=f"{path}: not the weights of this ClipTextModel"):
        state.load(text=other)


def test_unexpected_keys_are_returned(reduced):
    state = dict(reduced["text"].state_dict())
    state["text_model.encoder.layers.9.mlp.fc1.weight"] = torch.zeros(1)
    model = ClipTextModel(ClipTextConfig.reduced())
    assert sd15.load_into(model, state, "x") == ["text_model.encoder.layers.9.mlp.fc1.weight"]


def test_sdxl_single_files_are_named_as_such(tmp_path):
    path = tmp_path / "sd_xl_base_1.0.safetensors"
    st.write(
        path,
        {
            "model.diffusion_model.input_blocks.0.0.weight": torch.zeros(2, 4, 3, 3),
            "conditioner.embedders.1.model.token_embedding.weight": torch.zeros(8, 1280),
        },
    )
    with pytest.raises(ValueError, match="sd_xl_base_1.0.safetensors: an SDXL checkpoint"):
        sd15.read_sd15(path)


def test_a_checkpoint_cut_short(tmp_path, reduced):
    path = write(tmp_path, "single", "ckpt", reduced)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="sd15.ckpt: not a loadable PyTorch checkpoint"):
        sd15.read_sd15(path)


def test_a_ckpt_in_the_pre_zip_torch_format_loads(tmp_path, reduced):
    path = tmp_path / "old.ckpt"
    tensors = sd15.single_file_state(states(reduced))
    torch.save(
        {"state_dict": tensors, "global_step": 7}, path, _use_new_zipfile_serialization=False
    )
    assert path.read_bytes()[:2] == b"\x80\x02"
    _, models = load(path)
    for a, b in zip(outputs(reduced), outputs(models)):
        assert torch.equal(a, b)

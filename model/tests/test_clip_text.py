"""The CLIP ViT-L/14 text transformer in plain PyTorch: the published size, both weight layouts
people download, causality, and strict loading."""

import pytest
import torch

from diffris.nn.clip_text import POSITION_IDS, SINGLE_FILE_PREFIX, ClipTextConfig, ClipTextModel
from diffris.weights import safetensors as st


def test_the_full_configuration_has_clip_vit_l14s_published_size():
    model = ClipTextModel(ClipTextConfig(), device="meta")  # no memory for the weights
    params = dict(model.named_parameters())
    assert sum(p.numel() for p in params.values()) == 123_060_480
    assert len(params) == 196
    # The diffusers / transformers names, which the text_encoder/ folder uses.
    assert params["text_model.embeddings.token_embedding.weight"].shape == (49408, 768)
    assert params["text_model.embeddings.position_embedding.weight"].shape == (77, 768)
    assert params["text_model.encoder.layers.11.self_attn.q_proj.weight"].shape == (768, 768)
    assert params["text_model.encoder.layers.11.mlp.fc1.weight"].shape == (3072, 768)
    assert params["text_model.final_layer_norm.bias"].shape == (768,)


def small_model(seed=3):
    torch.manual_seed(seed)
    return ClipTextModel(ClipTextConfig.reduced()).eval()


def test_each_position_sees_only_itself_and_earlier_tokens():
    model = small_model()
    ids = torch.randint(0, 300, (2, 77))
    changed = ids.clone()
    changed[:, 40] = (changed[:, 40] + 1) % 300
    with torch.no_grad():
        a, b = model(ids), model(changed)
    assert a.shape == (2, 77, 32)
    assert torch.equal(a[:, :40], b[:, :40])
    assert not torch.allclose(a[:, 40:], b[:, 40:])


@pytest.mark.parametrize("layout", ["diffusers", "single-file"])
def test_weights_saved_in_each_layout_load_back_to_the_same_outputs(tmp_path, layout):
    source = small_model(seed=1)
    state = source.state_dict()
    if layout == "single-file":
        state = {SINGLE_FILE_PREFIX + k: v for k, v in state.items()}
        state[SINGLE_FILE_PREFIX + POSITION_IDS] = torch.arange(77)[None]
        state["model.diffusion_model.out.2.bias"] = torch.zeros(4)  # the UNet's, ignored
    path = tmp_path / "weights.safetensors"
    st.write(path, state)
    target = small_model(seed=2)
    unexpected = target.load_state(st.read(path), str(path))
    assert unexpected == []
    ids = torch.randint(0, 300, (3, 77))
    with torch.no_grad():
        assert torch.equal(source(ids), target(ids))


def test_a_missing_or_misshapen_tensor_is_named_with_its_file():
    state = small_model().state_dict()
    del state["text_model.encoder.layers.1.mlp.fc2.bias"]
    with pytest.raises(ValueError) as e:
        small_model().load_state(state, "text_encoder/model.safetensors")
    assert "text_encoder/model.safetensors" in str(e.value)
    assert "text_model.encoder.layers.1.mlp.fc2.bias" in str(e.value)

    state = small_model().state_dict()
    state["text_model.final_layer_norm.weight"] = torch.ones(33)
    with pytest.raises(ValueError, match=r"final_layer_norm.weight \[33\] \(expected \[32\]\)"):
        small_model().load_state(state, "x.ckpt")


def test_unexpected_tensors_are_listed():
    state = small_model().state_dict()
    state["text_model.pooler.weight"] = torch.zeros(1)
    assert small_model().load_state(state, "x") == ["text_model.pooler.weight"]


def test_a_block_computes_what_torchs_own_pre_norm_transformer_layer_computes():
    """An independent check of attention scaling, the causal mask, residuals and QuickGELU: the
    same weights in torch.nn.TransformerEncoderLayer (norm first, batch first)."""
    model = small_model()
    c = model.config
    ours = model.text_model.encoder.layers[0]
    theirs = torch.nn.TransformerEncoderLayer(
        c.width,
        c.heads,
        dim_feedforward=c.mlp_width,
        dropout=0.0,
        activation=lambda h: h * torch.sigmoid(1.702 * h),
        layer_norm_eps=c.eps,
        batch_first=True,
        norm_first=True,
    ).eval()
    a = ours.self_attn
    with torch.no_grad():
        theirs.self_attn.in_proj_weight.copy_(
            torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight])
        )
        theirs.self_attn.in_proj_bias.copy_(
            torch.cat([a.q_proj.bias, a.k_proj.bias, a.v_proj.bias])
        )
        theirs.self_attn.out_proj.weight.copy_(a.out_proj.weight)
        theirs.self_attn.out_proj.bias.copy_(a.out_proj.bias)
        theirs.linear1.load_state_dict(ours.mlp.fc1.state_dict())
        theirs.linear2.load_state_dict(ours.mlp.fc2.state_dict())
        theirs.norm1.load_state_dict(ours.layer_norm1.state_dict())
        theirs.norm2.load_state_dict(ours.layer_norm2.state_dict())
        x = torch.randn(2, 77, c.width)
        causal = torch.full((77, 77), float("-inf")).triu(1)
        expected = theirs(x, src_mask=causal)
        got = ours(x, causal)
    assert torch.allclose(got, expected, atol=1e-5), (got - expected).abs().max()

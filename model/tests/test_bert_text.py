"""The BERT-style text encoder: our module against transformers' BertModel (where installed) on the
same weights, padding that changes nothing on the real tokens, and the weights of the pretrained
graphs read from their Maven jars by name (where the build has downloaded them)."""
import pytest
import torch

from diffris.nn.bert_text import ENCODERS, BertConfig, BertTextEncoder, config_from_state, \
    maven_jar, read_from_jar, state_from_onnx

SMALL = BertConfig(vocab_size=97, max_positions=32, width=24, layers=2, heads=3, mlp_width=40)


def random_encoder(config=SMALL, seed=0):
    torch.manual_seed(seed)
    model = BertTextEncoder(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)
    return model


def test_padding_changes_nothing_on_the_real_tokens():
    model = random_encoder()
    ids = torch.randint(1, 97, (1, 9))
    with torch.no_grad():
        short = model(ids, torch.ones_like(ids))
        padded_ids = torch.cat([ids, torch.zeros(1, 20, dtype=torch.long)], 1)
        mask = torch.cat([torch.ones(1, 9), torch.zeros(1, 20)], 1).long()
        long = model(padded_ids, mask)
    assert torch.allclose(short, long[:, :9], atol=1e-5)


def test_equals_transformers_bert_on_the_same_weights():
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    model = random_encoder()
    c = SMALL
    reference = transformers.BertModel(
        transformers.BertConfig(vocab_size=c.vocab_size, hidden_size=c.width,
                                num_hidden_layers=c.layers, num_attention_heads=c.heads,
                                intermediate_size=c.mlp_width, max_position_embeddings=c.max_positions,
                                type_vocab_size=c.type_vocab_size, layer_norm_eps=c.eps,
                                hidden_act="gelu"),
        add_pooling_layer=False).eval()
    reference.load_state_dict(model.state_dict(), strict=False)
    ids = torch.randint(1, 97, (3, 20))
    mask = torch.ones_like(ids)
    mask[0, 5:] = 0
    mask[1, 12:] = 0
    with torch.no_grad():
        ours = model(ids, mask)
        theirs = reference(input_ids=ids, attention_mask=mask).last_hidden_state
    real = mask[..., None].bool().expand_as(ours)
    assert torch.allclose(ours[real], theirs[real], atol=1e-5)


def _minilm_graph():
    spec = ENCODERS["all-minilm-l6-v2"]
    try:
        maven_jar(spec.artifact)
    except FileNotFoundError as e:
        pytest.skip(str(e).split(":")[0] + " is not downloaded (run the Maven build)")
    return read_from_jar(spec.artifact, spec.entry)


def test_every_weight_of_the_pretrained_graph_is_found_by_name():
    state = state_from_onnx(_minilm_graph())
    config = config_from_state(state, heads=12)
    assert (config.layers, config.width, config.mlp_width, config.vocab_size) == (6, 384, 1536, 30522)
    model = BertTextEncoder(config)
    model.load_state_dict(state, strict=True)   # every parameter, no leftovers
    assert sum(p.numel() for p in model.parameters()) == 22_565_376
    # A linear layer's matrix is [out, in]: the query maps width to width, the MLP widens.
    assert state["encoder.layer.5.intermediate.dense.weight"].shape == (1536, 384)
    assert state["encoder.layer.5.output.dense.weight"].shape == (384, 1536)

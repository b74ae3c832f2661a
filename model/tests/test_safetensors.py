"""The safetensors reader and writer: the format's bytes as the specification lays them out,
round trips in every dtype the SD 1.5 files use, and a clear error for every malformed file."""

import json
import struct

import pytest
import torch

from diffris.weights import safetensors as st


def raw_file(path, header: dict, data: bytes, pad: bool = False):
    """A file built by hand from the specification, independent of `st.write`."""
    raw = json.dumps(header).encode()
    if pad:
        raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


def test_a_file_laid_out_by_the_specification_reads_back(tmp_path):
    data = struct.pack("<4i", 1, -2, 3, 2**31 - 1) + struct.pack("<2e", 0.5, -1.25)
    path = raw_file(
        tmp_path / "spec.safetensors",
        {
            "__metadata__": {"format": "pt"},
            "ints": {"dtype": "I32", "shape": [2, 2], "data_offsets": [0, 16]},
            "halves": {"dtype": "F16", "shape": [2], "data_offsets": [16, 20]},
        },
        data,
        pad=True,
    )
    tensors = st.read(path)
    assert tensors["ints"].tolist() == [[1, -2], [3, 2**31 - 1]]
    assert tensors["halves"].dtype == torch.float16
    assert tensors["halves"].tolist() == [0.5, -1.25]
    _, metadata, _ = st.read_header(path)
    assert metadata == {"format": "pt"}


@pytest.mark.parametrize(
    "dtype",
    [
        torch.float32,
        torch.float16,
        torch.bfloat16,
        torch.float64,
        torch.int64,
        torch.uint8,
        torch.bool,
    ],
)
def test_round_trip_keeps_every_value_and_dtype(tmp_path, dtype):
    g = torch.Generator().manual_seed(7)
    values = torch.randn(3, 5, 2, generator=g) * 100
    tensors = {
        "model.diffusion_model.input_blocks.0.0.weight": values.to(dtype),
        "scalar": torch.tensor(3.0).to(dtype),
        "empty": torch.zeros(0, 4, dtype=dtype),
    }
    path = tmp_path / "w.safetensors"
    st.write(path, tensors, {"note": "test"})
    back = st.read(path)
    assert set(back) == set(tensors)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and back[name].shape == t.shape
        assert torch.equal(back[name], t), name
    # The data starts 8-byte aligned, as the reference writer does it.
    (length,) = struct.unpack("<Q", path.read_bytes()[:8])
    assert length % 8 == 0


def test_bfloat16_bytes_are_the_top_halves_of_float32(tmp_path):
    # bf16 is float32 with the low 16 bits dropped: 1.0 is 0x3F80.
    path = raw_file(
        tmp_path / "bf.safetensors",
        {"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}},
        struct.pack("<2H", 0x3F80, 0xC040),
    )
    assert st.read(path)["x"].float().tolist() == [1.0, -3.0]


def good_header():
    return {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}


@pytest.mark.parametrize(
    "header, data, message",
    [
        (good_header(), b"\0" * 4, "cut short"),
        ({"a": {"dtype": "F8", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, "dtype 'F8'"),
        ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, "needs 12"),
        ({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8, "shape"),
        ({"a": {"dtype": "F32", "shape": [2]}}, b"\0" * 8, "exactly dtype, shape and data_offsets"),
        (
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
            },
            b"\0" * 8,
            "overlap",
        ),
        (good_header(), b"\0" * 12, "the file has 12 data bytes"),
        ({"__metadata__": {"n": 1}, **good_header()}, b"\0" * 8, "__metadata__"),
    ],
)
def test_a_malformed_file_is_an_error_naming_it(tmp_path, header, data, message):
    path = raw_file(tmp_path / "bad.safetensors", header, data)
    with pytest.raises(st.SafetensorsError) as e:
        st.read(path)
    assert message in str(e.value)
    assert str(path) in str(e.value)


def test_files_of_other_formats_are_refused(tmp_path):
    short = tmp_path / "short.safetensors"
    short.write_bytes(b"\x01\x02")
    with pytest.raises(st.SafetensorsError, match="too short"):
        st.read(short)
    pickle_like = tmp_path / "v1-5.ckpt"
    pickle_like.write_bytes(b"PK\x03\x04" + b"\0" * 100)  # a zip: what torch.save writes
    with pytest.raises(st.SafetensorsError, match="does not fit"):
        st.read(pickle_like)
    not_json = tmp_path / "not_json.safetensors"
    not_json.write_bytes(struct.pack("<Q", 4) + b"\xff\xfe{}")
    with pytest.raises(st.SafetensorsError, match="not UTF-8 JSON"):
        st.read(not_json)


def test_reading_some_names_reads_only_those(tmp_path):
    path = tmp_path / "some.safetensors"
    st.write(path, {"a": torch.arange(3.0), "b": torch.ones(2, 2), "c": torch.zeros(1)})
    got = st.read(path, names={"a", "c"})
    assert list(got) == ["a", "c"]
    assert torch.equal(got["a"], torch.arange(3.0))
    assert st.read(path, names=set()) == {}

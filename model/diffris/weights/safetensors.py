"""The safetensors format, read and written without the `safetensors` package (not in Debian).

A file is: an unsigned little-endian 64-bit header length N; N bytes of UTF-8 JSON mapping each
tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data that
follows, end exclusive), plus an optional "__metadata__" of strings; then the data, little-endian,
row-major. Every byte of the data belongs to exactly one tensor, in order of their offsets.

`read` checks all of that and names the file and the tensor in every error, so a cut download or
a file of another format is an error, never a tensor of zeros.
"""

from __future__ import annotations

import json
import math
import os
import struct
from pathlib import Path

import torch

# safetensors dtype name -> (torch dtype, bytes per element)
DTYPES = {
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "I16": (torch.int16, 2),
    "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1),
    "BOOL": (torch.bool, 1),
}
NAMES = {dtype: name for name, (dtype, _) in DTYPES.items()}

# Larger headers are not weight files (the reference implementation stops at 100 MB too).
MAX_HEADER_BYTES = 100_000_000


class SafetensorsError(ValueError):
    """A file that is not a complete, well-formed safetensors file; the message says where."""


def read_header(path: str | os.PathLike) -> tuple[dict, dict, int]:
    """The tensors' entries, the metadata and the data's first byte, checked against the file."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        first = f.read(8)
        if len(first) < 8:
            raise SafetensorsError(f"{path}: {size} bytes, too short for a safetensors header")
        (length,) = struct.unpack("<Q", first)
        if length > MAX_HEADER_BYTES or 8 + length > size:
            raise SafetensorsError(
                f"{path}: header length {length} does not fit the {size}-byte file "
                "(not a safetensors file, or cut short)"
            )
        raw = f.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: the header is not UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise SafetensorsError(f"{path}: __metadata__ must map strings to strings")
    data_start = 8 + length
    data_bytes = size - data_start
    spans = []
    for name, entry in header.items():
        where = f"{path}: tensor '{name}'"
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError(f"{where}: an entry needs exactly dtype, shape and data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in DTYPES:
            raise SafetensorsError(f"{where}: dtype {dtype!r} is not one of {', '.join(DTYPES)}")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise SafetensorsError(f"{where}: shape {shape!r} is not a list of sizes")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_bytes
        ):
            raise SafetensorsError(
                f"{where}: data_offsets {offsets!r} are not within the {data_bytes} data bytes "
                "(cut short?)"
            )
        expected = math.prod(shape) * DTYPES[dtype][1]
        if offsets[1] - offsets[0] != expected:
            raise SafetensorsError(
                f"{where}: {offsets[1] - offsets[0]} bytes for {dtype} {shape}, "
                f"which needs {expected}"
            )
        spans.append((offsets[0], offsets[1], name))
    spans.sort()
    at = 0
    for begin, end, name in spans:
        if begin != at:
            raise SafetensorsError(
                f"{path}: tensor '{name}' starts at data byte {begin}, expected {at} "
                "(tensors overlap or leave a hole)"
            )
        at = end
    if at != data_bytes:
        raise SafetensorsError(
            f"{path}: the tensors end at data byte {at}, the file has {data_bytes} data bytes"
        )
    return header, metadata, data_start


def read(path: str | os.PathLike, names=None) -> dict[str, torch.Tensor]:
    """Every tensor of a safetensors file (or those of `names` only; the others are not read),
    in the file's dtypes, on the CPU."""
    header, _, data_start = read_header(path)
    tensors = {}
    with open(path, "rb") as f:
        for name, entry in header.items():
            if names is not None and name not in names:
                continue
            begin, end = entry["data_offsets"]
            f.seek(data_start + begin)
            data = bytearray(f.read(end - begin))
            dtype = DTYPES[entry["dtype"]][0]
            # Little-endian on disk; every machine torch 1.13 runs on here is little-endian.
            flat = torch.frombuffer(data, dtype=dtype) if data else torch.empty(0, dtype=dtype)
            tensors[name] = flat.reshape(entry["shape"])
    return tensors


def write(
    path: str | os.PathLike, tensors: dict[str, torch.Tensor], metadata: dict | None = None
) -> None:
    """Writes tensors (contiguous copies, in name order) as a safetensors file."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    at = 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in NAMES:
            raise ValueError(f"tensor '{name}': dtype {t.dtype} has no safetensors name")
        blob = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {
            "dtype": NAMES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [at, at + len(blob)],
        }
        blobs.append(blob)
        at += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned, as the reference writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)

#!/usr/bin/env python3
"""Milliseconds per 512 px tile of the full-size sd15 DiffRIS on a GPU, and the memory it takes.

    /usr/bin/python3 model/bench/sd15_gpu.py                     # on a CUDA machine
    /usr/bin/python3 model/bench/sd15_gpu.py --device cpu --size reduced --tile 64 --batches 1
                                                                 # a smoke run of the script

Prints one line of versions, the GPU and ONNX Runtime's providers first, then per precision and
batch: PyTorch inference (the segmenter graph: image and text features in, logits out, as the
Java runtime calls it), a training step of the trained parts on the frozen backbone (adapter,
decoder and head, what `train.py --backbone sd15` runs), and, when ONNX Runtime lists CUDA, the
exported graph through ONNX Runtime. Peak memory is torch.cuda.max_memory_allocated (PyTorch's
own tensors, not the CUDA context); on a CPU, the process's peak resident size. Random weights: the timing does not depend on their values.
"""
import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from diffris.nn import DiffRIS, SegmenterGraph  # noqa: E402
from diffris.training.segtrain import SegmentationTrainer  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--size", choices=("full", "reduced"), default="full")
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--batches", type=int, nargs="+", default=[1, 4, 8])
    p.add_argument("--precisions", nargs="+", default=["fp32", "fp16"])
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--no-onnx", action="store_true", help="skip ONNX Runtime")
    p.add_argument("--no-train", action="store_true", help="skip the training step")
    p.add_argument(
        "--estimate-training-memory",
        action="store_true",
        help="no timing: compute a training step's memory at --tile and each batch "
        "from the tensors autograd keeps, measured at three small tiles (runs "
        "on a CPU)",
    )
    return p.parse_args(argv)


def versions():
    try:
        import onnxruntime as ort

        ort_version, providers = ort.__version__, ort.get_available_providers()
    except ImportError:
        ort_version, providers = "not installed", []
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
    print(
        f"torch {torch.__version__} onnxruntime {ort_version} gpu {gpu} providers {providers}",
        flush=True,
    )
    return providers


def synchronise(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device, repeats):
    fn()  # warm-up: cuDNN picks its algorithms, the allocator grows
    synchronise(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    synchronise(device)
    return (time.perf_counter() - start) / repeats


def peak_reset(device):
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak(device):
    """GiB: PyTorch's peak on a GPU; on a CPU the process's peak resident size so far (it only
    grows, so read it for the largest batch, after the smaller ones)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main(argv=None):
    a = parse_args(argv)
    providers = versions()
    device = torch.device(a.device)
    torch.manual_seed(0)
    model = DiffRIS({"backbone": "sd15", "backbone_args": {"size": a.size}}).eval()
    model.backbone.freeze()
    if a.estimate_training_memory:
        return estimate_training_memory(model, a.tile, a.batches)
    text_dim = model.backbone.text_dim
    for precision in a.precisions:
        dtype = torch.float16 if precision == "fp16" else torch.float32
        if dtype == torch.float16 and device.type != "cuda":
            print(f"{precision}: skipped on {device.type} (half convolutions need CUDA)")
            continue
        model.to(device=device, dtype=dtype)
        graph = SegmenterGraph(model).eval()
        for batch in a.batches:
            image = torch.rand(batch, 3, a.tile, a.tile, device=device, dtype=dtype) * 2 - 1
            text = torch.randn(batch, 77, text_dim, device=device, dtype=dtype)
            peak_reset(device)
            with torch.no_grad():
                seconds = timed(lambda: graph(image, text), device, a.repeats)
            print(
                f"pytorch {precision} batch {batch}: {1000 * seconds / batch:.1f} ms/tile "
                f"({1000 * seconds:.1f} ms/call), peak {peak(device):.2f} GiB",
                flush=True,
            )
            if not a.no_train and dtype == torch.float32:
                train_step(model, image, text, device, batch, a.repeats)
        model.to(dtype=torch.float32)
    if not a.no_onnx and "CUDAExecutionProvider" in providers:
        onnx_runtime(model.to(device="cpu", dtype=torch.float32), a, text_dim)
    return 0


def train_step(model, image, text, device, batch, repeats):
    """One optimiser step of adapter, decoder and head (the latent is cached in training, so the
    VAE is not in the step; the frozen UNet is, for the gradients into the adapter)."""
    trainer = SegmentationTrainer(model, lr=1e-4)
    with torch.no_grad():
        latent = model.backbone.encode_image(image)
    target = (torch.rand(batch, 1, image.shape[2], image.shape[3], device=device) > 0.5).float()
    peak_reset(device)
    seconds = timed(
        lambda: trainer.step(latent, text, image, target, 0.5), device, max(1, repeats // 2)
    )
    model.eval()
    print(
        f"train fp32 batch {batch}: {1000 * seconds:.0f} ms/step, peak {peak(device):.2f} GiB",
        flush=True,
    )


def saved_bytes(model, tile):
    """Bytes of the tensors autograd keeps for the backward pass of one training step at batch
    1 (the activations a step holds at its peak, beside the weights)."""
    torch.manual_seed(0)
    image = torch.rand(1, 3, tile, tile) * 2 - 1
    with torch.no_grad():
        latent = model.backbone.encode_image(image)
        text = model.encode_text(torch.zeros(1, 77, dtype=torch.long))
    seen = {}
    # Weights are saved too (a gradient through a layer needs them) but are counted as weights.
    weights = {p.data_ptr() for p in model.parameters()}

    def keep(t):
        # A tensor saved by several operations is counted once.
        if t.data_ptr() not in weights:
            seen[(t.data_ptr(), t.dtype, tuple(t.shape))] = t.numel() * t.element_size()
        return t

    model.train()
    with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
        logits, _ = model.segment_latent(latent, text, image)
    model.eval()
    return sum(seen.values()) + logits.numel() * logits.element_size()


def estimate_training_memory(model, tile, batches):
    """Activations grow with the latent's pixels (convolutions) and their square (attention):
    bytes = a + b p + c p^2 in p = latent pixels, fitted exactly at three small tiles, then
    taken to `tile`; batch multiplies the activations. Weights: the whole model in fp32;
    gradients and AdamW's two moments for the trained parts only."""
    import numpy as np

    stride = model.backbone.latent_stride
    tiles = [2 * 64, 3 * 64, 4 * 64]
    measured = [saved_bytes(model, t) for t in tiles]
    p = np.array([(t / stride) ** 2 for t in tiles])
    a, b, c = np.linalg.solve(np.stack([np.ones(3), p, p * p], axis=1), np.array(measured))
    target = (tile / stride) ** 2
    activations = a + b * target + c * target**2
    weights = 4 * sum(t.numel() for t in model.parameters())
    trained = sum(t.numel() for m in model.trainable_modules() for t in m.parameters())
    for t, m in zip(tiles, measured):
        print(f"measured: autograd keeps {m / 2**30:.3f} GiB at {t} px, batch 1", flush=True)
    for batch in batches:
        total = weights + 12 * trained + batch * activations
        print(
            f"computed: train fp32 batch {batch} at {tile} px: {total / 2**30:.1f} GiB "
            f"(weights {weights / 2**30:.2f}, activations {batch * activations / 2**30:.1f})",
            flush=True,
        )
    return 0


def onnx_runtime(model, a, text_dim):
    import numpy as np
    import onnxruntime as ort

    from diffris.export import save_graph

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segmenter.onnx"
        image = torch.zeros(1, 3, a.tile, a.tile)
        text = torch.zeros(1, 77, text_dim)
        with torch.no_grad():
            torch.onnx.export(
                SegmenterGraph(model).eval(),
                (image, text),
                str(Path(folder) / "raw.onnx"),
                input_names=["image", "text_features"],
                output_names=["mask_logits"],
                dynamic_axes={"image": {0: "N"}, "text_features": {0: "N"}},
                opset_version=17,
                do_constant_folding=True,
            )
        import onnx

        save_graph(onnx.load(str(Path(folder) / "raw.onnx")), path)
        session = ort.InferenceSession(str(path), providers=["CUDAExecutionProvider"])
        for batch in a.batches:
            feeds = {
                "image": np.random.rand(batch, 3, a.tile, a.tile).astype(np.float32) * 2 - 1,
                "text_features": np.random.randn(batch, 77, text_dim).astype(np.float32),
            }
            session.run(None, feeds)
            start = time.perf_counter()
            for _ in range(a.repeats):
                session.run(None, feeds)
            seconds = (time.perf_counter() - start) / a.repeats
            print(
                f"onnxruntime-cuda fp32 batch {batch}: {1000 * seconds / batch:.1f} ms/tile",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())

"""Training data loading: a split read at the model's size, and several folders concatenated."""
import torch

from diffris.corpus.dataset import CorpusSpec, write_split
from diffris.training.data import channel_stats, concat_splits, load_split


def test_two_folders_concatenate_in_order_with_distinct_ids(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_split(str(first), CorpusSpec(seed=5, split="train"), 6)
    write_split(str(second), CorpusSpec(seed=6, split="train"), 4)
    a = load_split(first, "train", size=32)
    b = load_split(second, "train", size=32)
    assert a.ids[0] == b.ids[0]          # generate.py numbers every folder from 0

    both = concat_splits([a, b])
    assert len(both) == len(a) + len(b)
    assert len(set(both.ids)) == len(both)
    assert both.ids[:len(a)] == [f"0/{i}" for i in a.ids]
    assert both.ids[len(a):] == [f"1/{i}" for i in b.ids]
    assert both.texts == a.texts + b.texts and both.types == a.types + b.types
    assert torch.equal(both.images, torch.cat([a.images, b.images]))
    assert torch.equal(both.masks[len(a):], b.masks)
    assert both.images.shape[1:] == (3, 32, 32)


def test_one_folder_is_returned_unchanged(tmp_path):
    write_split(str(tmp_path), CorpusSpec(seed=5, split="train"), 3)
    split = load_split(tmp_path, "train", size=32)
    assert concat_splits([split]) is split


def test_channel_stats_in_chunks_equal_the_whole_set_at_once():
    images = torch.randint(0, 256, (50, 3, 8, 8), generator=torch.Generator().manual_seed(3),
                           dtype=torch.uint8)
    images[:, 2] //= 4                      # channels with different statistics
    pixels = images.float() / 255.0
    mean, std = channel_stats(images, chunk=7)
    assert torch.allclose(torch.tensor(mean, dtype=torch.float64), pixels.mean(dim=(0, 2, 3)).double(), atol=1e-6)
    assert torch.allclose(torch.tensor(std, dtype=torch.float64), pixels.std(dim=(0, 2, 3)).double(), atol=1e-6)
    assert mean[2] < mean[0] / 2

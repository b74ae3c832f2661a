"""Training data loading: a split read at the model's size, and several folders concatenated."""
import torch

from diffris.corpus.dataset import CorpusSpec, write_split
from diffris.training.data import concat_splits, load_split


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

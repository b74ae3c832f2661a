"""`model/store_checkpoint.py`: a checkpoint stored in half precision for the repository loads
back as the same model to within half precision's rounding, keeps its training facts, and bad
input writes nothing."""
import pytest
import torch

import store_checkpoint
from diffris.nn import DiffRIS, checkpoint_state, load_checkpoint


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    config = {"backbone": "tiny", "backbone_args": {"vocab_size": 40}, "decoder_dim": 32}
    model = DiffRIS(config)
    path = tmp_path / "model.pt"
    torch.save({"config": config, "model": checkpoint_state(model), "step": 7,
                "training": {"joint": True}, "optimizer": {"state": {}}}, path)
    return path


def test_it_loads_back_within_half_precision_and_keeps_the_facts(checkpoint, tmp_path, capsys):
    out = tmp_path / "kept" / "model.pt"
    assert store_checkpoint.main(["--checkpoint", str(checkpoint), "--out", str(out)]) == 0
    full = torch.load(checkpoint)["model"]
    stored = torch.load(out)
    assert stored["step"] == 7 and stored["training"] == {"joint": True}
    assert "optimizer" not in stored and stored["stored_in_half_precision"] is True
    assert all(v.dtype == torch.float16 for v in stored["model"].values()
               if torch.is_floating_point(v))
    model, _ = load_checkpoint(out)
    for k, v in model.state_dict().items():
        if k in full and torch.is_floating_point(full[k]):
            assert v.dtype == torch.float32
            # half precision keeps 11 significant bits: 2^-11 of the value (subnormals aside)
            assert torch.allclose(v, full[k], rtol=2 ** -11, atol=2 ** -24), k
    assert out.stat().st_size < 0.6 * checkpoint.stat().st_size
    assert "largest change of a weight" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["model.pt"]


def test_a_weight_beyond_half_precision_is_refused_and_nothing_written(checkpoint, tmp_path,
                                                                       capsys):
    ck = torch.load(checkpoint)
    name = next(k for k, v in ck["model"].items() if torch.is_floating_point(v))
    ck["model"][name] = ck["model"][name].clone().fill_(1e6)
    torch.save(ck, checkpoint)
    out = tmp_path / "kept" / "model.pt"
    assert store_checkpoint.main(["--checkpoint", str(checkpoint), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert name in err and "beyond half precision" in err
    assert not out.parent.exists()


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path, capsys):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "kept.pt"
    assert store_checkpoint.main(["--checkpoint", str(bad), "--out", str(out)]) == 2
    assert "not a checkpoint written by model/train.py" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "kept.pt.tmp").exists()


def test_writing_over_the_checkpoint_itself_is_refused(checkpoint, capsys):
    before = checkpoint.read_bytes()
    with pytest.raises(SystemExit) as stop:
        store_checkpoint.main(["--checkpoint", str(checkpoint), "--out", str(checkpoint)])
    assert stop.value.code == 2
    assert "is the checkpoint itself" in capsys.readouterr().err
    assert checkpoint.read_bytes() == before


def test_an_output_that_cannot_be_written_is_refused_naming_it(checkpoint, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "kept" / "model.pt"  # a folder cannot be made inside a file
    assert store_checkpoint.main(["--checkpoint", str(checkpoint), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and "nothing written" in err
    assert blocker.read_text() == ""


def test_a_stop_while_writing_leaves_neither_the_file_nor_the_folders_it_made(
        checkpoint, tmp_path, capsys, monkeypatch):
    def interrupted(obj, path):
        open(path, "wb").write(b"half")  # part of the file, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(store_checkpoint.torch, "save", interrupted)
    out = tmp_path / "new" / "deeper" / "model.pt"
    assert store_checkpoint.main(["--checkpoint", str(checkpoint), "--out", str(out)]) == 130
    assert "stopped; nothing written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # the input only

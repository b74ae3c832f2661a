"""The fAIr alignment check's refusals: a set or zoom that is not there, a shift range that is
not a distance; each a one-line reason and exit status 2, before any chip is read."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "fair_alignment.py"


def run(*args):
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True)


@pytest.fixture
def data(tmp_path):
    """A real-imagery folder with set 1 holding one zoom-19 chip (its name is all that is read)."""
    chip = tmp_path / "fair" / "set1" / "OAM-1-2-19.png"
    chip.parent.mkdir(parents=True)
    chip.write_bytes(b"")
    (tmp_path / "fair" / "set2").mkdir()
    return tmp_path


def test_a_missing_set_names_the_sets_there(data):
    r = run("--data", str(data), "--set", "7")
    assert r.returncode == 2
    assert "set7 has no chips at zoom 20; sets in" in r.stderr
    assert r.stderr.rstrip().endswith("set1, set2")


def test_a_missing_zoom_names_the_zooms_there(data):
    r = run("--data", str(data), "--set", "1", "--zoom", "21")
    assert r.returncode == 2
    assert r.stderr.rstrip().endswith("set1 has no chips at zoom 21 (zooms there: 19)")


@pytest.mark.parametrize("value", ["0", "-2"])
def test_the_shift_range_must_be_a_distance(data, value):
    r = run("--data", str(data), "--set", "1", "--zoom", "19", "--range-m", value)
    assert r.returncode == 2
    assert f"--range-m {float(value)} must be a positive number of metres" in r.stderr

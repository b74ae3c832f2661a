import subprocess
import sys
from pathlib import Path

import pytest

# The package lives in model/diffris; tests run from any folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test, run with DIFFRIS_SLOW=1 ./run-tests")


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """A 16-sample training and 4-sample validation split of model/generate.py (seed 5): enough
    for train.py runs of a few steps."""
    out = tmp_path_factory.mktemp("small-corpus") / "data"
    for split, count in (("train", 16), ("val", 4)):
        subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "generate.py"),
                        "--seed", "5", "--count", str(count), "--split", split, "--out", str(out)],
                       check=True, capture_output=True)
    return out

import sys
from pathlib import Path

# The package lives in model/diffris; tests run from any folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test, run with DIFFRIS_SLOW=1 ./run-tests")

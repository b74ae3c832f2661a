"""The reference implementations our code is compared with: diffusers, transformers and the
GeoParquet readers, test-only packages pinned in model/requirements-test.txt that ./run-tests
installs into .venv-test/. Under ./run-tests (DIFFRIS_ORACLES=1) a missing one fails the test;
elsewhere (Debian's python3 alone) the tests that need them are skipped."""

import importlib
import os
import tempfile

import pytest

# Configurations are written in the tests: nothing is downloaded, and no user cache is touched.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HOME", os.path.join(tempfile.gettempdir(), "diffris-tests-hf"))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def require(module: str):
    if os.environ.get("DIFFRIS_ORACLES") == "1":
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module}: see model/requirements-test.txt")

"""The Java side of the bundle tests: the model-runtime's own parity test on a bundle, and the
`diffris` command line. Both need the Maven build (run-tests runs it before these tests)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = (
    ROOT
    / "model-runtime"
    / "target"
    / "surefire-reports"
    / "org.diffris.runtime.BundleParityTest.txt"
)


def bundle_parity(bundle):
    """Runs BundleParityTest (tokenizer ids, pixel scaling, logits through DiffrisModel within
    the stored 1e-4) on `bundle`; fails the calling test unless it passed, returns its figures."""
    if not (ROOT / "model-runtime" / "target" / "test-classes").is_dir() or not shutil.which("mvn"):
        pytest.skip("model-runtime is not built (run the Maven build first)")
    r = subprocess.run(
        [
            "mvn",
            "-B",
            "-q",
            "-o",
            "-pl",
            "model-runtime",
            "surefire:test",
            "-Dtest=BundleParityTest",
            f"-Ddiffris.bundle={bundle}",
            "-Dsurefire.failIfNoSpecifiedTests=false",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    report = REPORT.read_text(encoding="utf-8")
    assert "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0" in report, report
    return "\n".join(line for line in r.stdout.splitlines() if "parity:" in line)


def diffris(*args):
    """`./diffris ARGS` (built on first use), without the start-up archive a test would write."""
    return subprocess.run(
        [str(ROOT / "diffris"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DIFFRIS_CDS": "off"},
    )

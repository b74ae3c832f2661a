"""Which BLAS library this process's PyTorch runs its matrix products on.

Debian's python3-torch links the generic `libblas.so.3`, which resolves to the reference
(netlib) BLAS unless an optimised one is installed; on the 2-core training machines the
reference one made a training step about 3x slower (matrix products alone about 11x, see
docs/model.md). The trainer logs the library and warns when it is the reference one.
"""
import os

REFERENCE_HINT = ("the reference BLAS: matrix products run about 10x slower than with "
                  "OpenBLAS; `apt-get install libopenblas0-openmp` switches Debian's "
                  "libblas.so.3 to it")


def loaded_blas(maps_path="/proc/self/maps"):
    """Resolved path of the libblas.so.3 mapped into this process, or None if none is."""
    try:
        with open(maps_path, encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1]
                if os.path.basename(path).startswith("libblas.so"):
                    return os.path.realpath(path)
    except OSError:
        return None
    return None


def blas_report(path):
    """One line for the training log: the library, and a hint if it is the reference one."""
    if path is None:
        return "blas: no libblas.so mapped (PyTorch uses its own)"
    if "/blas/" in path or "netlib" in path:
        return f"blas: {path} is {REFERENCE_HINT}"
    return f"blas: {path}"

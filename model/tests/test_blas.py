"""The trainer's BLAS report: finds libblas in a process map and flags the reference one."""
from diffris.training.blas import blas_report, loaded_blas


def test_finds_the_mapped_blas_and_flags_the_reference_one(tmp_path):
    lib = tmp_path / "blas" / "libblas.so.3"
    lib.parent.mkdir()
    lib.write_bytes(b"")
    maps = tmp_path / "maps"
    maps.write_text("7f00-7f01 r-xp 00000000 08:01 1 /usr/lib/libc.so.6\n"
                    f"7f02-7f03 r-xp 00000000 08:01 2 {lib}\n"
                    "7f04-7f05 rw-p 00000000 00:00 0\n")
    found = loaded_blas(str(maps))
    assert found == str(lib)
    assert "apt-get install libopenblas0-openmp" in blas_report(found)


def test_an_optimised_blas_gets_no_hint():
    report = blas_report("/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3")
    assert report.endswith("openblas-openmp/libblas.so.3")
    assert "apt-get" not in report


def test_no_map_or_no_blas_is_said_plainly(tmp_path):
    assert loaded_blas(str(tmp_path / "absent")) is None
    maps = tmp_path / "maps"
    maps.write_text("7f00-7f01 r-xp 00000000 08:01 1 /usr/lib/libc.so.6\n")
    assert loaded_blas(str(maps)) is None
    assert "no libblas" in blas_report(None)

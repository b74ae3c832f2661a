"""The committed sample scenes: readable, on one grid per scene, at 0.5 m/px, masks non-empty."""
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, osr

gdal.UseExceptions()
SCENES = Path(__file__).resolve().parents[2] / "sample-data" / "scenes"


def rows():
    return [l.split("\t") for l in (SCENES / "queries.tsv").read_text(encoding="utf-8").splitlines()]


@pytest.mark.skipif(not (SCENES / "queries.tsv").exists(), reason="sample-data/scenes not present")
def test_scenes_and_masks_share_a_projected_half_metre_grid():
    assert len({r[0] for r in rows()}) == 3
    for scene, query, mask in rows():
        img, msk = gdal.Open(str(SCENES / scene)), gdal.Open(str(SCENES / mask))
        assert img.RasterCount == 3 and msk.RasterCount == 1, query
        assert 1500 <= img.RasterXSize <= 2500 and 1500 <= img.RasterYSize <= 2500
        assert (img.RasterXSize, img.RasterYSize) == (msk.RasterXSize, msk.RasterYSize)
        gt = img.GetGeoTransform()
        assert gt == msk.GetGeoTransform() and (gt[1], gt[5]) == (0.5, -0.5)
        srs = osr.SpatialReference(wkt=img.GetProjection())
        assert srs.IsProjected() and srs.GetAuthorityCode(None) == "32633"
        values = np.unique(msk.ReadAsArray())
        assert list(values) == [0, 255], query


@pytest.mark.skipif(not (SCENES / "queries.tsv").exists(), reason="sample-data/scenes not present")
def test_scene_folder_stays_small():
    total = sum(p.stat().st_size for p in SCENES.iterdir() if p.is_file())
    assert total < 15 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.skipif(not (SCENES / "queries.tsv").exists(), reason="sample-data/scenes not present")
def test_committed_scenes_are_what_make_scenes_writes(tmp_path):
    import subprocess
    import sys
    script = Path(__file__).resolve().parents[1] / "make_scenes.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in SCENES.iterdir() if p.name != "README.md")
    for name in made:
        assert (tmp_path / name).read_bytes() == (SCENES / name).read_bytes(), name

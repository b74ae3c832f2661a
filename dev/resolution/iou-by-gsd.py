#!/usr/bin/python3
"""Mean IoU of a scene's queries against its ground truth with the scene resampled to other pixel
sizes: how the answer holds up as the raster gets coarser (the model enlarges it) or finer.

    dev/resolution/iou-by-gsd.py SCENE WORKDIR SIZE...    e.g. port.tif /tmp/gsd 0.5 1 2 4

Each copy is `gdal_translate -r average -tr SIZE SIZE` of sample-data/scenes/SCENE (`-r near` for a
size finer than the scene's), segmented with ./diffris for every query of queries.tsv on that
scene; the polygons are burnt onto the ground truth's grid (pixel centres) and scored. Needs
Debian's python3-gdal and gdal-bin.
"""
import os
import subprocess
import sys

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENES = os.path.join(ROOT, "sample-data", "scenes")


def iou(gpkg, truth_file):
    truth = gdal.Open(truth_file)
    mask = truth.ReadAsArray() > 0
    burnt = gdal.GetDriverByName("MEM").Create("", truth.RasterXSize, truth.RasterYSize, 1, gdal.GDT_Byte)
    burnt.SetGeoTransform(truth.GetGeoTransform())
    burnt.SetProjection(truth.GetProjection())
    source = ogr.Open(gpkg)  # kept: its layer dies with it
    gdal.RasterizeLayer(burnt, [1], source.GetLayer(0), burn_values=[1])
    predicted = burnt.ReadAsArray() > 0
    union = np.logical_or(mask, predicted).sum()
    return 1.0 if union == 0 else np.logical_and(mask, predicted).sum() / union


def main():
    scene, work, sizes = sys.argv[1], sys.argv[2], [float(s) for s in sys.argv[3:]]
    os.makedirs(work, exist_ok=True)
    queries = [line.rstrip("\n").split("\t") for line in open(os.path.join(SCENES, "queries.tsv"))]
    queries = [q for q in queries if q[0] == scene]
    source = os.path.join(SCENES, scene)
    own = gdal.Open(source).GetGeoTransform()[1]
    print(f"{scene}: {len(queries)} queries")
    for size in sizes:
        copy = os.path.join(work, f"{size:g}-{scene}")
        method = "average" if size >= own else "near"
        subprocess.run(["gdal_translate", "-q", "-r", method, "-tr", str(size), str(size), source, copy], check=True)
        scores = []
        for i, (_, query, truth) in enumerate(queries):
            out = os.path.join(work, f"{size:g}-{i}.gpkg")
            run = subprocess.run(
                [os.path.join(ROOT, "diffris"), "segment", "--raster", copy, "--query", query, "--out", out,
                 "--overwrite", "--progress", "none"],
                capture_output=True, text=True)
            if run.returncode != 0:
                print(f"  {size:g} m: {run.stderr.strip().splitlines()[-1]}")
                break
            scores.append(iou(out, os.path.join(SCENES, truth)))
        else:
            print(f"  {size:g} m: mean IoU {np.mean(scores):.3f}  ({', '.join(f'{s:.2f}' for s in scores)})")


if __name__ == "__main__":
    main()

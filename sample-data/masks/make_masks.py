#!/usr/bin/python3
"""Writes the small sample masks in this folder (seeded, so every run writes the same pixels).

Run with Debian's python3 (it has GDAL and numpy):  /usr/bin/python3 sample-data/masks/make_masks.py

Each mask exercises one thing a GIS user meets in practice:
  blobs_utm.tif                  byte 0/1/255 mask, EPSG:32633 (UTM 33N, metres), north-up
  blobs_wgs84.tif                byte mask, EPSG:4326 (geographic: areas are geodesic)
  blobs_rotated.tif              byte mask, EPSG:32633, geotransform rotated by 30 degrees
  probabilities_3857_nodata.tif  float32 probabilities in [0, 1], EPSG:3857, nodata -1 on a stripe
  counts_ftus_uint16.tif         uint16 mask, EPSG:2263 (US survey feet), nodata 65535 on a corner
Every byte mask also holds the awkward shapes: a ring (polygon with a hole), two squares touching
only at a corner (one region at 8-connectivity, two at 4), a single pixel, blobs cut by the edge.
"""
import math
import os

import numpy as np
from osgeo import gdal, osr

HERE = os.path.dirname(os.path.abspath(__file__))
gdal.UseExceptions()


def blob_mask(width, height, seed, count):
  """Random ellipses plus the fixed awkward shapes; returns uint8 with values 0 and 1."""
  rng = np.random.default_rng(seed)
  rows, cols = np.mgrid[0:height, 0:width]
  mask = np.zeros((height, width), dtype=np.uint8)
  for _ in range(count):
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    ax, ay = rng.uniform(3, width / 10), rng.uniform(3, height / 10)
    angle = rng.uniform(0, math.pi)
    dx, dy = cols - cx, rows - cy
    u = dx * math.cos(angle) + dy * math.sin(angle)
    v = -dx * math.sin(angle) + dy * math.cos(angle)
    mask[(u / ax) ** 2 + (v / ay) ** 2 <= 1] = 1
  # A ring: one polygon with one hole.
  r = np.hypot(cols - width * 0.5, rows - height * 0.5)
  mask[(r >= 12) & (r <= 20)] = 1
  mask[r < 12] = 0
  # Two squares that touch only at a corner.
  mask[5:10, 5:10] = 1
  mask[10:15, 10:15] = 1
  mask[4:16, 15] = 0
  mask[15, 4:16] = 0
  mask[4, 4:11] = 0
  mask[4:11, 4] = 0
  # A lone pixel.
  mask[height - 3, 3] = 1
  mask[height - 4:height - 1, 2] = 0
  mask[height - 4:height - 1, 4] = 0
  mask[height - 4, 2:5] = 0
  mask[height - 2, 2:5] = 0
  return mask


def write(name, array, epsg, geotransform, gdal_type, nodata=None):
  path = os.path.join(HERE, name)
  height, width = array.shape
  driver = gdal.GetDriverByName("GTiff")
  options = ["COMPRESS=DEFLATE", "PREDICTOR=3" if gdal_type == gdal.GDT_Float32 else "PREDICTOR=1"]
  ds = driver.Create(path, width, height, 1, gdal_type, options=options)
  ds.SetGeoTransform(geotransform)
  srs = osr.SpatialReference()
  srs.ImportFromEPSG(epsg)
  ds.SetProjection(srs.ExportToWkt())
  band = ds.GetRasterBand(1)
  if nodata is not None:
    band.SetNoDataValue(nodata)
  band.WriteArray(array)
  ds = None
  print(f"{name}: {width}x{height} EPSG:{epsg} {gdal.GetDataTypeName(gdal_type)}")


def rotated(origin_x, origin_y, size, degrees):
  t = math.radians(degrees)
  # X = x0 + col*gt1 + row*gt2 ; Y = y0 + col*gt4 + row*gt5 (columns along the rotated east axis).
  return (origin_x, size * math.cos(t), size * math.sin(t),
          origin_y, size * math.sin(t), -size * math.cos(t))


def main():
  utm = blob_mask(400, 300, seed=1, count=25)
  utm[200:230, 300:340][utm[200:230, 300:340] > 0] = 255  # any non-zero value is the mask
  write("blobs_utm.tif", utm, 32633, (500000.0, 0.5, 0.0, 5300000.0, 0.0, -0.5), gdal.GDT_Byte)

  write("blobs_wgs84.tif", blob_mask(360, 240, seed=2, count=20), 4326,
        (16.0, 0.0001, 0.0, 48.3, 0.0, -0.0001), gdal.GDT_Byte)

  write("blobs_rotated.tif", blob_mask(300, 300, seed=3, count=20), 32633,
        rotated(600000.0, 5200000.0, 1.0, 30.0), gdal.GDT_Byte)

  # Probabilities: a sum of Gaussian bumps squashed into [0, 1], nodata on a horizontal stripe.
  rng = np.random.default_rng(4)
  h, w = 200, 300
  rows, cols = np.mgrid[0:h, 0:w]
  energy = np.zeros((h, w))
  for _ in range(18):
    cx, cy, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 14)
    energy += 2.0 * np.exp(-((cols - cx) ** 2 + (rows - cy) ** 2) / (2 * s * s))
  prob = np.round(1.0 - np.exp(-energy), 3).astype(np.float32)  # 3 decimals compress well
  prob[90:100, :] = -1.0
  write("probabilities_3857_nodata.tif", prob, 3857,
        (1_800_000.0, 2.0, 0.0, 6_100_000.0, 0.0, -2.0), gdal.GDT_Float32, nodata=-1.0)

  counts = blob_mask(320, 240, seed=5, count=22).astype(np.uint16) * 1200
  counts[0:60, 240:320] = 65535
  write("counts_ftus_uint16.tif", counts, 2263,
        (980000.0, 2.0, 0.0, 200000.0, 0.0, -2.0), gdal.GDT_UInt16, nodata=65535)


if __name__ == "__main__":
  main()

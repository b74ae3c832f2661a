#!/usr/bin/python3
"""Compares two behaviour snapshots written by snapshot.sh; exit status 1 on any difference.

  /usr/bin/python3 dev/behaviour-snapshot/compare.py A B [--rename OLD=NEW ...]
      [--ignore-attr NAME ...] [--ignore-key KEY ...] [--float-tol T] [--strict] [--max-reasons N]

A is the reference ("before"), B the candidate ("after"). Prints one line per compared item,
OK, NOTE (equal by the rules below, with an observation) or DIFF (with a short reason), then a
summary. Needs GDAL's Python bindings and numpy (Debian: python3-gdal, python3-numpy).

Rules:
- Vector outputs (.gpkg, .geojson, read with OGR): same layers, feature count, order, FIDs,
  geometry type, CRS and fields; each geometry exactly equal (same WKB, i.e. every coordinate bit
  for bit); geometries equal only after normalization (other start vertex or ring order) are a
  NOTE, a DIFF with --strict. A differing geometry is reported with its symmetric-difference
  area (in CRS units squared). GeoPackage metadata tables are compared too (not last_change).
- Attributes: --rename OLD=NEW says attribute (or column, or summary key) OLD in A is NEW in B
  (where B has NEW; where B still has OLD, OLD is compared with OLD); one present on one side only is a DIFF unless --ignore-attr NAME (either side's name).
  Floats compare exactly unless --float-tol T (absolute). Field order and NOT NULL constraints
  are compared too (--ignore-field-order, --ignore-nullability to accept a change).
- Rasters (.tif): size, bands, data type, geotransform, projection, nodata, metadata, block size
  and pixels (numpy.array_equal, NaN equal to NaN).
- PNG: identical bytes; otherwise a DIFF with the number of differing pixels.
- CLI stdout (.txt): the last line of key=value pairs, every key except the timings (model_ms,
  inference_ms, total_ms, ms), --ignore-key ones, and values that are paths of the snapshot;
  the other lines with the tree and snapshot paths replaced by placeholders.
- stderr (.err): java.util.logging records without their timestamp/source header lines, timing
  numbers masked, JVM notes about java.util.prefs dropped.
- Exit status (.rc), the run list (runs.tsv).
- WPS (wps-runs.tsv, wps.tsv): per run inputs, status, feature count, feature type (attribute names
  with rename/ignore, Java types), EPSG code, SRIDs; per feature the WKT (exact text, normalized
  equality as NOTE, else DIFF with symmetric-difference area), attribute values, feature id.
Not compared: tree.txt, wps.log, work/ (build log, classpath, timings).
"""
import argparse
import math
import os
import re
import sqlite3
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

TIMING_KEYS = {"model_ms", "inference_ms", "total_ms", "ms"}
SKIP_TOP = {"tree.txt", "wps.log", "work"}


class Result:
  """Reasons for one compared item: DIFF reasons and NOTE observations."""

  def __init__(self):
    self.diffs = []
    self.notes = []

  def diff(self, msg):
    self.diffs.append(msg)

  def note(self, msg):
    self.notes.append(msg)


class Options:
  def __init__(self, args):
    self.rename = {}  # A name -> B name
    for r in args.rename:
      if "=" not in r:
        sys.exit("compare.py: --rename takes OLD=NEW, got " + r)
      old, new = r.split("=", 1)
      self.rename[old] = new
    self.ignore = set(args.ignore_attr)
    self.ignore_keys = set(args.ignore_key)
    self.tol = args.float_tol
    self.strict = args.strict
    self.ignore_order = args.ignore_field_order
    self.ignore_nullability = args.ignore_nullability


def read_tree_info(snap):
  info = {}
  with open(os.path.join(snap, "tree.txt"), encoding="utf-8") as f:
    for line in f:
      if "=" in line and not line.startswith(" "):
        k, v = line.rstrip("\n").split("=", 1)
        info[k] = v
  return info


def floats_equal(a, b, tol):
  if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
    return True
  return a == b if tol == 0 else abs(a - b) <= tol


def values_equal(a, b, tol):
  """Equal as numbers when both are numbers (or numeric text), else as text."""
  if a is None or b is None:
    return a is None and b is None
  fa, fb = to_float(a), to_float(b)
  if fa is not None and fb is not None:
    return floats_equal(fa, fb, tol)
  return str(a) == str(b)


def to_float(v):
  if isinstance(v, bool):
    return None
  if isinstance(v, (int, float)):
    return float(v)
  try:
    return float(v)
  except (TypeError, ValueError):
    return None


def match_names(names_a, names_b, opts, res, what):
  """Pairs A's names with B's through --rename; reports one-sided names unless ignored.
  Returns [(name_a, name_b)] in A's order."""
  pairs = []
  mapped = set()
  for a in names_a:
    b = opts.rename.get(a, a)
    if b not in names_b and a in names_b:
      b = a  # a rename applies where it happened; elsewhere the old name may remain
    if b in names_b and b not in mapped:
      pairs.append((a, b))
      mapped.add(b)
    elif a not in opts.ignore and b not in opts.ignore:
      res.diff(f"{what} '{a}' only in A" + (f" (renamed to '{b}', not in B)" if b != a else ""))
  for b in names_b:
    if b not in mapped and b not in opts.ignore:
      res.diff(f"{what} '{b}' only in B")
  order_a = [b for _, b in pairs]
  order_b = [b for b in names_b if b in mapped]
  if order_a != order_b and not opts.ignore_order:
    res.diff(f"{what} order differs: A {order_a}, B {order_b}")
  return pairs


# ---------------------------------------------------------------- geometries

def geometry_compare(ga, gb, res, label, opts):
  """Exact WKB equality; normalized equality is a NOTE (DIFF with --strict); else DIFF with the
  symmetric-difference area. Returns the symmetric-difference area of a DIFF, else 0."""
  if ga is None or gb is None:
    if (ga is None) != (gb is None):
      res.diff(f"{label}: geometry missing on one side")
    return 0.0
  if ga.ExportToIsoWkb() == gb.ExportToIsoWkb():
    return 0.0
  na, nb = ga.Normalize(), gb.Normalize()  # OGR's Normalize returns a new geometry
  if na is not None and nb is not None and na.ExportToIsoWkb() == nb.ExportToIsoWkb():
    msg = f"{label}: same geometry after normalization (vertex or ring order differs)"
    (res.diff if opts.strict else res.note)(msg)
    return 0.0
  area = symdiff_area(ga, gb)
  res.diff(f"{label}: geometry differs ({ga.GetGeometryName()} {count_points(ga)} pts vs "
           f"{gb.GetGeometryName()} {count_points(gb)} pts; symmetric difference area {area:.6g})")
  return area


def symdiff_area(ga, gb):
  try:
    return ga.SymDifference(gb).GetArea()
  except Exception:  # invalid geometry: fall back on buffered copies
    try:
      return ga.Buffer(0).SymDifference(gb.Buffer(0)).GetArea()
    except Exception:
      return float("nan")


def count_points(g):
  n = g.GetPointCount()
  for i in range(g.GetGeometryCount()):
    n += count_points(g.GetGeometryRef(i))
  return n


def union_all(geoms):
  coll = ogr.Geometry(ogr.wkbGeometryCollection)
  for g in geoms:
    if g is not None:
      coll.AddGeometry(g)
  try:
    return coll.UnionCascaded()
  except Exception:
    return coll.Buffer(0)


# ---------------------------------------------------------------- vectors

def read_layer(layer):
  defn = layer.GetLayerDefn()
  fields = [defn.GetFieldDefn(i) for i in range(defn.GetFieldCount())]
  features = []
  layer.ResetReading()
  for f in layer:
    g = f.GetGeometryRef()
    values = {}
    for i, fd in enumerate(fields):
      if not f.IsFieldSet(i) or f.IsFieldNull(i):
        values[fd.GetName()] = None
      elif fd.GetType() == ogr.OFTReal:
        values[fd.GetName()] = f.GetFieldAsDouble(i)
      elif fd.GetType() in (ogr.OFTInteger, ogr.OFTInteger64):
        values[fd.GetName()] = f.GetFieldAsInteger64(i)
      else:
        values[fd.GetName()] = f.GetFieldAsString(i)
    features.append((f.GetFID(), g.Clone() if g is not None else None, values))
  srs = layer.GetSpatialRef()
  return {
      "fields": [(fd.GetName(), fd.GetTypeName(), fd.GetSubType(), fd.IsNullable()) for fd in fields],
      "geom_type": ogr.GeometryTypeToName(layer.GetGeomType()),
      "geom_column": layer.GetGeometryColumn(),
      "fid_column": layer.GetFIDColumn(),
      "srs": srs.ExportToWkt() if srs is not None else None,
      "epsg": srs.GetAuthorityCode(None) if srs is not None else None,
      "features": features,
  }


def compare_vector(pa, pb, opts):
  res = Result()
  da, db = ogr.Open(pa), ogr.Open(pb)
  names_a = [da.GetLayer(i).GetName() for i in range(da.GetLayerCount())]
  names_b = [db.GetLayer(i).GetName() for i in range(db.GetLayerCount())]
  if names_a != names_b:
    res.diff(f"layers differ: A {names_a}, B {names_b}")
  total = 0
  for name in [n for n in names_a if n in names_b]:
    la, lb = read_layer(da.GetLayerByName(name)), read_layer(db.GetLayerByName(name))
    prefix = f"layer {name}: " if len(names_a) > 1 else ""
    for key in ("geom_type", "geom_column", "fid_column", "epsg", "srs"):
      if la[key] != lb[key]:
        shown = (str(la[key])[:60], str(lb[key])[:60])
        res.diff(f"{prefix}{key} differs: A {shown[0]!r}, B {shown[1]!r}")
    fa = {f[0]: f for f in la["fields"]}
    fb = {f[0]: f for f in lb["fields"]}
    pairs = match_names([f[0] for f in la["fields"]], [f[0] for f in lb["fields"]], opts, res,
                        prefix + "field")
    for a, b in pairs:
      if fa[a][1:3] != fb[b][1:3]:
        res.diff(f"{prefix}field {a}: type (name, subtype) A {fa[a][1:3]}, B {fb[b][1:3]}")
      if fa[a][3] != fb[b][3] and not opts.ignore_nullability:
        null = lambda n: "nullable" if n else "NOT NULL"
        res.diff(f"{prefix}field {a}: {null(fa[a][3])} in A, {null(fb[b][3])} in B")
    feats_a, feats_b = la["features"], lb["features"]
    total += len(feats_a)
    if len(feats_a) != len(feats_b):
      res.diff(f"{prefix}feature count A {len(feats_a)}, B {len(feats_b)}")
    area = 0.0
    geom_diffs = 0
    for i, (xa, xb) in enumerate(zip(feats_a, feats_b)):
      if xa[0] != xb[0]:
        res.diff(f"{prefix}feature {i}: FID A {xa[0]}, B {xb[0]}")
      before = len(res.diffs)
      area += geometry_compare(xa[1], xb[1], res, f"{prefix}feature {i}", opts)
      geom_diffs += len(res.diffs) > before
      for a, b in pairs:
        va, vb = xa[2][a], xb[2][b]
        if not values_equal(va, vb, opts.tol):
          res.diff(f"{prefix}feature {i} {a}: A {va!r}, B {vb!r}")
    if geom_diffs or len(feats_a) != len(feats_b):
      whole = symdiff_area(union_all([f[1] for f in feats_a]), union_all([f[1] for f in feats_b]))
      res.diff(f"{prefix}{geom_diffs} geometries differ; sum of their symmetric-difference areas "
               f"{area:.6g}, of the whole layers' unions {whole:.6g}")
  if pa.endswith(".gpkg"):
    compare_gpkg_tables(pa, pb, names_a, opts, res)
  if not res.diffs and file_bytes(pa) != file_bytes(pb) and not pa.endswith(".gpkg"):
    res.note("content equal, file bytes differ")
  return res, f"{total} features"


def compare_gpkg_tables(pa, pb, layers, opts, res):
  """The GeoPackage's own tables, as SQL sees them: metadata rows (not last_change), the
  application id and version, the feature tables' columns and raw geometry blobs."""
  ca, cb = sqlite3.connect(f"file:{pa}?mode=ro", uri=True), sqlite3.connect(f"file:{pb}?mode=ro", uri=True)
  try:
    for pragma in ("application_id", "user_version"):
      a = ca.execute(f"pragma {pragma}").fetchone()
      b = cb.execute(f"pragma {pragma}").fetchone()
      if a != b:
        res.diff(f"gpkg {pragma}: A {a[0]}, B {b[0]}")
    ta = sorted(r[0] for r in ca.execute("select name from sqlite_master where type='table'"))
    tb = sorted(r[0] for r in cb.execute("select name from sqlite_master where type='table'"))
    if ta != tb:
      res.diff(f"gpkg tables: A {ta}, B {tb}")
    for table in [t for t in ta if t in tb and t.startswith("gpkg_")]:
      cols_a = [r[1] for r in ca.execute(f'pragma table_info("{table}")')]
      cols_b = [r[1] for r in cb.execute(f'pragma table_info("{table}")')]
      if cols_a != cols_b:
        res.diff(f"{table} columns: A {cols_a}, B {cols_b}")
        continue
      cols = [c for c in cols_a if c != "last_change"]
      sel = ", ".join(f'"{c}"' for c in cols)
      ra = ca.execute(f'select {sel} from "{table}" order by 1, 2').fetchall()
      rb = cb.execute(f'select {sel} from "{table}" order by 1, 2').fetchall()
      if len(ra) != len(rb):
        res.diff(f"{table}: {len(ra)} rows in A, {len(rb)} in B")
        continue
      for x, y in zip(ra, rb):
        for c, u, v in zip(cols, x, y):
          if not values_equal(u, v, opts.tol):
            res.diff(f"{table}.{c}: A {str(u)[:50]!r}, B {str(v)[:50]!r}")
    for layer in [t for t in layers if t in ta and t in tb]:
      info_a = {r[1]: r[2:] for r in ca.execute(f'pragma table_info("{layer}")')}
      info_b = {r[1]: r[2:] for r in cb.execute(f'pragma table_info("{layer}")')}
      sub = Result()  # column names are already reported by the OGR comparison
      for a, b in match_names(list(info_a), list(info_b), opts, sub, "column"):
        # (type, notnull, default, pk); NOT NULL is already reported through OGR's nullability
        if (info_a[a][0], info_a[a][2:]) != (info_b[b][0], info_b[b][2:]):
          res.diff(f"column {a}: (type, notnull, default, pk) A {info_a[a]}, B {info_b[b]}")
      gcol = ca.execute("select column_name from gpkg_geometry_columns where table_name=?",
                        (layer,)).fetchone()
      gcol_b = cb.execute("select column_name from gpkg_geometry_columns where table_name=?",
                          (layer,)).fetchone()
      if gcol and gcol == gcol_b:
        ba = ca.execute(f'select "{gcol[0]}" from "{layer}" order by rowid').fetchall()
        bb = cb.execute(f'select "{gcol[0]}" from "{layer}" order by rowid').fetchall()
        n = sum(1 for x, y in zip(ba, bb) if x != y)
        if n and not res.diffs:
          res.note(f"{n} geometry blobs differ byte-wise though the geometries are equal")
  finally:
    ca.close()
    cb.close()


# ---------------------------------------------------------------- rasters and pictures

def compare_raster(pa, pb, opts):
  res = Result()
  a, b = gdal.Open(pa), gdal.Open(pb)
  for what, va, vb in (
      ("size", (a.RasterXSize, a.RasterYSize, a.RasterCount), (b.RasterXSize, b.RasterYSize, b.RasterCount)),
      ("geotransform", a.GetGeoTransform(), b.GetGeoTransform()),
      ("projection", a.GetProjection(), b.GetProjection()),
      ("metadata", a.GetMetadata(), b.GetMetadata()),
      ("image structure", a.GetMetadata("IMAGE_STRUCTURE"), b.GetMetadata("IMAGE_STRUCTURE"))):
    if va != vb:
      res.diff(f"{what}: A {str(va)[:80]}, B {str(vb)[:80]}")
  if res.diffs:
    return res, ""
  for i in range(1, a.RasterCount + 1):
    ba, bb = a.GetRasterBand(i), b.GetRasterBand(i)
    for what, va, vb in (("data type", gdal.GetDataTypeName(ba.DataType), gdal.GetDataTypeName(bb.DataType)),
                         ("nodata", ba.GetNoDataValue(), bb.GetNoDataValue()),
                         ("block size", ba.GetBlockSize(), bb.GetBlockSize()),
                         ("overviews", ba.GetOverviewCount(), bb.GetOverviewCount())):
      if va != vb and not (isinstance(va, float) and isinstance(vb, float) and math.isnan(va) and math.isnan(vb)):
        res.diff(f"band {i} {what}: A {va}, B {vb}")
    xa, xb = ba.ReadAsArray(), bb.ReadAsArray()
    if xa.shape != xb.shape:
      continue
    equal_nan = np.issubdtype(xa.dtype, np.floating)
    if not np.array_equal(xa, xb, equal_nan=equal_nan):
      differ = ~((xa == xb) | (np.isnan(xa) & np.isnan(xb)) if equal_nan else (xa == xb))
      d = np.abs(xa.astype(np.float64) - xb.astype(np.float64))
      maxdiff = np.nanmax(np.where(differ, d, 0))
      if opts.tol and equal_nan and np.array_equal(np.isnan(xa), np.isnan(xb)) and maxdiff <= opts.tol:
        res.note(f"band {i}: {int(differ.sum())} pixels differ, by at most {maxdiff:.3g} (within --float-tol)")
      else:
        res.diff(f"band {i}: {int(differ.sum())} of {xa.size} pixels differ, max |A-B| {maxdiff:.6g}")
  if not res.diffs and file_bytes(pa) != file_bytes(pb):
    res.note("pixels equal, file bytes differ")
  return res, f"{a.RasterXSize}x{a.RasterYSize}x{a.RasterCount}"


def compare_png(pa, pb, opts):
  res = Result()
  if file_bytes(pa) == file_bytes(pb):
    return res, "identical bytes"
  a, b = gdal.Open(pa), gdal.Open(pb)
  if (a.RasterXSize, a.RasterYSize, a.RasterCount) != (b.RasterXSize, b.RasterYSize, b.RasterCount):
    res.diff(f"bytes differ; size A {a.RasterXSize}x{a.RasterYSize}x{a.RasterCount}, "
             f"B {b.RasterXSize}x{b.RasterYSize}x{b.RasterCount}")
  else:
    xa, xb = a.ReadAsArray(), b.ReadAsArray()
    differ = (xa != xb).any(axis=0) if xa.ndim == 3 else xa != xb
    res.diff(f"bytes differ; {int(differ.sum())} of {differ.size} pixels differ")
  return res, ""


def excerpt(x, y, width=70):
  """The two texts from a little before their first differing character."""
  i = next((k for k, (u, v) in enumerate(zip(x, y)) if u != v), min(len(x), len(y)))
  start = max(0, i - 20)
  cut = lambda t: ("..." if start else "") + t[start:start + width]
  return f"A {cut(x)!r}, B {cut(y)!r}"


def file_bytes(p):
  with open(p, "rb") as f:
    return f.read()


# ---------------------------------------------------------------- text

class Paths:
  """Replaces the snapshot's own paths (tree, outdir) with placeholders."""

  def __init__(self, info):
    self.pairs = [(info.get("out", "\0"), "<OUT>"), (info.get("tree", "\0"), "<TREE>")]

  def norm(self, text):
    for path, token in self.pairs:
      text = text.replace(path, token)
    return text

  def is_path(self, text):
    return self.norm(text) != text


SUMMARY = re.compile(r"(\S+?)=(\S*)")


def summary_line(lines):
  for i in range(len(lines) - 1, -1, -1):
    if SUMMARY.search(lines[i]) and all("=" in t for t in lines[i].split()):
      return i
  return None


def compare_stdout(pa, pb, opts, paths_a, paths_b):
  res = Result()
  la = open(pa, encoding="utf-8", errors="replace").read().splitlines()
  lb = open(pb, encoding="utf-8", errors="replace").read().splitlines()
  ia, ib = summary_line(la), summary_line(lb)
  if ia is None or ib is None:
    if (ia is None) != (ib is None):
      res.diff("summary line missing on one side")
    other_a, other_b = la, lb
    summary = ""
  else:
    ka = dict(SUMMARY.findall(la[ia]))
    kb = dict(SUMMARY.findall(lb[ib]))
    ignored = TIMING_KEYS | opts.ignore_keys  # --ignore-attr only excuses one-sided keys
    pairs = match_names([k for k in ka if k not in ignored],
                        [k for k in kb if k not in ignored], opts, res, "key")
    compared = 0
    for a, b in pairs:
      va, vb = ka[a], kb[b]
      if paths_a.is_path(va) or paths_b.is_path(vb):
        if paths_a.norm(va) != paths_b.norm(vb):
          res.diff(f"{a}: A {paths_a.norm(va)!r}, B {paths_b.norm(vb)!r}")
        continue
      compared += 1
      if not values_equal(va, vb, opts.tol) or (opts.tol == 0 and va != vb):
        res.diff(f"{a}: A {va}, B {vb}")
    other_a, other_b = la[:ia] + la[ia + 1:], lb[:ib] + lb[ib + 1:]
    summary = f"{compared} keys"
  na = [paths_a.norm(x) for x in other_a]
  nb = [paths_b.norm(x) for x in other_b]
  if na != nb:
    for x, y in zip(na + [""] * len(nb), nb + [""] * len(na)):
      if x != y:
        res.diff("other line: " + excerpt(x, y))
        break
  return res, summary


JUL_HEADER = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M (\S+)(?: (\S+))?$")
TIMING_TEXT = re.compile(r"\b(model_ms|inference_ms|total_ms|ms)([ =])\d+")


def normalize_stderr(text, paths):
  out = []
  drop = False
  for line in text.splitlines():
    m = JUL_HEADER.match(line)
    if m:
      drop = m.group(1).startswith("java.util.prefs")  # the JDK's first-run note, machine state
      continue
    if drop:
      continue
    line = TIMING_TEXT.sub(lambda x: x.group(1) + x.group(2) + "<N>", paths.norm(line))
    out.append(re.sub(r"\b\d+ ms\b", "<N> ms", line))
  return out


def compare_stderr(pa, pb, opts, paths_a, paths_b):
  res = Result()
  na = normalize_stderr(open(pa, encoding="utf-8", errors="replace").read(), paths_a)
  nb = normalize_stderr(open(pb, encoding="utf-8", errors="replace").read(), paths_b)
  if na != nb:
    for i, (x, y) in enumerate(zip(na + ["<end>"] * len(nb), nb + ["<end>"] * len(na))):
      if x != y:
        res.diff(f"line {i + 1}: " + excerpt(x, y))
        break
  return res, f"{len(na)} lines"


def compare_text(pa, pb, opts, paths_a, paths_b):
  res = Result()
  ta = paths_a.norm(open(pa, encoding="utf-8").read())
  tb = paths_b.norm(open(pb, encoding="utf-8").read())
  if ta != tb:
    la, lb = ta.splitlines(), tb.splitlines()
    for i, (x, y) in enumerate(zip(la + ["<end>"] * len(lb), lb + ["<end>"] * len(la))):
      if x != y:
        res.diff(f"line {i + 1}: " + excerpt(x, y))
        break
  return res, ""


# ---------------------------------------------------------------- WPS

def read_wps(snap):
  runs = {}
  order = []
  with open(os.path.join(snap, "wps-runs.tsv"), encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    for line in f:
      row = dict(zip(header, line.rstrip("\n").split("\t")))
      row["attr_list"] = [a.split(":", 1) for a in row["attributes"].split(",")] if row["attributes"] else []
      runs[row["run"]] = row
      order.append(row["run"])
  feats = {r: [] for r in order}
  with open(os.path.join(snap, "wps.tsv"), encoding="utf-8") as f:
    for line in f:
      cols = line.rstrip("\n").split("\t")
      run = cols[0]
      n = len(runs[run]["attr_list"])
      feats[run].append({"index": cols[1], "wkt": cols[2],
                         "values": dict(zip([a[0] for a in runs[run]["attr_list"]], cols[3:3 + n])),
                         "rest": cols[3 + n:]})
  return order, runs, feats


def compare_wps(a, b, opts):
  """One result per WPS run."""
  out = []
  order_a, runs_a, feats_a = read_wps(a)
  order_b, runs_b, feats_b = read_wps(b)
  res = Result()
  if order_a != order_b:
    res.diff(f"runs differ: only in A {sorted(set(order_a) - set(order_b))}, "
             f"only in B {sorted(set(order_b) - set(order_a))}, or in another order")
  out.append(("wps runs", res, f"{len(order_a)} runs"))
  for run in [r for r in order_a if r in runs_b]:
    res = Result()
    ra, rb = runs_a[run], runs_b[run]
    for key in ("scene", "inputs", "status", "features", "type", "geometry", "epsg", "srids"):
      if ra[key] != rb[key]:
        res.diff(f"{key}: A {ra[key][:60]!r}, B {rb[key][:60]!r}")
    types_a, types_b = dict(ra["attr_list"]), dict(rb["attr_list"])
    pairs = match_names([x[0] for x in ra["attr_list"]], [x[0] for x in rb["attr_list"]], opts, res,
                        "attribute")
    for x, y in pairs:
      if types_a[x] != types_b[y]:
        res.diff(f"attribute {x}: type A {types_a[x]}, B {types_b[y]}")
    fa, fb = feats_a[run], feats_b[run]
    if len(fa) != len(fb):
      res.diff(f"feature rows A {len(fa)}, B {len(fb)}")
    area = 0.0
    geom_diffs = 0
    for i, (x, y) in enumerate(zip(fa, fb)):
      if x["index"] != y["index"] or x["rest"] != y["rest"]:
        res.diff(f"feature {i}: index/id A {x['index']} {x['rest']}, B {y['index']} {y['rest']}")
      if x["wkt"] != y["wkt"]:
        before = len(res.diffs)
        ga = ogr.CreateGeometryFromWkt(x["wkt"]) if x["wkt"] != "NULL" else None
        gb = ogr.CreateGeometryFromWkt(y["wkt"]) if y["wkt"] != "NULL" else None
        area += geometry_compare(ga, gb, res, f"feature {i}", opts)
        if len(res.diffs) == before and not res.notes:
          res.note(f"feature {i}: WKT text differs, geometry equal")
        geom_diffs += len(res.diffs) > before
      for p, q in pairs:
        u, v = x["values"].get(p), y["values"].get(q)
        if not values_equal(u, v, opts.tol):
          res.diff(f"feature {i} {p}: A {u}, B {v}")
    if geom_diffs:
      res.diff(f"{geom_diffs} geometries differ; sum of symmetric-difference areas {area:.6g}")
    detail = f"{ra['features']} features, {ra['epsg']}, attrs {[n for n, _ in ra['attr_list']]}"
    out.append((f"wps {run} ({ra['scene']} {ra['inputs'][:50]})", res, detail))
  return out


# ---------------------------------------------------------------- driver

def list_files(snap):
  files = []
  for root, dirs, names in os.walk(snap):
    rel_root = os.path.relpath(root, snap)
    if rel_root == ".":
      dirs[:] = [d for d in dirs if d not in SKIP_TOP]
    for n in names:
      rel = os.path.normpath(os.path.join(rel_root, n))
      if rel not in SKIP_TOP:
        files.append(rel)
  return sorted(files)


def main():
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("a", help="reference snapshot (before)")
  p.add_argument("b", help="candidate snapshot (after)")
  p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                 help="attribute/column/summary key OLD in A is NEW in B (repeatable)")
  p.add_argument("--ignore-attr", action="append", default=[], metavar="NAME",
                 help="an attribute/column/key present on one side only that is not a difference")
  p.add_argument("--ignore-key", action="append", default=[], metavar="KEY",
                 help="a stdout summary key not to compare")
  p.add_argument("--float-tol", type=float, default=0.0, help="absolute tolerance for floats (default 0)")
  p.add_argument("--ignore-field-order", action="store_true",
                 help="attributes in another order are not a difference")
  p.add_argument("--ignore-nullability", action="store_true",
                 help="a field's NOT NULL constraint added or dropped is not a difference")
  p.add_argument("--strict", action="store_true",
                 help="normalization-only geometry differences are DIFFs, not NOTEs")
  p.add_argument("--max-reasons", type=int, default=3, help="reasons printed per item (default 3)")
  p.add_argument("-q", "--quiet", action="store_true", help="print only NOTE and DIFF lines")
  args = p.parse_args()
  opts = Options(args)
  for s in (args.a, args.b):
    if not os.path.isfile(os.path.join(s, "tree.txt")):
      sys.exit(f"compare.py: {s} is not a snapshot (no tree.txt)")
  info_a, info_b = read_tree_info(args.a), read_tree_info(args.b)
  print(f"A: {args.a} (tree {info_a.get('tree')}, commit {info_a.get('head')}, "
        f"{info_a.get('status_lines')} status lines)")
  print(f"B: {args.b} (tree {info_b.get('tree')}, commit {info_b.get('head')}, "
        f"{info_b.get('status_lines')} status lines)")
  paths_a, paths_b = Paths(info_a), Paths(info_b)

  files_a, files_b = list_files(args.a), list_files(args.b)
  items = []  # (label, Result, detail)
  for rel in sorted(set(files_a) | set(files_b)):
    res = Result()
    if rel not in files_a or rel not in files_b:
      res.diff("only in " + ("A" if rel in files_a else "B"))
      items.append((rel, res, ""))
      continue
    if rel in ("wps.tsv", "wps-runs.tsv"):
      continue
    pa, pb = os.path.join(args.a, rel), os.path.join(args.b, rel)
    ext = os.path.splitext(rel)[1].lower()
    try:
      if ext in (".gpkg", ".geojson", ".json"):
        res, detail = compare_vector(pa, pb, opts)
      elif ext in (".tif", ".tiff"):
        res, detail = compare_raster(pa, pb, opts)
      elif ext == ".png":
        res, detail = compare_png(pa, pb, opts)
      elif ext == ".txt":
        res, detail = compare_stdout(pa, pb, opts, paths_a, paths_b)
      elif ext == ".err":
        res, detail = compare_stderr(pa, pb, opts, paths_a, paths_b)
      else:
        res, detail = compare_text(pa, pb, opts, paths_a, paths_b)
    except Exception as e:  # an unreadable file is a difference, not a crash
      res = Result()
      res.diff(f"could not compare: {type(e).__name__}: {e}")
      detail = ""
    items.append((rel, res, detail))
  if all(os.path.isfile(os.path.join(s, f)) for s in (args.a, args.b) for f in ("wps.tsv", "wps-runs.tsv")):
    items.extend(compare_wps(args.a, args.b, opts))

  n_ok = n_note = n_diff = 0
  for label, res, detail in items:
    if res.diffs:
      n_diff += 1
      shown = res.diffs[:args.max_reasons]
      more = f" (+{len(res.diffs) - len(shown)} more)" if len(res.diffs) > len(shown) else ""
      print(f"DIFF {label}: " + "; ".join(shown) + more)
    elif res.notes:
      n_note += 1
      print(f"NOTE {label}: " + "; ".join(res.notes[:args.max_reasons])
            + (f" (+{len(res.notes) - args.max_reasons} more)" if len(res.notes) > args.max_reasons else ""))
    else:
      n_ok += 1
      if not args.quiet:
          print(f"OK   {label}" + (f" ({detail})" if detail else ""))
  print(f"summary: {len(items)} items, {n_ok} OK, {n_note} NOTE, {n_diff} DIFF"
        + (" -> no difference" if n_diff == 0 else " -> DIFFERENT"))
  return 1 if n_diff else 0


if __name__ == "__main__":
  sys.exit(main())

"""Per-case results summed per (source, class, query), per truth kind and in total."""
from __future__ import annotations

from collections import OrderedDict

from diffris.corpus.real_expressions import HELD_OUT
from diffris.metrics import iou_of

CASE_COLUMNS = ("source", "class", "query", "truth_kind", "raster", "status", "intersection",
                "union", "iou", "points_found", "points", "near_px", "answer_px", "covered_px",
                "valid_px", "wall_s", "area_km2", "polygons", "message")


def summarise(results) -> dict:
    """results: dicts with CASE_COLUMNS keys (numbers None where not applicable)."""
    summary = {"groups": [], "kinds": {}, "total": _summary(results), "targets": targets(results)}
    groups = OrderedDict()
    for r in sorted(results, key=lambda r: (r["source"], r["class"], r["query"])):
        groups.setdefault((r["source"], r["class"], r["query"], r["truth_kind"]), []).append(r)
    for (source, cls, query, kind), rs in groups.items():
        summary["groups"].append({"source": source, "class": cls, "query": query,
                                  "truth_kind": kind, **_summary(rs)})
    for kind in ("mask", "points", "absent"):
        rs = [r for r in results if r["truth_kind"] == kind]
        if rs:
            summary["kinds"][kind] = _summary(rs)
    return summary


# The Dubai classes the real-imagery target is stated over (docs/model.md, "Real imagery").
DUBAI_TARGET_CLASSES = ("building", "road", "vegetation", "water")


def targets(results) -> dict:
    """The figures the real-imagery targets are stated in, from scored mask cases: the mean IoU of
    the Dubai target classes' cases asked in their own words (a mean over cases, as the
    target), and per source and class the paraphrase gap, that mean minus the mean of the same
    class's cases asked in a held-out paraphrase (positive: the trained words do better)."""
    masks = [r for r in results if r["status"] == "ok" and r["truth_kind"] == "mask"]
    trained = [r for r in masks if r["query"] not in HELD_OUT.get(r["class"], ())]
    dubai = [r for r in trained if r["source"] == "dubai" and r["class"] in DUBAI_TARGET_CLASSES]
    out = {"dubai_classes": {"cases": len(dubai),
                             "mIoU": _mean(r["iou"] for r in dubai) if dubai else None},
           "paraphrase_gaps": []}
    for source, cls in sorted({(r["source"], r["class"]) for r in trained}):
        base = [r["iou"] for r in trained if (r["source"], r["class"]) == (source, cls)]
        for wording in HELD_OUT.get(cls, ()):
            asked = [r["iou"] for r in masks
                     if (r["source"], r["class"], r["query"]) == (source, cls, wording)]
            if asked:
                out["paraphrase_gaps"].append({"source": source, "class": cls, "wording": wording,
                                               "gap": _mean(base) - _mean(asked)})
    return out


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def _summary(rs) -> dict:
    scored = [r for r in rs if r["status"] == "ok"]
    s = {"cases": len(rs), "scored": len(scored), "refused": sum(r["status"] == "refused" for r in rs),
         "failed": sum(r["status"] == "failed" for r in rs)}
    masks = [r for r in scored if r["truth_kind"] == "mask"]
    if masks:
        s["mIoU"] = sum(r["iou"] for r in masks) / len(masks)
        s["oIoU"] = iou_of(sum(r["intersection"] for r in masks), sum(r["union"] for r in masks))
    pts = [r for r in scored if r["truth_kind"] == "points"]
    if pts:
        found, total = sum(r["points_found"] for r in pts), sum(r["points"] for r in pts)
        near, answer = sum(r["near_px"] for r in pts), sum(r["answer_px"] for r in pts)
        s["point_recall"] = found / total if total else None
        s["point_precision"] = near / answer if answer else None
        s["points"] = total
    absent = [r for r in scored if r["truth_kind"] == "absent"]
    if absent:
        s["absent_coverage"] = sum(r["covered_px"] / r["valid_px"] for r in absent) / len(absent)
    timed = [r for r in scored if r["wall_s"] is not None]
    if timed:
        wall = sum(r["wall_s"] for r in timed)
        area = sum(r["area_km2"] for r in timed)
        s["wall_s"] = wall
        s["area_km2"] = area
        s["km2_per_s"] = area / wall if wall > 0 else None
    return s


def _f(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def table(summary) -> str:
    head = ("source", "class", "query", "truth", "scored", "mIoU", "oIoU", "recall", "prec",
            "absent_cov", "refused", "wall_s", "km2/s")
    rows = [head]

    def row(s, source, cls, query, kind):
        rows.append((source, cls, query, kind, f'{s["scored"]}/{s["cases"]}', _f(s.get("mIoU")), _f(s.get("oIoU")),
                     _f(s.get("point_recall")), _f(s.get("point_precision")),
                     _f(s.get("absent_coverage")), str(s["refused"] + s["failed"]),
                     _f(s.get("wall_s"), 1), _f(s.get("km2_per_s"), 4)))

    for g in summary["groups"]:
        row(g, g["source"], g["class"], g["query"], g["truth_kind"])
    for kind, s in summary["kinds"].items():
        row(s, "all", "all", "all", kind)
    row(summary["total"], "TOTAL", "", "", "")
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    t = summary.get("targets")
    if t and t["dubai_classes"]["cases"]:
        d = t["dubai_classes"]
        lines.append(f"dubai {', '.join(DUBAI_TARGET_CLASSES)} in their own words: "
                     f"mIoU {_f(d['mIoU'])} over {d['cases']} cases")
    if t and t["paraphrase_gaps"]:
        lines.append("paraphrase gaps (own words minus paraphrase): " + ", ".join(
            f"{g['source']} {g['wording']} {g['gap']:+.3f}" for g in t["paraphrase_gaps"]))
    return "\n".join(lines)

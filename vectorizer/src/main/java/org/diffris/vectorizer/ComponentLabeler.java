package org.diffris.vectorizer;

import java.util.Arrays;

/**
 * Labels the runs of each new row against the previous row (union-find over recycled slots) and
 * reports parts and regions as soon as they are complete.
 *
 * <p>Runs overlapping a run of the previous row in at least one column belong to the same
 * 4-connected part; at {@link Connectivity#EIGHT}, runs touching only diagonally join the same
 * region but stay separate parts. A part or region is complete when the newest row has no run in
 * it. Invariant between rows: every slot still allocated is a root referenced by a run of the
 * newest row, so memory is bounded by the runs of two rows and the open components.
 */
final class ComponentLabeler {

  /** Receives completed parts (before their regions) and completed regions. */
  interface Sink {
    /** Part root {@code part} is complete; its rings are in {@code parts.rings[part]}. */
    void partComplete(int part, int regionRoot);

    /** Region root {@code region} is complete; its totals are in the region table. */
    void regionComplete(int region);
  }

  final PartLabels parts = new PartLabels();
  final RegionLabels regions = new RegionLabels();
  private final boolean eight;
  private final long width;

  private int stamp;
  private int[] partStamp = new int[64];
  private int[] regionStamp = new int[64];
  private int[] partCandidates = new int[64];
  private int[] regionCandidates = new int[64];
  private int partCandidateCount;
  private int regionCandidateCount;

  ComponentLabeler(int width, Connectivity connectivity) {
    this.width = width;
    this.eight = connectivity == Connectivity.EIGHT;
  }

  /** Assigns part labels to the runs of row {@code y} and adds their pixels to their regions. */
  void label(RowRuns prev, RowRuns cur, int y) {
    stamp++;
    partCandidateCount = 0;
    regionCandidateCount = 0;
    for (int i = 0; i < prev.count; i++) {
      int p = prev.part[i];
      if (addPartCandidate(p)) {
        addRegionCandidate(parts.region[p]);
      }
    }
    int first = 0;
    for (int j = 0; j < cur.count; j++) {
      int cs = cur.starts[j];
      int ce = cur.ends[j];
      while (first < prev.count && prev.ends[first] < cs) {
        first++;
      }
      int part = -1;
      boolean diagonal = false;
      for (int k = first; k < prev.count && prev.starts[k] <= ce; k++) {
        if (prev.starts[k] < ce && prev.ends[k] > cs) {
          int r = parts.find(prev.part[k]);
          part = part < 0 ? r : unionParts(part, r);
        } else {
          diagonal = true;
        }
      }
      if (part < 0) {
        int region = regions.allocate(y * width + cs);
        addRegionCandidate(region);
        part = parts.allocate(region);
        addPartCandidate(part);
      }
      int region = regions.find(parts.region[part]);
      if (eight && diagonal) {
        for (int k = first; k < prev.count && prev.starts[k] <= ce; k++) {
          if (!(prev.starts[k] < ce && prev.ends[k] > cs)) {
            int other = regions.find(parts.region[parts.find(prev.part[k])]);
            region = regions.unionRoots(region, other);
          }
        }
        parts.region[part] = region;
      }
      regions.pixelCount[region] += ce - cs;
      regions.probabilitySum[region] += cur.sums[j];
      cur.part[j] = part;
    }
  }

  private int unionParts(int a, int b) {
    int ra = regions.find(parts.region[a]);
    int rb = regions.find(parts.region[b]);
    int winner = parts.unionRoots(a, b);
    parts.region[winner] = regions.unionRoots(ra, rb);
    return winner;
  }

  /** Root of the part that run {@code k} of {@code runs} belongs to. */
  int partOf(RowRuns runs, int k) {
    return parts.find(runs.part[k]);
  }

  /**
   * After row {@code cur} is labelled and its line traced: relabels its runs to roots, reports
   * every part and region that no run of {@code cur} belongs to, and recycles all other slots.
   */
  void completeFinished(RowRuns cur, Sink sink) {
    stamp++;
    final int live = stamp;
    ensureStampCapacity();
    for (int j = 0; j < cur.count; j++) {
      int p = parts.find(cur.part[j]);
      cur.part[j] = p;
      partStamp[p] = live;
      int r = regions.find(parts.region[p]);
      parts.region[p] = r;
      regionStamp[r] = live;
    }
    for (int c = 0; c < partCandidateCount; c++) {
      int s = partCandidates[c];
      if (!parts.isRoot(s)) {
        parts.release(s);
      } else if (partStamp[s] != live) {
        sink.partComplete(s, regions.find(parts.region[s]));
        parts.release(s);
      }
    }
    for (int c = 0; c < regionCandidateCount; c++) {
      int s = regionCandidates[c];
      if (!regions.isRoot(s)) {
        regions.release(s);
      } else if (regionStamp[s] != live) {
        sink.regionComplete(s);
        regions.release(s);
      }
    }
  }

  private void ensureStampCapacity() {
    if (partStamp.length < parts.parent.length) {
      partStamp = Arrays.copyOf(partStamp, parts.parent.length);
    }
    if (regionStamp.length < regions.parent.length) {
      regionStamp = Arrays.copyOf(regionStamp, regions.parent.length);
    }
  }

  /** Adds a slot once per row; returns whether it was new. */
  private boolean addPartCandidate(int s) {
    if (s >= partStamp.length) {
      partStamp = Arrays.copyOf(partStamp, Math.max(s + 1, parts.parent.length));
    }
    if (partStamp[s] == stamp) {
      return false;
    }
    partStamp[s] = stamp;
    if (partCandidateCount == partCandidates.length) {
      partCandidates = Arrays.copyOf(partCandidates, partCandidateCount * 2);
    }
    partCandidates[partCandidateCount++] = s;
    return true;
  }

  private void addRegionCandidate(int s) {
    if (s >= regionStamp.length) {
      regionStamp = Arrays.copyOf(regionStamp, Math.max(s + 1, regions.parent.length));
    }
    if (regionStamp[s] == stamp) {
      return;
    }
    regionStamp[s] = stamp;
    if (regionCandidateCount == regionCandidates.length) {
      regionCandidates = Arrays.copyOf(regionCandidates, regionCandidateCount * 2);
    }
    regionCandidates[regionCandidateCount++] = s;
  }
}

package org.diffris.vectorizer;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Labels of 4-connected parts (edge-connected pixel sets). Each root carries the rings closed so
 * far on its boundary and the slot of its region in {@link RegionLabels} (a region is the part
 * itself at 4-connectivity, a union of corner-touching parts at 8-connectivity).
 *
 * <p>Invariant: the rings of a part are attached to its root; {@code region[root]} is a region
 * slot whose root is the part's region.
 */
final class PartLabels extends RecyclingUnionFind {

  int[] region = new int[64];

  @SuppressWarnings("unchecked")
  ArrayList<int[]>[] rings = new ArrayList[64];

  int allocate(int regionSlot) {
    int s = allocate();
    region[s] = regionSlot;
    return s;
  }

  void addRing(int root, int[] ring) {
    ArrayList<int[]> list = rings[root];
    if (list == null) {
      list = new ArrayList<>(4);
      rings[root] = list;
    }
    list.add(ring);
  }

  @Override
  protected boolean prefer(int a, int b) {
    return size(a) >= size(b);
  }

  private int size(int s) {
    return rings[s] == null ? 0 : rings[s].size();
  }

  @Override
  protected void merge(int winner, int loser) {
    ArrayList<int[]> l = rings[loser];
    if (l != null) {
      if (rings[winner] == null) {
        rings[winner] = l;
      } else {
        rings[winner].addAll(l);
      }
      rings[loser] = null;
    }
  }

  @Override
  protected void growTo(int capacity) {
    region = Arrays.copyOf(region, capacity);
    rings = Arrays.copyOf(rings, capacity);
  }

  @Override
  protected void clear(int s) {
    rings[s] = null;
  }
}

package org.diffris.vectorizer;

import java.util.Arrays;

/**
 * Union-find over integer slots that are recycled once released, so the table stays as large as
 * the number of labels alive at once (about the runs of two rows plus open components), never as
 * large as the raster. Path halving in {@link #find}; subclasses keep per-slot data in parallel
 * arrays, grow them in {@link #growTo} and merge them in {@link #merge}.
 *
 * <p>Invariant: {@code parent[s] == s} exactly for roots; a released slot is referenced by nobody
 * (the caller guarantees it).
 */
abstract class RecyclingUnionFind {

  protected int[] parent = new int[64];
  private int[] freeSlots = new int[64];
  private int freeCount;
  private int nextSlot;

  /** A fresh root slot. */
  final int allocate() {
    int s;
    if (freeCount > 0) {
      s = freeSlots[--freeCount];
    } else {
      if (nextSlot == parent.length) {
        int n = parent.length * 2;
        parent = Arrays.copyOf(parent, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
        growTo(n);
      }
      s = nextSlot++;
    }
    parent[s] = s;
    return s;
  }

  final int find(int s) {
    int[] p = parent;
    while (p[s] != s) {
      p[s] = p[p[s]];
      s = p[s];
    }
    return s;
  }

  final boolean isRoot(int s) {
    return parent[s] == s;
  }

  /** Unites the sets of roots {@code a} and {@code b}; returns the surviving root. */
  final int unionRoots(int a, int b) {
    if (a == b) {
      return a;
    }
    int winner = prefer(a, b) ? a : b;
    int loser = winner == a ? b : a;
    parent[loser] = winner;
    merge(winner, loser);
    return winner;
  }

  final void release(int s) {
    clear(s);
    freeSlots[freeCount++] = s;
  }

  /** Whether root {@code a} should survive a union with root {@code b}. */
  protected abstract boolean prefer(int a, int b);

  protected abstract void merge(int winner, int loser);

  protected abstract void growTo(int capacity);

  protected abstract void clear(int s);
}

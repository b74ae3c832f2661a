package org.diffris.runtime.tiling;

/** Told after every batch of tiles (skipped all-nodata tiles count as done). */
@FunctionalInterface
public interface ProgressListener {
  void tilesDone(int done, int total);
}

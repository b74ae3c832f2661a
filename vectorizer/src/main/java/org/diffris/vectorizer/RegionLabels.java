package org.diffris.vectorizer;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Labels of regions (the output components). Each root carries the region's running totals:
 * pixel count, probability sum, first pixel in row-major order, the shapes of its parts that
 * are already complete and their summed measured area (used by the geodesic area model).
 *
 * <p>Invariant: totals live on the root and are the sums over every slot united into it.
 */
final class RegionLabels extends RecyclingUnionFind {

  long[] pixelCount = new long[64];
  double[] probabilitySum = new double[64];
  long[] firstPixel = new long[64];
  double[] measuredArea = new double[64];

  @SuppressWarnings("unchecked")
  ArrayList<PartShape>[] parts = new ArrayList[64];

  int allocate(long firstPixelIndex) {
    int s = allocate();
    pixelCount[s] = 0;
    probabilitySum[s] = 0;
    measuredArea[s] = 0;
    firstPixel[s] = firstPixelIndex;
    return s;
  }

  void addPart(int root, PartShape part, double area) {
    ArrayList<PartShape> list = parts[root];
    if (list == null) {
      list = new ArrayList<>(1);
      parts[root] = list;
    }
    list.add(part);
    measuredArea[root] += area;
  }

  @Override
  protected boolean prefer(int a, int b) {
    return pixelCount[a] >= pixelCount[b];
  }

  @Override
  protected void merge(int winner, int loser) {
    pixelCount[winner] += pixelCount[loser];
    probabilitySum[winner] += probabilitySum[loser];
    firstPixel[winner] = Math.min(firstPixel[winner], firstPixel[loser]);
    measuredArea[winner] += measuredArea[loser];
    ArrayList<PartShape> l = parts[loser];
    if (l != null) {
      if (parts[winner] == null) {
        parts[winner] = l;
      } else {
        parts[winner].addAll(l);
      }
      parts[loser] = null;
    }
  }

  @Override
  protected void growTo(int capacity) {
    pixelCount = Arrays.copyOf(pixelCount, capacity);
    probabilitySum = Arrays.copyOf(probabilitySum, capacity);
    firstPixel = Arrays.copyOf(firstPixel, capacity);
    measuredArea = Arrays.copyOf(measuredArea, capacity);
    parts = Arrays.copyOf(parts, capacity);
  }

  @Override
  protected void clear(int s) {
    parts[s] = null;
  }
}

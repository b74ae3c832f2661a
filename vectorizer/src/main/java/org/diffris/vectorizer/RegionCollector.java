package org.diffris.vectorizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps the completed regions that pass the minimum-area filter, at most {@code maxFeatures} of
 * them, and hands them out in the output order.
 *
 * <p>Order: larger area first; equal areas by first pixel in row-major order (unique per
 * region), so the order is total and the kept set does not depend on the order regions complete
 * in. With a feature limit only the best {@code maxFeatures} are held at any time.
 */
final class RegionCollector {

  /** A completed region still in pixel space. */
  record Candidate(
      List<PartShape> parts,
      long pixelCount,
      double areaSquareMetres,
      double meanProbability,
      long firstPixel) {}

  /** Output order: largest area first, then first pixel. */
  static final Comparator<Candidate> OUTPUT_ORDER =
      Comparator.comparingDouble(Candidate::areaSquareMetres)
          .reversed()
          .thenComparingLong(Candidate::firstPixel);

  private final double minArea;
  private final int maxFeatures;
  private final List<Candidate> all = new ArrayList<>();
  private final PriorityQueue<Candidate> best;

  RegionCollector(double minAreaSquareMetres, int maxFeatures) {
    this.minArea = minAreaSquareMetres;
    this.maxFeatures = maxFeatures;
    // Head = the worst kept region, the first to go.
    this.best =
        maxFeatures == VectorizerOptions.UNLIMITED
            ? null
            : new PriorityQueue<>(OUTPUT_ORDER.reversed());
  }

  /** Whether a region of this area and first pixel would be kept now (saves building it). */
  boolean wouldKeep(double areaSquareMetres, long firstPixel) {
    if (areaSquareMetres < minArea) {
      return false;
    }
    if (best == null || best.size() < maxFeatures) {
      return true;
    }
    Candidate worst = best.peek();
    return areaSquareMetres > worst.areaSquareMetres()
        || (areaSquareMetres == worst.areaSquareMetres() && firstPixel < worst.firstPixel());
  }

  void offer(Candidate c) {
    if (!wouldKeep(c.areaSquareMetres(), c.firstPixel())) {
      return;
    }
    if (best == null) {
      all.add(c);
      return;
    }
    best.add(c);
    if (best.size() > maxFeatures) {
      best.poll();
    }
  }

  /** The kept regions in output order. */
  List<Candidate> inOutputOrder() {
    List<Candidate> out = new ArrayList<>(best == null ? all : best);
    out.sort(OUTPUT_ORDER);
    return out;
  }
}

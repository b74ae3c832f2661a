package org.diffris.cli.eval;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The RRSIS evaluation protocol, rule for rule the one of {@code model/diffris/metrics.py}: per
 * sample I = |P and T|, U = |P or T|, IoU = I / U, and IoU = 1 when both masks are empty; mIoU is
 * the mean per-sample IoU, oIoU the sum of I over the sum of U (0 when that sum is 0), Pr@t the
 * share of samples with IoU >= t, decided exactly on integers as {@code 100 I >= p U} for
 * t = p / 100, so rounding never moves a sample across a threshold. Scores are kept overall and
 * per expression type (types sorted by name).
 */
public final class RrsisMetrics {
  /** The thresholds, in percent. */
  public static final int[] THRESHOLD_PERCENTS = {50, 60, 70, 80, 90};

  /** The scores of a set of samples. */
  public record Scores(
      int count, double mIoU, double oIoU, double[] precision, long intersection, long union) {
    /** Share of samples with IoU >= {@code THRESHOLD_PERCENTS[k] / 100}. */
    public double precisionAt(int k) {
      return precision[k];
    }
  }

  private final Tally all = new Tally();
  private final Map<String, Tally> types = new TreeMap<>();

  /** Adds one sample by its pixel counts; returns its IoU. */
  public double add(long intersection, long union, String type) {
    if (intersection < 0 || intersection > union) {
      throw new IllegalArgumentException(
          "need 0 <= intersection <= union, got I=" + intersection + ", U=" + union);
    }
    all.add(intersection, union);
    if (type != null) {
      types.computeIfAbsent(type, t -> new Tally()).add(intersection, union);
    }
    return iou(intersection, union);
  }

  /** Adds one sample from two binary masks of equal size (any non-zero value is "in"). */
  public double add(boolean[] prediction, boolean[] truth, String type) {
    if (prediction.length != truth.length) {
      throw new IllegalArgumentException(
          "prediction has " + prediction.length + " pixels, truth " + truth.length);
    }
    long i = 0;
    long u = 0;
    for (int k = 0; k < truth.length; k++) {
      if (prediction[k] && truth[k]) {
        i++;
      }
      if (prediction[k] || truth[k]) {
        u++;
      }
    }
    return add(i, u, type);
  }

  public static double iou(long intersection, long union) {
    return union == 0 ? 1.0 : (double) intersection / union;
  }

  /** IoU >= percent / 100, on integers (both empty passes every threshold). */
  public static boolean passes(long intersection, long union, int percent) {
    return 100 * intersection >= percent * union;
  }

  public Scores overall() {
    return all.scores();
  }

  /** Scores per expression type, sorted by type name. */
  public Map<String, Scores> byType() {
    Map<String, Scores> result = new TreeMap<>();
    types.forEach((type, tally) -> result.put(type, tally.scores()));
    return Collections.unmodifiableMap(result);
  }

  private static final class Tally {
    int count;
    double iouSum;
    long intersection;
    long union;
    final int[] hits = new int[THRESHOLD_PERCENTS.length];

    void add(long i, long u) {
      count++;
      iouSum += iou(i, u);
      intersection += i;
      union += u;
      for (int k = 0; k < THRESHOLD_PERCENTS.length; k++) {
        if (passes(i, u, THRESHOLD_PERCENTS[k])) {
          hits[k]++;
        }
      }
    }

    Scores scores() {
      double[] precision = new double[hits.length];
      for (int k = 0; k < hits.length; k++) {
        precision[k] = count == 0 ? 0 : (double) hits[k] / count;
      }
      return new Scores(
          count,
          count == 0 ? 0 : iouSum / count,
          union == 0 ? 0 : (double) intersection / union,
          precision,
          intersection,
          union);
    }
  }
}

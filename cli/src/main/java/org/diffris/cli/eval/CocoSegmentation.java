package org.diffris.cli.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * COCO instance segmentations as binary masks: polygons, uncompressed run-length encodings
 * (counts lists) and COCO's compressed counts strings, decoded as {@code pycocotools} does, without
 * it (the same rules as {@code model/diffris/datasets/coco_mask.py}).
 *
 * <p>Run lengths cover the pixels in column-major order (down the first column first) and start
 * with a run of zeros. A polygon is rasterised with the rule of COCO's {@code maskApi.c}
 * ({@code rleFrPoly}): the boundary is traced at 5x resolution and a pixel is in when its centre
 * is inside; a list of polygons is their union. Masks come back row-major, {@code true} = object.
 * Cost: linear in the pixels plus the polygon perimeters at 5x resolution.
 */
public final class CocoSegmentation {
  private CocoSegmentation() {}

  /**
   * The mask of an annotation's {@code segmentation} value as read from JSON: a list of
   * coordinate lists, or a map with {@code counts} (list or string) and {@code size} [h, w].
   *
   * @throws IllegalArgumentException when the value is malformed or its size differs
   */
  public static boolean[] decode(Object segmentation, int height, int width) {
    if (segmentation instanceof Map<?, ?> rle) {
      Object size = rle.get("size");
      Object counts = rle.get("counts");
      if (!(size instanceof List<?> hw) || hw.size() != 2 || counts == null) {
        throw new IllegalArgumentException("an RLE segmentation needs 'counts' and 'size' [h, w]");
      }
      int h = (int) number(hw.get(0));
      int w = (int) number(hw.get(1));
      if (h != height || w != width) {
        throw new IllegalArgumentException(
            "RLE size " + h + "x" + w + " differs from the image's " + height + "x" + width);
      }
      long[] runs;
      if (counts instanceof String s) {
        runs = stringToCounts(s);
      } else if (counts instanceof List<?> list) {
        runs = new long[list.size()];
        for (int i = 0; i < runs.length; i++) {
          runs[i] = (long) number(list.get(i));
        }
      } else {
        throw new IllegalArgumentException("RLE counts must be a list or a string");
      }
      return countsToMask(runs, height, width);
    }
    if (segmentation instanceof List<?> polygons) {
      if (polygons.isEmpty()) {
        throw new IllegalArgumentException("empty polygon list");
      }
      boolean[] mask = new boolean[height * width];
      for (Object polygon : polygons) {
        if (!(polygon instanceof List<?> coordinates)) {
          throw new IllegalArgumentException(
              "a polygon segmentation must be a list of coordinate lists");
        }
        double[] xy = new double[coordinates.size()];
        for (int i = 0; i < xy.length; i++) {
          xy[i] = number(coordinates.get(i));
        }
        boolean[] part = countsToMask(polygonToCounts(xy, height, width), height, width);
        for (int i = 0; i < mask.length; i++) {
          mask[i] |= part[i];
        }
      }
      return mask;
    }
    throw new IllegalArgumentException(
        "unknown segmentation type "
            + (segmentation == null ? "null" : segmentation.getClass().getSimpleName()));
  }

  /** Uncompressed counts to a row-major mask [height * width]. */
  public static boolean[] countsToMask(long[] counts, int height, int width) {
    long total = (long) height * width;
    boolean[] mask = new boolean[(int) total];
    long position = 0;
    for (int k = 0; k < counts.length; k++) {
      long run = counts[k];
      if (run < 0) {
        throw new IllegalArgumentException("RLE run " + k + " is negative (" + run + ")");
      }
      if (position + run > total) {
        throw new IllegalArgumentException(
            "RLE runs cover more than " + height + "x" + width + " = " + total + " pixels");
      }
      if (k % 2 == 1) {
        for (long p = position; p < position + run; p++) {
          int x = (int) (p / height);
          int y = (int) (p % height);
          mask[y * width + x] = true;
        }
      }
      position += run;
    }
    if (position != total) {
      throw new IllegalArgumentException(
          "RLE runs cover "
              + position
              + " pixels, the mask has "
              + height
              + "x"
              + width
              + " = "
              + total);
    }
    return mask;
  }

  /** COCO's compressed counts string ({@code maskApi.c}'s {@code rleFrString}) to counts. */
  public static long[] stringToCounts(String text) {
    long[] counts = new long[text.length()];
    int m = 0;
    int p = 0;
    while (p < text.length()) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= text.length()) {
          throw new IllegalArgumentException("compressed RLE ends inside a number");
        }
        int c = text.charAt(p) - 48;
        if (c < 0 || c > 63) {
          throw new IllegalArgumentException(
              "compressed RLE has a character outside '0'..'o': '" + text.charAt(p) + "'");
        }
        if (5 * k >= 63) {
          throw new IllegalArgumentException("compressed RLE holds a number beyond 64 bits");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k);
        }
      }
      if (m > 2) {
        x += counts[m - 2];
      }
      counts[m++] = x;
    }
    return Arrays.copyOf(counts, m);
  }

  /** One polygon [x0, y0, x1, y1, ...] to counts, as {@code maskApi.c}'s {@code rleFrPoly}. */
  public static long[] polygonToCounts(double[] xy, int height, int width) {
    if (xy.length < 6 || xy.length % 2 != 0) {
      throw new IllegalArgumentException(
          "a polygon needs at least 3 x,y pairs, got " + xy.length + " numbers");
    }
    final double scale = 5;
    int k = xy.length / 2;
    int[] x = new int[k + 1];
    int[] y = new int[k + 1];
    for (int j = 0; j < k; j++) {
      x[j] = (int) (scale * xy[2 * j] + .5);
      y[j] = (int) (scale * xy[2 * j + 1] + .5);
    }
    x[k] = x[0];
    y[k] = y[0];
    List<int[]> points = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      int xs = x[j];
      int xe = x[j + 1];
      int ys = y[j];
      int ye = y[j + 1];
      int dx = Math.abs(xe - xs);
      int dy = Math.abs(ys - ye);
      boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
      if (flip) {
        int t = xs;
        xs = xe;
        xe = t;
        t = ys;
        ys = ye;
        ye = t;
      }
      if (dx >= dy) {
        double s = dx == 0 ? 0 : (double) (ye - ys) / dx;
        for (int d = 0; d <= dx; d++) {
          int t = flip ? dx - d : d;
          points.add(new int[] {t + xs, (int) (ys + s * t + .5)});
        }
      } else {
        double s = (double) (xe - xs) / dy;
        for (int d = 0; d <= dy; d++) {
          int t = flip ? dy - d : d;
          points.add(new int[] {(int) (xs + s * t + .5), t + ys});
        }
      }
    }
    // Where the boundary crosses a column centre, back in pixel coordinates.
    List<Long> starts = new ArrayList<>();
    for (int j = 1; j < points.size(); j++) {
      int[] a = points.get(j);
      int[] b = points.get(j - 1);
      if (a[0] == b[0]) {
        continue;
      }
      double xd = a[0] < b[0] ? a[0] : a[0] - 1;
      xd = (xd + .5) / scale - .5;
      if (Math.floor(xd) != xd || xd < 0 || xd > width - 1) {
        continue;
      }
      double yd = Math.min(a[1], b[1]);
      yd = (yd + .5) / scale - .5;
      yd = Math.ceil(Math.min(Math.max(yd, 0), height));
      starts.add((long) xd * height + (long) yd);
    }
    starts.add((long) height * width);
    long[] sorted = starts.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] deltas = new long[sorted.length];
    long previous = 0;
    for (int j = 0; j < sorted.length; j++) {
      deltas[j] = sorted[j] - previous;
      previous = sorted[j];
    }
    long[] counts = new long[deltas.length];
    int m = 0;
    counts[m++] = deltas[0];
    int j = 1;
    while (j < deltas.length) {
      if (deltas[j] > 0) {
        counts[m++] = deltas[j++];
      } else {
        j++;
        if (j < deltas.length) {
          counts[m - 1] += deltas[j++];
        }
      }
    }
    return Arrays.copyOf(counts, m);
  }

  private static double number(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException("expected a number, found " + value);
  }
}

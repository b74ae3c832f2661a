package org.diffris.vectorizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.impl.PackedCoordinateSequenceFactory;

/**
 * Quick timing of the vectorizer on generated masks (not a unit test). Usage:
 * {@code java -cp <test-classpath> org.diffris.vectorizer.VectorizerBench [size] [blobs|salt]
 * [bandRows] [repeats] [list|sink] [dumpFile|-] [packed|default]}; with {@code dumpFile} the first repeat
 * also writes the mask as raw bytes (one per pixel, row-major) for other tools. The mask is generated band by band from a seed, so the raster never
 * sits in memory as a whole; it prints regions, vertices, seconds and peak used heap.
 */
public final class VectorizerBench {

  private VectorizerBench() {}

  public static void main(String[] args) throws java.io.IOException {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
    String kind = args.length > 1 ? args[1] : "blobs";
    int bandRows = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    boolean sinkMode = args.length > 4 && args[4].equals("sink");
    String dump = args.length > 5 && !args[5].equals("-") ? args[5] : null;
    boolean packed = args.length <= 6 || args[6].equals("packed");
    GeometryFactory f =
        packed
            ? new GeometryFactory(PackedCoordinateSequenceFactory.DOUBLE_FACTORY)
            : new GeometryFactory();
    Discs discs = new Discs(size, 42);
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < repeats; rep++) {
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      long genCpu = 0;
      long genNanos = 0;
      long[] streamed = new long[2];
      List<VectorizedRegion> out = new ArrayList<>();
      MaskVectorizer v =
          new MaskVectorizer(
              size,
              size,
              PixelToWorld.identity(),
              VectorizerOptions.builder().largestFirst(!sinkMode).build(),
              f,
              r -> {
                if (sinkMode) {
                  streamed[0]++;
                  streamed[1] += r.geometry().getNumPoints();
                } else {
                  out.add(r);
                }
              });
      byte[] band = new byte[size * bandRows];
      Random salt = new Random(7);
      for (int row = 0; row < size; row += bandRows) {
        int h = Math.min(bandRows, size - row);
        long g0 = System.nanoTime();
        long gc0 = threads.getCurrentThreadCpuTime();
        if (kind.equals("salt")) {
          salt.nextBytes(band);
          for (int i = 0; i < band.length; i++) {
            band[i] = (byte) (band[i] & 1);
          }
        } else {
          discs.fill(band, row, h);
        }
        if (dump != null) {
          try (var os = new java.io.FileOutputStream(dump, row > 0)) {
            os.write(band, 0, size * h);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        genNanos += System.nanoTime() - g0;
        genCpu += threads.getCurrentThreadCpuTime() - gc0;
        v.accept(MaskBand.binary(row, size, h, band, null));
      }
      v.finish();
      dump = null;
      double secs = (System.nanoTime() - t0 - genNanos) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - c0 - genCpu) / 1e9;
      long vertices = streamed[1];
      for (VectorizedRegion r : out) {
        vertices += r.geometry().getNumPoints();
      }
      long peak = 0;
      for (java.lang.management.MemoryPoolMXBean pool :
          java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.printf(
          "%dx%d %s band=%d %s: %d regions, %d vertices, vectorize %.2f s wall,"
              + " %.2f s main-thread CPU (mask generation excluded), peak heap (sum of pool peaks)"
              + " %d MB%n",
          size,
          size,
          kind,
          bandRows,
          sinkMode ? "sink" : "list",
          out.size() + streamed[0],
          vertices,
          secs,
          cpu,
          peak >> 20);
    }
  }

  /** Random discs, rasterized row band by row band. */
  static final class Discs {
    final int size;
    final int[] cx;
    final int[] cy;
    final int[] rad;

    Discs(int size, long seed) {
      Random r = new Random(seed);
      this.size = size;
      int n = (int) ((long) size * size / 3000);
      cx = new int[n];
      cy = new int[n];
      rad = new int[n];
      for (int i = 0; i < n; i++) {
        cx[i] = r.nextInt(size);
        cy[i] = r.nextInt(size);
        rad[i] = 3 + r.nextInt(25);
      }
      // Sort by top row so a band needs only nearby discs.
      Integer[] idx = new Integer[n];
      for (int i = 0; i < n; i++) {
        idx[i] = i;
      }
      java.util.Arrays.sort(idx, (a, b) -> Integer.compare(cy[a] - rad[a], cy[b] - rad[b]));
      int[] x = new int[n];
      int[] y = new int[n];
      int[] rr = new int[n];
      for (int i = 0; i < n; i++) {
        x[i] = cx[idx[i]];
        y[i] = cy[idx[i]];
        rr[i] = rad[idx[i]];
      }
      System.arraycopy(x, 0, cx, 0, n);
      System.arraycopy(y, 0, cy, 0, n);
      System.arraycopy(rr, 0, rad, 0, n);
    }

    void fill(byte[] band, int row0, int h) {
      java.util.Arrays.fill(band, 0, size * h, (byte) 0);
      for (int i = 0; i < cx.length; i++) {
        if (cy[i] - rad[i] >= row0 + h) {
          break;
        }
        if (cy[i] + rad[i] < row0) {
          continue;
        }
        int r = rad[i];
        for (int y = Math.max(row0, cy[i] - r); y <= Math.min(row0 + h - 1, cy[i] + r); y++) {
          int dy = y - cy[i];
          int dx = (int) Math.sqrt((double) r * r - (double) dy * dy);
          // Ring-shaped discs (every third) give holes.
          int inner =
              i % 3 == 0 ? (int) Math.sqrt(Math.max(0, (r / 2.0) * (r / 2.0) - dy * dy)) : -1;
          int base = (y - row0) * size;
          for (int x = Math.max(0, cx[i] - dx); x <= Math.min(size - 1, cx[i] + dx); x++) {
            if (inner < 0 || Math.abs(x - cx[i]) > inner || Math.abs(dy) > r / 2) {
              band[base + x] = 1;
            }
          }
        }
      }
    }
  }
}

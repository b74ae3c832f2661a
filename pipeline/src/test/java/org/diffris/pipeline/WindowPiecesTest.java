package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.diffris.vectorizer.Connectivity;
import org.diffris.vectorizer.MaskBand;
import org.diffris.vectorizer.MaskVectorizer;
import org.diffris.vectorizer.PixelBounds;
import org.diffris.vectorizer.PixelToWorld;
import org.diffris.vectorizer.VectorizedRegion;
import org.diffris.vectorizer.VectorizerOptions;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Pieces of a mask cut by window cores merge back into the mask's own regions: the same outline
 * (coordinate for coordinate), pixels, probability sum and bounds, at both connectivities. The
 * masks are random, and every core side is crossed by a band of in-pixels so that objects run
 * across every side and corner of the windows.
 */
class WindowPiecesTest {

  record Case(int width, int height, int side, float[] probabilities, boolean eight) {}

  @Provide
  Arbitrary<Case> masks() {
    Arbitrary<Integer> width = Arbitraries.integers().between(6, 40);
    Arbitrary<Integer> height = Arbitraries.integers().between(6, 40);
    Arbitrary<Integer> side = Arbitraries.integers().between(2, 12);
    Arbitrary<Long> seed = Arbitraries.longs();
    Arbitrary<Boolean> eight = Arbitraries.of(true, false);
    return Combinators.combine(width, height, side, seed, eight)
        .as(
            (w, h, s, sd, e) -> {
              java.util.Random random = new java.util.Random(sd);
              float[] p = new float[w * h];
              double density = 0.3 + 0.4 * random.nextDouble();
              for (int i = 0; i < p.length; i++) {
                p[i] = random.nextDouble() < density ? 0.5f + 0.5f * random.nextFloat() : 0.1f;
              }
              // A run of in-pixels across each core side, so objects cross every side.
              for (int x = s; x < w; x += s) {
                int row = random.nextInt(h);
                p[row * w + x - 1] = 0.9f;
                p[row * w + x] = 0.9f;
              }
              for (int y = s; y < h; y += s) {
                int col = random.nextInt(w);
                p[(y - 1) * w + col] = 0.9f;
                p[y * w + col] = 0.9f;
              }
              return new Case(w, h, s, p, e);
            });
  }

  @Property(tries = 400)
  void mergedPiecesAreTheWholeMasksRegions(@ForAll("masks") Case c) {
    VectorizerOptions options =
        VectorizerOptions.builder()
            .threshold(0.5)
            .connectivity(c.eight() ? Connectivity.EIGHT : Connectivity.FOUR)
            .build();
    List<VectorizedRegion> whole = vectorize(c, options, null);

    List<PixelBounds> cores = RasterWindows.cores(c.width(), c.height(), c.side());
    List<WindowPiece> done = new ArrayList<>();
    List<WindowPiece> open = new ArrayList<>();
    for (PixelBounds core : cores) {
      for (VectorizedRegion r : vectorize(c, options, core)) {
        WindowPiece piece = piece(r, core, c);
        (piece.open() ? open : done).add(piece);
      }
    }
    if (cores.size() > 1) {
      assertFalse(open.isEmpty(), "objects cross the cores' sides");
    }
    List<WindowPiece> merged = new ArrayList<>(done);
    merged.addAll(WindowPieces.merge(open, options.connectivity()));
    assertEquals(whole.size(), merged.size(), "objects");

    whole.sort(Comparator.comparing(r -> key(r.pixelBounds(), r.pixelCount())));
    merged.sort(Comparator.comparing(p -> key(p.bounds(), p.pixels())));
    for (int i = 0; i < whole.size(); i++) {
      VectorizedRegion w = whole.get(i);
      WindowPiece m = merged.get(i);
      assertEquals(w.pixelBounds(), m.bounds());
      assertEquals(w.pixelCount(), m.pixels());
      assertEquals(w.meanProbability() * w.pixelCount(), m.probabilitySum(), 1e-4);
      Geometry outline = m.pixelGeometry().copy();
      outline.normalize();
      assertTrue(
          outline.equalsExact(w.geometry()),
          () -> "merged " + outline + "\n  whole " + w.geometry());
    }
  }

  private static String key(PixelBounds b, long pixels) {
    return String.format(
        "%06d %06d %06d %06d %09d", b.minRow(), b.minColumn(), b.maxRow(), b.maxColumn(), pixels);
  }

  /** The mask's regions, or those of one core's pixels only. */
  private static List<VectorizedRegion> vectorize(
      Case c, VectorizerOptions options, PixelBounds core) {
    float[] p = c.probabilities().clone();
    if (core != null) {
      for (int y = 0; y < c.height(); y++) {
        for (int x = 0; x < c.width(); x++) {
          if (x < core.minColumn()
              || x >= core.maxColumn()
              || y < core.minRow()
              || y >= core.maxRow()) {
            p[y * c.width() + x] = 0;
          }
        }
      }
    }
    return new ArrayList<>(
        MaskVectorizer.vectorize(
            MaskBand.probabilities(0, c.width(), c.height(), p, null),
            c.width(),
            c.height(),
            PixelToWorld.identity(),
            options,
            new GeometryFactory()));
  }

  /** A core's region as a window plan hands it on (the identity transform: pixels already). */
  private static WindowPiece piece(VectorizedRegion r, PixelBounds core, Case c) {
    PixelBounds b = r.pixelBounds();
    boolean open =
        (b.minColumn() == core.minColumn() && core.minColumn() > 0)
            || (b.minRow() == core.minRow() && core.minRow() > 0)
            || (b.maxColumn() == core.maxColumn() && core.maxColumn() < c.width())
            || (b.maxRow() == core.maxRow() && core.maxRow() < c.height());
    return new WindowPiece(
        r.geometry(),
        r.pixelCount(),
        r.meanProbability() * r.pixelCount(),
        r.areaSquareMetres(),
        b,
        open);
  }
}

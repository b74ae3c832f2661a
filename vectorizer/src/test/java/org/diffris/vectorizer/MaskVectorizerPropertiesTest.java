package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.operation.valid.IsValidOp;

/** Invariants of the vectorizer on random masks, both connectivities. */
class MaskVectorizerPropertiesTest {

  @Provide
  Arbitrary<MaskCase> masks() {
    return MaskCase.arbitrary(18);
  }

  @Property(tries = 400)
  void rasterizingTheOutputGivesBackTheMask(@ForAll("masks") MaskCase c) {
    byte[] m = c.mask();
    List<Geometry> geometries = geometries(vectorize(c));
    int[] cover = TestMasks.coverCount(geometries, c.width(), c.height());
    for (int i = 0; i < m.length; i++) {
      // 1 where the mask is in and 0 elsewhere: exact, and no pixel covered twice.
      assertEquals(m[i], cover[i], "pixel " + i);
    }
  }

  @Property(tries = 300)
  void everyGeometryIsValidPixelExactAndInteriorsAreDisjoint(@ForAll("masks") MaskCase c) {
    List<VectorizedRegion> out = vectorize(c);
    for (VectorizedRegion r : out) {
      Geometry g = r.geometry();
      IsValidOp op = new IsValidOp(g);
      assertTrue(op.isValid(), () -> op.getValidationError() + " in " + g);
      if (!c.eight()) {
        assertTrue(g instanceof Polygon, "4-connected regions are Polygons: " + g);
      } else if (g instanceof MultiPolygon) {
        assertTrue(g.getNumGeometries() > 1);
      }
      assertVerticesAreTurningPixelCorners(g);
      // Pixel bounds are the outline's envelope, in pixel corners (identity transform here).
      org.locationtech.jts.geom.Envelope e = g.getEnvelopeInternal();
      assertEquals(
          new PixelBounds(
              (int) e.getMinX(), (int) e.getMinY(), (int) e.getMaxX(), (int) e.getMaxY()),
          r.pixelBounds());
      Geometry copy = g.copy();
      copy.normalize();
      assertTrue(copy.equalsExact(g), "output is normalized");
    }
    for (int a = 0; a < out.size(); a++) {
      for (int b = a + 1; b < out.size(); b++) {
        Geometry ga = out.get(a).geometry();
        Geometry gb = out.get(b).geometry();
        assertFalse(ga.relate(gb, "2********"), "interiors overlap: " + ga + " / " + gb);
        assertFalse(ga.relate(gb, "****1****"), "boundaries share an edge: " + ga + " / " + gb);
      }
    }
  }

  @Property(tries = 300)
  void areasArePixelCountTimesPixelArea(@ForAll("masks") MaskCase c) {
    double pixelArea = 0.5 * 0.5;
    PixelToWorld t = new PixelToWorld(500000, 0.5, 0, 4100000, 0, -0.5);
    List<VectorizedRegion> out =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, c.width(), c.height(), c.mask(), null),
            c.width(),
            c.height(),
            t,
            VectorizerOptions.builder()
                .connectivity(c.connectivity())
                .areaModel(AreaModel.planar(2))
                .build(),
            TestMasks.FACTORY);
    long totalPixels = 0;
    double totalArea = 0;
    for (VectorizedRegion r : out) {
      assertEquals(r.pixelCount() * pixelArea * 4, r.areaSquareMetres(), 1e-9);
      assertEquals(r.areaSquareMetres(), r.geometry().getArea() * 4, 1e-6);
      assertTrue(Double.isNaN(r.meanProbability()));
      totalPixels += r.pixelCount();
      totalArea += r.areaSquareMetres();
    }
    long inPixels = 0;
    for (byte b : c.mask()) {
      inPixels += b;
    }
    assertEquals(inPixels, totalPixels);
    assertEquals(inPixels * pixelArea * 4, totalArea, 1e-6);
  }

  @Property(tries = 300)
  void regionsMatchAReferenceFloodFillInOutputOrder(@ForAll("masks") MaskCase c) {
    // Flood fill lists components by first pixel; a stable sort by size gives the output order.
    List<Long> expected =
        new ArrayList<>(TestMasks.componentSizes(c.mask(), c.width(), c.height(), c.eight()));
    expected.sort(Comparator.reverseOrder());
    List<Long> actual = new ArrayList<>();
    for (VectorizedRegion r : vectorize(c)) {
      actual.add(r.pixelCount());
    }
    assertEquals(expected, actual);
  }

  @Property(tries = 120)
  void streamingGivesTheOneShotResultForEveryBandHeight(@ForAll("masks") MaskCase c)
      throws IOException {
    byte[] m = c.mask();
    List<VectorizedRegion> whole = vectorize(c);
    for (int bandRows = 1; bandRows <= c.height(); bandRows++) {
      List<VectorizedRegion> streamed = new ArrayList<>();
      MaskVectorizer v =
          new MaskVectorizer(
              c.width(),
              c.height(),
              PixelToWorld.identity(),
              options(c).toBuilder().largestFirst(true).build(),
              TestMasks.FACTORY,
              streamed::add);
      for (int row = 0; row < c.height(); row += bandRows) {
        int h = Math.min(bandRows, c.height() - row);
        byte[] band = java.util.Arrays.copyOfRange(m, row * c.width(), (row + h) * c.width());
        v.accept(MaskBand.binary(row, c.width(), h, band, null));
      }
      v.finish();
      assertEquals(whole.size(), streamed.size(), "band height " + bandRows);
      for (int i = 0; i < whole.size(); i++) {
        assertTrue(
            whole.get(i).geometry().equalsExact(streamed.get(i).geometry()),
            "band height " + bandRows + ", region " + i);
        assertEquals(whole.get(i), streamed.get(i));
      }
    }
  }

  @Property(tries = 150)
  void regionSinkDeliversTheSameRegions(@ForAll("masks") MaskCase c) throws IOException {
    List<VectorizedRegion> listed = vectorize(c);
    List<VectorizedRegion> sunk = new ArrayList<>();
    MaskVectorizer v =
        new MaskVectorizer(
            c.width(),
            c.height(),
            PixelToWorld.identity(),
            options(c),
            TestMasks.FACTORY,
            sunk::add);
    v.accept(MaskBand.binary(0, c.width(), c.height(), c.mask(), null));
    v.finish();
    sunk.sort(
        Comparator.comparingDouble(VectorizedRegion::areaSquareMetres)
            .reversed()
            .thenComparing(r -> r.geometry().getEnvelopeInternal().getMinY())
            .thenComparing(r -> r.geometry().getEnvelopeInternal().getMinX()));
    listed.sort(
        Comparator.comparingDouble(VectorizedRegion::areaSquareMetres)
            .reversed()
            .thenComparing(r -> r.geometry().getEnvelopeInternal().getMinY())
            .thenComparing(r -> r.geometry().getEnvelopeInternal().getMinX()));
    assertEquals(listed, sunk);
  }

  @Property(tries = 150)
  void rotatedAndShearedOutputIsTheIdentityOutputMappedThroughTheAffine(
      @ForAll("masks") MaskCase c) {
    PixelToWorld t = new PixelToWorld(1000.25, 0.8, 0.3, -200.5, -0.2, -0.9);
    List<VectorizedRegion> identity = vectorize(c);
    List<VectorizedRegion> mapped =
        MaskVectorizer.vectorize(
            MaskBand.binary(0, c.width(), c.height(), c.mask(), null),
            c.width(),
            c.height(),
            t,
            options(c),
            TestMasks.FACTORY);
    AffineTransformation affine =
        new AffineTransformation(
            t.pixelWidth(),
            t.rowRotation(),
            t.originX(),
            t.colRotation(),
            t.pixelHeight(),
            t.originY());
    assertEquals(identity.size(), mapped.size());
    for (int i = 0; i < identity.size(); i++) {
      Geometry expected = affine.transform(identity.get(i).geometry());
      expected.normalize();
      Geometry actual = mapped.get(i).geometry();
      assertTrue(new IsValidOp(actual).isValid());
      assertSamePartsWithin(expected, actual);
      Geometry renormalized = actual.copy();
      renormalized.normalize();
      assertTrue(renormalized.equalsExact(actual), "normalized with a negative determinant");
      assertEquals(identity.get(i).pixelCount(), mapped.get(i).pixelCount());
      assertEquals(mapped.get(i).pixelCount() * t.pixelArea(), actual.getArea(), 1e-6);
    }
  }

  /**
   * Same polygons up to rounding: both sides are snapped to a 1e-6 grid and normalized again, so
   * last-bit differences can neither fail the comparison nor reorder holes or parts. The true
   * coordinates of this test are multiples of 0.05, far from the grid's rounding boundaries.
   */
  private static void assertSamePartsWithin(Geometry expected, Geometry actual) {
    Geometry e = snapped(expected);
    Geometry a = snapped(actual);
    assertTrue(e.equalsExact(a), expected + " vs " + actual);
  }

  private static Geometry snapped(Geometry g) {
    Geometry copy = g.copy();
    copy.apply(
        new CoordinateSequenceFilter() {
          @Override
          public void filter(CoordinateSequence seq, int i) {
            seq.setOrdinate(i, 0, Math.round(seq.getX(i) * 1e6) / 1e6);
            seq.setOrdinate(i, 1, Math.round(seq.getY(i) * 1e6) / 1e6);
          }

          @Override
          public boolean isDone() {
            return false;
          }

          @Override
          public boolean isGeometryChanged() {
            return true;
          }
        });
    copy.normalize();
    return copy;
  }

  private static void assertVerticesAreTurningPixelCorners(Geometry g) {
    for (int p = 0; p < g.getNumGeometries(); p++) {
      Polygon poly = (Polygon) g.getGeometryN(p);
      for (int r = -1; r < poly.getNumInteriorRing(); r++) {
        Coordinate[] cs =
            (r < 0 ? poly.getExteriorRing() : poly.getInteriorRingN(r)).getCoordinates();
        int n = cs.length - 1;
        for (int i = 0; i < n; i++) {
          Coordinate prev = cs[(i + n - 1) % n];
          Coordinate here = cs[i];
          Coordinate next = cs[(i + 1) % n];
          assertEquals(Math.rint(here.x), here.x, 0.0);
          assertEquals(Math.rint(here.y), here.y, 0.0);
          boolean collinear =
              (prev.x == here.x && here.x == next.x) || (prev.y == here.y && here.y == next.y);
          assertFalse(collinear, "collinear vertex " + here + " in " + g);
        }
      }
    }
  }

  static VectorizerOptions options(MaskCase c) {
    return VectorizerOptions.builder().connectivity(c.connectivity()).build();
  }

  static List<VectorizedRegion> vectorize(MaskCase c) {
    return TestMasks.vectorize(c.mask(), c.width(), c.height(), c.connectivity());
  }

  static List<Geometry> geometries(List<VectorizedRegion> regions) {
    List<Geometry> out = new ArrayList<>();
    for (VectorizedRegion r : regions) {
      out.add(r.geometry());
    }
    return out;
  }
}

package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.geotools.api.feature.simple.SimpleFeature;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.processing.Operations;
import org.geotools.gce.geotiff.GeoTiffReader;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * {@code diffris:Segment} answers the same whatever extent it is given: a coverage subset (cut
 * by GeoTools as GeoServer's WCS cuts one) and an roi on the whole coverage both give the whole
 * coverage's polygons wherever they lie more than the edge margin inside, and mark the others
 * {@code at_edge}. With the real tiny bundle on {@code sample-data/scenes/port.tif}; skipped
 * while the bundle is absent.
 */
class ExtentIndependenceProcessTest {
  /** diffris-tiny's edge margin at 0.5 m (SegmentationPlan.edgeMargin: 64-pixel tiles, x 0.5). */
  static final int MARGIN = (int) Math.ceil((64 + 2) / 0.5) + 3;

  static final String QUERY = "white storage tanks";

  /** The subset: columns 101..1400 and rows 77..1376 of the 1792 x 1792 scene. */
  static final int X = 101;

  static final int Y = 77;
  static final int SIZE = 1300;

  static GridCoverage2D whole;
  static List<SimpleFeature> wholeAnswer;

  @BeforeAll
  static void segmentTheWholeScene() throws Exception {
    assumeTrue(
        Files.isRegularFile(CoreParityTest.BUNDLE.resolve("model.json")),
        "the real model bundle is not there yet");
    System.setProperty("diffris.model", CoreParityTest.BUNDLE.toAbsolutePath().toString());
    GeoTiffReader reader = new GeoTiffReader(CoreParityTest.SCENE.toFile());
    whole = reader.read(null);
    wholeAnswer = answer(whole, null);
  }

  @AfterAll
  static void back() throws Exception {
    TestBundle.install();
    LoadedModels.retireAll();
  }

  static List<SimpleFeature> answer(GridCoverage2D coverage, Geometry roi) {
    Map<String, Object> in = SegmentProcessTest.inputs(coverage, QUERY);
    if (roi != null) {
      in.put("roi", roi);
    }
    return SegmentProcessTest.features(SegmentProcessTest.run(in, null));
  }

  /** The subset's rectangle in EPSG:32633: port.tif starts at (402000, 5059000), 0.5 m pixels. */
  static Envelope subset() {
    double x0 = 402000 + 0.5 * X;
    double y0 = 5059000 - 0.5 * Y;
    return new Envelope(x0, x0 + 0.5 * SIZE, y0 - 0.5 * SIZE, y0);
  }

  @Test
  void aCoverageSubsetGivesTheWholeCoveragesPolygonsInsideTheMargin() {
    Envelope box = subset();
    GridCoverage2D cut =
        (GridCoverage2D)
            Operations.DEFAULT.crop(
                whole, new ReferencedEnvelope(box, whole.getCoordinateReferenceSystem()));
    assertEquals(SIZE, cut.getRenderedImage().getWidth(), "GeoTools cut the subset pixel-exact");
    int compared = check(answer(cut, null), box);
    assertTrue(compared >= 3, compared + " interior polygons compared");
  }

  @Test
  void anRoiOnTheWholeCoverageGivesTheSamePolygonsInsideTheMargin() {
    Envelope box = subset();
    int compared = check(answer(whole, new GeometryFactory().toGeometry(box)), box);
    assertTrue(compared >= 3, compared + " interior polygons compared");
  }

  /**
   * Every polygon of the part's answer more than the margin inside {@code box} is one of the whole
   * coverage's, with the same score and pixels, and is not at_edge; every other is at_edge; every
   * polygon of the whole coverage's answer that far inside is in the part's. Returns how many
   * polygons lay that far inside.
   */
  static int check(List<SimpleFeature> part, Envelope box) {
    Envelope inner = new Envelope(box);
    inner.expandBy(-0.5 * MARGIN);
    for (SimpleFeature f : part) {
      Geometry g = (Geometry) f.getDefaultGeometry();
      boolean inside = inner.contains(g.getEnvelopeInternal());
      assertEquals(!inside, f.getAttribute("at_edge"), "at_edge of " + g.getEnvelopeInternal());
      if (inside) {
        assertNotNull(same(wholeAnswer, g), "interior polygon not in the whole answer: " + g);
      }
    }
    int compared = 0;
    for (SimpleFeature f : wholeAnswer) {
      Geometry g = (Geometry) f.getDefaultGeometry();
      if (inner.contains(g.getEnvelopeInternal())) {
        compared++;
        SimpleFeature other = same(part, g);
        assertNotNull(other, "the whole answer's polygon is missing: " + g);
        assertEquals((Double) f.getAttribute("score"), (Double) other.getAttribute("score"), 1e-6);
        assertEquals(f.getAttribute("pixels"), other.getAttribute("pixels"));
      }
    }
    return compared;
  }

  static SimpleFeature same(List<SimpleFeature> features, Geometry wanted) {
    Geometry g = wanted.norm();
    for (SimpleFeature f : features) {
      if (((Geometry) f.getDefaultGeometry()).norm().equalsExact(g)) {
        return f;
      }
    }
    return null;
  }
}

package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.TestBundle;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.vectorizer.PixelToWorld;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * {@code diffris segment} with the embedded tiny bundle on every query of
 * {@code sample-data/scenes/queries.tsv}: the polygons are burned back onto the ground-truth
 * mask's grid (a pixel is in when its centre is inside, which is exact for pixel-corner
 * outlines) and compared with the mask. Prints the IoU of each query, their mean, and whether
 * the project's target (a mean IoU of 0.6) is reached. The assertion is that target, which the
 * committed bundle reaches (0.631 with diffris-tiny 0.5.0; 0.509 with 0.4.0, 0.354 with 0.3.0; see
 * docs/segment.md); {@code -Ddiffris.sceneIouFloor=X} sets another floor, e.g. for another bundle.
 * Every run must also carry the attributes and the summary keys.
 * {@code $DIFFRIS_MODEL} names another bundle. Skipped until the bundle exists. Slow (three 1792 x 1792 scenes, every query): {@code -Pslow}.
 */
@Tag("slow")
class SegmentSampleScenesTest {
  static final double TARGET_MEAN_IOU = 0.6;
  static final double FLOOR_MEAN_IOU =
      Double.parseDouble(
          System.getProperty("diffris.sceneIouFloor", String.valueOf(TARGET_MEAN_IOU)));

  @TempDir Path out;

  @Test
  void everyQueryOfTheSampleScenes() throws Exception {
    String given = System.getenv(ModelLocation.ENVIRONMENT_VARIABLE);
    Path bundle = given != null && !given.isBlank() ? Path.of(given) : TestBundle.embedded();
    assumeTrue(
        Files.exists(bundle.resolve("model.json")),
        "bundle " + bundle + " not there yet (the embedded one, or $DIFFRIS_MODEL)");
    Path scenes = TestBundle.root().resolve("sample-data/scenes");
    List<String> lines = Files.readAllLines(scenes.resolve("queries.tsv"), StandardCharsets.UTF_8);
    List<Double> ious = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    int n = 0;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      Path gpkg = out.resolve("q" + (n++) + ".gpkg");
      Cli run =
          Cli.run(
              "segment",
              "--raster",
              scenes.resolve(f[0]).toString(),
              "--query",
              f[1],
              "--out",
              gpkg.toString(),
              "--model",
              bundle.toString(),
              "--device",
              "cpu");
      assertEquals(0, run.exitCode, run.err);
      Map<String, String> summary = run.summary();
      for (String key : new String[] {"polygons", "tiles", "provider", "model_ms", "total_ms"}) {
        assertTrue(summary.containsKey(key), key + " missing: " + run.out);
      }
      GeoPackageContents contents = GeoPackageContents.read(gpkg);
      assertEquals(32633, contents.organizationCode);
      for (GeoPackageContents.Feature feature : contents.features) {
        assertEquals(f[1], feature.attributes().get("query"));
        double score = feature.number("score");
        assertTrue(score >= 0.5 && score <= 1, "score " + score);
      }
      double iou = iou(scenes.resolve(f[2]), contents);
      ious.add(iou);
      report.append(
          String.format(
              Locale.ROOT,
              "%-12s %-22s IoU %.3f  polygons %s  tiles %s  " + "model_ms %s  inference_ms %s%n",
              f[0],
              f[1],
              iou,
              summary.get("polygons"),
              summary.get("tiles"),
              summary.get("model_ms"),
              summary.get("inference_ms")));
    }
    double mean = ious.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    report.append(
        String.format(
            Locale.ROOT,
            "mean IoU over %d queries: %.3f (target %.1f %s)%n",
            ious.size(),
            mean,
            TARGET_MEAN_IOU,
            mean >= TARGET_MEAN_IOU ? "reached" : "NOT reached"));
    System.out.print(report);
    assertTrue(
        mean >= FLOOR_MEAN_IOU, "mean IoU below the floor " + FLOOR_MEAN_IOU + ":\n" + report);
  }

  /** IoU of the polygons, burned on the mask's grid, with the mask (non-zero = object). */
  static double iou(Path maskFile, GeoPackageContents contents) throws Exception {
    try (GeoTiffRaster mask = GeoTiffRaster.open(maskFile)) {
      int w = mask.width();
      int h = mask.height();
      BufferedImage burned = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D g = burned.createGraphics();
      g.setColor(Color.WHITE);
      PixelToWorld grid = mask.pixelToWorld();
      for (GeoPackageContents.Feature feature : contents.features) {
        g.fill(pixelPath(feature.geometry(), grid));
      }
      g.dispose();
      byte[] predicted = ((DataBufferByte) burned.getRaster().getDataBuffer()).getData();
      java.awt.image.Raster raster = mask.readRows(0, h);
      int[] truth = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
      long intersection = 0;
      long union = 0;
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          boolean p = predicted[r * w + c] != 0;
          boolean t = truth[r * w + c] != 0;
          intersection += p && t ? 1 : 0;
          union += p || t ? 1 : 0;
        }
      }
      return union == 0 ? 1 : (double) intersection / union;
    }
  }

  private static Path2D pixelPath(Geometry geometry, PixelToWorld grid) {
    Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
    for (int i = 0; i < geometry.getNumGeometries(); i++) {
      Polygon polygon = (Polygon) geometry.getGeometryN(i);
      ring(path, polygon.getExteriorRing(), grid);
      for (int k = 0; k < polygon.getNumInteriorRing(); k++) {
        ring(path, polygon.getInteriorRingN(k), grid);
      }
    }
    return path;
  }

  private static void ring(Path2D.Double path, LineString ring, PixelToWorld grid) {
    Coordinate[] cs = ring.getCoordinates();
    for (int i = 0; i < cs.length; i++) {
      double[] p = grid.toPixel(cs[i].x, cs[i].y);
      if (i == 0) {
        path.moveTo(p[0], p[1]);
      } else {
        path.lineTo(p[0], p[1]);
      }
    }
    path.closePath();
  }
}

package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.sedona.spark.SedonaContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.diffris.cli.testing.Scenes;
import org.diffris.cli.testing.TestBundle;
import org.diffris.output.RoiArgument;
import org.geotools.api.parameter.GeneralParameterValue;
import org.geotools.api.parameter.ParameterValueGroup;
import org.geotools.coverage.grid.GridCoverage2D;
import org.geotools.coverage.grid.GridCoverageFactory;
import org.geotools.coverage.grid.io.AbstractGridFormat;
import org.geotools.coverage.grid.io.imageio.GeoToolsWriteParams;
import org.geotools.gce.geotiff.GeoTiffFormat;
import org.geotools.gce.geotiff.GeoTiffWriteParams;
import org.geotools.gce.geotiff.GeoTiffWriter;
import org.geotools.geometry.jts.ReferencedEnvelope;
import org.geotools.referencing.CRS;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/**
 * The job's {@code --roi} with the analytic bundle: on a raster whose middle tile is damaged (its
 * DEFLATE stream is garbage, so reading it fails), an roi of two bands, one along the top and one
 * along the bottom, whose rectangle is the whole raster, runs only the windows that hold roi
 * pixels, never reads the damaged tile's rows, and gives the
 * polygons {@code diffris segment --roi} gives on the undamaged raster (geometry coordinate for
 * coordinate, score, pixels, area, at_edge). Reading the damaged rows fails: the damage is real.
 * An roi that misses every raster is refused. Slow: a Spark start (about 40 s for the class on a
 * shared 2-core machine).
 */
@Tag("slow")
class SegmentJobRoiTest {
  // World x = 500000 + column, y = 5300000 - row (1 m pixels, EPSG:32633), 768 x 768 px in
  // 256-px tiles. The roi: rows 0-100 and rows 668-768, across the raster.
  private static final String ROI =
      "SRID=32633;MULTIPOLYGON (((500000 5300000, 500768 5300000, 500768 5299900, 500000 5299900,"
          + " 500000 5300000)), ((500000 5299332, 500768 5299332, 500768 5299232, 500000 5299232,"
          + " 500000 5299332)))";
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path bundle;
  private static Path intact;
  private static Path damaged;

  @BeforeAll
  static void start() throws Exception {
    bundle = TestBundle.write(dir.resolve("bundle"), 64);
    BufferedImage image = new BufferedImage(768, 768, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(Scenes.GROUND);
    g.fillRect(0, 0, 768, 768);
    g.setColor(Scenes.RED);
    g.fillRect(100, 30, 60, 40); // in the top band, across the cores' side at column 128
    g.fillRect(300, 80, 60, 40); // cut by the top band's lower side at row 100
    g.fillRect(400, 700, 60, 40); // in the bottom band
    g.fillRect(300, 300, 50, 50); // in the damaged tile, outside the roi
    g.dispose();
    intact = tiled(dir.resolve("intact.tif"), image);
    damaged = dir.resolve("damaged").resolve("scene.tif");
    Files.createDirectories(damaged.getParent());
    Files.copy(intact, damaged);
    damageTile(damaged, 4);
    spark =
        SedonaContext.create(
            SparkSession.builder()
                .master("local[2]")
                .appName("diffris-spark roi test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString())
                .getOrCreate());
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A DEFLATE GeoTIFF in 256 x 256 tiles. */
  private static Path tiled(Path file, BufferedImage image) throws Exception {
    GridCoverage2D coverage =
        new GridCoverageFactory()
            .create(
                "scene",
                image,
                new ReferencedEnvelope(500000, 500768, 5299232, 5300000, CRS.decode("EPSG:32633")));
    GeoTiffWriter writer = new GeoTiffWriter(file.toFile());
    try {
      GeoTiffWriteParams params = new GeoTiffWriteParams();
      params.setCompressionMode(GeoTiffWriteParams.MODE_EXPLICIT);
      params.setCompressionType("Deflate");
      params.setTilingMode(GeoToolsWriteParams.MODE_EXPLICIT);
      params.setTiling(256, 256);
      ParameterValueGroup group = new GeoTiffFormat().getWriteParameters();
      group
          .parameter(AbstractGridFormat.GEOTOOLS_WRITE_PARAMS.getName().toString())
          .setValue(params);
      writer.write(coverage, group.values().toArray(new GeneralParameterValue[0]));
    } finally {
      writer.dispose();
    }
    return file;
  }

  /**
   * Overwrites a tile's bytes (row-major; 4 is the middle one, rows 256-512) with garbage: the
   * file's size and tables stay.
   */
  private static void damageTile(Path file, int tile) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] all = new byte[(int) f.length()];
      f.readFully(all);
      ByteBuffer b = ByteBuffer.wrap(all);
      b.order(all[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      assertEquals(42, b.getShort(2), "a classic TIFF");
      int ifd = b.getInt(4);
      int entries = Short.toUnsignedInt(b.getShort(ifd));
      long[] offsets = null;
      long[] counts = null;
      for (int i = 0; i < entries; i++) {
        int at = ifd + 2 + 12 * i;
        int tag = Short.toUnsignedInt(b.getShort(at));
        int type = b.getShort(at + 2);
        int count = b.getInt(at + 4);
        if (tag == 324 || tag == 325) { // TileOffsets, TileByteCounts
          long[] values = new long[count];
          int valueAt = count * (type == 3 ? 2 : 4) <= 4 ? at + 8 : b.getInt(at + 8);
          for (int k = 0; k < count; k++) {
            values[k] =
                type == 3
                    ? Short.toUnsignedInt(b.getShort(valueAt + 2 * k))
                    : Integer.toUnsignedLong(b.getInt(valueAt + 4 * k));
          }
          if (tag == 324) {
            offsets = values;
          } else {
            counts = values;
          }
        }
      }
      assertEquals(9, offsets.length, "3 x 3 tiles");
      byte[] garbage = new byte[(int) counts[tile]];
      Arrays.fill(garbage, (byte) 0xFF);
      f.seek(offsets[tile]);
      f.write(garbage);
    }
  }

  private static JobOptions job(RoiArgument roi) {
    return new JobOptions(
        List.of("red things"),
        bundle.toString(),
        "cpu",
        null,
        null,
        null,
        null,
        4,
        null,
        null,
        null,
        128,
        roi);
  }

  @Test
  void outsideWindowsAreNeverReadAndTheAnswerIsTheCommandLinesOnTheRoi() throws Exception {
    String out = dir.resolve("roi.parquet").toString();
    JobSummary summary =
        SegmentJob.run(
            spark,
            job(RoiArgument.read(ROI, null, null)),
            List.of(damaged.toString()),
            new SegmentJob.Outputs(out, out + "-failures", null, false));
    assertEquals(0, summary.failedRasters(), "the damaged tile was never read");
    // 6 x 6 cores of 128 px: the first row of cores holds the top band, the last the bottom one;
    // the windows of those cores read 69 px more round them (the edge margin), rows 0-197 and
    // 571-768, never the damaged rows 256-512.
    assertEquals(2 * 6, summary.windows());
    List<Row> rows = spark.read().format("geoparquet").load(out).collectAsList();

    Path gpkg = dir.resolve("cli.gpkg");
    Cli cli =
        Cli.run(
            "segment",
            "--raster",
            intact.toString(),
            "--query",
            "red things",
            "--model",
            bundle.toString(),
            "--device",
            "cpu",
            "--progress",
            "none",
            "--roi",
            ROI,
            "--out",
            gpkg.toString());
    assertEquals(0, cli.exitCode, cli.err);
    List<GeoPackageContents.Feature> expected =
        new ArrayList<>(GeoPackageContents.read(gpkg).features);
    assertEquals(3, expected.size(), "two whole rectangles and the cut one; none outside the roi");
    assertEquals(expected.size(), rows.size());
    Comparator<Geometry> order =
        Comparator.comparingDouble((Geometry x) -> x.getEnvelopeInternal().getMinX());
    expected.sort((a, b) -> order.compare(a.geometry(), b.geometry()));
    List<Geometry> got = new ArrayList<>();
    WKBReader wkb = new WKBReader();
    for (Row r : rows) {
      Geometry x = wkb.read(r.<byte[]>getAs(FeatureRows.NATIVE_WKB));
      x.setUserData(r);
      got.add(x);
    }
    got.sort(order);
    int atEdge = 0;
    for (int i = 0; i < expected.size(); i++) {
      GeoPackageContents.Feature e = expected.get(i);
      Row r = (Row) got.get(i).getUserData();
      Geometry eg = e.geometry().copy();
      eg.normalize();
      assertTrue(eg.equalsExact(got.get(i)), eg + " / " + got.get(i));
      assertEquals(e.number("score"), r.<Double>getAs("score"), 1e-6);
      assertEquals(e.number("area"), r.<Double>getAs("area"), 1e-9 * e.number("area"));
      assertEquals(((Number) e.attributes().get("pixels")).longValue(), r.<Long>getAs("pixels"));
      boolean edge = ((Number) e.attributes().get("at_edge")).intValue() != 0;
      assertEquals(edge, r.<Boolean>getAs("at_edge"));
      atEdge += edge ? 1 : 0;
    }
    assertTrue(atEdge >= 1, "the rectangle the top band's side cuts is at_edge");

    // The damage is real: the damaged rows cannot be read.
    try (org.diffris.geotools.GeoTiffRaster raster =
        org.diffris.geotools.GeoTiffRaster.open(damaged)) {
      float[] dest = new float[3 * 768 * 256];
      assertThrows(
          java.io.IOException.class,
          () -> raster.input().source().read(0, 256, 768, 256, new int[] {0, 1, 2}, dest));
    }
  }

  @Test
  void anRoiThatMissesEveryRasterIsRefused() throws Exception {
    String out = dir.resolve("missed.parquet").toString();
    String message =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    SegmentJob.run(
                        spark,
                        job(
                            RoiArgument.read(
                                "SRID=32633;POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))", null, null)),
                        List.of(intact.toString()),
                        new SegmentJob.Outputs(out, out + "-failures", null, false)))
            .getMessage();
    assertTrue(
        message.startsWith("the roi overlaps none of the 1 rasters; roi (x 0.000000000 to"),
        message);
    assertTrue(message.contains("does not overlap the raster (x 500000.0000 to 500768.0000"));
    assertTrue(Files.notExists(Path.of(out)), "nothing written");
  }
}

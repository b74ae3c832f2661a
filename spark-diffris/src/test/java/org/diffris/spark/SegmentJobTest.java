package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.sedona.spark.SedonaContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.GeoPackageContents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/**
 * The job in local mode ({@code local[2]}) on the three sample scenes, each cut into nine
 * windows, and two broken files: every scene's polygons equal {@code diffris segment}'s on that
 * scene (geometry in the raster's CRS coordinate for coordinate, score, area, pixels, at_edge),
 * the GeoParquet layer reads back with its longitude/latitude geometry, and the broken files are
 * in the failures table with their reason while the job goes on.
 */
class SegmentJobTest {
  private static final Path SCENES = Path.of("..", "sample-data", "scenes").toAbsolutePath();
  private static final String QUERY = "white storage tanks";
  private static final Path READERS_EXPORT = Path.of("target", "geoparquet-readers");
  private static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark =
        SedonaContext.create(
            SparkSession.builder()
                .master("local[2]")
                .appName("diffris-spark test")
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

  private static JobOptions job(List<String> queries, int window) {
    return new JobOptions(
        queries, null, "cpu", null, null, null, null, 4, null, null, null, window);
  }

  @Test
  void scenesThroughSparkEqualTheCommandLineAndBrokenFilesAreReported() throws Exception {
    deleteReadersExport(); // a failed run leaves none, not the previous run's
    Path rasters = Files.createDirectories(dir.resolve("rasters"));
    for (String scene : List.of("port.tif", "town.tif", "airport.tif")) {
      Files.copy(SCENES.resolve(scene), rasters.resolve(scene));
    }
    // Cut short: the header and the first blocks are there, later blocks are not.
    byte[] port = Files.readAllBytes(SCENES.resolve("port.tif"));
    Files.write(rasters.resolve("cut_short.tif"), java.util.Arrays.copyOf(port, port.length / 3));
    Files.writeString(rasters.resolve("not_a_tiff.tif"), "these are notes, not an image\n");

    String out = dir.resolve("answers.parquet").toString();
    String failures = dir.resolve("failures.parquet").toString();
    Path gpkg = dir.resolve("answers.gpkg");
    JobSummary summary =
        SegmentJob.run(
            spark,
            job(List.of(QUERY), 600),
            List.of(rasters.toString()),
            new SegmentJob.Outputs(out, failures, gpkg, false));

    assertEquals(5, summary.rasters());
    assertEquals(2, summary.failedRasters());
    assertEquals(3 * 9, summary.windows(), "three 1792-pixel scenes in windows of 600");
    assertTrue(
        summary.pieces() > summary.mergedObjects() && summary.mergedObjects() > 0,
        "objects cut by windows were merged: "
            + summary.pieces()
            + " pieces into "
            + summary.mergedObjects());

    Map<String, String> failed = new TreeMap<>();
    for (Row r : spark.read().parquet(failures).collectAsList()) {
      failed.put(Path.of(r.getString(0)).getFileName().toString(), r.getString(2));
    }
    assertEquals(List.of("cut_short.tif", "not_a_tiff.tif"), new ArrayList<>(failed.keySet()));
    failed.values().forEach(reason -> assertFalse(reason.isBlank()));

    // GeoParquet metadata: longitude/latitude, said by leaving the CRS out (OGC:CRS84).
    try (java.util.stream.Stream<Path> files = Files.list(Path.of(out))) {
      for (Path part : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        String geo;
        try (org.apache.parquet.hadoop.ParquetFileReader reader =
            org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(part.toUri()),
                    new org.apache.hadoop.conf.Configuration()))) {
          geo = reader.getFooter().getFileMetaData().getKeyValueMetaData().get("geo");
        }
        assertTrue(geo.contains("\"primary_column\":\"geometry\""), geo);
        assertFalse(geo.contains("\"crs\""), "no crs member means OGC:CRS84: " + geo);
      }
    }
    List<Row> rows = spark.read().format("geoparquet").load(out).collectAsList();
    Map<String, List<Row>> bySource = new TreeMap<>();
    for (Row r : rows) {
      bySource
          .computeIfAbsent(
              Path.of(r.<String>getAs("source")).getFileName().toString(), k -> new ArrayList<>())
          .add(r);
    }
    assertFalse(bySource.containsKey("cut_short.tif"), "nothing of a failed raster is written");
    assertSameAsGeoPackage(rows, gpkg);
    for (String scene : List.of("port.tif", "town.tif", "airport.tif")) {
      assertSameAsCommandLine(scene, bySource.getOrDefault(scene, List.of()));
    }
    leaveForTheReadersTest(Path.of(out));
  }

  private static void deleteReadersExport() throws Exception {
    if (Files.exists(READERS_EXPORT)) {
      try (java.util.stream.Stream<Path> old = Files.walk(READERS_EXPORT)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * The checked layer and the command line's longitude/latitude GeoJSON of each scene, in {@code
   * target/geoparquet-readers/}, for {@code spark-diffris/tests/test_geoparquet_readers.py}, which
   * reads them with pyarrow and GeoPandas after the Maven build (./run-tests).
   */
  private static void leaveForTheReadersTest(Path layer) throws Exception {
    Path folder = READERS_EXPORT;
    Path copy = Files.createDirectories(folder.resolve("answers.parquet"));
    try (java.util.stream.Stream<Path> files = Files.list(layer)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    for (String scene : List.of("port", "town", "airport")) {
      Cli cli =
          Cli.run(
              "segment",
              "--raster",
              SCENES.resolve(scene + ".tif").toString(),
              "--query",
              QUERY,
              "--device",
              "cpu",
              "--out",
              folder.resolve(scene + ".geojson").toString());
      assertEquals(0, cli.exitCode, cli.err);
    }
  }

  /** The GeoPackage holds the GeoParquet layer's rows: lon/lat geometry and every column. */
  private static void assertSameAsGeoPackage(List<Row> rows, Path gpkg) throws Exception {
    GeoPackageContents contents = GeoPackageContents.read(gpkg);
    assertEquals(4326, contents.srsId);
    assertEquals("answers", contents.layer);
    assertEquals(rows.size(), contents.features.size());
    Map<String, Row> byKey = new TreeMap<>();
    for (Row r : rows) {
      byKey.put(r.<String>getAs("source") + " " + r.<Geometry>getAs("geometry").toText(), r);
    }
    for (GeoPackageContents.Feature f : contents.features) {
      Geometry g = f.geometry();
      assertEquals("MultiPolygon", g.getGeometryType());
      Row r = byKey.get(f.attributes().get("source") + " " + g.getGeometryN(0).toText());
      assertTrue(r != null, "a GeoParquet row with this source and geometry: " + g.getGeometryN(0));
      assertEquals(r.<Double>getAs("area"), f.number("area"));
      assertEquals(r.<Long>getAs("pixels"), ((Number) f.attributes().get("pixels")).longValue());
      assertEquals(r.<String>getAs("crs"), f.attributes().get("crs"));
    }
  }

  private static void assertSameAsCommandLine(String scene, List<Row> spark) throws Exception {
    Path gpkg = dir.resolve(scene + ".gpkg");
    Cli cli =
        Cli.run(
            "segment",
            "--raster",
            SCENES.resolve(scene).toString(),
            "--query",
            QUERY,
            "--device",
            "cpu",
            "--out",
            gpkg.toString());
    assertEquals(0, cli.exitCode, cli.err);
    List<GeoPackageContents.Feature> expected =
        new ArrayList<>(GeoPackageContents.read(gpkg).features);
    assertEquals(expected.size(), spark.size(), scene + ": polygons");
    assertTrue(expected.size() > 0, scene + ": the query finds something");

    WKBReader wkb = new WKBReader();
    List<Geometry> got = new ArrayList<>();
    for (Row r : spark) {
      Geometry g = wkb.read(r.<byte[]>getAs(FeatureRows.NATIVE_WKB));
      g.setUserData(r);
      got.add(g);
      Geometry lonLat = r.getAs("geometry");
      org.locationtech.jts.geom.Envelope e = lonLat.getEnvelopeInternal();
      assertTrue(
          e.getMinX() >= 12 && e.getMaxX() <= 18 && e.getMinY() >= 0 && e.getMaxY() <= 84,
          "UTM zone 33 north lies at 12-18 degrees east: " + e);
      assertEquals(g.getNumPoints(), lonLat.getNumPoints(), "reprojected vertex by vertex");
      assertEquals("EPSG:32633", r.getAs(FeatureRows.CRS));
    }
    Comparator<Geometry> order =
        Comparator.comparingDouble((Geometry g) -> g.getEnvelopeInternal().getMinY())
            .thenComparingDouble(g -> g.getEnvelopeInternal().getMinX())
            .thenComparingDouble(Geometry::getArea);
    expected.sort((a, b) -> order.compare(a.geometry(), b.geometry()));
    got.sort(order);
    for (int i = 0; i < expected.size(); i++) {
      GeoPackageContents.Feature e = expected.get(i);
      Geometry g = got.get(i);
      Row r = (Row) g.getUserData();
      Geometry eg = e.geometry().copy();
      eg.normalize();
      assertTrue(eg.equalsExact(g), scene + ": " + eg + " / " + g);
      assertEquals(e.number("area"), r.<Double>getAs("area"), 1e-9 * e.number("area"));
      assertEquals(e.number("score"), r.<Double>getAs("score"), 1e-6);
      assertEquals(((Number) e.attributes().get("pixels")).longValue(), r.<Long>getAs("pixels"));
      assertEquals(
          ((Number) e.attributes().get("at_edge")).intValue() != 0, r.<Boolean>getAs("at_edge"));
      assertEquals(e.attributes().get("model"), r.getAs("model"));
      assertEquals(QUERY, r.getAs("query"));
    }
  }

  /** The message of the refusal a job with these rasters and outputs meets before any work. */
  private static String refusal(String raster, SegmentJob.Outputs outputs) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> SegmentJob.run(spark, job(List.of(QUERY), 600), List.of(raster), outputs))
        .getMessage();
  }

  @Test
  void anExistingOutputIsRefusedBeforeAnyWork() throws Exception {
    String port = SCENES.resolve("port.tif").toString();
    Path out = Files.createDirectories(dir.resolve("exists.parquet"));
    String e =
        refusal(port, new SegmentJob.Outputs(out.toString(), out + "-failures", null, false));
    assertTrue(e.contains("--overwrite"), e);

    Path gpkg = Files.writeString(dir.resolve("exists.gpkg"), "an old answer");
    String g =
        refusal(
            port,
            new SegmentJob.Outputs(
                dir.resolve("new.parquet").toString(),
                dir.resolve("new-failures").toString(),
                gpkg,
                false));
    assertTrue(g.contains("exists.gpkg exists"), g);
    assertEquals("an old answer", Files.readString(gpkg));
    assertFalse(Files.exists(dir.resolve("new.parquet")), "nothing written");
  }

  @Test
  void anOutputThatIsOrHoldsAnInputIsRefusedEvenWithOverwrite() throws Exception {
    Path rasters = Files.createDirectories(dir.resolve("inputs"));
    Path raster = Files.copy(SCENES.resolve("port.tif"), rasters.resolve("port.tif"));
    byte[] before = Files.readAllBytes(raster);
    String folder =
        refusal(
            rasters.toString(),
            new SegmentJob.Outputs(rasters.toString(), dir.resolve("f").toString(), null, true));
    assertTrue(folder.startsWith("--out " + rasters + " holds the input --rasters"), folder);
    String failures =
        refusal(
            raster.toString(),
            new SegmentJob.Outputs(dir.resolve("o").toString(), dir.toString(), null, true));
    assertTrue(failures.startsWith("--failures " + dir + " holds the input"), failures);
    String gpkg =
        refusal(
            raster.toString(),
            new SegmentJob.Outputs(
                dir.resolve("o").toString(), dir.resolve("f").toString(), raster, true));
    assertTrue(gpkg.startsWith("--gpkg " + raster + " is the input --rasters"), gpkg);
    // Through a symbolic link to the folder, and a name with "..".
    Path link = Files.createSymbolicLink(dir.resolve("inputs-link"), rasters);
    String linked =
        refusal(
            raster.toString(),
            new SegmentJob.Outputs(link.toString(), dir.resolve("f").toString(), null, true));
    assertTrue(linked.contains("holds the input --rasters"), linked);
    String dotted =
        refusal(
            raster.toString(),
            new SegmentJob.Outputs(
                rasters.resolve("x/..").toString(), dir.resolve("f").toString(), null, true));
    assertTrue(dotted.contains("holds the input --rasters"), dotted);
    assertArrayEquals(before, Files.readAllBytes(raster), "the input is untouched");
  }

  /** The model bundle and the raster list are inputs too; a job's outputs never meet. */
  @Test
  void outputsThatMeetTheModelTheListOrEachOtherAreRefusedBeforeAnyWork() throws Exception {
    String port = SCENES.resolve("port.tif").toString();
    Path bundle = dir.resolve("bundle-copy");
    copyTree(ExecutorModels.bundleLocation(null), bundle);
    JobOptions withBundle =
        new JobOptions(
            List.of(QUERY),
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
            600);
    String model =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    SegmentJob.run(
                        spark,
                        withBundle,
                        List.of(port),
                        new SegmentJob.Outputs(
                            bundle.toString(), dir.resolve("bf").toString(), null, true)))
            .getMessage();
    assertTrue(model.startsWith("--out " + bundle + " is the input --model"), model);
    assertTrue(Files.isRegularFile(bundle.resolve("model.json")), "the bundle is untouched");

    Path lists = Files.createDirectories(dir.resolve("lists"));
    Path list = Files.writeString(lists.resolve("rasters.txt"), port + "\n");
    String listed =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    SegmentJob.run(
                        spark,
                        job(List.of(QUERY), 600),
                        List.of(),
                        list.toString(),
                        new SegmentJob.Outputs(
                            lists.toString(), dir.resolve("lf").toString(), null, true)))
            .getMessage();
    assertTrue(listed.startsWith("--out " + lists + " holds the input --raster-list"), listed);
    assertTrue(Files.isRegularFile(list), "the list is untouched");

    String out = dir.resolve("same.parquet").toString();
    String same = refusal(port, new SegmentJob.Outputs(out, out, null, true));
    assertTrue(same.startsWith("--out and --failures name the same file or folder"), same);
    Path inside = dir.resolve("same.parquet").resolve("a.gpkg");
    String nested =
        refusal(port, new SegmentJob.Outputs(out, dir.resolve("sf").toString(), inside, false));
    assertTrue(nested.startsWith("--gpkg " + inside + " lies inside --out"), nested);
    assertFalse(Files.exists(Path.of(out)), "nothing written");
  }

  /**
   * {@code --overwrite} replaces a folder this job wrote, and nothing else: a folder of other
   * files, or one a previous run wrote and someone added to, is refused and left as it was.
   */
  @Test
  void overwriteReplacesOnlyAPreviousOutputOfThisJob() throws Exception {
    Path area = Files.createDirectories(dir.resolve("overwrite"));
    String port = SCENES.resolve("port.tif").toString();
    Path out = area.resolve("tanks.parquet");
    Path failures = area.resolve("tanks-failures");
    SegmentJob.Outputs outputs =
        new SegmentJob.Outputs(out.toString(), failures.toString(), null, true);
    SegmentJob.run(spark, job(List.of(QUERY), 2048), List.of(port), outputs);
    assertTrue(Files.isRegularFile(out.resolve(OutputFolder.MARKER)), "marked as this job's");
    assertTrue(Files.isRegularFile(out.resolve("_SUCCESS")));
    JobSummary again = SegmentJob.run(spark, job(List.of(QUERY), 2048), List.of(port), outputs);
    assertEquals(91, again.polygons(), "a previous output is replaced");
    assertEquals(91, spark.read().format("geoparquet").load(out.toString()).count());
    try (java.util.stream.Stream<Path> left = Files.list(area)) {
      assertEquals(
          List.of("tanks-failures", "tanks.parquet"),
          left.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary or old folder left beside the outputs");
    }

    Files.writeString(out.resolve("notes.txt"), "mine");
    String added = refusal(port, outputs);
    assertTrue(added.startsWith("--out " + out + " is not an output of this job"), added);
    assertTrue(added.contains("notes.txt"), added);
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));

    Path notes = Files.createDirectories(area.resolve("notes"));
    Files.writeString(notes.resolve("a.txt"), "x");
    Path bundle = area.resolve("a-bundle");
    copyTree(ExecutorModels.bundleLocation(null), bundle);
    for (Path foreign : List.of(notes, bundle)) {
      String e =
          refusal(
              port,
              new SegmentJob.Outputs(
                  foreign.toString(), area.resolve("ff").toString(), null, true));
      assertTrue(e.contains("is not an output of this job"), e);
    }
    assertTrue(Files.isRegularFile(bundle.resolve("model.json")));
    assertTrue(Files.isRegularFile(notes.resolve("a.txt")));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  @Test
  void aPatternThatMatchesNothingIsNamed() {
    String e =
        refusal(
            dir.resolve("nowhere/*.tif").toString(),
            new SegmentJob.Outputs(
                dir.resolve("a").toString(), dir.resolve("b").toString(), null, false));
    assertTrue(e.contains("nowhere"), e);
  }
}

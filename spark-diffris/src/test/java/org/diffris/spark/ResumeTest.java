package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.sedona.spark.SedonaContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffris.cli.testing.Gdal;
import org.diffris.cli.testing.TestBundle;
import org.diffris.pipeline.SoftwareVersion;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.json.JsonReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Geometry;

/**
 * The job's run manifest in its answers' folder, and {@code --resume}: a raster that fails (not
 * an image) is replaced by a good one, the job resumed, and the folder then holds the rows a
 * fresh run writes, run ids apart, with only the replaced raster run again. Three 384-pixel crops
 * of the port scene (GDAL's gdal_translate makes them; skipped without it).
 */
class ResumeTest {
  private static final String QUERY = "white storage tanks";
  private static SparkSession spark;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark =
        SedonaContext.create(
            SparkSession.builder()
                .master("local[2]")
                .appName("diffris-spark resume test")
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

  private static JobOptions job(Double threshold) {
    return new JobOptions(
        List.of(QUERY), null, "cpu", threshold, null, null, null, 4, null, null, null, 2048);
  }

  private static Path crop(Path to, int column, int row) throws Exception {
    Files.deleteIfExists(to);
    return Gdal.translate(
        TestBundle.root().resolve("sample-data/scenes/port.tif"),
        to,
        "-srcwin",
        String.valueOf(column),
        String.valueOf(row),
        "384",
        "384");
  }

  private static Map<?, ?> manifest(Path out) throws Exception {
    Path file = out.resolve(OutputFolder.MANIFEST);
    return (Map<?, ?>) JsonReader.parse(Files.readString(file), file.toString());
  }

  private static Map<String, Map<?, ?>> rastersByName(Map<?, ?> manifest) {
    Map<String, Map<?, ?>> byName = new HashMap<>();
    for (Object r : (List<?>) manifest.get("rasters")) {
      Map<?, ?> raster = (Map<?, ?>) r;
      byName.put(Path.of(String.valueOf(raster.get("path"))).getFileName().toString(), raster);
    }
    return byName;
  }

  /** Every row as text, every column but the run id, sorted: equal lists are the same rows. */
  private static List<String> rowsLessRunId(Path out) {
    List<String> rows = new ArrayList<>();
    for (Row r : spark.read().format("geoparquet").load(out.toString()).collectAsList()) {
      StringBuilder text = new StringBuilder();
      for (String column : r.schema().fieldNames()) {
        if (column.equals(FeatureRows.RUN_ID)) {
          continue;
        }
        Object v = r.getAs(column);
        text.append(column)
            .append('=')
            .append(
                v instanceof byte[] b
                    ? java.util.HexFormat.of().formatHex(b)
                    : v instanceof Geometry g ? g.toText() : String.valueOf(v))
            .append(' ');
      }
      rows.add(text.toString());
    }
    rows.sort(null);
    return rows;
  }

  @Test
  void resumeRerunsOnlyWhatFailedAndEndsWithAFreshRunsRows() throws Exception {
    assumeTrue(
        Gdal.onPath("gdal_translate"), "gdal_translate not on PATH: install Debian's gdal-bin");
    Path rasters = Files.createDirectories(dir.resolve("rasters"));
    crop(rasters.resolve("a.tif"), 768, 128);
    crop(rasters.resolve("b.tif"), 1024, 512);
    Files.writeString(rasters.resolve("c.tif"), "a download that went wrong\n");
    Path out = dir.resolve("tanks.parquet");
    Path failures = dir.resolve("tanks-failures");
    SegmentJob.Outputs outputs =
        new SegmentJob.Outputs(out.toString(), failures.toString(), null, false);

    JobSummary first = SegmentJob.run(spark, job(null), List.of(rasters.toString()), outputs);
    assertEquals(1, first.failedRasters());
    Map<?, ?> before = manifest(out);
    String firstRun = (String) before.get("run_id");
    Map<String, Map<?, ?>> then = rastersByName(before);
    assertEquals("failed", then.get("c.tif").get("status"));
    assertEquals("plan", then.get("c.tif").get("stage"));
    assertTrue(String.valueOf(then.get("c.tif").get("error")).contains("GeoTIFF"), then.toString());
    Map<String, Long> rowsPerRaster = new HashMap<>();
    for (Row r :
        spark
            .read()
            .format("geoparquet")
            .load(out.toString())
            .groupBy("source")
            .count()
            .collectAsList()) {
      rowsPerRaster.put(r.getString(0), r.getLong(1));
      assertTrue(r.getLong(1) > 0);
    }
    for (String name : List.of("a.tif", "b.tif")) {
      assertEquals("done", then.get(name).get("status"));
      assertEquals(
          rowsPerRaster.get(name).doubleValue(),
          ((Number) then.get(name).get("rows")).doubleValue());
      assertEquals(firstRun, then.get(name).get("run_id"));
      assertNull(then.get(name).get("error"));
      assertEquals(
          Files.size(rasters.resolve(name)), ((Number) then.get(name).get("bytes")).longValue());
    }
    Map<?, ?> counts = (Map<?, ?>) before.get("counts");
    assertEquals(first.polygons(), ((Number) counts.get("polygons")).longValue());
    assertEquals(first.tiles(), ((Number) counts.get("tiles")).longValue());
    assertEquals(3.0, ((Number) counts.get("rasters")).doubleValue());
    assertEquals(1.0, ((Number) counts.get("rasters_failed")).doubleValue());
    assertEquals("CPU", before.get("execution_provider"));
    assertEquals(
        SoftwareVersion.current().describe(), ((Map<?, ?>) before.get("software")).get("version"));
    assertEquals(
        ModelBundle.open(ExecutorModels.bundleLocation(null)).contentSha256(),
        ((Map<?, ?>) before.get("model")).get("sha256"));
    assertEquals(1, ((List<?>) before.get("runs")).size());

    // The resume is refused when the job differs, naming what differs, and changes nothing.
    SegmentJob.Outputs resume =
        new SegmentJob.Outputs(out.toString(), failures.toString(), null, false, true);
    String differs =
        assertThrows(
                IllegalArgumentException.class,
                () -> SegmentJob.run(spark, job(0.3), List.of(rasters.toString()), resume))
            .getMessage();
    assertTrue(differs.contains("--threshold was the default, now 0.3"), differs);
    assertEquals(firstRun, manifest(out).get("run_id"));

    // The broken raster is replaced by a good one, and the job resumed.
    crop(rasters.resolve("c.tif"), 256, 1024);
    JobSummary resumed = SegmentJob.run(spark, job(null), List.of(rasters.toString()), resume);
    assertEquals(0, resumed.failedRasters());
    assertEquals(1, resumed.windows(), "only the replaced raster ran");
    Map<?, ?> after = manifest(out);
    String secondRun = (String) after.get("run_id");
    assertNotEquals(firstRun, secondRun);
    Map<String, Map<?, ?>> now = rastersByName(after);
    assertEquals(firstRun, now.get("a.tif").get("run_id"));
    assertEquals(firstRun, now.get("b.tif").get("run_id"));
    assertEquals(secondRun, now.get("c.tif").get("run_id"));
    assertEquals("done", now.get("c.tif").get("status"));
    Map<?, ?> resumedCounts = (Map<?, ?>) after.get("counts");
    assertEquals(1.0, ((Number) resumedCounts.get("rasters_run")).doubleValue());
    assertEquals(2.0, ((Number) resumedCounts.get("rasters_kept")).doubleValue());
    List<?> runs = (List<?>) after.get("runs");
    assertEquals(
        List.of(firstRun, secondRun),
        runs.stream().map(r -> ((Map<?, ?>) r).get("run_id")).toList());
    assertEquals(0, spark.read().parquet(failures.toString()).count(), "nothing fails now");

    // A fresh run over the same rasters writes the same rows, run ids apart.
    Path fresh = dir.resolve("fresh.parquet");
    JobSummary whole =
        SegmentJob.run(
            spark,
            job(null),
            List.of(rasters.toString()),
            new SegmentJob.Outputs(
                fresh.toString(), dir.resolve("fresh-failures").toString(), null, false));
    assertEquals(3, whole.windows());
    assertEquals(whole.polygons(), resumed.polygons());
    List<String> expected = rowsLessRunId(fresh);
    assertTrue(expected.size() > 3);
    assertEquals(expected, rowsLessRunId(out));
  }

  @Test
  void resumeIsRefusedWhereThereIsNothingOfThisJobToResume() throws Exception {
    Path port = TestBundle.root().resolve("sample-data/scenes/port.tif");
    Path nowhere = dir.resolve("never-written.parquet");
    String missing =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    SegmentJob.run(
                        spark,
                        job(null),
                        List.of(port.toString()),
                        new SegmentJob.Outputs(
                            nowhere.toString(), nowhere + "-f", null, false, true)))
            .getMessage();
    assertTrue(missing.contains("does not exist; there is nothing to resume"), missing);
    Path foreign = Files.createDirectories(dir.resolve("notes"));
    Files.writeString(foreign.resolve("a.txt"), "mine");
    String notOurs =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    SegmentJob.run(
                        spark,
                        job(null),
                        List.of(port.toString()),
                        new SegmentJob.Outputs(
                            foreign.toString(), foreign + "-f", null, false, true)))
            .getMessage();
    assertTrue(notOurs.contains("holds no " + OutputFolder.MANIFEST), notOurs);
    assertEquals("mine", Files.readString(foreign.resolve("a.txt")));
  }
}

package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a cluster runs it: Spark's own {@code SparkSubmit} in a JVM of its own, the
 * shaded {@code diffris-spark.jar} as the application, Spark, Sedona and GeoTools beside it (as
 * {@code spark-diffris/spark-submit-local} and a cluster supply them). Checks the summary, the
 * exit statuses and that the outputs are there.
 */
class SparkSubmitIT {
  private static final Path SCENES = Path.of("..", "sample-data", "scenes").toAbsolutePath();
  @TempDir Path dir;
  private Path tmp;
  private Path cache;

  @Test
  void theJarRunsUnderSparkSubmitAndSaysWhatItDid() throws Exception {
    Path out = dir.resolve("tanks.parquet");
    Result ok =
        submit(
            "--rasters",
            SCENES.resolve("port.tif") + "," + SCENES.resolve("port_ships.tif"),
            "--query",
            "white storage tanks",
            "--out",
            out.toString(),
            "--gpkg",
            dir.resolve("tanks.gpkg").toString(),
            "--window",
            "1000");
    // port_ships.tif is a one-band mask: a failure, not a stop.
    assertEquals(3, ok.status, ok.output);
    assertTrue(ok.output.contains("rasters=2 failed=1 windows=4"), ok.output);
    assertTrue(ok.output.contains("the model takes 3 bands, the raster has 1 band"), ok.output);
    assertTrue(Files.isRegularFile(dir.resolve("tanks.gpkg")));
    try (Stream<Path> parts = Files.list(out)) {
      assertTrue(parts.anyMatch(p -> p.toString().endsWith(".parquet")));
    }

    Result again =
        submit(
            "--rasters", SCENES.resolve("port.tif").toString(),
            "--query", "white storage tanks",
            "--out", out.toString());
    assertEquals(1, again.status, again.output);
    assertTrue(again.output.contains("exists; give --overwrite"), again.output);

    Result usage =
        submit("--rasters", "x.tif", "--query", "tanks", "--threshold", "2", "--out", "y");
    assertEquals(2, usage.status, usage.output);
    assertTrue(usage.output.contains("threshold must be between 0 and 1"), usage.output);
    Result window =
        submit("--rasters", "x.tif", "--query", "tanks", "--window", "10", "--out", "y");
    assertEquals(2, window.status, window.output);
    assertEquals(
        List.of(
            "diffris-spark: --window must be at least 64 pixels, got 10 (see diffris-spark --help)"),
        jobLines(window.output),
        "one line, no usage dump");
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(
          List.of(),
          left.map(p -> p.getFileName().toString())
              .filter(n -> !n.equals(JobStopTest.EPSG_CACHE))
              .toList(),
          "no run leaves anything in the temporary folder (ONNX Runtime's libraries come from"
              + " the cache)");
    }
  }

  /** The output's lines that are not Spark's own log lines. */
  private static List<String> jobLines(String output) {
    return output
        .lines()
        .filter(l -> !l.isBlank() && !l.matches("\\d\\d/\\d\\d/\\d\\d \\d\\d:.*"))
        .filter(l -> !l.startsWith("Using Spark's default log4j profile"))
        .toList();
  }

  record Result(int status, String output) {}

  private Result submit(String... jobArgs) throws Exception {
    if (tmp == null) {
      tmp = Files.createDirectories(dir.resolve("tmp"));
      cache = Files.createDirectories(dir.resolve("cache"));
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A temporary folder of its own, to see what a run leaves there.
    command.add("-Djava.io.tmpdir=" + tmp);
    for (String option : System.getProperty("diffris.sparkOpens").split(" ")) {
      command.add(option);
    }
    command.add("-cp");
    command.add(sparkClasspath());
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(
        List.of(
            "--master",
            "local[2]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.log.level=WARN",
            "--conf",
            "spark.sql.warehouse.dir=" + dir.resolve("warehouse"),
            "--class",
            "org.diffris.spark.SegmentJob",
            System.getProperty("diffris.sparkJar")));
    command.addAll(List.of(jobArgs));
    Path log = Files.createTempFile(dir, "submit", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("XDG_CACHE_HOME", cache.toString());
    Process p = builder.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "spark-submit finished");
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /** What a cluster supplies: this JVM's classpath without the project's own classes and jars. */
  private static String sparkClasspath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(
            e ->
                !e.contains(File.separator + "target" + File.separator)
                    && !e.contains("diffris-")
                    && !e.contains("onnxruntime")
                    && !e.contains("picocli")
                    && !e.contains("junit")
                    && !e.contains("sqlite-jdbc"))
        .collect(Collectors.joining(File.pathSeparator));
  }
}

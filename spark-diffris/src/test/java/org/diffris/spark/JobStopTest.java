package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job stopped by SIGINT (Ctrl-C) or SIGTERM ({@code kill}, a cluster manager) at each of its
 * stages, in a JVM of its own on the three sample scenes in small windows: it exits with 128 + the
 * signal's number and one line, and leaves no file (no output, no temporary folder, nothing in
 * the temporary folder, no JVM crash log). The signal is sent once the job has reached the stage,
 * told by its own output: planning (its line), windows running (the first window done, with more
 * than a hundred to go), writing (held there by the {@code diffris.spark.holdAt} seam, after every
 * output is written under its temporary name and before any is moved into place). Slow: a Spark
 * start and a model load per case.
 */
@Tag("slow")
class JobStopTest {
  private static final Path SCENES = Path.of("..", "sample-data", "scenes").toAbsolutePath();

  /**
   * GeoTools' EPSG database, unpacked once into {@code java.io.tmpdir/GeoTools} by the first run
   * that reads a CRS and reused by every later one: a shared cache, not something a run leaves.
   */
  static final String EPSG_CACHE = "GeoTools";

  @TempDir static Path cache;
  @TempDir Path work;

  @ParameterizedTest(name = "SIG{0} at {1}")
  @CsvSource({
    "INT, planning, 300, diffris-spark: planning 3 rasters",
    "TERM, planning, 300, diffris-spark: planning 3 rasters",
    "INT, windows, 300, diffris-spark: 1 of 108 windows done",
    "TERM, windows, 300, diffris-spark: 1 of 108 windows done",
    "INT, writing, 600, diffris-spark: holding at writing",
    "TERM, writing, 600, diffris-spark: holding at writing"
  })
  void aStopLeavesNothingBehind(String signal, String stage, int window, String reached)
      throws Exception {
    Path cwd = Files.createDirectories(work.resolve("cwd"));
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    Path outputs = Files.createDirectories(work.resolve("outputs"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("-XX:+Ignore")
          || arg.startsWith("-Djdk")) {
        command.add(arg);
      }
    }
    command.addAll(
        List.of(
            "-Xmx2g",
            "-Djava.io.tmpdir=" + tmp,
            "-Dspark.ui.enabled=false",
            "-Dspark.log.level=WARN",
            // The seam acts at "writing" only; the other stages are told by the job's lines.
            "-D" + JobStop.HOLD_PROPERTY + "=" + stage,
            "-cp",
            System.getProperty("java.class.path"),
            SegmentJob.class.getName(),
            "--master",
            "local[2]",
            "--rasters",
            String.join(
                ",",
                SCENES.resolve("port.tif").toString(),
                SCENES.resolve("town.tif").toString(),
                SCENES.resolve("airport.tif").toString()),
            "--query",
            "white storage tanks",
            "--device",
            "cpu",
            "--window",
            String.valueOf(window),
            "--out",
            outputs.resolve("tanks.parquet").toString(),
            "--gpkg",
            outputs.resolve("tanks.gpkg").toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
    builder.redirectErrorStream(true);
    builder.environment().put("XDG_CACHE_HOME", cache.toString());
    Process job = builder.start();

    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch atStage = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(job.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                  if (line.startsWith(reached)) {
                    atStage.countDown();
                  }
                }
              } catch (java.io.IOException e) {
                // the stream ends with the process
              }
            });
    reader.start();
    try {
      // A guard against a job that never gets there, not a timing assumption.
      assertTrue(atStage.await(10, TimeUnit.MINUTES), "never reached " + stage + ": " + lines);
      assertTrue(job.isAlive(), "ended before the signal: " + lines);
      Process kill =
          new ProcessBuilder("kill", "-" + signal, String.valueOf(job.pid())).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertTrue(job.waitFor(5, TimeUnit.MINUTES), "still running after SIG" + signal);
    } finally {
      job.destroyForcibly();
      reader.join(TimeUnit.MINUTES.toMillis(1));
    }

    String log = String.join("\n", lines);
    int expected = 128 + (signal.equals("INT") ? 2 : 15);
    assertEquals(expected, job.exitValue(), log);
    String stopped = "diffris-spark: stopped by SIG" + signal + "; nothing written";
    List<String> said = lines.stream().filter(l -> !l.isBlank()).toList();
    assertEquals(stopped, said.get(said.size() - 1), "the last line says what happened: " + log);
    assertEquals(1, said.stream().filter(stopped::equals).count(), log);
    assertFalse(log.contains("ERROR") || log.contains("\tat "), "no stack trace: " + log);
    assertFalse(log.contains("Exception"), log);
    assertEquals(List.of(), names(outputs), "no output, no temporary folder");
    assertEquals(List.of(), names(cwd), "no crash log (hs_err_pid*.log) or other file");
    assertEquals(
        List.of(),
        names(tmp).stream().filter(n -> !n.equals(EPSG_CACHE)).toList(),
        "nothing left in the temporary folder");
  }

  private static List<String> names(Path folder) throws java.io.IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped by a signal leaves nothing beside its output: SIGTERM (what Ctrl-C and
 * {@code kill} send) deletes the partial file at once; after SIGKILL, which no program can
 * handle, the next run to the same output deletes it. The command runs in its own JVM on a
 * checkerboard mask (millions of polygons: a run long enough to interrupt). Slow: seconds per
 * case.
 */
@Tag("slow")
class InterruptedRunTest {
  @TempDir static Path shared;
  static Path checkerboard;
  @TempDir Path outputs;

  @BeforeAll
  static void mask() throws Exception {
    int n = 2048;
    BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        data[r * n + c] = (byte) ((r + c) % 2);
      }
    }
    checkerboard = TestRasters.write(shared.resolve("checkerboard.tif"), image);
  }

  private Process vectorizeInItsOwnJvm(Path out) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            DiffrisCommand.class.getName(),
            "vectorize",
            "--mask",
            checkerboard.toString(),
            "--out",
            out.toString())
        .redirectErrorStream(true)
        .redirectOutput(outputs.resolveSibling(outputs.getFileName() + ".log").toFile())
        .start();
  }

  private List<String> files() throws Exception {
    try (Stream<Path> list = Files.list(outputs)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * Waits for a state, not a duration: the run has written bytes into its partial file (writing
   * has begun; the 2048² checkerboard keeps it writing for seconds after that on any machine).
   */
  private void awaitPartial(Process run) throws Exception {
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (partialBytes() == 0) {
      assertTrue(run.isAlive(), "the run ended before writing: " + files());
      assertTrue(System.nanoTime() < end, "nothing written into a partial file after 5 minutes");
      Thread.sleep(50);
    }
  }

  private long partialBytes() throws Exception {
    long bytes = 0;
    for (String name : files()) {
      if (name.endsWith(".partial")) {
        try {
          bytes += Files.size(outputs.resolve(name));
        } catch (java.nio.file.NoSuchFileException e) {
          // moved into place or removed between the listing and the size: not written yet here
        }
      }
    }
    return bytes;
  }

  @Test
  void sigtermLeavesNothing() throws Exception {
    Path out = outputs.resolve("out.gpkg");
    Process run = vectorizeInItsOwnJvm(out);
    awaitPartial(run);
    run.destroy(); // SIGTERM
    assertTrue(run.waitFor(30, TimeUnit.SECONDS), "still running after SIGTERM");
    assertNotEquals(0, run.exitValue());
    assertEquals(List.of(), files());
  }

  @Test
  void afterSigkillTheNextRunCleansUp() throws Exception {
    Path out = outputs.resolve("out.gpkg");
    Process run = vectorizeInItsOwnJvm(out);
    awaitPartial(run);
    run.destroyForcibly(); // SIGKILL: no hook runs
    assertTrue(run.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, files().size(), "a killed run leaves its partial: " + files());

    Cli next =
        Cli.run(
            "vectorize",
            "--mask",
            Cli.sampleMask("blobs_utm.tif").toString(),
            "--out",
            out.toString());
    assertEquals(0, next.exitCode, next.err);
    assertEquals(List.of("out.gpkg"), files());
    assertTrue(new File(out.toString()).length() > 0);
  }
}

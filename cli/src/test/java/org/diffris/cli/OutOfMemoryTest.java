package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.diffris.cli.testing.TestRasters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that outgrows its Java heap says so in one line, with the heap it had and the setting to
 * change, and leaves no file behind: a JVM of its own with a 96 MB heap vectorizing a 1024²
 * checkerboard at 8-connectivity, one region of half a million parts.
 */
class OutOfMemoryTest {
  @TempDir Path folder;

  @Test
  void runningOutOfHeapIsOneLineAndNoFile() throws Exception {
    int n = 1024;
    BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        data[r * n + c] = (byte) ((r + c) % 2);
      }
    }
    Path mask = TestRasters.write(folder.resolve("checkerboard.tif"), image);
    byte[] before = Files.readAllBytes(mask);
    Path out = folder.resolve("out.gpkg");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process run =
        new ProcessBuilder(
                java,
                "-Xmx96m",
                "-cp",
                System.getProperty("java.class.path"),
                DiffrisCommand.class.getName(),
                "vectorize",
                "--mask",
                mask.toString(),
                "--connectivity",
                "8",
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(120, TimeUnit.SECONDS), "still running after 2 minutes");

    assertEquals(1, run.exitValue(), output);
    assertEquals(1, output.strip().lines().count(), "not one line:\n" + output);
    assertTrue(
        output.startsWith(
            "diffris vectorize: out of memory: this run may use at most 0.1 GiB of Java heap; give"
                + " it more (JAVA_OPTS=-Xmx2g diffris vectorize ...)"),
        output);
    assertFalse(output.contains("Exception") || output.contains("\tat "), output);
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(List.of(mask), files.toList(), "a file was left beside the output");
    }
    assertArrayEquals(before, Files.readAllBytes(mask), "the input changed");
  }
}

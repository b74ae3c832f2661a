package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.diffris.cli.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer sees on a fresh machine: the command's own lines and nothing else, in a JVM of
 * its own whose home folder has never held Java preferences.
 */
class FirstRunOutputTest {
  @TempDir Path home;

  @Test
  void aFirstRunPrintsOnlyItsSummary() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process run =
        new ProcessBuilder(
                java,
                "-Duser.home=" + home,
                "-cp",
                System.getProperty("java.class.path"),
                DiffrisCommand.class.getName(),
                "vectorize",
                "--mask",
                Cli.sampleMask("blobs_utm.tif").toString(),
                "--out",
                home.resolve("out.gpkg").toString())
            .start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, run.exitValue(), err);
    assertEquals("", err);
    assertTrue(out.startsWith("polygons=13 "), out);
    assertEquals(1, out.lines().count(), out);
  }
}

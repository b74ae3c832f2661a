package org.diffris.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A bad {@code --roi} stops the job on its driver, before Spark starts, with the message {@code
 * diffris segment} gives and usage status 2; nothing is written.
 */
class RoiOptionTest {
  @TempDir Path dir;

  private String refused(String... roi) {
    StringBuilder err = new StringBuilder();
    CommandLine command = new CommandLine(new SegmentJob());
    // As the job's main reports it: the exception's one line.
    command.setParameterExceptionHandler(
        (e, ignored) -> {
          err.append(e.getMessage());
          return 2;
        });
    String[] base = {
      "--rasters",
      dir.resolve("none.tif").toString(),
      "--query",
      "tanks",
      "--out",
      dir.resolve("out").toString()
    };
    String[] args = new String[base.length + roi.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(roi, 0, args, base.length, roi.length);
    assertEquals(2, command.execute(args), err.toString());
    assertTrue(Files.notExists(dir.resolve("out")), "nothing written");
    return err.toString();
  }

  private static void has(String message, String part) {
    assertTrue(message.contains(part), message);
  }

  @Test
  void badRoisAreRefusedBeforeSparkStarts() throws Exception {
    has(
        refused("--roi", "POLYGON ((1 2, 3", "--roi-crs", "EPSG:32633"),
        "--roi is not WKT that can be read (");
    has(
        refused("--roi", "SRID=99999;POLYGON ((0 0, 1 0, 1 1, 0 0))"),
        "--roi's SRID 'EPSG:99999' is not a CRS this tool knows");
    Path notes = Files.writeString(dir.resolve("area.txt"), "north field\n");
    has(refused("--roi", notes.toString()), "is neither a GeoJSON nor a GeoPackage file");
    has(
        refused("--roi", "SRID=32633;POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"),
        "roi is not a valid polygon: self-intersection at (5.000000000, 5.000000000)");
    has(refused("--roi-layer", "fields"), "--roi-layer needs --roi");
  }
}

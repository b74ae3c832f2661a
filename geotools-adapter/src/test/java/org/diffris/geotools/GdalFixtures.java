package org.diffris.geotools;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test rasters written by GDAL's command-line tools (Debian's gdal-bin), as users get them: crops
 * of a sample scene re-encoded by gdal_translate, and rasters of given values by gdal_calc.py.
 */
final class GdalFixtures {
  static final Path PORT = Path.of("..", "sample-data", "scenes", "port.tif");

  private GdalFixtures() {}

  /** Skips the test when gdal_translate and gdal_calc.py are not on PATH. */
  static void assumeGdal() {
    assumeTrue(
        onPath("gdal_translate") && onPath("gdal_calc.py"),
        "gdal_translate / gdal_calc.py not on PATH (Debian's gdal-bin)");
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  /** {@code gdal_translate -q OPTIONS IN DIR/NAME}. */
  static Path translate(Path in, Path dir, String name, String... options) throws Exception {
    Path out = dir.resolve(name);
    List<String> command = new ArrayList<>(List.of("gdal_translate", "-q"));
    command.addAll(List.of(options));
    command.addAll(List.of(in.toString(), out.toString()));
    run(command);
    return out;
  }

  /**
   * An 8 x 8 one-band raster of {@code type} (GDAL's name) georeferenced as the port scene's
   * corner, whose pixels repeat {@code values} row by row (a Python list, e.g. {@code -1, 0.5});
   * {@code options} go to gdal_calc.py ({@code --co PIXELTYPE=SIGNEDBYTE}...).
   */
  static Path ofValues(Path dir, String name, String type, String values, String... options)
      throws Exception {
    Path corner = dir.resolve("corner8.tif"); // the georeferencing, written once per folder
    if (!Files.exists(corner)) {
      translate(
          PORT, dir, corner.getFileName().toString(), "-srcwin", "0", "0", "8", "8", "-b", "1");
    }
    Path out = dir.resolve(name);
    List<String> command =
        new ArrayList<>(
            List.of(
                "gdal_calc.py",
                "--quiet",
                "-A",
                corner.toString(),
                "--outfile=" + out,
                "--calc=numpy.resize(numpy.array([" + values + "]), A.shape)",
                "--type=" + type));
    command.addAll(List.of(options));
    run(command);
    return out;
  }

  static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, command + "\n" + text);
    return text;
  }
}

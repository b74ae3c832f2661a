package org.diffris.cli.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** GDAL's command-line tools as a peer: found on PATH, run as processes. */
public final class Gdal {
  private Gdal() {}

  /** Whether {@code tool} is an executable on PATH. */
  public static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  public static final String SKIP_MESSAGE =
      "gdal_polygonize.py not on PATH: install Debian's gdal-bin (./run-tests does) to compare "
          + "with GDAL";

  /**
   * Polygonizes band 1 of {@code raster} into a GeoPackage layer {@code out} with field DN. With a
   * threshold, the band is first turned into a 0/1 byte raster ({@code p >= threshold}) by
   * gdal_calc.py, nodata kept as nodata.
   */
  public static Path polygonize(Path raster, Path outDir, boolean eight, Double threshold)
      throws IOException, InterruptedException {
    Path source = raster;
    if (threshold != null) {
      source = outDir.resolve("thresholded.tif");
      run(
          List.of(
              "gdal_calc.py",
              "--quiet",
              "-A",
              raster.toString(),
              "--outfile=" + source,
              String.format(Locale.ROOT, "--calc=A>=%s", threshold),
              "--type=Byte",
              "--NoDataValue=255"));
    }
    Path out = outDir.resolve("gdal.gpkg");
    List<String> command = new ArrayList<>(List.of("gdal_polygonize.py", "-q"));
    if (eight) {
      command.add("-8");
    }
    command.addAll(List.of(source.toString(), "-f", "GPKG", out.toString(), "out", "DN"));
    run(command);
    return out;
  }

  /** {@code gdal_translate -q ARGS IN OUT}: a copy of {@code in} changed as {@code args} ask. */
  public static Path translate(Path in, Path out, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("gdal_translate", "-q"));
    command.addAll(List.of(args));
    command.addAll(List.of(in.toString(), out.toString()));
    run(command);
    return out;
  }

  /**
   * {@code gdal_create}: a GeoTIFF of {@code width x height} pixels and {@code bands} bands of
   * {@code type} (GDAL's name: Byte, Float32...), in EPSG:32633 with its upper-left corner at
   * (500000, 5300000) and square pixels of {@code pixelSize} metres; {@code extra} (-burn,
   * -a_nodata, -co ...) goes before the file name.
   */
  public static Path create(
      Path out, int width, int height, int bands, String type, double pixelSize, String... extra)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "gdal_create",
                "-q",
                "-of",
                "GTiff",
                "-outsize",
                String.valueOf(width),
                String.valueOf(height),
                "-bands",
                String.valueOf(bands),
                "-ot",
                type,
                "-a_srs",
                "EPSG:32633",
                "-a_ullr",
                "500000",
                "5300000",
                String.valueOf(500000 + width * pixelSize),
                String.valueOf(5300000 - height * pixelSize)));
    command.addAll(List.of(extra));
    command.add(out.toString());
    run(command);
    return out;
  }

  public static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + command);
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + text);
    }
    return text;
  }
}

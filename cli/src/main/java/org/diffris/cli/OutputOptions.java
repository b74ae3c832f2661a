package org.diffris.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.diffris.cli.io.GeoJsonWriter;
import org.diffris.cli.io.GeoPackageWriter;
import org.diffris.cli.io.RegionWriter;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.pipeline.OutputSchema;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The vector output of {@code segment} and {@code vectorize}: the file, its format, overwriting. */
final class OutputOptions {

  @Option(
      names = "--out",
      required = true,
      paramLabel = "OUT.gpkg|OUT.geojson",
      description = "Output: .gpkg (in the raster's CRS) or .geojson (RFC 7946, WGS84 lon/lat).")
  Path out;

  @Option(names = "--overwrite", description = "Replace existing output files.")
  boolean overwrite;

  /** The formats, told by the file name's extension. */
  enum Format {
    GEOPACKAGE,
    GEOJSON;

    static Format of(Path file) {
      String name =
          file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".gpkg")) {
        return GEOPACKAGE;
      }
      if (name.endsWith(".geojson") || name.endsWith(".json")) {
        return GEOJSON;
      }
      return null;
    }
  }

  /** The format of {@code --out}; an unknown extension is a usage error of {@code command}. */
  Format format(CommandSpec command) {
    Format format = Format.of(out);
    if (format == null) {
      throw CommandFailures.usage(
          command,
          "unknown output extension: " + out.getFileName() + " (accepted: .gpkg, .geojson, .json)");
    }
    return format;
  }

  /** Fails when {@code file} cannot be written as an output of this run. */
  void checkWritable(Path file) throws InputException {
    if (Files.isDirectory(file)) {
      throw new InputException("output is a folder, not a file: " + file);
    }
    if (Files.exists(file) && !overwrite) {
      throw new InputException("output exists: " + file + " (use --overwrite to replace it)");
    }
    Path folder = file.toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new InputException("output folder does not exist: " + folder);
    }
  }

  /**
   * A writer of {@code schema}'s regions in the format of {@code --out}, writing to
   * {@code temporary} (moved into place by the caller when complete).
   *
   * @param multi a MULTIPOLYGON layer (8-connectivity) where the format distinguishes it
   */
  RegionWriter writer(Path temporary, GeoTiffRaster raster, OutputSchema schema, boolean multi)
      throws IOException {
    return Format.of(out) == Format.GEOJSON
        ? new GeoJsonWriter(temporary, raster.crs(), schema)
        : new GeoPackageWriter(temporary, layerName(out), raster.spatialReference(), multi, schema);
  }

  /** The GeoPackage table name: the output file's name as an SQL identifier. */
  static String layerName(Path out) {
    String stem = out.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    String name = stem.replaceAll("[^A-Za-z0-9_]", "_");
    return name.isEmpty() || Character.isDigit(name.charAt(0)) ? "regions_" + name : name;
  }
}

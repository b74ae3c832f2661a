package org.diffris.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffris.cli.io.GeoJsonWriter;
import org.diffris.cli.io.GeoPackageRegions;
import org.diffris.cli.io.RegionWriter;
import org.diffris.geotools.GeoTiffRaster;
import org.diffris.output.GeoPackageWriter;
import org.diffris.output.OutputPlaces;
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

  /**
   * Fails unless every output can be written, none of them is the input (a user's input is never
   * written, whatever path names it: symbolic links and hard links are followed) and no two
   * outputs are one file ({@link OutputPlaces}, the rule every host applies).
   *
   * @param input the input file, which exists
   * @param inputOption the option that named it, for messages ({@code --raster})
   * @param outputs each output's option and path, null paths left out
   */
  void checkFiles(Path input, String inputOption, Map<String, Path> outputs) throws InputException {
    List<OutputPlaces.Place> places = new ArrayList<>();
    for (Map.Entry<String, Path> output : outputs.entrySet()) {
      if (output.getValue() != null) {
        checkWritable(output.getValue());
        places.add(OutputPlaces.local(output.getKey(), output.getValue()));
      }
    }
    try {
      OutputPlaces.check(List.of(OutputPlaces.local(inputOption, input)), places);
    } catch (OutputPlaces.RefusedException e) {
      throw new InputException(e.getMessage(), e);
    }
  }

  /** Fails when {@code file} cannot be written as an output of this run. */
  private void checkWritable(Path file) throws InputException {
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
        : new GeoPackageRegions(
            temporary, GeoPackageWriter.layerName(out), raster.spatialReference(), multi, schema);
  }
}

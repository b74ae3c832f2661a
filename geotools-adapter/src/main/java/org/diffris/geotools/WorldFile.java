package org.diffris.geotools;

import java.nio.file.Files;
import java.nio.file.Path;

/** The world file beside a raster ({@code .tfw} or {@code .wld}), which GeoTools may prefer to its tags. */
final class WorldFile {
  private WorldFile() {}

  static boolean exists(Path raster) {
    String stem = raster.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    return Files.exists(raster.resolveSibling(stem + ".tfw"))
        || Files.exists(raster.resolveSibling(stem + ".wld"));
  }
}

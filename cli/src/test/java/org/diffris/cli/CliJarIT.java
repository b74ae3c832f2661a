package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The command-line jar ({@code mvn verify}, after {@code package}) is a host of the pipeline, not
 * of the GeoServer plugin: no plugin class, no GeoTools process registration; the pipeline and
 * the GeoTools adapter are in it.
 */
class CliJarIT {
  @Test
  void holdsThePipelineAndNoProcessSpi() throws Exception {
    Path jar = Path.of(System.getProperty("diffris.cliJar", "target/diffris-cli.jar"));
    assertTrue(Files.isRegularFile(jar), "command-line jar not built: " + jar);
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();
      assertEquals(
          List.of(),
          names.stream()
              .filter(
                  n ->
                      n.startsWith("org/diffris/geoserver/")
                          || n.startsWith("META-INF/services/org.geotools.process."))
              .toList());
      assertTrue(names.contains("org/diffris/pipeline/Segmenter.class"));
      assertTrue(names.contains("org/diffris/geotools/GeoTiffRaster.class"));
      assertTrue(names.contains("org/diffris/cli/SegmentCommand.class"));
    }
  }
}

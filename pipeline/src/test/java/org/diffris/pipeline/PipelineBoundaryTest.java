package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pipeline knows nothing of its hosts: no GeoTools, GeoServer, JAI or picocli class is
 * imported or named by its sources, so every host (a server, a command line, a Spark executor)
 * can take it as it is.
 */
class PipelineBoundaryTest {
  private static final List<String> FORBIDDEN =
      List.of("org.geotools.", "org.geoserver.", "javax.media.jai.", "picocli.");

  @Test
  void sourcesNameNoHostLibrary() throws Exception {
    Path sources = Path.of("src", "main", "java");
    List<String> found = new ArrayList<>();
    int files = 0;
    try (Stream<Path> walk = Files.walk(sources)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
        files++;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          for (String prefix : FORBIDDEN) {
            if (lines.get(i).contains(prefix)) {
              found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertTrue(files >= 10, "pipeline sources not found under " + sources.toAbsolutePath());
    assertEquals(List.of(), found);
  }
}

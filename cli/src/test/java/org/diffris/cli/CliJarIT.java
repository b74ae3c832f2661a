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

  /**
   * The pretrained text encoder a wordpiece bundle names is in the jar as its ONNX graph at the
   * root (where the bundle's text.encoder entry finds it on the class path), without the
   * langchain4j classes and service file it was published with.
   */
  @Test
  void holdsTheTextEncodersGraphAndNothingElseOfItsJar() throws Exception {
    Path jar = Path.of(System.getProperty("diffris.cliJar", "target/diffris-cli.jar"));
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();
      List<String> graphs = names.stream().filter(n -> n.endsWith(".onnx")).toList();
      assertEquals(1, graphs.size(), graphs.toString());
      assertTrue(!graphs.get(0).contains("/") && zip.getEntry(graphs.get(0)).getSize() > 1 << 20);
      assertEquals(
          List.of(),
          names.stream()
              .filter(
                  n ->
                      n.startsWith("dev/langchain4j/")
                          || n.startsWith("META-INF/services/dev.langchain4j")
                          || n.endsWith("-tokenizer.json"))
              .toList());
    }
  }

  /**
   * A run leaves nothing in the temporary folder: ONNX Runtime loads its libraries from the
   * per-user cache, extracted by the first run.
   */
  @Test
  void aRunLeavesNoTemporaryFolderBehind() throws Exception {
    Path jar = Path.of(System.getProperty("diffris.cliJar", "target/diffris-cli.jar"));
    Path tmp = Files.createTempDirectory("diffris-it-tmp");
    Path cache = Files.createTempDirectory("diffris-it-cache");
    for (int run = 0; run < 2; run++) { // the first extracts, the second reuses
      ProcessBuilder builder =
          new ProcessBuilder("java", "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString(), "info")
              .redirectErrorStream(true);
      builder.environment().put("XDG_CACHE_HOME", cache.toString());
      Process p = builder.start();
      String output = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), output);
      assertTrue(output.contains("providers="), output);
      try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
        assertEquals(List.of(), left.toList(), "run " + run);
      }
    }
    try (java.util.stream.Stream<Path> cached = Files.walk(cache)) {
      assertTrue(
          cached.anyMatch(p -> p.getFileName().toString().equals("libonnxruntime.so")),
          "libraries cached in " + cache);
    }
  }

  /**
   * When the cache cannot be written ($HOME read-only; here the cache's place is a file, which
   * stops root too), the libraries go to a folder of the run's own, deleted at exit: the
   * temporary folder is left as it was.
   */
  @Test
  void aRunWhoseCacheCannotBeWrittenLeavesNoTemporaryFolderEither() throws Exception {
    Path jar = Path.of(System.getProperty("diffris.cliJar", "target/diffris-cli.jar"));
    Path tmp = Files.createTempDirectory("diffris-it-tmp");
    Path notAFolder = Files.writeString(Files.createTempFile("diffris-it-cache", ".txt"), "x");
    ProcessBuilder builder =
        new ProcessBuilder(
                "java",
                "-Djava.io.tmpdir=" + tmp,
                "-Duser.home=" + notAFolder,
                "-jar",
                jar.toString(),
                "info")
            .redirectErrorStream(true);
    builder.environment().put("XDG_CACHE_HOME", notAFolder.toString());
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
    assertTrue(output.contains("providers="), output);
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList());
    }
  }
}

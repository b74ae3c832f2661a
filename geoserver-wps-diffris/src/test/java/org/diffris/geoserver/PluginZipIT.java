package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The GeoServer plugin zip ({@code mvn verify}, after {@code package}): our jars, ONNX Runtime and
 * the pretrained text encoder's jar (that wordpiece bundles name), nothing GeoServer already
 * ships, and an SPI file naming a factory class that is in the zip.
 * Checks the CPU zip by default and the GPU zip under {@code -Pgpu} (failsafe passes the zip and
 * its variant as {@code diffris.pluginZip} and {@code diffris.pluginVariant}).
 */
class PluginZipIT {

  static Path zip() {
    String path = System.getProperty("diffris.pluginZip");
    assertNotNull(path, "diffris.pluginZip is set by the failsafe configuration in pom.xml");
    Path zip = Path.of(path);
    assertTrue(Files.isRegularFile(zip), "plugin zip not built: " + zip);
    return zip;
  }

  @Test
  void holdsOurJarsOnnxRuntimeAndTheTextEncoderOnly() throws IOException {
    List<String> jars = new ArrayList<>();
    try (ZipFile z = new ZipFile(zip().toFile())) {
      z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".jar")).forEach(jars::add);
    }
    boolean gpu = isGpuVariant();
    String onnx = gpu ? "onnxruntime_gpu-" : "onnxruntime-";
    String otherOnnx = gpu ? "onnxruntime-" : "onnxruntime_gpu-";
    assertTrue(
        jars.stream().anyMatch(j -> j.startsWith("diffris-geoserver-wps-")), jars.toString());
    assertTrue(
        jars.stream().anyMatch(j -> j.startsWith("diffris-model-runtime-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-vectorizer-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-pipeline-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-geotools-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith(onnx)), jars.toString());
    // Never both builds: they carry the same ai.onnxruntime classes.
    assertFalse(jars.stream().anyMatch(j -> j.startsWith(otherOnnx)), jars.toString());
    // The encoder's jar alone, without the langchain4j library it was published for.
    String encoder = System.getProperty("diffris.textEncoderArtifact");
    assertNotNull(encoder, "diffris.textEncoderArtifact is set by the failsafe configuration");
    assertEquals(
        1, jars.stream().filter(j -> j.startsWith("langchain4j-")).count(), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith(encoder + "-")), jars.toString());
    assertEquals(7, jars.size(), "unexpected jars: " + jars);
    for (String jar : jars) {
      // Our adapter is diffris-geotools; GeoTools' own jars (GeoServer ships them) stay out.
      boolean ours = jar.startsWith("diffris-");
      assertFalse(
          jar.startsWith("gt-")
              || (!ours && jar.contains("geotools"))
              || jar.startsWith("jts")
              || jar.contains("jackson")
              || jar.contains("jai"),
          jar);
      assertFalse(jar.contains("/"), "jars sit at the top, ready for WEB-INF/lib: " + jar);
    }
  }

  /** "gpu" when failsafe runs under {@code -Pgpu} (see pom.xml), else "cpu". */
  static boolean isGpuVariant() {
    return System.getProperty("diffris.pluginVariant", "cpu").equals("gpu");
  }

  /**
   * The ONNX Runtime jar is the build the variant names: the GPU zip's carries the CUDA provider
   * library for Linux, the CPU zip's has none. (Its presence says what was packaged, not that
   * CUDA runs: that needs a GPU, CUDA 12 and cuDNN 9 on the server.)
   */
  @Test
  void onnxRuntimeIsTheVariantsBuild() throws IOException {
    String cudaProvider = "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so";
    boolean hasCudaProvider = false;
    boolean hasCpuRuntime = false;
    try (ZipFile z = new ZipFile(zip().toFile())) {
      ZipEntry onnxJar =
          z.stream()
              .filter(e -> e.getName().matches("onnxruntime(_gpu)?-.*\\.jar"))
              .findFirst()
              .orElseThrow();
      // Streamed entry by entry: the GPU jar is about 450 MB and is never held in memory.
      try (ZipInputStream jar = new ZipInputStream(z.getInputStream(onnxJar))) {
        for (ZipEntry e; (e = jar.getNextEntry()) != null; ) {
          hasCudaProvider |= e.getName().equals(cudaProvider);
          hasCpuRuntime |= e.getName().equals("ai/onnxruntime/native/linux-x64/libonnxruntime.so");
        }
      }
    }
    assertTrue(hasCpuRuntime, "no linux-x64 libonnxruntime.so in the ONNX Runtime jar");
    assertEquals(
        isGpuVariant(),
        hasCudaProvider,
        (isGpuVariant() ? "the GPU zip lacks " : "the CPU zip holds ") + cudaProvider);
  }

  @Test
  void serviceFileNamesAFactoryClassInTheZip() throws IOException {
    try (ZipFile z = new ZipFile(zip().toFile())) {
      ZipEntry pluginJar =
          z.stream()
              .filter(e -> e.getName().matches("diffris-geoserver-wps-.*\\.jar"))
              .findFirst()
              .orElseThrow();
      byte[] bytes;
      try (InputStream in = z.getInputStream(pluginJar)) {
        bytes = in.readAllBytes();
      }
      String service = null;
      List<String> classes = new ArrayList<>();
      try (ZipInputStream jar = new ZipInputStream(new ByteArrayInputStream(bytes))) {
        for (ZipEntry e; (e = jar.getNextEntry()) != null; ) {
          if (e.getName().equals("META-INF/services/org.geotools.process.ProcessFactory")) {
            service = new String(jar.readAllBytes(), StandardCharsets.UTF_8).trim();
          } else if (e.getName().endsWith(".class")) {
            classes.add(e.getName());
          }
        }
      }
      assertEquals("org.diffris.geoserver.DiffrisProcessFactory", service);
      assertTrue(classes.contains(service.replace('.', '/') + ".class"));
      assertTrue(classes.contains("org/diffris/geoserver/SegmentProcess.class"));
    }
  }
}

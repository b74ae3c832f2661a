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
 * The GeoServer plugin zip ({@code mvn verify}, after {@code package}): our jars and ONNX Runtime,
 * nothing GeoServer already ships, and an SPI file naming a factory class that is in the zip.
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
  void holdsOurJarsAndOnnxRuntimeOnly() throws IOException {
    List<String> jars = new ArrayList<>();
    try (ZipFile z = new ZipFile(zip().toFile())) {
      z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".jar")).forEach(jars::add);
    }
    String variant = System.getProperty("diffris.pluginVariant", "cpu");
    String onnx = variant.equals("gpu") ? "onnxruntime_gpu-" : "onnxruntime-";
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-geoserver-wps-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-model-runtime-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("diffris-vectorizer-")), jars.toString());
    assertTrue(jars.stream().anyMatch(j -> j.startsWith(onnx)), jars.toString());
    assertEquals(4, jars.size(), "unexpected jars: " + jars);
    for (String jar : jars) {
      assertFalse(jar.startsWith("gt-") || jar.contains("geotools") || jar.startsWith("jts")
          || jar.contains("jackson") || jar.contains("jai"), jar);
      assertFalse(jar.contains("/"), "jars sit at the top, ready for WEB-INF/lib: " + jar);
    }
  }

  @Test
  void serviceFileNamesAFactoryClassInTheZip() throws IOException {
    try (ZipFile z = new ZipFile(zip().toFile())) {
      ZipEntry pluginJar = z.stream()
          .filter(e -> e.getName().matches("diffris-geoserver-wps-.*\\.jar")).findFirst().orElseThrow();
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

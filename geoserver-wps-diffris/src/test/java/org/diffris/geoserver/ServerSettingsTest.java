package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

  @Test
  void defaultsWhenNothingIsSet() {
    ServerSettings s = ServerSettings.read(new Properties(), Map.of());
    assertEquals(null, s.model());
    assertEquals(ExecutionProvider.CPU, s.device());
    assertEquals(100_000_000L, s.maxPixels());
    assertEquals(2, s.maxConcurrent());
  }

  @Test
  void systemPropertiesWinOverTheEnvironment() {
    Properties p = new Properties();
    p.setProperty("diffris.maxPixels", "5000");
    ServerSettings s =
        ServerSettings.read(
            p,
            Map.of(
                "DIFFRIS_MAX_PIXELS",
                "7000",
                "DIFFRIS_MAX_CONCURRENT",
                "3",
                "DIFFRIS_MODEL",
                "/models/x",
                "DIFFRIS_DEVICE",
                "cuda:1"));
    assertEquals(5000, s.maxPixels());
    assertEquals(3, s.maxConcurrent());
    assertEquals(Path.of("/models/x"), s.modelLocation());
    assertEquals(ExecutionProvider.cuda(1), s.device());
  }

  @Test
  void badValuesNameTheSetting() {
    assertEquals(
        "diffris.maxConcurrent / DIFFRIS_MAX_CONCURRENT is '0'; give a whole number from 1 to 1024",
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerSettings.read(new Properties(), Map.of("DIFFRIS_MAX_CONCURRENT", "0")))
            .getMessage());
    assertEquals(
        "diffris.device / DIFFRIS_DEVICE: execution provider 'tpu' is not known; use "
            + ExecutionProvider.ACCEPTED,
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerSettings.read(new Properties(), Map.of("DIFFRIS_DEVICE", "tpu")))
            .getMessage());
  }
}

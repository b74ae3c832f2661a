package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code runtime_memory} object of model.json: ONNX Runtime's measured memory. */
class RuntimeMemoryTest {
  @TempDir Path temp;

  private ModelBundle withMemory(String memory) throws IOException {
    Path folder = TestBundles.write(temp.resolve("b" + Math.abs(memory.hashCode())));
    String json = TestBundles.resource("model.json");
    if (!memory.isEmpty()) {
      json =
          json.replace(
              "\"threshold\": 0.5,", "\"threshold\": 0.5,\n  \"runtime_memory\": " + memory + ",");
    }
    Files.writeString(folder.resolve("model.json"), json);
    return ModelBundle.open(folder);
  }

  @Test
  void aBundleWithoutItStillLoads() throws IOException {
    assertEquals(Optional.empty(), withMemory("").description().runtimeMemory());
  }

  @Test
  void readsTheMeasurementAndScalesItToTheTileAndBatch() throws IOException {
    ModelDescription.RuntimeMemory memory =
        withMemory(
                "{\"tile\": 256, \"base_bytes\": 47517781, \"bytes_per_batch_item\": 51903146,"
                    + " \"measured\": \"a note\"}")
            .description()
            .runtimeMemory()
            .orElseThrow();
    assertEquals(new ModelDescription.RuntimeMemory(256, 47517781L, 51903146L), memory);
    assertEquals(47517781L + 8 * 51903146L, memory.bytesFor(256, 8));
    // A 64 px tile holds a sixteenth of the pixels.
    assertEquals(47517781L + (long) Math.ceil(4 * 51903146 / 16.0), memory.bytesFor(64, 4));
    assertEquals(47517781L + 4 * 4 * 51903146L, memory.bytesFor(512, 4));
  }

  @Test
  void aMeasurementThatIsNotOneIsRefusedNamingTheField() {
    for (String[] bad :
        new String[][] {
          {"{\"tile\": 0, \"base_bytes\": 1, \"bytes_per_batch_item\": 1}", "runtime_memory.tile"},
          {"{\"tile\": 64, \"base_bytes\": -1, \"bytes_per_batch_item\": 1}", "base_bytes"},
          {"{\"tile\": 64, \"base_bytes\": 1}", "bytes_per_batch_item"},
          {"[64, 1, 1]", "runtime_memory"},
        }) {
      BundleFileException e = assertThrows(BundleFileException.class, () -> withMemory(bad[0]));
      assertEquals("model.json", e.file());
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }
}

package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
  @TempDir Path dir;

  @Test
  void showsTheBundleAndTheProviders() throws Exception {
    Path bundle = TestBundle.write(dir.resolve("bundle"), 96);
    Cli run = Cli.run("info", "--model", bundle.toString());
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("name: analytic-test"), run.out);
    assertTrue(run.out.contains("image: 96 x 96 px, 3 channels, 1.000 m/px"), run.out);
    assertTrue(run.out.contains("text: clip-bpe, 77 tokens, bos 514, eos 515, pad 515"), run.out);
    Map<String, String> s = run.summary();
    assertEquals("analytic-test", s.get("model"));
    assertEquals("96", s.get("input"));
    assertTrue(s.get("providers").contains("CPU"), s.toString());
  }

  @Test
  void aCutGraphIsOneLineNotExitZero() throws Exception {
    Path bundle = TestBundle.write(dir.resolve("cut"), 96);
    Path graph = bundle.resolve("segmenter.onnx");
    byte[] bytes = java.nio.file.Files.readAllBytes(graph);
    java.nio.file.Files.write(graph, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Cli run = Cli.run("info", "--model", bundle.toString());
    assertEquals(1, run.exitCode, run.out);
    assertEquals(1, run.err.strip().lines().count(), run.err);
    assertTrue(run.err.contains("its graphs do not load"), run.err);
    assertTrue(run.err.contains("segmenter.onnx"), run.err);
    assertEquals("", run.out);
  }

  @Test
  void missingBundleIsOneLine() {
    Cli run = Cli.run("info", "--model", dir.resolve("none").toString());
    assertEquals(1, run.exitCode);
    assertEquals(1, run.err.strip().lines().count(), run.err);
    assertTrue(run.err.contains("none"), run.err);
  }
}

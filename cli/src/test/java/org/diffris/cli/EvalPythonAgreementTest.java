package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris eval} against {@code model/evaluate.py} on the same model and the same folder:
 * a trained checkpoint is exported to a bundle ({@code model/export.py}), a small test split is
 * generated ({@code model/generate.py}), and both evaluations must agree within 0.005 on mIoU,
 * oIoU and every Pr@t.
 *
 * <p>Needs Debian's {@code /usr/bin/python3} with PyTorch, onnx and GDAL, and a checkpoint:
 * {@code -Ddiffris.checkpoint=FILE}, {@code $DIFFRIS_CHECKPOINT}, or {@code model.pt} in
 * {@code model/runs/main/} or {@code model/runs/tiny/} (written by {@code model/train.py}), else
 * the committed {@code model/checkpoints/diffris-tiny/model.pt}. Skipped with a message when
 * Python or the checkpoint is missing.
 */
class EvalPythonAgreementTest {
  static final String PYTHON = "/usr/bin/python3";
  static final String[] KEYS = {"mIoU", "oIoU", "Pr@0.5", "Pr@0.6", "Pr@0.7", "Pr@0.8", "Pr@0.9"};

  @TempDir Path work;

  @Test
  void javaAndPythonScoresAgree() throws Exception {
    Path root = TestBundle.root();
    Path checkpoint = checkpoint(root);
    assumeTrue(
        checkpoint != null,
        "no checkpoint (-Ddiffris.checkpoint, $DIFFRIS_CHECKPOINT, "
            + "model/runs/{main,tiny}/model.pt or model/checkpoints/diffris-tiny/model.pt): "
            + "Java-vs-Python eval agreement not checked");
    assumeTrue(
        pythonReady(),
        PYTHON
            + " with torch, onnx and osgeo is missing: Java-vs-Python "
            + "eval agreement not checked");
    Path data = work.resolve("data");
    Path bundle = work.resolve("bundle");
    python(
        root,
        "model/generate.py",
        "--seed",
        "7",
        "--count",
        "60",
        "--split",
        "test",
        "--out",
        data.toString());
    python(
        root, "model/export.py", "--checkpoint", checkpoint.toString(), "--out", bundle.toString());
    Map<String, Double> py = scores(pythonEval(root, data, checkpoint));
    Cli javaRun = javaEval(data, bundle);
    assertEquals(0, javaRun.exitCode, javaRun.err);
    Map<String, String> js = javaRun.summary();
    assertEquals("60", js.get("samples"));
    StringBuilder report = new StringBuilder();
    for (String key : KEYS) {
      report.append(
          String.format(
              java.util.Locale.ROOT, "%s java=%s python=%.4f%n", key, js.get(key), py.get(key)));
    }
    System.out.print("eval agreement on 60 generated samples, " + checkpoint + ":\n" + report);
    for (String key : KEYS) {
      assertTrue(
          Math.abs(Double.parseDouble(js.get(key)) - py.get(key)) <= 0.005,
          key + " differs by more than 0.005:\n" + report);
    }
  }

  static Path checkpoint(Path root) {
    String given = System.getProperty("diffris.checkpoint", System.getenv("DIFFRIS_CHECKPOINT"));
    if (given != null && !given.isBlank()) {
      Path file = Path.of(given).toAbsolutePath();
      return Files.isRegularFile(file) ? file : null;
    }
    for (String run :
        new String[] {
          "model/runs/main/model.pt",
          "model/runs/tiny/model.pt",
          "model/checkpoints/diffris-tiny/model.pt"
        }) {
      if (Files.isRegularFile(root.resolve(run))) {
        return root.resolve(run);
      }
    }
    return null;
  }

  static boolean pythonReady() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return false;
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import torch, onnx; from osgeo import gdal")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  static String python(Path root, String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(PYTHON, root.resolve(script).toString()));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), script + " did not finish");
    assertEquals(0, p.exitValue(), script + " failed:\n" + out);
    return out;
  }

  /** The "mIoU=... oIoU=... Pr@0.5=..." line of evaluate.py. */
  /** {@code model/evaluate.py} on the test split of {@code data}; its stdout. */
  static String pythonEval(Path root, Path data, Path checkpoint) throws Exception {
    return python(
        root,
        "model/evaluate.py",
        "--data",
        data.toString(),
        "--split",
        "test",
        "--checkpoint",
        checkpoint.toString());
  }

  /** {@code diffris eval} of {@code bundle} on the test split of {@code data}, on the CPU. */
  static Cli javaEval(Path data, Path bundle) {
    return Cli.run(
        "eval",
        "--data",
        data.toString(),
        "--split",
        "test",
        "--model",
        bundle.toString(),
        "--device",
        "cpu");
  }

  static Map<String, Double> scores(String output) {
    Map<String, Double> values = new HashMap<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("mIoU=")) {
        for (String pair : line.strip().split(" ")) {
          int eq = pair.indexOf('=');
          values.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
        }
      }
    }
    assertTrue(values.keySet().containsAll(List.of(KEYS)), "no scores in:\n" + output);
    return values;
  }
}

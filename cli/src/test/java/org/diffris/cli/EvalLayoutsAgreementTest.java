package org.diffris.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.diffris.cli.testing.Cli;
import org.diffris.cli.testing.TestBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffris eval} against {@code model/evaluate.py} on the same small split written in each
 * dataset layout: RefSegRS ({@code model/generate.py}), and the same samples again as RRSIS-D
 * (JPEGs, a protocol 2 {@code refs(unc).p}, an {@code instances.json} holding compressed RLE,
 * uncompressed RLE and polygon segmentations) and as RISBench (PNGs), both written by {@code
 * model/diffris/datasets/fixtures.py}. Each layout is detected by both sides; the sample counts
 * must be equal and every score within 0.005.
 *
 * <p>Needs what {@link EvalPythonAgreementTest} needs (Debian's Python with torch, onnx and GDAL,
 * and a checkpoint) plus PIL; skipped with a message otherwise.
 */
class EvalLayoutsAgreementTest {
  @TempDir Path work;

  @Test
  void javaAndPythonAgreeOnEveryLayout() throws Exception {
    Path root = TestBundle.root();
    Path checkpoint = EvalPythonAgreementTest.checkpoint(root);
    assumeTrue(checkpoint != null, "no checkpoint: Java-vs-Python layout agreement not checked");
    assumeTrue(
        EvalPythonAgreementTest.pythonReady(),
        EvalPythonAgreementTest.PYTHON
            + " with torch, onnx and osgeo is missing: layout agreement not checked");
    Path refsegrs = work.resolve("refsegrs");
    Path bundle = work.resolve("bundle");
    EvalPythonAgreementTest.python(
        root,
        "model/generate.py",
        "--seed",
        "5",
        "--count",
        "12",
        "--split",
        "test",
        "--out",
        refsegrs.toString(),
        "--quiet");
    for (String layout : List.of("rrsisd", "risbench")) {
      fixture(root, refsegrs, layout, work.resolve(layout));
    }
    EvalPythonAgreementTest.python(
        root, "model/export.py", "--checkpoint", checkpoint.toString(), "--out", bundle.toString());
    Map<String, String> expectedCount = Map.of("refsegrs", "12", "rrsisd", "16", "risbench", "12");
    StringBuilder report = new StringBuilder();
    for (String layout : List.of("refsegrs", "rrsisd", "risbench")) {
      Path data = work.resolve(layout);
      String pyOut = EvalPythonAgreementTest.pythonEval(root, data, checkpoint);
      Map<String, Double> py = EvalPythonAgreementTest.scores(pyOut);
      Cli javaRun = EvalPythonAgreementTest.javaEval(data, bundle);
      assertEquals(0, javaRun.exitCode, javaRun.err);
      assertTrue(javaRun.out.contains("in the " + layout + " layout"), javaRun.out);
      Map<String, String> js = javaRun.summary();
      assertEquals(expectedCount.get(layout), js.get("samples"), layout);
      assertTrue(pyOut.startsWith(expectedCount.get(layout) + " samples"), pyOut);
      for (String key : EvalPythonAgreementTest.KEYS) {
        report.append(
            String.format(
                Locale.ROOT,
                "%-9s %-7s java=%s python=%.4f%n",
                layout,
                key,
                js.get(key),
                py.get(key)));
      }
      for (String key : EvalPythonAgreementTest.KEYS) {
        assertTrue(
            Math.abs(Double.parseDouble(js.get(key)) - py.get(key)) <= 0.005,
            layout + " " + key + " differs by more than 0.005:\n" + report);
      }
    }
    System.out.print("eval agreement per layout, " + checkpoint + ":\n" + report);
  }

  private static void fixture(Path root, Path source, String layout, Path out) throws Exception {
    Process p =
        new ProcessBuilder(
                EvalPythonAgreementTest.PYTHON,
                "-m",
                "diffris.datasets.fixtures",
                "--source",
                source.toString(),
                "--split",
                "test",
                "--layout",
                layout,
                "--out",
                out.toString())
            .directory(root.resolve("model").toFile())
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "fixture writer did not finish");
    assumeTrue(
        p.exitValue() == 0 || !text.contains("No module named 'PIL'"),
        "PIL missing: layout agreement not checked");
    assertEquals(0, p.exitValue(), text);
    assertTrue(Files.isDirectory(out), out.toString());
  }
}

package org.diffris.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffris.cli.eval.DatasetLayout;
import org.diffris.cli.eval.EvalSplit;
import org.diffris.cli.eval.RefSegEvaluation;
import org.diffris.cli.eval.RrsisMetrics;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.ProviderUnavailableException;
import org.diffris.runtime.onnx.SessionSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffris eval}: the RRSIS scores of a model bundle on one split of a dataset folder in the
 * RefSegRS, RRSIS-D or RISBench layout ({@link DatasetLayout}), computed exactly as {@code
 * model/evaluate.py} computes them (see {@link RefSegEvaluation}).
 *
 * <p>Exit status: 0 on success; 1 when the folder, a file in it or the bundle is the problem; 2
 * when an option is invalid; 3 on an internal error.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Scores a model on a dataset folder in one of three layouts, detected or named with "
          + "--layout: refsegrs (images/<id>.tif, masks/<id>.tif, output_phrase_<split>.txt, "
          + "optional expressions_<split>.tsv for a per-type table); rrsisd (RRSIS-D: "
          + "rrsisd/refs(unc).p, rrsisd/instances.json, images/rrsisd/JPEGImages/; one sample "
          + "per sentence, typed by category); risbench (img_rgb/, mask/, "
          + "output_phrase_<split>.txt).",
      "Each image is one tile at the model's input size (area-averaged when its size differs); "
          + "the logits are resized bilinearly to each mask's size and thresholded at 0.",
      "Last line on stdout: samples=... mIoU=... oIoU=... Pr@0.5=... ... Pr@0.9=... provider=... "
          + "model_ms=... total_ms=..."
    })
public final class EvalCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Dataset folder (RefSegRS, RRSIS-D or RISBench layout).")
  Path data;

  @Option(
      names = "--layout",
      paramLabel = "NAME",
      description = "The folder's layout: refsegrs, rrsisd or risbench (default: detected).")
  String layout;

  @Option(
      names = "--split",
      required = true,
      paramLabel = "NAME",
      description =
          "Split name, e.g. train, val, test (output_phrase_NAME.txt, expressions_NAME.tsv, or "
              + "the refs' split field for rrsisd).")
  String split;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--limit", paramLabel = "N", description = "Score the first N samples only.")
  Integer limit;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    if (!split.matches("[A-Za-z0-9_-]+")) {
      throw CommandFailures.usage(
          spec, "--split must be letters, digits, '_' or '-', got '" + split + "'");
    }
    if (limit != null && limit < 1) {
      throw CommandFailures.usage(spec, "--limit must be 1 or more, got " + limit);
    }
    DatasetLayout chosenLayout = null;
    if (layout != null) {
      try {
        chosenLayout = DatasetLayout.parse(layout);
      } catch (InputException e) {
        throw CommandFailures.usage(spec, "--layout: " + e.getMessage());
      }
    }
    ExecutionProvider provider = modelOptions.provider(spec);
    try {
      EvalSplit samples = EvalSplit.read(data, split, chosenLayout);
      Path bundlePath = modelOptions.bundleLocation();
      ModelBundle bundle;
      try {
        bundle = ModelBundle.open(bundlePath);
      } catch (IOException | RuntimeException e) {
        throw new InputException(
            "model bundle " + bundlePath + " is not usable: " + SegmentCommand.oneLine(e), e);
      }
      try (DiffrisModel session = DiffrisModel.open(bundle, SessionSettings.of(provider))) {
        stdout.println(
            "model: "
                + bundle.description().name()
                + " "
                + bundle.description().version()
                + " ("
                + bundle.location()
                + ")");
        stdout.println("execution provider: " + session.provider());
        stdout.println(
            "data: "
                + samples.samples().size()
                + " samples of split "
                + split
                + " in the "
                + samples.layout().key()
                + " layout");
        RefSegEvaluation evaluation = new RefSegEvaluation(session);
        RrsisMetrics metrics = evaluation.score(samples, limit == null ? Integer.MAX_VALUE : limit);
        printTable(stdout, metrics);
        RrsisMetrics.Scores s = metrics.overall();
        long totalMs =
            System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        StringBuilder line =
            new StringBuilder(
                String.format(
                    Locale.ROOT, "samples=%d mIoU=%.4f oIoU=%.4f", s.count(), s.mIoU(), s.oIoU()));
        for (int k = 0; k < RrsisMetrics.THRESHOLD_PERCENTS.length; k++) {
          line.append(
              String.format(
                  Locale.ROOT,
                  " Pr@%.1f=%.4f",
                  RrsisMetrics.THRESHOLD_PERCENTS[k] / 100.0,
                  s.precisionAt(k)));
        }
        line.append(
            String.format(
                Locale.ROOT,
                " provider=%s model_ms=%.0f total_ms=%d",
                SegmentCommand.providerKey(session.provider()),
                evaluation.modelNanos() / 1e6,
                totalMs));
        stdout.println(line);
        stdout.flush();
        return 0;
      } catch (IOException e) {
        throw new InputException(
            "model bundle " + bundlePath + " is not usable: " + SegmentCommand.oneLine(e), e);
      }
    } catch (InputException e) {
      return CommandFailures.fail(spec, e.getMessage());
    } catch (ProviderUnavailableException e) {
      return CommandFailures.fail(spec, "--device " + modelOptions.device + ": " + e.getMessage());
    }
  }

  /** The per-type table of model/diffris/metrics.py's report(), in percent. */
  private static void printTable(PrintWriter out, RrsisMetrics metrics) {
    StringBuilder header = new StringBuilder(pad("type", 14, false));
    for (String c :
        new String[] {"n", "mIoU", "oIoU", "Pr@0.5", "Pr@0.6", "Pr@0.7", "Pr@0.8", "Pr@0.9"}) {
      header.append(pad(c, 8, true));
    }
    out.println(header);
    out.println(row("all", metrics.overall()));
    for (Map.Entry<String, RrsisMetrics.Scores> e : metrics.byType().entrySet()) {
      out.println(row(e.getKey(), e.getValue()));
    }
  }

  private static String row(String name, RrsisMetrics.Scores s) {
    StringBuilder b = new StringBuilder(pad(name, 14, false));
    b.append(pad(Integer.toString(s.count()), 8, true));
    b.append(pad(String.format(Locale.ROOT, "%.2f", 100 * s.mIoU()), 8, true));
    b.append(pad(String.format(Locale.ROOT, "%.2f", 100 * s.oIoU()), 8, true));
    for (int k = 0; k < RrsisMetrics.THRESHOLD_PERCENTS.length; k++) {
      b.append(pad(String.format(Locale.ROOT, "%.2f", 100 * s.precisionAt(k)), 8, true));
    }
    return b.toString();
  }

  private static String pad(String s, int width, boolean right) {
    if (s.length() >= width) {
      return s;
    }
    String space = " ".repeat(width - s.length());
    return right ? space + s : s + space;
  }
}

package org.diffris.cli;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffris.runtime.DiffrisModel;
import org.diffris.runtime.ModelBundle;
import org.diffris.runtime.ModelDescription;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffris info}: what a model bundle says about itself (model.json, validated) and which
 * ONNX Runtime execution providers this installation has. Lines are {@code key: value}; the last
 * is a {@code key=value} summary. Exit status 1 when the bundle is missing or invalid.
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a model bundle's metadata and the execution providers available here.",
      "Last line on stdout: model=... version=... input=... providers=..."
    })
public final class InfoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "Model bundle folder or zip (default: $DIFFRIS_MODEL, else the embedded "
              + ModelLocation.EMBEDDED
              + ").")
  Path model;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String providers =
        OrtEnvironment.getAvailableProviders().stream()
            .map(p -> p.name().replace("_EXECUTION_PROVIDER", "").replace("_PROVIDER", ""))
            .sorted()
            .reduce((a, b) -> a + "," + b)
            .orElse("none");
    try {
      Path location = ModelLocation.resolve(model);
      ModelBundle bundle;
      String graphFiles;
      try {
        bundle = ModelBundle.open(location);
        graphFiles = bundle.graphFiles();
      } catch (IOException | RuntimeException e) {
        throw new InputException(
            "model bundle " + location + " is not usable: " + SegmentCommand.oneLine(e), e);
      }
      ModelDescription d = bundle.description();
      ModelDescription.Image image = d.image();
      // Load the graphs too: a cut or foreign .onnx file must fail here, not in the first job.
      try (DiffrisModel graphs =
          DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU))) {
        graphs.description();
      } catch (IOException | RuntimeException e) {
        throw new InputException(
            "model bundle " + location + ": its graphs do not load: " + SegmentCommand.oneLine(e),
            e);
      }
      out.println("bundle: " + bundle.location());
      out.println("name: " + d.name());
      out.println("version: " + d.version());
      out.println("license: " + d.license());
      out.println("task: " + d.task());
      if (d.architecture() != null) {
        out.println("architecture: " + d.architecture());
      }
      out.println("graphs: " + graphFiles);
      out.println(
          String.format(
              Locale.ROOT,
              "image: %d x %d px, %d channels, %s, scale %.6g, mean %s, std %s",
              image.size(),
              image.size(),
              image.channels(),
              image.hasGsd()
                  ? String.format(Locale.ROOT, "%.3f m/px", image.gsdMetres())
                  : "no GSD (runs at each raster's own resolution)",
              image.scale(),
              Arrays.toString(image.mean()),
              Arrays.toString(image.std())));
      if (image.bandOrder() != null || image.radiometry() != null) {
        out.println(
            "trained on: "
                + (image.bandOrder() == null ? "" : image.bandOrder() + " bands, ")
                + (image.radiometry() == null ? "values not described" : image.radiometry()));
      }
      out.println(
          "tiling: "
              + d.tiling().size()
              + " px tiles, overlap "
              + d.tiling().overlap()
              + " px, sides a multiple of "
              + d.tiling().sizeMultiple());
      out.println(
          "text: "
              + d.text().tokenizer()
              + ", "
              + d.text().maxLength()
              + " tokens, bos "
              + d.text().bosId()
              + ", eos "
              + d.text().eosId()
              + ", pad "
              + d.text().padId());
      d.text().encoder().ifPresent(encoder -> out.println("text encoder: " + encoder.describe()));
      out.println("output: " + d.output().kind() + ", stride " + d.output().stride());
      out.println("threshold: " + d.threshold());
      out.println("onnx opset: " + d.opset() + " (both graphs load and match the bundle contract)");
      out.println("execution providers available: " + providers);
      out.println(
          String.format(
              Locale.ROOT,
              "model=%s version=%s input=%d gsd_m=%s threshold=%s providers=%s",
              d.name(),
              d.version(),
              image.size(),
              image.hasGsd() ? String.valueOf(image.gsdMetres()) : ModelDescription.NO_GSD,
              d.threshold(),
              providers));
      out.flush();
      return 0;
    } catch (InputException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("diffris info: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}

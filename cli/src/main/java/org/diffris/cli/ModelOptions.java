package org.diffris.cli;

import java.nio.file.Path;
import org.diffris.runtime.onnx.ExecutionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of every command that runs a model: which bundle, and where it runs. */
final class ModelOptions {

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "Model bundle folder or zip (default: $DIFFRIS_MODEL, else the embedded "
              + ModelLocation.EMBEDDED
              + ").")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|cuda[:N]",
      description = "Where the model runs: " + ExecutionProvider.ACCEPTED + " (default auto).")
  String device;

  /** The bundle to load: {@code --model}, else {@code $DIFFRIS_MODEL}, else the embedded one. */
  Path bundleLocation() throws InputException {
    return ModelLocation.resolve(model);
  }

  /** The requested execution provider; an unknown name is a usage error of {@code command}. */
  ExecutionProvider provider(CommandSpec command) {
    try {
      return ExecutionProvider.parse(device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "--device: " + e.getMessage());
    }
  }
}
